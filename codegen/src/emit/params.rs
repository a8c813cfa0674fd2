//! Parameter types: a range-checked newtype for every integer parameter with a range, an enum for
//! every enumeration. Strings, hex strings and payloads need no type of their own.

use crate::check::values::describe_ranges;
use crate::ir::Model;
use crate::naming;
use crate::spec::{ParamDef, ParamType, Scalar};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn emit(model: &Model) -> TokenStream {
    let items = model.params().map(|(key, def)| match def.ty {
        ParamType::Int if def.range.is_some() => newtype(key, def),
        ParamType::Enum => enumeration(key, def),
        _ => TokenStream::new(),
    });
    quote! {
        /// An integer outside the range of a parameter type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct OutOfRange {
            /// The parameter's name in the document.
            pub param: &'static str,
            /// The rejected value.
            pub value: i64,
        }

        impl core::fmt::Display for OutOfRange {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "<{}> = {} is out of range", self.param, self.value)
            }
        }

        impl core::error::Error for OutOfRange {}

        #(#items)*
    }
}

/// The integer values of an enumeration, as one-value ranges (for [`int_repr`]).
pub fn enum_ints(values: &[crate::spec::EnumValue]) -> Vec<[i64; 2]> {
    values
        .iter()
        .filter_map(|v| match v.value {
            Scalar::Int(i) => Some([i, i]),
            Scalar::Str(_) => None,
        })
        .collect()
}

/// The smallest primitive that holds every value of the ranges, by name (`diff` compares
/// these names).
pub fn int_storage(ranges: &[[i64; 2]]) -> &'static str {
    let lo = ranges.iter().map(|r| r[0]).min().unwrap_or(0);
    let hi = ranges.iter().map(|r| r[1]).max().unwrap_or(0);
    let fits = |min: i64, max: i64| lo >= min && hi <= max;
    if fits(0, u8::MAX.into()) {
        "u8"
    } else if fits(0, u16::MAX.into()) {
        "u16"
    } else if fits(0, u32::MAX.into()) {
        "u32"
    } else if fits(i8::MIN.into(), i8::MAX.into()) {
        "i8"
    } else if fits(i16::MIN.into(), i16::MAX.into()) {
        "i16"
    } else if fits(i32::MIN.into(), i32::MAX.into()) {
        "i32"
    } else {
        "i64"
    }
}

/// [`int_storage`] as a type.
pub fn int_repr(ranges: &[[i64; 2]]) -> TokenStream {
    let t = proc_macro2::Ident::new(int_storage(ranges), proc_macro2::Span::call_site());
    quote!(#t)
}

/// Doc lines shared by every parameter type: what it is, its range, default and unit.
pub fn param_doc(def: &ParamDef) -> String {
    let mut doc = format!("`<{}>`: {}.", def.doc, capitalise(&def.about));
    if let Some(r) = &def.range {
        doc.push_str(&format!("\n\nRange: {}.", describe_ranges(r)));
    }
    if let Some(d) = &def.default {
        doc.push_str(&format!(" Default: {d}."));
    }
    if let Some(u) = def.unit {
        doc.push_str(&format!(" Unit: {}.", u.as_str()));
    }
    if let Some(m) = def.max_len {
        doc.push_str(&format!(
            " At most {}.",
            crate::check::values::bytes(m.into())
        ));
    }
    doc
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn newtype(key: &str, def: &ParamDef) -> TokenStream {
    let name = naming::type_name(key);
    let ranges = def.range.as_deref().unwrap_or_default();
    let repr = int_repr(ranges);
    let doc = param_doc(def);
    let alias = naming::doc_alias(&def.doc, &name.to_string());
    let doc_name = &def.doc;
    let pairs = ranges.iter().map(|[lo, hi]| {
        let (lo, hi) = (Literal::i64_unsuffixed(*lo), Literal::i64_unsuffixed(*hi));
        quote!((#lo, #hi))
    });
    let checks = ranges.iter().map(|[lo, hi]| {
        let (l, h) = (Literal::i64_unsuffixed(*lo), Literal::i64_unsuffixed(*hi));
        if lo == hi {
            quote!(v == #l)
        } else {
            quote!(v >= #l && v <= #h)
        }
    });
    let min = Literal::i64_unsuffixed(ranges.first().map_or(0, |r| r[0]));
    let max = Literal::i64_unsuffixed(ranges.last().map_or(0, |r| r[1]));
    let default = match &def.default {
        Some(Scalar::Int(d)) => {
            let d = Literal::i64_unsuffixed(*d);
            quote! {
                impl Default for #name {
                    fn default() -> Self {
                        Self(#d)
                    }
                }
            }
        }
        _ => TokenStream::new(),
    };
    let panic_msg = format!("value out of the range of <{}>", def.doc);
    quote! {
        #[doc = #doc]
        #alias
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct #name(#repr);

        impl #name {
            /// The allowed values, as inclusive intervals.
            pub const RANGES: &'static [(i64, i64)] = &[#(#pairs),*];
            /// The smallest allowed value.
            pub const MIN: Self = Self(#min);
            /// The largest allowed value.
            pub const MAX: Self = Self(#max);

            /// The value, if it lies in the range.
            pub const fn new(v: i64) -> Option<Self> {
                if #(#checks)||* {
                    Some(Self(v as #repr))
                } else {
                    None
                }
            }

            /// The value, checked at compile time when used in a `const`: a bad constant fails
            /// the build instead of reaching the module.
            pub const fn new_const(v: i64) -> Self {
                match Self::new(v) {
                    Some(x) => x,
                    None => panic!(#panic_msg),
                }
            }

            /// The number sent on the wire.
            pub const fn get(self) -> #repr {
                self.0
            }
        }

        impl TryFrom<i64> for #name {
            type Error = OutOfRange;

            fn try_from(v: i64) -> Result<Self, OutOfRange> {
                Self::new(v).ok_or(OutOfRange { param: #doc_name, value: v })
            }
        }

        impl From<#name> for i64 {
            fn from(v: #name) -> i64 {
                v.0 as i64
            }
        }

        impl core::fmt::Display for #name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Display::fmt(&self.0, f)
            }
        }

        #default
    }
}

fn enumeration(key: &str, def: &ParamDef) -> TokenStream {
    let name = naming::type_name(key);
    let values = def.values.as_deref().unwrap_or_default();
    let keyword = values.iter().any(|v| matches!(v.value, Scalar::Str(_)));
    let doc = param_doc(def);
    let alias = naming::doc_alias(&def.doc, &name.to_string());
    let doc_name = &def.doc;
    let variants = values.iter().map(|v| {
        let var = naming::variant(&v.name);
        let vdoc = format!("`{}`: {}.", v.value, capitalise(&v.about));
        match &v.value {
            Scalar::Int(i) if !keyword => {
                let i = Literal::i64_unsuffixed(*i);
                quote! { #[doc = #vdoc] #var = #i, }
            }
            _ => quote! { #[doc = #vdoc] #var, },
        }
    });
    let default = match &def.default {
        Some(d) => match values.iter().find(|v| &v.value == d) {
            Some(v) => {
                let var = naming::variant(&v.name);
                quote! {
                    impl Default for #name {
                        fn default() -> Self {
                            Self::#var
                        }
                    }
                }
            }
            None => TokenStream::new(),
        },
        None => TokenStream::new(),
    };
    // The discriminants' type holds every value (negative ones and those above 255 too).
    let repr = int_repr(&enum_ints(values));
    let conversions = if keyword {
        let to = values.iter().map(|v| {
            let var = naming::variant(&v.name);
            let s = match &v.value {
                Scalar::Str(s) => s.clone(),
                Scalar::Int(i) => i.to_string(),
            };
            quote! { Self::#var => #s, }
        });
        let from = values.iter().map(|v| {
            let var = naming::variant(&v.name);
            let s = match &v.value {
                Scalar::Str(s) => s.clone(),
                Scalar::Int(i) => i.to_string(),
            };
            quote! { #s => Some(Self::#var), }
        });
        quote! {
            impl #name {
                /// The keyword sent on the wire (without the quotes).
                pub const fn as_str(self) -> &'static str {
                    match self {
                        #(#to)*
                    }
                }

                /// The value for a keyword, if it is one of the listed ones.
                pub fn from_keyword(s: &str) -> Option<Self> {
                    match s {
                        #(#from)*
                        _ => None,
                    }
                }
            }
        }
    } else {
        let from = values.iter().map(|v| {
            let var = naming::variant(&v.name);
            let i = match &v.value {
                Scalar::Int(i) => Literal::i64_unsuffixed(*i),
                Scalar::Str(_) => Literal::i64_unsuffixed(0),
            };
            quote! { #i => Ok(Self::#var), }
        });
        quote! {
            impl #name {
                /// The number sent on the wire.
                pub const fn code(self) -> #repr {
                    self as #repr
                }
            }

            impl TryFrom<i64> for #name {
                type Error = OutOfRange;

                fn try_from(v: i64) -> Result<Self, OutOfRange> {
                    match v {
                        #(#from)*
                        _ => Err(OutOfRange { param: #doc_name, value: v }),
                    }
                }
            }
        }
    };
    let names = values.iter().map(|v| {
        let var = naming::variant(&v.name);
        let n = &v.name;
        quote! { Self::#var => #n, }
    });
    let conversions = quote! {
        #conversions

        impl #name {
            /// The value's name in the spec (`buffer_access`), beside its wire value.
            pub const fn name(self) -> &'static str {
                match self {
                    #(#names)*
                }
            }
        }
    };
    let repr_attr = if keyword {
        TokenStream::new()
    } else {
        quote!(#[repr(#repr)])
    };
    quote! {
        #[doc = #doc]
        #alias
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        #repr_attr
        pub enum #name {
            #(#variants)*
        }

        #conversions
        #default
    }
}
