//! Errors of the file-format layer.

use std::path::PathBuf;

/// Everything that can go wrong reading or writing an ASDF file. Each variant names the file and,
/// where there is one, the object inside it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    #[error("{path}: no such file")]
    NotFound { path: PathBuf },
    #[error("{path}: not an HDF5 file (is it an ASDF file at all? a truncated copy?)")]
    NotHdf5 { path: PathBuf },
    #[error("{path}: not an ASDF file: root attribute `file_format` is {found:?}, expected \"ASDF\"")]
    NotAsdf { path: PathBuf, found: Option<String> },
    #[error("{path}: unsupported ASDF version {version:?}; this library reads and writes 1.0.0 to 1.0.3")]
    UnsupportedVersion { path: PathBuf, version: String },
    #[error("{path}: already exists; refusing to overwrite it (remove it or choose another output name)")]
    Exists { path: PathBuf },
    #[error("{path}: {object}: {source}")]
    Hdf5 { path: PathBuf, object: String, source: super::h5::H5Error },
    #[error("{path}: /Waveforms/{station}/{name}: malformed waveform name: {reason}")]
    BadName { path: PathBuf, station: String, name: String, reason: String },
    #[error("{path}: {object}: missing attribute `{attribute}`")]
    MissingAttribute { path: PathBuf, object: String, attribute: String },
    #[error("{path}: {object}: attribute `{attribute}` has the wrong type ({found})")]
    BadAttribute { path: PathBuf, object: String, attribute: String, found: String },
    #[error("{path}: {object}: unsupported sample type {dtype}; ASDF {version} allows {allowed}")]
    BadDtype { path: PathBuf, object: String, dtype: String, version: String, allowed: &'static str },
    #[error("{path}: /Waveforms/{station}/StationXML: {source}")]
    StationXml { path: PathBuf, station: String, source: super::stationxml::StationXmlError },
    #[error("{path}: /QuakeML: {message}")]
    QuakeMl { path: PathBuf, message: String },
    #[error("{path}: no station {station:?} in the file (stations: {available})")]
    NoSuchStation { path: PathBuf, station: String, available: String },
    #[error("{path}: station {station} has no waveforms with tag {tag:?} (tags: {available})")]
    NoSuchTag { path: PathBuf, station: String, tag: String, available: String },
    #[error("{path}: /Waveforms/{station}/{name} already exists; pyasdf would silently skip it, we refuse (give the trace another tag, or remove the existing one)")]
    WaveformExists { path: PathBuf, station: String, name: String },
    #[error("{path}: {source}")]
    InvalidTag { path: PathBuf, source: super::names::InvalidTag },
    #[error("{path}: {object}: {message}")]
    Invalid { path: PathBuf, object: String, message: String },
    #[error("{path}: opened read-only; open it with `AsdfFile::open_rw` to modify it")]
    ReadOnly { path: PathBuf },
    #[error("{path}: {object}: chunk checksum (fletcher32) mismatch: the file is corrupt")]
    Checksum { path: PathBuf, object: String },
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
