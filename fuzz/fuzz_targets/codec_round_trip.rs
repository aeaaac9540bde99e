//! decode(encode(x)) == x for every pipeline we write, decoded by libdeflate (zlib-compatible).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| asdf::format::fuzzing::codec_round_trip(data));
