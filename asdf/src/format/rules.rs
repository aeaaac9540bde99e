//! The naming and compression rules that both the library and `#[station_processor]` apply.
//!
//! This one file is compiled into both crates (`asdf-macros` includes it by path, so that a bad
//! tag or compression in an attribute is refused at compile time by the very rule the library
//! uses at run time). It therefore imports nothing and holds only plain functions.

/// Why `tag` is not a valid waveform tag (pyasdf's `^[a-z_0-9]+$`, not `StationXML`, plus no
/// `__`, which pyasdf accepts but reads back wrong), or `None` for a valid one.
pub fn tag_problem(tag: &str) -> Option<&'static str> {
    if tag.is_empty() {
        Some("a tag cannot be empty")
    } else if tag.trim() != tag {
        Some("a tag cannot start or end with whitespace")
    } else if tag.eq_ignore_ascii_case("stationxml") {
        Some("`StationXML` is reserved for station metadata")
    } else if !tag.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        Some("only lowercase letters, digits and `_` are allowed (pyasdf's ^[a-z_0-9]+$)")
    } else if tag.contains("__") {
        Some("`__` separates the parts of a waveform name; use a single `_`")
    } else {
        None
    }
}

/// What a compression setting may be, for messages.
pub const COMPRESSION_CHOICES: &str = "`none` or `gzip-0` ... `gzip-9` (default `gzip-3`)";

/// A compression setting: `none` is `Some(None)`, `gzip-N` (one digit) is `Some(Some(N))`,
/// anything else `None`.
pub fn parse_compression(s: &str) -> Option<Option<u32>> {
    match s.as_bytes() {
        b"none" => Some(None),
        [b'g', b'z', b'i', b'p', b'-', d @ b'0'..=b'9'] => Some(Some(u32::from(d - b'0'))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_grammar_is_exact() {
        assert_eq!(parse_compression("none"), Some(None));
        assert_eq!(parse_compression("gzip-0"), Some(Some(0)));
        assert_eq!(parse_compression("gzip-9"), Some(Some(9)));
        for bad in ["", "None", "gzip", "gzip-03", "gzip-10", " gzip-3", "GZIP-3", "zstd"] {
            assert_eq!(parse_compression(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn tags() {
        assert_eq!(tag_problem("raw_recording"), None);
        for bad in ["", "Raw", "a__b", "stationxml", "StationXML", " a", "a-b"] {
            assert!(tag_problem(bad).is_some(), "{bad:?}");
        }
    }
}
