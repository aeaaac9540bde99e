//! Parsing the attribute's arguments into a checked configuration.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{braced, LitStr, Token};

use crate::signature::Kind;

/// One `"in" => "out"` pair of a tag map.
pub(crate) struct TagPair {
    pub(crate) from: LitStr,
    pub(crate) to: LitStr,
}

impl Parse for TagPair {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let from: LitStr = input.parse()?;
        input.parse::<Token![=>]>()?;
        let to: LitStr = input.parse()?;
        Ok(TagPair { from, to })
    }
}

/// `{ "a" => "b", ... }`
struct TagMapLit {
    brace: Span,
    pairs: Punctuated<TagPair, Token![,]>,
}

impl Parse for TagMapLit {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if !input.peek(syn::token::Brace) {
            return Err(input.error("expected a tag map in braces: `tag_map = { \"raw_recording\" => \"processed\" }`"));
        }
        let content;
        let b = braced!(content in input);
        let pairs = Punctuated::parse_terminated(&content)?;
        Ok(TagMapLit { brace: b.span.join(), pairs })
    }
}

/// What the attribute says.
pub(crate) enum Config {
    Station { tag_map: Vec<TagPair>, compression: Option<LitStr> },
    Compare,
    /// `inputs = N`: a function over the station's groups in N files.
    Inputs { count: usize, compression: Option<LitStr> },
}

/// The library's own rule table (`asdf/src/format/rules.rs`), compiled into this crate too.
#[path = "../../asdf/src/format/rules.rs"]
#[allow(dead_code, unreachable_pub)]
mod rules;

pub(crate) use rules::tag_problem;

const KEYS: &str = "`tag_map`, `inputs`, `compression`, `compare`";

/// Parses and checks the arguments; every problem is collected into one error. Also says which
/// kind of job the arguments ask for, even when they have errors (so the signature is checked
/// against that kind; `None` when not even that is clear).
pub(crate) fn parse(args: TokenStream) -> (syn::Result<Config>, Option<Kind>) {
    let mut kind = None;
    let config = parse_config(args, &mut kind);
    (config, kind)
}

fn parse_config(args: TokenStream, kind: &mut Option<Kind>) -> syn::Result<Config> {
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    let mut tag_map: Option<(Span, Vec<TagPair>)> = None;
    let mut compression: Option<LitStr> = None;
    let mut compare: Option<Span> = None;
    let mut inputs: Option<usize> = None;
    let mut inputs_seen = false;
    let mut tag_map_seen = false;

    let parser = syn::meta::parser(|meta| {
        let Some(key) = meta.path.get_ident().cloned() else {
            return Err(meta.error(format!("unknown argument; expected one of: {KEYS}")));
        };
        match key.to_string().as_str() {
            "tag_map" => {
                tag_map_seen = true;
                let v = meta.value()?;
                let lit: TagMapLit = v.parse()?;
                if tag_map.is_some() {
                    push(syn::Error::new(key.span(), "`tag_map` is set more than once"));
                }
                tag_map = Some((lit.brace, lit.pairs.into_iter().collect()));
            }
            "compression" => {
                let lit: LitStr = meta.value()?.parse()?;
                if compression.is_some() {
                    push(syn::Error::new(key.span(), "`compression` is set more than once"));
                }
                compression = Some(lit);
            }
            "inputs" => {
                inputs_seen = true;
                let lit: syn::LitInt = meta.value()?.parse()?;
                match lit.base10_parse::<usize>() {
                    Ok(n) if (2..=16).contains(&n) => inputs = Some(n),
                    _ => push(syn::Error::new(lit.span(), "`inputs` is the number of input files, from 2 to 16 (e.g. `inputs = 2` for observed and synthetic)")),
                }
            }
            "compare" => {
                if meta.input.peek(Token![=]) {
                    push(syn::Error::new(key.span(), "`compare` takes no value: write `#[station_processor(compare)]`"));
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                compare = Some(key.span());
            }
            other => {
                push(syn::Error::new(key.span(), format!("unknown argument `{other}`; expected one of: {KEYS}")));
                // Skip a value if there is one, so parsing can go on.
                if meta.input.peek(Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
            }
        }
        Ok(())
    });
    if let Err(e) = parser.parse2(args) {
        push(e);
    }

    if let Some(count) = inputs {
        *kind = Some(Kind::Inputs(count));
        if let Some(c) = compare {
            push(syn::Error::new(c, "`compare` and `inputs` are two different jobs: use `inputs = N` for a job that writes an ASDF file"));
        }
        if let Some((brace, _)) = &tag_map {
            push(syn::Error::new(*brace, "a job with `inputs` takes no `tag_map`: its function reads the tags it needs and names the tags it writes in its `JobOutput`"));
        }
        check_compression(&compression, &mut push);
        return match errors {
            Some(e) => Err(e),
            None => Ok(Config::Inputs { count, compression }),
        };
    }
    if inputs_seen {
        // `inputs` with a count that is not allowed: reported above, nothing more to check.
        return Err(errors.unwrap_or_else(|| syn::Error::new(Span::call_site(), "invalid `inputs`")));
    }
    *kind = Some(if compare.is_some() { Kind::Compare } else { Kind::Station });
    let config = match (compare, tag_map) {
        (Some(span), Some((brace, _))) => {
            push(syn::Error::new(span, "`compare` runs over two files and writes JSON; it takes no `tag_map`"));
            push(syn::Error::new(brace, "remove this tag map, or remove `compare`"));
            None
        }
        (Some(_), None) => {
            if let Some(c) = &compression {
                push(syn::Error::new(c.span(), "`compare` writes no ASDF output; `compression` does not apply"));
            }
            Some(Config::Compare)
        }
        (None, None) if tag_map_seen => None,
        (None, None) => {
            push(syn::Error::new(
                Span::call_site(),
                "missing `tag_map`: write `#[station_processor(tag_map = { \"raw_recording\" => \"processed\" })]`, `#[station_processor(inputs = 2)]` for a job over two files, or `#[station_processor(compare)]` for a two-file comparison",
            ));
            None
        }
        (None, Some((brace, pairs))) => {
            if pairs.is_empty() {
                push(syn::Error::new(brace, "the tag map is empty; give at least one `\"input_tag\" => \"output_tag\"`"));
            }
            let mut seen: Vec<String> = Vec::new();
            for p in &pairs {
                for lit in [&p.from, &p.to] {
                    if let Some(why) = tag_problem(&lit.value()) {
                        push(syn::Error::new(lit.span(), format!("invalid tag {:?}: {why}", lit.value())));
                    }
                }
                if seen.contains(&p.from.value()) {
                    push(syn::Error::new(p.from.span(), format!("input tag {:?} is mapped twice", p.from.value())));
                }
                seen.push(p.from.value());
            }
            check_compression(&compression, &mut push);
            Some(Config::Station { tag_map: pairs, compression })
        }
    };
    match (errors, config) {
        (Some(e), _) => Err(e),
        (None, Some(c)) => Ok(c),
        (None, None) => Err(syn::Error::new(Span::call_site(), "invalid arguments")),
    }
}


/// Refuses a compression the library would refuse.
fn check_compression(compression: &Option<LitStr>, push: &mut impl FnMut(syn::Error)) {
    if let Some(c) = compression {
        let v = c.value();
        if rules::parse_compression(&v).is_none() {
            push(syn::Error::new(c.span(), format!("unknown compression {v:?}; use {}", rules::COMPRESSION_CHOICES)));
        }
    }
}
