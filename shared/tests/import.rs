//! Importing XLSForm workbooks: valid ones in the style ODK and Kobo users write, and
//! broken ones, each refused with a Spanish message naming the sheet, row and column.

mod support;

use shared::form::{FieldKind, ImportErrorKind, ImportErrors, Item, import_xlsx};
use support::book;

const HEADER: &[&str] = &["type", "name", "label"];

fn errors(bytes: &[u8]) -> ImportErrors {
    match import_xlsx(bytes) {
        Ok(imported) => panic!("expected errors, imported {}", imported.form.id),
        Err(e) => e,
    }
}

/// Imports a one-sheet survey (with settings and the given choices) and returns its errors.
fn survey_errors(survey: &[&[&str]], choices: &[&[&str]]) -> Vec<String> {
    let mut b = book().sheet("survey", survey).settings("prueba", "1");
    if !choices.is_empty() {
        b = b.sheet("choices", choices);
    }
    errors(&b.bytes()).iter().map(ToString::to_string).collect()
}

#[test]
fn empty_file_and_foreign_bytes_are_not_workbooks() {
    let cases: [&[u8]; 4] = [b"", b"type,name,label\ntext,a,A\n", b"%PDF-1.4\n", b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"];
    for bytes in cases {
        let e = errors(bytes);
        assert_eq!(e.len(), 1);
        assert!(matches!(e.0[0].kind, ImportErrorKind::NotXlsx(_)), "{e}");
        assert!(e.to_string().starts_with("archivo: el archivo no es un libro de Excel (.xlsx) legible"), "{e}");
    }
}

#[test]
fn missing_sheets_are_named() {
    let only_choices = book().sheet("choices", &[&["list_name", "name", "label"], &["l", "a", "A"]]).settings("f", "1");
    assert_eq!(errors(&only_choices.bytes()).to_string(), "archivo: falta la hoja «survey»");
    let no_settings = book().sheet("survey", &[HEADER, &["text", "a", "A"]]);
    assert_eq!(errors(&no_settings.bytes()).to_string(), "archivo: falta la hoja «settings»");
    let no_choices = book().sheet("survey", &[HEADER, &["select_one l", "a", "A"]]).settings("f", "1");
    assert_eq!(
        errors(&no_choices.bytes()).to_string(),
        "archivo: falta la hoja «choices»\nsurvey, fila 2, columna type: la lista de opciones «l» no existe en la hoja choices"
    );
}

#[test]
fn empty_sheets_and_missing_columns_are_reported() {
    let empty = book().sheet("survey", &[]).settings("f", "1");
    assert_eq!(errors(&empty.bytes()).to_string(), "survey: la hoja está vacía");
    let header_only = book().sheet("survey", &[HEADER]).settings("f", "1");
    assert_eq!(errors(&header_only.bytes()).to_string(), "survey: la hoja está vacía");
    let no_label = survey_errors(&[&["type", "name"], &["text", "a"]], &[]);
    assert_eq!(no_label, ["survey, fila 1: falta la columna «label»", "survey, fila 2, columna label: falta la etiqueta (label)"]);
    let settings = book().sheet("survey", &[HEADER, &["text", "a", "A"]]).sheet("settings", &[&["form_title"], &["X"]]);
    // Without a file name there is nothing to call the form; a version comes from the content.
    assert_eq!(errors(&settings.bytes()).to_string(), "settings: falta el ajuste «form_id»");
}

#[test]
fn unknown_list_names_the_row_and_column() {
    let e = survey_errors(
        &[HEADER, &["text", "a", "A"], &["select_one colores", "b", "B"]],
        &[&["list_name", "name", "label"], &["sexo", "m", "Mujer"]],
    );
    assert_eq!(e, ["survey, fila 3, columna type: la lista de opciones «colores» no existe en la hoja choices"]);
}

#[test]
fn duplicate_names_and_choices_point_at_both_rows() {
    let e = survey_errors(
        &[HEADER, &["text", "edad", "A"], &["integer", "edad", "B"], &["select_one l", "c", "C"]],
        &[&["list_name", "name", "label"], &["l", "x", "X"], &["l", "x", "X otra vez"]],
    );
    assert_eq!(
        e,
        [
            "choices, fila 3, columna name: la opción «x» está repetida en la lista «l» (ya está en la fila 2)",
            "survey, fila 3, columna name: el nombre «edad» está repetido (ya se usa en la fila 2)",
        ]
    );
}

#[test]
fn bad_expressions_are_import_errors_with_position() {
    let e = survey_errors(
        &[
            &["type", "name", "label", "relevant", "constraint", "calculation"],
            &["integer", "edad", "Edad", "", ". >= 0 and", ""],
            &["text", "nombre", "Nombre", "${edad > 3", "", ""],
            &["calculate", "doble", "", "", "", "dos(${edad})"],
            &["text", "x", "X", "edad > 18", "", ""],
        ],
        &[],
    );
    assert_eq!(
        e,
        [
            "survey, fila 2, columna constraint: expresión inválida: la expresión termina antes de tiempo (posición 11)",
            "survey, fila 3, columna relevant: expresión inválida: referencia mal escrita: use ${nombre} (posición 1)",
            "survey, fila 4, columna calculation: expresión inválida: función desconocida o no soportada: dos() (posición 1)",
            "survey, fila 5, columna relevant: expresión inválida: nombre suelto «edad»: para referirse a una pregunta use ${edad} (posición 1)",
        ]
    );
}

#[test]
fn references_must_name_questions_in_reach() {
    let e = survey_errors(
        &[
            &["type", "name", "label", "relevant"],
            &["begin repeat", "miembros", "Miembros", ""],
            &["integer", "edad", "Edad", ""],
            &["end repeat", "", "", ""],
            &["text", "a", "A", "count(${miembros}[edad > 17]) > 0"],
            &["text", "b", "B", "${no_existe} = 1"],
            &["text", "c", "C", "count(${miembros}[altura > 1]) > 0"],
        ],
        &[],
    );
    // A reference into a repeat from outside is a node-set (allowed); names must exist,
    // bare names of a predicate included.
    assert_eq!(
        e,
        [
            "survey, fila 6, columna relevant: ${no_existe} no es el nombre de ninguna pregunta del formulario",
            "survey, fila 7, columna relevant: ${altura} no es el nombre de ninguna pregunta del formulario",
        ]
    );
}

#[test]
fn unbalanced_groups_and_repeats_are_refused() {
    let unclosed = survey_errors(&[HEADER, &["begin group", "g", "G"], &["text", "a", "A"]], &[]);
    assert_eq!(unclosed, ["survey, fila 2: «begin group» sin cerrar: falta su «end»"]);
    let stray = survey_errors(&[HEADER, &["text", "a", "A"], &["end group", "", ""]], &[]);
    assert_eq!(stray, ["survey, fila 3, columna type: «end group» sin el «begin» que le corresponde"]);
    let crossed = survey_errors(&[HEADER, &["begin repeat", "r", "R"], &["text", "a", "A"], &["end group", "", ""]], &[]);
    assert_eq!(crossed, ["survey, fila 4, columna type: se esperaba «end repeat» para cerrar lo abierto en la fila 2"]);
}

#[test]
fn unknown_and_unsupported_types_are_refused_by_name() {
    let e = survey_errors(
        &[HEADER, &["texto", "a", "A"], &["background-audio", "b", "B"], &["select_one_from_file x.csv", "c", "C"], &["select_one", "d", "D"], &["start-geotrace", "e", "E"]],
        &[],
    );
    assert_eq!(
        e,
        [
            "survey, fila 2, columna type: tipo desconocido «texto»",
            "survey, fila 3, columna type: el tipo «background-audio» no está soportado: la app no graba audio de fondo; use una pregunta audio",
            "survey, fila 4, columna type: falta el archivo adjunto «x.csv»: súbalo junto con el formulario",
            "survey, fila 5, columna type: falta el nombre de la lista de opciones después de «select_one»",
            "survey, fila 6, columna type: el tipo «start-geotrace» no está soportado: la app no sigue la ruta del dispositivo; use una pregunta geotrace",
        ]
    );
}

#[test]
fn wrong_values_in_typed_columns_are_refused() {
    let e = survey_errors(
        &[
            &["type", "name", "label", "required", "parameters", "scoring", "pillar", "weight", "critical"],
            &["text", "a b", "A", "", "", "", "", "", ""],
            &["range", "r", "R", "", "start=1 end=x", "", "", "", ""],
            &["text", "t", "T", "", "", "scale5", "", "", ""],
            &["select_one l", "s", "S", "", "", "", "AG", "muchos", "tal vez"],
            &["select_one l", "u", "U", "", "", "scale5", "", "", ""],
            &["integer", "n", "N", "", "max=3", "", "", "", ""],
        ],
        &[&["list_name", "name", "label"], &["l", "0", "No"], &["l", "1", "Parcial"], &["l", "2", "Sí"]],
    );
    assert_eq!(
        e,
        [
            "survey, fila 2, columna name: nombre inválido «a b»: debe empezar con letra o «_» y tener solo letras, números, «_», «-» o «.»",
            "survey, fila 3, columna parameters: valor «x» inválido: se esperaba un número en start, end o step",
            "survey, fila 4, columna scoring: «scoring» solo aplica a preguntas select_one",
            "survey, fila 5, columna critical: valor «tal vez» inválido: se esperaba yes/no (sí/no)",
            "survey, fila 5, columna weight: valor «muchos» inválido: se esperaba un número",
            "survey, fila 6, columna scoring: la lista «l» no sirve para la calificación scale5: le faltan las opciones 3, 4, 5",
            "survey, fila 7, columna parameters: parámetro «max» desconocido para este tipo",
        ]
    );
}

#[test]
fn calculation_cycles_are_refused() {
    let e = survey_errors(
        &[
            &["type", "name", "label", "calculation"],
            &["calculate", "a", "", "${b} + 1"],
            &["calculate", "b", "", "${c} * 2"],
            &["calculate", "c", "", "${a}"],
            &["calculate", "d", "", "${d}"],
        ],
        &[],
    );
    assert_eq!(
        e,
        [
            "survey, fila 2, columna calculation: los cálculos forman un ciclo: ${a} → ${b} → ${c} → ${a}",
            "survey, fila 5, columna calculation: los cálculos forman un ciclo: ${d} → ${d}",
        ]
    );
}

#[test]
fn features_we_do_not_support_are_refused_where_used() {
    let e = survey_errors(
        &[
            &["type", "name", "label", "media::image", "trigger", "body::accuracyThreshold"],
            &["text", "a", "A", "foto.png", "", ""],
            &["calculate", "b", "", "", "${a}", ""],
            &["geopoint", "c", "C", "", "", "5"],
        ],
        &[],
    );
    assert_eq!(
        e,
        [
            "survey, fila 2, columna media::image: falta el archivo adjunto «foto.png»: súbalo junto con el formulario",
            "survey, fila 3, columna calculation: falta la columna «calculation»",
            "survey, fila 4, columna body::accuracyThreshold: el ajuste «body::accuracyThreshold» no está soportado: atributos XForm directos no soportados",
        ]
    );
    // or_other adds a question: its name must be free.
    let or_other = survey_errors(&[HEADER, &["text", "a_other", "B"], &["select_one l or_other", "a", "A"]], &[&["list_name", "name", "label"], &["l", "x", "X"]]);
    assert_eq!(or_other.len(), 1);
    assert!(or_other[0].contains("a_other"), "{or_other:?}");
    let encrypted = book()
        .sheet("survey", &[HEADER, &["text", "a", "A"]])
        .sheet("settings", &[&["form_id", "version", "public_key"], &["f", "1", "MIIBIjANBg"]]);
    assert_eq!(
        errors(&encrypted.bytes()).to_string(),
        "settings, fila 2, columna public_key: el ajuste «public_key» no está soportado: el cifrado de envíos no está soportado"
    );
}

#[test]
fn every_problem_is_reported_at_once_in_sheet_and_row_order() {
    let e = survey_errors(
        &[HEADER, &["integer", "", "Sin nombre"], &["text", "ok", "Bien"], &["select_one nada", "x", "X"], &["note", "n", ""]],
        &[&["list_name", "name", "label"], &["l", "", "Sin nombre"]],
    );
    assert_eq!(
        e,
        [
            "choices, fila 2, columna name: falta el nombre",
            "survey, fila 2, columna name: falta el nombre",
            "survey, fila 4, columna type: la lista de opciones «nada» no existe en la hoja choices",
            "survey, fila 5, columna label: falta la etiqueta (label)",
        ]
    );
}

/// A household survey as ODK users write it: two languages, groups, a repeat sized by an
/// earlier answer, relevance, constraints, a cascading select and a calculation.
fn odk_household() -> Vec<u8> {
    book()
        .sheet(
            "survey",
            &[
                &["type", "name", "label::English (en)", "label::Español (es)", "hint::Español (es)", "required", "relevant", "constraint", "constraint_message::Español (es)", "calculation", "choice_filter", "appearance", "repeat_count", "default"],
                &["start", "start", "", "", "", "", "", "", "", "", "", "", "", ""],
                &["today", "today", "", "", "", "", "", "", "", "", "", "", "", ""],
                &["begin group", "hogar", "Household", "Hogar", "", "", "", "", "", "", "", "field-list", "", ""],
                &["select_one estado", "estado", "State", "Estado", "", "yes", "", "", "", "", "", "minimal", "", ""],
                &["select_one municipio", "municipio", "Municipality", "Municipio", "", "yes", "", "", "", "", "estado=${estado}", "minimal", "", ""],
                &["geopoint", "ubicacion", "Location", "Ubicación", "Espere a que la precisión sea menor a 10 m", "", "", "", "", "", "", "", "", ""],
                &["integer", "n_miembros", "Household size", "Número de integrantes", "", "yes", "", ". > 0 and . < 30", "Entre 1 y 29", "", "", "", "", "1"],
                &["end group", "", "", "", "", "", "", "", "", "", "", "", "", ""],
                &["begin repeat", "miembro", "Member", "Integrante", "", "", "", "", "", "", "", "", "${n_miembros}", ""],
                &["text", "nombre_m", "First name", "Nombre de pila", "", "yes", "", "regex(., '^[A-Za-zÁÉÍÓÚáéíóúÑñ ]+$')", "Solo letras", "", "", "", "", ""],
                &["date", "nacimiento", "Date of birth", "Fecha de nacimiento", "", "yes", "", ". <= today()", "No puede ser futura", "", "", "", "", ""],
                &["calculate", "edad_m", "", "", "", "", "", "", "", "int((today() - ${nacimiento}) div 365.25)", "", "", "", ""],
                &["select_multiple servicios", "servicios_m", "Services used", "Servicios usados", "", "", "${edad_m} >= 18", "not(selected(., 'ninguno') and count-selected(.) > 1)", "«Ninguno» no se combina", "", "", "", "", ""],
                &["end repeat", "", "", "", "", "", "", "", "", "", "", "", "", ""],
                &["range", "satisfaccion", "Satisfaction", "Satisfacción", "", "yes", "", "", "", "", "", "", "", ""],
                &["acknowledge", "fin_ok", "Done", "Terminé", "", "yes", "", "", "", "", "", "", "", ""],
                &["note", "resumen", "Summary", "Resumen: ${n_miembros} integrantes", "", "", "", "", "", "", "", "", "", ""],
            ],
        )
        .sheet(
            "choices",
            &[
                &["list_name", "name", "label::English (en)", "label::Español (es)", "estado"],
                &["estado", "gto", "Guanajuato", "Guanajuato", ""],
                &["estado", "qro", "Querétaro", "Querétaro", ""],
                &["municipio", "leon", "León", "León", "gto"],
                &["municipio", "celaya", "Celaya", "Celaya", "gto"],
                &["municipio", "qro_c", "Querétaro", "Querétaro", "qro"],
                &["servicios", "salud", "Health", "Salud", ""],
                &["servicios", "agua", "Water", "Agua", ""],
                &["servicios", "ninguno", "None", "Ninguno", ""],
            ],
        )
        .sheet(
            "settings",
            &[&["form_title", "form_id", "version", "default_language", "instance_name"], &["Encuesta de hogares", "hogares", "2024031501", "Español (es)", "concat(${estado}, '-', ${today})"]],
        )
        .bytes()
}

#[test]
fn an_odk_style_household_form_imports_with_its_structure() {
    let imported = import_xlsx(&odk_household()).expect("imports");
    let form = &imported.form;
    assert_eq!((form.id.as_str(), form.version.as_str()), ("hogares", "2024031501"));
    assert_eq!(form.languages, ["English (en)", "Español (es)"]);
    assert_eq!(form.language(), "Español (es)");
    assert!(matches!(&form.items[2], Item::Group(g) if g.name == "hogar" && g.children.len() == 4));
    let Item::Repeat(repeat) = &form.items[3] else { panic!("repeat expected") };
    assert_eq!(repeat.repeat_count.as_ref().map(|e| e.source()), Some("${n_miembros}"));
    let range = form.field("satisfaccion").map(|f| f.kind.clone());
    assert_eq!(range, Some(FieldKind::Range { start: 1.0, end: 10.0, step: 1.0 }));
    assert_eq!(form.field("municipio").and_then(|f| f.label.get("English (en)")), Some("Municipality"));
    // The appearances it uses (field-list, minimal) are applied: no warning.
    assert_eq!(imported.warnings, ["settings, fila 2, columna instance_name: ajuste «instance_name» ignorado".to_string()]);
}

#[test]
fn an_odk_style_household_submission_validates_and_its_errors_are_precise() {
    use shared::answers::Answers;
    use shared::expr::Clock;
    use shared::validate::{ErrorCode, validate};

    let form = import_xlsx(&odk_household()).expect("imports").form;
    let now = chrono::NaiveDate::from_ymd_opt(2025, 1, 10).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("valid");
    let clock = Clock::at(now);
    let member = |name: &str, born: &str, services: &str| {
        let mut m = Answers::default();
        m.set("nombre_m", name).set("nacimiento", born);
        if !services.is_empty() {
            m.set("servicios_m", services);
        }
        m
    };
    let mut a = Answers::default();
    a.set("estado", "gto").set("municipio", "leon").set("n_miembros", "2");
    a.set("satisfaccion", "8").set("fin_ok", "OK").set("ubicacion", "21.12 -101.68 1800 6");
    a.set_repeat("miembro", vec![member("Ana", "1990-05-01", "salud agua"), member("Luis", "2015-02-03", "")]);
    let report = validate(&form, &a, clock, "Español (es)");
    assert!(report.is_valid(), "{:?}", report.errors);

    // A child's services are not relevant: given anyway, they are ignored and listed.
    a.set_repeat("miembro", vec![member("Ana", "1990-05-01", "salud"), member("Luis", "2015-02-03", "agua")]);
    let report = validate(&form, &a, clock, "Español (es)");
    assert!(report.is_valid());
    assert_eq!(report.not_relevant, ["miembro[2]/servicios_m"]);

    // The cascading select refuses a municipality of another state.
    a.set("municipio", "qro_c");
    a.set_repeat("miembro", vec![member("Ana", "1990-05-01", "ninguno salud"), member("L1", "2030-01-01", "")]);
    let report = validate(&form, &a, clock, "Español (es)");
    let got: Vec<(&str, ErrorCode, &str)> = report.errors.iter().map(|e| (e.path.as_str(), e.code, e.message.as_str())).collect();
    assert_eq!(
        got,
        [
            ("municipio", ErrorCode::NotAChoice, "«qro_c» no es una opción válida de esta pregunta"),
            ("miembro[1]/servicios_m", ErrorCode::Constraint, "«Ninguno» no se combina"),
            ("miembro[2]/nombre_m", ErrorCode::Constraint, "Solo letras"),
            ("miembro[2]/nacimiento", ErrorCode::Constraint, "No puede ser futura"),
        ]
    );
}

/// A form as KoboToolbox exports it: `$kuid`/`$autoname` columns, `select_one` with spaces,
/// English-only labels without a language suffix.
#[test]
fn a_kobo_export_imports_ignoring_its_bookkeeping_columns() {
    let bytes = book()
        .sheet(
            "survey",
            &[
                &["type", "name", "label", "required", "relevant", "$kuid", "$autoname"],
                &["select one yes_no", "consent", "Do you agree?", "true", "", "abc12", "consent"],
                &["begin_group", "grp", "Details", "false", "${consent} = 'yes'", "def34", "grp"],
                &["decimal", "income", "Monthly income", "true", "", "ghi56", "income"],
                &["end_group", "", "", "", "", "jkl78", ""],
            ],
        )
        .sheet("choices", &[&["list_name", "name", "label", "$kuid"], &["yes_no", "yes", "Yes", "x1"], &["yes_no", "no", "No", "x2"]])
        .sheet("settings", &[&["form_id", "version"], &["aXbYcZ123", "vHuE5QZ9mWr"]])
        .bytes();
    let imported = import_xlsx(&bytes).expect("imports");
    assert_eq!(imported.form.fields().len(), 2);
    assert_eq!(
        imported.warnings,
        ["survey, fila 1: columna «$kuid» ignorada", "survey, fila 1: columna «$autoname» ignorada"]
    );
}

#[test]
fn defaults_must_be_valid_answers() {
    let e = survey_errors(
        &[&["type", "name", "label", "default"], &["integer", "n", "N", "tres"], &["select_one l", "s", "S", "z"], &["date", "d", "D", "2025-01-31"]],
        &[&["list_name", "name", "label"], &["l", "a", "A"]],
    );
    assert_eq!(
        e,
        [
            "survey, fila 2, columna default: valor por defecto «tres» inválido: se esperaba un número entero",
            "survey, fila 3, columna default: valor «z» inválido: una opción de la lista de la pregunta",
        ]
    );
}

#[test]
fn legacy_spellings_pyxform_reads_keep_their_meaning() {
    let bytes = book()
        .sheet(
            "survey",
            &[
                &["type", "name", "caption::Español (es)", "relevance", "constraint", "constraint message", "bind::jr:requiredMsg", "required"],
                &["add integer prompt", "edad", "Edad", "", ". < 120", "Edad imposible", "Falta la edad", "yes"],
                &["select all that apply Servicios", "servicios", "Servicios", "${edad} >= 18", "", "", "", ""],
                &["get start time", "inicio", "", "", "", "", "", ""],
            ],
        )
        .sheet("choices", &[&["list name", "name", "label"], &["Servicios", "agua", "Agua"], &["Servicios", "luz", "Luz"]])
        .settings("legado", "1")
        .bytes();
    let imported = import_xlsx(&bytes).expect("pyxform reads it");
    let form = &imported.form;
    // The skip logic under «relevance» is kept, not dropped.
    let servicios = form.field("servicios").expect("field");
    assert_eq!(servicios.relevant.as_ref().map(|e| e.source()), Some("${edad} >= 18"));
    assert_eq!(servicios.kind, FieldKind::SelectMultiple { list: "Servicios".into() });
    let edad = form.field("edad").expect("field");
    assert_eq!(edad.kind, FieldKind::Integer);
    assert_eq!(edad.constraint_message.get("Español (es)").or_else(|| edad.constraint_message.get("")), Some("Edad imposible"));
    assert_eq!(edad.label.get("Español (es)"), Some("Edad"));
    assert!(imported.warnings.iter().any(|w| w.contains("«relevance» leída como «relevant»")), "{:?}", imported.warnings);
    assert!(imported.warnings.iter().any(|w| w.contains("«bind::jr:requiredMsg» leída como «required_message»")), "{:?}", imported.warnings);
}

#[test]
fn a_form_without_settings_is_named_after_its_file_and_versioned_by_its_content() {
    use shared::form::import_xlsx_named;
    let bare = book().sheet("survey", &[HEADER, &["text", "a", "A"]]).bytes();
    assert!(import_xlsx(&bare).is_err(), "no name at all");
    let first = import_xlsx_named(&bare, Some("uploads/Encuesta de salida 2025.xlsx")).expect("named after the file");
    assert_eq!(first.form.id, "Encuesta_de_salida_2025");
    assert!(first.form.version.starts_with('h') && first.form.version.len() == 13, "{}", first.form.version);
    assert!(first.warnings.iter().any(|w| w.contains("como el archivo")), "{:?}", first.warnings);
    assert!(first.warnings.iter().any(|w| w.contains("la huella del contenido")), "{:?}", first.warnings);
    // The same workbook gives the same version; other content another one.
    let again = import_xlsx_named(&bare, Some("Encuesta_de_salida_2025")).expect("again");
    assert_eq!((again.form.id, again.form.version.clone()), (first.form.id.clone(), first.form.version.clone()));
    let other = book().sheet("survey", &[HEADER, &["text", "b", "B"]]).bytes();
    assert_ne!(import_xlsx_named(&other, Some("x.xlsx")).expect("other").form.version, first.form.version);
    // A settings sheet without form_id or version: the same rules.
    let partial = book().sheet("survey", &[HEADER, &["text", "a", "A"]]).sheet("settings", &[&["form_title"], &["Salida"]]).bytes();
    let named = import_xlsx_named(&partial, Some("salida.xlsx")).expect("named");
    assert_eq!(named.form.id, "salida");
    // The settings' own id wins over the file name.
    let own = book().sheet("survey", &[HEADER, &["text", "a", "A"]]).settings("propio", "7").bytes();
    let kept = import_xlsx_named(&own, Some("otro.xlsx")).expect("own id");
    assert_eq!((kept.form.id.as_str(), kept.form.version.as_str()), ("propio", "7"));
    assert!(import_xlsx_named(&bare, Some("   .xlsx")).is_err(), "an unusable file name is no name");
}

#[test]
fn a_choice_label_is_read_in_the_language_asked() {
    use shared::answers::Answers;
    use shared::expr::{Clock, Context, Expression};
    let bytes = book()
        .sheet("survey", &[&["type", "name", "label::es", "label::en"], &["select_one t", "tramite", "Trámite", "Procedure"]])
        .sheet("choices", &[&["list_name", "name", "label::es", "label::en"], &["t", "placas", "Placas", "Plates"]])
        .sheet("settings", &[&["form_id", "version", "default_language"], &["etiquetas", "1", "es"]])
        .bytes();
    let form = import_xlsx(&bytes).expect("imports").form;
    let mut a = Answers::default();
    a.set("tramite", "placas");
    let clock = Clock::at(chrono::NaiveDate::from_ymd_opt(2025, 1, 1).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("date"));
    let e = Expression::parse("jr:choice-name(${tramite}, '${tramite}')", Context::Question).expect("parses");
    assert_eq!(shared::validate::evaluate_in(&form, &a, clock, &e).to_text(), "Placas");
    let unknown = Expression::parse("jr:choice-name('otra', '${tramite}')", Context::Question).expect("parses");
    assert_eq!(shared::validate::evaluate_in(&form, &a, clock, &unknown).to_text(), "");
}

#[test]
fn a_file_that_is_not_a_workbook_is_refused_in_spanish_without_the_librarys_words() {
    for bytes in [&b"PK\x03\x04nada de zip"[..], b"PK garbage that is no zip at all", b"%PDF-1.4 no es excel"] {
        let message = errors(bytes).to_string();
        for english in ["Zip", "archive", "EOCD", "invalid", "Could not"] {
            assert!(!message.contains(english), "{message}");
        }
        assert!(!message.is_empty());
    }
}

#[test]
fn every_problem_of_a_form_is_reported_at_once() {
    // Broken settings, no choices sheet, a reference to nothing, a bad type and a bad
    // expression: each is named, none hides another.
    let bytes = book()
        .sheet(
            "survey",
            &[
                &["type", "name", "label", "relevant", "constraint"],
                &["select_one sexo", "sexo", "Sexo", "", ""],
                &["integer", "edad", "Edad", "${nadie} = 1", ""],
                &["texto", "nombre", "Nombre", "", ""],
                &["decimal", "peso", "Peso", "", ". >"],
            ],
        )
        .sheet("settings", &[&["form_title", "version"], &["Sin id", "1"]])
        .bytes();
    let errors = import_xlsx(&bytes).expect_err("broken").to_string();
    for expected in [
        "falta la hoja «choices»",
        "survey, fila 2, columna type: la lista de opciones «sexo» no existe",
        "survey, fila 3, columna relevant:",
        "survey, fila 4, columna type: tipo desconocido «texto»",
        "survey, fila 5, columna constraint:",
        "form_id",
    ] {
        assert!(errors.contains(expected), "«{expected}» missing from:\n{errors}");
    }
}
