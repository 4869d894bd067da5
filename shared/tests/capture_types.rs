//! The XLSForm types a device captures rather than the person types (geotrace, geoshape,
//! audio, video, file, barcode, rank, hidden, the metadata of the device), choices drawn
//! from a repeat (`select_one ${name}`) or shuffled (`randomize`), and `random()` /
//! `uuid()` drawn per record so that the phone and the server draw alike.

mod support;

use shared::answers::Answers;
use shared::expr::{Clock, Context, Expression};
use shared::form::{FieldKind, MetaKind, import_xlsx};
use shared::validate::{ErrorCode, evaluate_in, validate, validate_for_entry};
use support::book;

fn now() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2025, 6, 1).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("date")
}

fn inventory() -> shared::form::Form {
    let bytes = book()
        .sheet(
            "survey",
            &[
                &["type", "name", "label", "parameters", "calculation", "appearance"],
                &["start-geopoint", "inicio_gps", "", "", "", ""],
                &["audit", "audit", "", "", "", ""],
                &["phonenumber", "tel", "", "", "", ""],
                &["email", "correo", "", "", "", ""],
                &["simserial", "sim", "", "", "", ""],
                &["subscriberid", "suscriptor", "", "", "", ""],
                &["hidden", "origen", "", "", "", ""],
                &["begin repeat", "areas", "Áreas", "", "", ""],
                &["text", "area", "Nombre del área", "", "", ""],
                &["end repeat", "", "", "", "", ""],
                &["select_one ${area}", "peor_area", "¿Qué área está peor?", "", "", ""],
                &["rank prioridades", "orden", "Ordene las prioridades", "", "", ""],
                &["select_one prioridades", "azar", "Elija una", "randomize=true", "", ""],
                &["geotrace", "ruta", "Recorra la rampa", "", "", ""],
                &["geoshape", "predio", "Marque el predio", "", "", ""],
                &["audio", "nota_voz", "Nota de voz", "quality=normal", "", ""],
                &["video", "recorrido", "Video", "", "", ""],
                &["file", "acta", "Acta", "", "", ""],
                &["image", "firma", "Firma", "max-pixels=800", "", "signature"],
                &["barcode", "inventario", "Código del equipo", "", "", ""],
                &["calculate", "sorteo", "", "", "once(random())", ""],
                &["calculate", "folio", "", "", "uuid()", ""],
                &["calculate", "clave", "", "", "uuid(6)", ""],
            ],
        )
        .sheet(
            "choices",
            &[
                &["list_name", "name", "label"],
                &["prioridades", "rampa", "Rampa"],
                &["prioridades", "bano", "Baño"],
                &["prioridades", "senal", "Señalización"],
                &["prioridades", "sombra", "Sombra"],
            ],
        )
        .settings("inventario", "1")
        .bytes();
    import_xlsx(&bytes).expect("a form pyxform accepts imports").form
}

fn filled() -> Answers {
    let area = |n: &str| {
        let mut a = Answers::default();
        a.set("area", n);
        a
    };
    let mut a = Answers::default();
    a.set_repeat("areas", vec![area("Recepción"), area("Archivo")]);
    a.set("peor_area", "Archivo")
        .set("orden", "bano rampa sombra senal")
        .set("azar", "sombra")
        .set("ruta", "21.0190 -101.2574 1800 5;21.0192 -101.2570 1800 5")
        .set("predio", "21.01 -101.25 0 3;21.02 -101.25 0 3;21.02 -101.24 0 3;21.01 -101.25 0 3")
        .set("nota_voz", "ab12.m4a")
        .set("recorrido", "cd34.mp4")
        .set("acta", "ef56.pdf")
        .set("firma", "0a0b.jpg")
        .set("inventario", "7501055300075")
        .set("inicio_gps", "21.0 -101.2 1800 12")
        .set("audit", "99ff.csv")
        .set("tel", "")
        .set("origen", "campo");
    a
}

#[test]
fn every_capture_type_imports_as_its_kind() {
    let form = inventory();
    let kind = |n: &str| form.field(n).map(|f| f.kind.clone()).expect(n);
    assert_eq!(kind("ruta"), FieldKind::GeoTrace);
    assert_eq!(kind("predio"), FieldKind::GeoShape);
    assert_eq!(kind("nota_voz"), FieldKind::Audio);
    assert_eq!(kind("recorrido"), FieldKind::Video);
    assert_eq!(kind("acta"), FieldKind::File);
    assert_eq!(kind("inventario"), FieldKind::Barcode);
    assert_eq!(kind("orden"), FieldKind::Rank { list: "prioridades".into() });
    assert_eq!(kind("origen"), FieldKind::Hidden);
    assert_eq!(kind("inicio_gps"), FieldKind::Meta(MetaKind::StartGeopoint));
    assert_eq!(kind("audit"), FieldKind::Meta(MetaKind::Audit));
    assert_eq!(kind("suscriptor"), FieldKind::Meta(MetaKind::SubscriberId));
    assert_eq!(form.field("peor_area").and_then(|f| f.choices_from_repeat()), Some("area"));
    // Computed, metadata and hidden questions are not asked.
    let report = validate_for_entry(&form, &filled(), Clock::for_record(now(), "r1"), "");
    for unasked in ["origen", "inicio_gps", "audit", "tel", "sorteo"] {
        assert!(!report.asked.iter().any(|p| p == unasked), "{unasked} is not asked");
    }
}

#[test]
fn a_filled_inventory_is_valid_and_each_type_refuses_what_it_is_not() {
    let form = inventory();
    let clock = Clock::for_record(now(), "0190aabb-0000-7000-8000-000000000001");
    let report = validate(&form, &filled(), clock, "");
    assert!(report.is_valid(), "{:?}", report.errors);
    let broken = [
        ("ruta", "21.0 -101.2 0 5", ErrorCode::Type),
        ("predio", "21.01 -101.25;21.02 -101.25;21.02 -101.24;21.03 -101.25", ErrorCode::Type),
        ("orden", "bano rampa", ErrorCode::Incomplete),
        ("orden", "bano rampa sombra nube", ErrorCode::NotAChoice),
        ("peor_area", "Cocina", ErrorCode::NotAChoice),
        ("acta", "../secreto.pdf", ErrorCode::Type),
        ("inicio_gps", "norte", ErrorCode::Type),
    ];
    for (name, value, code) in broken {
        let mut a = filled();
        a.set(name, value);
        let report = validate(&form, &a, clock, "");
        assert_eq!(report.errors.iter().map(|e| (e.path.as_str(), e.code)).collect::<Vec<_>>(), [(name, code)], "{name} = {value}");
    }
}

#[test]
fn choices_come_from_a_repeat_and_randomize_keeps_its_order_for_one_record() {
    let form = inventory();
    let clock = Clock::for_record(now(), "r-1");
    let report = validate_for_entry(&form, &filled(), clock, "");
    assert_eq!(report.choices.get("peor_area").map(Vec::as_slice), Some(&["Recepción".to_string(), "Archivo".to_string()][..]));
    assert_eq!(report.choices.get("orden").map(Vec::len), Some(4), "rank offers its list");
    let shuffled = |seed: &str| validate_for_entry(&form, &filled(), Clock::for_record(now(), seed), "").choices["azar"].clone();
    let first = shuffled("r-1");
    assert_eq!(first, shuffled("r-1"), "the same record sees the same order every time");
    let mut sorted = first.clone();
    sorted.sort();
    assert_eq!(sorted, ["bano", "rampa", "senal", "sombra"], "every choice, once");
    let orders: std::collections::BTreeSet<Vec<String>> = (0..20).map(|i| shuffled(&format!("r-{i}"))).collect();
    assert!(orders.len() > 3, "records see different orders: {orders:?}");
}

#[test]
fn random_and_uuid_are_drawn_per_record_the_same_on_every_evaluation() {
    let form = inventory();
    let eval = |record: &str, src: &str| {
        let e = Expression::parse(src, Context::Question).expect(src);
        evaluate_in(&form, &filled(), Clock::for_record(now(), record), &e).to_text()
    };
    let a = eval("record-a", "${sorteo}");
    let x: f64 = a.parse().expect("a number");
    assert!((0.0..1.0).contains(&x), "{x}");
    assert_eq!(a, eval("record-a", "${sorteo}"), "the phone and the server draw alike");
    assert_ne!(a, eval("record-b", "${sorteo}"), "another record draws another number");
    let folio = eval("record-a", "${folio}");
    assert!(uuid::Uuid::parse_str(&folio).is_ok_and(|u| u.get_version_num() == 4), "{folio}");
    assert_eq!(eval("record-a", "string-length(${clave})"), "6");
    // Two draws in one expression differ.
    assert_eq!(eval("record-a", "random() != random()"), "true");
}

#[test]
fn appearances_the_app_applies_pass_and_the_others_are_named_with_their_row() {
    let bytes = book()
        .sheet(
            "survey",
            &[
                &["type", "name", "label", "appearance"],
                &["select_one l", "a", "A", "minimal"],
                &["text", "b", "B", "multiline"],
                &["date", "c", "C", "no-calendar"],
                &["image", "d", "D", "signature"],
            ],
        )
        .sheet("choices", &[&["list_name", "name", "label"], &["l", "x", "X"]])
        .settings("apariencias", "1")
        .bytes();
    let imported = import_xlsx(&bytes).expect("imports");
    assert_eq!(
        imported.warnings,
        ["survey, fila 4, columna appearance: la apariencia «no-calendar» no se aplica en la app: la pregunta se muestra con su control normal"]
    );
}
