//! `asdf import OUT.h5 [INPUTS...]`: miniSEED archives with StationXML and QuakeML into ASDF,
//! and `asdf export IN.h5 DIR`: the way back (the library's [`crate::ingest`]).

use std::path::PathBuf;

use clap::{Arg, ArgAction, Command};

use crate::format::Compression;
use crate::engine::Ctx;
use crate::ingest::{export, import_with, ExportFormat, ExportOptions, ImportOptions, Selection};
use crate::model::time::UtcTime;

use super::{EXIT_JOBS_FAILED, EXIT_OK};

/// The subcommand's arguments.
pub(super) fn command() -> Command {
    let many = |name: &'static str| Arg::new(name).long(name).action(ArgAction::Append);
    Command::new("import")
        .about("Import miniSEED (files, directories, globs, SDS trees) with StationXML and QuakeML into ASDF, as ObsPy's read + pyasdf's add_waveforms store it")
        .arg(Arg::new("out").required(true).value_name("OUT.h5").value_parser(clap::value_parser!(PathBuf)).help("The ASDF file to write (refused if it exists, unless --append)"))
        .arg(Arg::new("inputs").num_args(0..).value_name("INPUT").value_parser(clap::value_parser!(PathBuf)).help("miniSEED files, directories (walked) or quoted globs ('data/*.mseed')"))
        .arg(many("sds").value_name("ROOT").value_parser(clap::value_parser!(PathBuf)).help("An SDS archive root (YEAR/NET/STA/CHA.D/NET.STA.LOC.CHA.D.YEAR.DOY); repeatable"))
        .arg(many("stationxml").value_name("FILE|DIR").value_parser(clap::value_parser!(PathBuf)).help("StationXML files or directories; merged per station as pyasdf's add_stationxml"))
        .arg(many("events").value_name("QUAKEML").value_parser(clap::value_parser!(PathBuf)).help("QuakeML files: their events go to /QuakeML"))
        .arg(Arg::new("event-id").long("event-id").value_name("RESOURCE_ID").help("Associate every imported trace with this event (one of --events)"))
        .arg(Arg::new("tag").long("tag").default_value("raw_recording").help("Waveform tag"))
        .arg(many("stations").value_name("NET.STA").value_delimiter(',').help("Import only these stations (wildcards * ?)"))
        .arg(many("channels").value_name("CHA").value_delimiter(',').help("Import only these channels (wildcards, e.g. BH?)"))
        .arg(Arg::new("start").long("start").value_name("TIME").help("Import samples from this time on (ISO 8601; nearest sample, as ObsPy's trim)"))
        .arg(Arg::new("end").long("end").value_name("TIME").help("Import samples up to this time"))
        .arg(Arg::new("append").long("append").action(ArgAction::SetTrue).help("Add to an existing ASDF file (it is replaced, in one rename, only once the import is complete)"))
        .arg(Arg::new("resume").long("resume").action(ArgAction::SetTrue).help("Continue an interrupted import into the same output (from its .journal)"))
        .arg(Arg::new("compression").long("compression").value_name("none|gzip-0..9").default_value("gzip-3").help("Output compression"))
        .arg(Arg::new("threads").long("threads").value_name("N").value_parser(clap::value_parser!(usize)).help("Worker threads [default: every core]"))
        .arg(Arg::new("quiet").short('q').long("quiet").action(ArgAction::SetTrue).help("No progress bar or summary"))
}

/// Runs the import; exit 1 when a file was damaged or a station failed.
pub(super) fn run(a: &clap::ArgMatches) -> Result<u8, String> {
    let paths = |name: &str| a.get_many::<PathBuf>(name).map(|v| v.cloned().collect()).unwrap_or_default();
    let strings = |name: &str| a.get_many::<String>(name).map(|v| v.cloned().collect()).unwrap_or_default();
    let time = |name: &str| -> Result<Option<i64>, String> {
        a.get_one::<String>(name).map(|s| s.parse::<UtcTime>().map(UtcTime::ns).map_err(|e| format!("--{name}: {e}"))).transpose()
    };
    let compression: Compression = a.get_one::<String>("compression").map(|s| s.parse()).transpose()?.unwrap_or_default();
    let opts = ImportOptions {
        tag: a.get_one::<String>("tag").cloned().unwrap_or_default(),
        selection: Selection { stations: strings("stations"), channels: strings("channels"), start_ns: time("start")?, end_ns: time("end")? },
        sds: paths("sds"),
        stationxml: paths("stationxml"),
        events: paths("events"),
        event_id: a.get_one::<String>("event-id").cloned(),
        append: a.get_flag("append"),
        resume: a.get_flag("resume"),
        threads: a.get_one::<usize>("threads").copied(),
        compression,
        quiet: a.get_flag("quiet"),
    };
    let out: PathBuf = a.get_one::<PathBuf>("out").cloned().unwrap_or_default();
    let inputs: Vec<PathBuf> = paths("inputs");
    let ctx = Ctx::detect(opts.threads).map_err(|e| e.to_string())?;
    super::process_settings(&ctx);
    let report = import_with(&ctx, &out, &inputs, &opts).map_err(|e| e.to_string())?;
    // Under mpiexec rank 0 reports for every rank (each has the same plan).
    if !ctx.is_root() {
        return Ok(if report.ok() { EXIT_OK } else { EXIT_JOBS_FAILED });
    }
    for note in &report.notes {
        if !opts.quiet {
            eprintln!("note: {note}");
        }
    }
    for p in &report.problems {
        eprintln!("error: {p}");
    }
    let run = &report.run;
    if !opts.quiet {
        eprintln!(
            "import: {} files, {} records -> {} stations ({} written, {} empty{}), {} traces in {} in {:.2} s{}",
            report.files,
            report.records,
            run.jobs,
            run.written,
            run.empty,
            if run.resumed > 0 { format!(", {} from the journal", run.resumed) } else { String::new() },
            run.traces_written,
            run.output.display(),
            run.seconds,
            run.writer_load(),
        );
    }
    if report.ok() {
        return Ok(EXIT_OK);
    }
    for f in &run.failed {
        eprintln!("failed: {f}");
    }
    eprintln!("{} damaged or unreadable file(s), {} failed station(s): see above", report.problems.len(), run.failed.len());
    Ok(EXIT_JOBS_FAILED)
}

/// The `export` subcommand's arguments.
pub(super) fn export_command() -> Command {
    let many = |name: &'static str| Arg::new(name).long(name).action(ArgAction::Append);
    Command::new("export")
        .about("Write the waveforms of an ASDF file as miniSEED (one file per station and tag, DIR/NET.STA.TAG.mseed) or SAC (one file per trace), as ObsPy writes them")
        .arg(Arg::new("in").required(true).value_name("IN.h5").value_parser(clap::value_parser!(PathBuf)))
        .arg(Arg::new("dir").required(true).value_name("DIR").value_parser(clap::value_parser!(PathBuf)).help("Directory to write into (created if missing; existing files are not overwritten)"))
        .arg(Arg::new("format").long("format").default_value("mseed").value_parser(["mseed", "sac"]).help("mseed: one file per station and tag; sac: one file per trace, named as its dataset"))
        .arg(Arg::new("tag").long("tag").help("Only this waveform tag [default: every tag]"))
        .arg(many("stations").value_name("NET.STA").value_delimiter(',').help("Only these stations (wildcards * ?)"))
        .arg(many("channels").value_name("CHA").value_delimiter(',').help("Only these channels (wildcards)"))
        .arg(Arg::new("start").long("start").value_name("TIME").help("Trim to this start (nearest sample, as ObsPy's trim)"))
        .arg(Arg::new("end").long("end").value_name("TIME").help("Trim to this end"))
        .arg(Arg::new("record-length").long("record-length").default_value("4096").value_parser(clap::value_parser!(usize)).help("miniSEED record length in bytes"))
}

/// Runs the export.
pub(super) fn run_export(a: &clap::ArgMatches) -> Result<u8, String> {
    let strings = |name: &str| a.get_many::<String>(name).map(|v| v.cloned().collect()).unwrap_or_default();
    let time = |name: &str| -> Result<Option<i64>, String> {
        a.get_one::<String>(name).map(|s| s.parse::<UtcTime>().map(UtcTime::ns).map_err(|e| format!("--{name}: {e}"))).transpose()
    };
    let opts = ExportOptions {
        tag: a.get_one::<String>("tag").cloned(),
        selection: Selection { stations: strings("stations"), channels: strings("channels"), start_ns: time("start")?, end_ns: time("end")? },
        record_length: a.get_one::<usize>("record-length").copied().unwrap_or(4096),
        format: if a.get_one::<String>("format").is_some_and(|f| f == "sac") { ExportFormat::Sac } else { ExportFormat::Mseed },
    };
    let input = a.get_one::<PathBuf>("in").cloned().unwrap_or_default();
    let dir = a.get_one::<PathBuf>("dir").cloned().unwrap_or_default();
    let r = export(&input, &dir, &opts).map_err(|e| e.to_string())?;
    match opts.format {
        ExportFormat::Mseed => eprintln!("export: {} traces in {} records, {} files in {}", r.traces, r.records, r.files.len(), dir.display()),
        ExportFormat::Sac => eprintln!("export: {} traces, {} SAC files in {}", r.traces, r.files.len(), dir.display()),
    }
    Ok(EXIT_OK)
}
