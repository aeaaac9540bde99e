//! Storing auxiliary arrays: the dataset created with pyasdf's settings, the ready chunks written
//! as they are (one hold of the HDF5 lock per array), then the parameters as attributes.

use super::super::error::{FormatError, Result};
use super::super::file::AsdfFile;
use super::super::h5::{self, NumType};
use super::array::{encode_auxiliary, AuxiliaryArray, AuxiliaryValues, EncodedAuxiliary};
use super::{AuxiliaryData, Parameter};

impl AsdfFile {
    /// Adds an auxiliary data set (float64), as pyasdf's `add_auxiliary_data`. An existing path
    /// is an error.
    pub fn add_auxiliary_data(&mut self, aux: &AuxiliaryData) -> Result<()> {
        let array = AuxiliaryArray {
            data_type: aux.data_type.clone(),
            path: aux.path.clone(),
            shape: aux.shape.clone(),
            values: AuxiliaryValues::F64(aux.data.clone()),
            parameters: aux.parameters.clone(),
            provenance_id: aux.provenance_id.clone(),
        };
        self.add_auxiliary_array(&array)
    }

    /// Adds an auxiliary array of any numeric type, compressed as the file's waveforms are. An
    /// existing path is an error.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// use asdf::format::AuxiliaryArray;
    /// let mut ds = asdf::AsdfFile::create(dir.path().join("a.h5"))?;
    /// ds.add_auxiliary_array(&AuxiliaryArray::new("Counts", "XX_A", vec![3u16, 5, 8]))?;
    /// assert_eq!(ds.auxiliary_data("Counts/XX_A")?.data, [3.0, 5.0, 8.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_auxiliary_array(&mut self, array: &AuxiliaryArray) -> Result<()> {
        let e = encode_auxiliary(array, self.version, self.compression)
            .map_err(|message| FormatError::Invalid { path: self.path.clone(), object: format!("/AuxiliaryData/{}", array.full_path()), message })?;
        self.write_encoded_auxiliary(&e)
    }

    /// Writes one encoded auxiliary array.
    pub fn write_encoded_auxiliary(&mut self, e: &EncodedAuxiliary) -> Result<()> {
        let chunks: Vec<&[u8]> = e.chunks.iter().map(Vec::as_slice).collect();
        self.write_encoded_auxiliary_chunks(e, &chunks).map(drop)
    }

    /// [`write_encoded_auxiliary`](Self::write_encoded_auxiliary) with the chunks held elsewhere.
    /// Returns the file offset of each chunk's bytes.
    pub(crate) fn write_encoded_auxiliary_chunks(&mut self, e: &EncodedAuxiliary, chunks: &[&[u8]]) -> Result<Vec<u64>> {
        self.require_writable()?;
        let rel = format!("AuxiliaryData/{}/{}", e.data_type, e.path);
        let obj = format!("/{rel}");
        if self.collective {
            let message = "auxiliary data cannot be added to a file opened for parallel output".into();
            return Err(FormatError::Invalid { path: self.path.clone(), object: obj, message });
        }
        h5::locked(|| {
            if h5::exists(self.h5(), &rel).unwrap_or(false) {
                return Err(FormatError::Invalid { path: self.path.clone(), object: obj.clone(), message: "already exists".into() });
            }
            let spec = h5::NewDataset {
                name: &rel,
                dtype: NumType { kind: e.kind, big_endian: cfg!(target_endian = "big") },
                shape: &e.shape,
                chunk: &e.chunk,
                pipeline: e.pipeline,
            };
            let ds = h5::dataset_create(self.h5(), &spec).map_err(|m| self.err(&obj, m))?;
            let at = h5::chunks_write(&ds, &e.chunk, chunks.iter().copied()).map_err(|m| self.err(&obj, m))?;
            for (k, v) in &e.parameters {
                match v {
                    Parameter::Int(i) => h5::attr_write_i64(&ds, k, *i),
                    Parameter::Float(f) => h5::attr_write_f64(&ds, k, *f),
                    Parameter::Str(s) => h5::attr_write_vlen_str(&ds, k, s),
                }
                .map_err(|m| self.err(&obj, m))?;
            }
            if let Some(p) = &e.provenance_id {
                h5::attr_write_fixed_str(&ds, "provenance_id", p).map_err(|m| self.err(&obj, m))?;
            }
            Ok(at)
        })
    }
}
