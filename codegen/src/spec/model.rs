//! The spec exactly as authors write it: one serde type per YAML construct.
//!
//! Every struct denies unknown fields and nothing is `flatten`ed or `untagged`, so that serde_yaml
//! reports a misspelt key at its own line and column. Meaning (references, ranges, rules) is checked
//! later, in [`crate::check`].

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// `spec/document.yaml`: what the document is and which revision changed what.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub title: String,
    pub version: String,
    pub date: String,
    pub modules: Vec<Module>,
    /// Optional groups of commands and URCs, each generated only when a build selects it
    /// (a cargo feature of its name, see `Builder::groups_from_features`); what no group
    /// names is always generated.
    #[serde(default)]
    pub groups: Vec<Group>,
    pub revisions: Vec<Revision>,
    /// Used as the timeout of forms whose maximum response time the document leaves open ("/").
    pub unspecified_response_time: Duration,
    /// Why that figure was chosen (it is ours, not the document's).
    pub unspecified_response_time_why: String,
    /// Bound of strings whose maximum length the document leaves open, so that every command
    /// and response fits a buffer of known size.
    pub unspecified_string_len: u32,
    /// Why that figure was chosen.
    pub unspecified_string_len_why: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    pub name: String,
    pub about: String,
    /// snake_case id that names this module in `modules:` and `by_module:` (a profile), and
    /// the cargo feature that selects it (with `-` for `_`).
    #[serde(default)]
    pub profile: Option<String>,
}

/// A group of commands and URCs that a firmware may leave out of its binding.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// snake_case; the cargo feature that selects it has `-` for `_`.
    pub name: String,
    pub about: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    pub version: String,
    pub date: String,
    pub changes: Vec<String>,
}

/// The type of a parameter on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// A decimal integer.
    Int,
    /// A text string (quoted on the wire unless `quoted: false`).
    String,
    /// A string of hexadecimal digits, two per byte.
    Hex,
    /// One of a list of values, integers or quoted keywords.
    Enum,
    /// Raw payload bytes that follow a line; their length is given by another field.
    Bytes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Unit {
    #[serde(rename = "byte")]
    Byte,
    #[serde(rename = "ms")]
    Millisecond,
    #[serde(rename = "100ms")]
    HundredMilliseconds,
    #[serde(rename = "s")]
    Second,
    #[serde(rename = "minute")]
    Minute,
    #[serde(rename = "times")]
    Times,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Byte => "bytes",
            Unit::Millisecond => "ms",
            Unit::HundredMilliseconds => "x 100 ms",
            Unit::Second => "s",
            Unit::Minute => "minutes",
            Unit::Times => "times",
        }
    }
}

/// An entry of `spec/params/*.yaml`: one per parameter type; forms and URCs refer to it by key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamDef {
    /// The parameter's name in the document, without angle brackets (`connectID`).
    pub doc: String,
    #[serde(rename = "type")]
    pub ty: ParamType,
    /// What it is, in our words.
    pub about: String,
    /// Inclusive intervals of allowed integers: `[[0, 0], [20, 86400]]`.
    #[serde(default)]
    pub range: Option<Vec<[i64; 2]>>,
    #[serde(default)]
    pub values: Option<Vec<EnumValue>>,
    #[serde(default)]
    pub default: Option<Scalar>,
    #[serde(default)]
    pub unit: Option<Unit>,
    /// Maximum length in bytes (strings and hex strings).
    #[serde(default)]
    pub max_len: Option<u32>,
    /// Strings and keyword enums are quoted on the wire unless this is `false`.
    #[serde(default)]
    pub quoted: Option<bool>,
    /// Where one module (a profile id of document.yaml) differs from the document's general
    /// statement; applied only when generating for that profile.
    #[serde(default)]
    pub by_module: BTreeMap<String, ParamOverride>,
    /// A setting kept per instance (socket, client, context) rather than module-wide: the
    /// parameter type (a params key) of the index that names the instance. Every form that
    /// sets it carries that index, and a line whose framing or variant it decides carries it.
    #[serde(default)]
    pub per: Option<String>,
}

/// What one module changes in a parameter type; absent keys keep the general value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamOverride {
    #[serde(default)]
    pub range: Option<Vec<[i64; 2]>>,
    #[serde(default)]
    pub default: Option<Scalar>,
    #[serde(default)]
    pub max_len: Option<u32>,
    /// Enumeration values (names) the module lacks.
    #[serde(default)]
    pub without_values: Vec<String>,
    /// Why, in our words, with the place in the document that says so.
    pub why: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    pub value: Scalar,
    /// snake_case name; becomes the Rust variant.
    pub name: String,
    pub about: String,
    /// The document version that introduced this value, when later than the first release.
    #[serde(default)]
    pub since: Option<String>,
    /// The document version that removed it.
    #[serde(default)]
    pub until: Option<String>,
    /// What the value means for a payload, on a setting that `separator_by` or `encoding_by`
    /// names (every value of such a setting says it).
    #[serde(default)]
    pub framing: Option<PayloadFraming>,
}

/// How a payload is framed while a setting has a value: the separator before received data
/// (`crlf`, `comma`), or the encoding of data sent or received (`raw`, `hex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayloadFraming {
    /// The payload follows its header line after CR LF.
    Crlf,
    /// The payload follows its header line after a comma.
    Comma,
    /// The payload is the bytes themselves.
    Raw,
    /// The payload is two hexadecimal digits per byte (lengths still count bytes).
    Hex,
}

impl PayloadFraming {
    /// Whether the value frames a separator (`separator_by`) rather than an encoding.
    pub fn is_separator(self) -> bool {
        matches!(self, PayloadFraming::Crlf | PayloadFraming::Comma)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PayloadFraming::Crlf => "crlf",
            PayloadFraming::Comma => "comma",
            PayloadFraming::Raw => "raw",
            PayloadFraming::Hex => "hex",
        }
    }
}

/// An integer or a string, as written in YAML.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scalar {
    Int(i64),
    Str(String),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Str(s) => write!(f, "{s:?}"),
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                i64::try_from(v)
                    .map(Scalar::Int)
                    .map_err(|_| E::custom("integer too large"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_owned()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A duration written as `150s`, `300ms` or `2min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    pub millis: u64,
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration(&s)
            .map(|millis| Duration { millis })
            .ok_or_else(|| {
                de::Error::custom(format!(
                    "`{s}` is not a duration: write e.g. `150s`, `300ms` or `2min`"
                ))
            })
    }
}

fn parse_duration(s: &str) -> Option<u64> {
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    match unit {
        "ms" => Some(n),
        "s" => n.checked_mul(1000),
        "min" => n.checked_mul(60_000),
        _ => None,
    }
}

/// `spec/commands/<name>.yaml` (or `spec/basic/`): one AT command and all its forms.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// The name after `AT+` (`QIOPEN`); for basic syntax, after `AT` (`E`, `&D`, empty for
    /// `AT` itself).
    pub name: String,
    /// Extended (`AT+NAME=...`, the default) or basic (`ATE0`, `AT&D1`) syntax.
    #[serde(default)]
    pub syntax: Syntax,
    /// snake_case Rust name of a basic-syntax command (`E` is not an identifier): its module
    /// and file name. Extended commands are named after `name`.
    #[serde(default)]
    pub ident: Option<String>,
    pub title: String,
    /// The section of `standard` (default: the application note) that gives the facts.
    pub section: String,
    /// The public standard whose section `section` names, when it is not the application note
    /// (`ITU-T V.250`, `3GPP TS 27.007`).
    #[serde(default)]
    pub standard: Option<String>,
    pub about: String,
    /// Whether a setting takes effect at once (`immediately`), when the document says.
    #[serde(default)]
    pub effect: Option<Effect>,
    /// Whether settings survive a reboot, when the document says.
    #[serde(default)]
    pub saved: Option<bool>,
    /// Its write forms only change settings of the module (they open, send and activate
    /// nothing): the conformance script plays their accepted values and puts defaults back.
    #[serde(default)]
    pub settings: bool,
    pub forms: Vec<Form>,
    /// Example exchanges given inside the command's section.
    #[serde(default)]
    pub examples: Vec<Transcript>,
    /// Contradictions in this command's section and what the spec does about them.
    #[serde(default)]
    pub errata: Vec<Erratum>,
    /// What the document says about using the command beyond its syntax (timing, recovery,
    /// prerequisites), shown in the generated docs.
    #[serde(default)]
    pub behaviour: Vec<Behaviour>,
    /// The document version that introduced this command, when later than the first release.
    #[serde(default)]
    pub since: Option<String>,
    /// The document version that removed it: the spec of that revision and later leaves it out.
    #[serde(default)]
    pub until: Option<String>,
    /// Profile ids of the modules that have this command; absent: every module.
    #[serde(default)]
    pub modules: Option<Vec<String>>,
    /// The `groups:` entry of document.yaml this command belongs to; absent: always generated.
    #[serde(default)]
    pub group: Option<String>,
    /// The codes of errors.yaml this command reports (`+CME ERROR: <n>` or its result URC),
    /// where they differ by command; absent: any of them.
    #[serde(default)]
    pub errors: Option<Vec<u16>>,
}

/// How a command line is built (ITU-T V.250 5.3 and 5.4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Syntax {
    /// `AT+NAME`, `AT+NAME?`, `AT+NAME=?`, `AT+NAME=<p>,...` (V.250 5.4).
    #[default]
    Extended,
    /// `AT<name>` or `AT<name><value>`: one letter (or `&` and a letter), at most one number,
    /// no `=` (V.250 5.3). Only `execute` and `write` forms.
    Basic,
}

impl Command {
    /// The command as a host writes it before any `=`, `?` or value: `AT+QIOPEN`, `ATE`,
    /// `AT&D`, `AT`.
    pub fn at_name(&self) -> String {
        match self.syntax {
            Syntax::Extended => format!("AT+{}", self.name),
            Syntax::Basic => format!("AT{}", self.name),
        }
    }

    /// The name Rust items and the file are named after: `ident`, else `name`.
    pub fn key(&self) -> &str {
        self.ident.as_deref().unwrap_or(&self.name)
    }

    /// Where the facts come from: `section 2.3.5`, `ITU-T V.250 section 6.2.4`.
    pub fn source(&self) -> String {
        match &self.standard {
            Some(s) => format!("{s} section {}", self.section),
            None => format!("section {}", self.section),
        }
    }

    /// What a form's line starts with, before its parameters: `AT+QIOPEN=`, `AT+QICFG="recvind"`,
    /// `AT+QIACT?`, `ATE`.
    pub fn head(&self, form: &Form) -> String {
        let at = self.at_name();
        match (self.syntax, form.kind) {
            (_, FormKind::Test) => format!("{at}=?"),
            (_, FormKind::Read) => format!("{at}?"),
            (_, FormKind::Execute) | (Syntax::Basic, FormKind::Write) => at,
            (Syntax::Extended, FormKind::Write) => match &form.selector {
                Some(s) => format!("{at}=\"{s}\""),
                None => format!("{at}="),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Immediately,
    /// After the module restarts.
    AfterRestart,
    /// At the next connection (session, socket or context) the setting applies to.
    NextConnection,
}

impl Effect {
    /// How the reference and the generated docs say it.
    pub fn describe(self) -> &'static str {
        match self {
            Effect::Immediately => "Takes effect immediately.",
            Effect::AfterRestart => "Takes effect after the module restarts.",
            Effect::NextConnection => "Takes effect at the next connection it applies to.",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// `AT+<cmd>=?`
    Test,
    /// `AT+<cmd>?`
    Read,
    /// `AT+<cmd>=<p1>[,...]`
    Write,
    /// `AT+<cmd>`
    Execute,
}

impl FormKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Test => "test",
            FormKind::Read => "read",
            FormKind::Write => "write",
            FormKind::Execute => "execute",
        }
    }
}

/// One way of sending the command: its syntax, parameters, rules and what comes back.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// snake_case; becomes the request type's name. Unique per command and selector.
    pub name: String,
    pub kind: FormKind,
    /// A quoted keyword that comes first, before the parameters (`AT+QICFG="recvind",...`).
    #[serde(default)]
    pub selector: Option<String>,
    /// The document version that introduced this form, when later than the first release.
    #[serde(default)]
    pub since: Option<String>,
    /// The document version that removed it.
    #[serde(default)]
    pub until: Option<String>,
    pub about: String,
    #[serde(default)]
    pub params: Vec<ParamUse>,
    /// Write forms: a group of parameters that repeats after `params` (topic and QoS pairs).
    #[serde(default)]
    pub repeat: Option<ParamGroup>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    pub response: Response,
    /// The document's maximum response time; absent where the document gives none ("/").
    #[serde(default)]
    pub max_response_time: Option<Duration>,
    /// A parameter of this form (in seconds) that sets the maximum response time.
    #[serde(default)]
    pub max_response_time_param: Option<String>,
    /// Settings (params.yaml keys) whose product is the maximum response time: one with a
    /// time unit, the others counts (packet timeout × retries).
    #[serde(default)]
    pub max_response_time_by: Option<Vec<String>>,
    /// Profile ids of the modules that have this form; absent: every module.
    #[serde(default)]
    pub modules: Option<Vec<String>>,
    /// A state the module must be in for the form to succeed, in words (`an active context`):
    /// the conformance script, meant for a fresh module, plays only its rejections.
    #[serde(default)]
    pub requires: Option<String>,
}

/// A parameter in a form, a response line or a URC: a reference to `params.yaml`, written as
/// the bare key (`- connect_id`) or as a map that adjusts it for this place.
#[derive(Debug, Clone, Default)]
pub struct ParamUse {
    /// The key in `params.yaml`.
    pub param: String,
    /// The field's name here, when it differs from the key.
    pub name: Option<String>,
    /// The document's name here, when it differs from the definition's.
    pub doc: Option<String>,
    /// May be left out (only trailing parameters can be).
    pub optional: bool,
    /// A fixed value: the parameter is not a field, this literal is always sent.
    pub value: Option<Scalar>,
    /// A default that differs from the definition's, for this place only.
    pub default: Option<Scalar>,
    /// Only in test responses: the document shows the supported range or list, not a value.
    pub shown: Option<Shown>,
    /// How an optional parameter is left out: dropped (the default; only trailing ones), or
    /// `empty`: an empty field keeps its place (`1,,3`), so required ones may follow.
    pub omitted: Option<Omitted>,
    /// Response lines and URCs: an earlier field of the line that gives this quoted string's
    /// length in bytes; the string is then read by that length (it may hold `"` and `,`).
    pub length: Option<String>,
    /// The last field of a response line or URC: it repeats, between these bounds (a list of
    /// granted values, of addresses).
    pub repeat: Option<Repeat>,
}

/// Parameters that repeat as a group after a write form's other parameters
/// (`<topic1>,<qos1>[,<topic2>,<qos2>...]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamGroup {
    /// snake_case: the request's field holding the entries, and its entry type's name.
    pub name: String,
    /// What one entry is, in our words.
    pub about: String,
    /// The parameters of one entry, in wire order; each is required.
    pub params: Vec<ParamUse>,
    /// The fewest entries a valid command carries.
    #[serde(default)]
    pub min: u32,
    /// The most entries: the capacity of the generated list.
    pub max: u32,
}

/// How often a repeated field occurs on its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    /// The fewest values the line carries.
    #[serde(default)]
    pub min: u32,
    /// The most values the line carries: the capacity of the generated list.
    pub max: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Omitted {
    /// An empty field keeps the place of the parameter left out.
    Empty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    /// `(range of supported <x>s)` or `(list of supported <x>s)`.
    Range,
    /// The parameter's name in angle brackets, or a literal the document prints as is.
    Placeholder,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamUseMap {
    param: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    doc: Option<String>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    value: Option<Scalar>,
    #[serde(default)]
    default: Option<Scalar>,
    #[serde(default)]
    shown: Option<Shown>,
    #[serde(default)]
    omitted: Option<Omitted>,
    #[serde(default)]
    length: Option<String>,
    #[serde(default)]
    repeat: Option<Repeat>,
}

impl<'de> Deserialize<'de> for ParamUse {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ParamUse;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a parameter key from params.yaml, or a map with `param:`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ParamUse, E> {
                Ok(ParamUse {
                    param: v.to_owned(),
                    ..ParamUse::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ParamUse, A::Error> {
                let m = ParamUseMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(ParamUse {
                    param: m.param,
                    name: m.name,
                    doc: m.doc,
                    optional: m.optional,
                    value: m.value,
                    default: m.default,
                    shown: m.shown,
                    omitted: m.omitted,
                    length: m.length,
                    repeat: m.repeat,
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl ParamUse {
    /// The field name at this place.
    pub fn field_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.param)
    }

    /// Left out as an empty field that keeps its place (`omitted: empty`).
    pub fn keeps_place(&self) -> bool {
        self.optional && self.omitted == Some(Omitted::Empty)
    }
}

/// What a condition or a requirement says about one parameter. Exactly one key is given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constraint {
    /// The parameter is given (`true`) or left out (`false`).
    #[serde(default)]
    pub present: Option<bool>,
    /// The value is one of these enumeration names.
    #[serde(default)]
    pub one_of: Option<Vec<String>>,
    /// The integer lies in one of these inclusive intervals.
    #[serde(default)]
    pub range: Option<Vec<[i64; 2]>>,
    /// The string is at least this long.
    #[serde(default)]
    pub min_len: Option<u32>,
}

/// Conditions keyed by parameter (field) name; all must hold.
pub type Conditions = BTreeMap<String, Constraint>;

/// A rule tying parameters together: `if` (optional) → `then`, or `together`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    #[serde(default, rename = "if")]
    pub when: Option<Conditions>,
    #[serde(default)]
    pub then: Option<Conditions>,
    /// These optional parameters are given all together or not at all.
    #[serde(default)]
    pub together: Option<Vec<String>>,
    /// Why the rule exists, in our words (shown in validation errors).
    pub why: String,
}

/// Everything the module sends back for a form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// Information lines before the final result, in order.
    #[serde(default)]
    pub lines: Vec<Line>,
    /// The module prompts with `>` and waits for payload before the final result.
    #[serde(default)]
    pub prompt: Option<Prompt>,
    /// How the exchange ends; the first outcome whose `if` holds applies.
    pub outcomes: Vec<Outcome>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// Defaults to `+<command name>`.
    #[serde(default)]
    pub prefix: Option<String>,
    /// Quoted keyword that comes first (`+QICFG: "recvind",...`).
    #[serde(default)]
    pub selector: Option<String>,
    /// Other spellings of the keyword that decoding accepts too (a misprint the document
    /// itself prints, so a module may print it); encoding always writes `selector`.
    #[serde(default)]
    pub selector_also: Vec<String>,
    #[serde(default)]
    pub fields: Vec<ParamUse>,
    /// The line may repeat, at most this many times.
    #[serde(default)]
    pub repeat: Option<u32>,
    /// The line may be absent (e.g. no matching entries).
    #[serde(default)]
    pub optional: bool,
    /// Raw payload follows the line.
    #[serde(default)]
    pub data: Option<DataBlock>,
    /// The document version that added this line, when later than the first release (e.g. a
    /// test response that lists a new sub-configuration).
    #[serde(default)]
    pub since: Option<String>,
    /// The document version that removed it.
    #[serde(default)]
    pub until: Option<String>,
}

/// Raw bytes that follow a line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataBlock {
    /// The field of the line that gives the number of bytes.
    pub length: String,
    /// The setting (a params.yaml key) that chooses between CR LF and a comma before the data
    /// (its values' `framing` say which).
    #[serde(default)]
    pub separator_by: Option<String>,
    /// The setting (a params.yaml key) that chooses raw or hex-encoded data (its values'
    /// `framing` say which).
    #[serde(default)]
    pub encoding_by: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prompt {
    /// The payload length is given by this parameter of the form.
    #[serde(default)]
    pub length: Option<String>,
    /// The payload ends with Ctrl+Z (0x1A); Esc (0x1B) cancels it.
    #[serde(default)]
    pub ctrl_z: bool,
    /// Longest payload accepted.
    pub max_len: u32,
    /// The setting (a params.yaml key) that chooses raw or hex-encoded payload: its values'
    /// `framing` say which (in hex the host writes two digits per byte; lengths count bytes).
    #[serde(default)]
    pub encoding_by: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    #[serde(default, rename = "if")]
    pub when: Option<Conditions>,
    #[serde(rename = "final")]
    pub finals: Vec<FinalResult>,
    /// URCs (names from urcs.yaml) that carry the result after the final result.
    #[serde(default)]
    pub later: Vec<String>,
    /// How long after the final result the `later` URC may take (the document's time for the
    /// result, where it differs from the command's); the request's `LATER_TIMEOUT_MS`.
    #[serde(default)]
    pub later_within: Option<Duration>,
    /// The later result's time as a product of settings, like a form's
    /// `max_response_time_by`; the request's `LATER_TIMEOUT_MS` and `later_timeout_ms_for`.
    #[serde(default)]
    pub later_within_by: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum FinalResult {
    #[serde(rename = "OK")]
    Ok,
    #[serde(rename = "ERROR")]
    Error,
    #[serde(rename = "SEND OK")]
    SendOk,
    #[serde(rename = "SEND FAIL")]
    SendFail,
    #[serde(rename = "CONNECT")]
    Connect,
    #[serde(rename = "NO CARRIER")]
    NoCarrier,
    /// `+CME ERROR: <n>`, a numbered error.
    #[serde(rename = "+CME ERROR")]
    CmeError,
}

impl FinalResult {
    pub const ALL: [FinalResult; 6] = [
        FinalResult::Ok,
        FinalResult::Error,
        FinalResult::SendOk,
        FinalResult::SendFail,
        FinalResult::Connect,
        FinalResult::NoCarrier,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            FinalResult::Ok => "OK",
            FinalResult::Error => "ERROR",
            FinalResult::SendOk => "SEND OK",
            FinalResult::SendFail => "SEND FAIL",
            FinalResult::Connect => "CONNECT",
            FinalResult::NoCarrier => "NO CARRIER",
            FinalResult::CmeError => "+CME ERROR",
        }
    }

    /// The final result a module line is, if any: one of [`ALL`](Self::ALL) as is, or
    /// `+CME ERROR: <n>` with a number.
    pub fn of_line(line: &str) -> Option<FinalResult> {
        if let Some(n) = line.strip_prefix("+CME ERROR:") {
            let n = n.trim();
            return (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .then_some(FinalResult::CmeError);
        }
        Self::ALL.into_iter().find(|f| f.as_str() == line)
    }
}

/// `spec/urcs.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrcFile {
    pub urcs: Vec<Urc>,
    #[serde(default)]
    pub errata: Vec<Erratum>,
}

/// One variant of an unsolicited result code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Urc {
    /// snake_case; becomes the Rust variant.
    pub name: String,
    /// `+QIURC`, `+QIOPEN`, ...
    pub prefix: String,
    /// The quoted keyword after the prefix (`"recv"`), where there is one.
    #[serde(default)]
    pub keyword: Option<String>,
    pub section: String,
    /// The public standard whose section `section` names, when it is not the application note.
    #[serde(default)]
    pub standard: Option<String>,
    /// Only a line with exactly these fields is this URC (no extra trailing fields tolerated):
    /// for a URC whose prefix a response line shares with more fields (`+CREG: <n>,<stat>`).
    #[serde(default)]
    pub exact: bool,
    pub about: String,
    #[serde(default)]
    pub fields: Vec<ParamUse>,
    #[serde(default)]
    pub data: Option<DataBlock>,
    /// Settings or socket properties under which this variant is the one sent.
    #[serde(default)]
    pub when: Option<Conditions>,
    /// The field naming the instance (client, socket, context) whose settings `when` reads,
    /// where those settings are per index rather than module-wide.
    #[serde(default)]
    pub per: Option<String>,
    /// The `groups:` entry of document.yaml this URC belongs to; absent: always generated.
    #[serde(default)]
    pub group: Option<String>,
    /// The document version that introduced this variant, when later than the first release.
    #[serde(default)]
    pub since: Option<String>,
    /// The document version that removed it.
    #[serde(default)]
    pub until: Option<String>,
}

/// `spec/errors.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorFile {
    /// The document's section that lists the codes.
    #[serde(default)]
    pub section: Option<String>,
    /// Where the codes are reported, in our words (shown in the generated docs).
    #[serde(default)]
    pub about: Option<String>,
    pub errors: Vec<ErrorCode>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    pub code: u16,
    /// snake_case; becomes the Rust variant.
    pub name: String,
    /// The description the module reports with the code.
    pub text: String,
    /// Where the code is defined, when it is not the application note's chapter 4
    /// (`3GPP TS 27.007 9.2.1`).
    #[serde(default)]
    pub standard: Option<String>,
    /// The document version that introduced this code, when later than the first release.
    #[serde(default)]
    pub since: Option<String>,
    /// The document version that removed it.
    #[serde(default)]
    pub until: Option<String>,
}

/// `spec/examples/*.yaml`: the example sessions of chapter 3.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranscriptFile {
    pub transcripts: Vec<Transcript>,
    #[serde(default)]
    pub errata: Vec<Erratum>,
}

/// An exchange as the document shows it, step by step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transcript {
    /// snake_case, unique in the whole spec.
    pub name: String,
    pub section: String,
    pub about: String,
    pub steps: Vec<Step>,
    /// The `groups:` entry of document.yaml whose commands this example sends; a build
    /// without that group leaves the example out.
    #[serde(default)]
    pub group: Option<String>,
    /// The document version that added this example, when later than the first release.
    #[serde(default)]
    pub since: Option<String>,
    /// The document version that removed it.
    #[serde(default)]
    pub until: Option<String>,
}

/// One step: exactly one of `host`, `module`, `host_data`, `module_data`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A command line the host sends (without the trailing CR).
    #[serde(default)]
    pub host: Option<String>,
    /// A line the module sends (without CR LF), `>` for the prompt.
    #[serde(default)]
    pub module: Option<String>,
    /// Raw bytes the host sends (payload after `>`, or data in transparent mode).
    #[serde(default)]
    pub host_data: Option<String>,
    /// Raw bytes the module sends (payload after `+QIRD`, a push URC, or in transparent mode).
    #[serde(default)]
    pub module_data: Option<String>,
    /// The line is deliberately invalid in the document (the example shows the error path).
    #[serde(default)]
    pub invalid: bool,
    /// The line belongs to a command outside this command set (e.g. `AT+CCLK?`).
    #[serde(default)]
    pub foreign: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// `spec/errata.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrataFile {
    pub errata: Vec<Erratum>,
}

/// A fact of the document about how a command is used (a wait, a recovery step, a
/// prerequisite), in our words, with the section that states it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    pub section: String,
    pub fact: String,
    /// A number the fact states that a client applies (a count of tries): emitted as a
    /// constant of the command's module, named by `name` (snake_case, unique in the command).
    #[serde(default)]
    pub count: Option<BehaviourCount>,
}

/// A number a behaviour fact states, as a constant of the generated API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BehaviourCount {
    pub name: String,
    pub value: u32,
}

/// A place where the document contradicts itself or is unclear, and what the spec does about it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erratum {
    /// kebab-case, unique.
    pub id: String,
    pub section: String,
    /// What the document shows (facts, briefly).
    pub document: String,
    /// What the spec does.
    pub decision: String,
    pub why: String,
}
