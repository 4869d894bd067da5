//! Errors found while parsing an expression, with Spanish messages for form authors.

use thiserror::Error;

/// Why an expression could not be parsed; `pos` is the character offset where it went wrong.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{kind} (posición {})", .pos + 1)]
pub struct ExprError {
    /// Byte offset in the source where the problem starts.
    pub pos: usize,
    /// What is wrong.
    pub kind: ExprErrorKind,
}

impl ExprError {
    pub(crate) fn new(pos: usize, kind: ExprErrorKind) -> Self {
        Self { pos, kind }
    }
}

/// The kinds of expression errors; callers branch on them in tests and tooling.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ExprErrorKind {
    #[error("la expresión está vacía")]
    Empty,
    #[error("texto sin comilla de cierre")]
    UnterminatedString,
    #[error("comillas tipográficas (“ ”): use comillas rectas ' o \"")]
    CurlyQuote,
    #[error("referencia mal escrita: use ${{nombre}}")]
    BadReference,
    #[error("número inválido «{0}»")]
    BadNumber(String),
    #[error("carácter inesperado «{0}»")]
    UnexpectedChar(char),
    #[error("se esperaba {expected} y se encontró {found}")]
    Unexpected { expected: &'static str, found: String },
    #[error("la expresión termina antes de tiempo")]
    UnexpectedEnd,
    #[error("función desconocida o no soportada: {0}()")]
    UnknownFunction(String),
    #[error("{name}() recibe {expected} argumento(s), no {got}")]
    Arity { name: &'static str, expected: &'static str, got: usize },
    #[error("nombre suelto «{0}»: para referirse a una pregunta use ${{{0}}}")]
    BareName(String),
    #[error("no soportado: {0}")]
    Unsupported(String),
    #[error("expresión regular inválida: {0}")]
    BadRegex(String),
    #[error("la expresión está anidada demasiado profundo")]
    TooDeep,
    #[error("la expresión es demasiado larga (más de {0} elementos)")]
    TooLong(usize),
}
