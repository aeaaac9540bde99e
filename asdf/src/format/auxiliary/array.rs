//! An auxiliary array to write, and the same array made ready for writing (checked, chunked as
//! h5py would, each chunk filtered with the file's pipeline), with no HDF5 call.

use super::super::chunking::guess_chunk;
use super::super::codec::{encode_chunk, map_chunks, NumKind, Pipeline};
use super::super::file::Compression;
use super::super::names::is_valid_auxiliary_segment;
use super::super::version::FormatVersion;
use super::Parameter;

/// The values of an auxiliary array, in any of the numeric types pyasdf's `add_auxiliary_data`
/// takes from NumPy (row-major).
///
/// ```
/// use asdf::format::AuxiliaryValues;
/// let v: AuxiliaryValues = vec![1.5f32, 2.5].into();
/// assert_eq!((v.len(), v.dtype()), (2, "f4"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // one variant per NumPy type, named as Rust names it
pub enum AuxiliaryValues {
    I8(Vec<i8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

macro_rules! values_from {
    ($($t:ty => $v:ident),*) => {$(
        impl From<Vec<$t>> for AuxiliaryValues {
            fn from(v: Vec<$t>) -> Self {
                AuxiliaryValues::$v(v)
            }
        }
    )*};
}
values_from!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16, u32 => U32, u64 => U64, f32 => F32, f64 => F64);

macro_rules! each_values {
    ($self:expr, $v:ident => $e:expr) => {
        match $self {
            AuxiliaryValues::I8($v) => $e,
            AuxiliaryValues::I16($v) => $e,
            AuxiliaryValues::I32($v) => $e,
            AuxiliaryValues::I64($v) => $e,
            AuxiliaryValues::U8($v) => $e,
            AuxiliaryValues::U16($v) => $e,
            AuxiliaryValues::U32($v) => $e,
            AuxiliaryValues::U64($v) => $e,
            AuxiliaryValues::F32($v) => $e,
            AuxiliaryValues::F64($v) => $e,
        }
    };
}

impl AuxiliaryValues {
    /// Number of values.
    pub fn len(&self) -> usize {
        each_values!(self, v => v.len())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// NumPy's name of the type (`f4`, `i8`, `u1`, ...).
    pub fn dtype(&self) -> &'static str {
        self.kind().name()
    }

    pub(crate) fn kind(&self) -> NumKind {
        match self {
            AuxiliaryValues::I8(_) => NumKind::I8,
            AuxiliaryValues::I16(_) => NumKind::I16,
            AuxiliaryValues::I32(_) => NumKind::I32,
            AuxiliaryValues::I64(_) => NumKind::I64,
            AuxiliaryValues::U8(_) => NumKind::U8,
            AuxiliaryValues::U16(_) => NumKind::U16,
            AuxiliaryValues::U32(_) => NumKind::U32,
            AuxiliaryValues::U64(_) => NumKind::U64,
            AuxiliaryValues::F32(_) => NumKind::F32,
            AuxiliaryValues::F64(_) => NumKind::F64,
        }
    }

    /// The values as native-order bytes (no copy).
    fn as_bytes(&self) -> &[u8] {
        each_values!(self, v => zerocopy::IntoBytes::as_bytes(v.as_slice()))
    }
}

/// An array to store under `/AuxiliaryData/{data_type}/{path}`, with its parameters (HDF5
/// attributes): what pyasdf's `add_auxiliary_data(data, data_type, path, parameters)` takes.
///
/// ```
/// use asdf::format::AuxiliaryArray;
/// let windows = AuxiliaryArray::new("Windows", "XX_A_BHZ", vec![10.0, 35.5, 40.0, 61.0])
///     .with_shape(vec![2, 2])
///     .with_parameter("min_period", 10.0)
///     .with_parameter("channel_id", "XX.A..BHZ");
/// assert_eq!(windows.full_path(), "Windows/XX_A_BHZ");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AuxiliaryArray {
    /// The data type, the first group under `AuxiliaryData` (e.g. `AdjointSources`).
    pub data_type: String,
    /// `/`-separated path below the data type (at least one segment).
    pub path: String,
    /// The dataset's shape; its product is the number of values.
    pub shape: Vec<u64>,
    /// The values, row-major.
    pub values: AuxiliaryValues,
    /// The dataset's attributes but `provenance_id`, in order.
    pub parameters: Vec<(String, Parameter)>,
    /// The provenance record the data came from, if any.
    pub provenance_id: Option<String>,
}

impl AuxiliaryArray {
    /// A 1-D array of `values` at `data_type/path`, without parameters.
    pub fn new(data_type: &str, path: &str, values: impl Into<AuxiliaryValues>) -> Self {
        let values = values.into();
        AuxiliaryArray { data_type: data_type.into(), path: path.into(), shape: vec![values.len() as u64], values, parameters: Vec::new(), provenance_id: None }
    }

    /// The same values in another shape (row-major).
    pub fn with_shape(mut self, shape: Vec<u64>) -> Self {
        self.shape = shape;
        self
    }

    /// Adds a parameter (an `f64`, `i64`, or string).
    pub fn with_parameter(mut self, name: &str, value: impl Into<Parameter>) -> Self {
        self.parameters.push((name.into(), value.into()));
        self
    }

    /// `data_type/path`, as [`AsdfFile::auxiliary_paths`](crate::AsdfFile::auxiliary_paths) lists it.
    pub fn full_path(&self) -> String {
        format!("{}/{}", self.data_type, self.path.trim_matches('/'))
    }
}

impl From<f64> for Parameter {
    fn from(x: f64) -> Self {
        Parameter::Float(x)
    }
}

impl From<i64> for Parameter {
    fn from(x: i64) -> Self {
        Parameter::Int(x)
    }
}

impl From<&str> for Parameter {
    fn from(x: &str) -> Self {
        Parameter::Str(x.into())
    }
}

impl From<String> for Parameter {
    fn from(x: String) -> Self {
        Parameter::Str(x)
    }
}

/// An auxiliary array made ready for writing: checked, chunked and with its chunks filtered.
/// Its serde form is the description alone (as [`EncodedTrace`](crate::format::EncodedTrace)'s).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EncodedAuxiliary {
    /// The data type.
    pub data_type: String,
    /// The path below the data type, without leading or trailing `/`.
    pub path: String,
    pub(crate) kind: NumKind,
    pub(crate) shape: Vec<u64>,
    pub(crate) chunk: Vec<u64>,
    pub(crate) pipeline: Pipeline,
    pub(crate) parameters: Vec<(String, Parameter)>,
    pub(crate) provenance_id: Option<String>,
    #[serde(skip)]
    pub(crate) chunks: Vec<Vec<u8>>,
}

impl EncodedAuxiliary {
    /// Bytes held (filtered chunks), for memory accounting.
    pub fn stored_bytes(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }
}

/// Checks `a` against the rules of `version` and compresses it with `compression`'s pipeline
/// (pyasdf compresses auxiliary data as it does waveforms).
///
/// ```
/// use asdf::format::{encode_auxiliary, AuxiliaryArray, Compression, FormatVersion};
/// let a = AuxiliaryArray::new("Misfits", "XX_A", vec![0.5f64; 3]);
/// assert!(encode_auxiliary(&a, FormatVersion::V1_0_3, Compression::default()).is_ok());
/// let bad = AuxiliaryArray::new("Misfits", "", vec![0.5f64; 3]);
/// assert!(encode_auxiliary(&bad, FormatVersion::V1_0_3, Compression::default()).is_err());
/// ```
pub fn encode_auxiliary(a: &AuxiliaryArray, version: FormatVersion, compression: Compression) -> Result<EncodedAuxiliary, String> {
    let path = a.path.trim_matches('/');
    if path.is_empty() {
        return Err("an auxiliary data path needs at least one segment below the data type".into());
    }
    if let Some(bad) = std::iter::once(a.data_type.as_str()).chain(path.split('/')).find(|s| !is_valid_auxiliary_segment(s, version)) {
        return Err(format!("invalid path segment {bad:?} for ASDF {version}"));
    }
    if a.parameters.iter().any(|(k, _)| k == "provenance_id") {
        return Err("pass the provenance id as `provenance_id`, not as a parameter".into());
    }
    let count = a.shape.iter().try_fold(1u64, |n, &d| n.checked_mul(d));
    if a.shape.is_empty() || count != Some(a.values.len() as u64) {
        return Err(format!("shape {:?} does not hold {} values", a.shape, a.values.len()));
    }
    let kind = a.values.kind();
    let chunk = guess_chunk(&a.shape, kind.size());
    let pipeline = compression.pipeline();
    let (raw, elem) = (a.values.as_bytes(), kind.size());
    let chunks = if let ([_], [c]) = (a.shape.as_slice(), chunk.as_slice()) {
        // 1-D, as a trace: the full chunks straight from the values, the last one padded.
        let size = *c as usize * elem;
        map_chunks(raw, size.max(1), |piece| if piece.len() == size { encode_chunk(piece, elem, pipeline) } else { encode_chunk(&padded(piece, size), elem, pipeline) })
    } else {
        chunk_cells(&a.shape, &chunk).map(|cell| encode_chunk(&gather_chunk(raw, &a.shape, &chunk, &cell, elem), elem, pipeline)).collect()
    };
    Ok(EncodedAuxiliary {
        data_type: a.data_type.clone(),
        path: path.to_string(),
        kind,
        shape: a.shape.clone(),
        chunk,
        pipeline,
        parameters: a.parameters.clone(),
        provenance_id: a.provenance_id.clone(),
        chunks,
    })
}

/// The chunk grid's cells (chunk coordinates, in chunks), row-major: the order in which
/// [`encode_auxiliary`] makes chunks and the writer stores them.
pub(crate) fn chunk_cells(shape: &[u64], chunk: &[u64]) -> impl Iterator<Item = Vec<u64>> {
    let grid: Vec<u64> = shape.iter().zip(chunk).map(|(&n, &c)| n.div_ceil(c.max(1))).collect();
    let total: u64 = grid.iter().product();
    (0..total).map(move |mut i| {
        let mut cell = vec![0; grid.len()];
        for d in (0..grid.len()).rev() {
            cell[d] = i % grid[d];
            i /= grid[d];
        }
        cell
    })
}

/// `piece` padded with zeros to `size` bytes (HDF5 stores edge chunks whole).
fn padded(piece: &[u8], size: usize) -> Vec<u8> {
    let mut full = piece.to_vec();
    full.resize(size, 0);
    full
}

/// One full-size chunk's raw bytes, cut from the row-major array `raw` (`elem`-byte values);
/// the parts past the array's edge are zeros (HDF5 stores edge chunks whole and never reads them).
fn gather_chunk(raw: &[u8], shape: &[u64], chunk: &[u64], cell: &[u64], elem: usize) -> Vec<u8> {
    let rank = shape.len();
    let chunk_len: usize = chunk.iter().product::<u64>() as usize;
    let mut out = vec![0u8; chunk_len * elem];
    let last = rank - 1;
    let origin: Vec<u64> = cell.iter().zip(chunk).map(|(c, k)| c * k).collect();
    // The run of values along the last dimension that lies inside the array.
    let run = chunk[last].min(shape[last] - origin[last]) as usize;
    // Every row of the chunk: its position within the chunk over the leading dimensions.
    let rows: u64 = chunk[..last].iter().product();
    'rows: for r in 0..rows {
        let (mut rem, mut src, mut dst) = (r, 0u64, 0u64);
        let (mut src_stride, mut dst_stride) = (shape[last], chunk[last]);
        for d in (0..last).rev() {
            let i = rem % chunk[d];
            rem /= chunk[d];
            let at = origin[d] + i;
            if at >= shape[d] {
                continue 'rows;
            }
            src += at * src_stride;
            dst += i * dst_stride;
            src_stride *= shape[d];
            dst_stride *= chunk[d];
        }
        let (s, t) = ((src + origin[last]) as usize * elem, dst as usize * elem);
        out[t..t + run * elem].copy_from_slice(&raw[s..s + run * elem]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_of_a_2d_array_are_cut_row_major_with_zero_edges() {
        // 3 x 5 array of u8, chunks of 2 x 2: a 2 x 3 grid.
        let raw: Vec<u8> = (1..=15).collect();
        let (shape, chunk) = ([3, 5], [2, 2]);
        let cells: Vec<Vec<u64>> = chunk_cells(&shape, &chunk).collect();
        assert_eq!(cells.len(), 6);
        assert_eq!(cells[4], [1, 1]);
        assert_eq!(gather_chunk(&raw, &shape, &chunk, &[0, 0], 1), [1, 2, 6, 7]);
        assert_eq!(gather_chunk(&raw, &shape, &chunk, &[0, 2], 1), [5, 0, 10, 0]);
        assert_eq!(gather_chunk(&raw, &shape, &chunk, &[1, 1], 1), [13, 14, 0, 0]);
        assert_eq!(gather_chunk(&raw, &shape, &chunk, &[1, 2], 1), [15, 0, 0, 0]);
    }

    #[test]
    fn a_1d_array_is_cut_like_a_trace() {
        let raw: Vec<u8> = (0..10).collect();
        assert_eq!(gather_chunk(&raw, &[10], &[4], &[2], 1), [8, 9, 0, 0]);
        assert_eq!(chunk_cells(&[10], &[4]).count(), 3);
        assert_eq!(chunk_cells(&[0], &[1024]).count(), 0);
    }

    #[test]
    fn bad_arrays_are_refused_with_the_reason() {
        let enc = |a: &AuxiliaryArray| encode_auxiliary(a, FormatVersion::V1_0_3, Compression::default());
        let a = AuxiliaryArray::new("Misfits", "XX_A", vec![1i32; 6]);
        assert!(enc(&a.clone().with_shape(vec![4, 2])).unwrap_err().contains("does not hold 6 values"));
        assert!(enc(&a.clone().with_shape(vec![])).is_err());
        assert!(enc(&a.clone().with_parameter("provenance_id", "x")).unwrap_err().contains("provenance"));
        assert!(enc(&AuxiliaryArray { path: "a/b c".into(), ..a.clone() }).unwrap_err().contains("\"b c\""));
        let ok = enc(&a.with_shape(vec![2, 3])).unwrap();
        assert_eq!((ok.shape.as_slice(), ok.chunk.as_slice(), ok.chunks.len()), (&[2, 3][..], &[2, 3][..], 1));
    }
}
