//! What the codecs and the HDF5 boundary share: element types and filter pipelines.

/// The element type of a numeric dataset (byte order apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum NumKind {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
}

impl NumKind {
    pub(crate) fn size(self) -> usize {
        match self {
            NumKind::I8 | NumKind::U8 => 1,
            NumKind::I16 | NumKind::U16 => 2,
            NumKind::I32 | NumKind::U32 | NumKind::F32 => 4,
            NumKind::I64 | NumKind::U64 | NumKind::F64 => 8,
        }
    }

    /// numpy-style name, for messages (`i4`, `f8`, ...).
    pub(crate) fn name(self) -> &'static str {
        match self {
            NumKind::I8 => "i1",
            NumKind::I16 => "i2",
            NumKind::I32 => "i4",
            NumKind::I64 => "i8",
            NumKind::U8 => "u1",
            NumKind::U16 => "u2",
            NumKind::U32 => "u4",
            NumKind::U64 => "u8",
            NumKind::F32 => "f4",
            NumKind::F64 => "f8",
        }
    }
}

/// A filter in a dataset's pipeline, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterInfo {
    pub(crate) id: i32,
    pub(crate) params: Vec<u32>,
}

/// HDF5's registered filter identifiers (fixed by the file format).
pub(crate) const FILTER_DEFLATE: i32 = 1;
/// See [`FILTER_DEFLATE`].
pub(crate) const FILTER_SHUFFLE: i32 = 2;
/// See [`FILTER_DEFLATE`].
pub(crate) const FILTER_FLETCHER32: i32 = 3;

/// Which filters a new dataset gets, in h5py's order: shuffle, deflate, fletcher32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Pipeline {
    pub(crate) shuffle: bool,
    pub(crate) deflate: Option<u32>,
    pub(crate) fletcher32: bool,
}
