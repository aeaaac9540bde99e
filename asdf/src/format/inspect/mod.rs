//! Looking at whole files: [`validate`] (pyasdf's rules and ours, every finding with its object)
//! and [`diff`] (two files compared object by object, as `h5diff` would but in ASDF's terms).

mod diff;
mod validate;

pub use diff::{diff, DiffReport, Difference};
pub use validate::{validate, Finding, Report, Severity};
