//! Adjoint sources as SPECFEM reads them from `SEM/adjoint.h5`: datasets
//! `AuxiliaryData/AdjointSources/NET_STA_{band}X{component}`, 1-D, exactly the simulation's
//! NSTEP samples, in forward time, float32 (the solver converts whatever it finds to float32 and
//! reads no attribute). pytomo3d's attributes are written too, so pyasdf, pytomo3d and the
//! solver all accept the file.

use crate::model::inventory::Coordinates;
use crate::model::time::UtcTime;

use super::auxiliary::{AuxiliaryArray, Parameter};
use super::error::{FormatError, Result};
use super::file::AsdfFile;

/// One component of one station's adjoint source.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// use asdf::format::AdjointSource;
/// use asdf::{AsdfFile, UtcTime};
/// let mut ds = AsdfFile::create(dir.path().join("adjoint.h5"))?;
/// let z = AdjointSource::new("II", "AAK", 'Z', 0.15, UtcTime::from_ns(0), vec![0.0; 1000]);
/// ds.add_adjoint_sources(&[z])?; // N and E are added as zeros, as the solver needs all three
/// assert_eq!(ds.auxiliary_paths()?, ["AdjointSources/II_AAK_MXE", "AdjointSources/II_AAK_MXN", "AdjointSources/II_AAK_MXZ"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AdjointSource {
    /// Network code.
    pub network: String,
    /// Station code.
    pub station: String,
    /// Location code (pytomo3d's `location` attribute; not part of the solver's name).
    pub location: String,
    /// `Z`, `N` or `E` (SPECFEM3D Cartesian with `SUPPRESS_UTM_PROJECTION` reads `X`/`Y`/`Z`).
    pub component: char,
    /// The simulation's time step in seconds (it picks the band code of the name).
    pub dt: f64,
    /// Time of the first sample (the synthetics' start).
    pub starttime: UtcTime,
    /// The samples, in forward time; exactly the simulation's NSTEP of them.
    pub data: Vec<f64>,
    /// The misfit this source comes from.
    pub misfit: f64,
    /// The measurement, e.g. `multitaper_misfit`, `cc_traveltime_misfit`, `waveform_misfit`.
    pub adjoint_source_type: String,
    /// Shortest period of the band, in seconds.
    pub min_period: f64,
    /// Longest period of the band, in seconds.
    pub max_period: f64,
    /// The station's coordinates, if known.
    pub coordinates: Option<Coordinates>,
    /// The station's burial depth in metres.
    pub depth_in_m: f64,
}

impl AdjointSource {
    /// An adjoint source with the station, component, time step, start and samples, and the
    /// measurement fields empty (misfit 0, no type, periods 0, no coordinates).
    pub fn new(network: &str, station: &str, component: char, dt: f64, starttime: UtcTime, data: Vec<f64>) -> Self {
        AdjointSource {
            network: network.into(),
            station: station.into(),
            location: String::new(),
            component,
            dt,
            starttime,
            data,
            misfit: 0.0,
            adjoint_source_type: String::new(),
            min_period: 0.0,
            max_period: 0.0,
            coordinates: None,
            depth_in_m: 0.0,
        }
    }

    /// The dataset name the solver looks for: `NET_STA_` + band code + `X` + component.
    ///
    /// ```
    /// # use asdf::format::AdjointSource;
    /// let a = AdjointSource::new("II", "AAK", 'Z', 0.15, asdf::UtcTime::from_ns(0), vec![]);
    /// assert_eq!(a.dataset_name(), "II_AAK_MXZ");
    /// ```
    pub fn dataset_name(&self) -> String {
        format!("{}_{}_{}{}", self.network, self.station, specfem_band_code(self.dt), self.component)
    }
}

/// SPECFEM's `band_instrument_code(DT)`: the first two letters of an adjoint source's channel.
///
/// ```
/// use asdf::format::specfem_band_code;
/// assert_eq!(specfem_band_code(1.0), "LX");
/// assert_eq!(specfem_band_code(0.15), "MX");
/// assert_eq!(specfem_band_code(0.05), "BX");
/// assert_eq!(specfem_band_code(0.01), "HX");
/// assert_eq!(specfem_band_code(0.002), "CX");
/// assert_eq!(specfem_band_code(0.0005), "FX");
/// ```
pub fn specfem_band_code(dt: f64) -> &'static str {
    if dt >= 1.0 {
        "LX"
    } else if dt > 0.1 {
        "MX"
    } else if dt > 0.0125 {
        "BX"
    } else if dt > 0.004 {
        "HX"
    } else if dt > 0.001 {
        "CX"
    } else {
        "FX"
    }
}

impl AdjointSource {
    /// The auxiliary arrays these sources are stored as (see the module docs): every station
    /// completed to `Z`, `N`, `E` with zeros, float32 samples, pytomo3d's attributes. Pure, so
    /// that a job can make them on its worker thread. All sources of a station must share `dt`
    /// and the number of samples (NSTEP).
    ///
    /// ```
    /// use asdf::format::AdjointSource;
    /// let z = AdjointSource::new("II", "AAK", 'Z', 0.05, asdf::UtcTime::from_ns(0), vec![1.0; 10]);
    /// let arrays = AdjointSource::to_arrays(&[z])?;
    /// assert_eq!(arrays.iter().map(|a| a.full_path()).collect::<Vec<_>>(),
    ///            ["AdjointSources/II_AAK_BXZ", "AdjointSources/II_AAK_BXN", "AdjointSources/II_AAK_BXE"]);
    /// assert_eq!(arrays[0].values.dtype(), "f4");
    /// # Ok::<(), String>(())
    /// ```
    pub fn to_arrays(sources: &[AdjointSource]) -> std::result::Result<Vec<AuxiliaryArray>, String> {
        for (i, a) in sources.iter().enumerate() {
            let name = a.dataset_name();
            if !(a.dt.is_finite() && a.dt > 0.0) {
                return Err(format!("adjoint source {name}: time step {} is not positive", a.dt));
            }
            if a.data.is_empty() || a.data.iter().any(|x| !x.is_finite()) {
                return Err(format!("adjoint source {name}: an adjoint source needs finite samples (NSTEP of them)"));
            }
            if let Some(other) = sources[..i].iter().find(|o| o.network == a.network && o.station == a.station) {
                if other.dt != a.dt || other.data.len() != a.data.len() {
                    return Err(format!("adjoint source {name}: dt {} and {} samples, but another component has dt {} and {}", a.dt, a.data.len(), other.dt, other.data.len()));
                }
            }
        }
        let mut arrays: Vec<AuxiliaryArray> = sources.iter().map(AdjointSource::to_array).collect();
        // The components the solver needs and was not given: zeros.
        let mut missing: Vec<AdjointSource> = Vec::new();
        for a in sources.iter().filter(|a| matches!(a.component, 'Z' | 'N' | 'E')) {
            for c in ['Z', 'N', 'E'] {
                let same = |o: &AdjointSource| o.network == a.network && o.station == a.station && o.component == c;
                if !sources.iter().any(same) && !missing.iter().any(same) {
                    missing.push(AdjointSource { component: c, data: vec![0.0; a.data.len()], misfit: 0.0, ..a.without_data() });
                }
            }
        }
        arrays.extend(missing.iter().map(AdjointSource::to_array));
        Ok(arrays)
    }

    /// A copy with no samples.
    fn without_data(&self) -> AdjointSource {
        AdjointSource {
            network: self.network.clone(),
            station: self.station.clone(),
            location: self.location.clone(),
            adjoint_source_type: self.adjoint_source_type.clone(),
            data: Vec::new(),
            ..*self
        }
    }

    fn to_array(&self) -> AuxiliaryArray {
        let a = self;
        let samples: Vec<f32> = a.data.iter().map(|&x| x as f32).collect();
        // pytomo3d's attributes (adjoint/utils.py), in its order.
        let mut params: Vec<(String, Parameter)> = vec![
            ("dt".into(), Parameter::Float(a.dt)),
            ("starttime".into(), Parameter::Str(a.starttime.to_string())),
            ("misfit".into(), Parameter::Float(a.misfit)),
            ("adjoint_source_type".into(), Parameter::Str(a.adjoint_source_type.clone())),
            ("min_period".into(), Parameter::Float(a.min_period)),
            ("max_period".into(), Parameter::Float(a.max_period)),
        ];
        if let Some(c) = a.coordinates {
            params.push(("latitude".into(), Parameter::Float(c.latitude)));
            params.push(("longitude".into(), Parameter::Float(c.longitude)));
            params.push(("elevation_in_m".into(), Parameter::Float(c.elevation_in_m)));
        }
        params.extend([
            ("depth_in_m".into(), Parameter::Float(a.depth_in_m)),
            ("station_id".into(), Parameter::Str(format!("{}.{}", a.network, a.station))),
            ("component".into(), Parameter::Str(format!("{}{}", specfem_band_code(a.dt), a.component))),
            ("location".into(), Parameter::Str(a.location.clone())),
            ("units".into(), Parameter::Str("m".into())),
        ]);
        AuxiliaryArray { parameters: params, ..AuxiliaryArray::new("AdjointSources", &a.dataset_name(), samples) }
    }
}

impl AsdfFile {
    /// Writes adjoint sources as SPECFEM reads them (see the module docs and
    /// [`AdjointSource::to_arrays`]): each station gets all three of `Z`, `N`, `E`, a missing
    /// one written as zeros (the solver stops when one is missing).
    pub fn add_adjoint_sources(&mut self, sources: &[AdjointSource]) -> Result<()> {
        let arrays = AdjointSource::to_arrays(sources)
            .map_err(|message| FormatError::Invalid { path: self.path.clone(), object: "/AuxiliaryData/AdjointSources".into(), message })?;
        arrays.iter().try_for_each(|a| self.add_auxiliary_array(a))
    }
}
