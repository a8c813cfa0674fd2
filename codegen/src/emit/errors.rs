//! The error-code enum of `errors.yaml`.

use crate::ir::Model;
use crate::naming;
use proc_macro2::TokenStream;
use quote::quote;

pub fn emit(model: &Model) -> TokenStream {
    let errors = &model.spec.errors.value.errors;
    let variants = errors.iter().map(|e| {
        let v = naming::variant(&e.name);
        let code = e.code;
        let doc = format!("`{}`: {}.", e.code, e.text);
        quote! { #[doc = #doc] #v = #code, }
    });
    let from = errors.iter().map(|e| {
        let v = naming::variant(&e.name);
        let code = e.code;
        quote! { #code => Ok(Self::#v), }
    });
    let text = errors.iter().map(|e| {
        let v = naming::variant(&e.name);
        let t = &e.text;
        quote! { Self::#v => #t, }
    });
    let codes = errors.iter().map(|e| {
        let v = naming::variant(&e.name);
        let code = e.code;
        quote! { Self::#v => #code, }
    });
    let try_from = if errors.is_empty() {
        quote!(Err(code))
    } else {
        quote! {
            match code {
                #(#from)*
                other => Err(other),
            }
        }
    };
    // An enum without variants can have no `repr`; `match *self {}` covers it.
    let repr = if errors.is_empty() {
        TokenStream::new()
    } else {
        quote!(#[repr(u16)])
    };
    let doc = super::doc_lines(&error_doc(model));
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        #repr
        pub enum ErrorCode {
            #(#variants)*
        }

        impl ErrorCode {
            /// The number on the wire.
            pub const fn code(self) -> u16 {
                match self {
                    #(#codes)*
                }
            }

            /// The description the module prints with the code.
            pub const fn text(self) -> &'static str {
                match self {
                    #(#text)*
                }
            }
        }

        impl TryFrom<u16> for ErrorCode {
            type Error = u16;

            /// Fails with the number itself when the document lists no such code.
            fn try_from(code: u16) -> Result<Self, u16> {
                #try_from
            }
        }

        impl core::fmt::Display for ErrorCode {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "{} ({})", self.text(), self.code())
            }
        }

        impl core::error::Error for ErrorCode {}
    }
}

/// `A result code (section 4): what ... reports.`, from `errors.yaml`'s `section` and `about`.
pub(crate) fn error_doc(model: &Model) -> String {
    let f = &model.spec.errors.value;
    let section = f
        .section
        .as_ref()
        .map(|s| format!(" (section {s})"))
        .unwrap_or_default();
    match &f.about {
        Some(a) => format!("A result code{section}: {a}."),
        None => format!("A result code{section} of `errors.yaml`."),
    }
}
