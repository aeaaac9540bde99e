//! The file driver of the files we write: HDF5's default POSIX driver (`sec2`: `pread` and
//! `pwrite` at HDF5's addresses) with a write-behind buffer in front of it.
//!
//! HDF5 hands every chunk to its driver as a write of its own. For waveforms that is one write
//! of 5-25 KB per chunk, and the kernel's cost per write (page-cache lookups, partial pages,
//! delayed allocation) makes 10 000 such writes about 2.5x slower than the same bytes written
//! 64 KB or more at a time. Chunks of one dataset land one after the other, so this driver
//! gathers writes that continue each other into one buffer of up to [`CAPACITY`] and writes it
//! with a single `pwrite`. Anything else (a write elsewhere, a read of buffered bytes, a flush,
//! closing) writes the buffer out first, so the file always reads as if every write had gone
//! straight through. The bytes on disk are the ones `sec2` would write; nothing about the
//! driver is recorded in the file.
//!
//! A driver is a table of C callbacks whose layout is that of the HDF5 release it is compiled
//! against, so it is used only with the 1.10 series (Debian's); with any other release the
//! files are written with `sec2` as before. [`flush`] writes the buffer out on demand: the
//! engine does so before its journal says a job's chunks are in the file.

use std::ffi::{c_char, c_int, c_uint, c_ulong, c_void, CString};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::sync::OnceLock;

use hdf5_sys::h5::{haddr_t, hbool_t, herr_t, hsize_t};
use hdf5_sys::h5f::{H5F_close_degree_t, H5F_ACC_CREAT, H5F_ACC_EXCL, H5F_ACC_RDWR, H5F_ACC_TRUNC};
use hdf5_sys::h5fd::{
    H5FD_mem_t, H5FD_FEAT_ACCUMULATE_METADATA, H5FD_FEAT_AGGREGATE_METADATA, H5FD_FEAT_AGGREGATE_SMALLDATA,
    H5FD_FEAT_DATA_SIEVE, H5FD_FLMAP_DICHOTOMY,
};
use hdf5_sys::h5i::hid_t;

use super::error::H5Error;
use super::raw::{check, check_id, locked, Hid};
use super::H5Result;

/// The most bytes gathered before they are written.
pub(crate) const CAPACITY: usize = 4 << 20;

/// The largest address a file may have (`sec2`'s: the largest `off_t`).
const MAXADDR: haddr_t = (i64::MAX as haddr_t) - 1;

/// `H5FD_t` of HDF5 1.10: the part of an open file HDF5 itself reads and writes.
#[repr(C)]
struct PublicPart {
    driver_id: hid_t,
    cls: *const DriverClass,
    fileno: c_ulong,
    access_flags: c_uint,
    feature_flags: c_ulong,
    maxaddr: haddr_t,
    base_addr: haddr_t,
    threshold: hsize_t,
    alignment: hsize_t,
    paged_aggr: hbool_t,
}

type Callback = Option<unsafe extern "C" fn()>;

/// `H5FD_class_t` of HDF5 1.10, with the callbacks this driver does not define left empty
/// (HDF5 then uses its defaults).
#[repr(C)]
struct DriverClass {
    name: *const c_char,
    maxaddr: haddr_t,
    fc_degree: H5F_close_degree_t,
    terminate: Callback,
    sb_size: Callback,
    sb_encode: Callback,
    sb_decode: Callback,
    fapl_size: usize,
    fapl_get: Callback,
    fapl_copy: Callback,
    fapl_free: Callback,
    dxpl_size: usize,
    dxpl_copy: Callback,
    dxpl_free: Callback,
    open: Option<unsafe extern "C" fn(*const c_char, c_uint, hid_t, haddr_t) -> *mut PublicPart>,
    close: Option<unsafe extern "C" fn(*mut PublicPart) -> herr_t>,
    cmp: Option<unsafe extern "C" fn(*const PublicPart, *const PublicPart) -> c_int>,
    query: Option<unsafe extern "C" fn(*const PublicPart, *mut c_ulong) -> herr_t>,
    get_type_map: Callback,
    alloc: Callback,
    free: Callback,
    get_eoa: Option<unsafe extern "C" fn(*const PublicPart, H5FD_mem_t) -> haddr_t>,
    set_eoa: Option<unsafe extern "C" fn(*mut PublicPart, H5FD_mem_t, haddr_t) -> herr_t>,
    get_eof: Option<unsafe extern "C" fn(*const PublicPart, H5FD_mem_t) -> haddr_t>,
    get_handle: Option<unsafe extern "C" fn(*mut PublicPart, hid_t, *mut *mut c_void) -> herr_t>,
    read: Option<unsafe extern "C" fn(*mut PublicPart, H5FD_mem_t, hid_t, haddr_t, usize, *mut c_void) -> herr_t>,
    write: Option<unsafe extern "C" fn(*mut PublicPart, H5FD_mem_t, hid_t, haddr_t, usize, *const c_void) -> herr_t>,
    flush: Option<unsafe extern "C" fn(*mut PublicPart, hid_t, hbool_t) -> herr_t>,
    truncate: Option<unsafe extern "C" fn(*mut PublicPart, hid_t, hbool_t) -> herr_t>,
    lock: Callback,
    unlock: Callback,
    fl_map: [H5FD_mem_t; 7],
}

// The layout of HDF5 1.10 on 64-bit Linux, checked at compile time here and against the
// installed headers by a test (`mirrored_structs_match_the_installed_headers`).
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
const _: () = {
    const H5FD_T_SIZE: usize = 80;
    const H5FD_CLASS_T_SIZE: usize = 280;
    assert!(std::mem::size_of::<PublicPart>() == H5FD_T_SIZE);
    assert!(std::mem::size_of::<DriverClass>() == H5FD_CLASS_T_SIZE);
};

// SAFETY: the table is immutable and its name points to a static string.
unsafe impl Sync for DriverClass {}

static CLASS: DriverClass = DriverClass {
    name: c"asdf_write_buffer".as_ptr(),
    maxaddr: MAXADDR,
    fc_degree: H5F_close_degree_t::H5F_CLOSE_WEAK,
    terminate: None,
    sb_size: None,
    sb_encode: None,
    sb_decode: None,
    fapl_size: 0,
    fapl_get: None,
    fapl_copy: None,
    fapl_free: None,
    dxpl_size: 0,
    dxpl_copy: None,
    dxpl_free: None,
    open: Some(open),
    close: Some(close),
    cmp: Some(cmp),
    query: Some(query),
    get_type_map: None,
    alloc: None,
    free: None,
    get_eoa: Some(get_eoa),
    set_eoa: Some(set_eoa),
    get_eof: Some(get_eof),
    get_handle: Some(get_handle),
    read: Some(read),
    write: Some(write),
    flush: Some(flush_callback),
    truncate: Some(truncate),
    // File locking is off for every file we open (pyasdf #70), so HDF5 never asks.
    lock: None,
    unlock: None,
    fl_map: H5FD_FLMAP_DICHOTOMY,
};

/// Bytes that continue each other, waiting to be written at `start`.
#[derive(Default)]
struct Pending {
    start: u64,
    bytes: Vec<u8>,
}

impl Pending {
    fn end(&self) -> u64 {
        self.start + self.bytes.len() as u64
    }
}

/// An open file: HDF5's part first, as HDF5 requires.
#[repr(C)]
struct OpenFile {
    public: PublicPart,
    file: File,
    /// Device and inode, to tell whether two opens are the same file.
    id: (u64, u64),
    eoa: haddr_t,
    /// The file's size once the pending bytes are written.
    eof: haddr_t,
    pending: Pending,
    /// Set by the first failed write: the operation that failed has reported it (the run stops
    /// with that error), and from then on writes, flushes and the final close are discarded and
    /// succeed. HDF5 must be able to close a file whose writes failed: a failed close leaves the
    /// file half-closed in HDF5's tables, and HDF5's shutdown (at `MPI_Finalize` under MPI)
    /// then crashes closing it again. What the engine needs from a partial output is in its
    /// journal, whose chunk checksums are verified on `--resume`.
    failed: bool,
}

impl OpenFile {
    /// Runs a write-side operation unless an earlier one failed; a failure poisons the file.
    fn writing(&mut self, op: impl FnOnce(&mut Self) -> std::io::Result<()>) -> std::io::Result<()> {
        if self.failed {
            return Ok(());
        }
        let r = op(self);
        if r.is_err() {
            self.failed = true;
            self.pending.bytes.clear();
        }
        r
    }

    /// Writes the pending bytes out.
    fn write_pending(&mut self) -> std::io::Result<()> {
        if !self.pending.bytes.is_empty() {
            self.file.write_all_at(&self.pending.bytes, self.pending.start)?;
            self.pending.bytes.clear();
        }
        Ok(())
    }

    fn write(&mut self, addr: u64, data: &[u8]) -> std::io::Result<()> {
        let end = addr + data.len() as u64;
        let p = &self.pending;
        let joins = !p.bytes.is_empty() && addr >= p.start && addr <= p.end() && end - p.start <= CAPACITY as u64;
        if !joins {
            self.write_pending()?;
            if data.len() >= CAPACITY {
                self.file.write_all_at(data, addr)?;
                self.eof = self.eof.max(end);
                return Ok(());
            }
            self.pending.start = addr;
        }
        // Within or right after the pending bytes: copied into place.
        let p = &mut self.pending;
        let (from, to) = ((addr - p.start) as usize, (end - p.start) as usize);
        if p.bytes.len() < to {
            p.bytes.resize(to, 0);
        }
        p.bytes[from..to].copy_from_slice(data);
        self.eof = self.eof.max(end);
        Ok(())
    }

    fn read(&mut self, addr: u64, out: &mut [u8]) -> std::io::Result<()> {
        let end = addr + out.len() as u64;
        if !self.pending.bytes.is_empty() && addr < self.pending.end() && end > self.pending.start {
            self.write_pending()?;
        }
        // As `sec2`: what lies past the end of the file reads as zeros.
        let mut done = 0;
        while done < out.len() {
            match self.file.read_at(&mut out[done..], addr + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        out[done..].fill(0);
        Ok(())
    }
}

/// Reports a failed call on HDF5's error stack (so the message reaches our error text) and
/// returns HDF5's failure value.
fn fail(what: &str, e: impl std::fmt::Display) -> herr_t {
    use hdf5_sys::h5e::{H5Epush2, H5E_DEFAULT, H5E_ERR_CLS, H5E_VFL, H5E_WRITEERROR};
    let msg = CString::new(format!("{what}: {e}")).unwrap_or_default();
    // SAFETY: pushing one message with a "%s" format and a valid C string argument.
    unsafe {
        H5Epush2(H5E_DEFAULT, c"write_buffer.rs".as_ptr(), c"asdf_write_buffer".as_ptr(), 0, *H5E_ERR_CLS, *H5E_VFL, *H5E_WRITEERROR, c"%s".as_ptr(), msg.as_ptr());
    }
    -1
}

/// # Safety
/// `f` must be a file this driver opened.
unsafe fn this<'a>(f: *const PublicPart) -> &'a mut OpenFile {
    // SAFETY: HDF5 passes back the pointer `open` returned, to an `OpenFile` whose first field
    // is the public part; HDF5 calls a driver under its lock, never concurrently.
    unsafe { &mut *(f as *mut OpenFile) }
}

unsafe extern "C" fn open(name: *const c_char, flags: c_uint, _fapl: hid_t, maxaddr: haddr_t) -> *mut PublicPart {
    // SAFETY: HDF5 passes a NUL-terminated file name.
    let path = unsafe { std::ffi::CStr::from_ptr(name) }.to_string_lossy().into_owned();
    if maxaddr == 0 || maxaddr > MAXADDR {
        fail(&path, "bad maximum address");
        return std::ptr::null_mut();
    }
    let mut o = OpenOptions::new();
    o.read(true).mode(0o666);
    if flags & H5F_ACC_RDWR != 0 {
        o.write(true);
        if flags & H5F_ACC_EXCL != 0 && flags & H5F_ACC_CREAT != 0 {
            o.create_new(true);
        } else if flags & H5F_ACC_CREAT != 0 {
            o.create(true);
        }
        if flags & H5F_ACC_TRUNC != 0 {
            o.truncate(true);
        }
    }
    let opened = o.open(&path).and_then(|file| file.metadata().map(|m| (file, m)));
    let (file, meta) = match opened {
        Ok(x) => x,
        Err(e) => {
            fail(&path, e);
            return std::ptr::null_mut();
        }
    };
    let f = Box::new(OpenFile {
        // HDF5 fills in its part after `open` returns.
        // SAFETY: plain integers and a null pointer, all valid zeroed.
        public: unsafe { std::mem::zeroed() },
        file,
        id: (meta.dev(), meta.ino()),
        eoa: 0,
        eof: meta.len(),
        pending: Pending::default(),
        failed: false,
    });
    Box::into_raw(f) as *mut PublicPart
}

unsafe extern "C" fn close(f: *mut PublicPart) -> herr_t {
    // SAFETY: `f` came from `open` (Box::into_raw) and HDF5 closes it once.
    let mut f = unsafe { Box::from_raw(f as *mut OpenFile) };
    match f.writing(OpenFile::write_pending) {
        Ok(()) => 0,
        Err(e) => fail("writing buffered bytes at close", e),
    }
}

unsafe extern "C" fn cmp(a: *const PublicPart, b: *const PublicPart) -> c_int {
    // SAFETY: both came from `open`.
    let (a, b) = unsafe { (this(a).id, this(b).id) };
    a.cmp(&b) as c_int
}

unsafe extern "C" fn query(_f: *const PublicPart, flags: *mut c_ulong) -> herr_t {
    if !flags.is_null() {
        // As `sec2`: HDF5 may aggregate and accumulate metadata and sieve raw data.
        let ours = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE | H5FD_FEAT_AGGREGATE_SMALLDATA;
        // SAFETY: HDF5 passes a valid pointer.
        unsafe { *flags = ours as c_ulong };
    }
    0
}

unsafe extern "C" fn get_eoa(f: *const PublicPart, _t: H5FD_mem_t) -> haddr_t {
    // SAFETY: `f` came from `open`.
    unsafe { this(f).eoa }
}

unsafe extern "C" fn set_eoa(f: *mut PublicPart, _t: H5FD_mem_t, addr: haddr_t) -> herr_t {
    // SAFETY: `f` came from `open`.
    unsafe { this(f).eoa = addr };
    0
}

unsafe extern "C" fn get_eof(f: *const PublicPart, _t: H5FD_mem_t) -> haddr_t {
    // SAFETY: `f` came from `open`.
    unsafe { this(f).eof }
}

/// The handle HDF5's `H5Fget_vfd_handle` returns: the open file itself, for [`flush`].
unsafe extern "C" fn get_handle(f: *mut PublicPart, _fapl: hid_t, handle: *mut *mut c_void) -> herr_t {
    if handle.is_null() {
        return fail("get_handle", "no place for the handle");
    }
    // SAFETY: HDF5 passes a valid pointer to store the handle in.
    unsafe { *handle = f as *mut c_void };
    0
}

unsafe extern "C" fn read(f: *mut PublicPart, _t: H5FD_mem_t, _dxpl: hid_t, addr: haddr_t, size: usize, buf: *mut c_void) -> herr_t {
    // SAFETY: `f` came from `open`; HDF5 passes a buffer of `size` bytes.
    let (f, out) = unsafe { (this(f), std::slice::from_raw_parts_mut(buf as *mut u8, size)) };
    if addr.checked_add(size as u64).is_none_or(|end| end > MAXADDR) {
        return fail("read", format!("{size} bytes at address {addr} are beyond the largest address"));
    }
    match f.read(addr, out) {
        Ok(()) => 0,
        Err(e) => fail(&format!("reading {size} bytes at {addr}"), e),
    }
}

unsafe extern "C" fn write(f: *mut PublicPart, _t: H5FD_mem_t, _dxpl: hid_t, addr: haddr_t, size: usize, buf: *const c_void) -> herr_t {
    // SAFETY: `f` came from `open`; HDF5 passes `size` bytes.
    let (f, data) = unsafe { (this(f), std::slice::from_raw_parts(buf as *const u8, size)) };
    if addr.checked_add(size as u64).is_none_or(|end| end > f.eoa) {
        return fail("write", format!("{size} bytes at address {addr} go past the end of allocated space {}", f.eoa));
    }
    match f.writing(|f| f.write(addr, data)) {
        Ok(()) => 0,
        Err(e) => fail(&format!("writing {size} bytes at {addr}"), e),
    }
}

unsafe extern "C" fn flush_callback(f: *mut PublicPart, _dxpl: hid_t, _closing: hbool_t) -> herr_t {
    // SAFETY: `f` came from `open`.
    match unsafe { this(f) }.writing(OpenFile::write_pending) {
        Ok(()) => 0,
        Err(e) => fail("writing buffered bytes", e),
    }
}

unsafe extern "C" fn truncate(f: *mut PublicPart, _dxpl: hid_t, _closing: hbool_t) -> herr_t {
    // SAFETY: `f` came from `open`.
    let f = unsafe { this(f) };
    let r = f.writing(|f| f.write_pending().and_then(|()| if f.eoa != f.eof { f.file.set_len(f.eoa) } else { Ok(()) }));
    match r {
        Ok(()) => {
            f.eof = f.eoa;
            0
        }
        Err(e) => fail(&format!("setting the file size to {}", f.eoa), e),
    }
}

/// The driver's id, registered on first use; `None` with an HDF5 other than 1.10, whose driver
/// table has another layout. Call with the HDF5 lock held.
fn driver() -> Option<hid_t> {
    static ID: OnceLock<Option<hid_t>> = OnceLock::new();
    *ID.get_or_init(|| {
        let (mut major, mut minor, mut release) = (0, 0, 0);
        // SAFETY: plain queries; `CLASS` is a static HDF5 keeps a pointer to.
        unsafe {
            hdf5_sys::h5::H5get_libversion(&mut major, &mut minor, &mut release);
            if (major, minor) != (1, 10) {
                return None;
            }
            let id = hdf5_sys::h5fd::H5FDregister(&CLASS as *const DriverClass as *const hdf5_sys::h5fd::H5FD_class_t);
            (id >= 0).then_some(id)
        }
    })
}

/// Makes the files opened with `fapl` use this driver, where the HDF5 release allows. Call with
/// the HDF5 lock held.
pub(crate) fn use_for(fapl: &Hid) -> H5Result<()> {
    if let Some(id) = driver() {
        // SAFETY: a property-list call on a list the caller owns; the driver takes no settings.
        check(unsafe { hdf5_sys::h5p::H5Pset_driver(fapl.id(), id, std::ptr::null()) }, || "H5Pset_driver".into())?;
    }
    Ok(())
}

/// Writes out the bytes buffered for an open file, if it uses this driver.
pub(crate) fn flush(file: &Hid) -> H5Result<()> {
    let Some(id) = locked(driver) else { return Ok(()) };
    locked(|| {
        // SAFETY: queries on a file handle the caller owns; the handle `H5Fget_vfd_handle` gives
        // for a file of this driver is its `OpenFile` (see `get_handle`).
        unsafe {
            let fapl = check_id(hdf5_sys::h5f::H5Fget_access_plist(file.id()), || "H5Fget_access_plist".into())?;
            if hdf5_sys::h5p::H5Pget_driver(fapl.id()) != id {
                return Ok(());
            }
            let mut handle: *mut c_void = std::ptr::null_mut();
            check(hdf5_sys::h5f::H5Fget_vfd_handle(file.id(), fapl.id(), &mut handle), || "H5Fget_vfd_handle".into())?;
            this(handle as *const PublicPart).writing(OpenFile::write_pending).map_err(|e| H5Error::io_write("writing buffered bytes", &e))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_file(dir: &std::path::Path) -> OpenFile {
        let file = OpenOptions::new().read(true).write(true).create_new(true).open(dir.join("f")).unwrap();
        // SAFETY: test value of plain fields.
        OpenFile { public: unsafe { std::mem::zeroed() }, file, id: (0, 0), eoa: u64::MAX, eof: 0, pending: Pending::default(), failed: false }
    }

    #[test]
    fn reads_see_every_write_in_order_whatever_is_buffered() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = open_file(dir.path());
        let mut model = vec![0u8; 3 * CAPACITY];
        let put = |f: &mut OpenFile, model: &mut [u8], addr: usize, n: usize, v: u8| {
            let data: Vec<u8> = (0..n).map(|i| v.wrapping_add(i as u8)).collect();
            f.write(addr as u64, &data).unwrap();
            model[addr..addr + n].copy_from_slice(&data);
        };
        put(&mut f, &mut model, 0, 100, 1); // starts the buffer
        put(&mut f, &mut model, 100, 5000, 2); // continues it
        put(&mut f, &mut model, 50, 20, 3); // rewrites inside it
        put(&mut f, &mut model, 10_000, 300, 4); // elsewhere: the buffer goes out first
        put(&mut f, &mut model, 10_300, CAPACITY, 5); // too large to buffer
        put(&mut f, &mut model, 10_300 + CAPACITY, 10, 6);
        assert_eq!(f.eof, (10_310 + CAPACITY) as u64);
        let mut back = vec![0u8; 10_400 + CAPACITY];
        f.read(0, &mut back).unwrap(); // overlaps the buffer: written out, then read
        assert_eq!(&back[..10_310 + CAPACITY], &model[..10_310 + CAPACITY]);
        assert!(back[10_310 + CAPACITY..].iter().all(|&b| b == 0), "past the end reads as zeros");
        put(&mut f, &mut model, 10_310 + CAPACITY, 10, 7);
        f.write_pending().unwrap();
        let on_disk = std::fs::read(dir.path().join("f")).unwrap();
        assert_eq!(on_disk, model[..10_320 + CAPACITY]);
    }

    /// The two C structs mirrored by hand, against the HDF5 headers installed here: a C program
    /// compiled against them prints every size and field offset, which must be ours.
    #[test]
    fn mirrored_structs_match_the_installed_headers() {
        use std::mem::{offset_of, size_of};
        let sizes = [("H5FD_t", size_of::<PublicPart>()), ("H5FD_class_t", size_of::<DriverClass>())];
        let offsets = [
            ("H5FD_t", "driver_id", offset_of!(PublicPart, driver_id)),
            ("H5FD_t", "cls", offset_of!(PublicPart, cls)),
            ("H5FD_t", "fileno", offset_of!(PublicPart, fileno)),
            ("H5FD_t", "access_flags", offset_of!(PublicPart, access_flags)),
            ("H5FD_t", "feature_flags", offset_of!(PublicPart, feature_flags)),
            ("H5FD_t", "maxaddr", offset_of!(PublicPart, maxaddr)),
            ("H5FD_t", "base_addr", offset_of!(PublicPart, base_addr)),
            ("H5FD_t", "threshold", offset_of!(PublicPart, threshold)),
            ("H5FD_t", "alignment", offset_of!(PublicPart, alignment)),
            ("H5FD_t", "paged_aggr", offset_of!(PublicPart, paged_aggr)),
            ("H5FD_class_t", "name", offset_of!(DriverClass, name)),
            ("H5FD_class_t", "maxaddr", offset_of!(DriverClass, maxaddr)),
            ("H5FD_class_t", "fc_degree", offset_of!(DriverClass, fc_degree)),
            ("H5FD_class_t", "terminate", offset_of!(DriverClass, terminate)),
            ("H5FD_class_t", "sb_size", offset_of!(DriverClass, sb_size)),
            ("H5FD_class_t", "sb_encode", offset_of!(DriverClass, sb_encode)),
            ("H5FD_class_t", "sb_decode", offset_of!(DriverClass, sb_decode)),
            ("H5FD_class_t", "fapl_size", offset_of!(DriverClass, fapl_size)),
            ("H5FD_class_t", "fapl_get", offset_of!(DriverClass, fapl_get)),
            ("H5FD_class_t", "fapl_copy", offset_of!(DriverClass, fapl_copy)),
            ("H5FD_class_t", "fapl_free", offset_of!(DriverClass, fapl_free)),
            ("H5FD_class_t", "dxpl_size", offset_of!(DriverClass, dxpl_size)),
            ("H5FD_class_t", "dxpl_copy", offset_of!(DriverClass, dxpl_copy)),
            ("H5FD_class_t", "dxpl_free", offset_of!(DriverClass, dxpl_free)),
            ("H5FD_class_t", "open", offset_of!(DriverClass, open)),
            ("H5FD_class_t", "close", offset_of!(DriverClass, close)),
            ("H5FD_class_t", "cmp", offset_of!(DriverClass, cmp)),
            ("H5FD_class_t", "query", offset_of!(DriverClass, query)),
            ("H5FD_class_t", "get_type_map", offset_of!(DriverClass, get_type_map)),
            ("H5FD_class_t", "alloc", offset_of!(DriverClass, alloc)),
            ("H5FD_class_t", "free", offset_of!(DriverClass, free)),
            ("H5FD_class_t", "get_eoa", offset_of!(DriverClass, get_eoa)),
            ("H5FD_class_t", "set_eoa", offset_of!(DriverClass, set_eoa)),
            ("H5FD_class_t", "get_eof", offset_of!(DriverClass, get_eof)),
            ("H5FD_class_t", "get_handle", offset_of!(DriverClass, get_handle)),
            ("H5FD_class_t", "read", offset_of!(DriverClass, read)),
            ("H5FD_class_t", "write", offset_of!(DriverClass, write)),
            ("H5FD_class_t", "flush", offset_of!(DriverClass, flush)),
            ("H5FD_class_t", "truncate", offset_of!(DriverClass, truncate)),
            ("H5FD_class_t", "lock", offset_of!(DriverClass, lock)),
            ("H5FD_class_t", "unlock", offset_of!(DriverClass, unlock)),
            ("H5FD_class_t", "fl_map", offset_of!(DriverClass, fl_map)),
        ];
        let mut c = String::from("#include <stdio.h>\n#include <stddef.h>\n#include <hdf5.h>\nint main(void) {\n");
        let mut ours = String::new();
        for (ty, size) in sizes {
            c += &format!("  printf(\"{ty} %zu\\n\", sizeof({ty}));\n");
            ours += &format!("{ty} {size}\n");
        }
        for (ty, field, offset) in offsets {
            c += &format!("  printf(\"{ty}.{field} %zu\\n\", offsetof({ty}, {field}));\n");
            ours += &format!("{ty}.{field} {offset}\n");
        }
        c += "  return 0;\n}\n";
        let dir = tempfile::tempdir().unwrap();
        let (src, exe) = (dir.path().join("layout.c"), dir.path().join("layout"));
        std::fs::write(&src, c).unwrap();
        let hdf5 = std::env::var("HDF5_DIR").unwrap_or_else(|_| "/usr/lib/x86_64-linux-gnu/hdf5/mpich".into());
        let cc = std::env::var("MPICC").unwrap_or_else(|_| "mpicc.mpich".into());
        let built = std::process::Command::new(&cc)
            .arg(format!("-I{hdf5}/include"))
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {cc} (scripts/setup.sh installs it): {e}"));
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
        let theirs = std::process::Command::new(&exe).output().unwrap();
        assert_eq!(ours, String::from_utf8_lossy(&theirs.stdout));
    }
}
