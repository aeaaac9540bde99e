//! Instrument responses: every FDSN StationXML stage type, as parsed from the document.
//! Evaluation lives in [`crate::signal::response`].

pub use realfft::num_complex::Complex64;

/// A channel's full response: overall sensitivity plus the ordered stages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    pub instrument_sensitivity: Option<Sensitivity>,
    /// A polynomial response of the whole instrument (StationXML `InstrumentPolynomial`).
    pub instrument_polynomial: Option<Polynomial>,
    pub stages: Vec<Stage>,
}

/// Overall gain of the instrument at one frequency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sensitivity {
    pub value: f64,
    pub frequency: f64,
    pub input_units: String,
    pub output_units: String,
}

/// One response stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub number: u32,
    pub input_units: String,
    pub output_units: String,
    /// `(gain, frequency)`.
    pub gain: Option<(f64, f64)>,
    pub decimation: Option<Decimation>,
    pub kind: StageKind,
    /// The stage's `name`/`resourceId` attributes, kept for writing back.
    pub name: Option<String>,
}

/// What the stage's filter is.
#[derive(Debug, Clone, PartialEq)]
pub enum StageKind {
    PolesZeros(PolesZeros),
    Coefficients(Coefficients),
    Fir(Fir),
    Polynomial(Polynomial),
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
    pub transfer_function: PzTransferFunction,
    pub normalization_factor: f64,
    pub normalization_frequency: f64,
    pub zeros: Vec<Complex64>,
    pub poles: Vec<Complex64>,
}

/// `CfTransferFunctionType` of a coefficients stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CfTransferFunction {
    AnalogRadians,
    AnalogHertz,
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
    pub transfer_function: CfTransferFunction,
    pub numerators: Vec<f64>,
    pub denominators: Vec<f64>,
}

/// FIR symmetry: the stored coefficients are the whole filter (`None`), or its first half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symmetry {
    None,
    /// Even number of taps, stored half mirrored in full.
    Even,
    /// Odd number of taps, the middle one stored once.
    Odd,
}

/// A FIR stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Fir {
    pub symmetry: Symmetry,
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
    pub approximation_type: String,
    pub frequency_lower_bound: f64,
    pub frequency_upper_bound: f64,
    pub approximation_lower_bound: f64,
    pub approximation_upper_bound: f64,
    pub maximum_error: f64,
    pub coefficients: Vec<f64>,
    pub input_units: String,
    pub output_units: String,
}

/// One sample of a tabulated response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResponseListElement {
    pub frequency: f64,
    pub amplitude: f64,
    /// Degrees.
    pub phase: f64,
}

/// Decimation attached to a stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decimation {
    pub input_sample_rate: f64,
    pub factor: u32,
    pub offset: u32,
    pub delay: f64,
    pub correction: f64,
}
