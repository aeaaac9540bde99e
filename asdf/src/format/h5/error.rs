//! The typed error of the HDF5 boundary: what was being done, why it failed (classified from the
//! error codes and reporting functions on HDF5's error stack, never from message text), and the
//! stack itself for the message.

use hdf5::{ExpandedErrorStack, MajorErrorCode, MinorErrorCode};

/// Why an HDF5 operation failed, as far as a caller needs to decide anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum H5ErrorKind {
    /// A chunk failed its Fletcher-32 checksum: the file is corrupt.
    Checksum,
    /// The operating system refused to write (a full disk, a quota, an I/O error).
    Write,
    /// The operating system refused to read (a truncated file, an I/O error).
    Read,
    /// What the file declares cannot be read as asked (wrong rank, type or size for the object);
    /// found by the boundary's own checks before any HDF5 call.
    Shape,
    /// A name with a NUL byte, which HDF5 cannot store.
    Name,
    /// Any other failure HDF5 reported.
    Other,
}

/// A failed HDF5 operation.
///
/// ```
/// use asdf::format::{H5Error, H5ErrorKind};
/// let e = H5Error::shape("reading StationXML", "a 2-D dataset where 1-D bytes are expected");
/// assert_eq!(e.kind(), H5ErrorKind::Shape);
/// assert!(e.to_string().contains("2-D"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct H5Error {
    op: String,
    kind: H5ErrorKind,
    /// HDF5's error stack, innermost frame last (empty for the boundary's own checks).
    stack: Vec<String>,
}

impl H5Error {
    /// The failure of `op` that HDF5 just reported, with its error stack. Call with the HDF5
    /// lock held, right after the failing call (the stack is per thread and the next call
    /// clears it).
    pub(crate) fn from_stack(op: impl Into<String>) -> Self {
        let stack = hdf5::Error::query().ok().and_then(|e| e.stack());
        let kind = stack.as_ref().map_or(H5ErrorKind::Other, classify);
        let frames = stack
            .map(|s| s.iter().map(|f| f.desc().to_string()).filter(|d| !d.is_empty()).collect())
            .unwrap_or_default();
        H5Error { op: op.into(), kind, stack: frames }
    }

    /// An object whose shape, type or size cannot be read as asked (a check of our own, made
    /// before calling HDF5).
    pub fn shape(op: impl Into<String>, why: impl Into<String>) -> Self {
        H5Error { op: op.into(), kind: H5ErrorKind::Shape, stack: vec![why.into()] }
    }

    pub(crate) fn name(name: &str) -> Self {
        H5Error { op: format!("name {name:?}"), kind: H5ErrorKind::Name, stack: vec!["contains a NUL byte, which HDF5 cannot store".into()] }
    }

    /// A write that the write-buffer driver made itself and the operating system refused.
    pub(crate) fn io_write(op: impl Into<String>, e: &std::io::Error) -> Self {
        H5Error { op: op.into(), kind: H5ErrorKind::Write, stack: vec![e.to_string()] }
    }

    /// A read of stored chunks made outside HDF5 (at addresses HDF5 gave) that the operating
    /// system refused or that ran past the end of the file.
    pub(crate) fn io_read(op: impl Into<String>, why: impl std::fmt::Display) -> Self {
        H5Error { op: op.into(), kind: H5ErrorKind::Read, stack: vec![why.to_string()] }
    }

    /// Why it failed.
    pub fn kind(&self) -> H5ErrorKind {
        self.kind
    }

    /// What was being done.
    pub fn op(&self) -> &str {
        &self.op
    }

    /// HDF5's error stack, innermost frame last.
    pub fn stack(&self) -> &[String] {
        &self.stack
    }
}

impl std::fmt::Display for H5Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.op)?;
        for frame in &self.stack {
            write!(f, ": {frame}")?;
        }
        Ok(())
    }
}

impl std::error::Error for H5Error {}

/// The kind of failure an error stack shows, from its codes and reporting functions.
fn classify(stack: &ExpandedErrorStack) -> H5ErrorKind {
    if stack.iter().any(|f| f.func() == "H5Z_filter_fletcher32") {
        return H5ErrorKind::Checksum;
    }
    let low_level = stack.contains_major(MajorErrorCode::Io) || stack.contains_major(MajorErrorCode::File);
    if stack.contains_minor(MinorErrorCode::WriteError) && low_level {
        return H5ErrorKind::Write;
    }
    if stack.contains_minor(MinorErrorCode::ReadError) && low_level {
        return H5ErrorKind::Read;
    }
    H5ErrorKind::Other
}

/// Result of an operation at the HDF5 boundary.
pub(crate) type H5Result<T> = Result<T, H5Error>;
