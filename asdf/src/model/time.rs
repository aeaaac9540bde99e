//! Absolute time with nanosecond precision, ObsPy's `UTCDateTime`.

use std::fmt;
use std::ops::{Add, Sub};
use std::str::FromStr;

/// A UTC instant as integer nanoseconds since 1970-01-01T00:00:00 (no leap seconds), like ObsPy's
/// `UTCDateTime._ns`.
///
/// ```
/// use asdf::UtcTime;
/// let t: UtcTime = "2012-04-04T14:21:42.31Z".parse().unwrap();
/// assert_eq!(t.to_string(), "2012-04-04T14:21:42.310000000Z");
/// assert_eq!(t.seconds_string(), "2012-04-04T14:21:42");
/// assert_eq!((t + 1.5).ns() - t.ns(), 1_500_000_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct UtcTime(i64);

const NS: i64 = 1_000_000_000;

impl UtcTime {
    /// From nanoseconds since the epoch.
    pub const fn from_ns(ns: i64) -> Self {
        UtcTime(ns)
    }

    /// From (possibly fractional) seconds since the epoch, rounded to the nearest nanosecond.
    pub fn from_timestamp(seconds: f64) -> Self {
        // `as` saturates out-of-range floats.
        UtcTime((seconds * 1e9).round() as i64)
    }

    /// From a calendar date and time of day (UTC). Nanoseconds in an `i64` span 1677-09-21 to
    /// 2262-04-11; dates outside (StationXML's open-ended `2599-12-31` or `9999-12-31` end dates)
    /// saturate to [`UtcTime::MIN`] / [`UtcTime::MAX`], which still compare as "far future".
    ///
    /// ```
    /// use asdf::UtcTime;
    /// assert_eq!(UtcTime::from_ymd_hms(2599, 12, 31, 23, 59, 59, 0), UtcTime::MAX);
    /// ```
    pub fn from_ymd_hms(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32, nanosecond: u32) -> Self {
        let days = days_from_civil(year, month, day) as i128;
        let seconds = days * 86_400 + (hour as i128 * 3600 + minute as i128 * 60 + second as i128);
        let ns = seconds * NS as i128 + nanosecond as i128;
        UtcTime(ns.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
    }

    /// From a year and a day of the year (1 = 1 January; SEED's and SAC's julian day), as ObsPy's
    /// `UtcTime(year=..., julday=...)`.
    ///
    /// ```
    /// use asdf::UtcTime;
    /// assert_eq!(UtcTime::from_year_day(2000, 60, 0, 0, 0, 0), UtcTime::from_ymd_hms(2000, 2, 29, 0, 0, 0, 0));
    /// ```
    pub fn from_year_day(year: i32, day: u32, hour: u32, minute: u32, second: u32, nanosecond: u32) -> Self {
        // Days count on linearly from 1 January: day 60 of a leap year is 29 February.
        Self::from_ymd_hms(year, 1, day, hour, minute, second, nanosecond)
    }

    /// (year, day of the year from 1).
    ///
    /// ```
    /// use asdf::UtcTime;
    /// assert_eq!(UtcTime::from_ymd_hms(2020, 12, 31, 23, 0, 0, 0).year_day(), (2020, 366));
    /// ```
    pub fn year_day(self) -> (i32, u32) {
        let days = self.0.div_euclid(NS * 86_400);
        let (y, _, _) = civil_from_days(days);
        (y, (days - days_from_civil(y, 1, 1) + 1) as u32)
    }

    /// The latest representable instant (2262-04-11T23:47:16.854775807Z).
    pub const MAX: UtcTime = UtcTime(i64::MAX);
    /// The earliest representable instant (1677-09-21T00:12:43.145224192Z).
    pub const MIN: UtcTime = UtcTime(i64::MIN);

    /// Nanoseconds since the epoch.
    pub const fn ns(self) -> i64 {
        self.0
    }

    /// Seconds since the epoch as a float (ObsPy's `timestamp`).
    pub fn timestamp(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// The value pyasdf stores in the `starttime` attribute: the time passed through a float64
    /// timestamp, `round(ns / 1e9 * 1e9)`. For recent epochs this is a multiple of 256 ns.
    pub fn pyasdf_quantized(self) -> i64 {
        let ts = self.0 as f64 / 1e9;
        (ts * 1e9).round_ties_even() as i64
    }

    /// (year, month, day, hour, minute, second, nanosecond).
    pub fn components(self) -> (i32, u32, u32, u32, u32, u32, u32) {
        let secs = self.0.div_euclid(NS);
        let nanos = self.0.rem_euclid(NS) as u32;
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        (y, m, d, (sod / 3600) as u32, ((sod % 3600) / 60) as u32, (sod % 60) as u32, nanos)
    }

    /// `%Y-%m-%dT%H:%M:%S`, the form used in ASDF waveform names.
    pub fn seconds_string(self) -> String {
        let (y, mo, d, h, mi, s, _) = self.components();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
    }

    /// The nanoseconds within the second.
    pub fn subsec_ns(self) -> u32 {
        self.0.rem_euclid(NS) as u32
    }
}

impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}Z", self.seconds_string(), self.subsec_ns())
    }
}

/// Adds seconds.
impl Add<f64> for UtcTime {
    type Output = UtcTime;
    fn add(self, rhs: f64) -> UtcTime {
        UtcTime(self.0.saturating_add((rhs * 1e9).round() as i64))
    }
}

/// Subtracts seconds.
impl Sub<f64> for UtcTime {
    type Output = UtcTime;
    fn sub(self, rhs: f64) -> UtcTime {
        UtcTime(self.0.saturating_sub((rhs * 1e9).round() as i64))
    }
}

/// The difference in seconds.
impl Sub<UtcTime> for UtcTime {
    type Output = f64;
    fn sub(self, rhs: UtcTime) -> f64 {
        (self.0 as i128 - rhs.0 as i128) as f64 / 1e9
    }
}

/// A time string that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot parse time {0:?}: expected ISO 8601 like 2012-04-04T14:21:42.31Z")]
pub struct TimeParseError(pub String);

impl FromStr for UtcTime {
    type Err = TimeParseError;

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[.fff...]` with an optional `Z` or `+00:00`, as
    /// found in StationXML and QuakeML.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || TimeParseError(s.to_string());
        let t = s.trim();
        let t = t.strip_suffix('Z').or_else(|| t.strip_suffix("+00:00")).unwrap_or(t);
        let (date, time) = match t.split_once(['T', ' ']) {
            Some((d, tm)) => (d, Some(tm)),
            None => (t, None),
        };
        let mut dp = date.split('-');
        let year: i32 = dp.next().ok_or_else(err)?.parse().map_err(|_| err())?;
        let month: u32 = dp.next().ok_or_else(err)?.parse().map_err(|_| err())?;
        let day: u32 = dp.next().ok_or_else(err)?.parse().map_err(|_| err())?;
        if dp.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(err());
        }
        let (mut h, mut mi, mut sec, mut nanos) = (0u32, 0u32, 0u32, 0u32);
        if let Some(tm) = time {
            let mut tp = tm.split(':');
            h = tp.next().ok_or_else(err)?.parse().map_err(|_| err())?;
            mi = tp.next().unwrap_or("0").parse().map_err(|_| err())?;
            let s_part = tp.next().unwrap_or("0");
            let (whole, frac) = s_part.split_once('.').unwrap_or((s_part, ""));
            sec = whole.parse().map_err(|_| err())?;
            if !frac.is_empty() {
                if !frac.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err());
                }
                let digits: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
                nanos = digits.parse().map_err(|_| err())?;
                // Round on the 10th digit, as UTCDateTime does.
                if frac.len() > 9 && frac.as_bytes()[9] >= b'5' {
                    nanos += 1;
                }
            }
            if h > 23 || mi > 59 || sec > 60 {
                return Err(err());
            }
        }
        Ok(UtcTime::from_ymd_hms(year, month, day, h, mi, sec, 0) + (nanos as f64 / 1e9))
    }
}

// Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = y as i64 - if m <= 2 { 1 } else { 0 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + if m <= 2 { 1 } else { 0 }) as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyasdf_quantisation_example() {
        let t: UtcTime = "2012-04-04T14:21:42.31".parse().unwrap();
        assert_eq!(t.ns(), 1_333_549_302_310_000_000);
        assert_eq!(t.pyasdf_quantized(), 1_333_549_302_310_000_128);
        // A fixed point after one round trip.
        assert_eq!(UtcTime::from_ns(t.pyasdf_quantized()).pyasdf_quantized(), 1_333_549_302_310_000_128);
    }

    #[test]
    fn calendar_round_trip() {
        for ns in [0i64, -1, 86_399_999_999_999, 951_782_400_000_000_000, -2_208_988_800_000_000_000] {
            let t = UtcTime::from_ns(ns);
            let back: UtcTime = t.to_string().parse().unwrap();
            assert_eq!(back, t, "{t}");
        }
        assert_eq!(UtcTime::from_ymd_hms(2000, 2, 29, 0, 0, 0, 0).seconds_string(), "2000-02-29T00:00:00");
        for (y, d) in [(1970, 1), (2020, 1), (2020, 366), (2019, 365), (1969, 200), (2000, 60)] {
            assert_eq!(UtcTime::from_year_day(y, d, 12, 0, 0, 0).year_day(), (y, d));
        }
        assert_eq!(UtcTime::from_year_day(2020, 1, 0, 0, 0, 0).ns(), 1_577_836_800_000_000_000);
    }

    #[test]
    fn parses_stationxml_forms() {
        assert_eq!("2010-01-01".parse::<UtcTime>().unwrap(), UtcTime::from_ymd_hms(2010, 1, 1, 0, 0, 0, 0));
        assert_eq!(
            "2010-01-01T00:00:00.000000Z".parse::<UtcTime>().unwrap(),
            UtcTime::from_ymd_hms(2010, 1, 1, 0, 0, 0, 0)
        );
        assert!("2010-13-01".parse::<UtcTime>().is_err());
        assert!("yesterday".parse::<UtcTime>().is_err());
    }
}
