//! Tokens of the XLSForm expression language (the XPath subset form authors write).

use super::error::{ExprError, ExprErrorKind};

/// One token with the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Num(f64),
    Str(String),
    /// `${name}`
    Ref(String),
    /// `.`
    Dot,
    /// An XPath name: a function name, a choice column in `choice_filter`, or the
    /// operator words `and`, `or`, `div`, `mod` (the parser decides by position).
    Name(String),
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Pipe,
    LBracket,
    RBracket,
    /// `..`: the parent step of a relative path.
    DotDot,
    Slash,
}

/// Most tokens in one expression: bounds the depth of left-nested operator chains, so that
/// evaluating and dropping the tree cannot overflow the stack.
pub(crate) const MAX_TOKENS: usize = 1_000;

/// Splits `src` into tokens. Invariant: never panics, whatever the input.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, ExprError> {
    let bytes: Vec<(usize, char)> = src.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let (pos, c) = bytes[i];
        if out.len() >= MAX_TOKENS {
            return Err(ExprError::new(pos, ExprErrorKind::TooLong(MAX_TOKENS)));
        }
        let simple = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            '*' => Some(Tok::Star),
            '=' => Some(Tok::Eq),
            '|' => Some(Tok::Pipe),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            '/' => Some(Tok::Slash),
            _ => None,
        };
        if let Some(kind) = simple {
            out.push(Token { kind, pos });
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).map(|&(_, c)| c);
        match c {
            '!' if next == Some('=') => {
                out.push(Token { kind: Tok::Ne, pos });
                i += 2;
            }
            '<' | '>' => {
                let eq = next == Some('=');
                let kind = match (c, eq) {
                    ('<', false) => Tok::Lt,
                    ('<', true) => Tok::Le,
                    ('>', false) => Tok::Gt,
                    _ => Tok::Ge,
                };
                out.push(Token { kind, pos });
                i += if eq { 2 } else { 1 };
            }
            '\'' | '"' | '“' | '”' | '‘' | '’' => {
                if matches!(c, '“' | '”' | '‘' | '’') {
                    return Err(ExprError::new(pos, ExprErrorKind::CurlyQuote));
                }
                let end = bytes[i + 1..].iter().position(|&(_, d)| d == c);
                let Some(len) = end else {
                    return Err(ExprError::new(pos, ExprErrorKind::UnterminatedString));
                };
                let text: String = bytes[i + 1..i + 1 + len].iter().map(|&(_, d)| d).collect();
                out.push(Token { kind: Tok::Str(text), pos });
                i += len + 2;
            }
            '$' => {
                if next != Some('{') {
                    return Err(ExprError::new(pos, ExprErrorKind::BadReference));
                }
                let close = bytes[i + 2..].iter().position(|&(_, d)| d == '}');
                let Some(len) = close else {
                    return Err(ExprError::new(pos, ExprErrorKind::BadReference));
                };
                let name: String = bytes[i + 2..i + 2 + len].iter().map(|&(_, d)| d).collect();
                let name = name.trim().to_string();
                if !crate::form::is_valid_name(&name) {
                    return Err(ExprError::new(pos, ExprErrorKind::BadReference));
                }
                out.push(Token { kind: Tok::Ref(name), pos });
                i += len + 3;
            }
            '.' if !next.is_some_and(|d| d.is_ascii_digit()) => {
                if next == Some('.') {
                    out.push(Token { kind: Tok::DotDot, pos });
                    i += 2;
                } else {
                    out.push(Token { kind: Tok::Dot, pos });
                    i += 1;
                }
            }
            c if c.is_ascii_digit() || c == '.' => {
                let start = i;
                while i < bytes.len() && (bytes[i].1.is_ascii_digit() || bytes[i].1 == '.') {
                    i += 1;
                }
                let text: String = bytes[start..i].iter().map(|&(_, d)| d).collect();
                let value = text
                    .parse::<f64>()
                    .map_err(|_| ExprError::new(pos, ExprErrorKind::BadNumber(text.clone())))?;
                out.push(Token { kind: Tok::Num(value), pos });
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < bytes.len() && is_name_char(bytes[i].1) {
                    i += 1;
                }
                let name: String = bytes[start..i].iter().map(|&(_, d)| d).collect();
                out.push(Token { kind: Tok::Name(name), pos });
            }
            other => {
                return Err(ExprError::new(pos, ExprErrorKind::UnexpectedChar(other)));
            }
        }
    }
    Ok(out)
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        tokenize(src).expect("valid").into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn splits_references_operators_and_literals() {
        assert_eq!(
            kinds("${edad} >= 18 and selected(${p}, 'a')"),
            vec![
                Tok::Ref("edad".into()),
                Tok::Ge,
                Tok::Num(18.0),
                Tok::Name("and".into()),
                Tok::Name("selected".into()),
                Tok::LParen,
                Tok::Ref("p".into()),
                Tok::Comma,
                Tok::Str("a".into()),
                Tok::RParen,
            ]
        );
    }

    #[test]
    fn hyphenated_function_names_are_one_token() {
        assert_eq!(kinds("count-selected(.)")[0], Tok::Name("count-selected".into()));
    }

    #[test]
    fn refuses_unterminated_strings_and_broken_references() {
        assert!(tokenize("'abc").is_err());
        assert!(tokenize("${edad").is_err());
        assert!(tokenize("$edad").is_err());
        assert!(tokenize("${1x}").is_err());
        assert!(tokenize("“sí”").is_err());
        assert!(tokenize("a # b").is_err());
    }

    #[test]
    fn decimal_numbers_starting_with_a_dot() {
        assert_eq!(kinds(".5"), vec![Tok::Num(0.5)]);
        assert_eq!(kinds(". = 1")[0], Tok::Dot);
    }
}
