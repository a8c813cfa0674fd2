//! Whether emitted code parses as Rust, fast enough for the `spec` target: the code is cut
//! into its top-level items and only items not seen before are parsed. A mutant changes a few
//! items of the tens of kilobytes a spec emits; parsing all of them was a third of the
//! target's time.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

/// Items seen before by their hash: past this many, the memo starts again.
const MEMO_LIMIT: usize = 200_000;

/// Item hashes that parsed before.
#[derive(Default)]
pub struct Memo {
    parsed: HashSet<u64>,
    text: String,
}

impl Memo {
    /// Whether `tokens` parse as a file of items. Items are cut after a top-level `;` or a
    /// brace group not followed by `;`; a piece that does not parse alone is judged with the
    /// whole file (the cut may have split an item whose braces sit inside an expression), so
    /// the answer is always that of parsing the whole.
    pub fn parses(&mut self, tokens: TokenStream) -> Result<(), syn::Error> {
        let mut pieces = Vec::new();
        let mut piece = Vec::new();
        let mut trees = tokens.clone().into_iter().peekable();
        while let Some(tree) = trees.next() {
            let ends = match &tree {
                TokenTree::Punct(p) => p.as_char() == ';',
                TokenTree::Group(g) => {
                    g.delimiter() == Delimiter::Brace
                        && !matches!(trees.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';')
                }
                _ => false,
            };
            piece.push(tree);
            if ends {
                pieces.push(TokenStream::from_iter(std::mem::take(&mut piece)));
            }
        }
        if !piece.is_empty() {
            pieces.push(TokenStream::from_iter(piece));
        }
        if self.parsed.len() > MEMO_LIMIT {
            self.parsed.clear();
        }
        for p in pieces {
            let key = hash(&p, &mut self.text);
            if self.parsed.contains(&key) {
                continue;
            }
            if syn::parse::Parser::parse2(items, p).is_err() {
                return syn::parse2::<syn::File>(tokens).map(drop);
            }
            self.parsed.insert(key);
        }
        Ok(())
    }
}

/// Items only (an inner attribute inside the file would not parse there).
fn items(input: syn::parse::ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() {
        input.parse::<syn::Item>()?;
    }
    Ok(())
}

/// The hash of the tokens' text, written into `text` (kept to save its allocation).
fn hash(tokens: &TokenStream, text: &mut String) -> u64 {
    use std::fmt::Write;
    text.clear();
    let _ = write!(text, "{tokens}");
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}
