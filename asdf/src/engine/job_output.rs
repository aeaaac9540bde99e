//! What a multi-input job's function returns, and how it is checked and encoded for the writer.

use crate::format::{encode_auxiliary, encode_trace_reusing, AdjointSource, AuxiliaryArray, Compression, FormatVersion};
use crate::model::stream::Stream;

use super::products::Products;

/// The output of one station in a multi-input job ([`combine`](super::combine)): any of
/// waveforms to write under a tag, auxiliary arrays (any numeric type, path and parameters, as
/// pyasdf's `add_auxiliary_data`), adjoint sources as SPECFEM reads them, and a record gathered
/// with every station's into the run's JSON (as `compare` does).
///
/// ```
/// use asdf::engine::JobOutput;
/// use asdf::format::AuxiliaryArray;
/// use asdf::Stream;
///
/// let out = JobOutput::new()
///     .with_waveforms("windowed", Stream::default())
///     .with_auxiliary(AuxiliaryArray::new("Misfits", "XX_A", vec![0.25f64]))
///     .with_record(&serde_json::json!({ "misfit": 0.25 }));
/// assert!(!out.is_empty());
/// assert!(JobOutput::new().is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobOutput {
    waveforms: Vec<(String, Stream)>,
    auxiliary: Vec<AuxiliaryArray>,
    adjoint_sources: Vec<AdjointSource>,
    record: Option<Result<serde_json::Value, String>>,
}

impl JobOutput {
    /// Nothing to write yet.
    pub fn new() -> Self {
        JobOutput::default()
    }

    /// Writes `stream`'s traces under `tag` (the traces must belong to the job's station).
    pub fn with_waveforms(mut self, tag: &str, stream: Stream) -> Self {
        self.waveforms.push((tag.to_string(), stream));
        self
    }

    /// Writes an auxiliary array.
    pub fn with_auxiliary(mut self, array: AuxiliaryArray) -> Self {
        self.auxiliary.push(array);
        self
    }

    /// Writes adjoint sources under `AuxiliaryData/AdjointSources` as SPECFEM reads them (see
    /// [`AdjointSource::to_arrays`]; missing components as zeros). They must belong to the
    /// job's station.
    pub fn with_adjoint_sources(mut self, sources: Vec<AdjointSource>) -> Self {
        self.adjoint_sources.extend(sources);
        self
    }

    /// The station's record in the run's JSON (replacing an earlier one). A value that does not
    /// serialise to JSON fails the job, saying why.
    pub fn with_record<T: serde::Serialize + ?Sized>(mut self, record: &T) -> Self {
        self.record = Some(serde_json::to_value(record).map_err(|e| format!("the record does not serialise to JSON: {e}")));
        self
    }

    /// The waveforms to write, with their tags.
    pub fn waveforms(&self) -> &[(String, Stream)] {
        &self.waveforms
    }

    /// The auxiliary arrays to write (adjoint sources apart).
    pub fn auxiliary(&self) -> &[AuxiliaryArray] {
        &self.auxiliary
    }

    /// The adjoint sources to write.
    pub fn adjoint_sources(&self) -> &[AdjointSource] {
        &self.adjoint_sources
    }

    /// The record, if one was given and it serialised.
    pub fn record(&self) -> Option<&serde_json::Value> {
        self.record.as_ref().and_then(|r| r.as_ref().ok())
    }

    /// Whether there is nothing to write (then the job counts as empty).
    pub fn is_empty(&self) -> bool {
        self.waveforms.iter().all(|(_, st)| st.is_empty()) && self.auxiliary.is_empty() && self.adjoint_sources.is_empty() && self.record.is_none()
    }

    /// Checks that everything belongs to `station` (`NET.STA`) and compresses it (on the
    /// worker's thread).
    pub(crate) fn encode(self, station: &str, version: FormatVersion, compression: Compression) -> Result<Products, String> {
        let mut products = Products::default();
        for (tag, st) in self.waveforms {
            for tr in st.traces {
                if format!("{}.{}", tr.stats.network, tr.stats.station) != station {
                    return Err(format!("the function returned trace {} which does not belong to station {station}", tr.id()));
                }
                products.traces.push(encode_trace_reusing(tr, &tag, version, compression).map_err(|m| format!("cannot write the returned waveforms: {m}"))?);
            }
        }
        if let Some(a) = self.adjoint_sources.iter().find(|a| format!("{}.{}", a.network, a.station) != station) {
            return Err(format!("the function returned adjoint source {} which does not belong to station {station}", a.dataset_name()));
        }
        let mut arrays = if self.adjoint_sources.is_empty() { Vec::new() } else { AdjointSource::to_arrays(&self.adjoint_sources)? };
        arrays.extend(self.auxiliary);
        for a in &arrays {
            let e = encode_auxiliary(a, version, compression).map_err(|m| format!("cannot write auxiliary data {}: {m}", a.full_path()))?;
            products.auxiliary.push(e);
        }
        if let Some(record) = self.record {
            products.record = Some(serde_json::to_vec(&record?).map_err(|e| format!("the record does not serialise to JSON: {e}"))?);
        }
        Ok(products)
    }
}

/// What a multi-input function may return: a [`JobOutput`], an `Option` of one (`None`:
/// nothing for this station), or a `Result` of either with any displayable error.
///
/// ```
/// use asdf::engine::{IntoJobOutput, JobOutput};
/// assert_eq!(JobOutput::new().into_job_output(), Ok(Some(JobOutput::new())));
/// let failed: Result<Option<JobOutput>, String> = Err("no synthetics".into());
/// assert_eq!(failed.into_job_output(), Err("no synthetics".to_string()));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a multi-input station function",
    note = "return `JobOutput`, `Option<JobOutput>`, or a `Result` of either with an error that implements `Display`"
)]
pub trait IntoJobOutput {
    /// Converts to the engine's form.
    fn into_job_output(self) -> Result<Option<JobOutput>, String>;
}

impl IntoJobOutput for JobOutput {
    fn into_job_output(self) -> Result<Option<JobOutput>, String> {
        Ok(Some(self))
    }
}

impl IntoJobOutput for Option<JobOutput> {
    fn into_job_output(self) -> Result<Option<JobOutput>, String> {
        Ok(self)
    }
}

impl<E: std::fmt::Display> IntoJobOutput for Result<JobOutput, E> {
    fn into_job_output(self) -> Result<Option<JobOutput>, String> {
        self.map(Some).map_err(|e| e.to_string())
    }
}

impl<E: std::fmt::Display> IntoJobOutput for Result<Option<JobOutput>, E> {
    fn into_job_output(self) -> Result<Option<JobOutput>, String> {
        self.map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Trace, UtcTime};

    fn encode(out: JobOutput) -> Result<Products, String> {
        out.encode("XX.A", FormatVersion::V1_0_3, Compression::default())
    }

    #[test]
    fn everything_is_encoded_and_must_belong_to_the_station() {
        let tr = Trace::new("XX.A..BHZ", UtcTime::from_ns(0), 20.0, vec![1.0f64; 100]);
        let z = AdjointSource::new("XX", "A", 'Z', 0.05, UtcTime::from_ns(0), vec![0.5; 100]);
        let p = encode(JobOutput::new().with_waveforms("windowed", Stream::from_iter([tr.clone()])).with_adjoint_sources(vec![z.clone()]).with_record(&[1, 2])).unwrap();
        assert_eq!(p.traces.len(), 1);
        assert_eq!(p.auxiliary.iter().map(|a| a.path.as_str()).collect::<Vec<_>>(), ["XX_A_BXZ", "XX_A_BXN", "XX_A_BXE"]);
        assert_eq!(p.record.as_deref(), Some(&b"[1,2]"[..]));

        let other = Trace::new("XX.B..BHZ", UtcTime::from_ns(0), 20.0, vec![1.0f64; 100]);
        assert!(encode(JobOutput::new().with_waveforms("w", Stream::from_iter([other]))).unwrap_err().contains("XX.B..BHZ"));
        let elsewhere = AdjointSource { station: "B".into(), ..z };
        assert!(encode(JobOutput::new().with_adjoint_sources(vec![elsewhere])).unwrap_err().contains("XX_B_BXZ"));
        assert!(encode(JobOutput::new().with_waveforms("bad tag", Stream::from_iter([tr]))).unwrap_err().contains("cannot write"));
        let map: std::collections::HashMap<(i32, i32), i32> = [((1, 2), 3)].into();
        assert!(encode(JobOutput::new().with_record(&map)).unwrap_err().contains("JSON"));
    }
}
