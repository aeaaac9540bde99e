//! The `asdf` tool: `info`, `ls`, `validate`, `diff`, `merge`, `import`, `export` and `sample`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, Command};

use crate::format::{diff, merge_shards, validate, AsdfFile, Compression, Severity};
use crate::testing::{synthetic_grid, write_sample, write_synthetics, SampleOptions, SYNTHETIC_RATE};
use crate::model::time::UtcTime;

use super::{EXIT_JOBS_FAILED, EXIT_OK, EXIT_USAGE};

fn command() -> Command {
    Command::new("asdf")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Look inside ASDF files and make sample data sets")
        .subcommand_required(true)
        .subcommand(
            Command::new("sample")
                .about("Write a realistic sample data set (stations x 3 channels, StationXML with responses, one event)")
                .arg(Arg::new("out").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("stations").long("stations").default_value("10").value_parser(clap::value_parser!(usize)))
                .arg(Arg::new("seconds").long("seconds").default_value("600").value_parser(clap::value_parser!(f64)))
                .arg(Arg::new("hours").long("hours").value_parser(clap::value_parser!(f64)).help("Trace length in hours (overrides --seconds)"))
                .arg(Arg::new("rate").long("rate").default_value("100").value_parser(clap::value_parser!(f64)))
                .arg(Arg::new("seed").long("seed").default_value("1").value_parser(clap::value_parser!(u64)))
                .arg(Arg::new("compression").long("compression").default_value("gzip-3"))
                .arg(
                    Arg::new("synthetics")
                        .long("synthetics")
                        .value_name("SYN.h5")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("Also write matching synthetics (same stations and event; tag `synthetic`, BX? at 10 Hz from the origin, float32 m)"),
                ),
        )
        .subcommand(
            Command::new("info")
                .about("Format version, size, stations, traces, tags, events, provenance and auxiliary data")
                .arg(Arg::new("file").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("json").long("json").action(ArgAction::SetTrue)),
        )
        .subcommand(
            Command::new("ls")
                .about("Stations with their tags, channels, sample rates, time ranges and StationXML; or the traces of one station")
                .arg(Arg::new("file").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("station").required(false).help("NET.STA: list this station's traces in detail")),
        )
        .subcommand(
            Command::new("validate")
                .about("Check every rule of pyasdf and the ASDF definition; exit 1 when any is broken")
                .arg(Arg::new("file").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("json").long("json").action(ArgAction::SetTrue)),
        )
        .subcommand(
            Command::new("diff")
                .about("Compare two files: stations, traces, attributes and samples; exit 1 when they differ")
                .arg(Arg::new("a").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("b").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(
                    Arg::new("rtol")
                        .long("rtol")
                        .default_value("0")
                        .value_parser(clap::value_parser!(f64))
                        .help("Samples differ when max|A-B| > rtol x max|A| (0: identical)"),
                )
                .arg(Arg::new("json").long("json").action(ArgAction::SetTrue)),
        )
        .subcommand(super::import::command())
        .subcommand(super::import::export_command())
        .subcommand(
            Command::new("merge")
                .about("Join the outputs of a job array's shards (--shard I/N) into one file, as one run would have written it (objects copied as stored), and their records (SHARD.json) into OUT.json")
                .arg(Arg::new("out").required(true).value_name("OUT.h5").value_parser(clap::value_parser!(PathBuf)).help("The file to create (must not exist)"))
                .arg(Arg::new("shards").required(true).num_args(1..).value_name("SHARD.h5").value_parser(clap::value_parser!(PathBuf)).help("Every shard's output, in any order")),
        )
}

/// Runs the tool with the process's arguments.
pub fn main() -> ExitCode {
    let m = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    let r = match m.subcommand() {
        Some(("sample", a)) => sample(a).map(|()| EXIT_OK),
        Some(("info", a)) => info(a).map(|()| EXIT_OK),
        Some(("ls", a)) => ls(a).map(|()| EXIT_OK),
        Some(("validate", a)) => validate_cmd(a),
        Some(("diff", a)) => diff_cmd(a),
        Some(("merge", a)) => merge_cmd(a).map(|()| EXIT_OK),
        Some(("import", a)) => super::import::run(a),
        Some(("export", a)) => super::import::run_export(a),
        _ => Err("unknown subcommand".to_string()),
    };
    match r {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn merge_cmd(a: &clap::ArgMatches) -> Result<(), String> {
    let out = a.get_one::<PathBuf>("out").cloned().unwrap_or_default();
    let shards: Vec<PathBuf> = a.get_many::<PathBuf>("shards").map(|v| v.cloned().collect()).unwrap_or_default();
    // The records are read and joined first, so that nothing is written when they do not join.
    let records = merged_records(&out, &shards)?;
    let s = merge_shards(&out, &shards).map_err(|e| e.to_string())?;
    println!("wrote {}: {} shards joined, {} objects copied", out.display(), s.shards, s.objects);
    if let Some((path, json)) = records {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".partial");
        std::fs::write(&tmp, json.as_bytes()).and_then(|()| std::fs::rename(&tmp, &path)).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}: the shards' records", path.display());
    }
    Ok(())
}

/// The records of a multi-input job's shards (each run writes `SHARD.json` beside its output),
/// joined for `OUT.json`: every station's record, the failed jobs and the stations some inputs
/// lack. `None` when the shards have no records; an error naming the file when only some have,
/// when one does not parse, when two hold the same station, or when `OUT.json` exists.
fn merged_records(out: &std::path::Path, shards: &[PathBuf]) -> Result<Option<(PathBuf, String)>, String> {
    let files: Vec<PathBuf> = shards.iter().map(|s| s.with_extension("json")).collect();
    let (present, absent): (Vec<&PathBuf>, Vec<&PathBuf>) = files.iter().partition(|f| f.exists());
    if present.is_empty() {
        return Ok(None);
    }
    if let Some(f) = absent.first() {
        return Err(format!("{}: missing, but other shards have their records beside them; every shard's is needed", f.display()));
    }
    let target = out.with_extension("json");
    if target.exists() {
        return Err(format!("{}: already exists; refusing to overwrite it", target.display()));
    }
    let (mut records, mut failed, mut incomplete) = (serde_json::Map::new(), Vec::new(), Vec::new());
    for f in &files {
        let text = std::fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let v: serde_json::Value = serde_json::from_slice(&text).map_err(|e| format!("{}: not a records file: {e}", f.display()))?;
        for (station, r) in v["records"].as_object().into_iter().flatten() {
            if records.insert(station.clone(), r.clone()).is_some() {
                return Err(format!("{}: station {station} is also in another shard's records: the shards overlap", f.display()));
            }
        }
        failed.extend(v["failed"].as_array().into_iter().flatten().cloned());
        incomplete.extend(v["incomplete"].as_array().into_iter().flatten().cloned());
    }
    let joined = serde_json::json!({ "records": records, "failed": failed, "incomplete": incomplete, "shards": shards });
    let json = serde_json::to_string_pretty(&joined).map_err(|e| e.to_string())?;
    Ok(Some((target, json)))
}

fn sample(a: &clap::ArgMatches) -> Result<(), String> {
    let out = a.get_one::<PathBuf>("out").cloned().unwrap_or_default();
    let compression: Compression = a.get_one::<String>("compression").map(|s| s.parse()).transpose()?.unwrap_or_default();
    let seconds = a.get_one::<f64>("hours").map(|h| h * 3600.0).or(a.get_one::<f64>("seconds").copied()).unwrap_or(600.0);
    let opts = SampleOptions {
        stations: a.get_one::<usize>("stations").copied().unwrap_or(10),
        seconds,
        rate: a.get_one::<f64>("rate").copied().unwrap_or(100.0),
        seed: a.get_one::<u64>("seed").copied().unwrap_or(1),
        compression,
        ..SampleOptions::default()
    };
    opts.check().map_err(|m| format!("--rate, --seconds/--hours or --stations: {m}"))?;
    let synthetics = a.get_one::<PathBuf>("synthetics");
    if let Some(syn) = synthetics {
        synthetic_grid(&opts).map_err(|m| format!("--synthetics: {m}"))?;
        if syn == &out || syn.exists() {
            return Err(format!("--synthetics {}: exists or is the data set's file; refusing to overwrite it", syn.display()));
        }
    }
    write_sample(&out, &opts).map_err(|e| e.to_string())?;
    if let Some(syn) = synthetics {
        write_synthetics(syn, &opts).map_err(|e| e.to_string())?;
        let (_, nstep) = synthetic_grid(&opts)?;
        println!("wrote {}: {} stations x 3 synthetic channels x {nstep} samples at {SYNTHETIC_RATE} Hz from the event origin", syn.display(), opts.stations);
    }
    println!(
        "wrote {}: {} stations x 3 channels x {} samples ({} s at {} Hz), {}",
        out.display(),
        opts.stations,
        (opts.seconds * opts.rate).round(),
        opts.seconds,
        opts.rate,
        opts.compression
    );
    Ok(())
}

fn info(a: &clap::ArgMatches) -> Result<(), String> {
    let path = a.get_one::<PathBuf>("file").cloned().unwrap_or_default();
    let ds = AsdfFile::open(&path).map_err(|e| e.to_string())?;
    let stations = ds.station_names().map_err(|e| e.to_string())?;
    let mut traces = 0usize;
    let mut with_xml = 0usize;
    let mut tags = std::collections::BTreeSet::new();
    let mut pipelines = std::collections::BTreeSet::new();
    let (mut first, mut last): (Option<UtcTime>, Option<UtcTime>) = (None, None);
    for s in &stations {
        let g = ds.station(s).map_err(|e| e.to_string())?;
        let w = g.waveforms().map_err(|e| e.to_string())?;
        traces += w.len();
        // Times from the names (to the second) keep this to metadata; one header per station
        // tells the compression.
        for (_, n) in &w {
            if let (Some(a), Some(b)) = (n.start_time(), n.end_time()) {
                first = Some(first.map_or(a, |f| f.min(a)));
                last = Some(last.map_or(b, |l| l.max(b)));
            }
        }
        if let Some((name, _)) = w.first() {
            pipelines.insert(g.header(name).map_err(|e| e.to_string())?.filters);
        }
        tags.extend(w.into_iter().map(|(_, n)| n.tag));
        with_xml += g.has_stationxml().map_err(|e| e.to_string())? as usize;
    }
    let events = ds.events().map_err(|e| e.to_string())?.map(|e| e.len()).unwrap_or(0);
    let v = serde_json::json!({
        "file": path,
        "format_version": ds.version_in_file(),
        "size_bytes": ds.file_size().map_err(|e| e.to_string())?,
        "stations": stations.len(),
        "stations_with_stationxml": with_xml,
        "traces": traces,
        "tags": tags,
        "compression": pipelines,
        "time_span": match (first, last) {
            (Some(a), Some(b)) => format!("{} - {} (to the second, from the names)", a.seconds_string(), b.seconds_string()),
            _ => "-".to_string(),
        },
        "events": events,
        "provenance_documents": ds.provenance_names().map_err(|e| e.to_string())?.len(),
        "auxiliary_data": ds.auxiliary_paths().map_err(|e| e.to_string())?.len(),
    });
    if a.get_flag("json") {
        println!("{}", serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?);
    } else if let Some(o) = v.as_object() {
        for (k, val) in o {
            println!("{k:>26}: {val}");
        }
    }
    Ok(())
}

fn ls(a: &clap::ArgMatches) -> Result<(), String> {
    let path = a.get_one::<PathBuf>("file").cloned().unwrap_or_default();
    let ds = AsdfFile::open(&path).map_err(|e| e.to_string())?;
    let e = |e: crate::FormatError| e.to_string();
    match a.get_one::<String>("station") {
        None => {
            println!("{:<12} {:>6}  {:<24} {:<16} {:<10} {:<41} StationXML", "station", "traces", "tags", "channels", "rates", "time range");
            for s in ds.station_names().map_err(e)? {
                let g = ds.station(&s).map_err(e)?;
                let names = g.waveforms().map_err(e)?;
                let mut channels = std::collections::BTreeSet::new();
                let mut rates = std::collections::BTreeSet::new();
                let (mut first, mut last): (Option<UtcTime>, Option<UtcTime>) = (None, None);
                // Times from the names (to the second) and one attribute per trace: metadata only.
                for (n, w) in &names {
                    channels.insert(w.channel.clone());
                    rates.insert(format!("{}", g.sampling_rate(n).map_err(e)?));
                    if let (Some(a), Some(b)) = (w.start_time(), w.end_time()) {
                        first = Some(first.map_or(a, |f| f.min(a)));
                        last = Some(last.map_or(b, |l| l.max(b)));
                    }
                }
                let span = match (first, last) {
                    (Some(a), Some(b)) => format!("{} - {}", a.seconds_string(), b.seconds_string()),
                    _ => "-".into(),
                };
                let xml = if g.has_stationxml().map_err(e)? { "yes" } else { "no" };
                let join = |v: std::collections::BTreeSet<String>| v.into_iter().collect::<Vec<_>>().join(",");
                let tags = g.tags().map_err(e)?.join(",");
                println!("{s:<12} {:>6}  {tags:<24} {:<16} {:<10} {span:<41} {xml}", names.len(), join(channels), join(rates));
            }
        }
        Some(sta) => {
            let g = ds.station(sta).map_err(e)?;
            for n in g.waveform_names().map_err(e)? {
                let h = g.header(&n).map_err(e)?;
                println!("{n}");
                println!(
                    "    {} {} samples at {} Hz, {} to {}, {}",
                    h.dtype, h.npts, h.sampling_rate, h.starttime, h.endtime(), h.filters
                );
                let x = &h.asdf;
                for (k, v) in [("event_id", &x.event_ids), ("origin_id", &x.origin_ids), ("magnitude_id", &x.magnitude_ids), ("focal_mechanism_id", &x.focal_mechanism_ids), ("labels", &x.labels)] {
                    if !v.is_empty() {
                        println!("    {k}: {}", v.join(","));
                    }
                }
                if let Some(p) = &x.provenance_id {
                    println!("    provenance_id: {p}");
                }
            }
            println!("StationXML: {}", if g.has_stationxml().map_err(e)? { "yes" } else { "no" });
        }
    }
    Ok(())
}

fn validate_cmd(a: &clap::ArgMatches) -> Result<u8, String> {
    let path = a.get_one::<PathBuf>("file").cloned().unwrap_or_default();
    let report = validate(&path)?;
    if a.get_flag("json") {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        for f in &report.findings {
            let level = if f.severity == Severity::Error { "error" } else { "warning" };
            println!("{level}: {}: {}", f.path, f.message);
        }
        println!(
            "{}: {} stations, {} waveforms, {} provenance documents, {} auxiliary datasets checked: {} errors, {} warnings",
            path.display(),
            report.stations,
            report.waveforms,
            report.provenance_documents,
            report.auxiliary_datasets,
            report.errors(),
            report.warnings()
        );
    }
    Ok(if report.errors() > 0 { EXIT_JOBS_FAILED } else { EXIT_OK })
}

fn diff_cmd(a: &clap::ArgMatches) -> Result<u8, String> {
    let (pa, pb) = (a.get_one::<PathBuf>("a").cloned().unwrap_or_default(), a.get_one::<PathBuf>("b").cloned().unwrap_or_default());
    let rtol = a.get_one::<f64>("rtol").copied().unwrap_or(0.0);
    let report = diff(&pa, &pb, rtol).map_err(|e| e.to_string())?;
    if a.get_flag("json") {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        for d in &report.differences {
            println!("{}: {}", d.path, d.message);
        }
        println!(
            "A = {}, B = {}: {} stations and {} traces compared, largest sample difference {:.3e} of the peak; {}",
            pa.display(),
            pb.display(),
            report.stations_compared,
            report.traces_compared,
            report.max_relative_difference,
            if report.is_same() { "same".to_string() } else { format!("{} differences", report.differences.len()) }
        );
    }
    Ok(if report.is_same() { EXIT_OK } else { EXIT_JOBS_FAILED })
}
