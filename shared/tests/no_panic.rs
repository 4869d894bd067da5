//! Property tests: no input, however broken, makes import, parsing, evaluation or
//! validation panic. Each failure would be a crash of the server or the app.

mod support;

use proptest::prelude::*;
use shared::answers::Answers;
use shared::expr::{Clock, Context, Env, Expression, Value};
use shared::form::import_xlsx;
use shared::instruments;
use shared::validate::validate;

fn clock() -> Clock {
    let now = chrono::NaiveDate::from_ymd_opt(2025, 6, 2).and_then(|d| d.and_hms_opt(11, 0, 0)).expect("valid");
    Clock::at(now)
}

struct AnyEnv(String);

impl Env for AnyEnv {
    fn field(&self, _: &str) -> Value {
        Value::Str(self.0.clone())
    }
    fn current(&self) -> Value {
        Value::Str(self.0.clone())
    }
    fn clock(&self) -> Clock {
        clock()
    }
    fn nodes(&self, name: &str) -> Option<Vec<Value>> {
        // `${b}` stands for a question in a repeat: three nodes.
        (name == "b").then(|| vec![Value::Str(self.0.clone()); 3])
    }
    fn as_dyn(&self) -> &dyn Env {
        self
    }
}

/// Strings made of the pieces expressions are written with, so that many parse.
fn expression_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("${a}"), Just("${b}"), Just("."), Just("1"), Just("2.5"), Just("'x'"), Just("\"y\""),
        Just(" and "), Just(" or "), Just(" div "), Just(" mod "), Just("="), Just("!="), Just("<"),
        Just(">="), Just("+"), Just("-"), Just("*"), Just("("), Just(")"), Just(","), Just("not("),
        Just("selected("), Just("count-selected("), Just("string-length("), Just("regex("),
        Just("if("), Just("coalesce("), Just("concat("), Just("int("), Just("number("),
        Just("round("), Just("today()"), Just("now()"), Just("date("), Just("substr("), Just("'[a-'"),
        Just("count("), Just("sum("), Just("max("), Just("min("), Just("position(..)"), Just("["), Just("]"),
        Just("../"), Just("edad"), Just("format-date("), Just("'%Y %b %e'"), Just("distance("), Just("area("),
        Just("join("), Just("translate("), Just("pow("), Just("log("), Just("indexed-repeat("), Just("once("),
        Just("${"), Just("}"), Just("'"), Just("ñ"), Just(" "), Just("1e309"), Just("-0"),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn expressions_never_panic(src in expression_text(), value in ".{0,12}") {
        for context in [Context::Question, Context::ChoiceFilter] {
            if let Ok(e) = Expression::parse(&src, context) {
                let _ = e.eval(&AnyEnv(value.clone())).to_text();
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics_the_parser(src in "\\PC{0,64}") {
        let _ = Expression::parse(&src, Context::Question);
    }

    #[test]
    fn arbitrary_bytes_are_refused_not_crashed(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        prop_assert!(import_xlsx(&bytes).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Flipping bytes of a real workbook exercises the zip and XML readers' error paths.
    #[test]
    fn damaged_workbooks_never_panic(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = instruments::ENCUESTA_XLSX.to_vec();
        for (at, byte) in flips {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = import_xlsx(&bytes);
    }

    #[test]
    fn truncated_workbooks_never_panic(cut in any::<prop::sample::Index>()) {
        let bytes = instruments::CEDULA_XLSX;
        let _ = import_xlsx(&bytes[..cut.index(bytes.len())]);
    }

    /// Survey sheets of random cells from the XLSForm vocabulary import or are refused.
    #[test]
    fn random_survey_sheets_never_panic(rows in prop::collection::vec(prop::collection::vec(cell(), 6), 0..12)) {
        let mut table: Vec<Vec<&str>> = vec![vec!["type", "name", "label", "relevant", "calculation", "repeat_count"]];
        table.extend(rows.iter().map(|r| r.iter().map(String::as_str).collect()));
        let table: Vec<&[&str]> = table.iter().map(Vec::as_slice).collect();
        let bytes = support::book()
            .sheet("survey", &table)
            .sheet("choices", &[&["list_name", "name", "label"], &["l", "a", "A"], &["l", "b", "B"]])
            .settings("f", "1")
            .bytes();
        if let Ok(imported) = import_xlsx(&bytes) {
            let mut answers = Answers::default();
            for f in imported.form.fields() {
                answers.set(&f.name, "a");
            }
            let _ = validate(&imported.form, &answers, clock(), "");
        }
    }

    /// Any text in any answer of the shipped survey gives a report, never a panic.
    #[test]
    fn random_answers_to_the_encuesta_never_panic(values in prop::collection::vec(answer_text(), 40)) {
        let form = instruments::encuesta().expect("imports");
        let mut answers = Answers::default();
        for (f, v) in form.fields().into_iter().zip(values) {
            answers.set(&f.name, v);
        }
        let _ = validate(&form, &answers, clock(), form.language());
    }
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("text".to_string()),
        Just("integer".to_string()),
        Just("calculate".to_string()),
        Just("select_one l".to_string()),
        Just("select_multiple l".to_string()),
        Just("begin group".to_string()),
        Just("end group".to_string()),
        Just("begin repeat".to_string()),
        Just("end repeat".to_string()),
        Just("a".to_string()),
        Just("b".to_string()),
        Just("${a} + 1".to_string()),
        Just("${b}".to_string()),
        Just("2".to_string()),
        "[a-z${}()=. ]{0,10}",
    ]
}

fn answer_text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), Just("1".to_string()), Just("si".to_string()), Just("2025-06-02".to_string()), "\\PC{0,20}"]
}
