//! The one way this crate parses XML (StationXML, QuakeML, provenance): roxmltree, behind a
//! nesting-depth check.
//!
//! roxmltree descends one Rust stack frame per nested element, so a document of a few hundred
//! thousand nested elements (`<a><a><a>...`) overflows the stack of any thread. Real documents
//! nest about ten deep (StationXML: network, station, channel, response, stage, coefficients,
//! value). A linear scan of the text finds the depth first and refuses anything deeper than
//! [`MAX_DEPTH`]. Document type declarations are refused by roxmltree itself (its default), so
//! entity expansion ("billion laughs") cannot happen.

/// The deepest element nesting accepted.
pub(crate) const MAX_DEPTH: usize = 256;

/// Why a document was not parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum XmlError {
    #[error("elements nested more than {MAX_DEPTH} deep (at byte {at}); a real document nests about ten deep")]
    TooDeep { at: usize },
    #[error("not well-formed XML: {0}")]
    Malformed(String),
}

/// Parses `text` with roxmltree after checking its nesting depth.
pub(crate) fn parse(text: &str) -> Result<roxmltree::Document<'_>, XmlError> {
    check_depth(text.as_bytes())?;
    roxmltree::Document::parse(text).map_err(|e| XmlError::Malformed(e.to_string()))
}

/// Scans the markup as an XML parser does (comments, CDATA sections, processing instructions and
/// quoted attribute values are skipped, so nothing inside them counts) and fails as soon as the
/// open elements are more than [`MAX_DEPTH`] deep. Markup left unterminated ends the scan: the
/// parser stops at the same place with an error.
fn check_depth(b: &[u8]) -> Result<(), XmlError> {
    let find = |from: usize, pat: &[u8]| b.get(from..).and_then(|r| r.windows(pat.len()).position(|w| w == pat)).map(|p| from + p);
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(p) = b.get(i..).and_then(|r| memchr(b'<', r)) {
        let at = i + p;
        let rest = &b[at..];
        let next = if rest.starts_with(b"<!--") {
            find(at + 4, b"-->").map(|e| e + 3)
        } else if rest.starts_with(b"<![CDATA[") {
            find(at + 9, b"]]>").map(|e| e + 3)
        } else if rest.starts_with(b"<?") {
            find(at + 2, b"?>").map(|e| e + 2)
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") {
            // A declaration (refused by the parser anyway) or an end tag.
            if rest[1] == b'/' {
                depth = depth.saturating_sub(1);
            }
            memchr(b'>', &rest[1..]).map(|e| at + 1 + e + 1)
        } else {
            // A start tag: to its '>', outside quoted attribute values.
            let mut quote = None;
            let mut end = None;
            for (k, &c) in rest.iter().enumerate().skip(1) {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, b'"' | b'\'') => quote = Some(c),
                    (None, b'>') => {
                        end = Some(k);
                        break;
                    }
                    _ => {}
                }
            }
            end.map(|k| {
                if rest[k - 1] != b'/' {
                    depth += 1;
                }
                at + k + 1
            })
        };
        if depth > MAX_DEPTH {
            return Err(XmlError::TooDeep { at });
        }
        match next {
            Some(n) => i = n,
            None => break,
        }
    }
    Ok(())
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_nesting_parses_and_deep_nesting_is_refused() {
        let ok = "<?xml version=\"1.0\"?><a x='1>2'><!-- <b><b><b> --><b/><c><![CDATA[<d><d>]]></c></a>";
        assert!(parse(ok).is_ok());
        let depth = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(parse(&depth(MAX_DEPTH)).is_ok());
        assert!(matches!(parse(&depth(MAX_DEPTH + 1)), Err(XmlError::TooDeep { .. })));
        // Far deeper than any stack allows: refused by the scan, before the parser recurses.
        assert!(matches!(parse(&depth(400_000)), Err(XmlError::TooDeep { .. })));
        // End tags hidden in comments or attribute values do not lower the count.
        let hidden = "<a><!--</a>-->".repeat(MAX_DEPTH + 1);
        assert!(matches!(parse(&hidden), Err(XmlError::TooDeep { .. })));
        let quoted = "<a x='</a>'>".repeat(MAX_DEPTH + 1);
        assert!(matches!(parse(&quoted), Err(XmlError::TooDeep { .. })));
    }

    #[test]
    fn entity_declarations_are_refused() {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><l>&b;</l>";
        assert!(matches!(parse(bomb), Err(XmlError::Malformed(_))));
    }
}
