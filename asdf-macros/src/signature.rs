//! Checking the annotated function's shape (what syn can see; types are left to rustc).

use syn::{FnArg, ReturnType, Signature};

/// Collects every signature problem into one error. What the return type means (a `Result` or a
/// plain value) is decided by the library's traits once rustc knows the type, not here.
pub(crate) fn check(sig: &Signature, compare: bool) -> syn::Result<()> {
    let mut errors: Vec<syn::Error> = Vec::new();
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
    let (expected, arity_ok) = if compare {
        ("`(a: &StationGroup, b: &StationGroup)`", sig.inputs.len() == 2)
    } else {
        (
            "`(stream: Stream, inventory: Option<Inventory>)` or `(stream: Stream, inventory: Option<Inventory>, context: &JobContext)`",
            matches!(sig.inputs.len(), 2 | 3),
        )
    };
    if !arity_ok {
        errors.push(syn::Error::new_spanned(
            &sig.inputs,
            format!("a {} takes {expected}; found {} argument(s)", if compare { "comparison" } else { "station processor" }, sig.inputs.len()),
        ));
    }
    if let ReturnType::Default = &sig.output {
        let want = if compare { "a serialisable result (e.g. `-> f64`)" } else { "`-> Option<Stream>`" };
        errors.push(syn::Error::new_spanned(&sig.ident, format!("missing return type: a processor returns {want}")));
    }
    match errors.into_iter().reduce(|mut a, b| {
        a.combine(b);
        a
    }) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
