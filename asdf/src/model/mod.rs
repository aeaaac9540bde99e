//! The data model: traces, streams, time, station inventories with full responses, events.
//! Samples keep their stored type until an operation needs floats, as in ObsPy.

pub mod event;
pub mod inventory;
pub mod response;
pub mod stored;
pub mod stream;
pub mod time;
pub mod trace;
