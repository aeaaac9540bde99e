//! Names of ASDF objects: waveform dataset names, tags, station groups, provenance names.

use crate::model::time::UtcTime;
use crate::model::trace::Trace;

use super::version::FormatVersion;

/// Why a tag is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid tag {tag:?}: {reason}")]
pub struct InvalidTag {
    /// The tag refused.
    pub tag: String,
    /// Which rule it breaks.
    pub reason: &'static str,
}

/// Checks a waveform tag against pyasdf's rules (lowercase letters, digits and `_`; not
/// `stationxml`) plus one more: no `__`, which pyasdf accepts but reads back wrong.
///
/// ```
/// use asdf::format::validate_tag;
/// assert!(validate_tag("raw_recording").is_ok());
/// assert!(validate_tag("Raw").is_err());
/// assert!(validate_tag("a__b").is_err());
/// ```
pub fn validate_tag(tag: &str) -> Result<(), InvalidTag> {
    match super::rules::tag_problem(tag) {
        Some(reason) => Err(InvalidTag { tag: tag.to_string(), reason }),
        None => Ok(()),
    }
}

/// The parts of a waveform dataset name `NET.STA.LOC.CHA__START__END__tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveformName {
    /// SEED network code.
    pub network: String,
    /// SEED station code.
    pub station: String,
    /// SEED location code (may be empty).
    pub location: String,
    /// SEED channel code.
    pub channel: String,
    /// The start as written in the name (`%Y-%m-%dT%H:%M:%S`, maybe with `.%09d`).
    pub start: String,
    /// The last sample's time as written in the name.
    pub end: String,
    /// The waveform tag.
    pub tag: String,
}

impl WaveformName {
    /// The name pyasdf gives a trace: start and last-sample times to the second, with
    /// nanoseconds appended to both when they are in the same second (format >= 1.0.2).
    pub fn for_trace(tr: &Trace, tag: &str, version: FormatVersion) -> String {
        let s = &tr.stats;
        let start = tr.stats.starttime;
        let end = tr.endtime();
        let (mut a, mut b) = (start.seconds_string(), end.seconds_string());
        if a == b && version >= FormatVersion::V1_0_2 {
            a = format!("{a}.{:09}", start.subsec_ns());
            b = format!("{b}.{:09}", end.subsec_ns());
        }
        format!("{}.{}.{}.{}__{a}__{b}__{tag}", s.network, s.station, s.location, s.channel)
    }

    /// Splits a dataset name the way pyasdf reads it (codes from the dots, the tag after the last
    /// `__`), checking that it has every part.
    pub fn parse(name: &str) -> Result<Self, String> {
        let parts: Vec<&str> = name.split("__").collect();
        if parts.len() < 4 {
            return Err("expected NET.STA.LOC.CHA__START__END__TAG".into());
        }
        let tag = parts[parts.len() - 1];
        let ids: Vec<&str> = parts[0].split('.').collect();
        if ids.len() != 4 {
            return Err(format!("{:?} is not NET.STA.LOC.CHA", parts[0]));
        }
        if tag.is_empty() {
            return Err("empty tag".into());
        }
        Ok(WaveformName {
            network: ids[0].into(),
            station: ids[1].into(),
            location: ids[2].into(),
            channel: ids[3].into(),
            start: parts[1].into(),
            end: parts[parts.len() - 2].into(),
            tag: tag.into(),
        })
    }

    /// The start time the name states (to the second, or ns when given).
    pub fn start_time(&self) -> Option<UtcTime> {
        self.start.parse().ok()
    }

    /// The end time the name states.
    pub fn end_time(&self) -> Option<UtcTime> {
        self.end.parse().ok()
    }

    /// `NET.STA.LOC.CHA`.
    pub fn seed_id(&self) -> String {
        format!("{}.{}.{}.{}", self.network, self.station, self.location, self.channel)
    }
}

/// Whether a station group name has the spec's form `NET.STA` (`^[A-Z0-9]{1,2}\.[A-Z0-9]{1,5}$`).
pub fn is_valid_station_name(name: &str) -> bool {
    let Some((n, s)) = name.split_once('.') else { return false };
    let ok = |x: &str, max: usize| !x.is_empty() && x.len() <= max && x.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    ok(n, 2) && ok(s, 5)
}

/// Whether a provenance document name is valid for `version`.
pub fn is_valid_provenance_name(name: &str, version: FormatVersion) -> bool {
    if version >= FormatVersion::V1_0_3 {
        !name.is_empty() && name.bytes().all(|b| (b' '..=b'~').contains(&b))
    } else {
        let b = name.as_bytes();
        let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_';
        let edge = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        b.len() >= 2 && edge(&b[0]) && edge(&b[b.len() - 1]) && b.iter().all(inner)
    }
}

/// Whether an auxiliary-data path segment (or data type) is valid for `version`.
pub fn is_valid_auxiliary_segment(seg: &str, version: FormatVersion) -> bool {
    if version >= FormatVersion::V1_0_3 {
        const EXTRA: &[u8] = b"-_.!#$%&*+,:;<=>?@^~";
        !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_alphanumeric() || EXTRA.contains(&b))
    } else {
        let b = seg.as_bytes();
        b.len() >= 2
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_pyasdf() {
        let t0: UtcTime = "2012-04-04T14:21:42.3".parse().unwrap();
        let tr = Trace::new("GR.FUR..BHZ", t0, 20.0, vec![0i32; 10]);
        assert_eq!(
            WaveformName::for_trace(&tr, "short", FormatVersion::V1_0_3),
            "GR.FUR..BHZ__2012-04-04T14:21:42.300000000__2012-04-04T14:21:42.750000000__short"
        );
        assert_eq!(
            WaveformName::for_trace(&tr, "short", FormatVersion::V1_0_1),
            "GR.FUR..BHZ__2012-04-04T14:21:42__2012-04-04T14:21:42__short"
        );
        let long = Trace::new("GR.FUR..BHZ", t0, 20.0, vec![0i32; 100]);
        assert_eq!(
            WaveformName::for_trace(&long, "raw", FormatVersion::V1_0_3),
            "GR.FUR..BHZ__2012-04-04T14:21:42__2012-04-04T14:21:47__raw"
        );
        let p = WaveformName::parse("GR.FUR..BHZ__2012-04-04T14:21:42__2012-04-04T14:21:47__raw").unwrap();
        assert_eq!((p.location.as_str(), p.channel.as_str(), p.tag.as_str()), ("", "BHZ", "raw"));
        assert!(WaveformName::parse("GR.FUR.BHZ__a__b__raw").is_err());
        assert!(WaveformName::parse("nonsense").is_err());
    }

    #[test]
    fn validity_rules() {
        assert!(is_valid_station_name("BW.RJOB"));
        assert!(!is_valid_station_name("bw.RJOB"));
        assert!(is_valid_provenance_name("a b", FormatVersion::V1_0_3));
        assert!(!is_valid_provenance_name("a b", FormatVersion::V1_0_2));
        assert!(is_valid_auxiliary_segment("a-b.c", FormatVersion::V1_0_3));
        assert!(!is_valid_auxiliary_segment("a-b", FormatVersion::V1_0_2));
    }
}
