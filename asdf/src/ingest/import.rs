//! `asdf import`: the run. Rank 0 expands the inputs and scans their record headers into a plan
//! (one job per station, largest first), parses the StationXML and QuakeML, and opens the
//! journaled output; every rank's workers decode their stations' records, assemble traces
//! ([`super::assemble`]) and compress them; rank 0 writes. Killed, it resumes with `--resume`
//! without redoing the stations already written. A damaged or unreadable file is reported with
//! its path and the record offset where reading stopped, its readable records are kept, and the
//! import ends with [`ImportReport::ok`] false (the tool exits 1).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::engine::backend::{local_ranks, Ctx};
use crate::engine::budget::MemoryBudget;
use crate::engine::output::{self, journaled};
use crate::engine::plan::Job;
use crate::engine::products::Products;
use crate::engine::progress::Progress;
use crate::engine::scheduler::{run_jobs, Finished, Outcome, Payload};
use crate::engine::{EngineError, Summary};
use crate::format::{encode_trace, station_documents, AsdfFile, Compression, FormatVersion};
use crate::model::event::Events;
use crate::model::inventory::Inventory;
use crate::model::time::UtcTime;

use super::archive::{expand_inputs, sac_trace, scan, sds_files, Found, RecordFilter, Selection};
use super::assemble::{assemble, Piece};
use super::mseed::{read_records, Damage, RecordHeader, RecordSamples};
use super::sac::{events_quakeml, SacEvent};
use super::IngestError;

/// Bytes of memory a sample takes while its station is imported (decoded, joined, compressed).
const IMPORT_BYTES_PER_SAMPLE: u64 = 16;

/// How to import.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// The waveform tag (default `raw_recording`, as pyasdf's examples).
    pub tag: String,
    /// Stations, channels and time window to import.
    pub selection: Selection,
    /// SDS archive roots to read (as well as the inputs).
    pub sds: Vec<PathBuf>,
    /// StationXML files or directories of them: each station's metadata, merged per station as
    /// pyasdf's `add_stationxml` does.
    pub stationxml: Vec<PathBuf>,
    /// QuakeML files: their events go to the file's `/QuakeML`.
    pub events: Vec<PathBuf>,
    /// Associates every imported trace with this event (a resource id in `events`).
    pub event_id: Option<String>,
    /// Adds to an existing output instead of refusing it.
    pub append: bool,
    /// Continues an interrupted import (its journal next to the output).
    pub resume: bool,
    /// Worker threads per process (default: every core).
    pub threads: Option<usize>,
    /// The output's compression (default gzip-3 with shuffle, pyasdf's).
    pub compression: Compression,
    /// No progress bar, no messages.
    pub quiet: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            tag: "raw_recording".into(),
            selection: Selection::default(),
            sds: Vec::new(),
            stationxml: Vec::new(),
            events: Vec::new(),
            event_id: None,
            append: false,
            resume: false,
            threads: None,
            compression: Compression::default(),
            quiet: false,
        }
    }
}

/// A file the import could not read in full: which stretch, and why. Its other records were
/// imported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// The file.
    pub path: PathBuf,
    /// Where, why, and whether reading went on.
    pub damage: Damage,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.damage)
    }
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Files scanned.
    pub files: usize,
    /// Records in them.
    pub records: u64,
    /// Seconds the scan of record headers took.
    pub scan_seconds: f64,
    /// Damaged or unreadable files (each makes the import not [`ok`](Self::ok)).
    pub problems: Vec<Problem>,
    /// What was passed over on purpose: files found in directories that are not miniSEED, text
    /// (log) channels, a segment whose dataset name another one of its station already has.
    pub notes: Vec<String>,
    /// The run: jobs (stations), traces written, failed stations, time.
    pub run: Summary,
}

impl ImportReport {
    /// Whether everything selected was imported: no damaged file, no failed station.
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && self.run.failed.is_empty()
    }
}

/// The plan rank 0 makes and every rank follows.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Plan {
    jobs: Vec<Job>,
    /// Per job, the files holding its station.
    files: Vec<Vec<PathBuf>>,
    version: String,
    scanned: usize,
    records: u64,
    scan_seconds: f64,
    problems: Vec<Problem>,
    notes: Vec<String>,
    /// The event each SAC file's header names (its resource id in the file's QuakeML).
    sac_events: BTreeMap<PathBuf, String>,
}

/// What a station's job reports besides its traces (kept in the journal with them).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct JobRecord {
    problems: Vec<Problem>,
    notes: Vec<String>,
}

/// Imports `inputs` (miniSEED files, directories, globs; plus `opts.sds` roots) into `output`.
/// Detects MPI as the processing engine does; run it on one process to use every core.
pub fn import(output: &Path, inputs: &[PathBuf], opts: &ImportOptions) -> Result<ImportReport, IngestError> {
    let ctx = Ctx::detect(opts.threads)?;
    import_with(&ctx, output, inputs, opts)
}

/// [`import`] in an existing engine context.
pub fn import_with(ctx: &Ctx, output: &Path, inputs: &[PathBuf], opts: &ImportOptions) -> Result<ImportReport, IngestError> {
    let start = Instant::now();
    let (plan, metadata) = if ctx.is_root() {
        let planned = plan_root(output, inputs, opts);
        ctx.send_verdict(&planned.as_ref().map(|(p, _)| p).map_err(ToString::to_string))?;
        planned?
    } else {
        (ctx.receive_verdict::<Plan>()?, Metadata::default())
    };
    let version = FormatVersion::parse(&plan.version).unwrap_or(FormatVersion::V1_0_3);
    let budget = MemoryBudget::default_for(local_ranks()).map(MemoryBudget::new);
    let mut report = ImportReport {
        files: plan.scanned,
        records: plan.records,
        scan_seconds: plan.scan_seconds,
        problems: plan.problems.clone(),
        notes: plan.notes.clone(),
        run: Summary { jobs: plan.jobs.len(), output: output.to_path_buf(), ranks: ctx.size, threads: ctx.threads, memory_budget: budget.as_ref().map(MemoryBudget::limit), ..Summary::default() },
    };
    if !opts.quiet && ctx.is_root() {
        let samples: u64 = plan.jobs.iter().map(|j| j.samples).sum();
        eprintln!("scanned {} files ({} records) in {:.2} s: {} stations, {} samples to import", plan.scanned, plan.records, plan.scan_seconds, plan.jobs.len(), samples);
    }

    let write_metadata = |file: &mut AsdfFile| -> Result<(), EngineError> {
        file.expect_stations(plan.jobs.len() as u64 + file.station_count());
        for (path, station, doc) in &metadata.stationxml {
            let failed = |e: crate::format::FormatError| EngineError::Output { path: path.clone(), message: e.to_string() };
            // A station's first document is stored as given; one the file already has is merged
            // with it (as pyasdf's add_stationxml), which writes the merged document anew.
            let has = file.has_station(station).map_err(failed)? && file.station(station).and_then(|s| s.has_stationxml()).map_err(failed)?;
            if has {
                let inv = Inventory::from_stationxml(doc).map_err(|e| EngineError::Output { path: path.clone(), message: e.to_string() })?;
                file.add_stationxml(&inv).map_err(failed)?;
            } else {
                file.put_stationxml_bytes(station, doc).map_err(failed)?;
            }
        }
        if let Some(events) = &metadata.events {
            file.add_quakeml(events)?;
        }
        Ok(())
    };
    let settings = journaled::Settings {
        resume: opts.resume,
        compression: opts.compression,
        metadata: &write_metadata,
        shared_names: opts.append,
        base: opts.append.then_some(output),
    };
    let (writer, pending) = journaled::open(ctx, output, &settings, &plan.jobs)?;
    report.run.resumed = plan.jobs.len() - pending.len();

    let work = |i: usize| -> Outcome {
        let job = &plan.jobs[i];
        let _held = budget.as_ref().map(|b| b.reserve(job.samples.saturating_mul(IMPORT_BYTES_PER_SAMPLE)));
        import_station(job, &plan.files[i], &plan.sac_events, version, opts)
    };
    let mut progress = Progress::new(pending.len(), opts.quiet || !ctx.is_root(), "stations");
    let result = match writer {
        Some(mut writer) => {
            let quiet = opts.quiet;
            let summary = &mut report.run;
            let mut sink = |fin: Finished| -> Result<(), EngineError> {
                progress.tick();
                writer.take(&plan.jobs, fin, summary, quiet)
            };
            let run = run_jobs(ctx, pending, &work, &mut sink);
            for bytes in writer.records().values() {
                if let Ok(r) = serde_json::from_slice::<JobRecord>(bytes) {
                    report.problems.extend(r.problems);
                    report.notes.extend(r.notes);
                }
            }
            output::close(writer, run)
        }
        None => run_jobs(ctx, pending, &work, &mut |_| Err(EngineError::Mpi("a result reached a rank that does not write".into()))),
    };
    ctx.barrier();
    result?;
    report.problems.sort();
    report.problems.dedup();
    report.run = std::mem::take(&mut report.run).finish(start);
    Ok(report)
}

/// The StationXML and QuakeML to write, parsed before the run starts (rank 0 only).
#[derive(Default)]
struct Metadata {
    /// Each file's documents, one per station: (file, `NET.STA`, the document).
    stationxml: Vec<(PathBuf, String, Vec<u8>)>,
    events: Option<Events>,
}

/// Rank 0: checks the output, expands and scans the inputs, parses the metadata, plans.
fn plan_root(output: &Path, inputs: &[PathBuf], opts: &ImportOptions) -> Result<(Plan, Metadata), IngestError> {
    crate::format::validate_tag(&opts.tag).map_err(|e| IngestError::Usage(format!("--tag: {e}")))?;
    let version = if opts.append {
        if !output.is_file() {
            return Err(IngestError::Usage(format!("{}: --append adds to an existing ASDF file, and there is none", output.display())));
        }
        output::check_no_unfinished_run(output, opts.resume)?;
        AsdfFile::open(output)?.version()
    } else {
        output::check_can_start(output, opts.resume)?;
        FormatVersion::V1_0_3
    };
    if inputs.is_empty() && opts.sds.is_empty() {
        return Err(IngestError::Usage("nothing to import: give miniSEED files, directories or globs, or --sds ROOT".into()));
    }
    let mut metadata = read_metadata(opts)?;

    let scan_start = Instant::now();
    let mut files = expand_inputs(inputs)?;
    for root in &opts.sds {
        files.extend(sds_files(root, &opts.selection)?.into_iter().map(|p| (p, Found::Walked)));
    }
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);
    let scanned = scan(&files, &opts.selection);
    let scan_seconds = scan_start.elapsed().as_secs_f64();

    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut stations: BTreeMap<String, (u64, Vec<PathBuf>)> = BTreeMap::new();
    let mut text_channels = std::collections::BTreeSet::new();
    for f in &scanned {
        if f.not_miniseed() && f.found == Found::Walked {
            notes.push(format!("{}: neither miniSEED nor SAC, passed over", f.path.display()));
            continue;
        }
        problems.extend(f.damage.iter().map(|d| Problem { path: f.path.clone(), damage: d.clone() }));
        for c in &f.channels {
            if c.text {
                text_channels.insert(c.id.clone());
                continue;
            }
            let station = c.id.splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
            if station == "." {
                let message = format!("{:?} has neither a network nor a station code; ASDF stores a trace under NET.STA, so it is not imported", c.id);
                problems.push(Problem { path: f.path.clone(), damage: Damage { offset: 0, message, resumed_at: None } });
                continue;
            }
            let entry = stations.entry(station).or_default();
            entry.0 += c.samples;
            if entry.1.last() != Some(&f.path) {
                entry.1.push(f.path.clone());
            }
        }
    }
    notes.extend(text_channels.into_iter().map(|id| format!("{id}: text (log) records, not a waveform: not imported")));
    // Events SAC headers name, one per distinct (place, depth, time), as pyasdf's sac2asdf.
    let mut sac_events = BTreeMap::new();
    let mut distinct: Vec<SacEvent> = scanned.iter().filter(|f| !f.channels.is_empty()).filter_map(|f| f.event).collect();
    distinct.sort_by(|a, b| (a.origin_ns, a.latitude, a.longitude, a.depth).partial_cmp(&(b.origin_ns, b.latitude, b.longitude, b.depth)).unwrap_or(std::cmp::Ordering::Equal));
    distinct.dedup();
    if !distinct.is_empty() {
        let named: Vec<(String, SacEvent)> = distinct.iter().enumerate().map(|(i, e)| (format!("smi:local/asdf-import/sac-event/{}", i + 1), *e)).collect();
        for f in &scanned {
            if let Some(e) = f.event {
                if let Some((id, _)) = named.iter().find(|(_, n)| *n == e) {
                    sac_events.insert(f.path.clone(), id.clone());
                }
            }
        }
        let made = Events::from_quakeml(events_quakeml(&named)).map_err(|m| IngestError::Usage(format!("the events of SAC headers: {m}")))?;
        metadata.events = Some(match metadata.events.take() {
            Some(given) => given.merged_with(&made).map_err(|m| IngestError::Usage(format!("the events of SAC headers: {m}")))?,
            None => made,
        });
        notes.push(format!("{} event(s) made from SAC headers (evla, evlo, evdp, o); their traces refer to them", named.len()));
    }
    // Stations that only SAC files describe: StationXML from their headers' coordinates.
    for (station, inv) in inventories_from_sac(&scanned, &metadata, opts) {
        notes.push(format!("{station}: StationXML made from SAC headers (stla, stlo, stel, stdp, cmpaz, cmpinc)"));
        metadata.stationxml.push((PathBuf::from("SAC headers"), station, inv.to_stationxml()));
    }
    if stations.is_empty() {
        let why: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let selected = if opts.selection == Selection::default() { "" } else { " match the selection" };
        return Err(IngestError::Usage(format!("nothing to import: no miniSEED or SAC data{selected} in the {} file(s) given{}{}", scanned.len(), if why.is_empty() { "" } else { ":\n  " }, why.join("\n  "))));
    }
    let mut planned: Vec<(Job, Vec<PathBuf>)> = stations.into_iter().map(|(station, (samples, files))| (Job { station, tag: opts.tag.clone(), samples }, files)).collect();
    planned.sort_by(|a, b| b.0.samples.cmp(&a.0.samples).then_with(|| a.0.station.cmp(&b.0.station)));
    let (jobs, files): (Vec<Job>, Vec<Vec<PathBuf>>) = planned.into_iter().unzip();
    let plan = Plan {
        jobs,
        files,
        version: version.as_str().to_string(),
        scanned: scanned.len(),
        records: scanned.iter().map(|f| f.records).sum(),
        scan_seconds,
        problems,
        notes,
        sac_events,
    };
    Ok((plan, metadata))
}

/// An inventory for every selected station without StationXML whose SAC files give coordinates:
/// one channel per SAC channel (its span, rate, azimuth and dip), the station where the first
/// file puts it.
fn inventories_from_sac(scanned: &[super::archive::ScannedFile], metadata: &Metadata, opts: &ImportOptions) -> Vec<(String, Inventory)> {
    use crate::model::inventory::{Channel, Network, Station};
    let described: std::collections::HashSet<&str> = metadata.stationxml.iter().map(|(_, s, _)| s.as_str()).collect();
    let mut stations: BTreeMap<String, Station> = BTreeMap::new();
    for c in scanned.iter().flat_map(|f| &f.channels) {
        let Some(at) = c.coordinates else { continue };
        let mut codes = c.id.splitn(4, '.');
        let (net, sta, loc, cha) = (codes.next().unwrap_or(""), codes.next().unwrap_or(""), codes.next().unwrap_or(""), codes.next().unwrap_or(""));
        let name = format!("{net}.{sta}");
        if described.contains(name.as_str()) || !opts.selection.station(&name) || net.is_empty() || sta.is_empty() {
            continue;
        }
        let (start, end) = (UtcTime::from_ns(c.start_ns), UtcTime::from_ns(c.end_ns));
        let station = stations.entry(name).or_insert_with(|| Station {
            code: sta.to_string(),
            latitude: at.latitude,
            longitude: at.longitude,
            elevation: at.elevation,
            site_name: sta.to_string(),
            ..Station::default()
        });
        station.start_date = Some(station.start_date.map_or(start, |s| s.min(start)));
        station.end_date = Some(station.end_date.map_or(end, |e| e.max(end)));
        if !station.channels.iter().any(|ch| ch.code == cha && ch.location_code == loc && ch.start_date == Some(start)) {
            station.channels.push(Channel {
                code: cha.to_string(),
                location_code: loc.to_string(),
                start_date: Some(start),
                end_date: Some(end),
                latitude: at.latitude,
                longitude: at.longitude,
                elevation: at.elevation,
                depth: at.depth,
                azimuth: at.azimuth,
                dip: at.dip,
                sample_rate: Some(c.sampling_rate),
                ..Channel::default()
            });
        }
    }
    stations
        .into_iter()
        .map(|(name, station)| {
            let net = name.split('.').next().unwrap_or("").to_string();
            let network = Network { code: net, start_date: station.start_date, end_date: station.end_date, stations: vec![station], ..Network::default() };
            let inv = Inventory { source: "asdf import (SAC headers)".into(), schema_version: "1.2".into(), networks: vec![network], ..Inventory::default() };
            (name, inv)
        })
        .collect()
}

/// Parses every StationXML and QuakeML file given, and checks the event id against the events.
fn read_metadata(opts: &ImportOptions) -> Result<Metadata, IngestError> {
    let mut metadata = Metadata::default();
    if !opts.stationxml.is_empty() {
        for (path, _) in expand_inputs(&opts.stationxml)? {
            let bytes = std::fs::read(&path).map_err(|e| IngestError::Input { path: path.clone(), message: e.to_string() })?;
            Inventory::from_stationxml(&bytes).map_err(|e| IngestError::Metadata { path: path.clone(), message: format!("not valid StationXML: {e}") })?;
            let docs = station_documents(&bytes).map_err(|e| IngestError::Metadata { path: path.clone(), message: format!("not valid StationXML: {e}") })?;
            for (station, doc) in docs {
                if opts.selection.station(&station) {
                    metadata.stationxml.push((path.clone(), station, doc));
                }
            }
        }
    }
    for path in &opts.events {
        let bytes = std::fs::read(path).map_err(|e| IngestError::Input { path: path.clone(), message: e.to_string() })?;
        let events = Events::from_quakeml(bytes).map_err(|m| IngestError::Metadata { path: path.clone(), message: format!("not valid QuakeML: {m}") })?;
        metadata.events = Some(match metadata.events.take() {
            Some(all) => all.merged_with(&events).map_err(|m| IngestError::Metadata { path: path.clone(), message: m })?,
            None => events,
        });
    }
    if let Some(id) = &opts.event_id {
        let known = metadata.events.as_ref().map(|e| e.event_ids().to_vec()).unwrap_or_default();
        if !known.iter().any(|k| k == id) {
            let hint = if known.is_empty() { "give the QuakeML that holds it with --events".to_string() } else { format!("the events given are {}", known.join(", ")) };
            return Err(IngestError::Usage(format!("--event-id {id}: no such event; {hint}")));
        }
    }
    Ok(metadata)
}

/// One station's job: decode its records in every file, assemble and compress its traces.
fn import_station(job: &Job, files: &[PathBuf], sac_events: &BTreeMap<PathBuf, String>, version: FormatVersion, opts: &ImportOptions) -> Outcome {
    let mut record = JobRecord::default();
    let (network, station) = job.station.split_once('.').unwrap_or(("", &job.station));
    // Per channel, quality and event (SAC files naming different events never join).
    let mut channels: BTreeMap<(String, u8, Option<String>), Vec<Piece>> = BTreeMap::new();
    for path in files {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                record.problems.push(Problem { path: path.clone(), damage: Damage { offset: 0, message: format!("cannot read: {e}"), resumed_at: None } });
                continue;
            }
        };
        // Damage the scan found is reported once, by the plan; a record that does not decode
        // is reported here.
        let mut filter = RecordFilter::new(&opts.selection);
        let mut select = |h: &RecordHeader| &*h.network == network && &*h.station == station && !h.is_text() && filter.record(h);
        if let Some(sac) = sac_trace(&bytes) {
            // A SAC file is one trace (its damage, if any, the plan reported).
            if let Ok((h, samples)) = sac {
                if select(&h) {
                    let id = format!("{}.{}.{}.{}", h.network, h.station, h.location, h.channel);
                    channels.entry((id, h.publication, sac_events.get(path).cloned())).or_default().push(Piece { header: h, samples: RecordSamples::F32(samples) });
                }
            }
            continue;
        }
        let read = read_records(&bytes, select);
        record.problems.extend(read.undecodable.into_iter().map(|damage| Problem { path: path.clone(), damage }));
        for (h, samples) in read.records {
            if let Some(samples) = samples {
                let id = format!("{}.{}.{}.{}", h.network, h.station, h.location, h.channel);
                channels.entry((id, h.publication, None)).or_default().push(Piece { header: h, samples });
            }
        }
    }
    let mut traces = Vec::new();
    let mut names = std::collections::HashSet::new();
    for ((id, _, event), pieces) in channels {
        for seg in assemble(pieces) {
            let Some(seg) = seg.trimmed(opts.selection.start_ns, opts.selection.end_ns) else { continue };
            let mut tr = seg.into_trace(&id);
            tr.stats.asdf.event_ids = opts.event_id.clone().or_else(|| event.clone()).into_iter().collect();
            let encoded = match encode_trace(&tr, &opts.tag, version, opts.compression) {
                Ok(e) => e,
                Err(m) => return Outcome::Failed(m),
            };
            if !names.insert(encoded.name.clone()) {
                record.notes.push(format!("{}: a second segment named {} (an overlap within the same seconds) is not imported; pyasdf keeps only the first too", job.station, encoded.name));
                continue;
            }
            traces.push(encoded);
        }
    }
    if traces.is_empty() {
        return match record.problems.first() {
            Some(p) => Outcome::Failed(p.to_string()),
            None => Outcome::Nothing,
        };
    }
    let mut products = Products::traces(traces);
    if !record.problems.is_empty() || !record.notes.is_empty() {
        products.record = serde_json::to_vec(&record).ok();
    }
    Outcome::Done(Payload::Products(products))
}
