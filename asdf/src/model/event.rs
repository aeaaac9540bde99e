//! Events: the QuakeML document of a file, kept byte-exact, with its resource ids at hand.

/// A QuakeML document. The bytes are kept exactly as read or given; the event, origin, magnitude
/// and focal mechanism ids are extracted for lookups and for tagging waveforms.
///
/// ```
/// use asdf::Events;
/// let q = br#"<?xml version="1.0"?><q:quakeml xmlns:q="http://quakeml.org/xmlns/quakeml/1.2" xmlns="http://quakeml.org/xmlns/bed/1.2">
///   <eventParameters publicID="smi:local/cat"><event publicID="smi:local/event/1">
///     <origin publicID="smi:local/origin/1"/><magnitude publicID="smi:local/magnitude/1"/>
///   </event></eventParameters></q:quakeml>"#;
/// let ev = Events::from_quakeml(q.to_vec()).unwrap();
/// assert_eq!(ev.event_ids(), ["smi:local/event/1"]);
/// assert_eq!(ev.origin_ids(), ["smi:local/origin/1"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Events {
    bytes: Vec<u8>,
    events: Vec<String>,
    origins: Vec<String>,
    magnitudes: Vec<String>,
    focal_mechanisms: Vec<String>,
}

impl Events {
    /// No events (an empty dataset reads as this).
    pub fn empty() -> Self {
        Events { bytes: Vec::new(), events: vec![], origins: vec![], magnitudes: vec![], focal_mechanisms: vec![] }
    }

    /// Parses a QuakeML 1.2 document, keeping its bytes.
    pub fn from_quakeml(bytes: Vec<u8>) -> Result<Self, String> {
        let text = std::str::from_utf8(&bytes).map_err(|e| format!("not UTF-8: {e}"))?;
        let doc = crate::xml::parse(text.trim()).map_err(|e| e.to_string())?;
        let root = doc.root_element();
        if root.tag_name().name() != "quakeml" {
            return Err(format!("root element is <{}>, expected <quakeml>", root.tag_name().name()));
        }
        let ids = |name: &str| -> Vec<String> {
            root.descendants()
                .filter(|n| n.is_element() && n.tag_name().name() == name)
                .filter_map(|n| n.attribute("publicID").map(str::to_string))
                .collect()
        };
        Ok(Events {
            events: ids("event"),
            origins: ids("origin"),
            magnitudes: ids("magnitude"),
            focal_mechanisms: ids("focalMechanism"),
            bytes,
        })
    }

    /// The document as stored.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// `publicID`s of the events, in document order.
    pub fn event_ids(&self) -> &[String] {
        &self.events
    }

    /// `publicID`s of all origins.
    pub fn origin_ids(&self) -> &[String] {
        &self.origins
    }

    /// `publicID`s of all magnitudes.
    pub fn magnitude_ids(&self) -> &[String] {
        &self.magnitudes
    }

    /// `publicID`s of all focal mechanisms.
    pub fn focal_mechanism_ids(&self) -> &[String] {
        &self.focal_mechanisms
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when there is no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// This document with `other`'s `<event>` elements appended (pyasdf's `add_quakeml`).
    /// Refuses an event id that is already present.
    pub fn merged_with(&self, other: &Events) -> Result<Events, String> {
        if let Some(dup) = other.events.iter().find(|e| self.events.contains(e)) {
            return Err(format!("event {dup} is already in the file"));
        }
        if self.bytes.is_empty() {
            return Ok(other.clone());
        }
        let mine = std::str::from_utf8(&self.bytes).map_err(|e| e.to_string())?;
        let theirs = std::str::from_utf8(&other.bytes).map_err(|e| e.to_string())?;
        let doc = crate::xml::parse(theirs.trim()).map_err(|e| e.to_string())?;
        let offset = theirs.len() - theirs.trim_start().len();
        let snippets: Vec<&str> = doc
            .descendants()
            .filter(|n| n.is_element() && n.tag_name().name() == "event")
            .map(|n| {
                let r = n.range();
                &theirs[r.start + offset..r.end + offset]
            })
            .collect();
        let close = mine.rfind("</eventParameters>").ok_or("the file's QuakeML has no </eventParameters>")?;
        let mut out = String::with_capacity(mine.len() + theirs.len());
        out.push_str(&mine[..close]);
        for s in snippets {
            out.push_str(s);
            out.push('\n');
        }
        out.push_str(&mine[close..]);
        Events::from_quakeml(out.into_bytes())
    }
}
