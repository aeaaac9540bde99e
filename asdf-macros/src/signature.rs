//! Checking the annotated function's shape (what syn can see; types are left to rustc).

use syn::{FnArg, ReturnType, Signature};

/// Collects every signature problem into one error. What the return type means (a `Result` or a
/// plain value) is decided by the library's traits once rustc knows the type, not here.
/// Which kind of job the attribute asked for (what the signature must look like).
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Station,
    Compare,
    Inputs(usize),
}

pub(crate) fn check(sig: &Signature, kind: Option<Kind>) -> syn::Result<()> {
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
    let n = sig.inputs.len();
    let Some(kind) = kind else { return combined(errors) };
    let (what, expected, arity_ok) = match kind {
        Kind::Compare => ("comparison", "`(a: &StationGroup, b: &StationGroup)`".to_string(), n == 2),
        Kind::Station => (
            "station processor",
            "`(stream: Stream, inventory: Option<Inventory>)` or `(stream: Stream, inventory: Option<Inventory>, context: &JobContext)`".to_string(),
            matches!(n, 2 | 3),
        ),
        Kind::Inputs(k) => (
            "multi-input job",
            format!("one `&StationGroup` per input ({k}), optionally followed by `context: &JobContext`"),
            n == k || n == k + 1,
        ),
    };
    if !arity_ok {
        errors.push(syn::Error::new_spanned(&sig.inputs, format!("a {what} takes {expected}; found {n} argument(s)")));
    }
    if let ReturnType::Default = &sig.output {
        let want = match kind {
            Kind::Compare => "a serialisable result (e.g. `-> f64`)",
            Kind::Station => "`-> Option<Stream>`",
            Kind::Inputs(_) => "`-> JobOutput` (or an `Option` or `Result` of one)",
        };
        errors.push(syn::Error::new_spanned(&sig.ident, format!("missing return type: a processor returns {want}")));
    }
    combined(errors)
}

fn combined(errors: Vec<syn::Error>) -> syn::Result<()> {
    match errors.into_iter().reduce(|mut a, b| {
        a.combine(b);
        a
    }) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
