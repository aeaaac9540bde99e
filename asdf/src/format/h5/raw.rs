//! Every call into the HDF5 C library that this crate makes (but the write-buffer driver's, in
//! [`super::vfd`]), each behind a safe function that checks what HDF5 needs before the call.
//!
//! pyasdf compatibility depends on details the high-level `hdf5` crate does not expose (fixed-length
//! NUL-padded string attributes of run-time length, direct chunk I/O, the filter pipeline of an
//! existing dataset), so this module speaks to `hdf5-sys` directly. Every call goes through
//! [`hdf5::sync::sync`], the crate-wide lock that serialises libhdf5 (Debian's build is not
//! thread-safe). Handles are reference counted RAII values ([`Hid`]).
//!
//! The rules every function here keeps, so that nothing a file declares can make HDF5 write
//! outside a buffer of ours:
//! - a read or write into a Rust buffer first checks the buffer's length against the number of
//!   elements HDF5 will transfer (the dataset's extent or the selection) times the element size;
//! - coordinates passed as pointers have exactly the dataset's rank;
//! - sizes a file declares (string attributes, chunks) are checked against the file's own size
//!   before anything is allocated for them;
//! - every return code is checked; a failure is an [`H5Error`] carrying HDF5's error stack.

use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr;

use hdf5_sys::h5::{herr_t, hsize_t, H5_index_t, H5_iter_order_t};
use hdf5_sys::h5a::*;
use hdf5_sys::h5d::*;
use hdf5_sys::h5f::*;
use hdf5_sys::h5g::*;
use hdf5_sys::h5i::{hid_t, H5I_type_t, H5Idec_ref, H5Iget_type};
use hdf5_sys::h5l::H5Lexists;
use hdf5_sys::h5o::{H5Ocopy, H5Oopen};
use hdf5_sys::h5p::*;
use hdf5_sys::h5s::*;
use hdf5_sys::h5t::*;

use super::error::{H5Error, H5Result};
pub(crate) use crate::format::codec::{FilterInfo, NumKind, Pipeline, FILTER_DEFLATE, FILTER_FLETCHER32, FILTER_SHUFFLE};
use crate::format::codec::MAX_INFLATION;

/// Runs `f` under the global HDF5 lock.
pub(crate) fn locked<T>(f: impl FnOnce() -> T) -> T {
    hdf5::sync::sync(f)
}

/// `Ok(Hid)` for a valid identifier, else the error HDF5 just reported. Call with the lock held.
pub(crate) fn check_id(id: hid_t, what: impl FnOnce() -> String) -> H5Result<Hid> {
    if id < 0 {
        Err(H5Error::from_stack(what()))
    } else {
        Ok(Hid(id))
    }
}

/// `Ok(())` for a non-negative return code, else the error HDF5 just reported. Call with the
/// lock held.
pub(crate) fn check(ret: herr_t, what: impl FnOnce() -> String) -> H5Result<()> {
    if ret < 0 {
        Err(H5Error::from_stack(what()))
    } else {
        Ok(())
    }
}

fn cstr(s: &str) -> H5Result<CString> {
    CString::new(s).map_err(|_| H5Error::name(s))
}

/// The most bytes a string attribute may declare (ASDF's are ids and short labels; HDF5 keeps
/// attributes in the object header, 64 KiB, unless dense storage is used).
const MAX_ATTRIBUTE_BYTES: usize = 16 << 20;

/// An owned HDF5 identifier (file, group, dataset, attribute, dataspace, datatype or property list).
/// Dropping it releases the reference under the HDF5 lock.
#[derive(Debug)]
pub(crate) struct Hid(hid_t);

impl Hid {
    pub(crate) fn id(&self) -> hid_t {
        self.0
    }
}

impl Drop for Hid {
    fn drop(&mut self) {
        // SAFETY: the identifier is owned by this `Hid` and released once, under the lock.
        locked(|| unsafe {
            H5Idec_ref(self.0);
        });
    }
}

/// The storage type of a 1-D numeric dataset, with its byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NumType {
    pub(crate) kind: NumKind,
    pub(crate) big_endian: bool,
}

impl NumType {
    pub(crate) fn native(kind: NumKind) -> Self {
        NumType { kind, big_endian: cfg!(target_endian = "big") }
    }

    /// A new HDF5 datatype for this type (file byte order as given).
    fn to_h5(self) -> H5Result<Hid> {
        // SAFETY: the predefined type globals are read after HDF5 has started (hdf5-sys does so on
        // first use); H5Tcopy makes a new type, owned by the result; the caller holds the lock.
        unsafe {
            let base = match (self.kind, self.big_endian) {
                (NumKind::I8, false) => *H5T_STD_I8LE,
                (NumKind::I8, true) => *H5T_STD_I8BE,
                (NumKind::I16, false) => *H5T_STD_I16LE,
                (NumKind::I16, true) => *H5T_STD_I16BE,
                (NumKind::I32, false) => *H5T_STD_I32LE,
                (NumKind::I32, true) => *H5T_STD_I32BE,
                (NumKind::I64, false) => *H5T_STD_I64LE,
                (NumKind::I64, true) => *H5T_STD_I64BE,
                (NumKind::U8, false) => *H5T_STD_U8LE,
                (NumKind::U8, true) => *H5T_STD_U8BE,
                (NumKind::U16, false) => *H5T_STD_U16LE,
                (NumKind::U16, true) => *H5T_STD_U16BE,
                (NumKind::U32, false) => *H5T_STD_U32LE,
                (NumKind::U32, true) => *H5T_STD_U32BE,
                (NumKind::U64, false) => *H5T_STD_U64LE,
                (NumKind::U64, true) => *H5T_STD_U64BE,
                (NumKind::F32, false) => *H5T_IEEE_F32LE,
                (NumKind::F32, true) => *H5T_IEEE_F32BE,
                (NumKind::F64, false) => *H5T_IEEE_F64LE,
                (NumKind::F64, true) => *H5T_IEEE_F64BE,
            };
            check_id(H5Tcopy(base), || "H5Tcopy".into())
        }
    }

    fn from_h5(t: hid_t) -> H5Result<Self> {
        // SAFETY: queries on a datatype handle the caller owns; the caller holds the lock.
        unsafe {
            let class = H5Tget_class(t);
            let size = H5Tget_size(t);
            let big_endian = H5Tget_order(t) == H5T_order_t::H5T_ORDER_BE;
            let kind = match class {
                H5T_class_t::H5T_INTEGER => {
                    let signed = H5Tget_sign(t) == H5T_sign_t::H5T_SGN_2;
                    match (signed, size) {
                        (true, 1) => NumKind::I8,
                        (true, 2) => NumKind::I16,
                        (true, 4) => NumKind::I32,
                        (true, 8) => NumKind::I64,
                        (false, 1) => NumKind::U8,
                        (false, 2) => NumKind::U16,
                        (false, 4) => NumKind::U32,
                        (false, 8) => NumKind::U64,
                        _ => return Err(H5Error::shape("datatype", format!("integer type of {size} bytes is not supported"))),
                    }
                }
                H5T_class_t::H5T_FLOAT => match size {
                    4 => NumKind::F32,
                    8 => NumKind::F64,
                    _ => return Err(H5Error::shape("datatype", format!("float type of {size} bytes is not supported"))),
                },
                other => return Err(H5Error::shape("datatype", format!("class {other:?} is not numeric"))),
            };
            Ok(NumType { kind, big_endian })
        }
    }
}

// The filter identifiers are HDF5's registered ones, fixed by the file format.
const _: () = assert!(
    FILTER_DEFLATE == hdf5_sys::h5z::H5Z_FILTER_DEFLATE
        && FILTER_SHUFFLE == hdf5_sys::h5z::H5Z_FILTER_SHUFFLE
        && FILTER_FLETCHER32 == hdf5_sys::h5z::H5Z_FILTER_FLETCHER32
);

// ------------------------------------------------------------------------------------------------
// Files

/// The most metadata one open file keeps cached, in HDF5's accounting (bytes on disk), before
/// [`metadata_cache_for_links`] sizes it for the file's `/Waveforms` group. HDF5's default lets
/// the cache grow to 32 MiB, and a cached chunk-index node takes about 17 KiB of memory for its
/// ~1 KiB on disk, so memory would grow with every dataset touched (by 15 MB over 600 traces).
/// Each of our objects is visited once, so a small cache costs no time (8 MiB was 25 % slower
/// on 3,000 stations).
const METADATA_CACHE_MAX: usize = 256 << 10;

/// Cache bytes per member of the group looked up for every station (`/Waveforms`). An old-style
/// group keeps its members' names in one local heap (16 bytes a name like `XX.S0000`), which HDF5
/// caches as a single entry next to the group's B-tree nodes: when it outgrows the cache, every
/// station lookup reads it again (30,000 stations: `asdf info` 3.8 s against 1.3 s, the identity
/// job 45.7 s against 22.8 s with room for it).
const CACHE_PER_LINK: usize = 32;

/// Sizes a file's metadata cache for a group of `links` members looked up over and over:
/// [`METADATA_CACHE_MAX`] plus room for its name heap and index (at most 64 MiB).
pub(crate) fn metadata_cache_for_links(file: &Hid, links: u64) -> H5Result<()> {
    use hdf5_sys::h5ac::{H5AC_cache_config_t, H5AC__CURR_CACHE_CONFIG_VERSION};
    let max = METADATA_CACHE_MAX.saturating_add(usize::try_from(links).unwrap_or(usize::MAX).saturating_mul(CACHE_PER_LINK)).min(64 << 20);
    // SAFETY: a file handle the caller owns and a local configuration, under the lock.
    locked(|| unsafe {
        let mut cache = H5AC_cache_config_t { version: H5AC__CURR_CACHE_CONFIG_VERSION, ..Default::default() };
        check(H5Fget_mdc_config(file.id(), &mut cache), || "H5Fget_mdc_config".into())?;
        if cache.max_size >= max {
            return Ok(());
        }
        cache.max_size = max;
        cache.set_initial_size = 0;
        check(H5Fset_mdc_config(file.id(), &mut cache), || "H5Fset_mdc_config".into())
    })
}

/// The number of members of a group (no listing).
pub(crate) fn link_count(group: &Hid) -> H5Result<u64> {
    // SAFETY: a group handle the caller owns and a local output, under the lock.
    locked(|| unsafe {
        let mut info = H5G_info_t::default();
        check(H5Gget_info(group.id(), &mut info), || "H5Gget_info".into())?;
        Ok(info.nlinks)
    })
}

/// File access settings of every file we open: file locking off (pyasdf #70), a bounded
/// metadata cache. Call with the HDF5 lock held.
fn file_access() -> H5Result<Hid> {
    use hdf5_sys::h5ac::{H5AC_cache_config_t, H5AC__CURR_CACHE_CONFIG_VERSION};
    // SAFETY: property-list calls on a list created here; `cache` outlives them.
    unsafe {
        let fapl = check_id(H5Pcreate(*H5P_CLS_FILE_ACCESS), || "H5Pcreate(fapl)".into())?;
        check(H5Pset_file_locking(fapl.id(), 0, 1), || "H5Pset_file_locking".into())?;
        let mut cache = H5AC_cache_config_t { version: H5AC__CURR_CACHE_CONFIG_VERSION, ..Default::default() };
        check(H5Pget_mdc_config(fapl.id(), &mut cache), || "H5Pget_mdc_config".into())?;
        cache.max_size = METADATA_CACHE_MAX;
        cache.min_size = cache.min_size.min(METADATA_CACHE_MAX);
        cache.initial_size = cache.initial_size.min(METADATA_CACHE_MAX);
        cache.set_initial_size = 1;
        check(H5Pset_mdc_config(fapl.id(), &cache), || "H5Pset_mdc_config".into())?;
        Ok(fapl)
    }
}

/// Creates a new file (fails if it exists), with libver "earliest" like h5py's default.
pub(crate) fn file_create(path: &str) -> H5Result<Hid> {
    let c = cstr(path)?;
    // SAFETY: a NUL-terminated path and property lists owned here, under the lock.
    locked(|| unsafe {
        let fapl = file_access()?;
        super::vfd::use_for(&fapl)?;
        check_id(H5Fcreate(c.as_ptr(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.id()), || {
            format!("cannot create {path}")
        })
    })
}

/// Opens an existing file, read-only or read-write, with file locking off (pyasdf #70).
pub(crate) fn file_open(path: &str, write: bool) -> H5Result<Hid> {
    let c = cstr(path)?;
    // SAFETY: a NUL-terminated path and property lists owned here, under the lock.
    locked(|| unsafe {
        let fapl = file_access()?;
        if write {
            super::vfd::use_for(&fapl)?;
        }
        let flags = if write { H5F_ACC_RDWR } else { H5F_ACC_RDONLY };
        check_id(H5Fopen(c.as_ptr(), flags, fapl.id()), || format!("cannot open {path}"))
    })
}

/// Creates a new file collectively on every rank of `comm` with the MPI-IO driver (parallel
/// HDF5); otherwise as [`file_create`].
#[cfg(feature = "mpi")]
pub(crate) fn file_create_parallel(path: &str, comm: mpi::ffi::MPI_Comm) -> H5Result<Hid> {
    let c = cstr(path)?;
    // SAFETY: a NUL-terminated path, a property list owned here and the caller's live communicator,
    // under the lock.
    locked(|| unsafe {
        let fapl = file_access()?;
        check(H5Pset_fapl_mpio(fapl.id(), comm, mpi::ffi::RSMPI_INFO_NULL), || "H5Pset_fapl_mpio".into())?;
        check_id(H5Fcreate(c.as_ptr(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.id()), || format!("cannot create {path}"))
    })
}

/// A collective write of a whole dataset (parallel HDF5, where filtered datasets need one):
/// `Some(data)` on the rank that holds the samples, `None` (an empty selection) on the others.
#[cfg(feature = "mpi")]
pub(crate) fn dataset_write_collective(ds: &Hid, mem: NumType, data: Option<&[u8]>) -> H5Result<()> {
    // SAFETY: `data` is checked to hold exactly the whole extent in type `mem` (what H5Dwrite
    // with H5S_ALL reads); the empty selection reads nothing from `dummy`; handles are owned,
    // the lock held.
    locked(|| unsafe {
        if let Some(bytes) = data {
            check_whole(ds, "H5Dwrite (collective)", mem.kind.size(), bytes.len())?;
        }
        let t = mem.to_h5()?;
        let dxpl = collective_transfer()?;
        match data {
            Some(bytes) => check(
                H5Dwrite(ds.id(), t.id(), H5S_ALL, H5S_ALL, dxpl.id(), bytes.as_ptr() as *const c_void),
                || "H5Dwrite (collective)".into(),
            ),
            None => {
                let space = check_id(H5Dget_space(ds.id()), || "H5Dget_space".into())?;
                check(H5Sselect_none(space.id()), || "H5Sselect_none".into())?;
                let dummy = 0u64;
                check(
                    H5Dwrite(ds.id(), t.id(), space.id(), space.id(), dxpl.id(), &dummy as *const u64 as *const c_void),
                    || "H5Dwrite (collective, nothing to write here)".into(),
                )
            }
        }
    })
}

/// Whether a file on disk has the HDF5 signature.
pub(crate) fn is_hdf5(path: &str) -> bool {
    let Ok(c) = cstr(path) else { return false };
    // SAFETY: a NUL-terminated path, under the lock.
    locked(|| unsafe { H5Fis_hdf5(c.as_ptr()) > 0 })
}

pub(crate) fn file_flush(file: &Hid) -> H5Result<()> {
    // SAFETY: a file handle the caller owns, under the lock.
    locked(|| unsafe {
        check(H5Fflush(file.id(), H5F_scope_t::H5F_SCOPE_GLOBAL), || "H5Fflush".into())
    })
}

/// Closes a file explicitly, reporting failure (a `Drop` cannot).
pub(crate) fn file_close(file: Hid) -> H5Result<()> {
    let id = file.id();
    std::mem::forget(file);
    // SAFETY: `id` was owned by `file`, forgotten above so it is closed once, here, under the lock.
    locked(|| unsafe { check(H5Fclose(id), || "H5Fclose".into()) })
}

pub(crate) fn file_size(file: &Hid) -> H5Result<u64> {
    // SAFETY: a file handle the caller owns and a local output, under the lock.
    locked(|| unsafe {
        let mut size: hsize_t = 0;
        check(H5Fget_filesize(file.id(), &mut size), || "H5Fget_filesize".into())?;
        Ok(size)
    })
}

// ------------------------------------------------------------------------------------------------
// Links, groups, objects

pub(crate) fn exists(loc: &Hid, name: &str) -> H5Result<bool> {
    let c = cstr(name)?;
    // SAFETY: a NUL-terminated name and a handle the caller owns, under the lock.
    locked(|| unsafe {
        let r = H5Lexists(loc.id(), c.as_ptr(), H5P_DEFAULT);
        if r < 0 {
            Err(H5Error::from_stack(format!("H5Lexists({name})")))
        } else {
            Ok(r > 0)
        }
    })
}

pub(crate) fn group_create(loc: &Hid, name: &str) -> H5Result<Hid> {
    let c = cstr(name)?;
    // SAFETY: a NUL-terminated name, a handle the caller owns and a property list owned here, under
    // the lock.
    locked(|| unsafe {
        let lcpl = check_id(H5Pcreate(*H5P_CLS_LINK_CREATE), || "H5Pcreate(lcpl)".into())?;
        check(H5Pset_create_intermediate_group(lcpl.id(), 1), || "lcpl".into())?;
        check_id(H5Gcreate2(loc.id(), c.as_ptr(), lcpl.id(), H5P_DEFAULT, H5P_DEFAULT), || {
            format!("cannot create group {name}")
        })
    })
}

/// Copies the object `src_name` of `src` (a dataset with its attributes and stored chunks as
/// they are, or a whole group) to `dst_name` in `dst`, creating missing groups on the way. Fails
/// when `dst_name` exists.
pub(crate) fn object_copy(src: &Hid, src_name: &str, dst: &Hid, dst_name: &str) -> H5Result<()> {
    let (s, d) = (cstr(src_name)?, cstr(dst_name)?);
    // SAFETY: NUL-terminated names, handles the caller owns, a link-creation list owned here;
    // the lock is held.
    locked(|| unsafe {
        let lcpl = check_id(H5Pcreate(*H5P_CLS_LINK_CREATE), || "H5Pcreate(lcpl)".into())?;
        check(H5Pset_create_intermediate_group(lcpl.id(), 1), || "lcpl".into())?;
        check(H5Ocopy(src.id(), s.as_ptr(), dst.id(), d.as_ptr(), H5P_DEFAULT, lcpl.id()), || format!("H5Ocopy({src_name} -> {dst_name})"))
    })
}

pub(crate) fn group_open(loc: &Hid, name: &str) -> H5Result<Hid> {
    let c = cstr(name)?;
    // SAFETY: a NUL-terminated name and a handle the caller owns, under the lock.
    locked(|| unsafe {
        check_id(H5Gopen2(loc.id(), c.as_ptr(), H5P_DEFAULT), || format!("cannot open group {name}"))
    })
}

/// Opens a group, creating it (and its parents) if missing.
pub(crate) fn group_require(loc: &Hid, name: &str) -> H5Result<Hid> {
    if exists(loc, name)? {
        group_open(loc, name)
    } else {
        group_create(loc, name)
    }
}

/// An HDF5 iteration callback (links or attributes, `I` their info type) that appends each name
/// to the `Vec<String>` passed as `data`.
unsafe extern "C" fn collect_name<I>(_loc: hid_t, name: *const c_char, _info: *const I, data: *mut c_void) -> herr_t {
    // SAFETY: `data` is the `Vec<String>` the iterating call was given, alive for the call;
    // `name` is a NUL-terminated string owned by HDF5 for the duration of the callback.
    unsafe {
        let names = &mut *(data as *mut Vec<String>);
        names.push(CStr::from_ptr(name).to_string_lossy().into_owned());
    }
    0
}

/// The names of a group's members, sorted by name (HDF5's name index), in one pass over the
/// group (looking names up by index is linear per lookup in old-style groups, quadratic overall).
pub(crate) fn list(group: &Hid) -> H5Result<Vec<String>> {
    // SAFETY: `names` outlives the iteration, and `collect_name` is called with it as its `data`;
    // the lock is held.
    locked(|| unsafe {
        let mut names: Vec<String> = Vec::new();
        let mut idx: hsize_t = 0;
        check(
            hdf5_sys::h5l::H5Literate(
                group.id(),
                H5_index_t::H5_INDEX_NAME,
                H5_iter_order_t::H5_ITER_INC,
                &mut idx,
                Some(collect_name::<hdf5_sys::h5l::H5L_info_t>),
                &mut names as *mut Vec<String> as *mut c_void,
            ),
            || "H5Literate".into(),
        )?;
        Ok(names)
    })
}

/// What kind of object a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ObjKind {
    Group,
    Dataset,
    Other,
}

pub(crate) fn kind_of(loc: &Hid, name: &str) -> H5Result<ObjKind> {
    let c = cstr(name)?;
    // SAFETY: a NUL-terminated name and handles owned here or by the caller, under the lock.
    locked(|| unsafe {
        let obj = check_id(H5Oopen(loc.id(), c.as_ptr(), H5P_DEFAULT), || format!("cannot open {name}"))?;
        Ok(match H5Iget_type(obj.id()) {
            H5I_type_t::H5I_GROUP => ObjKind::Group,
            H5I_type_t::H5I_DATASET => ObjKind::Dataset,
            _ => ObjKind::Other,
        })
    })
}

pub(crate) fn delete(loc: &Hid, name: &str) -> H5Result<()> {
    let c = cstr(name)?;
    // SAFETY: a NUL-terminated name and a handle the caller owns, under the lock.
    locked(|| unsafe {
        check(hdf5_sys::h5l::H5Ldelete(loc.id(), c.as_ptr(), H5P_DEFAULT), || format!("cannot delete {name}"))
    })
}

// ------------------------------------------------------------------------------------------------
// Datasets

/// Creation settings of a new 1-D (or N-D) chunked, resizable dataset.
#[derive(Debug, Clone)]
pub(crate) struct NewDataset<'a> {
    pub(crate) name: &'a str,
    pub(crate) dtype: NumType,
    pub(crate) shape: &'a [u64],
    pub(crate) chunk: &'a [u64],
    pub(crate) pipeline: Pipeline,
}

pub(crate) fn dataset_create(loc: &Hid, spec: &NewDataset<'_>) -> H5Result<Hid> {
    let c = cstr(spec.name)?;
    // SAFETY: `dims`, `maxdims` and `chunk` are passed with their own lengths as ranks; every
    // handle is owned here or by the caller; the lock is held.
    locked(|| unsafe {
        let t = spec.dtype.to_h5()?;
        let dims: Vec<hsize_t> = spec.shape.to_vec();
        let maxdims = vec![H5S_UNLIMITED; dims.len()];
        let space = check_id(
            H5Screate_simple(dims.len() as i32, dims.as_ptr(), maxdims.as_ptr()),
            || "H5Screate_simple".into(),
        )?;
        let dcpl = check_id(H5Pcreate(*H5P_CLS_DATASET_CREATE), || "H5Pcreate(dcpl)".into())?;
        let chunk: Vec<hsize_t> = spec.chunk.to_vec();
        check(H5Pset_chunk(dcpl.id(), chunk.len() as i32, chunk.as_ptr()), || "H5Pset_chunk".into())?;
        // h5py >= 3 does not store object modification times.
        check(H5Pset_obj_track_times(dcpl.id(), 0), || "H5Pset_obj_track_times".into())?;
        if spec.pipeline.shuffle {
            check(H5Pset_shuffle(dcpl.id()), || "H5Pset_shuffle".into())?;
        }
        if let Some(level) = spec.pipeline.deflate {
            check(H5Pset_deflate(dcpl.id(), level), || "H5Pset_deflate".into())?;
        }
        if spec.pipeline.fletcher32 {
            check(H5Pset_fletcher32(dcpl.id()), || "H5Pset_fletcher32".into())?;
        }
        let lcpl = check_id(H5Pcreate(*H5P_CLS_LINK_CREATE), || "H5Pcreate(lcpl)".into())?;
        check(H5Pset_create_intermediate_group(lcpl.id(), 1), || "lcpl".into())?;
        check_id(
            H5Dcreate2(loc.id(), c.as_ptr(), t.id(), space.id(), lcpl.id(), dcpl.id(), H5P_DEFAULT),
            || format!("cannot create dataset {}", spec.name),
        )
    })
}

pub(crate) fn dataset_open(loc: &Hid, name: &str) -> H5Result<Hid> {
    let c = cstr(name)?;
    // SAFETY: a NUL-terminated name and a handle the caller owns, under the lock.
    locked(|| unsafe {
        check_id(H5Dopen2(loc.id(), c.as_ptr(), H5P_DEFAULT), || format!("cannot open dataset {name}"))
    })
}

/// The dataset's dimensions.
pub(crate) fn dataset_shape(ds: &Hid) -> H5Result<Vec<u64>> {
    // SAFETY: queries on a dataset handle the caller owns, under the lock; `extent` checks ranks.
    locked(|| unsafe { extent(ds) })
}

/// The extent of a dataset's dataspace. Call with the HDF5 lock held.
unsafe fn extent(ds: &Hid) -> H5Result<Vec<u64>> {
    // SAFETY: `space` is a dataspace this function owns; `dims` has the `n` elements HDF5 was
    // told it has (a rank checked against HDF5's maximum first).
    unsafe {
        let space = check_id(H5Dget_space(ds.id()), || "H5Dget_space".into())?;
        let n = H5Sget_simple_extent_ndims(space.id());
        if n < 0 {
            return Err(H5Error::from_stack("H5Sget_simple_extent_ndims"));
        }
        if n as usize > H5S_MAX_RANK as usize {
            return Err(H5Error::shape("dataspace", format!("rank {n} is above HDF5's maximum {H5S_MAX_RANK}")));
        }
        let mut dims = vec![0 as hsize_t; n as usize];
        if H5Sget_simple_extent_dims(space.id(), dims.as_mut_ptr(), ptr::null_mut()) < 0 {
            return Err(H5Error::from_stack("H5Sget_simple_extent_dims"));
        }
        Ok(dims)
    }
}

/// Checks that every stored chunk of a chunked dataset lies inside the file, before HDF5 reads
/// them: HDF5 allocates a buffer of the size a chunk's index entry claims, so a damaged entry
/// would make it allocate gigabytes. Call with the HDF5 lock held.
unsafe fn check_stored_chunks(ds: &Hid, op: &str) -> H5Result<()> {
    // SAFETY: handles owned here or by the caller; `offset` has the dataset's rank, the number
    // of coordinates H5Dget_chunk_info writes; the other outputs are locals; the lock is held.
    unsafe {
        let dcpl = check_id(H5Dget_create_plist(ds.id()), || "H5Dget_create_plist".into())?;
        if H5Pget_layout(dcpl.id()) != H5D_layout_t::H5D_CHUNKED {
            return Ok(());
        }
        let rank = extent(ds)?.len();
        let file_size = file_size_of(ds)?;
        // HDF5 also allocates whole chunks to decode into: no chunk can need more bytes than
        // its stored bytes inflate to (HDF5 writes small datasets in chunks of at most 1 MiB).
        let mut dims = [0 as hsize_t; 32];
        let nd = H5Pget_chunk(dcpl.id(), 32, dims.as_mut_ptr());
        if nd < 0 {
            return Err(H5Error::from_stack("H5Pget_chunk"));
        }
        let t = check_id(H5Dget_type(ds.id()), || "H5Dget_type".into())?;
        let chunk_bytes = transfer_bytes(&dims[..nd as usize], H5Tget_size(t.id())).map_or(u64::MAX, |n| n as u64);
        if chunk_bytes > file_size.saturating_mul(MAX_INFLATION).saturating_add(1 << 20) {
            return Err(H5Error::shape(op, format!("chunks of {:?} elements ({chunk_bytes} bytes) in a file of {file_size} bytes", &dims[..nd as usize])));
        }
        let space = check_id(H5Dget_space(ds.id()), || "H5Dget_space".into())?;
        let mut n: hsize_t = 0;
        check(H5Dget_num_chunks(ds.id(), space.id(), &mut n), || "H5Dget_num_chunks".into())?;
        if n > file_size {
            return Err(H5Error::shape(op, format!("{n} chunks listed in a file of {file_size} bytes")));
        }
        let mut offset = vec![0 as hsize_t; rank];
        for i in 0..n {
            let (mut mask, mut addr, mut size) = (0u32, 0u64, 0 as hsize_t);
            check(H5Dget_chunk_info(ds.id(), space.id(), i, offset.as_mut_ptr(), &mut mask, &mut addr, &mut size), || {
                "H5Dget_chunk_info".into()
            })?;
            if addr != u64::MAX && addr.checked_add(size).is_none_or(|end| end > file_size) {
                return Err(H5Error::shape(op, format!("chunk {i} claims {size} bytes at address {addr}, past the end of the file ({file_size} bytes): the file is truncated or corrupt")));
            }
        }
        Ok(())
    }
}

/// The number of bytes a transfer of `dims` elements of `elem` bytes moves, if it fits in memory.
fn transfer_bytes(dims: &[u64], elem: usize) -> Option<usize> {
    dims.iter().try_fold(elem as u64, |acc, &d| acc.checked_mul(d)).and_then(|n| usize::try_from(n).ok())
}

/// Checks that a buffer of `len` bytes is exactly what a whole-dataset transfer of `elem`-byte
/// elements moves. Call with the HDF5 lock held.
unsafe fn check_whole(ds: &Hid, op: &str, elem: usize, len: usize) -> H5Result<()> {
    // SAFETY: the caller holds the lock and owns `ds`.
    let dims = unsafe { extent(ds) }?;
    match transfer_bytes(&dims, elem) {
        Some(n) if n == len => Ok(()),
        Some(n) => Err(H5Error::shape(op, format!("the dataset has shape {dims:?} ({n} bytes as {elem}-byte elements), the buffer {len} bytes"))),
        None => Err(H5Error::shape(op, format!("shape {dims:?} is too large to hold in memory"))),
    }
}

pub(crate) fn dataset_type(ds: &Hid) -> H5Result<NumType> {
    // SAFETY: handles owned here or by the caller, under the lock.
    locked(|| unsafe {
        let t = check_id(H5Dget_type(ds.id()), || "H5Dget_type".into())?;
        NumType::from_h5(t.id())
    })
}

/// Chunk dimensions, or `None` for contiguous/compact storage.
pub(crate) fn dataset_chunk(ds: &Hid) -> H5Result<Option<Vec<u64>>> {
    // SAFETY: `dims` has the 32 elements HDF5 is told it has (HDF5's maximum rank); handles are
    // owned; the lock is held.
    locked(|| unsafe {
        let dcpl = check_id(H5Dget_create_plist(ds.id()), || "H5Dget_create_plist".into())?;
        if H5Pget_layout(dcpl.id()) != H5D_layout_t::H5D_CHUNKED {
            return Ok(None);
        }
        let mut dims = [0 as hsize_t; 32];
        let n = H5Pget_chunk(dcpl.id(), 32, dims.as_mut_ptr());
        if n < 0 {
            return Err(H5Error::from_stack("H5Pget_chunk"));
        }
        Ok(Some(dims[..n as usize].to_vec()))
    })
}

/// The filter pipeline of an existing dataset.
pub(crate) fn dataset_filters(ds: &Hid) -> H5Result<Vec<FilterInfo>> {
    // SAFETY: `cd` and `name` have the lengths HDF5 is told (`nelm` in, `name.len()`), and only
    // `nelm.min(16)` values are read back; the lock is held.
    locked(|| unsafe {
        let dcpl = check_id(H5Dget_create_plist(ds.id()), || "H5Dget_create_plist".into())?;
        let n = H5Pget_nfilters(dcpl.id());
        let mut out = Vec::new();
        for i in 0..n.max(0) {
            let mut flags = 0u32;
            let mut nelm: usize = 16;
            let mut cd = [0u32; 16];
            let mut name = [0 as c_char; 64];
            let mut config = 0u32;
            let id = H5Pget_filter2(
                dcpl.id(),
                i as u32,
                &mut flags,
                &mut nelm,
                cd.as_mut_ptr(),
                name.len(),
                name.as_mut_ptr(),
                &mut config,
            );
            if id < 0 {
                return Err(H5Error::from_stack("H5Pget_filter2"));
            }
            out.push(FilterInfo { id, params: cd[..nelm.min(16)].to_vec() });
        }
        Ok(out)
    })
}

/// Reads a whole dataset into `out`, converting to `mem` (native order). `out` must have
/// exactly `npts * mem.kind.size()` bytes for the dataset's extent, whatever its rank; anything
/// else is an error, before HDF5 is called.
pub(crate) fn dataset_read_into(ds: &Hid, mem: NumType, out: &mut [u8]) -> H5Result<()> {
    // SAFETY: `out` is checked to hold exactly the bytes of the whole extent in type `mem`,
    // which is what H5Dread with H5S_ALL writes; handles are owned, the lock held.
    locked(|| unsafe {
        check_whole(ds, "H5Dread", mem.kind.size(), out.len())?;
        check_stored_chunks(ds, "H5Dread")?;
        let t = mem.to_h5()?;
        check(
            H5Dread(ds.id(), t.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.as_mut_ptr() as *mut c_void),
            || "H5Dread".into(),
        )
    })
}

/// Reads elements `[start, start + count)` of a 1-D dataset into `out`, which must hold exactly
/// `count` elements of `mem`.
pub(crate) fn dataset_read_range(
    ds: &Hid,
    mem: NumType,
    start: u64,
    count: u64,
    out: &mut [u8],
) -> H5Result<()> {
    // SAFETY: the dataset is checked to be 1-D with `start + count` within its extent, and `out`
    // to hold exactly `count` elements of `mem`: the memory space H5Dread fills; `st` and `ct`
    // have one element each, the rank; handles are owned, the lock held.
    locked(|| unsafe {
        let dims = extent(ds)?;
        if dims.len() != 1 {
            return Err(H5Error::shape("H5Dread (range)", format!("a range of a dataset of shape {dims:?}, expected 1-D")));
        }
        if start.checked_add(count).is_none_or(|end| end > dims[0]) {
            return Err(H5Error::shape("H5Dread (range)", format!("elements {start}..{start}+{count} of a dataset of {}", dims[0])));
        }
        if transfer_bytes(&[count], mem.kind.size()) != Some(out.len()) {
            return Err(H5Error::shape("H5Dread (range)", format!("{count} elements of {} bytes into a buffer of {} bytes", mem.kind.size(), out.len())));
        }
        check_stored_chunks(ds, "H5Dread (range)")?;
        let t = mem.to_h5()?;
        let fspace = check_id(H5Dget_space(ds.id()), || "H5Dget_space".into())?;
        let st = [start as hsize_t];
        let ct = [count as hsize_t];
        check(
            H5Sselect_hyperslab(fspace.id(), H5S_seloper_t::H5S_SELECT_SET, st.as_ptr(), ptr::null(), ct.as_ptr(), ptr::null()),
            || "H5Sselect_hyperslab".into(),
        )?;
        let mspace = check_id(H5Screate_simple(1, ct.as_ptr(), ptr::null()), || "H5Screate_simple".into())?;
        check(
            H5Dread(ds.id(), t.id(), mspace.id(), fspace.id(), H5P_DEFAULT, out.as_mut_ptr() as *mut c_void),
            || "H5Dread".into(),
        )
    })
}

/// Writes a whole dataset from `data` in memory type `mem`; `collective` in a parallel (MPI-IO)
/// file, where every rank makes the same call. `data` must hold exactly the dataset's extent.
pub(crate) fn dataset_write(ds: &Hid, mem: NumType, data: &[u8], collective: bool) -> H5Result<()> {
    // SAFETY: `data` is checked to hold exactly the whole extent in type `mem`, which is what
    // H5Dwrite with H5S_ALL reads; handles are owned, the lock held.
    locked(|| unsafe {
        check_whole(ds, "H5Dwrite", mem.kind.size(), data.len())?;
        let t = mem.to_h5()?;
        let dxpl = if collective { Some(collective_transfer()?) } else { None };
        check(
            H5Dwrite(ds.id(), t.id(), H5S_ALL, H5S_ALL, dxpl.as_ref().map_or(H5P_DEFAULT, Hid::id), data.as_ptr() as *const c_void),
            || "H5Dwrite".into(),
        )
    })
}

/// A transfer property list for collective MPI-IO. Call with the HDF5 lock held.
fn collective_transfer() -> H5Result<Hid> {
    // SAFETY: creating and setting a property list owned by the returned `Hid`.
    unsafe {
        let dxpl = check_id(H5Pcreate(*H5P_CLS_DATASET_XFER), || "H5Pcreate(dxpl)".into())?;
        #[cfg(feature = "mpi")]
        check(H5Pset_dxpl_mpio(dxpl.id(), H5FD_mpio_xfer_t::H5FD_MPIO_COLLECTIVE), || "H5Pset_dxpl_mpio".into())?;
        Ok(dxpl)
    }
}

/// Writes already-filtered chunks of a 1-D dataset, chunk `i` at element offset `i * clen`
/// (direct chunk writes), and returns where each one's bytes now are in the file (they reach the
/// operating system before this returns: HDF5 buffers metadata, never raw chunks). The dataset
/// is checked once to be 1-D, the rank of every one-element offset passed.
pub(crate) fn chunks_write<'a>(ds: &Hid, chunk: &[u64], chunks: impl IntoIterator<Item = &'a [u8]>) -> H5Result<Vec<u64>> {
    // SAFETY: `chunk` is checked to have the dataset's rank and to be all positive, so each
    // `offset` has the number of coordinates HDF5 reads; `bytes` is passed with its length;
    // handles are owned and the lock held.
    locked(|| unsafe {
        check_rank(ds, "H5Dwrite_chunk", chunk)?;
        if chunk.contains(&0) {
            return Err(H5Error::shape("H5Dwrite_chunk", format!("chunk shape {chunk:?} has a zero dimension")));
        }
        let dims = extent(ds)?;
        // Chunks are given row-major over the chunk grid.
        let grid: Vec<u64> = dims.iter().zip(chunk).map(|(&n, &c)| n.div_ceil(c)).collect();
        let mut at = Vec::new();
        for (i, bytes) in chunks.into_iter().enumerate() {
            let mut rem = i as u64;
            let mut offset = vec![0u64; chunk.len()];
            for d in (0..chunk.len()).rev() {
                offset[d] = (rem % grid[d].max(1)) * chunk[d];
                rem /= grid[d].max(1);
            }
            if rem > 0 || offset.iter().zip(&dims).any(|(o, n)| o >= n) {
                return Err(H5Error::shape("H5Dwrite_chunk", format!("chunk {i} lies outside the dataset's extent {dims:?}")));
            }
            check(
                H5Dwrite_chunk(ds.id(), H5P_DEFAULT, 0, offset.as_ptr(), bytes.len(), bytes.as_ptr() as *const c_void),
                || "H5Dwrite_chunk".into(),
            )?;
            let span = chunk_span(ds, &offset)?;
            at.push(span.map(|s| s.addr).ok_or_else(|| H5Error::shape("H5Dwrite_chunk", "the chunk written has no address"))?);
        }
        Ok(at)
    })
}

/// Checks that `offset` has one coordinate per dimension of the dataset. Call with the lock held.
unsafe fn check_rank(ds: &Hid, op: &str, offset: &[u64]) -> H5Result<()> {
    // SAFETY: the caller holds the lock and owns `ds`.
    let dims = unsafe { extent(ds) }?;
    if dims.len() == offset.len() {
        Ok(())
    } else {
        Err(H5Error::shape(op, format!("{} chunk coordinates for a dataset of rank {}", offset.len(), dims.len())))
    }
}

/// Where one stored (still filtered) chunk lies: its HDF5 address (counted from the end of the
/// file's user block), its stored size and its filter mask (bit i set = filter i was skipped).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ChunkSpan {
    pub(crate) addr: u64,
    pub(crate) size: usize,
    pub(crate) mask: u32,
}

/// Where the chunk at `offset` is. Call with the HDF5 lock held, with `offset` of the dataset's
/// rank (checked by the callers).
unsafe fn chunk_span(ds: &Hid, offset: &[u64]) -> H5Result<Option<ChunkSpan>> {
    let (mut mask, mut addr, mut size) = (0u32, 0u64, 0 as hsize_t);
    // SAFETY: `offset` has the dataset's rank (the callers' check); the outputs are locals.
    check(
        unsafe { H5Dget_chunk_info_by_coord(ds.id(), offset.as_ptr(), &mut mask, &mut addr, &mut size) },
        || "H5Dget_chunk_info_by_coord".into(),
    )?;
    Ok((addr != u64::MAX && size != 0).then_some(ChunkSpan { addr, size: size as usize, mask }))
}

/// The spans of the chunks of a 1-D dataset at element offsets `0, clen, 2 clen, ...`, `None`
/// for a chunk never written; one hold of the lock for all of them.
pub(crate) fn chunk_spans(ds: &Hid, clen: u64, nchunks: u64) -> H5Result<Vec<Option<ChunkSpan>>> {
    // SAFETY: the dataset is checked to be 1-D, so each one-element offset has its rank;
    // handles are owned, the lock held.
    locked(|| unsafe {
        check_rank(ds, "H5Dget_chunk_info_by_coord", &[0])?;
        (0..nchunks).map(|i| chunk_span(ds, &[i * clen])).collect()
    })
}

/// Size of the file's user block: HDF5 addresses count from its end.
pub(crate) fn file_base_offset(file: &Hid) -> H5Result<u64> {
    // SAFETY: handles owned here or by the caller and a local output, under the lock.
    locked(|| unsafe {
        let fcpl = check_id(H5Fget_create_plist(file.id()), || "H5Fget_create_plist".into())?;
        let mut size: hsize_t = 0;
        check(H5Pget_userblock(fcpl.id(), &mut size), || "H5Pget_userblock".into())?;
        Ok(size)
    })
}

/// The most bytes the file holding `obj` can back, in bytes: its size, for a file opened
/// read-only (how every input is opened). A file opened for writing has raw data still in HDF5's
/// chunk cache, past the end of the file on disk, so no bound is drawn from it (it is this
/// process's own output, or a file opened deliberately with `AsdfFile::open_rw`). Call with the
/// HDF5 lock held.
unsafe fn file_size_of(obj: &Hid) -> H5Result<u64> {
    // SAFETY: `H5Iget_file_id` gives a new reference, owned by `file`; the outputs are locals.
    unsafe {
        let file = check_id(hdf5_sys::h5i::H5Iget_file_id(obj.id()), || "H5Iget_file_id".into())?;
        let mut intent: std::ffi::c_uint = 0;
        check(H5Fget_intent(file.id(), &mut intent), || "H5Fget_intent".into())?;
        if intent & H5F_ACC_RDWR != 0 {
            return Ok(u64::MAX / (2 * MAX_INFLATION));
        }
        let mut size: hsize_t = 0;
        check(H5Fget_filesize(file.id(), &mut size), || "H5Fget_filesize".into())?;
        Ok(size)
    }
}

/// [`file_size_of`] for the format layer: the most bytes the file holding `obj` can back, to bound
/// what a declared size may make us allocate.
pub(crate) fn backing_size(obj: &Hid) -> H5Result<u64> {
    // SAFETY: queries on a handle the caller owns, under the lock.
    locked(|| unsafe { file_size_of(obj) })
}

/// Reads one stored (still filtered) chunk at element offset `offset`; returns its bytes and the
/// filter mask (bit i set = filter i was skipped for this chunk). `None` if never written. A
/// chunk that claims more bytes than the file has is an error, found before allocating for it.
pub(crate) fn chunk_read(ds: &Hid, offset: &[u64]) -> H5Result<Option<(Vec<u8>, u32)>> {
    // SAFETY: `offset` is checked to have the dataset's rank; `buf` has the chunk's stored size
    // as HDF5 reports it, which is what H5Dread_chunk writes; handles are owned, the lock held.
    locked(|| unsafe {
        check_rank(ds, "H5Dread_chunk", offset)?;
        let Some(ChunkSpan { size, mut mask, addr }) = chunk_span(ds, offset)? else { return Ok(None) };
        let file_size = file_size_of(ds)?;
        if addr.checked_add(size as u64).is_none_or(|end| end > file_size) {
            return Err(H5Error::shape("H5Dread_chunk", format!("the chunk at {offset:?} claims {size} bytes at address {addr}, past the end of the file ({file_size} bytes): the file is truncated or corrupt")));
        }
        let mut buf = vec![0u8; size];
        check(
            H5Dread_chunk(ds.id(), H5P_DEFAULT, offset.as_ptr(), &mut mask, buf.as_mut_ptr() as *mut c_void),
            || "H5Dread_chunk".into(),
        )?;
        Ok(Some((buf, mask)))
    })
}

/// Creates a 1-D int8 dataset holding raw bytes (the XML blobs of ASDF).
pub(crate) fn bytes_dataset_create(
    loc: &Hid,
    name: &str,
    bytes: &[u8],
    chunk: u64,
    pipeline: Pipeline,
    collective: bool,
) -> H5Result<Hid> {
    let spec = NewDataset {
        name,
        dtype: NumType { kind: NumKind::I8, big_endian: false },
        shape: &[bytes.len() as u64],
        chunk: &[chunk],
        pipeline,
    };
    let ds = dataset_create(loc, &spec)?;
    if !bytes.is_empty() {
        dataset_write(&ds, NumType::native(NumKind::I8), bytes, collective)?;
    }
    Ok(ds)
}

/// Resizes a 1-D chunked dataset and overwrites it with `bytes`.
pub(crate) fn bytes_dataset_overwrite(ds: &Hid, bytes: &[u8], collective: bool) -> H5Result<()> {
    // SAFETY: `dims` has one element, the rank of the 1-D datasets this is used on (HDF5 checks the
    // rank); the lock is held.
    locked(|| unsafe {
        let dims = [bytes.len() as hsize_t];
        check(H5Dset_extent(ds.id(), dims.as_ptr()), || "H5Dset_extent (is the dataset chunked?)".into())
    })?;
    if !bytes.is_empty() {
        dataset_write(ds, NumType::native(NumKind::I8), bytes, collective)?;
    }
    Ok(())
}


/// Reads a 1-D byte dataset (any 1-byte integer type): the XML documents of ASDF. A dataset of
/// another rank or element size, or one that declares more bytes than the file could hold even
/// compressed, is an error before anything is allocated.
pub(crate) fn bytes_dataset_read(ds: &Hid) -> H5Result<Vec<u8>> {
    // SAFETY: queries on handles the caller owns, under the lock.
    let (dims, t, file_size) = locked(|| unsafe {
        let t = check_id(H5Dget_type(ds.id()), || "H5Dget_type".into())?;
        let t = (H5Tget_class(t.id()), H5Tget_size(t.id()));
        Ok::<_, H5Error>((extent(ds)?, t, file_size_of(ds)?))
    })?;
    if dims.len() != 1 {
        return Err(H5Error::shape("reading bytes", format!("a dataset of shape {dims:?}; documents are stored as 1-D bytes")));
    }
    if t != (H5T_class_t::H5T_INTEGER, 1) {
        return Err(H5Error::shape("reading bytes", format!("elements of class {:?} and {} bytes; documents are stored as 1-byte integers", t.0, t.1)));
    }
    let n = dims[0];
    if n > file_size.saturating_mul(MAX_INFLATION) {
        return Err(H5Error::shape("reading bytes", format!("{n} bytes declared in a file of {file_size}: more than any compression holds")));
    }
    let n = usize::try_from(n).map_err(|_| H5Error::shape("reading bytes", format!("{n} bytes do not fit in memory")))?;
    let mut buf = Vec::new();
    buf.try_reserve_exact(n).map_err(|_| H5Error::shape("reading bytes", format!("cannot allocate {n} bytes")))?;
    buf.resize(n, 0);
    if n > 0 {
        dataset_read_into(ds, NumType::native(NumKind::I8), &mut buf)?;
    }
    Ok(buf)
}

// ------------------------------------------------------------------------------------------------
// Attributes

/// The value of an attribute, as ASDF uses them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AttrValue {
    Int(i64),
    Float(f64),
    Str(String),
}

/// The names of an object's attributes, in name order, in one pass. (`H5Oget_info1` would
/// count them too, but it also walks a dataset's whole chunk index into the metadata cache.)
pub(crate) fn attr_names(obj: &Hid) -> H5Result<Vec<String>> {
    // SAFETY: `names` outlives the iteration, and `collect_name` is called with it as its `data`;
    // the lock is held.
    locked(|| unsafe {
        let mut names: Vec<String> = Vec::new();
        let mut idx: hsize_t = 0;
        check(
            H5Aiterate2(
                obj.id(),
                H5_index_t::H5_INDEX_NAME,
                H5_iter_order_t::H5_ITER_INC,
                &mut idx,
                Some(collect_name::<H5A_info_t>),
                &mut names as *mut Vec<String> as *mut c_void,
            ),
            || "H5Aiterate2".into(),
        )?;
        Ok(names)
    })
}

fn attr_create(obj: &Hid, name: &str, t: &Hid) -> H5Result<Hid> {
    let c = cstr(name)?;
    // SAFETY: a NUL-terminated name, handles owned here or by the caller; the caller holds the lock.
    unsafe {
        if H5Aexists(obj.id(), c.as_ptr()) > 0 {
            check(H5Adelete(obj.id(), c.as_ptr()), || format!("cannot replace attribute {name}"))?;
        }
        let space = check_id(H5Screate(H5S_class_t::H5S_SCALAR), || "H5Screate".into())?;
        check_id(H5Acreate2(obj.id(), c.as_ptr(), t.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT), || {
            format!("cannot create attribute {name}")
        })
    }
}

/// Writes a scalar fixed-length ASCII string attribute, NULLPAD, of size `len + 1` with an explicit
/// trailing NUL: exactly what pyasdf writes for `file_format`, the ids and `provenance_id`.
pub(crate) fn attr_write_fixed_str(obj: &Hid, name: &str, value: &str) -> H5Result<()> {
    // SAFETY: the datatype is `bytes.len()` bytes long, exactly the buffer H5Awrite reads for a
    // scalar; the lock is held.
    locked(|| unsafe {
        let t = check_id(H5Tcopy(*H5T_C_S1), || "H5Tcopy".into())?;
        let mut bytes = value.as_bytes().to_vec();
        bytes.push(0);
        check(H5Tset_size(t.id(), bytes.len()), || "H5Tset_size".into())?;
        check(H5Tset_strpad(t.id(), H5T_str_t::H5T_STR_NULLPAD), || "H5Tset_strpad".into())?;
        check(H5Tset_cset(t.id(), H5T_cset_t::H5T_CSET_ASCII), || "H5Tset_cset".into())?;
        let a = attr_create(obj, name, &t)?;
        check(H5Awrite(a.id(), t.id(), bytes.as_ptr() as *const c_void), || format!("cannot write attribute {name}"))
    })
}

/// Writes a scalar variable-length UTF-8 string attribute (pyasdf's `labels`, h5py's str).
pub(crate) fn attr_write_vlen_str(obj: &Hid, name: &str, value: &str) -> H5Result<()> {
    let c = cstr(value)?;
    // SAFETY: a variable-length string is written from a pointer to one NUL-terminated string, `c`,
    // alive for the call; the lock is held.
    locked(|| unsafe {
        let t = check_id(H5Tcopy(*H5T_C_S1), || "H5Tcopy".into())?;
        check(H5Tset_size(t.id(), H5T_VARIABLE), || "H5Tset_size".into())?;
        check(H5Tset_strpad(t.id(), H5T_str_t::H5T_STR_NULLTERM), || "H5Tset_strpad".into())?;
        check(H5Tset_cset(t.id(), H5T_cset_t::H5T_CSET_UTF8), || "H5Tset_cset".into())?;
        let a = attr_create(obj, name, &t)?;
        let p: *const c_char = c.as_ptr();
        check(H5Awrite(a.id(), t.id(), &p as *const *const c_char as *const c_void), || {
            format!("cannot write attribute {name}")
        })
    })
}

pub(crate) fn attr_write_i64(obj: &Hid, name: &str, value: i64) -> H5Result<()> {
    // SAFETY: a scalar attribute written from one i64 in the native int64 type; the lock is held.
    locked(|| unsafe {
        let t = check_id(H5Tcopy(*H5T_STD_I64LE), || "H5Tcopy".into())?;
        let a = attr_create(obj, name, &t)?;
        let mt = *H5T_NATIVE_INT64;
        check(H5Awrite(a.id(), mt, &value as *const i64 as *const c_void), || format!("cannot write attribute {name}"))
    })
}

pub(crate) fn attr_write_f64(obj: &Hid, name: &str, value: f64) -> H5Result<()> {
    // SAFETY: a scalar attribute written from one f64 in the native double type; the lock is held.
    locked(|| unsafe {
        let t = check_id(H5Tcopy(*H5T_IEEE_F64LE), || "H5Tcopy".into())?;
        let a = attr_create(obj, name, &t)?;
        let mt = *H5T_NATIVE_DOUBLE;
        check(H5Awrite(a.id(), mt, &value as *const f64 as *const c_void), || format!("cannot write attribute {name}"))
    })
}

/// How a string attribute is stored: `Some(true)` variable length, `Some(false)` fixed length,
/// `None` when the attribute is not a string.
pub(crate) fn attr_string_is_vlen(obj: &Hid, name: &str) -> H5Result<Option<bool>> {
    let c = cstr(name)?;
    // SAFETY: handles owned here or by the caller, under the lock.
    locked(|| unsafe {
        let a = check_id(H5Aopen(obj.id(), c.as_ptr(), H5P_DEFAULT), || format!("cannot open attribute {name}"))?;
        let t = check_id(H5Aget_type(a.id()), || "H5Aget_type".into())?;
        Ok(match H5Tget_class(t.id()) {
            H5T_class_t::H5T_STRING => Some(H5Tis_variable_str(t.id()) > 0),
            _ => None,
        })
    })
}

/// Reads a scalar attribute of any string, integer or float type. Strings may be fixed or
/// variable length, NUL-padded or NUL-terminated; trailing NULs are stripped.
pub(crate) fn attr_read(obj: &Hid, name: &str) -> H5Result<AttrValue> {
    let c = cstr(name)?;
    // SAFETY: each H5Aread writes one scalar (checked: one point) into a buffer of its memory
    // type's size: a pointer for a variable-length string (freed with H5free_memory), a fixed
    // string of the checked size, an i64 or an f64; the lock is held.
    locked(|| unsafe {
        let a = check_id(H5Aopen(obj.id(), c.as_ptr(), H5P_DEFAULT), || format!("cannot open attribute {name}"))?;
        let t = check_id(H5Aget_type(a.id()), || "H5Aget_type".into())?;
        let space = check_id(H5Aget_space(a.id()), || "H5Aget_space".into())?;
        let npoints = H5Sget_simple_extent_npoints(space.id());
        match H5Tget_class(t.id()) {
            H5T_class_t::H5T_STRING => {
                if npoints != 1 {
                    return Err(H5Error::shape(format!("attribute {name}"), "a string array, expected a scalar"));
                }
                if H5Tis_variable_str(t.id()) > 0 {
                    let mut p: *mut c_char = ptr::null_mut();
                    let mt = check_id(H5Tcopy(*H5T_C_S1), || "H5Tcopy".into())?;
                    check(H5Tset_size(mt.id(), H5T_VARIABLE), || "H5Tset_size".into())?;
                    check(H5Tset_cset(mt.id(), H5Tget_cset(t.id())), || "H5Tset_cset".into())?;
                    check(H5Aread(a.id(), mt.id(), &mut p as *mut *mut c_char as *mut c_void), || {
                        format!("cannot read attribute {name}")
                    })?;
                    if p.is_null() {
                        return Ok(AttrValue::Str(String::new()));
                    }
                    let s = CStr::from_ptr(p).to_string_lossy().into_owned();
                    hdf5_sys::h5::H5free_memory(p as *mut c_void);
                    Ok(AttrValue::Str(s))
                } else {
                    let size = H5Tget_size(t.id());
                    if size == 0 || size > MAX_ATTRIBUTE_BYTES {
                        return Err(H5Error::shape(format!("attribute {name}"), format!("a string of {size} bytes (at most {MAX_ATTRIBUTE_BYTES} are read)")));
                    }
                    let mut buf = vec![0u8; size];
                    check(H5Aread(a.id(), t.id(), buf.as_mut_ptr() as *mut c_void), || {
                        format!("cannot read attribute {name}")
                    })?;
                    while buf.last() == Some(&0) || buf.last() == Some(&b' ') && H5Tget_strpad(t.id()) == H5T_str_t::H5T_STR_SPACEPAD {
                        buf.pop();
                    }
                    if let Some(p) = buf.iter().position(|&b| b == 0) {
                        buf.truncate(p);
                    }
                    Ok(AttrValue::Str(String::from_utf8_lossy(&buf).into_owned()))
                }
            }
            H5T_class_t::H5T_INTEGER if npoints == 1 => {
                let mut v: i64 = 0;
                check(H5Aread(a.id(), *H5T_NATIVE_INT64, &mut v as *mut i64 as *mut c_void), || {
                    format!("cannot read attribute {name}")
                })?;
                Ok(AttrValue::Int(v))
            }
            H5T_class_t::H5T_FLOAT if npoints == 1 => {
                let mut v: f64 = 0.0;
                check(H5Aread(a.id(), *H5T_NATIVE_DOUBLE, &mut v as *mut f64 as *mut c_void), || {
                    format!("cannot read attribute {name}")
                })?;
                Ok(AttrValue::Float(v))
            }
            other => Err(H5Error::shape(format!("attribute {name}"), format!("unsupported type class {other:?} (or not a scalar)"))),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_and_vlen_strings_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.h5");
        let f = file_create(p.to_str().unwrap()).unwrap();
        attr_write_fixed_str(&f, "file_format", "ASDF").unwrap();
        attr_write_vlen_str(&f, "labels", "a,b").unwrap();
        attr_write_i64(&f, "starttime", 1_333_549_302_310_000_128).unwrap();
        attr_write_f64(&f, "sampling_rate", 40.0).unwrap();
        assert_eq!(attr_read(&f, "file_format").unwrap(), AttrValue::Str("ASDF".into()));
        assert_eq!(attr_read(&f, "labels").unwrap(), AttrValue::Str("a,b".into()));
        assert_eq!(attr_read(&f, "starttime").unwrap(), AttrValue::Int(1_333_549_302_310_000_128));
        assert_eq!(attr_read(&f, "sampling_rate").unwrap(), AttrValue::Float(40.0));
        let mut names = attr_names(&f).unwrap();
        names.sort();
        assert_eq!(names, ["file_format", "labels", "sampling_rate", "starttime"]);
        assert!(attr_read(&f, "nope").is_err());
    }

    #[test]
    fn buffers_that_do_not_fit_the_extent_are_refused_before_hdf5_is_called() {
        let dir = tempfile::tempdir().unwrap();
        let f = file_create(dir.path().join("d.h5").to_str().unwrap()).unwrap();
        let pipeline = Pipeline { shuffle: false, deflate: None, fletcher32: false };
        let i4 = NumType::native(NumKind::I32);
        let spec = NewDataset { name: "two_d", dtype: i4, shape: &[16, 64], chunk: &[4, 64], pipeline };
        let two_d = dataset_create(&f, &spec).unwrap();
        let shape_error = |r: H5Result<()>| matches!(r, Err(e) if e.kind() == super::super::H5ErrorKind::Shape);
        // The whole extent is 16 x 64 x 4 bytes: one row's worth is refused, the whole accepted.
        assert!(shape_error(dataset_read_into(&two_d, i4, &mut [0u8; 64 * 4])));
        assert!(shape_error(dataset_write(&two_d, i4, &[0u8; 64 * 4], false)));
        dataset_write(&two_d, i4, &vec![1u8; 16 * 64 * 4], false).unwrap();
        dataset_read_into(&two_d, i4, &mut vec![0u8; 16 * 64 * 4]).unwrap();
        assert!(shape_error(dataset_read_range(&two_d, i4, 0, 4, &mut [0u8; 16])), "a range of a 2-D dataset");
        assert!(shape_error(chunks_write(&two_d, &[4], [&[0u8; 8][..]]).map(|_| ())), "one coordinate for rank 2");
        assert!(shape_error(chunk_read(&two_d, &[0]).map(|_| ())));
        assert!(bytes_dataset_read(&two_d).is_err_and(|e| e.kind() == super::super::H5ErrorKind::Shape));
        let spec = NewDataset { name: "one_d", dtype: i4, shape: &[100], chunk: &[10], pipeline };
        let one_d = dataset_create(&f, &spec).unwrap();
        assert!(shape_error(dataset_read_range(&one_d, i4, 95, 10, &mut [0u8; 40])), "past the end");
        assert!(shape_error(dataset_read_range(&one_d, i4, 0, 10, &mut [0u8; 39])), "a short buffer");
        dataset_read_range(&one_d, i4, 90, 10, &mut [0u8; 40]).unwrap();
        assert!(bytes_dataset_read(&one_d).is_err(), "4-byte elements are not bytes");
    }

    #[test]
    fn groups_list_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.h5");
        let f = file_create(p.to_str().unwrap()).unwrap();
        for n in ["b", "a", "c/d"] {
            group_create(&f, n).unwrap();
        }
        assert_eq!(list(&f).unwrap(), ["a", "b", "c"]);
        assert_eq!(kind_of(&f, "c").unwrap(), ObjKind::Group);
        assert!(exists(&f, "c/d").unwrap());
        assert!(!exists(&f, "x").unwrap());
    }
}
