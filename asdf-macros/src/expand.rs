//! Rendering: the user's function unchanged, plus a `main` that calls the engine.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::args::{self, Config};
use crate::item::MaybeItemFn;
use crate::signature;

/// Entry point: on any error the function is still emitted (so IDEs keep working), followed by
/// every error at once.
pub(crate) fn station_processor(args: TokenStream, item: TokenStream) -> TokenStream {
    let f: MaybeItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let e = syn::Error::new_spanned(&item, "`#[station_processor]` goes on a function: `fn name(stream: Stream, inventory: Option<Inventory>) -> Option<Stream>`");
            let err = e.to_compile_error();
            return quote! { #item #err };
        }
    };
    let (config, kind) = args::parse(args);
    let checked = signature::check(&f.sig, kind);
    match (config, checked) {
        (Ok(c), Ok(())) => render(&f, c),
        (c, k) => {
            let mut errs = TokenStream::new();
            if let Err(e) = c {
                errs.extend(e.to_compile_error());
            }
            if let Err(e) = k {
                errs.extend(e.to_compile_error());
            }
            // A placeholder `main`, so that rustc reports only the errors above.
            let placeholder = (f.sig.ident != "main").then(|| quote! { fn main() {} });
            quote! { #f #errs #placeholder }
        }
    }
}

fn doc_of(f: &MaybeItemFn) -> String {
    f.attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn render(f: &MaybeItemFn, config: Config) -> TokenStream {
    let ident = &f.sig.ident;
    let name = ident.to_string();
    let about = doc_of(f);
    let sig_span = f.sig.span();
    let body = match config {
        Config::Station { tag_map, compression } => {
            let pairs = tag_map.iter().map(|p| {
                let (a, b) = (&p.from, &p.to);
                quote! { (#a, #b) }
            });
            let compression = match compression {
                Some(c) => quote! { ::std::option::Option::Some(#c) },
                None => quote! { ::std::option::Option::None },
            };
            quote_spanned! {sig_span=>
                ::asdf::__private::run_station_main(#ident, ::asdf::__private::StationSpec {
                    name: #name,
                    about: #about,
                    tag_map: &[#(#pairs),*],
                    compression: #compression,
                    version: ::std::env!("CARGO_PKG_VERSION"),
                })
            }
        }
        Config::Compare => {
            // A `Result` is passed through, any other value wrapped in `Ok`: the library's
            // traits decide once the type is known (see `asdf::engine::CompareReturn`).
            let func = quote_spanned! {sig_span=> |__asdf_a: &::asdf::StationGroup<'_>, __asdf_b: &::asdf::StationGroup<'_>| {
                #[allow(unused_imports)]
                use ::asdf::__private::{FallibleReturn as _, PlainReturn as _};
                (&&::asdf::__private::CompareReturn::new(#ident(__asdf_a, __asdf_b))).into_compare_result()
            }};
            quote_spanned! {sig_span=>
                ::asdf::__private::run_compare_main(#func, ::asdf::__private::CompareSpec {
                    name: #name,
                    about: #about,
                    version: ::std::env!("CARGO_PKG_VERSION"),
                })
            }
        }
        Config::Inputs { count, compression } => {
            let groups = (0..count).map(|i| quote! { &__asdf_groups[#i] });
            let (ctx_param, ctx_arg) = if f.sig.inputs.len() > count { (quote! { __asdf_ctx }, quote! { , __asdf_ctx }) } else { (quote! { _ }, quote! {}) };
            let func = quote_spanned! {sig_span=>
                |__asdf_groups: &[::asdf::StationGroup<'_>], #ctx_param: &::asdf::__private::JobContext<'_>| #ident(#(#groups),* #ctx_arg)
            };
            let inputs = f.sig.inputs.iter().take(count).enumerate().map(|(i, arg)| {
                let id = format!("input-{}", i + 1);
                let value = format!("{}.h5", param_name(arg).unwrap_or_else(|| format!("input{}", i + 1)).to_uppercase());
                quote! { (#id, #value) }
            });
            let compression = match compression {
                Some(c) => quote! { ::std::option::Option::Some(#c) },
                None => quote! { ::std::option::Option::None },
            };
            quote_spanned! {sig_span=>
                ::asdf::__private::run_inputs_main(#func, ::asdf::__private::InputsSpec {
                    name: #name,
                    about: #about,
                    inputs: &[#(#inputs),*],
                    compression: #compression,
                    version: ::std::env!("CARGO_PKG_VERSION"),
                })
            }
        }
    };
    let main = syn::Ident::new("main", ident.span());
    quote! {
        #f

        #[allow(clippy::all, clippy::pedantic)]
        fn #main() -> ::std::process::ExitCode {
            #body
        }
    }
}

/// The name of a simple `name: Type` parameter (without leading underscores), for `--help`.
fn param_name(arg: &syn::FnArg) -> Option<String> {
    match arg {
        syn::FnArg::Typed(t) => match &*t.pat {
            syn::Pat::Ident(p) => Some(p.ident.to_string().trim_start_matches('_').to_string()).filter(|s| !s.is_empty()),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    }
}
