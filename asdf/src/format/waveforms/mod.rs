//! Waveform datasets: reading them into [`Trace`]s and writing traces as pyasdf does.
//!
//! Writing is split in two so that the expensive part runs anywhere, in parallel: [`encode_trace`]
//! names the dataset, picks the chunk shape and runs shuffle + deflate + fletcher32 on every chunk
//! (no HDF5 call, on any thread or rank); [`AsdfFile::write_encoded`] then creates the dataset and
//! its attributes and stores the ready chunks with direct chunk writes.
//!
//! Reading does the reverse: stored chunks are fetched raw under the HDF5 lock and decoded on all
//! cores; pipelines we cannot decode (LZF, szip) go through HDF5's own read path.

mod encode;
mod read;
mod stored;
mod write;

pub use encode::{encode_trace, EncodedTrace};
#[cfg(feature = "mpi")]
pub(crate) use encode::describe_trace;
pub(crate) use encode::encode_trace_reusing;
pub use read::TraceHeader;
pub(crate) use read::{read_document, read_header, read_trace, read_trace_keeping, Document, StoredDocument};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{AsdfFile, Compression, FormatVersion};
    use crate::model::trace::Samples;
    use crate::testing::{write_sample, SampleOptions};

    #[test]
    fn a_lazily_read_trace_decodes_to_the_samples_and_is_written_with_its_stored_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.h5");
        write_sample(&path, &SampleOptions { stations: 1, seconds: 150.0, ..Default::default() }).unwrap();
        let file = AsdfFile::open(&path).unwrap();
        let sta = file.station("XX.S0000").unwrap();
        let lazy = sta.stream_keeping_chunks("raw_recording").unwrap();
        let eager = sta.stream("raw_recording").unwrap();
        assert_eq!(lazy.len(), 3);
        for (l, e) in lazy.traces.iter().zip(&eager.traces) {
            // Length and type are known before anything is decoded.
            assert!(!l.is_decoded() && l.stored().is_some());
            assert_eq!((l.npts(), l.dtype()), (e.npts(), e.dtype()));
            let (v, c) = (FormatVersion::V1_0_3, Compression::default());
            let fresh = encode_trace(e, "raw_recording", v, c).unwrap();
            let reused = encode_trace_reusing(l.clone(), "raw_recording", v, c).unwrap();
            assert!(!l.is_decoded(), "writing an unchanged trace decodes nothing");
            assert_eq!(reused, fresh);
            assert_eq!(l.data(), e.data());
        }
        // A changed trace is compressed afresh.
        let mut t = lazy.traces[0].clone();
        t.data_mut();
        assert!(t.stored().is_none());
        if let Samples::I32(v) = t.data_mut() {
            v[0] += 1;
        }
        let e = encode_trace_reusing(t.clone(), "raw_recording", FormatVersion::V1_0_3, Compression::default()).unwrap();
        assert_eq!(e, encode_trace(&t, "raw_recording", FormatVersion::V1_0_3, Compression::default()).unwrap());
        assert_ne!(e.chunks[0], encode_trace(&eager.traces[0], "raw_recording", FormatVersion::V1_0_3, Compression::default()).unwrap().chunks[0]);
    }
}
