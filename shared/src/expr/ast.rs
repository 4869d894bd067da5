//! The parsed form of an expression.

/// A parsed expression node.
#[derive(Debug, Clone)]
pub enum Node {
    /// A number literal.
    Num(f64),
    /// A string literal.
    Str(String),
    /// `${name}`: the value of another question.
    Ref(String),
    /// `.`: the value of the question the expression belongs to.
    Current,
    /// A bare name: a column of the choices sheet, only inside `choice_filter`.
    ChoiceColumn(String),
    /// A bare name inside a predicate: a question of the instance being filtered
    /// (`${miembros}[edad < 18]`).
    Relative(String),
    /// `..` as the argument of `position(..)`: the enclosing repeat instance.
    Parent,
    /// `base[predicate]`: the nodes of `base` (a `${name}`) for which the predicate holds; a
    /// number as predicate keeps the node at that position.
    Filter(Box<Node>, Box<Node>),
    /// `-x`
    Neg(Box<Node>),
    /// `a op b`
    Binary(BinOp, Box<Node>, Box<Node>),
    /// `f(args…)`; arity checked at parse time.
    Call(Func, Vec<Node>),
    /// `instance('name')/root/item[predicate]/column`: the rows of a data file published
    /// with the form that the predicate keeps (bare names in it are the row's columns),
    /// as the node-set of their `column` (of their first column when none is named).
    Instance { name: String, predicate: Option<Box<Node>>, column: Option<String> },
}

/// Binary operators, loosest first in the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// The functions the language supports.
#[derive(Debug, Clone)]
pub enum Func {
    Not,
    True,
    False,
    Selected,
    CountSelected,
    StringLength,
    /// `regex(value, pattern)`; a literal pattern is compiled once at parse time.
    Regex(Option<regex::Regex>),
    If,
    Coalesce,
    Concat,
    Int,
    Number,
    String,
    Boolean,
    Round,
    Today,
    Now,
    Contains,
    StartsWith,
    EndsWith,
    Substr,
    Date,
    Count,
    Sum,
    Max,
    Min,
    Position,
    IndexedRepeat,
    Once,
    NormalizeSpace,
    Translate,
    Join,
    BooleanFromString,
    SubstringBefore,
    SubstringAfter,
    SelectedAt,
    DecimalDateTime,
    DecimalTime,
    FormatDate,
    Pow,
    Exp,
    Exp10,
    Log,
    Log10,
    Abs,
    Sqrt,
    Floor,
    Ceiling,
    Pi,
    Distance,
    Area,
    ChoiceName,
    /// `random()`: a number in [0, 1), the same each time for one record and question.
    Random,
    /// `uuid()` / `uuid(n)`: an identifier (or `n` characters) drawn like `random()`.
    Uuid,
    /// `sin`, `cos`, `tan`, `asin`, `acos`, `atan` (radians).
    Trig(Trig),
    Atan2,
    /// `pulldata('name', 'column', 'key column', key)`: the value of `column` in the first
    /// row of the data file whose `key column` equals `key`.
    Pulldata,
}

/// The one-argument trigonometric functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trig {
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
}

impl Func {
    /// Looks a function up by the name form authors write, with its allowed argument counts.
    pub(crate) fn lookup(name: &str) -> Option<(Func, &'static str, usize, usize)> {
        let found = match name {
            "not" => (Func::Not, "not", 1, 1),
            "true" => (Func::True, "true", 0, 0),
            "false" => (Func::False, "false", 0, 0),
            "selected" => (Func::Selected, "selected", 2, 2),
            "count-selected" => (Func::CountSelected, "count-selected", 1, 1),
            "string-length" => (Func::StringLength, "string-length", 0, 1),
            "regex" => (Func::Regex(None), "regex", 2, 2),
            "if" => (Func::If, "if", 3, 3),
            "coalesce" => (Func::Coalesce, "coalesce", 2, 2),
            "concat" => (Func::Concat, "concat", 1, usize::MAX),
            "int" => (Func::Int, "int", 1, 1),
            "number" => (Func::Number, "number", 1, 1),
            "string" => (Func::String, "string", 1, 1),
            "boolean" => (Func::Boolean, "boolean", 1, 1),
            "round" => (Func::Round, "round", 1, 2),
            "today" => (Func::Today, "today", 0, 0),
            "now" => (Func::Now, "now", 0, 0),
            "contains" => (Func::Contains, "contains", 2, 2),
            "starts-with" => (Func::StartsWith, "starts-with", 2, 2),
            "ends-with" => (Func::EndsWith, "ends-with", 2, 2),
            "substr" => (Func::Substr, "substr", 2, 3),
            "date" => (Func::Date, "date", 1, 1),
            "count" => (Func::Count, "count", 1, 1),
            "sum" => (Func::Sum, "sum", 1, 1),
            "max" => (Func::Max, "max", 1, usize::MAX),
            "min" => (Func::Min, "min", 1, usize::MAX),
            "position" => (Func::Position, "position", 0, 1),
            "indexed-repeat" => (Func::IndexedRepeat, "indexed-repeat", 3, 3),
            "once" => (Func::Once, "once", 1, 1),
            "normalize-space" => (Func::NormalizeSpace, "normalize-space", 0, 1),
            "translate" => (Func::Translate, "translate", 3, 3),
            "join" => (Func::Join, "join", 2, usize::MAX),
            "boolean-from-string" => (Func::BooleanFromString, "boolean-from-string", 1, 1),
            "substring-before" => (Func::SubstringBefore, "substring-before", 2, 2),
            "substring-after" => (Func::SubstringAfter, "substring-after", 2, 2),
            "selected-at" => (Func::SelectedAt, "selected-at", 2, 2),
            "decimal-date-time" => (Func::DecimalDateTime, "decimal-date-time", 1, 1),
            "decimal-time" => (Func::DecimalTime, "decimal-time", 1, 1),
            "format-date" => (Func::FormatDate, "format-date", 2, 2),
            "format-date-time" => (Func::FormatDate, "format-date-time", 2, 2),
            "pow" => (Func::Pow, "pow", 2, 2),
            "exp" => (Func::Exp, "exp", 1, 1),
            "exp10" => (Func::Exp10, "exp10", 1, 1),
            "log" => (Func::Log, "log", 1, 1),
            "log10" => (Func::Log10, "log10", 1, 1),
            "abs" => (Func::Abs, "abs", 1, 1),
            "sqrt" => (Func::Sqrt, "sqrt", 1, 1),
            "floor" => (Func::Floor, "floor", 1, 1),
            "ceiling" => (Func::Ceiling, "ceiling", 1, 1),
            "pi" => (Func::Pi, "pi", 0, 0),
            "distance" => (Func::Distance, "distance", 1, usize::MAX),
            "area" => (Func::Area, "area", 1, 1),
            "jr:choice-name" => (Func::ChoiceName, "jr:choice-name", 2, 2),
            "random" => (Func::Random, "random", 0, 0),
            "uuid" => (Func::Uuid, "uuid", 0, 1),
            "sin" => (Func::Trig(Trig::Sin), "sin", 1, 1),
            "cos" => (Func::Trig(Trig::Cos), "cos", 1, 1),
            "tan" => (Func::Trig(Trig::Tan), "tan", 1, 1),
            "asin" => (Func::Trig(Trig::Asin), "asin", 1, 1),
            "acos" => (Func::Trig(Trig::Acos), "acos", 1, 1),
            "atan" => (Func::Trig(Trig::Atan), "atan", 1, 1),
            "atan2" => (Func::Atan2, "atan2", 2, 2),
            "pulldata" => (Func::Pulldata, "pulldata", 4, 4),
            _ => return None,
        };
        Some(found)
    }
}

/// ODK functions known but not supported yet, with the reason a form author reads.
pub(crate) fn unsupported_function(name: &str) -> Option<&'static str> {
    Some(match name {
        "jr:itext" => "las traducciones en expresiones aún no se admiten",
        "digest" | "base64-decode" | "extract-signed" | "geofence" | "checklist" | "weighted-checklist" | "randomize" => {
            "esta función de ODK aún no se admite"
        }
        _ => return None,
    })
}

impl Node {
    /// Calls `f` with every `${name}` this expression references, in order.
    pub fn visit_refs(&self, f: &mut impl FnMut(&str)) {
        match self {
            Node::Ref(name) => f(name),
            Node::Neg(inner) => inner.visit_refs(f),
            Node::Binary(_, a, b) => {
                a.visit_refs(f);
                b.visit_refs(f);
            }
            Node::Call(_, args) => args.iter().for_each(|a| a.visit_refs(f)),
            Node::Filter(base, predicate) => {
                base.visit_refs(f);
                predicate.visit_refs(f);
            }
            Node::Instance { predicate, .. } => {
                if let Some(p) = predicate {
                    p.visit_refs(f);
                }
            }
            Node::Num(_) | Node::Str(_) | Node::Current | Node::ChoiceColumn(_) | Node::Relative(_) | Node::Parent => {}
        }
    }
}
