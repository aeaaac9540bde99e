//! `AsdfFile`: opening and creating ASDF files, root attributes, and the XML documents they hold
//! (StationXML per station, one QuakeML, provenance records).

use std::path::{Path, PathBuf};

use crate::model::event::Events;
use crate::model::inventory::Inventory;

use super::chunking::guess_chunk;
use super::codec::encode_chunk;
use super::error::{FormatError, Result};
use super::h5::{self, AttrValue, Hid, Pipeline};
use super::names::is_valid_provenance_name;
use super::station::StationGroup;
use super::version::FormatVersion;
use super::waveforms::StoredDocument;

/// How waveforms, XML documents and auxiliary data are compressed when written.
///
/// The default is pyasdf's: gzip level 3 with shuffle; fletcher32 checksums are always added
/// (pyasdf's serial writer adds them even without compression).
///
/// ```
/// use asdf::format::Compression;
/// assert_eq!("gzip-3".parse::<Compression>().unwrap(), Compression::default());
/// assert_eq!("none".parse::<Compression>().unwrap(), Compression::None);
/// assert!("zstd".parse::<Compression>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// No compression (fletcher32 only).
    None,
    /// Deflate at level 0-9, after shuffle.
    Gzip(u32),
}

impl Default for Compression {
    fn default() -> Self {
        Compression::Gzip(3)
    }
}

impl Compression {
    /// The filter pipeline for this setting.
    pub(crate) fn pipeline(self) -> Pipeline {
        match self {
            Compression::None => Pipeline { shuffle: false, deflate: None, fletcher32: true },
            Compression::Gzip(l) => Pipeline { shuffle: true, deflate: Some(l), fletcher32: true },
        }
    }
}

impl std::str::FromStr for Compression {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match super::rules::parse_compression(s) {
            Some(None) => Ok(Compression::None),
            Some(Some(level)) => Ok(Compression::Gzip(level)),
            None => Err(format!("unknown compression {s:?}; use {}", super::rules::COMPRESSION_CHOICES)),
        }
    }
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Compression::None => f.write_str("none"),
            Compression::Gzip(l) => write!(f, "gzip-{l}"),
        }
    }
}

/// An open ASDF file.
///
/// ```no_run
/// use asdf::AsdfFile;
/// let ds = AsdfFile::open("input.h5")?;
/// for name in ds.station_names()? {
///     let sta = ds.station(&name)?;
///     println!("{name}: tags {:?}, StationXML: {}", sta.tags()?, sta.has_stationxml()?);
/// }
/// # Ok::<(), asdf::Error>(())
/// ```
#[derive(Debug)]
pub struct AsdfFile {
    pub(crate) path: PathBuf,
    /// The station group written last, kept open: a job writes all its traces into one group,
    /// and opening it per trace is a lookup in `/Waveforms` each time. Declared before `file`
    /// so that it is closed first.
    pub(crate) station_group: Option<(String, Hid)>,
    pub(crate) file: Option<Hid>,
    pub(crate) writable: bool,
    pub(crate) version: FormatVersion,
    pub(crate) version_in_file: Option<String>,
    pub(crate) compression: Compression,
    /// Opened with parallel HDF5 (MPI-IO) by every rank: data writes are collective calls.
    pub(crate) collective: bool,
    /// Read-only files: their chunks are read here, outside the HDF5 lock, once HDF5 has said
    /// where they are.
    pub(crate) raw: Option<RawBytes>,
}

/// The most bytes [`RawBytes::chunks`] reads at once.
const READ_AT_ONCE: usize = 4 << 20;

/// A file's bytes read directly (positioned reads on a second descriptor), for chunks located by
/// HDF5. Only for files opened read-only, whose bytes nothing changes while they are open.
#[derive(Debug)]
pub(crate) struct RawBytes {
    file: std::fs::File,
    /// Where HDF5's address 0 is (after the user block).
    base: u64,
    /// The file's length: no chunk lies past it, so no chunk claims more bytes than that.
    len: u64,
}

impl RawBytes {
    fn open(path: &Path, h5file: &Hid) -> std::result::Result<Self, h5::H5Error> {
        let base = h5::file_base_offset(h5file)?;
        let file = std::fs::File::open(path).map_err(|e| h5::H5Error::io_read("opening for reading", e))?;
        let len = file.metadata().map_err(|e| h5::H5Error::io_read("reading the file's size", e))?.len();
        Ok(RawBytes { file, base, len })
    }

    /// The stored bytes of the chunks at `spans` (`None`: never written), with each one's filter
    /// mask. Chunks that lie one after the other in the file (as HDF5 writes a dataset's chunks)
    /// are read together, up to [`READ_AT_ONCE`] bytes at a time: one large read costs a fraction
    /// of many small ones. A chunk that claims to lie past the end of the file is an error, found
    /// before anything is allocated for it.
    pub(crate) fn chunks(&self, spans: &[Option<h5::ChunkSpan>]) -> std::result::Result<Vec<Option<(Vec<u8>, u32)>>, h5::H5Error> {
        use std::os::unix::fs::FileExt;
        for (i, s) in spans.iter().enumerate() {
            if let Some(s) = s {
                let end = self.base.checked_add(s.addr).and_then(|a| a.checked_add(s.size as u64));
                if end.is_none_or(|end| end > self.len) {
                    let why = format!("chunk {i} claims {} bytes at byte {}, past the end of the file ({} bytes): the file is truncated or corrupt", s.size, self.base.saturating_add(s.addr), self.len);
                    return Err(h5::H5Error::io_read("locating chunks", why));
                }
            }
        }
        let mut out = Vec::with_capacity(spans.len());
        let mut i = 0;
        while i < spans.len() {
            let Some(first) = spans[i] else {
                out.push(None);
                i += 1;
                continue;
            };
            // The run of chunks that continue each other from `first`.
            let (mut end, mut n) = (first.addr + first.size as u64, 1);
            while let Some(Some(next)) = spans.get(i + n) {
                if next.addr != end || (end - first.addr) as usize + next.size > READ_AT_ONCE {
                    break;
                }
                end += next.size as u64;
                n += 1;
            }
            let mut buf = vec![0u8; (end - first.addr) as usize];
            self.file.read_exact_at(&mut buf, self.base + first.addr).map_err(|e| {
                h5::H5Error::io_read(format!("reading {} bytes of chunks at byte {}", buf.len(), self.base + first.addr), format!("{e} (is the file truncated?)"))
            })?;
            let mut at = 0;
            for s in spans[i..i + n].iter().flatten() {
                out.push(Some((buf[at..at + s.size].to_vec(), s.mask)));
                at += s.size;
            }
            i += n;
        }
        Ok(out)
    }
}

impl AsdfFile {
    /// Opens an existing file read-only (HDF5 file locking off, so copies and shared file
    /// systems work; pyasdf #70).
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_mode(path.as_ref(), false)
    }

    /// Opens an existing file for reading and writing.
    pub fn open_rw(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_mode(path.as_ref(), true)
    }

    fn open_mode(path: &Path, write: bool) -> Result<Self> {
        let p = path_str(path)?;
        if !path.exists() {
            return Err(FormatError::NotFound { path: path.into() });
        }
        if !h5::is_hdf5(p) {
            return Err(FormatError::NotHdf5 { path: path.into() });
        }
        let file = h5::file_open(p, write).map_err(|m| FormatError::h5(path, "/", m))?;
        let found = match h5::attr_read(&file, "file_format") {
            Ok(AttrValue::Str(s)) => Some(s),
            _ => None,
        };
        if found.as_deref() != Some("ASDF") {
            return Err(FormatError::NotAsdf { path: path.into(), found });
        }
        let version_in_file = match h5::attr_read(&file, "file_format_version") {
            Ok(AttrValue::Str(s)) => Some(s),
            _ => None,
        };
        let version = match &version_in_file {
            Some(v) => FormatVersion::parse(v)
                .ok_or_else(|| FormatError::UnsupportedVersion { path: path.into(), version: v.clone() })?,
            None => FormatVersion::default(),
        };
        let raw = if write { None } else { Some(RawBytes::open(path, &file).map_err(|m| FormatError::h5(path, "/", m))?) };
        let ds = AsdfFile {
            path: path.to_path_buf(),
            station_group: None,
            file: Some(file),
            writable: write,
            version,
            version_in_file,
            compression: Compression::default(),
            collective: false,
            raw,
        };
        if write {
            if ds.version_in_file.is_none() {
                h5::attr_write_fixed_str(ds.h5(), "file_format_version", version.as_str()).map_err(|m| ds.err("/", m))?;
            }
            ds.ensure_root_groups()?;
        }
        ds.expect_stations(ds.station_count());
        Ok(ds)
    }

    /// How many members `/Waveforms` has (its stations), counted by HDF5 without listing their
    /// names: 0 when it is missing or cannot be read. For sizing caches, not for checking.
    pub(crate) fn station_count(&self) -> u64 {
        match self.waveforms_group() {
            Ok(Some(g)) => h5::link_count(&g).unwrap_or(0),
            _ => 0,
        }
    }

    /// Makes room in the metadata cache for `stations` station groups, for files of thousands of
    /// stations (see `h5::metadata_cache_for_links`): an opened file counts its own, a new output
    /// is told how many it will hold. Only speed depends on it, so a failure is ignored. Not for
    /// parallel HDF5, whose ranks must keep the same cache settings.
    pub(crate) fn expect_stations(&self, stations: u64) {
        if !self.collective {
            let _ = h5::metadata_cache_for_links(self.h5(), stations);
        }
    }

    /// Creates a new file (refusing to overwrite one), format 1.0.3, gzip-3 compression.
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        Self::create_with(path, FormatVersion::default(), Compression::default())
    }

    /// Creates a new file with a given format version and compression.
    pub fn create_with(path: impl AsRef<Path>, version: FormatVersion, compression: Compression) -> Result<Self> {
        let path = path.as_ref();
        let p = path_str(path)?;
        if path.exists() {
            return Err(FormatError::Exists { path: path.into() });
        }
        let file = h5::file_create(p).map_err(|m| FormatError::h5(path, "/", m))?;
        Self::initialise(path, file, version, compression, false)
    }

    /// Parallel HDF5: every rank of `comm` creates the file together (MPI-IO driver); then every
    /// metadata change must be made by all ranks in the same order (see
    /// `write_trace_collectively`).
    #[cfg(feature = "mpi")]
    pub(crate) fn create_parallel(path: &Path, version: FormatVersion, compression: Compression, comm: mpi::ffi::MPI_Comm) -> Result<Self> {
        let p = path_str(path)?;
        let file = h5::file_create_parallel(p, comm).map_err(|m| FormatError::h5(path, "/", m))?;
        Self::initialise(path, file, version, compression, true)
    }

    /// A newly created file's root attributes and groups.
    fn initialise(path: &Path, file: Hid, version: FormatVersion, compression: Compression, collective: bool) -> Result<Self> {
        let ds = AsdfFile {
            path: path.to_path_buf(),
            station_group: None,
            file: Some(file),
            writable: true,
            version,
            version_in_file: Some(version.as_str().to_string()),
            compression,
            collective,
            raw: None,
        };
        h5::attr_write_fixed_str(ds.h5(), "file_format", "ASDF").map_err(|m| ds.err("/", m))?;
        h5::attr_write_fixed_str(ds.h5(), "file_format_version", version.as_str()).map_err(|m| ds.err("/", m))?;
        ds.ensure_root_groups()?;
        Ok(ds)
    }

    fn ensure_root_groups(&self) -> Result<()> {
        for g in ["Waveforms", "Provenance", "AuxiliaryData"] {
            h5::group_require(self.h5(), g).map_err(|m| self.err(g, m))?;
        }
        Ok(())
    }

    /// Sets the compression used by later writes.
    pub fn set_compression(&mut self, c: Compression) {
        self.compression = c;
    }

    /// The compression used for writes.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The version used for writes (the file's own, or 1.0.3 for a new file).
    pub fn version(&self) -> FormatVersion {
        self.version
    }

    /// The version string stored in the file, if any.
    pub fn version_in_file(&self) -> Option<&str> {
        self.version_in_file.as_deref()
    }

    /// Size of the file in bytes.
    pub fn file_size(&self) -> Result<u64> {
        h5::file_size(self.h5()).map_err(|m| self.err("/", m))
    }

    /// Writes everything buffered to disk.
    pub fn flush(&self) -> Result<()> {
        h5::file_flush(self.h5()).map_err(|m| self.err("/", m))
    }

    /// Writes out the bytes the file driver still buffers (not HDF5's metadata), so that every
    /// chunk written so far is in the file on disk.
    pub(crate) fn write_out_buffered(&self) -> Result<()> {
        h5::flush_write_buffer(self.h5()).map_err(|m| self.err("/", m))
    }

    /// Runs `f` holding the HDF5 lock throughout, for a run of writes (a job's traces) that
    /// would otherwise take the lock and hand it back to the readers once per trace.
    pub(crate) fn holding_lock<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        h5::locked(|| f(self))
    }

    /// Closes the file, reporting any error (dropping closes too, silently).
    pub fn close(mut self) -> Result<()> {
        self.station_group = None;
        match self.file.take() {
            Some(f) => h5::file_close(f).map_err(|m| self.err("/", m)),
            None => Ok(()),
        }
    }

    pub(crate) fn h5(&self) -> &Hid {
        self.file.as_ref().expect("an AsdfFile holds its handle until close() consumes it")
    }

    pub(crate) fn err(&self, object: impl Into<String>, source: h5::H5Error) -> FormatError {
        FormatError::h5(&self.path, object, source)
    }

    pub(crate) fn require_writable(&self) -> Result<()> {
        if self.writable {
            Ok(())
        } else {
            Err(FormatError::ReadOnly { path: self.path.clone() })
        }
    }

    pub(crate) fn waveforms_group(&self) -> Result<Option<Hid>> {
        if !h5::exists(self.h5(), "Waveforms").map_err(|m| self.err("/Waveforms", m))? {
            return Ok(None);
        }
        h5::group_open(self.h5(), "Waveforms").map(Some).map_err(|m| self.err("/Waveforms", m))
    }

    // --------------------------------------------------------------------------------------------
    // Stations

    /// Station group names (`NET.STA`), sorted.
    pub fn station_names(&self) -> Result<Vec<String>> {
        match self.waveforms_group()? {
            None => Ok(Vec::new()),
            Some(g) => h5::list(&g).map_err(|m| self.err("/Waveforms", m)),
        }
    }

    /// Whether the file has the station group `/Waveforms/<station>` (one lookup: files hold
    /// thousands of stations, and listing them for each one added is quadratic).
    pub(crate) fn has_station(&self, station: &str) -> Result<bool> {
        match self.waveforms_group()? {
            None => Ok(false),
            Some(g) => h5::exists(&g, station).map_err(|m| self.err("/Waveforms", m)),
        }
    }

    /// One station group. Accepts `NET.STA` or pyasdf's attribute form `NET_STA`.
    pub fn station(&self, name: &str) -> Result<StationGroup<'_>> {
        // Looked up directly (not by listing every station: files hold thousands).
        if let Some(g) = self.waveforms_group()? {
            for candidate in [name.to_string(), name.replacen('_', ".", 1)] {
                let valid = !candidate.is_empty() && !candidate.contains('/');
                if valid && h5::exists(&g, &candidate).map_err(|m| self.err("/Waveforms", m))? {
                    return StationGroup::open(self, &candidate);
                }
            }
        }
        Err(FormatError::NoSuchStation { path: self.path.clone(), station: name.to_string(), available: summarize(&self.station_names()?) })
    }

    /// Whether `/AuxiliaryData/{full_path}` exists (`full_path` as
    /// [`auxiliary_paths`](Self::auxiliary_paths) lists it: `data_type/p1/.../pn`).
    pub fn has_auxiliary_data(&self, full_path: &str) -> bool {
        self.has_object(&format!("AuxiliaryData/{}", full_path.trim_matches('/')))
    }

    /// Whether the station group `station` holds a waveform dataset `name`.
    pub(crate) fn has_waveform(&self, station: &str, name: &str) -> bool {
        self.has_object(&format!("Waveforms/{station}/{name}"))
    }

    /// Whether the object at `rel` exists, every group on the way checked first (HDF5 fails,
    /// rather than says no, when asked about a path through a missing group).
    pub(crate) fn has_object(&self, rel: &str) -> bool {
        let mut at = String::with_capacity(rel.len());
        rel.split('/').all(|seg| {
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(seg);
            !seg.is_empty() && h5::exists(self.h5(), &at).unwrap_or(false)
        })
    }

    /// Every station group, in sorted order.
    pub fn stations(&self) -> Result<Vec<StationGroup<'_>>> {
        self.station_names()?.iter().map(|n| StationGroup::open(self, n)).collect()
    }

    /// All waveform tags used anywhere in the file, sorted.
    pub fn waveform_tags(&self) -> Result<Vec<String>> {
        let mut tags = std::collections::BTreeSet::new();
        for s in self.stations()? {
            tags.extend(s.tags()?);
        }
        Ok(tags.into_iter().collect())
    }

    /// Adds station metadata: the inventory is split per station and merged with any StationXML
    /// already stored for that station, as pyasdf's `add_stationxml` does.
    pub fn add_stationxml(&mut self, inv: &Inventory) -> Result<()> {
        self.require_writable()?;
        for (net, sta) in inv.station_codes() {
            let station = format!("{net}.{sta}");
            let mut part = inv.isolate_station(&net, &sta);
            let existing = if self.has_station(&station)? {
                self.station(&station)?.inventory()?
            } else {
                None
            };
            if let Some(mut old) = existing {
                old.merge(part);
                part = old;
            }
            self.put_stationxml_bytes(&station, &part.to_stationxml())?;
        }
        Ok(())
    }

    /// Stores a station's StationXML document exactly as given (it must parse), replacing any.
    pub fn put_stationxml_bytes(&mut self, station: &str, xml: &[u8]) -> Result<()> {
        self.require_writable()?;
        Inventory::from_stationxml(xml).map_err(|source| FormatError::StationXml {
            path: self.path.clone(),
            station: station.to_string(),
            source,
        })?;
        self.copy_stationxml(station, xml, None)
    }

    /// Stores a station's StationXML document read from another ASDF file, byte for byte and not
    /// parsed again (whoever reads it there reports it if it does not parse). Its `stored` chunks,
    /// when known, are written as they are if this file would chunk and compress it the same way.
    pub(crate) fn copy_stationxml(&mut self, station: &str, xml: &[u8], stored: Option<&StoredDocument>) -> Result<()> {
        self.require_writable()?;
        let obj = format!("/Waveforms/{station}/StationXML");
        let g = self.take_station_group(station).map_err(|m| self.err(&obj, m))?;
        let written = self.put_blob(&g, "StationXML", &obj, xml, None, stored);
        self.station_group = Some((station.to_string(), g));
        written
    }

    /// The group `/Waveforms/<station>` (created if missing), taken from the cache of the last
    /// one written; the caller puts it back into `station_group` when done with it.
    pub(crate) fn take_station_group(&mut self, station: &str) -> h5::H5Result<Hid> {
        match self.station_group.take() {
            Some((name, g)) if name == station => Ok(g),
            _ => h5::group_require(self.h5(), &format!("Waveforms/{station}")),
        }
    }

    /// Stores the blob `name` in `loc` (the object `obj`, for messages), replacing any: a chunked
    /// one is overwritten in place, a contiguous one (as pyasdf's `process()` writes them, which
    /// cannot be resized) deleted first. `chunk` fixes the chunk length (else h5py's rule).
    fn put_blob(&self, loc: &Hid, name: &str, obj: &str, bytes: &[u8], chunk: Option<u64>, stored: Option<&StoredDocument>) -> Result<()> {
        if h5::exists(loc, name).map_err(|m| self.err(obj, m))? {
            let ds = h5::dataset_open(loc, name).map_err(|m| self.err(obj, m))?;
            if h5::dataset_chunk(&ds).map_err(|m| self.err(obj, m))?.is_some() {
                return h5::bytes_dataset_overwrite(&ds, bytes, self.collective).map_err(|m| self.err(obj, m));
            }
            drop(ds);
            h5::delete(loc, name).map_err(|m| self.err(obj, m))?;
        }
        self.write_blob(loc, name, bytes, chunk, stored).map(drop).map_err(|m| self.err(obj, m))
    }

    /// Writes an XML blob like pyasdf: int8, resizable, chunked by h5py's rule (or `chunk`), the
    /// file's compression with fletcher32. `stored`: the same bytes as another file stores them,
    /// written as they are when chunked and compressed as this file would.
    fn write_blob(&self, loc: &Hid, name: &str, bytes: &[u8], chunk: Option<u64>, stored: Option<&StoredDocument>) -> h5::H5Result<Hid> {
        let chunk = chunk.unwrap_or_else(|| guess_chunk(&[bytes.len() as u64], 1)[0]);
        let p = self.compression.pipeline();
        // The element size is one byte: h5py still records the shuffle filter.
        if self.collective || bytes.is_empty() {
            return h5::bytes_dataset_create(loc, name, bytes, chunk, p, self.collective);
        }
        // Compressed here and stored with direct chunk writes, as waveforms are (faster than
        // HDF5's own deflate, and the same bytes once decompressed).
        let ds = h5::dataset_create(loc, &h5::NewDataset { name, dtype: h5::NumType { kind: h5::NumKind::I8, big_endian: false }, shape: &[bytes.len() as u64], chunk: &[chunk], pipeline: p })?;
        if let Some(s) = stored.filter(|s| s.chunk == chunk && s.pipeline == p) {
            h5::chunks_write(&ds, &[chunk], s.chunks.iter().map(Vec::as_slice))?;
            return Ok(ds);
        }
        let encoded: Vec<Vec<u8>> = bytes
            .chunks(chunk as usize)
            .map(|piece| {
                let mut raw = piece.to_vec();
                // HDF5 stores edge chunks full-size; the tail is never read.
                raw.resize(chunk as usize, 0);
                encode_chunk(&raw, 1, p)
            })
            .collect();
        h5::chunks_write(&ds, &[chunk], encoded.iter().map(Vec::as_slice))?;
        Ok(ds)
    }

    // --------------------------------------------------------------------------------------------
    // Events

    /// The QuakeML document, if the file has one.
    pub fn events(&self) -> Result<Option<Events>> {
        if !h5::exists(self.h5(), "QuakeML").map_err(|m| self.err("/QuakeML", m))? {
            return Ok(None);
        }
        let ds = h5::dataset_open(self.h5(), "QuakeML").map_err(|m| self.err("/QuakeML", m))?;
        let bytes = h5::bytes_dataset_read(&ds).map_err(|m| self.err("/QuakeML", m))?;
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(Some(Events::empty()));
        }
        Events::from_quakeml(bytes)
            .map(Some)
            .map_err(|message| FormatError::QuakeMl { path: self.path.clone(), message })
    }

    /// Sets the file's QuakeML document. If one exists, the new document's events are added to it
    /// (duplicate event ids are refused, as in pyasdf).
    pub fn add_quakeml(&mut self, events: &Events) -> Result<()> {
        self.require_writable()?;
        let merged = match self.events()? {
            Some(old) if !old.event_ids().is_empty() => {
                old.merged_with(events).map_err(|message| FormatError::QuakeMl { path: self.path.clone(), message })?
            }
            _ => events.clone(),
        };
        self.put_quakeml_bytes(merged.as_bytes())
    }

    /// Stores a QuakeML document exactly as given, replacing any.
    pub fn put_quakeml_bytes(&mut self, xml: &[u8]) -> Result<()> {
        self.require_writable()?;
        // pyasdf creates /QuakeML empty and resizes it: its chunk is always (1024,).
        self.put_blob(self.h5(), "QuakeML", "/QuakeML", xml, Some(1024), None)
    }

    // --------------------------------------------------------------------------------------------
    // Provenance

    /// Names of the provenance documents, sorted.
    pub fn provenance_names(&self) -> Result<Vec<String>> {
        if !h5::exists(self.h5(), "Provenance").map_err(|m| self.err("/Provenance", m))? {
            return Ok(Vec::new());
        }
        let g = h5::group_open(self.h5(), "Provenance").map_err(|m| self.err("/Provenance", m))?;
        h5::list(&g).map_err(|m| self.err("/Provenance", m))
    }

    /// The bytes of one provenance (PROV-XML) document.
    pub fn provenance(&self, name: &str) -> Result<Vec<u8>> {
        let obj = format!("/Provenance/{name}");
        let ds = h5::dataset_open(self.h5(), &obj).map_err(|m| self.err(&obj, m))?;
        let b = h5::bytes_dataset_read(&ds).map_err(|m| self.err(&obj, m))?;
        Ok(trim_ascii(b))
    }

    /// Adds (or replaces) a provenance document. It must be well-formed XML.
    pub fn add_provenance(&mut self, name: &str, xml: &[u8]) -> Result<()> {
        self.require_writable()?;
        let obj = format!("/Provenance/{name}");
        if !is_valid_provenance_name(name, self.version) {
            return Err(FormatError::Invalid {
                path: self.path.clone(),
                object: obj,
                message: format!("invalid provenance name for ASDF {}", self.version),
            });
        }
        let text = std::str::from_utf8(xml).map_err(|e| FormatError::Invalid {
            path: self.path.clone(),
            object: obj.clone(),
            message: format!("not UTF-8: {e}"),
        })?;
        crate::xml::parse(text.trim()).map_err(|e| FormatError::Invalid {
            path: self.path.clone(),
            object: obj.clone(),
            message: e.to_string(),
        })?;
        let g = h5::group_require(self.h5(), "Provenance").map_err(|m| self.err(&obj, m))?;
        self.put_blob(&g, name, &obj, xml, None, None)
    }
}

pub(crate) fn path_str(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| FormatError::Invalid {
        path: path.into(),
        object: "/".into(),
        message: "the path is not valid UTF-8".into(),
    })
}

/// The first few names, for error messages.
pub(crate) fn summarize(names: &[String]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    let mut s = names.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > 8 {
        s.push_str(&format!(", ... ({} in all)", names.len()));
    }
    s
}

/// `bytes.strip()` as pyasdf reads XML blobs.
pub(crate) fn trim_ascii(mut b: Vec<u8>) -> Vec<u8> {
    while b.last().is_some_and(|c| c.is_ascii_whitespace()) {
        b.pop();
    }
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    b.drain(..start);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored chunks of a 1-D dataset, as they are in the file.
    fn stored_chunks(file: &AsdfFile, object: &str) -> Vec<Vec<u8>> {
        let ds = h5::dataset_open(file.h5(), object).unwrap();
        let (n, c) = (h5::dataset_shape(&ds).unwrap()[0], h5::dataset_chunk(&ds).unwrap().unwrap()[0]);
        (0..n.div_ceil(c)).map(|i| h5::chunk_read(&ds, &[i * c]).unwrap().unwrap().0).collect()
    }

    #[test]
    fn a_copied_stationxml_is_the_same_bytes_and_keeps_its_chunks_when_compressed_alike() {
        let dir = tempfile::tempdir().unwrap();
        let src_path = dir.path().join("src.h5");
        crate::testing::write_sample(&src_path, &crate::testing::SampleOptions { stations: 1, seconds: 1.0, ..Default::default() }).unwrap();
        let src = AsdfFile::open(&src_path).unwrap();
        let sta = src.station("XX.S0000").unwrap();
        let object = "/Waveforms/XX.S0000/StationXML";
        let (source_bytes, source_chunks) = (sta.stationxml_bytes().unwrap().unwrap(), stored_chunks(&src, object));
        for (name, compression, same_chunks) in [("alike.h5", Compression::default(), true), ("gzip5.h5", Compression::Gzip(5), false)] {
            let mut dst = AsdfFile::create_with(dir.path().join(name), FormatVersion::default(), compression).unwrap();
            let doc = sta.stationxml_document().unwrap().unwrap();
            dst.copy_stationxml("XX.S0000", &doc.bytes, doc.stored.as_ref()).unwrap();
            assert_eq!(dst.station("XX.S0000").unwrap().stationxml_bytes().unwrap().unwrap(), source_bytes, "{name}");
            assert_eq!(stored_chunks(&dst, object) == source_chunks, same_chunks, "{name}");
        }
        // Whitespace around a document is kept: the copy is byte for byte.
        let mut dst = AsdfFile::create(dir.path().join("padded.h5")).unwrap();
        dst.copy_stationxml("XX.S0001", b"  <x/>\n", None).unwrap();
        let ds = h5::dataset_open(dst.h5(), "/Waveforms/XX.S0001/StationXML").unwrap();
        assert_eq!(h5::bytes_dataset_read(&ds).unwrap(), b"  <x/>\n");
    }

    #[test]
    fn chunks_read_together_come_back_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bytes");
        let content: Vec<u8> = (0..=255u8).cycle().take(READ_AT_ONCE + 1000).collect();
        std::fs::write(&path, &content).unwrap();
        let raw = RawBytes { file: std::fs::File::open(&path).unwrap(), base: 100, len: content.len() as u64 };
        let span = |addr: u64, size: usize| Some(h5::ChunkSpan { addr, size, mask: addr as u32 });
        // A run, a missing chunk, a gap, and a run longer than one read.
        let spans = [span(0, 10), span(10, 5), None, span(40, 10), span(50, READ_AT_ONCE - 60), span(READ_AT_ONCE as u64 - 10, 700)];
        let got = raw.chunks(&spans).unwrap();
        assert_eq!(got.len(), spans.len());
        for (s, g) in spans.iter().zip(&got) {
            match (s, g) {
                (Some(s), Some((bytes, mask))) => {
                    let at = 100 + s.addr as usize;
                    assert_eq!((&bytes[..], *mask), (&content[at..at + s.size], s.addr as u32));
                }
                (None, None) => {}
                _ => panic!("{s:?} read as {:?}", g.as_ref().map(|(b, _)| b.len())),
            }
        }
        // A chunk said to lie past the end of the file: refused before anything is allocated.
        let e = raw.chunks(&[span(READ_AT_ONCE as u64, 2000)]).unwrap_err();
        assert!(e.kind() == h5::H5ErrorKind::Read && e.to_string().contains("truncated"), "{e}");
        let e = raw.chunks(&[span(0, usize::MAX / 2)]).unwrap_err();
        assert!(e.to_string().contains("past the end of the file"), "{e}");
    }
}
