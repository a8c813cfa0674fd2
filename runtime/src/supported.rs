//! The value lists of test responses (`AT+<cmd>=?`) as typed values: `(0-11)`, `(0,1)`,
//! `(0,20-86400)`, `("TCP","UDP")` or `"TCP","UDP"` (the document's `"TCP/UDP"` is one
//! keyword holding slashes), and placeholders (`<host>`, `"<APN>"`). A generated test-response
//! decoder keeps each field as the module printed it; [`parse`] reads one. Hand-written: the
//! grammar is a dozen lines, and no crate reads AT test-response lists.

use core::fmt;

/// One entry of a value list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item<'a> {
    /// Integers from `.0` to `.1`, both included (`5` is `(5, 5)`).
    Ints(i64, i64),
    /// A keyword, without its quotes.
    Keyword(&'a str),
}

/// What a test response shows for one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supported<'a> {
    /// A list of values; [`Supported::items`] walks it (every entry was checked by [`parse`]).
    List(&'a str),
    /// A name or literal shown as is (`<host>`, `"<hostname>"`).
    Placeholder(&'a str),
}

/// Why a list does not read, and the entry that does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadList<'a> {
    /// A parenthesis opened and not closed.
    Unclosed,
    /// An entry that is neither a number, a range `lo-hi` nor a quoted keyword.
    Entry(&'a str),
    /// A range whose end is below its start.
    Backwards(&'a str),
    /// Keywords and numbers in one list.
    Mixed,
}

impl fmt::Display for BadList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadList::Unclosed => f.write_str("a parenthesis is not closed"),
            BadList::Entry(e) => write!(f, "`{e}` is neither a number, a range nor a keyword"),
            BadList::Backwards(e) => write!(f, "`{e}` runs backwards"),
            BadList::Mixed => f.write_str("numbers and keywords in one list"),
        }
    }
}

/// Reads one field of a test response.
pub fn parse(text: &str) -> Result<Supported<'_>, BadList<'_>> {
    let t = text.trim();
    let inner = match t.strip_prefix('(') {
        Some(rest) => rest.strip_suffix(')').ok_or(BadList::Unclosed)?,
        None if t.starts_with('"') && !t.contains('<') => t,
        None => return Ok(Supported::Placeholder(t)),
    };
    let (mut ints, mut words) = (false, false);
    for entry in inner.split(',') {
        match item(entry)? {
            Item::Ints(..) => ints = true,
            Item::Keyword(_) => words = true,
        }
    }
    if ints && words {
        return Err(BadList::Mixed);
    }
    Ok(Supported::List(inner))
}

impl<'a> Supported<'a> {
    /// The entries of a list (none for a placeholder).
    pub fn items(&self) -> impl Iterator<Item = Item<'a>> + 'a {
        let inner = match *self {
            Supported::List(inner) => Some(inner),
            Supported::Placeholder(_) => None,
        };
        inner
            .into_iter()
            .flat_map(|i| i.split(','))
            .filter_map(|e| item(e).ok())
    }

    /// Whether `v` is among the integers listed.
    pub fn contains_int(&self, v: i64) -> bool {
        self.items()
            .any(|i| matches!(i, Item::Ints(lo, hi) if lo <= v && v <= hi))
    }
}

fn item(entry: &str) -> Result<Item<'_>, BadList<'_>> {
    let e = entry.trim();
    if let Some(word) = e.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
        return Ok(Item::Keyword(word));
    }
    let num = |s: &str| s.trim().parse::<i64>().map_err(|_| BadList::Entry(e));
    // The separator is a `-` after the first character (a leading one is a sign).
    let sep = e.get(1..).and_then(|t| t.find('-')).map(|i| i + 1);
    let (lo, hi) = match sep {
        Some(i) => (num(&e[..i])?, num(&e[i + 1..])?),
        None => (num(e)?, num(e)?),
    };
    if lo > hi {
        return Err(BadList::Backwards(e));
    }
    Ok(Item::Ints(lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(t: &str) -> heapless::Vec<(i64, i64), 8> {
        parse(t)
            .unwrap()
            .items()
            .map(|i| match i {
                Item::Ints(lo, hi) => (lo, hi),
                Item::Keyword(k) => panic!("{k}"),
            })
            .collect()
    }

    #[test]
    fn the_documents_lists_read() {
        assert_eq!(ints("(0-11)"), [(0, 11)]);
        assert_eq!(ints("(0,1)"), [(0, 0), (1, 1)]);
        assert_eq!(ints("(20-86400)"), [(20, 86400)]);
        assert_eq!(ints("(0,20-86400)"), [(0, 0), (20, 86400)]);
        assert_eq!(ints("(-5--1)"), [(-5, -1)]);
        let kinds = parse(r#""TCP","UDP""#).unwrap();
        let words: heapless::Vec<Item<'_>, 4> = kinds.items().collect();
        assert_eq!(words, [Item::Keyword("TCP"), Item::Keyword("UDP")]);
        assert_eq!(
            parse(r#"("TCP","UDP")"#).unwrap().items().count(),
            2,
            "parenthesised keywords"
        );
        assert_eq!(parse("<host>"), Ok(Supported::Placeholder("<host>")));
        assert_eq!(parse("\"<APN>\""), Ok(Supported::Placeholder("\"<APN>\"")));
        assert!(parse("(0,20-86400)").unwrap().contains_int(300));
        assert!(!parse("(0,20-86400)").unwrap().contains_int(5));
    }

    #[test]
    fn bad_lists_say_why() {
        assert_eq!(parse("(0-"), Err(BadList::Unclosed));
        assert_eq!(parse("(9-1)"), Err(BadList::Backwards("9-1")));
        assert_eq!(parse("(a)"), Err(BadList::Entry("a")));
        assert_eq!(parse(r#"(0,"TCP")"#), Err(BadList::Mixed));
    }
}
