//! Auxiliary data: `/AuxiliaryData/{data_type}/{path...}` arrays with parameter attributes.
//! Reading here; writing as waveforms are written: [`array`] names, checks, chunks and compresses
//! an array with no HDF5 call (on any thread or rank), [`write`] stores the ready chunks.

mod array;
mod write;

pub use array::{encode_auxiliary, AuxiliaryArray, AuxiliaryValues, EncodedAuxiliary};

use super::error::Result;
use super::file::AsdfFile;
use super::h5::{self, AttrValue, NumKind, NumType};

/// One parameter attribute of an auxiliary data set.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Parameter {
    /// An integer attribute.
    Int(i64),
    /// A floating-point attribute.
    Float(f64),
    /// A string attribute.
    Str(String),
}

/// An auxiliary array (any shape) read as float64, with its parameters.
///
/// ```no_run
/// use asdf::format::{AuxiliaryData, Parameter};
/// let mut ds = asdf::AsdfFile::open_rw("file.h5")?;
/// let aux = AuxiliaryData {
///     data_type: "CrossCorrelation".into(),
///     path: "XX.A/XX.B".into(),
///     shape: vec![3],
///     data: vec![0.1, 0.5, 0.2],
///     parameters: vec![("max_lag".into(), Parameter::Float(10.0))],
///     provenance_id: None,
/// };
/// ds.add_auxiliary_data(&aux)?;
/// # Ok::<(), asdf::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AuxiliaryData {
    /// The data type, the first group under `AuxiliaryData` (e.g. `AdjointSources`).
    pub data_type: String,
    /// `/`-separated path below the data type (at least one segment).
    pub path: String,
    /// The dataset's shape.
    pub shape: Vec<u64>,
    /// Row-major values.
    pub data: Vec<f64>,
    /// The dataset's attributes but `provenance_id`, in the file's order.
    pub parameters: Vec<(String, Parameter)>,
    /// The provenance record the data came from, if any.
    pub provenance_id: Option<String>,
}

impl AsdfFile {
    /// Data types under `/AuxiliaryData`, sorted.
    pub fn auxiliary_data_types(&self) -> Result<Vec<String>> {
        if !h5::exists(self.h5(), "AuxiliaryData").map_err(|m| self.err("/AuxiliaryData", m))? {
            return Ok(Vec::new());
        }
        let g = h5::group_open(self.h5(), "AuxiliaryData").map_err(|m| self.err("/AuxiliaryData", m))?;
        h5::list(&g).map_err(|m| self.err("/AuxiliaryData", m))
    }

    /// Every dataset path (`data_type/p1/.../pn`) under `/AuxiliaryData`, sorted.
    pub fn auxiliary_paths(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let mut stack: Vec<String> = self.auxiliary_data_types()?;
        while let Some(p) = stack.pop() {
            let obj = format!("AuxiliaryData/{p}");
            match h5::kind_of(self.h5(), &obj).map_err(|m| self.err(&obj, m))? {
                h5::ObjKind::Group => {
                    let g = h5::group_open(self.h5(), &obj).map_err(|m| self.err(&obj, m))?;
                    for c in h5::list(&g).map_err(|m| self.err(&obj, m))? {
                        stack.push(format!("{p}/{c}"));
                    }
                }
                h5::ObjKind::Dataset => out.push(p),
                h5::ObjKind::Other => {}
            }
        }
        out.sort();
        Ok(out)
    }

    /// Reads one auxiliary data set by its full path (`data_type/p1/.../pn`).
    pub fn auxiliary_data(&self, full_path: &str) -> Result<AuxiliaryData> {
        let obj = format!("/AuxiliaryData/{full_path}");
        let ds = h5::dataset_open(self.h5(), &obj).map_err(|m| self.err(&obj, m))?;
        let shape = h5::dataset_shape(&ds).map_err(|m| self.err(&obj, m))?;
        let n: u64 = shape.iter().product();
        let mut buf = vec![0u8; n as usize * 8];
        if n > 0 {
            h5::dataset_read_into(&ds, NumType::native(NumKind::F64), &mut buf).map_err(|m| self.err(&obj, m))?;
        }
        let data = buf.chunks_exact(8).map(|c| f64::from_ne_bytes(c.try_into().expect("8 bytes"))).collect();
        let mut parameters = Vec::new();
        let mut provenance_id = None;
        for a in h5::attr_names(&ds).map_err(|m| self.err(&obj, m))? {
            let v = match h5::attr_read(&ds, &a) {
                Ok(v) => v,
                Err(_) => continue, // arrays and other exotic attributes are not parameters we model
            };
            if a == "provenance_id" {
                if let AttrValue::Str(s) = v {
                    provenance_id = Some(s);
                }
                continue;
            }
            parameters.push((
                a,
                match v {
                    AttrValue::Int(i) => Parameter::Int(i),
                    AttrValue::Float(f) => Parameter::Float(f),
                    AttrValue::Str(s) => Parameter::Str(s),
                },
            ));
        }
        let (data_type, path) = full_path.split_once('/').unwrap_or((full_path, ""));
        Ok(AuxiliaryData { data_type: data_type.into(), path: path.into(), shape, data, parameters, provenance_id })
    }
}
