//! Events: the QuakeML document of a file, kept byte-exact, with its resource ids at hand and
//! its events parsed into the model a processing function uses (ObsPy's `Event`, `Origin`,
//! `Magnitude`, with the fields pipelines read).

use super::time::UtcTime;
use super::trace::Trace;

/// One seismic event (ObsPy's `Event`).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event's `publicID` (ObsPy's `resource_id`).
    pub resource_id: String,
    /// `earthquake`, `explosion`, ... as written (ObsPy's `event_type`).
    pub event_type: Option<String>,
    /// Free-text descriptions (e.g. the Flinn-Engdahl region).
    pub descriptions: Vec<String>,
    /// `preferredOriginID`.
    pub preferred_origin_id: Option<String>,
    /// `preferredMagnitudeID`.
    pub preferred_magnitude_id: Option<String>,
    /// The event's origins, in document order.
    pub origins: Vec<Origin>,
    /// The event's magnitudes, in document order.
    pub magnitudes: Vec<Magnitude>,
}

/// Where and when an event happened (ObsPy's `Origin`).
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// The origin's `publicID`.
    pub resource_id: String,
    /// Origin time, to the nanosecond.
    pub time: UtcTime,
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// Depth in metres (QuakeML's unit, as ObsPy's `origin.depth`), if given.
    pub depth: Option<f64>,
}

/// An event's size (ObsPy's `Magnitude`).
#[derive(Debug, Clone, PartialEq)]
pub struct Magnitude {
    /// The magnitude's `publicID`.
    pub resource_id: String,
    /// The value (ObsPy's `mag`).
    pub mag: f64,
    /// `Mw`, `mb`, `ML`, ... as written (ObsPy's `magnitude_type`).
    pub magnitude_type: Option<String>,
    /// The origin it was computed for, if given.
    pub origin_id: Option<String>,
}

impl Event {
    /// The preferred origin (ObsPy's `preferred_origin()`), or, when the event names none that
    /// it has, its first origin (what pipelines do: `ev.preferred_origin() or ev.origins[0]`).
    pub fn origin(&self) -> Option<&Origin> {
        self.preferred_origin().or(self.origins.first())
    }

    /// The origin `preferredOriginID` names, if the event has it.
    pub fn preferred_origin(&self) -> Option<&Origin> {
        let id = self.preferred_origin_id.as_deref()?;
        self.origins.iter().find(|o| o.resource_id == id)
    }

    /// The preferred magnitude, or else the first one.
    pub fn magnitude(&self) -> Option<&Magnitude> {
        self.preferred_magnitude().or(self.magnitudes.first())
    }

    /// The magnitude `preferredMagnitudeID` names, if the event has it.
    pub fn preferred_magnitude(&self) -> Option<&Magnitude> {
        let id = self.preferred_magnitude_id.as_deref()?;
        self.magnitudes.iter().find(|m| m.resource_id == id)
    }
}

/// A QuakeML document. The bytes are kept exactly as read or given; the event, origin, magnitude
/// and focal mechanism ids are extracted for lookups and for tagging waveforms.
///
/// ```
/// use asdf::Events;
/// let q = br#"<?xml version="1.0"?><q:quakeml xmlns:q="http://quakeml.org/xmlns/quakeml/1.2" xmlns="http://quakeml.org/xmlns/bed/1.2">
///   <eventParameters publicID="smi:local/cat"><event publicID="smi:local/event/1">
///     <preferredOriginID>smi:local/origin/1</preferredOriginID>
///     <origin publicID="smi:local/origin/1">
///       <time><value>2011-03-11T05:46:24.120000Z</value></time>
///       <latitude><value>38.297</value></latitude><longitude><value>142.373</value></longitude>
///       <depth><value>29000.0</value></depth>
///     </origin>
///     <magnitude publicID="smi:local/magnitude/1"><mag><value>9.1</value></mag><type>Mw</type></magnitude>
///   </event></eventParameters></q:quakeml>"#;
/// let ev = Events::from_quakeml(q.to_vec()).unwrap();
/// assert_eq!(ev.event_ids(), ["smi:local/event/1"]);
/// let event = &ev.events().unwrap()[0];
/// let origin = event.origin().unwrap();
/// assert_eq!(origin.time.to_string(), "2011-03-11T05:46:24.120000000Z");
/// assert_eq!((origin.latitude, origin.depth), (38.297, Some(29000.0)));
/// assert_eq!(event.magnitude().unwrap().magnitude_type.as_deref(), Some("Mw"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Events {
    bytes: Vec<u8>,
    events: Vec<String>,
    origins: Vec<String>,
    magnitudes: Vec<String>,
    focal_mechanisms: Vec<String>,
    /// The events parsed, or why they could not be (the ids and bytes above stay usable).
    parsed: Result<Vec<Event>, String>,
}

impl Events {
    /// No events (an empty dataset reads as this).
    pub fn empty() -> Self {
        Events { bytes: Vec::new(), events: vec![], origins: vec![], magnitudes: vec![], focal_mechanisms: vec![], parsed: Ok(vec![]) }
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
        let parsed = root.descendants().filter(|n| is(n, "event")).map(parse_event).collect();
        Ok(Events {
            events: ids("event"),
            origins: ids("origin"),
            magnitudes: ids("magnitude"),
            focal_mechanisms: ids("focalMechanism"),
            parsed,
            bytes,
        })
    }

    /// The events, parsed (QuakeML's origins with time, latitude and longitude, magnitudes with
    /// a value). A document whose ids could be read but whose events cannot be parsed gives the
    /// reason, naming the element; its bytes are still carried as they are.
    pub fn events(&self) -> Result<&[Event], String> {
        self.parsed.as_deref().map_err(Clone::clone)
    }

    /// The event with this `publicID`.
    pub fn event(&self, resource_id: &str) -> Option<&Event> {
        self.parsed.as_ref().ok()?.iter().find(|e| e.resource_id == resource_id)
    }

    /// The event a trace belongs to: the first of its `event_id` attributes (pyasdf's
    /// `event_ids`) that names an event of this document.
    pub fn event_of(&self, trace: &Trace) -> Option<&Event> {
        trace.stats.asdf.event_ids.iter().find_map(|id| self.event(id))
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

fn is(n: &roxmltree::Node<'_, '_>, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name
}

/// The direct child element `name` of `n`.
fn child<'a, 'i>(n: &roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| is(c, name))
}

/// The trimmed text of child `name` of `n`.
fn text<'a>(n: &roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    child(n, name).and_then(|c| c.text()).map(str::trim).filter(|t| !t.is_empty())
}

/// The `<value>` of QuakeML quantity `name` (`<latitude><value>38.3</value></latitude>`).
fn value<'a>(n: &roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    child(n, name).and_then(|q| text(&q, "value"))
}

fn number(n: &roxmltree::Node<'_, '_>, name: &str, what: &str) -> Result<Option<f64>, String> {
    match value(n, name) {
        None => Ok(None),
        Some(v) => v.parse::<f64>().map(Some).map_err(|_| format!("{what}: <{name}> {v:?} is not a number")),
    }
}

/// An event type as ObsPy reads it: QuakeML 1.2 RC's `null` is `not reported`, and USGS's
/// `_` are spaces (`quarry_blast` is `quarry blast`). Unlike ObsPy, an event whose type is not in
/// QuakeML's list is kept (ObsPy drops the whole event with a warning).
fn event_type(t: &str) -> String {
    if t == "null" {
        "not reported".into()
    } else {
        t.replace('_', " ")
    }
}

fn parse_event(e: roxmltree::Node<'_, '_>) -> Result<Event, String> {
    let id = e.attribute("publicID").unwrap_or("").to_string();
    let origins = e
        .children()
        .filter(|c| is(c, "origin"))
        .map(|o| {
            let oid = o.attribute("publicID").unwrap_or("").to_string();
            let what = format!("event {id}, origin {oid}");
            let time = value(&o, "time").ok_or_else(|| format!("{what}: no <time>"))?;
            let time = time.parse::<UtcTime>().map_err(|e| format!("{what}: {e}"))?;
            let latitude = number(&o, "latitude", &what)?.ok_or_else(|| format!("{what}: no <latitude>"))?;
            let longitude = number(&o, "longitude", &what)?.ok_or_else(|| format!("{what}: no <longitude>"))?;
            let depth = number(&o, "depth", &what)?;
            Ok(Origin { resource_id: oid, time, latitude, longitude, depth })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let magnitudes = e
        .children()
        .filter(|c| is(c, "magnitude"))
        .map(|m| {
            let mid = m.attribute("publicID").unwrap_or("").to_string();
            let what = format!("event {id}, magnitude {mid}");
            let mag = number(&m, "mag", &what)?.ok_or_else(|| format!("{what}: no <mag>"))?;
            let magnitude_type = text(&m, "type").map(str::to_string);
            let origin_id = text(&m, "originID").map(str::to_string);
            Ok(Magnitude { resource_id: mid, mag, magnitude_type, origin_id })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Event {
        event_type: text(&e, "type").map(event_type),
        descriptions: e.children().filter(|c| is(c, "description")).filter_map(|d| text(&d, "text").map(str::to_string)).collect(),
        preferred_origin_id: text(&e, "preferredOriginID").map(str::to_string),
        preferred_magnitude_id: text(&e, "preferredMagnitudeID").map(str::to_string),
        resource_id: id,
        origins,
        magnitudes,
    })
}
