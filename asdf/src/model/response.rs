//! Instrument responses: every FDSN StationXML stage type, as parsed from the document.
//! Evaluation lives in [`crate::signal::response`].

pub use realfft::num_complex::Complex64;

/// A channel's full response: overall sensitivity plus the ordered stages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    /// The overall sensitivity at one frequency.
    pub instrument_sensitivity: Option<Sensitivity>,
    /// A polynomial response of the whole instrument (StationXML `InstrumentPolynomial`).
    pub instrument_polynomial: Option<Polynomial>,
    /// The stages, in signal order.
    pub stages: Vec<Stage>,
}

/// Overall gain of the instrument at one frequency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sensitivity {
    /// Gain (output units per input unit).
    pub value: f64,
    /// Frequency in Hz at which the gain holds.
    pub frequency: f64,
    /// Input units (e.g. `M/S`).
    pub input_units: String,
    /// Output units (e.g. `COUNTS`).
    pub output_units: String,
}

/// One response stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// Stage number (from 1).
    pub number: u32,
    /// Input units.
    pub input_units: String,
    /// Output units.
    pub output_units: String,
    /// `(gain, frequency)`.
    pub gain: Option<(f64, f64)>,
    /// The stage's decimation, for digital stages.
    pub decimation: Option<Decimation>,
    /// What the stage is.
    pub kind: StageKind,
    /// The stage's `name`/`resourceId` attributes, kept for writing back.
    pub name: Option<String>,
}

/// What the stage's filter is.
#[derive(Debug, Clone, PartialEq)]
pub enum StageKind {
    /// Poles and zeros.
    PolesZeros(PolesZeros),
    /// Numerator and denominator coefficients.
    Coefficients(Coefficients),
    /// A FIR filter.
    Fir(Fir),
    /// A polynomial (e.g. a thermometer); evaluated as its linear gain.
    Polynomial(Polynomial),
    /// Amplitude and phase at listed frequencies.
    ResponseList(Vec<ResponseListElement>),
    /// A stage with only a gain (and possibly decimation).
    Gain,
}

/// `PzTransferFunctionType` of a poles-and-zeros stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PzTransferFunction {
    /// `LAPLACE (RADIANS/SECOND)`
    LaplaceRadians,
    /// `LAPLACE (HERTZ)`
    LaplaceHertz,
    /// `DIGITAL (Z-TRANSFORM)`
    DigitalZ,
}

impl PzTransferFunction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PzTransferFunction::LaplaceRadians => "LAPLACE (RADIANS/SECOND)",
            PzTransferFunction::LaplaceHertz => "LAPLACE (HERTZ)",
            PzTransferFunction::DigitalZ => "DIGITAL (Z-TRANSFORM)",
        }
    }
}

/// A poles-and-zeros stage.
#[derive(Debug, Clone, PartialEq)]
pub struct PolesZeros {
    /// Laplace in rad/s or Hz, or digital.
    pub transfer_function: PzTransferFunction,
    /// A0, making the response 1 at the normalisation frequency.
    pub normalization_factor: f64,
    /// Normalisation frequency in Hz.
    pub normalization_frequency: f64,
    /// The zeros.
    pub zeros: Vec<Complex64>,
    /// The poles.
    pub poles: Vec<Complex64>,
}

/// `CfTransferFunctionType` of a coefficients stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CfTransferFunction {
    /// Laplace transform, rad/s.
    AnalogRadians,
    /// Laplace transform, Hz.
    AnalogHertz,
    /// Z transform.
    Digital,
}

impl CfTransferFunction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CfTransferFunction::AnalogRadians => "ANALOG (RADIANS/SECOND)",
            CfTransferFunction::AnalogHertz => "ANALOG (HERTZ)",
            CfTransferFunction::Digital => "DIGITAL",
        }
    }
}

/// A coefficients (rational) stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficients {
    /// Laplace in rad/s or Hz, or digital.
    pub transfer_function: CfTransferFunction,
    /// Numerator coefficients.
    pub numerators: Vec<f64>,
    /// Denominator coefficients.
    pub denominators: Vec<f64>,
}

/// FIR symmetry: the stored coefficients are the whole filter (`None`), or its first half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symmetry {
    /// All coefficients given.
    None,
    /// Even number of taps, stored half mirrored in full.
    Even,
    /// Odd number of taps, the middle one stored once.
    Odd,
}

/// A FIR stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Fir {
    /// Which half of the coefficients is given.
    pub symmetry: Symmetry,
    /// The coefficients as given.
    pub numerator_coefficients: Vec<f64>,
}

impl Fir {
    /// All taps, with the symmetric half expanded.
    pub fn taps(&self) -> Vec<f64> {
        let c = &self.numerator_coefficients;
        match self.symmetry {
            Symmetry::None => c.clone(),
            Symmetry::Even => c.iter().chain(c.iter().rev()).copied().collect(),
            Symmetry::Odd => c.iter().chain(c.iter().rev().skip(1)).copied().collect(),
        }
    }
}

/// A polynomial (MacLaurin) stage, e.g. of a thermometer or barometer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Polynomial {
    /// Approximation type (`MACLAURIN`).
    pub approximation_type: String,
    /// Lowest valid frequency in Hz.
    pub frequency_lower_bound: f64,
    /// Highest valid frequency in Hz.
    pub frequency_upper_bound: f64,
    /// Lowest valid input value.
    pub approximation_lower_bound: f64,
    /// Highest valid input value.
    pub approximation_upper_bound: f64,
    /// Largest error of the approximation.
    pub maximum_error: f64,
    /// Coefficients, lowest order first.
    pub coefficients: Vec<f64>,
    /// Input units.
    pub input_units: String,
    /// Output units.
    pub output_units: String,
}

/// One sample of a tabulated response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResponseListElement {
    /// Frequency in Hz.
    pub frequency: f64,
    /// Amplitude at that frequency.
    pub amplitude: f64,
    /// Degrees.
    pub phase: f64,
}

/// Decimation attached to a stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decimation {
    /// Sampling rate in Hz before decimation.
    pub input_sample_rate: f64,
    /// Decimation factor.
    pub factor: u32,
    /// Which sample of each `factor` is kept.
    pub offset: u32,
    /// Estimated delay of the stage in seconds.
    pub delay: f64,
    /// Delay applied to correct for it, in seconds.
    pub correction: f64,
}
