//! The invariant of the generator: whatever `check` accepts generates code that compiles with
//! `-D warnings`. Every fixture spec (and a batch of randomly generated valid specs) becomes a
//! crate of its own in one temporary workspace, checked by one `cargo check` run.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The workspace's requirement line of a dependency, copied as written so that the fixture
/// crates follow dependency upgrades.
fn workspace_dep(name: &str) -> String {
    let toml = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    toml.lines()
        .find(|l| l.starts_with(&format!("{name} =")))
        .unwrap_or_else(|| panic!("no `{name}` in [workspace.dependencies]"))
        .to_owned()
}

/// Writes a crate for the spec in `spec` named `name` into `root`; returns whether the spec
/// passed the checker (a rejected spec gets no crate).
fn add_crate(root: &Path, name: &str, spec: &Path) -> Result<(), String> {
    let model = qi_codegen::load_and_check(spec).map_err(|d| {
        d.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let dir = root.join(name);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let runtime = repo().join("runtime").canonicalize().unwrap();
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nquectel-qi = {{ path = {runtime:?} }}\n{}\n{}\n",
        workspace_dep("atat"),
        workspace_dep("heapless"),
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    let lib = "//! Generated from a fixture spec; no lint is allowed.\n#![no_std]\n\
               #![deny(warnings)]\npub use quectel_qi::wire;\ninclude!(\"generated.rs\");\n";
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
    std::fs::write(dir.join("src/generated.rs"), qi_codegen::expand(&model)).unwrap();
    Ok(())
}

/// `cargo check` over the crates; panics with the compiler's output when any fails.
fn check_all(root: &Path, crates: &[String]) {
    let mut ws = String::from("[workspace]\nresolver = \"2\"\nmembers = [\n");
    for c in crates {
        writeln!(ws, "  \"{c}\",").unwrap();
    }
    ws.push_str("]\n");
    std::fs::write(root.join("Cargo.toml"), ws).unwrap();
    // The repository's lock file pins the same versions as the real build, offline.
    std::fs::copy(repo().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "check",
            "--offline",
            "--workspace",
            "--quiet",
            "--keep-going",
        ])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_BUILD_TARGET")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "generated code does not compile:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn fixtures() -> Vec<(String, PathBuf)> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v: Vec<(String, PathBuf)> = ["minimal", "profiles"]
        .iter()
        .map(|n| (format!("fixture-{n}"), here.join("tests/fixtures").join(n)))
        .collect();
    v.push(("qi-spec".into(), repo().join("spec")));
    v.push(("own-spec".into(), repo().join("tests/own-spec/spec")));
    v
}

/// Random specs the generator has to handle: values of any sign and size, names that are Rust
/// keywords or shadow locals of the generated code, empty lists. Each must either be rejected
/// by `check` with a message or compile.
const RANDOM_SPECS: u64 = 24;

#[test]
fn every_accepted_spec_compiles_without_warnings() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("compile-fixtures");
    // Crates of an earlier run go, the target directory (its compiled dependencies) stays.
    if let Ok(entries) = std::fs::read_dir(&root) {
        for e in entries.flatten() {
            if e.file_name() != "target" {
                let _ = std::fs::remove_dir_all(e.path());
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    std::fs::create_dir_all(&root).unwrap();
    let mut crates = Vec::new();
    for (name, dir) in fixtures() {
        add_crate(&root, &name, &dir).unwrap_or_else(|e| panic!("{name} is not valid:\n{e}"));
        crates.push(name);
    }
    let mut rejected = Vec::new();
    for seed in 1..=RANDOM_SPECS {
        let dir = root.join(format!("specs/random-{seed}"));
        random_spec::write(&mut random_spec::Rng::new(seed), &dir);
        let name = format!("random-{seed}");
        match add_crate(&root, &name, &dir) {
            Ok(()) => crates.push(name),
            Err(e) => rejected.push(format!("seed {seed}:\n{e}")),
        }
    }
    for r in &rejected {
        eprintln!("rejected {r}");
    }
    // The generator aims at valid specs: most must pass, or this test proves little.
    assert!(
        rejected.len() * 4 <= RANDOM_SPECS as usize,
        "the checker rejected too many random specs:\n{}",
        rejected.join("\n")
    );
    check_all(&root, &crates);
}

/// Random specs in the schema of `spec/README.md`, written as YAML files.
mod random_spec {
    use std::fmt::Write as _;
    use std::path::Path;

    /// xorshift64*: deterministic, so a failing seed can be rerun.
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Self {
            Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn chance(&mut self, percent: u64) -> bool {
            self.next() % 100 < percent
        }
        fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
            &v[self.below(v.len())]
        }
    }

    /// Names that are Rust keywords, shadow a local of the generated code, or differ only in
    /// underscores: the naming policy must keep all of them apart or `check` must refuse them.
    const NAMES: &[&str] = &[
        "connect_id",
        "type",
        "match",
        "self",
        "fields",
        "data",
        "line",
        "payload",
        "w",
        "v",
        "x",
        "buf",
        "body",
        "strict",
        "rest",
        "head",
        "given",
        "holds",
        "value",
        "len",
        "n",
        "mode",
        "state",
        "result",
        "error",
        "kind",
        "loop",
        "if",
        "else",
        "return",
        "struct",
        "async",
        "crate",
        "super",
        "dyn",
        "r#try",
        "index",
        "code",
        "text",
        "f",
        "u8",
        "port",
        "a1",
        "timeout",
        "level",
    ];

    /// Integer ranges of every size and sign.
    const RANGES: &[&str] = &[
        "[[0, 11]]",
        "[[1, 15]]",
        "[[-5, 5]]",
        "[[0, 0], [20, 86400]]",
        "[[0, 65535]]",
        "[[0, 70000]]",
        "[[-2147483649, 0]]",
        "[[1, 4294967296]]",
        "[[-128, 127]]",
        "[[256, 300]]",
        "[[0, 1460]]",
    ];

    /// Integer enumeration value sets: negative, above 255, above 65535.
    const INT_VALUES: &[&[i64]] = &[
        &[0, 1],
        &[-1, 0, 1],
        &[0, 255, 256],
        &[1, 70000],
        &[-40000, 2],
        &[0, 1, 2, 3],
        &[7],
    ];

    struct Param {
        key: String,
        kind: Kind,
    }

    #[derive(Clone)]
    enum Kind {
        /// An integer with a range; the range's bounds.
        Ranged(i64, i64),
        Int,
        IntEnum(Vec<(i64, String)>),
        KeywordEnum(Vec<String>),
        Str,
        Hex,
    }

    fn bounds(range: &str) -> (i64, i64) {
        let nums: Vec<i64> = range
            .split(|c: char| !(c.is_ascii_digit() || c == '-'))
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        (nums[0], *nums.last().unwrap())
    }

    fn params(rng: &mut Rng, out: &mut String) -> Vec<Param> {
        let mut keys: Vec<&str> = NAMES.to_vec();
        let n = 4 + rng.below(6);
        let mut ps = Vec::new();
        for i in 0..n {
            let k = keys.remove(rng.below(keys.len()));
            // Keys are snake_case; a raw-identifier spelling is not one.
            let key = if k.starts_with("r#") {
                format!("p{i}")
            } else {
                k.to_owned()
            };
            let kind = match rng.below(6) {
                0 | 1 => {
                    let r = *rng.pick(RANGES);
                    let (lo, hi) = bounds(r);
                    writeln!(
                        out,
                        "{key}:\n  doc: {key}\n  type: int\n  range: {r}\n  about: a number"
                    )
                    .unwrap();
                    if rng.chance(40) {
                        writeln!(out, "  default: {hi}").unwrap();
                    }
                    if rng.chance(30) {
                        writeln!(
                            out,
                            "  unit: {}",
                            rng.pick(&["s", "ms", "byte", "times", "100ms", "minute"])
                        )
                        .unwrap();
                    }
                    Kind::Ranged(lo, hi)
                }
                2 => {
                    writeln!(
                        out,
                        "{key}:\n  doc: {key}\n  type: int\n  about: any number"
                    )
                    .unwrap();
                    Kind::Int
                }
                3 => {
                    let vals = *rng.pick(INT_VALUES);
                    writeln!(
                        out,
                        "{key}:\n  doc: {key}\n  type: enum\n  about: a choice\n  values:"
                    )
                    .unwrap();
                    let mut vs = Vec::new();
                    for (j, v) in vals.iter().enumerate() {
                        let name = *rng.pick(&[
                            "on", "off", "self", "type", "none", "some", "ok", "err", "default",
                        ]);
                        let name = format!("{name}_{j}");
                        writeln!(
                            out,
                            "    - {{ value: {v}, name: {name}, about: value {v} }}"
                        )
                        .unwrap();
                        vs.push((*v, name));
                    }
                    if rng.chance(40) {
                        writeln!(out, "  default: {}", vals[0]).unwrap();
                    }
                    Kind::IntEnum(vs)
                }
                4 => {
                    writeln!(
                        out,
                        "{key}:\n  doc: {key}\n  type: enum\n  about: a keyword\n  values:"
                    )
                    .unwrap();
                    let mut vs = Vec::new();
                    for (j, kw) in ["TCP", "UDP SERVICE", "a,b", "x/y"]
                        .iter()
                        .take(1 + rng.below(4))
                        .enumerate()
                    {
                        let name = format!("k{j}");
                        writeln!(
                            out,
                            "    - {{ value: \"{kw}\", name: {name}, about: keyword {j} }}"
                        )
                        .unwrap();
                        vs.push(name);
                    }
                    Kind::KeywordEnum(vs)
                }
                _ => {
                    let hex = rng.chance(30);
                    let ty = if hex { "hex" } else { "string" };
                    writeln!(
                        out,
                        "{key}:\n  doc: {key}\n  type: {ty}\n  about: some text"
                    )
                    .unwrap();
                    if rng.chance(60) {
                        writeln!(out, "  max_len: {}", 2 * (1 + rng.below(40))).unwrap();
                    }
                    if !hex && rng.chance(15) {
                        writeln!(out, "  quoted: false").unwrap();
                    }
                    if hex {
                        Kind::Hex
                    } else {
                        Kind::Str
                    }
                }
            };
            ps.push(Param { key, kind });
        }
        // A payload length, so that data blocks and prompts have one.
        writeln!(out, "data_len:\n  doc: length\n  type: int\n  range: [[0, 1500]]\n  unit: byte\n  about: a payload length").unwrap();
        ps.push(Param {
            key: "data_len".into(),
            kind: Kind::Ranged(0, 1500),
        });
        ps
    }

    /// A repeated last field of a line (`repeat: { min, max }`), `None` at times.
    fn repeated(rng: &mut Rng, ps: &[Param]) -> Option<String> {
        if !rng.chance(25) {
            return None;
        }
        let p = rng.pick(ps);
        let min = rng.below(3);
        let max = min + 1 + rng.below(4);
        Some(format!(
            "{{ param: {}, name: listed, repeat: {{ min: {min}, max: {max} }} }}",
            p.key
        ))
    }

    /// Appends a field to a YAML list of fields.
    fn append(list: &str, item: &str) -> String {
        let head = list.trim_end_matches(']');
        let sep = if head.len() > 1 { ", " } else { "" };
        format!("{head}{sep}{item}]")
    }

    /// A write form's repeated group of one or two parameters, `None` at times.
    fn group(rng: &mut Rng, ps: &[Param]) -> Option<String> {
        if !rng.chance(25) {
            return None;
        }
        let mut entry = vec![format!("{{ param: {}, name: entry_a }}", rng.pick(ps).key)];
        if rng.chance(50) {
            entry.push(format!("{{ param: {}, name: entry_b }}", rng.pick(ps).key));
        }
        let min = rng.below(2);
        Some(format!(
            "    repeat: {{ name: entries, about: repeated entries, params: [{}], min: {min}, max: {} }}",
            entry.join(", "),
            min + 1 + rng.below(4)
        ))
    }

    /// A list of field uses, the optional ones trailing; returns the YAML and the names used.
    fn uses(
        rng: &mut Rng,
        ps: &[Param],
        max: usize,
        allow_optional: bool,
    ) -> (String, Vec<(String, Kind, bool)>) {
        let mut items = Vec::new();
        let mut used = Vec::new();
        let mut optional = false;
        for p in ps.iter().filter(|p| p.key != "data_len") {
            if used.len() >= max || !rng.chance(50) {
                continue;
            }
            optional |= allow_optional && rng.chance(30);
            items.push(if optional {
                format!("{{ param: {}, optional: true }}", p.key)
            } else {
                p.key.clone()
            });
            used.push((p.key.clone(), p.kind.clone(), optional));
        }
        (format!("[{}]", items.join(", ")), used)
    }

    fn outcomes(rng: &mut Rng, urcs: &[String]) -> String {
        let finals = rng.pick(&[
            "[OK, ERROR]",
            "[OK]",
            "[SEND OK, SEND FAIL, ERROR]",
            "[CONNECT, NO CARRIER, ERROR]",
        ]);
        let later = if !urcs.is_empty() && rng.chance(40) {
            format!(", later: [{}]", rng.pick(urcs))
        } else {
            String::new()
        };
        format!("      outcomes:\n        - {{ final: {finals}{later} }}\n")
    }

    fn line(rng: &mut Rng, ps: &[Param], test: bool) -> String {
        let mut s = String::from("        - ");
        let mut attrs = Vec::new();
        if rng.chance(30) {
            attrs.push(format!(
                "prefix: \"+{}\"",
                rng.pick(&["QZZ", "QXR", "QIURC"])
            ));
        }
        if rng.chance(25) {
            attrs.push(format!(
                "selector: \"{}\"",
                rng.pick(&["mode", "tcp/x", "a-b", "1st"])
            ));
        }
        if test {
            let (_, used) = uses(rng, ps, 3, false);
            let f: Vec<String> = used
                .iter()
                .map(|(k, _, _)| {
                    format!(
                        "{{ param: {k}, shown: {} }}",
                        rng.pick(&["range", "placeholder"])
                    )
                })
                .collect();
            attrs.push(format!("fields: [{}]", f.join(", ")));
        } else if rng.chance(30) {
            let (f, _) = uses(rng, ps, 3, false);
            let f = f.trim_end_matches(']').to_owned();
            let sep = if f.len() > 1 { ", " } else { "" };
            attrs.push(format!("fields: {f}{sep}data_len]"));
            attrs.push("data: { length: data_len }".into());
        } else {
            let (mut f, _) = uses(rng, ps, 4, true);
            if !f.contains("optional") {
                if let Some(r) = repeated(rng, ps) {
                    f = append(&f, &r);
                }
            }
            attrs.push(format!("fields: {f}"));
            if rng.chance(30) {
                attrs.push(format!("repeat: {}", 1 + rng.below(12)));
            }
            if rng.chance(20) {
                attrs.push("optional: true".into());
            }
        }
        write!(s, "{{ {} }}", attrs.join(", ")).unwrap();
        s.push('\n');
        s
    }

    fn command(rng: &mut Rng, name: &str, ps: &[Param], urcs: &[String]) -> String {
        let mut s = format!("name: {name}\ntitle: A random command\nsection: \"9.{}\"\nabout: made up by a test\nforms:\n", rng.below(9));
        let mut forms = 0;
        for (kind, form) in [
            ("test", "test"),
            ("read", "read"),
            ("execute", "run"),
            ("write", "set"),
            ("write", "send"),
            ("write", "query"),
        ] {
            // Each form may be left out, except that a command needs one write form.
            let needed = forms == 0 && kind == "write";
            if !needed && !rng.chance(55) {
                continue;
            }
            forms += 1;
            writeln!(
                s,
                "  - name: {form}\n    kind: {kind}\n    about: a {kind} form"
            )
            .unwrap();
            if kind == "write" && form == "query" {
                writeln!(
                    s,
                    "    selector: \"{}\"",
                    rng.pick(&["mode", "tcp/x", "dns-cache"])
                )
                .unwrap();
            }
            let mut prompt = None;
            if kind == "write" && form != "query" {
                let (u, used) = uses(rng, ps, 5, true);
                let mut u = u;
                if form == "send" {
                    u = format!(
                        "{}{}{{ param: data_len, name: send_length }}]",
                        u.trim_end_matches(']'),
                        if used.is_empty() { "" } else { ", " }
                    );
                    if used.iter().any(|x| x.2) {
                        // Only trailing parameters may be optional.
                        u = u.replace(", optional: true", "");
                    }
                    prompt = Some(if rng.chance(50) {
                        "{ length: send_length, max_len: 1500 }"
                    } else {
                        "{ ctrl_z: true, max_len: 1500 }"
                    });
                    if prompt == Some("{ ctrl_z: true, max_len: 1500 }") {
                        u = u
                            .replace(", { param: data_len, name: send_length }", "")
                            .replace("{ param: data_len, name: send_length }", "");
                    }
                }
                writeln!(s, "    params: {u}").unwrap();
                if form == "set" && !u.contains("optional") {
                    if let Some(g) = group(rng, ps) {
                        writeln!(s, "{g}").unwrap();
                    }
                }
                let optional: Vec<&(String, Kind, bool)> = used.iter().filter(|x| x.2).collect();
                let mut rules = Vec::new();
                if form != "send" && optional.len() >= 2 && rng.chance(50) {
                    rules.push(format!(
                        "      - {{ together: [{}, {}], why: given as a group }}",
                        optional[0].0, optional[1].0
                    ));
                }
                for (k, kind, _) in &used {
                    if !rng.chance(30) {
                        continue;
                    }
                    let then = match kind {
                        Kind::Ranged(lo, _) => format!("{{ {k}: {{ range: [[{lo}, {lo}]] }} }}"),
                        Kind::KeywordEnum(v) => format!("{{ {k}: {{ one_of: [{}] }} }}", v[0]),
                        Kind::IntEnum(v) => format!("{{ {k}: {{ one_of: [{}] }} }}", v[0].1),
                        Kind::Str | Kind::Hex
                            if !u.contains(&format!("{{ param: {k}, optional")) =>
                        {
                            format!("{{ {k}: {{ min_len: 2 }} }}")
                        }
                        _ => continue,
                    };
                    let cond = used
                        .iter()
                        .find(|(o, kd, _)| {
                            o != k && matches!(kd, Kind::IntEnum(_) | Kind::KeywordEnum(_))
                        })
                        .map(|(o, kd, _)| match kd {
                            Kind::IntEnum(v) => {
                                format!("if: {{ {o}: {{ one_of: [{}] }} }}, ", v.last().unwrap().1)
                            }
                            Kind::KeywordEnum(v) => {
                                format!("if: {{ {o}: {{ one_of: [{}] }} }}, ", v.last().unwrap())
                            }
                            _ => unreachable!(),
                        })
                        .unwrap_or_default();
                    rules.push(format!("      - {{ {cond}then: {then}, why: a rule }}"));
                }
                if !rules.is_empty() {
                    writeln!(s, "    rules:\n{}", rules.join("\n")).unwrap();
                }
                if let Some((k, _, _)) = used.iter().find(
                    |(_, kd, _)| matches!(kd, Kind::Ranged(lo, hi) if *lo >= 1 && *hi <= 86400),
                ) {
                    if rng.chance(30) {
                        writeln!(s, "    max_response_time_param: {k}").unwrap();
                    }
                }
            }
            writeln!(s, "    response:").unwrap();
            if let Some(p) = prompt {
                writeln!(s, "      prompt: {p}").unwrap();
            }
            let nlines = if kind == "execute" { 0 } else { rng.below(3) };
            if nlines > 0 {
                writeln!(s, "      lines:").unwrap();
                for _ in 0..nlines {
                    s.push_str(&line(rng, ps, kind == "test"));
                }
            }
            s.push_str(&outcomes(rng, urcs));
            if rng.chance(30) {
                writeln!(
                    s,
                    "    max_response_time: {}",
                    rng.pick(&["300ms", "150s", "2min"])
                )
                .unwrap();
            }
            if rng.chance(15) {
                writeln!(s, "    since: \"1.1\"").unwrap();
            }
        }
        s
    }

    /// Writes a random spec into `dir`.
    pub fn write(rng: &mut Rng, dir: &Path) {
        let _ = std::fs::remove_dir_all(dir);
        for sub in ["params", "commands", "examples"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let w = |f: &str, s: &str| std::fs::write(dir.join(f), s).unwrap();
        w("document.yaml", "title: A random spec\nversion: \"1.1\"\ndate: \"2025-01-01\"\nmodules:\n  - { name: M1, profile: m1, about: a module }\nrevisions:\n  - { version: \"1.0\", date: \"2024-01-01\", changes: [first] }\n  - { version: \"1.1\", date: \"2025-01-01\", changes: [more] }\nunspecified_response_time: 300ms\nunspecified_response_time_why: tests\nunspecified_string_len: 40\nunspecified_string_len_why: tests\n");
        w("errata.yaml", "errata: []\n");
        let mut p = String::new();
        let ps = params(rng, &mut p);
        w("params/all.yaml", &p);
        let mut errors = String::from("errors:");
        let n_err = rng.below(4);
        if n_err == 0 {
            errors.push_str(" []\n");
        } else {
            errors.push('\n');
            for (i, code) in [0, 550, 65535].iter().take(n_err).enumerate() {
                writeln!(
                    errors,
                    "  - {{ code: {code}, name: {}, text: error {i} }}",
                    rng.pick(&["ok", "self", "failed", "type", "none"])
                        .to_string()
                        + &format!("_{i}")
                )
                .unwrap();
            }
        }
        w("errors.yaml", &errors);
        let mut urcs = String::from("urcs:");
        let mut urc_names = Vec::new();
        let n_urc = rng.below(4);
        if n_urc == 0 {
            urcs.push_str(" []\n");
        } else {
            urcs.push('\n');
        }
        for i in 0..n_urc {
            let name = format!(
                "{}_{i}",
                rng.pick(&["closed", "recv", "self", "type", "incoming"])
            );
            let prefix = rng.pick(&["+QZZ", "+QIURC", "+QXR"]);
            let keyword = if *prefix == "+QIURC" || rng.chance(30) {
                format!("keyword: \"{}\", ", rng.pick(&["recv", "closed", "a b"]))
            } else {
                String::new()
            };
            let (f, _) = uses(rng, &ps, 3, true);
            let (fields, data) = if rng.chance(30) && !f.contains("optional") {
                let f = f.trim_end_matches(']').to_owned();
                let sep = if f.len() > 1 { ", " } else { "" };
                (format!("{f}{sep}data_len]"), ", data: { length: data_len }")
            } else if !f.contains("optional") {
                match repeated(rng, &ps) {
                    Some(r) => (append(&f, &r), ""),
                    None => (f, ""),
                }
            } else {
                (f, "")
            };
            writeln!(urcs, "  - {{ name: {name}, prefix: \"{prefix}\", {keyword}section: \"9.9\", about: a URC, fields: {fields}{data} }}").unwrap();
            urc_names.push(name);
        }
        w("urcs.yaml", &urcs);
        let n_cmd = 1 + rng.below(3);
        for name in ["QXA", "QXB1", "QZZ"].iter().take(n_cmd) {
            w(
                &format!("commands/{}.yaml", name.to_ascii_lowercase()),
                &command(rng, name, &ps, &urc_names),
            );
        }
    }
}
