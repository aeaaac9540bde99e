//! Errors of the file-format layer.

use std::path::PathBuf;

/// Everything that can go wrong reading or writing an ASDF file. Each variant names the file and,
/// where there is one, the object inside it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The file does not exist.
    #[error("{path}: no such file")]
    NotFound {
        /// The file.
        path: PathBuf,
    },
    /// The file is not HDF5 (or is truncated).
    #[error("{path}: not an HDF5 file (is it an ASDF file at all? a truncated copy?)")]
    NotHdf5 {
        /// The file.
        path: PathBuf,
    },
    /// An HDF5 file that is not ASDF.
    #[error("{path}: not an ASDF file: root attribute `file_format` is {found:?}, expected \"ASDF\"")]
    NotAsdf {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        found: Option<String>,
    },
    /// An ASDF version this library does not know.
    #[error("{path}: unsupported ASDF version {version:?}; this library reads and writes 1.0.0 to 1.0.3")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The ASDF format version.
        version: String,
    },
    /// The file to create exists already.
    #[error("{path}: already exists; refusing to overwrite it (remove it or choose another output name)")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// HDF5 failed on an object.
    #[error("{path}: {object}: {source}")]
    Hdf5 {
        /// The file.
        path: PathBuf,
        /// The object inside the file (an HDF5 path).
        object: String,
        /// The underlying error.
        source: super::h5::H5Error,
    },
    /// A waveform dataset name that does not parse.
    #[error("{path}: /Waveforms/{station}/{name}: malformed waveform name: {reason}")]
    BadName {
        /// The file.
        path: PathBuf,
        /// The station (`NET.STA`).
        station: String,
        /// The dataset name.
        name: String,
        /// Why it was refused.
        reason: String,
    },
    /// A required attribute is missing.
    #[error("{path}: {object}: missing attribute `{attribute}`")]
    MissingAttribute {
        /// The file.
        path: PathBuf,
        /// The object inside the file (an HDF5 path).
        object: String,
        /// The attribute's name.
        attribute: String,
    },
    /// An attribute of the wrong type.
    #[error("{path}: {object}: attribute `{attribute}` has the wrong type ({found})")]
    BadAttribute {
        /// The file.
        path: PathBuf,
        /// The object inside the file (an HDF5 path).
        object: String,
        /// The attribute's name.
        attribute: String,
        /// What was found instead.
        found: String,
    },
    /// A sample type the file's ASDF version does not allow.
    #[error("{path}: {object}: unsupported sample type {dtype}; ASDF {version} allows {allowed}")]
    BadDtype {
        /// The file.
        path: PathBuf,
        /// The object inside the file (an HDF5 path).
        object: String,
        /// The sample type found (numpy name).
        dtype: String,
        /// The ASDF format version.
        version: String,
        /// The sample types this version allows.
        allowed: &'static str,
    },
    /// A station's StationXML does not parse.
    #[error("{path}: /Waveforms/{station}/StationXML: {source}")]
    StationXml {
        /// The file.
        path: PathBuf,
        /// The station (`NET.STA`).
        station: String,
        /// The underlying error.
        source: super::stationxml::StationXmlError,
    },
    /// The file's QuakeML does not parse.
    #[error("{path}: /QuakeML: {message}")]
    QuakeMl {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// No station of that name.
    #[error("{path}: no station {station:?} in the file (stations: {available})")]
    NoSuchStation {
        /// The file.
        path: PathBuf,
        /// The station (`NET.STA`).
        station: String,
        /// What the file has instead, for the message.
        available: String,
    },
    /// The station has no waveforms with that tag.
    #[error("{path}: station {station} has no waveforms with tag {tag:?} (tags: {available})")]
    NoSuchTag {
        /// The file.
        path: PathBuf,
        /// The station (`NET.STA`).
        station: String,
        /// The waveform tag.
        tag: String,
        /// What the file has instead, for the message.
        available: String,
    },
    /// The waveform to add exists already.
    #[error("{path}: /Waveforms/{station}/{name} already exists; pyasdf would silently skip it, we refuse (give the trace another tag, or remove the existing one)")]
    WaveformExists {
        /// The file.
        path: PathBuf,
        /// The station (`NET.STA`).
        station: String,
        /// The dataset name.
        name: String,
    },
    /// A tag that breaks the naming rules.
    #[error("{path}: {source}")]
    InvalidTag {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: super::names::InvalidTag,
    },
    /// Anything else the file holds wrongly.
    #[error("{path}: {object}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The object inside the file (an HDF5 path).
        object: String,
        /// What is wrong.
        message: String,
    },
    /// A change to a file opened read-only.
    #[error("{path}: opened read-only; open it with `AsdfFile::open_rw` to modify it")]
    ReadOnly {
        /// The file.
        path: PathBuf,
    },
    /// A chunk whose Fletcher-32 checksum does not match: the file is corrupt.
    #[error("{path}: {object}: chunk checksum (fletcher32) mismatch: the file is corrupt")]
    Checksum {
        /// The file.
        path: PathBuf,
        /// The object inside the file (an HDF5 path).
        object: String,
    },
}

impl FormatError {
    /// A failed HDF5 operation on `object`; a failed Fletcher-32 check is a [`FormatError::Checksum`].
    pub(crate) fn h5(path: &std::path::Path, object: impl Into<String>, source: super::h5::H5Error) -> Self {
        match source.kind() {
            super::h5::H5ErrorKind::Checksum => FormatError::Checksum { path: path.to_path_buf(), object: object.into() },
            _ => FormatError::Hdf5 { path: path.to_path_buf(), object: object.into(), source },
        }
    }
}

/// Result of the format layer.
pub type Result<T, E = FormatError> = std::result::Result<T, E>;
