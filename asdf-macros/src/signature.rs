//! Checking the annotated function's shape (what syn can see; types are left to rustc).

use syn::{FnArg, ItemFn, ReturnType};

/// Which kind of processor the function is.
pub(crate) enum Kind {
    /// `fn(Stream, Option<Inventory>) -> Option<Stream>` (or a `Result` of it).
    Station,
    /// `fn(&StationGroup, &StationGroup) -> R`; `fallible` when `R` is a `Result`.
    Compare { fallible: bool },
}

/// Collects every signature problem into one error.
pub(crate) fn check(f: &ItemFn, compare: bool) -> syn::Result<Kind> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let sig = &f.sig;
    if let Some(a) = &sig.asyncness {
        errors.push(syn::Error::new_spanned(a, "a station processor cannot be `async`: the engine calls it on worker threads; make it a plain `fn`"));
    }
    if let Some(c) = &sig.constness {
        errors.push(syn::Error::new_spanned(c, "a station processor cannot be `const`"));
    }
    if let Some(u) = &sig.unsafety {
        errors.push(syn::Error::new_spanned(u, "a station processor cannot be `unsafe`"));
    }
    if !sig.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(&sig.generics, "a station processor cannot be generic: the engine needs one concrete function"));
    }
    if let Some(v) = &sig.variadic {
        errors.push(syn::Error::new_spanned(v, "a station processor cannot be variadic"));
    }
    if sig.ident == "main" {
        errors.push(syn::Error::new_spanned(&sig.ident, "the processor cannot be called `main`: `#[station_processor]` generates `main`; rename the function (e.g. after the job)"));
    }
    for a in &sig.inputs {
        if let FnArg::Receiver(r) = a {
            errors.push(syn::Error::new_spanned(r, "a station processor cannot be a method: make it a free function"));
        }
    }
    let expected = if compare { "`(a: &StationGroup, b: &StationGroup)`" } else { "`(stream: Stream, inventory: Option<Inventory>)`" };
    if sig.inputs.len() != 2 {
        errors.push(syn::Error::new_spanned(
            &sig.inputs,
            format!("a {} takes {expected}; found {} argument(s)", if compare { "comparison" } else { "station processor" }, sig.inputs.len()),
        ));
    }
    let fallible = match &sig.output {
        ReturnType::Default => {
            let want = if compare { "a serialisable result (e.g. `-> f64`)" } else { "`-> Option<Stream>`" };
            errors.push(syn::Error::new_spanned(&sig.ident, format!("missing return type: a processor returns {want}")));
            false
        }
        ReturnType::Type(_, ty) => match &**ty {
            syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Result"),
            _ => false,
        },
    };
    match errors.into_iter().reduce(|mut a, b| {
        a.combine(b);
        a
    }) {
        Some(e) => Err(e),
        None if compare => Ok(Kind::Compare { fallible }),
        None => Ok(Kind::Station),
    }
}
