//! The shipped default instruments: they import, their committed text renderings are up
//! to date, and full valid submissions of each validate.

use chrono::NaiveDate;
use shared::answers::Answers;
use shared::expr::Clock;
use shared::form::{FieldKind, Form, Scoring, render_text};
use shared::instruments;
use shared::validate::{ErrorCode, Report, validate};

/// Compares a rendering with the committed file; with `UPDATE_RENDERINGS=1` rewrites it.
fn check_rendering(file: &str, rendered: &str) {
    let path = format!("{}/forms/{file}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_RENDERINGS").is_some() {
        std::fs::write(&path, rendered).expect("write rendering");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "{file} is out of date with its .xlsx: run `UPDATE_RENDERINGS=1 cargo test -p shared --test instruments` and review the diff"
    );
}

#[test]
fn encuesta_rendering_is_committed_and_current() {
    let form = instruments::encuesta().expect("encuesta imports");
    check_rendering("encuesta_opinion.txt", &render_text(&form));
}

#[test]
fn cedula_rendering_is_committed_and_current() {
    let form = instruments::cedula().expect("cedula imports");
    check_rendering("cedula_visita.txt", &render_text(&form));
}

fn clock() -> Clock {
    let now = NaiveDate::from_ymd_opt(2025, 6, 2).and_then(|d| d.and_hms_opt(11, 5, 0)).expect("valid");
    Clock::at(now)
}

fn check(form: &Form, answers: &Answers) -> Report {
    validate(form, answers, clock(), form.language())
}

fn check_entry(form: &Form, answers: &Answers) -> Report {
    shared::validate::validate_for_entry(form, answers, clock(), form.language())
}

/// A complete, valid exit survey as the app would send it.
fn full_encuesta() -> Answers {
    let mut a = Answers::default();
    a.set("inicio", "2025-06-02T11:02:10.000-06:00")
        .set("fin", "2025-06-02T11:04:40.000-06:00")
        .set("fecha", "2025-06-02")
        .set("dispositivo", "dev-01")
        .set("encuestador", "enc01")
        .set("consentimiento", "si")
        .set("P0", "licencia_conducir")
        .set("AG1", "10a20");
    for item in ["AG2", "AG3", "DE1", "DE2", "TC1", "TC2", "CI1", "GL1"] {
        a.set(item, "4");
    }
    a.set("AG4", "1").set("DE3", "si").set("TC3", "si").set("CI2", "parcial").set("CI3", "no");
    a.set("IN1", "no").set("IN2", "no").set("QJ1", "si").set("RE1", "si").set("GL2", "9");
    a.set("D1", "pnd");
    a
}

fn full_cedula() -> Answers {
    let form = instruments::cedula().expect("cedula imports");
    let mut a = Answers::default();
    a.set("inicio", "2025-06-02T09:00:00").set("fin", "2025-06-02T10:10:00");
    a.set("dispositivo", "dev-07").set("inspector", "insp01").set("turno", "matutino").set("aviso", "si");
    for f in form.fields() {
        if f.scoring.pillar.is_some() {
            a.set(&f.name, "2");
        }
    }
    a.set("PC-V5", "na");
    let instance = |m: &str| {
        let mut i = Answers::default();
        i.set("espera_min", m);
        i
    };
    a.set_repeat("espera", ["4", "7.5", "12", "0", "3"].map(instance).to_vec());
    a
}

#[test]
fn encuesta_has_the_instrument_items_with_scoring_columns() {
    let form = instruments::encuesta().expect("imports");
    assert_eq!(form.id, "encuesta_opinion");
    let scale5: Vec<&str> = form
        .fields()
        .into_iter()
        .filter(|f| f.scoring.scoring == Some(Scoring::Scale5))
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(scale5, ["AG2", "AG3", "DE1", "DE2", "TC1", "TC2", "CI1", "GL1"]);
    for (item, dim) in [("DE3", "DE"), ("CI2", "CI"), ("RE1", "RE"), ("IN1", "IN"), ("AG1", "AG")] {
        let f = form.field(item).expect(item);
        assert_eq!(f.scoring.dimension.as_deref(), Some(dim), "{item}");
    }
    for item in ["DE3", "CI2", "RE1"] {
        assert_eq!(form.field(item).and_then(|f| f.scoring.scoring), Some(Scoring::Ypn), "{item}");
    }
    assert_eq!(form.field("GL2").map(|f| &f.kind), Some(&FieldKind::Integer));
}

/// Version 2025010101 had rows 30 (GL3) and 32–35 (D1–D4) one column to the right: the
/// 500-character limit was not enforced (its expression sat in the message column) and
/// the demographic questions carried made-up scoring dimensions. 2025010102 corrects them.
#[test]
fn the_open_question_is_limited_and_demographics_are_not_scored() {
    let form = instruments::encuesta().expect("imports");
    assert_eq!(form.version, "2025010102");
    assert_eq!(form.field("GL3").and_then(|f| f.appearance.as_deref()), Some("multiline"));
    let mut answers = full_encuesta();
    answers.set("GL3", "x".repeat(501));
    let report = check(&form, &answers);
    let errors: Vec<(&str, ErrorCode, &str)> = report.errors.iter().map(|e| (e.path.as_str(), e.code, e.message.as_str())).collect();
    assert_eq!(errors, [("GL3", ErrorCode::Constraint, "Escriba como máximo 500 caracteres.")]);
    answers.set("GL3", "x".repeat(500));
    assert!(check(&form, &answers).is_valid());
    for name in ["D1", "D2", "D3", "D4"] {
        let f = form.field(name).expect(name);
        assert_eq!(f.appearance.as_deref(), Some("likert"), "{name}");
        assert_eq!((f.scoring.dimension.as_deref(), f.scoring.scoring), (None, None), "{name}");
    }
}

#[test]
fn cedula_has_six_pillars_weights_and_two_critical_items() {
    let form = instruments::cedula().expect("imports");
    let items: Vec<_> = form.fields().into_iter().filter(|f| f.scoring.pillar.is_some()).collect();
    assert_eq!(items.len(), 8 + 8 + 7 + 6 + 5 + 5);
    let pillars: std::collections::BTreeSet<_> = items.iter().filter_map(|f| f.scoring.pillar.clone()).collect();
    assert_eq!(pillars.into_iter().collect::<Vec<_>>(), ["AG", "CI", "DE", "PC", "QJ", "TC"]);
    let critical: Vec<&str> = items.iter().filter(|f| f.scoring.critical).map(|f| f.name.as_str()).collect();
    assert_eq!(critical, ["PC-V3", "PC-V5"]);
    let weight = |name: &str| form.field(name).and_then(|f| f.scoring.weight);
    assert_eq!(weight("AG-V2"), Some(3.0));
    assert_eq!(weight("QJ-V5"), Some(1.0));
}

#[test]
fn a_full_valid_encuesta_validates() {
    let form = instruments::encuesta().expect("imports");
    let report = check(&form, &full_encuesta());
    assert!(report.is_valid(), "{:?}", report.errors);
    assert!(report.not_relevant.is_empty());
}

#[test]
fn a_refusal_needs_only_the_consent_answer() {
    let form = instruments::encuesta().expect("imports");
    let mut a = Answers::default();
    a.set("consentimiento", "no");
    assert!(check(&form, &a).is_valid());
}

#[test]
fn a_full_valid_cedula_validates() {
    let form = instruments::cedula().expect("imports");
    let report = check(&form, &full_cedula());
    assert!(report.is_valid(), "{:?}", report.errors);
}

fn only_error(report: &Report) -> (&str, ErrorCode, &str) {
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let e = &report.errors[0];
    (e.path.as_str(), e.code, e.message.as_str())
}

#[test]
fn each_kind_of_invalid_encuesta_answer_is_refused_with_the_form_message() {
    let form = instruments::encuesta().expect("imports");
    let cases: [(&str, &str, ErrorCode, &str); 5] = [
        ("AG2", "", ErrorCode::Required, "Seleccione una respuesta (o «No aplica / No sé»)."),
        ("GL2", "11", ErrorCode::Constraint, "La calificación debe ser un número entero del 0 al 10."),
        ("GL2", "nueve", ErrorCode::Type, "Se esperaba un número entero"),
        ("TC1", "6", ErrorCode::NotAChoice, "«6» no es una opción válida de esta pregunta"),
        ("P0", "", ErrorCode::Required, "Seleccione el trámite o servicio."),
    ];
    for (name, value, code, message) in cases {
        let mut a = full_encuesta();
        a.set(name, value);
        let report = check(&form, &a);
        assert_eq!(only_error(&report), (name, code, message), "{name}={value}");
    }
}

#[test]
fn the_other_tramite_is_asked_only_when_chosen_and_then_checked() {
    let form = instruments::encuesta().expect("imports");
    let mut a = full_encuesta();
    a.set("P0", "otro");
    assert_eq!(only_error(&check(&form, &a)).1, ErrorCode::Required);
    a.set("P0_otro", "ab");
    assert_eq!(only_error(&check(&form, &a)), ("P0_otro", ErrorCode::Constraint, "Escriba entre 3 y 120 caracteres."));
    a.set("P0_otro", "Constancia de no adeudo");
    assert!(check(&form, &a).is_valid());
    a.set("P0", "predial");
    let report = check(&form, &a);
    assert!(report.is_valid());
    assert_eq!(report.not_relevant, ["P0_otro"]);
}

#[test]
fn answers_outside_the_form_are_refused_by_name() {
    let form = instruments::encuesta().expect("imports");
    let mut a = full_encuesta();
    a.set("curp", "XXXX000000");
    assert_eq!(only_error(&check(&form, &a)).0, "curp");
    assert_eq!(only_error(&check(&form, &a)).1, ErrorCode::UnknownField);
}

#[test]
fn cedula_repeat_count_and_repeat_answers_are_checked() {
    let form = instruments::cedula().expect("imports");
    let mut a = full_cedula();
    let mut short = Answers::default();
    short.set("espera_min", "3");
    a.set_repeat("espera", vec![short.clone(); 4]);
    assert_eq!(only_error(&check(&form, &a)).1, ErrorCode::RepeatCount);
    let mut bad = short.clone();
    bad.set("espera_min", "-1");
    let mut five = vec![short; 5];
    five[2] = bad;
    a.set_repeat("espera", five);
    assert_eq!(only_error(&check(&form, &a)), ("espera[3]/espera_min", ErrorCode::Constraint, "Registre entre 0 y 600 minutos."));
}

#[test]
fn cedula_items_accept_only_their_scale() {
    let form = instruments::cedula().expect("imports");
    let mut a = full_cedula();
    a.set("DE-V2", "3");
    assert_eq!(only_error(&check(&form, &a)).1, ErrorCode::NotAChoice);
    a.set("DE-V2", "");
    assert_eq!(only_error(&check(&form, &a)), ("DE-V2", ErrorCode::Required, "Califique el criterio."));
}

#[test]
fn the_questions_to_ask_follow_relevance_as_answers_arrive() {
    let form = instruments::encuesta().expect("encuesta");
    let mut a = Answers::default();
    a.set("consentimiento", "no");
    assert_eq!(check_entry(&form, &a).asked, ["consentimiento", "fin_rechazo"], "a refusal shows only its note");
    a.set("consentimiento", "si");
    let asked = check_entry(&form, &a).asked;
    assert!(asked.contains(&"P0".to_string()) && !asked.contains(&"P0_otro".to_string()));
    assert!(!asked.iter().any(|p| p == "inicio" || p == "encuestador"), "metadata is filled, not asked");
    a.set("P0", "otro");
    let asked = check_entry(&form, &a).asked;
    let p0 = asked.iter().position(|p| p == "P0").expect("P0");
    assert_eq!(asked[p0 + 1], "P0_otro", "the follow-up comes right after");
}

#[test]
fn expected_repeat_instances_are_asked_without_extra_errors() {
    let form = instruments::cedula().expect("cedula");
    let mut a = full_cedula();
    a.remove("espera");
    let report = check_entry(&form, &a);
    let waits: Vec<&String> = report.asked.iter().filter(|p| p.starts_with("espera[")).collect();
    assert_eq!(waits, ["espera[1]/espera_min", "espera[2]/espera_min", "espera[3]/espera_min", "espera[4]/espera_min", "espera[5]/espera_min"]);
    assert_eq!(only_error(&report).1, ErrorCode::RepeatCount, "one count error, not five required ones");
    let full = check_entry(&form, &full_cedula());
    assert!(full.is_valid() && full.asked.iter().filter(|p| p.starts_with("espera[")).count() == 5);
    assert!(check(&form, &full_cedula()).asked.is_empty(), "plain validation does not list them");
}

/// The checklist names its pillars by its groups' labels; the survey has none.
#[test]
fn the_cedula_names_its_six_pillars() {
    let cedula = instruments::cedula().expect("imports");
    let labels = cedula.pillar_labels();
    assert_eq!(labels.keys().map(String::as_str).collect::<Vec<_>>(), ["AG", "CI", "DE", "PC", "QJ", "TC"]);
    assert!(labels["AG"].contains("Agilidad"), "{labels:?}");
    assert!(instruments::encuesta().expect("imports").pillar_labels().is_empty());
}
