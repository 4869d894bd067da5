//! Repeats as XLSForm authors use them (issue «forms as data»): totals and counts over a
//! repeat from outside it, predicates with the instance's own questions, `position(..)`,
//! `indexed-repeat()`, relative paths, and references from inside a repeat to its own
//! instance and to the outside, evaluated the same way on the phone and the server.

mod support;

use shared::answers::Answers;
use shared::expr::Clock;
use shared::form::import_xlsx;
use shared::validate::{ErrorCode, FormIndex, validate, validate_indexed};
use support::book;

fn clock() -> Clock {
    Clock::at(chrono::NaiveDate::from_ymd_opt(2025, 6, 1).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("date"))
}

fn household() -> shared::form::Form {
    let bytes = book()
        .sheet(
            "survey",
            &[
                &["type", "name", "label", "calculation", "constraint", "constraint_message", "relevant"],
                &["integer", "limite", "Ingreso máximo por persona", "", "", "", ""],
                &["begin repeat", "miembros", "Miembros", "", "", "", ""],
                &["text", "nombre", "Nombre", "", "", "", ""],
                &["integer", "edad", "Edad", "", ". < 120", "Edad imposible", ""],
                &["decimal", "ingreso", "Ingreso", "", ". <= ${limite}", "Mayor que el límite", "../edad >= 18"],
                &["calculate", "numero", "", "position(..)", "", "", ""],
                &["end repeat", "", "", "", "", "", ""],
                &["calculate", "n", "", "count(${miembros})", "", "", ""],
                &["calculate", "menores", "", "count(${miembros}[edad < 18])", "", "", ""],
                &["calculate", "total", "", "sum(${ingreso})", "", "", ""],
                &["calculate", "mayor", "", "max(${edad})", "", "", ""],
                &["calculate", "primero", "", "${nombre}[1]", "", "", ""],
                &["calculate", "segundo", "", "indexed-repeat(${nombre}, ${miembros}, 2)", "", "", ""],
                &["calculate", "adultos", "", "join(', ', ${nombre}[../edad >= 18])", "", "", ""],
                &["integer", "confirmados", "¿Cuántos menores?", "", ". = ${menores}", "No coincide con la lista", ""],
                &["note", "aviso", "Hay adultos sin ingreso", "", "", "", "count(${ingreso}[. = '']) > 0"],
            ],
        )
        .settings("hogar", "1")
        .bytes();
    import_xlsx(&bytes).expect("a form pyxform accepts imports").form
}

fn member(name: &str, age: &str, income: &str) -> Answers {
    let mut m = Answers::default();
    m.set("nombre", name).set("edad", age);
    if !income.is_empty() {
        m.set("ingreso", income);
    }
    m
}

#[test]
fn totals_counts_and_predicates_over_a_repeat_validate_on_both_sides() {
    let form = household();
    let mut a = Answers::default();
    a.set("limite", "10000").set("confirmados", "2");
    a.set_repeat("miembros", vec![member("Ana", "41", "8000"), member("Luis", "9", ""), member("Eva", "15", ""), member("Raúl", "70", "3500")]);
    let report = validate(&form, &a, clock(), "");
    assert!(report.is_valid(), "{:?}", report.errors);
    // The wrong count of minors breaks the constraint that reads the predicate.
    a.set("confirmados", "3");
    let report = validate(&form, &a, clock(), "");
    let got: Vec<(&str, ErrorCode)> = report.errors.iter().map(|e| (e.path.as_str(), e.code)).collect();
    assert_eq!(got, [("confirmados", ErrorCode::Constraint)]);
    // Inside the repeat: its own instance (../edad) and the outside (${limite}).
    a.set("confirmados", "2");
    a.set_repeat("miembros", vec![member("Ana", "41", "12000"), member("Luis", "9", "500"), member("Eva", "15", ""), member("Raúl", "70", "3500")]);
    let report = validate(&form, &a, clock(), "");
    let got: Vec<(&str, ErrorCode)> = report.errors.iter().map(|e| (e.path.as_str(), e.code)).collect();
    assert_eq!(got, [("miembros[1]/ingreso", ErrorCode::Constraint)]);
    assert_eq!(report.not_relevant, ["miembros[2]/ingreso"], "a child's income does not apply");
}

#[test]
fn calculations_over_a_repeat_give_what_odk_gives() {
    use shared::expr::{Context, Expression};
    let form = household();
    let mut a = Answers::default();
    a.set("limite", "10000").set("confirmados", "2");
    a.set_repeat("miembros", vec![member("Ana", "41", "8000"), member("Luis", "9", ""), member("Eva", "15", ""), member("Raúl", "70", "3500")]);
    let expected = [
        ("n", "4"),
        ("menores", "2"),
        ("total", "11500"),
        ("mayor", "70"),
        ("primero", "Ana"),
        ("segundo", "Luis"),
        ("adultos", "Ana, Raúl"),
    ];
    for (name, value) in expected {
        let field = form.field(name).expect("field");
        let calc = field.calculation.as_ref().expect("calculation");
        let probe = Expression::parse(&format!("${{{name}}}"), Context::Question).expect("parses");
        let got = shared::validate::evaluate_in(&form, &a, clock(), &probe).to_text();
        assert_eq!(got, value, "{name}: {}", calc.source());
    }
    // Inside the repeat, position(..) numbers the instances.
    let numbers = Expression::parse("join(' ', ${numero})", Context::Question).expect("parses");
    assert_eq!(shared::validate::evaluate_in(&form, &a, clock(), &numbers).to_text(), "1 2 3 4");
}

/// A name answered where its question is not (a top-level question inside an instance, a
/// nested repeat's question in the instance around it, a repeat's question at the top) is
/// an unknown field at that place; a question inside a group belongs to the scope around
/// the group.
#[test]
fn a_name_answered_outside_its_scope_is_unknown_there() {
    let bytes = book()
        .sheet(
            "survey",
            &[
                &["type", "name", "label"],
                &["integer", "limite", "Límite"],
                &["begin group", "datos", "Datos"],
                &["text", "notas", "Notas"],
                &["end group", "", ""],
                &["begin repeat", "miembros", "Miembros"],
                &["text", "nombre", "Nombre"],
                &["begin group", "detalle", "Detalle"],
                &["integer", "edad", "Edad"],
                &["end group", "", ""],
                &["begin repeat", "empleos", "Empleos"],
                &["text", "puesto", "Puesto"],
                &["end repeat", "", ""],
                &["end repeat", "", ""],
            ],
        )
        .settings("scopes", "1")
        .bytes();
    let form = import_xlsx(&bytes).expect("imports").form;
    let mut job = Answers::default();
    job.set("puesto", "Chofer");
    let mut member = Answers::default();
    member.set("nombre", "Ana").set("edad", "41").set_repeat("empleos", vec![job.clone()]);
    let mut a = Answers::default();
    a.set("limite", "3").set("notas", "ok").set_repeat("miembros", vec![member.clone()]);
    let report = validate(&form, &a, clock(), "");
    assert!(report.is_valid(), "{:?}", report.errors);

    job.set("nombre", "Luis");
    member.set("limite", "4").set("puesto", "Chofer").set_repeat("empleos", vec![job]);
    a.set("edad", "9").set("empleos", "1").set_repeat("miembros", vec![member]);
    let report = validate(&form, &a, clock(), "");
    let mut got: Vec<&str> = report.errors.iter().map(|e| e.path.as_str()).collect();
    got.sort();
    assert_eq!(got, ["edad", "empleos", "miembros[1]/empleos[1]/nombre", "miembros[1]/limite", "miembros[1]/puesto"]);
    assert!(report.errors.iter().all(|e| e.code == ErrorCode::UnknownField), "{:?}", report.errors);

    // The same with the form's index built beforehand, and with another form's index
    // (not used: one is built for this form).
    let paths = |r: &shared::validate::Report| r.errors.iter().map(|e| (e.path.clone(), e.code)).collect::<Vec<_>>();
    let indexed = validate_indexed(&form, &FormIndex::new(&form), &a, clock(), "");
    assert_eq!(paths(&indexed), paths(&report));
    let other = validate_indexed(&form, &FormIndex::new(&household()), &a, clock(), "");
    assert_eq!(paths(&other), paths(&report));
}
