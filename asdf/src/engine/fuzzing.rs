//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`): the journal and the
//! engine's result messages, from arbitrary bytes.

/// Reads `bytes` as a job journal (after the journal's magic, so that records are reached).
///
/// ```
/// asdf::engine::fuzzing::journal(&[1, 0, 0, 0, 0, 0, 0, 0]);
/// ```
pub fn journal(bytes: &[u8]) {
    let path = std::env::temp_dir().join(format!("asdf-fuzz-journal-{}", std::process::id()));
    let mut content = super::journal::MAGIC.to_vec();
    content.extend_from_slice(bytes);
    if std::fs::write(&path, &content).is_ok() {
        if let Ok(records) = super::journal::Journal::records(&path) {
            for r in records {
                let _ = super::wire::decode_placed(&r.payload);
            }
        }
    }
    let _ = std::fs::remove_file(&path);
}

/// Decodes `bytes` as a result message and as journalled chunk places.
///
/// ```
/// asdf::engine::fuzzing::wire(&[1, 0, 0]);
/// ```
pub fn wire(bytes: &[u8]) {
    if let Ok((_, at)) = super::wire::decode_head(bytes) {
        let body = &bytes[at..];
        let _ = super::wire::decode_products(body);
        let _ = super::wire::decode_json(body);
        let _ = super::wire::decode_failure(body);
    }
    let _ = super::wire::decode_products(bytes);
    let _ = super::wire::decode_placed(bytes);
    let _ = super::wire::from_bytes::<Result<Vec<super::Job>, String>>(bytes);
}
