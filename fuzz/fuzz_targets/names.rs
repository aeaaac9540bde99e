//! Waveform names, tags, station, provenance and auxiliary names of any text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| asdf::format::fuzzing::names(data));
