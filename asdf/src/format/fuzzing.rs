//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`): each takes arbitrary bytes
//! to a boundary of the format layer and must return, whatever the bytes, without a panic.

use std::sync::OnceLock;

use crate::signal::response::{evaluate, Quantity};

use super::h5::{FilterInfo, FILTER_DEFLATE, FILTER_FLETCHER32, FILTER_SHUFFLE};

/// Parses `data` as StationXML, evaluates every channel's response at a few frequencies (as
/// `remove_response` does), and parses it as QuakeML.
///
/// ```
/// asdf::format::fuzzing::xml_documents(b"<FDSNStationXML/>");
/// ```
pub fn xml_documents(data: &[u8]) {
    if let Ok(inv) = crate::Inventory::from_stationxml(data) {
        for cha in inv.networks.iter().flat_map(|n| &n.stations).flat_map(|s| &s.channels) {
            if let Some(resp) = &cha.response {
                let freqs = [0.0, 0.01, 1.0, 10.0, cha.sample_rate.unwrap_or(100.0) / 2.0];
                for q in [Quantity::Displacement, Quantity::Velocity, Quantity::Default] {
                    let _ = evaluate(resp, &freqs, q);
                }
            }
        }
    }
    let _ = crate::Events::from_quakeml(data.to_vec());
}

/// Waveform names, tags and station names from any text.
///
/// ```
/// asdf::format::fuzzing::names(b"XX.A..HHZ__2020-01-01T00:00:00__2020-01-01T00:01:00__raw");
/// ```
pub fn names(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(name) = super::WaveformName::parse(&text) {
        let _ = super::validate_tag(&name.tag);
    }
    let _ = super::validate_tag(&text);
    let _ = super::is_valid_station_name(&text);
    for version in [super::FormatVersion::V1_0_0, super::FormatVersion::V1_0_3] {
        let _ = super::is_valid_provenance_name(&text, version);
        let _ = super::is_valid_auxiliary_segment(&text, version);
    }
}

/// Encodes `data` as a chunk with every pipeline we write (element size and level from the first
/// byte) and checks that decoding gives it back: a failure panics, which the fuzzer reports. The
/// deflate streams are decoded by libdeflate, an implementation independent of our encoder, so
/// this also checks that they are ordinary zlib streams.
///
/// ```
/// asdf::format::fuzzing::codec_round_trip(&[3, 1, 2, 3, 4, 5, 6, 7, 8]);
/// ```
pub fn codec_round_trip(data: &[u8]) {
    let Some((&head, raw)) = data.split_first() else { return };
    let elem = 1usize << (head & 3);
    let raw = &raw[..raw.len() - raw.len() % elem];
    let level = u32::from(head >> 2) % 10;
    for p in [
        super::Compression::Gzip(level).pipeline(),
        super::Compression::None.pipeline(),
        super::h5::Pipeline { shuffle: false, deflate: Some(level), fletcher32: false },
    ] {
        let encoded = super::codec::encode_chunk(raw, elem, p);
        let filter = |id| FilterInfo { id, params: vec![] };
        let filters: Vec<FilterInfo> = [(p.shuffle, FILTER_SHUFFLE), (p.deflate.is_some(), FILTER_DEFLATE), (p.fletcher32, FILTER_FLETCHER32)]
            .into_iter()
            .filter_map(|(on, id)| on.then(|| filter(id)))
            .collect();
        let decoded = super::codec::decode_chunk(encoded, &filters, 0, elem, raw.len());
        assert_eq!(decoded.as_deref(), Ok(raw), "pipeline {p:?}, element size {elem}");
    }
}

/// Decodes `stored` as one chunk. `shape` picks the pipeline (bits 0-1: shuffle+deflate+
/// fletcher32, deflate+fletcher32, shuffle+deflate, deflate), the element size (bits 2-3: 1, 2,
/// 4 or 8 bytes) and the chunk's claimed length (bits 4-7: 1 to 2^15 elements, or absurd).
///
/// ```
/// asdf::format::fuzzing::decode_chunk(b"\x78\x9c\x03\x00\x00\x00\x00\x01", 0);
/// ```
pub fn decode_chunk(stored: &[u8], shape: u8) {
    let filter = |id| FilterInfo { id, params: vec![] };
    let filters: Vec<FilterInfo> = match shape & 3 {
        0 => vec![filter(FILTER_SHUFFLE), filter(FILTER_DEFLATE), filter(FILTER_FLETCHER32)],
        1 => vec![filter(FILTER_DEFLATE), filter(FILTER_FLETCHER32)],
        2 => vec![filter(FILTER_SHUFFLE), filter(FILTER_DEFLATE)],
        _ => vec![filter(FILTER_DEFLATE)],
    };
    let elem = 1usize << ((shape >> 2) & 3);
    let npts = match shape >> 4 {
        15 => usize::MAX / elem,
        k => 1usize << k,
    };
    let raw_len = npts.saturating_mul(elem);
    let _ = super::codec::decode_chunk(stored.to_vec(), &filters, 0, elem, raw_len);
    if raw_len <= 1 << 20 {
        let mut out = vec![0u8; raw_len];
        let _ = super::codec::decode_chunk_into(stored, &filters, 0, elem, &mut out);
    }
}

/// Writes a small valid sample file once, then for each call a copy with `patch` applied
/// (pairs of a 2-byte little-endian offset into the file, scaled to its length, and 4 bytes
/// written there), and opens and walks the copy as the tools and the engine do.
///
/// ```no_run
/// asdf::format::fuzzing::damaged_file(&[0, 1, 0xff, 0xff, 0xff, 0xff]);
/// ```
pub fn damaged_file(patch: &[u8]) {
    static SEED: OnceLock<(tempfile_dir::Dir, Vec<u8>)> = OnceLock::new();
    let (dir, seed) = SEED.get_or_init(|| {
        let dir = tempfile_dir::Dir::new();
        let path = dir.0.join("seed.h5");
        let opts = crate::testing::SampleOptions { stations: 2, seconds: 5.0, ..Default::default() };
        crate::testing::write_sample(&path, &opts).expect("the sample file");
        let bytes = std::fs::read(&path).expect("the sample file");
        (dir, bytes)
    });
    let mut bytes = seed.clone();
    for p in patch.chunks_exact(6) {
        let at = u16::from_le_bytes([p[0], p[1]]) as usize * bytes.len() / 65536;
        let end = (at + 4).min(bytes.len());
        bytes[at..end].copy_from_slice(&p[2..2 + end - at]);
    }
    let path = dir.0.join("damaged.h5");
    if std::fs::write(&path, &bytes).is_err() {
        return;
    }
    let _ = super::validate(&path);
    let Ok(file) = super::AsdfFile::open(&path) else { return };
    let _ = file.events();
    let _ = file.waveform_tags();
    for name in file.station_names().unwrap_or_default() {
        let Ok(sta) = file.station(&name) else { continue };
        let _ = sta.inventory();
        for tag in sta.tags().unwrap_or_default() {
            if let Ok(st) = sta.stream_keeping_chunks(&tag) {
                for tr in &st.traces {
                    let _ = tr.try_data();
                }
            }
            let _ = sta.stream(&tag);
        }
    }
}

/// A temporary directory removed on drop (the fuzz targets have no dev-dependencies).
mod tempfile_dir {
    pub struct Dir(pub std::path::PathBuf);

    impl Dir {
        pub fn new() -> Self {
            let p = std::env::temp_dir().join(format!("asdf-fuzz-{}", std::process::id()));
            let _ = std::fs::create_dir_all(&p);
            Dir(p)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
