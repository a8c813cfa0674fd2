//! Whether emitted code parses as Rust, fast enough for the `spec` target: the code is cut
//! into its top-level items and only items not seen before are parsed. A mutant changes a few
//! items of the tens of kilobytes a spec emits; parsing all of them was a third of the
//! target's time.

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};
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
    /// brace group not followed by `;`; the body of a module or an `impl` block is cut into
    /// its items in turn, and judged apart from its head (the item with an empty body), so that
    /// one changed item of a large module or impl costs the parse of that item alone. A piece
    /// that does not parse alone is judged with the whole file (the cut may have split an item
    /// whose braces sit inside an expression), so the answer is always that of parsing the
    /// whole.
    pub fn parses(&mut self, tokens: TokenStream) -> Result<(), syn::Error> {
        if self.parsed.len() > MEMO_LIMIT {
            self.parsed.clear();
        }
        if self.pieces_parse(tokens.clone(), Kind::Item) {
            Ok(())
        } else {
            syn::parse2::<syn::File>(tokens).map(drop)
        }
    }

    /// Whether every piece of `tokens` (items of `kind`) parses alone, memoised.
    fn pieces_parse(&mut self, tokens: TokenStream, kind: Kind) -> bool {
        for piece in pieces(tokens) {
            let (head, body) = split_body(piece);
            let key = hash(&head, kind, &mut self.text);
            if !self.parsed.contains(&key) {
                let ok = match kind {
                    Kind::Item => syn::parse::Parser::parse2(items, head).is_ok(),
                    Kind::ImplItem => syn::parse::Parser::parse2(impl_items, head).is_ok(),
                };
                if !ok {
                    return false;
                }
                self.parsed.insert(key);
            }
            if let Some((inner, body)) = body {
                if !self.pieces_parse(body, inner) {
                    return false;
                }
            }
        }
        true
    }
}

/// What a piece is parsed as: an item, or an item of an `impl` block.
#[derive(Clone, Copy, Hash)]
enum Kind {
    Item,
    ImplItem,
}

/// The pieces of a list of items: cut after a `;` or a brace group not followed by `;`.
fn pieces(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut pieces = Vec::new();
    let mut piece = Vec::new();
    let mut trees = tokens.into_iter().peekable();
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
            pieces.push(std::mem::take(&mut piece));
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// A module's or `impl` block's piece as its head (the piece with an empty body) and its body
/// with what the body holds; any other piece whole. Told by the first word after the outer
/// attributes and the visibility: `mod`, `impl`, `unsafe impl`.
fn split_body(mut piece: Vec<TokenTree>) -> (TokenStream, Option<(Kind, TokenStream)>) {
    let mut i = 0;
    while matches!(piece.get(i), Some(TokenTree::Punct(p)) if p.as_char() == '#')
        && matches!(piece.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
    {
        i += 2;
    }
    let word = |i: usize| match piece.get(i) {
        Some(TokenTree::Ident(id)) => Some(id.to_string()),
        _ => None,
    };
    if word(i).as_deref() == Some("pub") {
        i += 1;
        if matches!(piece.get(i), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
        {
            i += 1;
        }
    }
    if word(i).as_deref() == Some("unsafe") {
        i += 1;
    }
    let kind = match word(i).as_deref() {
        Some("mod") => Kind::Item,
        Some("impl") => Kind::ImplItem,
        _ => return (TokenStream::from_iter(piece), None),
    };
    match piece.last_mut() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
            let body = g.stream();
            let mut empty = Group::new(Delimiter::Brace, TokenStream::new());
            empty.set_span(g.span());
            *g = empty;
            (TokenStream::from_iter(piece), Some((kind, body)))
        }
        _ => (TokenStream::from_iter(piece), None),
    }
}

/// Items only (an inner attribute inside the file would not parse there).
fn items(input: syn::parse::ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() {
        input.parse::<syn::Item>()?;
    }
    Ok(())
}

/// Items of an `impl` block only (its inner attributes would not parse there).
fn impl_items(input: syn::parse::ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() {
        input.parse::<syn::ImplItem>()?;
    }
    Ok(())
}

/// The hash of the tokens parsed as `kind`, tree by tree (`text` holds an identifier's or a
/// literal's text, kept to save its allocation): cheaper than writing the trees out as text
/// and hashing that.
fn hash(tokens: &TokenStream, kind: Kind, text: &mut String) -> u64 {
    let mut h = DefaultHasher::new();
    kind.hash(&mut h);
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
            // `Ident`'s own `Hash` writes it to a new `String` first.
            TokenTree::Ident(i) => {
                text.clear();
                let _ = write!(text, "{i}");
                (2u8, text.as_str()).hash(h);
            }
            TokenTree::Punct(p) => (3u8, p.as_char(), p.spacing() == Spacing::Joint).hash(h),
            TokenTree::Literal(l) => {
                text.clear();
                let _ = write!(text, "{l}");
                (4u8, text.as_str()).hash(h);
            }
        }
    }
}
