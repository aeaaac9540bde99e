//! Whole files: a valid sample file with the fuzzer's bytes written over part of it, then opened
//! and walked as the tools and the engine do (validate, info, every trace, inventory, events).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    asdf::format::fuzzing::damaged_file(data);
});
