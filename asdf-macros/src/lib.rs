//! `#[station_processor]`: one annotated function is one ASDF processing job binary.
//!
//! This crate only parses and checks the attribute and the signature, then emits a `main` of a
//! few lines that calls `asdf`'s engine. Use it through the `asdf` crate
//! (`#[asdf::station_processor(...)]`); the full documentation is there.
#![warn(missing_docs, unreachable_pub, rust_2018_idioms)]

mod args;
mod expand;
mod item;
mod signature;

use proc_macro::TokenStream;

/// Turns a processing function into the `main` of a job binary. Documented, with examples, at its
/// re-export `asdf::station_processor`.
#[proc_macro_attribute]
pub fn station_processor(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::station_processor(args.into(), item.into()).into()
}
