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
    /// `-x`
    Neg(Box<Node>),
    /// `a op b`
    Binary(BinOp, Box<Node>, Box<Node>),
    /// `f(args…)`; arity checked at parse time.
    Call(Func, Vec<Node>),
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
            _ => return None,
        };
        Some(found)
    }
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
            Node::Num(_) | Node::Str(_) | Node::Current | Node::ChoiceColumn(_) => {}
        }
    }
}
