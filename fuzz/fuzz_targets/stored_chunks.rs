//! Stored chunks of any bytes through every decoder path (shuffle, deflate, Fletcher-32, in the
//! combinations h5py and pyasdf write), with any claimed chunk size and element size.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else { return };
    asdf::format::fuzzing::decode_chunk(rest, head);
});
