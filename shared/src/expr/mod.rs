//! The expression language of `relevant`, `constraint`, `calculation`, `choice_filter`,
//! `required`, `read_only` and `repeat_count`: the XPath subset XLSForm authors write.
//!
//! Parsed once at import ([`Expression::parse`]), so a bad expression is an import error,
//! then evaluated many times ([`Expression::eval`]) against an [`Env`] that resolves
//! `${name}`, `.` and, in `choice_filter`, the choice's own columns.

mod ast;
mod error;
mod eval;
mod lexer;
mod library;
mod parser;
mod value;

pub use ast::{BinOp, Func, Node};
pub use error::{ExprError, ExprErrorKind};
pub use eval::{Clock, Env, mix, seed_of, seed_of_path};
pub use value::{Value, format_number};
pub(crate) use value::parse_number;

/// Where an expression is written; `choice_filter` may name choice columns bare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// `relevant`, `constraint`, `calculation`, `required`, `read_only`, `repeat_count`.
    Question,
    /// `choice_filter`: bare names are columns of the choices sheet.
    ChoiceFilter,
}

/// A parsed expression together with the text it came from.
#[derive(Debug, Clone)]
pub struct Expression {
    source: String,
    root: Node,
}

impl Expression {
    /// Parses `source`. Invariant: never panics, whatever the input.
    pub fn parse(source: &str, context: Context) -> Result<Self, ExprError> {
        let tokens = lexer::tokenize(source)?;
        let root = parser::Parser::new(&tokens, source.len(), context == Context::ChoiceFilter)
            .parse_all()?;
        Ok(Self { source: source.trim().to_string(), root })
    }

    /// The text as the form author wrote it (trimmed).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The syntax tree.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// Evaluates against `env`.
    pub fn eval(&self, env: &dyn Env) -> Value {
        eval::eval(&self.root, env)
    }

    /// Every `${name}` referenced, in order of appearance, without repeats.
    pub fn references(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        self.root.visit_refs(&mut |name| {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        });
        out
    }
}

impl std::fmt::Display for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::collections::HashMap;

    #[test]
    fn a_path_seed_is_the_seed_of_the_joined_path() {
        for (prefix, name) in [("", ""), ("", "p1"), ("visita[2]/", "foto"), ("a[1]/b[3]/", "ñandú")] {
            assert_eq!(seed_of_path(prefix, name), seed_of(&format!("{prefix}{name}")), "{prefix}{name}");
        }
        assert_ne!(seed_of_path("a", "b"), seed_of_path("", "a"));
    }

    struct TestEnv {
        fields: HashMap<&'static str, Value>,
        current: Value,
    }

    impl Env for TestEnv {
        fn field(&self, name: &str) -> Value {
            self.fields.get(name).cloned().unwrap_or_else(Value::empty)
        }
        fn current(&self) -> Value {
            self.current.clone()
        }
        fn choice_column(&self, name: &str) -> Value {
            if name == "estado" { Value::Str("gto".into()) } else { Value::empty() }
        }
        fn as_dyn(&self) -> &dyn Env {
            self
        }
        fn clock(&self) -> Clock {
            let now = NaiveDate::from_ymd_opt(2025, 6, 15)
                .and_then(|d| d.and_hms_opt(10, 30, 0))
                .expect("valid date");
            Clock::at(now)
        }
    }

    fn env() -> TestEnv {
        let fields = HashMap::from([
            ("edad", Value::Str("34".into())),
            ("vacia", Value::empty()),
            ("multi", Value::Str("a c".into())),
            ("nombre", Value::Str("Ana".into())),
            ("fecha", Value::Date(NaiveDate::from_ymd_opt(2025, 6, 1).expect("valid"))),
        ]);
        TestEnv { fields, current: Value::Str("12".into()) }
    }

    fn check(src: &str, expected: &str) {
        let ctx = if src.contains("estado") { Context::ChoiceFilter } else { Context::Question };
        let e = Expression::parse(src, ctx).unwrap_or_else(|err| panic!("{src}: {err}"));
        assert_eq!(e.eval(&env()).to_text(), expected, "{src}");
    }

    #[test]
    fn evaluates_the_xlsform_subset() {
        let cases = [
            ("${edad} >= 18", "true"),
            ("${edad} > 18 and ${edad} < 30", "false"),
            ("${vacia} > 18", "false"),
            ("${vacia} = ''", "true"),
            ("not(${vacia} = '')", "false"),
            (". < 10 or . > 11", "true"),
            ("1 + 2 * 3", "7"),
            ("(1 + 2) * 3", "9"),
            ("7 div 2", "3.5"),
            ("7 mod 3", "1"),
            ("-${edad} + 4", "-30"),
            ("selected(${multi}, 'c')", "true"),
            ("selected(${multi}, 'b')", "false"),
            ("count-selected(${multi})", "2"),
            ("string-length(${nombre})", "3"),
            ("string-length()", "2"),
            ("regex(${nombre}, '^[A-Z][a-z]+$')", "true"),
            ("regex(., '^[0-9]{3}$')", "false"),
            ("if(${edad} > 30, 'mayor', 'menor')", "mayor"),
            ("coalesce(${vacia}, 'x')", "x"),
            ("concat(${nombre}, '-', ${edad})", "Ana-34"),
            ("int(7.9)", "7"),
            ("int(-7.9)", "-7"),
            ("number('3.5') * 2", "7"),
            ("round(2.5)", "3"),
            ("round(-2.5)", "-2"),
            ("round(3.14159, 2)", "3.14"),
            ("today()", "2025-06-15"),
            ("${fecha} < today()", "true"),
            ("today() - ${fecha}", "14"),
            ("estado = 'gto'", "true"),
            ("true() and not(false())", "true"),
            ("contains(${nombre}, 'n')", "true"),
            ("substr('abcdef', 1, 3)", "bc"),
            ("date('2025-06-01') = ${fecha}", "true"),
            ("1 div 0", "Infinity"),
            ("number('x')", "NaN"),
        ];
        for (src, expected) in cases {
            check(src, expected);
        }
    }

    #[test]
    fn evaluates_the_odk_function_library() {
        let cases = [
            ("normalize-space('  a  b ')", "a b"),
            ("translate('abc', 'ab', 'AB')", "ABc"),
            ("join('-', 'a', ${nombre})", "a-Ana"),
            ("boolean-from-string('1')", "true"),
            ("substring-before('a,b', ',')", "a"),
            ("substring-after('a,b', ',')", "b"),
            ("selected-at(${multi}, 1)", "c"),
            ("pow(2, 10)", "1024"),
            ("round(exp(1), 3)", "2.718"),
            ("log10(1000)", "3"),
            ("abs(-3)", "3"),
            ("sqrt(16)", "4"),
            ("floor(-1.5)", "-2"),
            ("ceiling(1.2)", "2"),
            ("max(3, ${edad}, 7)", "34"),
            ("min(3, ${edad}, 7)", "3"),
            ("max(${vacia}, 2)", "2"),
            ("format-date(${fecha}, '%d/%m/%Y')", "01/06/2025"),
            ("decimal-date-time('1970-01-02')", "1"),
            ("once(1 + 1)", "12"),
            ("count(${edad})", "1"),
            ("round(distance('0 0; 0 1'))", "111319"),
            ("position(..)", "1"),
            ("../nombre", "Ana"),
            ("../../edad + 1", "35"),
        ];
        for (src, expected) in cases {
            check(src, expected);
        }
    }

    #[test]
    fn lists_references_once_in_order() {
        let e = Expression::parse("${b} + ${a} + ${b}", Context::Question).expect("valid");
        assert_eq!(e.references(), vec!["b".to_string(), "a".to_string()]);
    }

    fn err(src: &str) -> ExprErrorKind {
        Expression::parse(src, Context::Question).expect_err(src).kind
    }

    #[test]
    fn refuses_bad_expressions_with_a_reason() {
        assert_eq!(err(""), ExprErrorKind::Empty);
        assert_eq!(err("   "), ExprErrorKind::Empty);
        assert!(matches!(err("${a} >"), ExprErrorKind::UnexpectedEnd));
        assert!(matches!(err("${a} ${b}"), ExprErrorKind::Unexpected { .. }));
        assert!(matches!(err("foo(1)"), ExprErrorKind::UnknownFunction(f) if f == "foo"));
        assert!(matches!(err("selected(${a})"), ExprErrorKind::Arity { got: 1, .. }));
        assert!(matches!(err("edad > 3"), ExprErrorKind::BareName(_)));
        assert!(matches!(err("regex(., '(')"), ExprErrorKind::BadRegex(_)));
        assert!(matches!(err("(1 + 2"), ExprErrorKind::UnexpectedEnd));
        assert!(matches!(err("/data/x = 1"), ExprErrorKind::Unsupported(_)));
        assert!(matches!(err("digest('a', 'MD5')"), ExprErrorKind::Unsupported(m) if m.starts_with("digest()")));
        assert!(matches!(err("jr:itext('x')"), ExprErrorKind::Unsupported(_)));
        assert!(matches!(err("instance('x')/root"), ExprErrorKind::Unsupported(_)));
        assert!(matches!(err("instance(${x})/root/item"), ExprErrorKind::Unsupported(_)));
        assert!(matches!(err("position(..) + .."), ExprErrorKind::Unsupported(_)));
        assert!(matches!(err("${a}[1]/b"), ExprErrorKind::Unsupported(_)));
        assert!(matches!(err("${a}[1"), ExprErrorKind::UnexpectedEnd));
        assert!(matches!(err("${a} | ${b}"), ExprErrorKind::Unexpected { .. }));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        assert_eq!(err(&deep), ExprErrorKind::TooDeep);
        let negs = format!("{}1", "-".repeat(500));
        assert_eq!(err(&negs), ExprErrorKind::TooDeep);
        let chain = vec!["1"; 5_000].join(" + ");
        assert_eq!(err(&chain), ExprErrorKind::TooLong(1_000));
    }

    #[test]
    fn error_messages_are_spanish_and_positioned() {
        let e = Expression::parse("${a} = = 1", Context::Question).expect_err("bad");
        assert_eq!(e.to_string(), "se esperaba un valor y se encontró «=» (posición 8)");
    }
}
