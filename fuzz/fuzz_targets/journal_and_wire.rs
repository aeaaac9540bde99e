//! A job journal and the engine's result messages of any bytes: the records that verify, or an
//! error, never a panic or an allocation sized by a length field.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    asdf::engine::fuzzing::journal(data);
    asdf::engine::fuzzing::wire(data);
});
