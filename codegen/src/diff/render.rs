//! The report as text (one line per change, then the summary) and as JSON.

use super::{Class, Kind, Report};

fn class(c: Class) -> &'static str {
    match c {
        Class::Breaking => "breaking",
        Class::Compatible => "compatible",
    }
}

fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Added => "added",
        Kind::Removed => "removed",
        Kind::Changed => "changed",
    }
}

pub(super) fn text(r: &Report) -> String {
    let mut s = format!("document {} → {}\n", r.old_version, r.new_version);
    for c in &r.changes {
        let rust = if c.rust.is_empty() {
            String::new()
        } else {
            format!(" [{}]", c.rust)
        };
        s.push_str(&format!(
            "{:<10} {:<7} {}{rust}: {} ({})\n",
            class(c.class),
            kind(c.kind),
            c.item,
            c.detail,
            c.why
        ));
    }
    s.push_str(&format!("summary: {}\n", r.summary()));
    s
}

pub(super) fn json(r: &Report) -> String {
    let v = serde_json::json!({
        "old_version": r.old_version,
        "new_version": r.new_version,
        "changes": r.changes,
        "summary": {
            "breaking": r.breaking(),
            "compatible": r.compatible(),
            "semver": r.semver(),
            "text": r.summary(),
        },
    });
    serde_json::to_string_pretty(&v).expect("a report serialises")
}
