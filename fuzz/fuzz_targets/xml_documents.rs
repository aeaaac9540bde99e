//! StationXML and QuakeML documents of any bytes, and the responses they describe evaluated: a
//! typed error or a model, never a panic, a stack overflow or a runaway allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| asdf::format::fuzzing::xml_documents(data));
