//! ASDF format versions.

use std::fmt;

/// A supported ASDF format version. New files are written as 1.0.3, as pyasdf does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum FormatVersion {
    /// ASDF 1.0.0.
    V1_0_0,
    /// ASDF 1.0.1 (adds int16 samples).
    V1_0_1,
    /// ASDF 1.0.2 (adds nanoseconds to names of traces shorter than a second).
    V1_0_2,
    /// ASDF 1.0.3 (pyasdf 0.8's default).
    #[default]
    V1_0_3,
}

impl FormatVersion {
    /// Every supported version, oldest first.
    pub const ALL: [FormatVersion; 4] = [Self::V1_0_0, Self::V1_0_1, Self::V1_0_2, Self::V1_0_3];

    /// The version string stored in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1_0_0 => "1.0.0",
            Self::V1_0_1 => "1.0.1",
            Self::V1_0_2 => "1.0.2",
            Self::V1_0_3 => "1.0.3",
        }
    }

    /// Parses a version string.
    ///
    /// ```
    /// use asdf::format::FormatVersion;
    /// assert_eq!(FormatVersion::parse("1.0.2"), Some(FormatVersion::V1_0_2));
    /// assert_eq!(FormatVersion::parse("2.0"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s.trim())
    }

    /// Whether int16 waveforms are allowed (from 1.0.1).
    pub fn allows_i16(self) -> bool {
        self >= Self::V1_0_1
    }
}

impl fmt::Display for FormatVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
