//! The spec's model as the log decoder reads it: every request form, response line and URC
//! with its fields by wire index, what each field accepts, and the error codes. Built once from
//! a checked [`Model`]; nothing here names a command of any particular spec.

use qi_codegen::check::values::is_quoted;
use qi_codegen::ir::Model;
use qi_codegen::spec::{
    Command, DataBlock, ErrorCode, Form, FormKind, ParamDef, ParamType, ParamUse, Scalar, Urc,
};

/// How a field's value reads on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// An integer with the type's ranges.
    Ranged,
    /// An unsigned integer without a range (a `u32`).
    Int,
    /// An enumeration of numbers.
    Numbers,
    /// An enumeration of keywords (quoted unless `quoted: false`).
    Keywords,
    /// Text (quoted unless `quoted: false`), hexadecimal digits included.
    Text,
}

/// One field position of a line or a form.
#[derive(Debug)]
pub struct Field {
    /// The field's name (`connect_id`).
    pub name: &'static str,
    /// The document's name (`connectID`).
    pub doc: &'static str,
    /// What is allowed, in words.
    pub allowed: &'static str,
    /// The integers the type takes (an enumeration's codes one by one); empty for text.
    pub ints: Vec<(i64, i64)>,
    /// The keywords an enumeration of keywords takes.
    pub keywords: Vec<&'static str>,
    /// The parameter use; `None` for a selector or keyword.
    pub usage: Option<&'static ParamUse>,
    /// The parameter type; `None` for a selector or keyword.
    pub def: Option<&'static ParamDef>,
    pub kind: ValueKind,
    /// The longest text the field takes.
    pub max_len: usize,
}

impl Field {
    fn keyword(word: &'static str) -> Self {
        Field {
            name: "selector",
            doc: "selector",
            allowed: leak(format!("\"{word}\"")),
            ints: Vec::new(),
            keywords: Vec::new(),
            usage: None,
            def: None,
            kind: ValueKind::Text,
            max_len: 0,
        }
    }

    fn of(model: &'static Model, u: &'static ParamUse) -> Self {
        let def = model.param(&u.param);
        let values = def.values.as_deref().unwrap_or_default();
        let keyword = values.iter().any(|v| matches!(v.value, Scalar::Str(_)));
        let kind = match def.ty {
            ParamType::Int if def.range.is_some() => ValueKind::Ranged,
            ParamType::Int | ParamType::Bytes => ValueKind::Int,
            ParamType::Enum if keyword => ValueKind::Keywords,
            ParamType::Enum => ValueKind::Numbers,
            ParamType::String | ParamType::Hex => ValueKind::Text,
        };
        let ints = match &def.range {
            Some(r) => r.iter().map(|[lo, hi]| (*lo, *hi)).collect(),
            None => values
                .iter()
                .filter_map(|v| match v.value {
                    Scalar::Int(i) => Some((i, i)),
                    Scalar::Str(_) => None,
                })
                .collect(),
        };
        let keywords = values
            .iter()
            .filter_map(|v| match &v.value {
                Scalar::Str(s) => Some(s.as_str()),
                Scalar::Int(_) => None,
            })
            .collect();
        let unspecified = model.spec.document.value.unspecified_string_len;
        Field {
            name: u.field_name(),
            doc: u.doc.as_deref().unwrap_or(&def.doc),
            allowed: leak(qi_codegen::wording::allowed(model, u)),
            ints,
            keywords,
            usage: Some(u),
            def: Some(def),
            kind,
            max_len: def.max_len.unwrap_or(unspecified) as usize,
        }
    }

    /// The parameter use (a selector or keyword has none).
    pub fn usage(&self) -> &'static ParamUse {
        self.usage.expect("a parameter field")
    }

    /// The parameter type (a selector or keyword has none).
    pub fn def(&self) -> &'static ParamDef {
        self.def.expect("a parameter field")
    }

    /// Whether text and keywords are quoted on the wire.
    pub fn quoted(&self) -> bool {
        self.def.is_some_and(is_quoted)
    }
}

impl crate::decode::problems::FieldInfo for Field {
    fn name(&self) -> &'static str {
        self.name
    }
    fn doc(&self) -> &'static str {
        self.doc
    }
    fn allowed(&self) -> &str {
        self.allowed
    }
    fn ints(&self) -> &[(i64, i64)] {
        &self.ints
    }
    fn keywords(&self) -> &[&'static str] {
        &self.keywords
    }
}

/// A response line or a URC.
#[derive(Debug)]
pub struct Line {
    /// The prefix without `+` (`QIRD`); empty for a line of text alone.
    pub name: &'static str,
    /// The prefix as written (`+QIRD`).
    pub prefix: &'static str,
    /// The quoted keyword or selector that comes first.
    pub keyword: Option<&'static str>,
    /// Other spellings of the keyword that are accepted.
    pub keyword_also: &'static [String],
    /// The keyword (when there is one) at index 0, then the parameters.
    pub fields: Vec<Field>,
    /// Raw bytes that follow the line.
    pub data: Option<&'static DataBlock>,
    /// For URCs: the spec's URC.
    pub urc: Option<&'static Urc>,
}

impl Line {
    fn new(
        model: &'static Model,
        prefix: &'static str,
        keyword: Option<&'static str>,
        params: &'static [ParamUse],
    ) -> Self {
        let fields = keyword
            .map(Field::keyword)
            .into_iter()
            .chain(params.iter().map(|u| Field::of(model, u)))
            .collect();
        Line {
            name: prefix.trim_start_matches('+'),
            prefix,
            keyword,
            keyword_also: &[],
            fields,
            data: None,
            urc: None,
        }
    }

    /// The parameter fields, after the keyword.
    pub fn params(&self) -> &[Field] {
        &self.fields[usize::from(self.keyword.is_some())..]
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.params().iter().find(|f| f.name == name)
    }
}

/// A request form: how its line starts, its fields and the lines that answer it.
#[derive(Debug)]
pub struct Request {
    pub command: &'static Command,
    pub form: &'static Form,
    /// What the line starts with before its parameters (`AT+QIOPEN=`).
    pub head: &'static str,
    /// The selector (index 0, when there is one), the parameters, then the repeated group's
    /// parameters once.
    pub fields: Vec<Field>,
    /// Its response lines, in spec order.
    pub lines: Vec<Line>,
}

impl Request {
    /// The parameter fields (constants included), after the selector.
    pub fn params(&self) -> &[Field] {
        let from = usize::from(self.form.selector.is_some());
        &self.fields[from..from + self.form.params.len()]
    }

    /// The repeated group's parameters.
    pub fn group(&self) -> &[Field] {
        let from = usize::from(self.form.selector.is_some()) + self.form.params.len();
        &self.fields[from..]
    }

    /// `test`, `read`, `write` or `execute`.
    pub fn kind(&self) -> &'static str {
        self.form.kind.as_str()
    }

    /// The field named `name` among the parameters.
    pub fn param(&self, name: &str) -> Option<&Field> {
        self.params().iter().find(|f| f.name == name)
    }
}

/// Everything the decoder knows of a spec.
pub struct Table {
    /// Every form of every command, commands in spec order.
    pub requests: Vec<Request>,
    /// Every URC, in spec order.
    pub urcs: Vec<Line>,
    /// The error codes.
    pub errors: &'static [ErrorCode],
    /// The model the table was built from.
    pub model: &'static Model,
}

impl Table {
    /// The tables of `model`. The model is kept for the life of the process: the decoder's
    /// records name forms and variants by `&'static str`, as the built-in decoder's do.
    pub fn new(model: Model) -> Self {
        let model: &'static Model = Box::leak(Box::new(model));
        let mut requests = Vec::new();
        for c in &model.spec.commands {
            let c = &c.value;
            for f in &c.forms {
                requests.push(request(model, c, f));
            }
        }
        let urcs = model
            .spec
            .urcs
            .value
            .urcs
            .iter()
            .map(|u| {
                let mut l = Line::new(model, &u.prefix, u.keyword.as_deref(), &u.fields);
                l.data = u.data.as_ref();
                l.urc = Some(u);
                l
            })
            .collect();
        Table {
            requests,
            urcs,
            errors: &model.spec.errors.value.errors,
            model,
        }
    }

    /// The other forms of `r`'s command of its kind and selector: their lines may answer it
    /// too (a reply can depend on what the command line does not show, such as a socket's type).
    pub fn siblings<'t>(&'t self, r: &'t Request) -> impl Iterator<Item = &'t Request> {
        self.requests.iter().filter(move |g| {
            g.command.name == r.command.name
                && g.form.kind == r.form.kind
                && g.form.selector == r.form.selector
                && g.form.name != r.form.name
        })
    }

    /// The error code `code` of the spec.
    pub fn error(&self, code: i64) -> Option<&'static ErrorCode> {
        self.errors.iter().find(|e| i64::from(e.code) == code)
    }

    /// Whether a field carries an error code: each value its type takes, 0 aside (often
    /// success), is an error code of the spec (`err` of `[[0, 0], [550, 574]]`).
    pub fn carries_error(&self, f: &Field) -> bool {
        let is_code = |c: i64| self.error(c).is_some();
        let size: i64 = f
            .ints
            .iter()
            .map(|&(lo, hi)| hi.saturating_sub(lo).saturating_add(1))
            .fold(0, i64::saturating_add);
        f.def.is_some()
            && f.ints.iter().any(|&(_, hi)| hi > 0)
            && size <= self.errors.len() as i64 + 1
            && f.ints
                .iter()
                .all(|&(lo, hi)| (lo..=hi).all(|c| c == 0 || is_code(c)))
    }
}

fn request(model: &'static Model, c: &'static Command, f: &'static Form) -> Request {
    let head = leak(c.head(f));
    let fields = f
        .selector
        .as_deref()
        .map(Field::keyword)
        .into_iter()
        .chain(f.params.iter().map(|u| Field::of(model, u)))
        .chain(
            f.repeat
                .iter()
                .flat_map(|g| &g.params)
                .map(|u| Field::of(model, u)),
        )
        .collect();
    let lines = f
        .response
        .lines
        .iter()
        .map(|l| {
            let prefix: &'static str = match &l.prefix {
                Some(p) => p,
                None => leak(format!("+{}", c.name)),
            };
            let mut line = Line::new(model, prefix, l.selector.as_deref(), &l.fields);
            line.keyword_also = &l.selector_also;
            line.data = l.data.as_ref();
            line
        })
        .collect();
    Request {
        command: c,
        form: f,
        head,
        fields,
        lines,
    }
}

/// Whether a form carries parameters after its head.
pub fn params_follow(f: &Form) -> bool {
    f.kind == FormKind::Write && (!f.params.is_empty() || f.repeat.is_some())
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}
