//! One job: read the station's input, call the function (the engine's one place that catches a
//! panic), check what it returned, and encode it for the writer.

use crate::format::{encode_trace_reusing, AsdfFile, EncodedTrace, FormatVersion};
use crate::model::event::Event;
use crate::model::inventory::Inventory;
use crate::model::stream::{wildcard_match, Stream};

use super::context::{JobContext, StationFn};
use super::options::ProcessOptions;
use super::plan::Job;
use super::user_fn::call_user;

/// The result type a processing function may return: `Option<Stream>`, or a `Result` of it
/// with any displayable error.
///
/// ```
/// use asdf::engine::StationOutput;
/// use asdf::Stream;
/// assert_eq!(Some(Stream::default()).into_output(), Ok(Some(Stream::default())));
/// let failed: Result<Option<Stream>, String> = Err("no response".into());
/// assert_eq!(failed.into_output(), Err("no response".to_string()));
/// ```
pub trait StationOutput {
    /// Converts to the engine's form.
    fn into_output(self) -> Result<Option<Stream>, String>;
}

impl StationOutput for Option<Stream> {
    fn into_output(self) -> Result<Option<Stream>, String> {
        Ok(self)
    }
}

impl<E: std::fmt::Display> StationOutput for Result<Option<Stream>, E> {
    fn into_output(self) -> Result<Option<Stream>, String> {
        self.map_err(|e| e.to_string())
    }
}

/// What the function made of one job.
pub(crate) enum Computed {
    /// A stream to write.
    Stream(Stream),
    /// Nothing to write.
    Nothing,
    /// Why the job failed.
    Failed(String),
}

/// Reads one job's input and runs the function on it, catching errors and panics, and checks
/// that what it returned belongs to the job's station. Never panics itself.
pub(crate) fn run_function<F, M>(src: &AsdfFile, job: &Job, events: &[Event], opts: &ProcessOptions, f: &F) -> Computed
where
    F: StationFn<M>,
{
    let read = || -> Result<(Stream, Option<Inventory>), String> {
        let sta = src.station(&job.station).map_err(|e| e.to_string())?;
        let (mut st, stationxml) = sta.job_input(&job.tag).map_err(|e| e.to_string())?;
        if let Some(p) = &opts.channels {
            st.traces.retain(|t| wildcard_match(p, &t.stats.channel));
        }
        let inv = stationxml.map(|b| sta.parse_inventory(&b)).transpose().map_err(|e| e.to_string())?;
        Ok((st, inv))
    };
    let (st, inv) = match read() {
        Ok(x) => x,
        Err(m) => return Computed::Failed(format!("reading input: {m}")),
    };
    if st.is_empty() {
        return Computed::Nothing;
    }
    // The input's stored chunks, to learn afterwards whether any failed to decode (the function
    // then saw an empty trace, and nothing it made of it may be written).
    let inputs: Vec<_> = st.traces.iter().filter_map(|t| t.stored().cloned()).collect();
    // The job's event: the one its traces name, else the file's only one.
    let named = st.traces.iter().flat_map(|t| &t.stats.asdf.event_ids).find_map(|id| events.iter().find(|e| &e.resource_id == id));
    let ctx = JobContext {
        station: &job.station,
        tag: &job.tag,
        events,
        event: named.or(if events.len() == 1 { events.first() } else { None }),
        coordinates: inv.as_ref().and_then(Inventory::coordinates),
    };
    let result = call_user(|| f.call(st, inv, &ctx).into_output());
    if let Some(e) = inputs.iter().find_map(|s| s.damage()) {
        return Computed::Failed(format!("reading input: {e}"));
    }
    match result {
        Ok(Ok(Some(st))) if !st.is_empty() => match st.traces.iter().find(|tr| format!("{}.{}", tr.stats.network, tr.stats.station) != job.station) {
            Some(tr) => Computed::Failed(format!("the function returned trace {} which does not belong to station {}", tr.id(), job.station)),
            None => Computed::Stream(st),
        },
        Ok(Ok(_)) => Computed::Nothing,
        Ok(Err(m)) => Computed::Failed(m),
        Err(panic) => Computed::Failed(panic),
    }
}

/// Compresses a returned stream for the writer, under `out_tag` (on the worker's thread).
pub(crate) fn encode(src: &AsdfFile, st: Stream, out_tag: &str, opts: &ProcessOptions) -> Result<Vec<EncodedTrace>, String> {
    let version = output_version(src);
    st.traces
        .into_iter()
        .map(|tr| encode_trace_reusing(tr, out_tag, version, opts.compression))
        .collect::<Result<_, _>>()
        .map_err(|m| format!("cannot write the returned stream: {m}"))
}

/// The ASDF version of the output: the input's, at least 1.0.3.
pub(crate) fn output_version(src: &AsdfFile) -> FormatVersion {
    src.version().max(FormatVersion::V1_0_3)
}
