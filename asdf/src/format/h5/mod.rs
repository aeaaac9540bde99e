//! The HDF5 boundary: the only code that calls the HDF5 C library.
//!
//! - [`raw`]: every call, each behind a safe function that checks what HDF5 needs (rank,
//!   extent, buffer length, return codes) before making it;
//! - [`vfd`]: the write-buffer file driver, HDF5 calling us;
//! - [`error`]: [`H5Error`], the typed failure with HDF5's error stack, classified from its
//!   codes ([`H5ErrorKind`]) so that callers match on a kind, never on message text.
//!
//! Everything above this module is safe code.

mod error;
mod raw;
mod vfd;

pub use error::{H5Error, H5ErrorKind};
pub(crate) use error::H5Result;
pub(crate) use raw::*;
pub(crate) use vfd::flush as flush_write_buffer;
