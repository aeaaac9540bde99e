//! The annotated item, parsed only as far as the macro needs: attributes, visibility and
//! signature. The body stays tokens and is emitted unchanged, so that a syntax error in it is
//! reported by rustc where it is, as in any function (tracing-attributes and tokio do the same).

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Signature, Visibility};

/// A function whose body has not been parsed.
pub(crate) struct MaybeItemFn {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    body: TokenStream,
}

impl Parse for MaybeItemFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        if !input.peek(syn::token::Brace) {
            return Err(input.error("expected the function's body"));
        }
        let body: TokenStream = input.parse()?;
        Ok(MaybeItemFn { attrs, vis, sig, body })
    }
}

impl ToTokens for MaybeItemFn {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for a in &self.attrs {
            a.to_tokens(tokens);
        }
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        self.body.to_tokens(tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn a_body_that_does_not_parse_is_kept_as_tokens() {
        let f: MaybeItemFn = syn::parse2(quote! { /// Doc.
            fn job(st: Stream, inv: Option<Inventory>) -> Option<Stream> { let x = ; } })
        .unwrap();
        assert_eq!(f.sig.ident, "job");
        assert_eq!(f.attrs.len(), 1);
        assert!(f.to_token_stream().to_string().contains("let x = ;"));
    }

    #[test]
    fn a_struct_is_not_a_function() {
        assert!(syn::parse2::<MaybeItemFn>(quote! { struct S; }).is_err());
    }
}
