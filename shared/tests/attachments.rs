//! Forms with files: choices read from an attached CSV or XML (`select_one_from_file`),
//! lookups in them (`instance('x')/root/item[…]`, `pulldata()`), and the errors that name
//! a missing file or column where the form uses it.

mod support;

use shared::answers::Answers;
use shared::expr::{Clock, Context, Expression};
use shared::form::{Attachment, import_with_files};
use shared::validate::{ErrorCode, evaluate_in, validate, validate_for_entry};
use support::book;

fn now() -> Clock {
    Clock::at(chrono::NaiveDate::from_ymd_opt(2025, 6, 1).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("date"))
}

fn file(name: &str, text: &str) -> Attachment {
    Attachment { name: name.into(), bytes: text.as_bytes().to_vec() }
}

fn workbook() -> Vec<u8> {
    book()
        .sheet(
            "survey",
            &[
                &["type", "name", "label", "parameters", "choice_filter", "calculation", "constraint"],
                &["csv-external", "tarifas", "", "", "", "", ""],
                &["select_one estados", "estado", "Estado", "", "", "", ""],
                &["select_one_from_file municipios.csv", "municipio", "Municipio", "value=clave label=nombre", "estado = ${estado}", "", ""],
                &["select_multiple_from_file oficinas.xml", "oficinas", "Oficinas visitadas", "", "municipio = ${municipio}", "", ""],
                &["calculate", "n_municipios", "", "", "", "count(instance('municipios')/root/item[estado = ${estado}])", ""],
                &["calculate", "poblacion", "", "", "", "instance('municipios')/root/item[clave = ${municipio}]/poblacion", ""],
                &["calculate", "tarifa", "", "", "", "pulldata('tarifas', 'costo', 'tramite', 'placas')", ""],
                &["decimal", "pagado", "¿Cuánto pagó?", "", "", "", ". <= ${tarifa}"],
            ],
        )
        .sheet("choices", &[&["list_name", "name", "label"], &["estados", "gto", "Guanajuato"], &["estados", "oax", "Oaxaca"]])
        .settings("con_archivos", "1")
        .bytes()
}

fn files() -> Vec<Attachment> {
    vec![
        file("municipios.csv", "clave,nombre,estado,poblacion\nleon,León,gto,1721215\nsanfe,San Felipe,gto,113109\noaxaca,Oaxaca de Juárez,oax,270955\n"),
        file("oficinas.xml", "<root><item><name>of1</name><label>Recaudadora Centro</label><municipio>leon</municipio></item><item><name>of2</name><label>Registro Civil</label><municipio>oaxaca</municipio></item><item><name>of3</name><label>Catastro</label><municipio>leon</municipio></item></root>"),
        file("tarifas.csv", "tramite,costo\nlicencia,850\nplacas,1200.50\n"),
    ]
}

#[test]
fn lists_and_lookups_read_the_files_published_with_the_form() {
    let imported = import_with_files(&workbook(), None, &files()).expect("a form with its files imports");
    let form = &imported.form;
    assert_eq!(form.files.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["municipios.csv", "oficinas.xml", "tarifas.csv"]);
    let municipios = &form.lists["municipios.csv"];
    assert_eq!(municipios.choices.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["leon", "sanfe", "oaxaca"]);
    assert_eq!(municipios.choices[0].label.get(""), Some("León"));

    let mut a = Answers::default();
    a.set("estado", "gto").set("municipio", "leon").set("oficinas", "of1 of3").set("pagado", "1000");
    let report = validate_for_entry(form, &a, now(), "");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.choices["municipio"], ["leon", "sanfe"], "filtered by the file's own column");
    assert_eq!(report.choices["oficinas"], ["of1", "of3"]);
    let eval = |src: &str| evaluate_in(form, &a, now(), &Expression::parse(src, Context::Question).expect(src)).to_text();
    assert_eq!(eval("${n_municipios}"), "2");
    assert_eq!(eval("${poblacion}"), "1721215");
    assert_eq!(eval("${tarifa}"), "1200.50");
    assert_eq!(eval("instance('municipios')/root/item[2]/nombre"), "San Felipe", "a position as predicate");

    a.set("municipio", "oaxaca").set("pagado", "1300");
    let report = validate(form, &a, now(), "");
    let codes: Vec<(&str, ErrorCode)> = report.errors.iter().map(|e| (e.path.as_str(), e.code)).collect();
    // The offices follow the (refused) municipality: none of them is offered now.
    assert_eq!(codes, [("municipio", ErrorCode::NotAChoice), ("oficinas", ErrorCode::NotAChoice), ("pagado", ErrorCode::Constraint)]);
}

#[test]
fn a_missing_file_or_column_is_named_where_the_form_uses_it() {
    let only_one = vec![file("municipios.csv", "clave,nombre,estado\nleon,León,gto\n")];
    let errors = import_with_files(&workbook(), None, &only_one).expect_err("files are missing").to_string();
    for expected in [
        "survey, fila 2, columna name: falta el archivo adjunto «tarifas.csv o tarifas.xml»",
        "survey, fila 5, columna type: falta el archivo adjunto «oficinas.xml»",
        "survey, fila 7, columna calculation: valor «municipios/poblacion» inválido",
        "survey, fila 8, columna calculation: falta el archivo adjunto «tarifas.csv o tarifas.xml»",
    ] {
        assert!(errors.contains(expected), "«{expected}» in:\n{errors}");
    }
    let mut broken = files();
    broken.push(file("sobra.csv", "a\n1\n"));
    broken[1] = file("oficinas.xml", "<root><item><name>of1</name>");
    let errors = import_with_files(&workbook(), None, &broken).expect_err("an unreadable file").to_string();
    assert!(errors.contains("«oficinas.xml» no se pudo leer"), "{errors}");
    let mut extra = files();
    extra.push(file("sobra.csv", "a\n1\n"));
    let imported = import_with_files(&workbook(), None, &extra).expect("an unused file is only a warning");
    assert!(imported.warnings.iter().any(|w| w.contains("«sobra.csv» no lo usa ninguna pregunta")), "{:?}", imported.warnings);
}

#[test]
fn a_changed_file_changes_the_forms_fingerprint() {
    let a = import_with_files(&workbook(), None, &files()).expect("imports").form;
    let mut changed = files();
    changed[2] = file("tarifas.csv", "tramite,costo\nlicencia,850\nplacas,1300\n");
    let b = import_with_files(&workbook(), None, &changed).expect("imports").form;
    assert_ne!(shared::form::fingerprint(&a), shared::form::fingerprint(&b));
}
