//! Every call into libmseed (version 3, the C library of the FDSN miniSEED reference, vendored by
//! `libmseed-sys`), each behind a safe function. libmseed is the decoder ObsPy is built on: it
//! applies the header's time correction (unless flagged as applied), Blockette 1001's
//! microseconds and Blockette 100's rate, reads little- and big-endian headers, finds the record
//! length without Blockette 1000, checks miniSEED 3 CRCs, and decodes every encoding in use
//! (text, int16/32, float32/64, Steim-1/2 and the legacy GEOSCOPE, CDSN, SRO and DWWSSN).
//!
//! The rules every function here keeps:
//! - libmseed is only given a slice of ours, with its true length, and reads within it;
//! - a record libmseed allocates is freed on every path (an owned [`Msr`]);
//! - samples are copied out only after checking the sample type libmseed reports, the count
//!   against the size of its buffer, and the count against the header's;
//! - libmseed's own messages go to a per-thread list (never to stderr), and become our errors.

use std::cell::RefCell;
use std::ffi::{c_char, CStr};
use std::ptr;
use std::sync::Arc;

use libmseed_sys as ms;

/// The smallest record libmseed reads (its `MINRECLEN`).
pub(crate) const MIN_RECORD: usize = 40;

/// The length of a noise record: libmseed 2's smallest record, which ObsPy skips.
const NOISE_RECORD: usize = 128;

/// Whether `b` starts with a noise record: six digits, blanks or NULs (a sequence number), then
/// 42 blanks (ObsPy's `OBSPY_ISVALIDBLANK`).
fn is_noise_record(b: &[u8]) -> bool {
    b.len() >= 48 && b[..6].iter().all(|&c| c.is_ascii_digit() || c == 0 || c == b' ') && b[6..48].iter().all(|&c| c == b' ')
}

/// One record's header, as the scan reads it (no sample decoded).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordHeader {
    /// Byte offset of the record in its file.
    pub offset: u64,
    /// Record length in bytes.
    pub length: u32,
    /// SEED network code (the codes are shared by the records of a channel: a scan of millions
    /// of records allocates them once per channel).
    pub network: Arc<str>,
    /// Station code.
    pub station: Arc<str>,
    /// Location code (may be empty).
    pub location: Arc<str>,
    /// Channel code.
    pub channel: Arc<str>,
    /// Publication version (miniSEED 2's quality code R/D/Q/M is 1/2/3/4): ObsPy keeps records of
    /// different quality in different traces, and so do we.
    pub publication: u8,
    /// Time of the first sample, nanoseconds since 1970 (corrections applied).
    pub start_ns: i64,
    /// Samples per second (0 for records without samples).
    pub sampling_rate: f64,
    /// Number of samples the header declares.
    pub samples: i64,
    /// SEED data encoding code (0 text, 1 int16, 3 int32, 4 float32, 5 float64, 10 Steim-1,
    /// 11 Steim-2, ...).
    pub encoding: i16,
    /// miniSEED format version (2 or 3).
    pub format_version: u8,
}

impl RecordHeader {
    /// The time of the record's last sample, ns (its first for a record of one sample or none).
    pub fn last_sample_ns(&self) -> i64 {
        if self.samples <= 1 || self.sampling_rate <= 0.0 {
            return self.start_ns;
        }
        self.start_ns + ((self.samples - 1) as f64 * 1e9 / self.sampling_rate).round() as i64
    }

    /// Whether the record holds text (log records, not a waveform).
    pub fn is_text(&self) -> bool {
        self.encoding == ms::DE_TEXT as i16
    }
}

/// A record's samples, decoded, in the type libmseed gives (and ObsPy keeps): Steim and the
/// integer encodings as int32, float32, float64.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordSamples {
    /// int32 (int16, int32, Steim-1/2 and the legacy integer encodings).
    I32(Vec<i32>),
    /// float32.
    F32(Vec<f32>),
    /// float64.
    F64(Vec<f64>),
}

impl RecordSamples {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            RecordSamples::I32(v) => v.len(),
            RecordSamples::F32(v) => v.len(),
            RecordSamples::F64(v) => v.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A stretch of a file that is not a readable record: where it starts, why, and where reading
/// went on (the next record found), if it did.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Damage {
    /// Byte offset of the record that could not be read.
    pub offset: u64,
    /// What libmseed said about it.
    pub message: String,
    /// Where reading went on: the next record after the damage (`None`: nothing more was read).
    pub resumed_at: Option<u64>,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "record at byte {}: {}; ", self.offset, self.message)?;
        match self.resumed_at {
            Some(r) => write!(f, "bytes {}..{r} skipped, reading went on with the next record", self.offset),
            None => write!(f, "the rest of the file is skipped"),
        }
    }
}

/// The headers of every record in a buffer (a whole file), in order, and the stretches that are
/// not records. As ObsPy, reading goes on past a damaged record with the next one found, and
/// skips the control headers of full SEED volumes and noise records silently.
#[derive(Debug, Default)]
pub struct Scanned {
    /// The headers read.
    pub records: Vec<RecordHeader>,
    /// What could not be read.
    pub damage: Vec<Damage>,
}

/// Reads every record header of `buf` (a file's bytes), without decoding samples.
///
/// ```
/// let s = asdf::ingest::scan_records(b"not miniSEED, and long enough to be looked at as a record");
/// assert!(s.records.is_empty());
/// assert_eq!(s.damage[0].offset, 0);
/// ```
pub fn scan_records(buf: &[u8]) -> Scanned {
    let mut records = Vec::new();
    let damage = walk(buf, |_, header| {
        records.push(header);
        Ok(())
    });
    Scanned { records, damage }
}

/// What [`read_records`] read of a buffer.
#[derive(Debug, Default)]
pub struct ReadRecords {
    /// The selected records with their samples (`None` for text records).
    pub records: Vec<(RecordHeader, Option<RecordSamples>)>,
    /// The stretches that are not records (as [`Scanned::damage`]).
    pub damage: Vec<Damage>,
    /// Selected records whose samples do not decode (left out; reading went on).
    pub undecodable: Vec<Damage>,
}

/// Every record of `buf` that `select` picks, with its samples decoded, in one pass: each record
/// is parsed once.
///
/// ```
/// let read = asdf::ingest::read_records(&[0u8; 64], |_| true);
/// assert!(read.records.is_empty() && read.damage.is_empty());
/// ```
pub fn read_records(buf: &[u8], mut select: impl FnMut(&RecordHeader) -> bool) -> ReadRecords {
    let mut read = ReadRecords::default();
    read.damage = walk(buf, |msr, header| {
        if !select(&header) {
            return Ok(());
        }
        match msr.unpack().and_then(|()| msr.samples()) {
            Ok(samples) => read.records.push((header, samples)),
            Err(message) => read.undecodable.push(Damage { offset: header.offset, message, resumed_at: Some(header.offset + u64::from(header.length)) }),
        }
        Ok(())
    });
    read
}

/// Walks the records of `buf`, calling `each` with every parsed record and its header; returns
/// the stretches that are not records (see [`Scanned`]).
fn walk<'a>(buf: &'a [u8], mut each: impl FnMut(&mut Msr<'a>, RecordHeader) -> Result<(), String>) -> Vec<Damage> {
    let mut damage = Vec::new();
    let mut seen_records = false;
    let mut offset = 0usize;
    let mut msr = Msr(ptr::null_mut(), std::marker::PhantomData);
    let mut codes = Codes::default();
    while buf.len() - offset >= MIN_RECORD {
        let rest = &buf[offset..];
        // A noise record (a sequence number, then blanks where the header would be): ObsPy
        // skips the smallest miniSEED 2 record length, and so do we.
        if is_noise_record(rest) {
            offset += NOISE_RECORD.min(rest.len());
            continue;
        }
        // Zero padding between or after records (some archives fill to a block size).
        if rest[..MIN_RECORD].iter().all(|&b| b == 0 || b == b' ') {
            offset += MIN_RECORD;
            continue;
        }
        match msr.parse_into(rest, false) {
            Ok(()) => {
                let header = msr.header(offset as u64, &mut codes);
                offset += header.length as usize;
                seen_records = true;
                if let Err(message) = each(&mut msr, header) {
                    damage.push(Damage { offset: offset as u64, message, resumed_at: None });
                    return damage;
                }
            }
            Err(message) => {
                // Past a control header of a full SEED volume, or past damage once the file has
                // shown itself to be miniSEED, look for the next record; in a file whose first
                // bytes are not miniSEED at all, do not (it is another kind of file).
                let control = is_control_header(rest);
                let resumed_at = if control || seen_records { next_record(buf, offset) } else { None };
                if !control {
                    damage.push(Damage { offset: offset as u64, message, resumed_at: resumed_at.map(|r| r as u64) });
                }
                match resumed_at {
                    Some(r) => offset = r,
                    None => return damage,
                }
            }
        }
    }
    let tail = &buf[offset..];
    if !tail.iter().all(|&b| b == 0 || b == b' ') {
        let message = format!("{} bytes at the end are not a whole record", tail.len());
        damage.push(Damage { offset: offset as u64, message, resumed_at: None });
    }
    damage
}

/// Records start at multiples of this many bytes after one another in every file libmseed
/// writes or reads (miniSEED 2 lengths are powers of two of at least 128, or 64 for some
/// loggers); the search for the next record after damage steps by it.
const RECORD_ALIGNMENT: usize = 64;

/// The offset of the next record that parses after the unreadable one at `from`.
fn next_record(buf: &[u8], from: usize) -> Option<usize> {
    let mut at = from + RECORD_ALIGNMENT;
    while buf.len().saturating_sub(at) >= MIN_RECORD {
        if !is_noise_record(&buf[at..]) && Msr::parse(&buf[at..], false).is_ok() {
            return Some(at);
        }
        at += RECORD_ALIGNMENT;
    }
    None
}

/// Whether `b` starts with a SEED control header (volume, abbreviation, station or time span:
/// a six-digit sequence number, then `V`, `A`, `S` or `T`), as full SEED volumes hold before
/// their data records.
fn is_control_header(b: &[u8]) -> bool {
    b.len() >= 8 && b[..6].iter().all(|c| c.is_ascii_digit() || *c == b' ') && matches!(b[6], b'V' | b'A' | b'S' | b'T') && matches!(b[7], b' ' | b'*')
}

/// Whether `buf` starts with a miniSEED record libmseed reads.
pub(crate) fn starts_with_record(buf: &[u8]) -> bool {
    Msr::parse(buf, false).is_ok()
}

/// Decodes one record's samples: `record` holds exactly the record's bytes (from
/// [`RecordHeader::offset`], [`RecordHeader::length`] long). `Ok(None)` for a text record.
///
/// ```
/// assert!(asdf::ingest::decode_record(&[0u8; 64]).is_err());
/// ```
pub fn decode_record(record: &[u8]) -> Result<Option<RecordSamples>, String> {
    let msr = Msr::parse(record, true)?;
    msr.samples()
}

/// A record libmseed parsed from a buffer of ours (which it points into, hence the lifetime),
/// freed when dropped.
struct Msr<'a>(*mut ms::MS3Record, std::marker::PhantomData<&'a [u8]>);

impl Drop for Msr<'_> {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the pointer came from msr3_parse and is freed once (msr3_free nulls it).
            unsafe { ms::msr3_free(&mut self.0) };
        }
    }
}

impl<'a> Msr<'a> {
    /// Parses the record at the start of `buf` (which runs to the end of its file, so that a
    /// record without Blockette 1000 can take the rest), unpacking its samples if asked.
    fn parse(buf: &'a [u8], unpack: bool) -> Result<Msr<'a>, String> {
        let mut msr = Msr(ptr::null_mut(), std::marker::PhantomData);
        msr.parse_into(buf, unpack)?;
        Ok(msr)
    }

    /// [`Msr::parse`] into this record, reusing what libmseed allocated for the previous one
    /// (its sample buffer among others): a walk through a file allocates once, not per record.
    fn parse_into(&mut self, buf: &'a [u8], unpack: bool) -> Result<(), String> {
        capture_messages();
        let flags = ms::MSF_ATENDOFFILE | ms::MSF_VALIDATECRC | if unpack { ms::MSF_UNPACKDATA } else { 0 };
        // SAFETY: libmseed reads at most `buf.len()` bytes from `buf`, and (re)initialises the
        // record in `self.0` (allocating it when null), which `Msr` frees.
        let rc = unsafe { ms::msr3_parse(buf.as_ptr().cast::<c_char>(), buf.len() as u64, &mut self.0, flags, 0) };
        let said = take_messages();
        if rc > 0 {
            return Err(format!("the record is cut short: {rc} more bytes needed than the file has{said}"));
        }
        if rc < 0 || self.0.is_null() {
            return Err(format!("{}{said}", error_string(rc)));
        }
        let r = self.record();
        if r.reclen <= 0 || r.reclen as usize > buf.len() {
            return Err(format!("record length {} does not fit the {} bytes left in the file", r.reclen, buf.len()));
        }
        if unpack && r.samplecnt > 0 && r.numsamples != r.samplecnt {
            return Err(format!("{} samples decoded where the header declares {}{said}", r.numsamples, r.samplecnt));
        }
        Ok(())
    }

    /// Decodes the samples of a record parsed without them (libmseed reads them from the
    /// record bytes in our buffer, which `'a` keeps alive).
    fn unpack(&mut self) -> Result<(), String> {
        let expected = self.record().samplecnt;
        if expected <= 0 {
            return Ok(());
        }
        capture_messages();
        // SAFETY: the record was parsed from a buffer that outlives `self` (`'a`); libmseed
        // allocates the samples into the record, which `Msr` frees.
        let n = unsafe { ms::msr3_unpack_data(self.0, 0) };
        let said = take_messages();
        if n < 0 {
            return Err(format!("{}{said}", error_string(n as i32)));
        }
        if n != expected || self.record().numsamples != expected {
            return Err(format!("{n} samples decoded where the header declares {expected}{said}"));
        }
        Ok(())
    }

    fn record(&self) -> &ms::MS3Record {
        // SAFETY: non-null (checked in `parse`) and owned by self until drop.
        unsafe { &*self.0 }
    }

    fn header(&self, offset: u64, codes: &mut Codes) -> RecordHeader {
        let r = self.record();
        let (network, station, location, channel) = codes.of(&r.sid);
        // SAFETY: reads fields of a parsed record.
        let rate = unsafe { ms::msr3_sampratehz(self.0) };
        RecordHeader {
            offset,
            length: r.reclen as u32,
            network,
            station,
            location,
            channel,
            publication: r.pubversion,
            start_ns: r.starttime,
            sampling_rate: if rate.is_finite() && rate > 0.0 { rate } else { 0.0 },
            samples: r.samplecnt,
            encoding: r.encoding,
            format_version: r.formatversion,
        }
    }

    /// The unpacked samples, copied out after checking type, count and buffer size.
    fn samples(&self) -> Result<Option<RecordSamples>, String> {
        let r = self.record();
        let n = usize::try_from(r.numsamples).map_err(|_| format!("negative sample count {}", r.numsamples))?;
        if n == 0 || r.datasamples.is_null() {
            return Ok(if r.sampletype as u8 == b't' { None } else { Some(RecordSamples::I32(Vec::new())) });
        }
        let size = match r.sampletype as u8 {
            b't' => return Ok(None),
            b'i' | b'f' => 4,
            b'd' => 8,
            other => return Err(format!("libmseed returned samples of unknown type {:?}", other as char)),
        };
        if (r.datasize as usize) < n.saturating_mul(size) {
            return Err(format!("{n} samples do not fit libmseed's buffer of {} bytes", r.datasize));
        }
        // SAFETY: `datasamples` holds at least `n` values of the checked type (size checked above),
        // aligned as libmseed allocates them (malloc); the slice is copied before `self` drops.
        Ok(Some(unsafe {
            match r.sampletype as u8 {
                b'i' => RecordSamples::I32(std::slice::from_raw_parts(r.datasamples.cast::<i32>(), n).to_vec()),
                b'f' => RecordSamples::F32(std::slice::from_raw_parts(r.datasamples.cast::<f32>(), n).to_vec()),
                _ => RecordSamples::F64(std::slice::from_raw_parts(r.datasamples.cast::<f64>(), n).to_vec()),
            }
        }))
    }
}

/// Samples to pack into miniSEED.
#[derive(Debug, Clone, Copy)]
pub enum PackSamples<'a> {
    /// int32, packed as Steim-2 (as ObsPy writes int32), or INT32 where Steim-2 cannot hold the
    /// differences.
    I32(&'a [i32]),
    /// int16 samples (held as int32), packed as INT16.
    I16(&'a [i32]),
    /// float32, packed as FLOAT32.
    F32(&'a [f32]),
    /// float64, packed as FLOAT64.
    F64(&'a [f64]),
}

/// Packs one trace into miniSEED 2 records of `record_length` bytes (quality `D`), appended to
/// `out`; returns the number of records.
///
/// ```
/// let mut out = Vec::new();
/// let samples: Vec<i32> = (0..1000).collect();
/// let n = asdf::ingest::pack_trace(("XX", "STA", "", "HHZ"), 1_577_836_800_000_000_000, 100.0, asdf::ingest::PackSamples::I32(&samples), 512, &mut out)?;
/// assert_eq!(out.len(), n * 512);
/// let read = asdf::ingest::read_records(&out, |_| true);
/// assert_eq!(read.records.iter().map(|(h, _)| h.samples).sum::<i64>(), 1000);
/// # Ok::<(), String>(())
/// ```
pub fn pack_trace(nslc: (&str, &str, &str, &str), start_ns: i64, sampling_rate: f64, samples: PackSamples<'_>, record_length: usize, out: &mut Vec<u8>) -> Result<usize, String> {
    let (net, sta, loc, cha) = nslc;
    let code = |s: &str, what: &str| -> Result<std::ffi::CString, String> {
        std::ffi::CString::new(s).map_err(|_| format!("{what} code {s:?} holds a NUL byte"))
    };
    let (n, s, l, c) = (code(net, "network")?, code(sta, "station")?, code(loc, "location")?, code(cha, "channel")?);
    let mut sid = [0 as c_char; ms::LM_SIDLEN as usize];
    // SAFETY: the codes are NUL-terminated, and `sid` is LM_SIDLEN bytes as libmseed expects.
    let rc = unsafe { ms::ms_nslc2sid(sid.as_mut_ptr(), sid.len() as i32, 0, n.as_ptr(), s.as_ptr(), l.as_ptr(), c.as_ptr()) };
    if rc < 0 {
        return Err(format!("{net}.{sta}.{loc}.{cha}: codes libmseed cannot make a source identifier of"));
    }
    let attempts: &[i16] = match samples {
        PackSamples::I32(_) => &[ms::DE_STEIM2 as i16, ms::DE_INT32 as i16],
        PackSamples::I16(_) => &[ms::DE_INT16 as i16],
        PackSamples::F32(_) => &[ms::DE_FLOAT32 as i16],
        PackSamples::F64(_) => &[ms::DE_FLOAT64 as i16],
    };
    let mut last = String::new();
    for &encoding in attempts {
        let mut packed = Vec::new();
        match pack_once(&sid, start_ns, sampling_rate, samples, encoding, record_length, 2, &mut packed) {
            Ok(records) => {
                out.extend(packed);
                return Ok(records);
            }
            Err(m) => last = m,
        }
    }
    Err(format!("{net}.{sta}.{loc}.{cha}: {last}"))
}

#[allow(clippy::too_many_arguments)]
fn pack_once(sid: &[c_char], start_ns: i64, rate: f64, samples: PackSamples<'_>, encoding: i16, record_length: usize, version: u8, out: &mut Vec<u8>) -> Result<usize, String> {
    let (ptr, n, kind): (*const std::ffi::c_void, usize, u8) = match samples {
        PackSamples::I32(v) | PackSamples::I16(v) => (v.as_ptr().cast(), v.len(), b'i'),
        PackSamples::F32(v) => (v.as_ptr().cast(), v.len(), b'f'),
        PackSamples::F64(v) => (v.as_ptr().cast(), v.len(), b'd'),
    };
    if !(rate.is_finite() && rate > 0.0) {
        return Err(format!("sampling rate {rate} cannot be written"));
    }
    capture_messages();
    // SAFETY: msr3_init allocates a zeroed record, freed by `Msr` (after `datasamples`, which
    // points to our samples, is set back to NULL so that libmseed does not free them).
    let msr = Msr(unsafe { ms::msr3_init(ptr::null_mut()) }, std::marker::PhantomData);
    if msr.0.is_null() {
        return Err("libmseed cannot allocate a record".into());
    }
    {
        // SAFETY: non-null record we own; the fields are plain values, and `datasamples`
        // points to `n` samples of `kind` that outlive the call to msr3_pack below.
        let r = unsafe { &mut *msr.0 };
        r.sid[..sid.len()].copy_from_slice(sid);
        r.reclen = record_length as i32;
        r.pubversion = 2;
        r.starttime = start_ns;
        r.samprate = rate;
        r.encoding = encoding;
        r.datasamples = ptr.cast_mut();
        r.numsamples = n as i64;
        r.samplecnt = n as i64;
        r.sampletype = kind as c_char;
    }
    let mut packed: i64 = 0;
    let flags = ms::MSF_FLUSHDATA | if version == 2 { ms::MSF_PACKVER2 } else { 0 };
    // SAFETY: `out` outlives the call; the handler only appends the bytes libmseed passes.
    let records = unsafe { ms::msr3_pack(msr.0, Some(collect_record), (out as *mut Vec<u8>).cast(), &mut packed, flags, 0) };
    // SAFETY: as above; the samples are ours, not libmseed's to free.
    unsafe { (*msr.0).datasamples = ptr::null_mut() };
    let said = take_messages();
    if records < 0 || packed != n as i64 {
        return Err(format!("libmseed packed {packed} of {n} samples as encoding {encoding}{said}"));
    }
    Ok(records as usize)
}

/// msr3_pack's record handler: appends the record to the `Vec<u8>` behind `data`.
unsafe extern "C" fn collect_record(record: *mut c_char, length: i32, data: *mut std::ffi::c_void) {
    if record.is_null() || data.is_null() || length <= 0 {
        return;
    }
    // SAFETY: `data` is the `&mut Vec<u8>` pack_once passed, and `record` holds `length` bytes.
    let (out, bytes) = unsafe { (&mut *data.cast::<Vec<u8>>(), std::slice::from_raw_parts(record.cast::<u8>(), length as usize)) };
    out.extend_from_slice(bytes);
}

/// Network, station, location and channel codes, shared.
type SharedCodes = (Arc<str>, Arc<str>, Arc<str>, Arc<str>);

/// The codes of the last source identifier seen, shared by the records that repeat it.
#[derive(Default)]
struct Codes {
    sid: Vec<c_char>,
    codes: Option<SharedCodes>,
}

impl Codes {
    fn of(&mut self, sid: &[c_char]) -> SharedCodes {
        let len = sid.iter().position(|&c| c == 0).unwrap_or(sid.len());
        match &self.codes {
            Some(c) if self.sid == sid[..len] => c.clone(),
            _ => {
                let (n, s, l, c) = nslc(sid);
                let codes = (Arc::from(n), Arc::from(s), Arc::from(l), Arc::from(c));
                self.sid = sid[..len].to_vec();
                self.codes = Some(codes.clone());
                codes
            }
        }
    }
}

/// NET, STA, LOC, CHA of a FDSN source identifier (`FDSN:NET_STA_LOC_B_S_SS`), as libmseed
/// splits it (band, source and subsource joined into the SEED channel code when one letter each).
fn nslc(sid: &[c_char]) -> (String, String, String, String) {
    // The sid field is NUL-terminated within its array (libmseed writes it so); a field
    // without a NUL is treated as empty.
    let bytes: Vec<u8> = sid.iter().map(|&c| c as u8).collect();
    let Some(end) = bytes.iter().position(|&b| b == 0) else { return Default::default() };
    let mut parts = [[0 as c_char; ms::LM_SIDLEN as usize + 1]; 4];
    let [net, sta, loc, cha] = &mut parts;
    // SAFETY: `sid` is NUL-terminated (checked), and each output buffer is longer than any
    // part of a sid of at most LM_SIDLEN bytes.
    let rc = unsafe { ms::ms_sid2nslc(sid.as_ptr(), net.as_mut_ptr(), sta.as_mut_ptr(), loc.as_mut_ptr(), cha.as_mut_ptr()) };
    if rc != 0 {
        let s = String::from_utf8_lossy(&bytes[..end]).into_owned();
        return (String::new(), s, String::new(), String::new());
    }
    let text = |p: &[c_char]| {
        let b: Vec<u8> = p.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
        String::from_utf8_lossy(&b).trim().to_string()
    };
    (text(net), text(sta), text(loc), text(cha))
}

/// libmseed's text for an error code.
fn error_string(rc: i32) -> String {
    // SAFETY: ms_errorstr returns a static string (or NULL for unknown codes).
    let p = unsafe { ms::ms_errorstr(rc) };
    if p.is_null() {
        return format!("libmseed error {rc}");
    }
    // SAFETY: non-null, NUL-terminated static string.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

thread_local! {
    /// libmseed's messages on this thread since the last `take_messages`.
    static MESSAGES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static CAPTURING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Routes this thread's libmseed messages (its logging parameters are per thread) to `MESSAGES`.
fn capture_messages() {
    if CAPTURING.with(|c| c.replace(true)) {
        return;
    }
    // SAFETY: registers two callbacks that never unwind; NULL prefixes are allowed.
    unsafe { ms::ms_rloginit(Some(keep_message), ptr::null(), Some(keep_message), ptr::null(), 0) };
}

/// The messages libmseed gave since the last call, as `": a; b"` (empty if none).
fn take_messages() -> String {
    let said = MESSAGES.with(|m| m.try_borrow_mut().map(|mut m| std::mem::take(&mut *m)).unwrap_or_default());
    if said.is_empty() {
        String::new()
    } else {
        format!(" ({})", said.join("; "))
    }
}

/// libmseed's log callback: keeps the message (never panics across the C boundary).
unsafe extern "C" fn keep_message(message: *const c_char) {
    if message.is_null() {
        return;
    }
    // SAFETY: libmseed passes a NUL-terminated string valid for the call.
    let text = unsafe { CStr::from_ptr(message) }.to_string_lossy().trim().to_string();
    let _ = MESSAGES.try_with(|m| {
        if let Ok(mut m) = m.try_borrow_mut() {
            if m.len() < 16 {
                m.push(text);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A miniSEED 2 record of 512 bytes: int32 samples 0..n, big-endian, Blockette 1000.
    pub(crate) fn int32_record(station: &str, start: (u16, u16, u8, u8, u8), samples: &[i32], rate: i16) -> Vec<u8> {
        let mut r = vec![0u8; 512];
        r[..6].copy_from_slice(b"000001");
        r[6] = b'D';
        r[7] = b' ';
        let sta = format!("{station:<5}");
        r[8..13].copy_from_slice(sta.as_bytes());
        r[13..15].copy_from_slice(b"  ");
        r[15..18].copy_from_slice(b"HHZ");
        r[18..20].copy_from_slice(b"XX");
        let (year, day, h, m, s) = start;
        r[20..22].copy_from_slice(&year.to_be_bytes());
        r[22..24].copy_from_slice(&day.to_be_bytes());
        r[24] = h;
        r[25] = m;
        r[26] = s;
        r[30..32].copy_from_slice(&(samples.len() as u16).to_be_bytes());
        r[32..34].copy_from_slice(&rate.to_be_bytes());
        r[34..36].copy_from_slice(&1i16.to_be_bytes());
        r[39] = 1; // one blockette
        r[44..46].copy_from_slice(&64u16.to_be_bytes()); // data offset
        r[46..48].copy_from_slice(&48u16.to_be_bytes()); // first blockette
        r[48..50].copy_from_slice(&1000u16.to_be_bytes());
        r[52] = 3; // int32
        r[53] = 1; // big-endian
        r[54] = 9; // 2^9 = 512
        for (i, v) in samples.iter().enumerate() {
            r[64 + 4 * i..68 + 4 * i].copy_from_slice(&v.to_be_bytes());
        }
        r
    }

    #[test]
    fn a_record_scans_and_decodes() {
        let rec = int32_record("ABC", (2020, 1, 0, 0, 0), &[1, -2, 3], 100);
        let mut file = rec.clone();
        file.extend(int32_record("ABC", (2020, 1, 0, 0, 1), &[4, 5], 100));
        let s = scan_records(&file);
        assert_eq!(s.damage, vec![]);
        assert_eq!(s.records.len(), 2);
        let h = &s.records[0];
        assert_eq!((&*h.network, &*h.station, &*h.location, &*h.channel), ("XX", "ABC", "", "HHZ"));
        assert_eq!(h.start_ns, 1_577_836_800_000_000_000);
        assert_eq!((h.sampling_rate, h.samples, h.encoding, h.length, h.publication), (100.0, 3, 3, 512, 2));
        assert_eq!(h.last_sample_ns(), 1_577_836_800_020_000_000);
        assert_eq!(s.records[1].offset, 512);
        assert_eq!(decode_record(&file[..512]).unwrap(), Some(RecordSamples::I32(vec![1, -2, 3])));
    }

    #[test]
    fn miniseed_3_records_read_to_the_nanosecond() {
        let mut sid = [0 as c_char; ms::LM_SIDLEN as usize];
        for (i, b) in b"FDSN:XX_ABC__H_H_Z".iter().enumerate() {
            sid[i] = *b as c_char;
        }
        let samples: Vec<i32> = (0..5000).map(|i| (i * 7919) % 3001 - 1500).collect();
        let start = 1_577_836_800_123_456_789;
        for encoding in [ms::DE_STEIM2 as i16, ms::DE_INT32 as i16] {
            let mut out = Vec::new();
            let n = pack_once(&sid, start, 100.0, PackSamples::I32(&samples), encoding, 512, 3, &mut out).unwrap();
            assert!(n > 1);
            let read = read_records(&out, |_| true);
            assert!(read.damage.is_empty() && read.undecodable.is_empty());
            assert!(read.records.iter().all(|(h, _)| h.format_version == 3 && &*h.channel == "HHZ" && &*h.station == "ABC"));
            assert_eq!(read.records[0].0.start_ns, start);
            let all: Vec<i32> = read.records.into_iter().flat_map(|(_, s)| match s {
                Some(RecordSamples::I32(v)) => v,
                other => panic!("{other:?}"),
            }).collect();
            assert_eq!(all, samples);
        }
    }

    #[test]
    fn damage_is_located_and_reading_goes_on_with_the_next_record() {
        let mut file = int32_record("ABC", (2020, 1, 0, 0, 0), &[1], 100);
        file.extend(vec![0x55u8; 512]);
        file.extend(int32_record("ABC", (2020, 1, 0, 0, 5), &[2], 100));
        let s = scan_records(&file);
        assert_eq!(s.records.iter().map(|r| r.offset).collect::<Vec<_>>(), [0, 1024]);
        assert_eq!(s.damage.len(), 1);
        assert_eq!((s.damage[0].offset, s.damage[0].resumed_at), (512, Some(1024)));
        assert!(s.damage[0].to_string().starts_with("record at byte 512: "), "{}", s.damage[0]);
        // A record cut short is named as such.
        let cut = &int32_record("ABC", (2020, 1, 0, 0, 0), &[1], 100)[..300];
        let s = scan_records(cut);
        assert!(s.records.is_empty());
        assert!(s.damage[0].message.contains("cut short"), "no damage message");
        // Control headers of a full SEED volume are passed over silently.
        let mut volume = b"000001V 010009402.3121992,001,00:00:00.0000~".to_vec();
        volume.resize(512, b' ');
        volume.extend(int32_record("ABC", (2020, 1, 0, 0, 0), &[1], 100));
        let s = scan_records(&volume);
        assert_eq!((s.records.len(), s.damage.len()), (1, 0));
    }
}
