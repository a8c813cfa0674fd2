//! Whether emitted code parses as Rust, fast enough for the `spec` target: the code is cut
//! into its top-level items and only items not seen before are parsed. A mutant changes a few
//! items of the tens of kilobytes a spec emits; parsing all of them was a third of the
//! target's time.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};

/// Items seen before by their hash: past this many, the memo starts again.
const MEMO_LIMIT: usize = 200_000;

/// Item hashes that parsed before, and the specs whose whole emitted code did.
#[derive(Default)]
pub struct Memo {
    parsed: HashSet<u64>,
    specs: HashSet<u64>,
    text: String,
}

impl Memo {
    /// Whether the code emitted for the spec of `files` was judged before: loading, checking
    /// and emitting are functions of the files' text, so the same files emit the same code
    /// again. Mutants often are the same files: edits of nodes a modulo maps to the same place,
    /// edits a later one undoes, bytes past the last instruction. Returns the key to note.
    pub fn seen_spec(&self, files: &BTreeMap<String, String>) -> (bool, u64) {
        let mut h = DefaultHasher::new();
        files.hash(&mut h);
        let key = h.finish();
        (self.specs.contains(&key), key)
    }

    /// Notes that the code of the spec with `key` (from [`Memo::seen_spec`]) parsed.
    pub fn spec_parsed(&mut self, key: u64) {
        if self.specs.len() > MEMO_LIMIT {
            self.specs.clear();
        }
        self.specs.insert(key);
    }

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

/// The hash of the tokens, tree by tree (`text` holds a literal's text, kept to save its
/// allocation): cheaper than writing the trees out as text and hashing that.
fn hash(tokens: &TokenStream, text: &mut String) -> u64 {
    let mut h = DefaultHasher::new();
    hash_trees(tokens, text, &mut h);
    h.finish()
}

fn hash_trees(tokens: &TokenStream, text: &mut String, h: &mut DefaultHasher) {
    use std::fmt::Write;
    for tree in tokens.clone() {
        match tree {
            TokenTree::Group(g) => {
                (0u8, g.delimiter() as u8).hash(h);
                hash_trees(&g.stream(), text, h);
                1u8.hash(h);
            }
            TokenTree::Ident(i) => (2u8, i).hash(h),
            TokenTree::Punct(p) => (3u8, p.as_char(), p.spacing() == Spacing::Joint).hash(h),
            TokenTree::Literal(l) => {
                text.clear();
                let _ = write!(text, "{l}");
                (4u8, text.as_str()).hash(h);
            }
        }
    }
}
