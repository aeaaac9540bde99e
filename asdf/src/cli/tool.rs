//! The `asdf` tool: `sample`, `info` and `ls`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, Command};

use crate::format::{write_sample, AsdfFile, Compression, SampleOptions};

use super::{EXIT_OK, EXIT_USAGE};

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
                .arg(Arg::new("compression").long("compression").default_value("gzip-3")),
        )
        .subcommand(
            Command::new("info")
                .about("Format version, size, stations, traces, tags, events, provenance and auxiliary data")
                .arg(Arg::new("file").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("json").long("json").action(ArgAction::SetTrue)),
        )
        .subcommand(
            Command::new("ls")
                .about("Stations with their tags and StationXML; or the traces of one station")
                .arg(Arg::new("file").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("station").required(false)),
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
        Some(("sample", a)) => sample(a),
        Some(("info", a)) => info(a),
        Some(("ls", a)) => ls(a),
        _ => Err("unknown subcommand".to_string()),
    };
    match r {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
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
    if !(opts.rate > 0.0 && opts.seconds > 0.0) {
        return Err("--rate and --seconds/--hours must be positive".into());
    }
    write_sample(&out, &opts).map_err(|e| e.to_string())?;
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
    for s in &stations {
        let g = ds.station(s).map_err(|e| e.to_string())?;
        let w = g.waveforms().map_err(|e| e.to_string())?;
        traces += w.len();
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
    match a.get_one::<String>("station") {
        None => {
            for s in ds.station_names().map_err(|e| e.to_string())? {
                let g = ds.station(&s).map_err(|e| e.to_string())?;
                let tags = g.tags().map_err(|e| e.to_string())?;
                let xml = if g.has_stationxml().map_err(|e| e.to_string())? { "StationXML" } else { "no StationXML" };
                println!("{s:<12} {:>4} traces  tags: {:<30} {xml}", g.waveform_names().map_err(|e| e.to_string())?.len(), tags.join(","));
            }
        }
        Some(sta) => {
            let g = ds.station(sta).map_err(|e| e.to_string())?;
            for n in g.waveform_names().map_err(|e| e.to_string())? {
                println!("{n}  npts={}", g.npts(&n).map_err(|e| e.to_string())?);
            }
        }
    }
    Ok(())
}
