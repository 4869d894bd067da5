//! The incorporation workbooks: the Cédula de Incorporación and the Plantilla de Personal
//! as XLSX templates made by the server for one institution (Spanish headers, drop-down
//! lists, an instructions sheet), and reading them back filled, every problem by row.

use std::collections::BTreeMap;

use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook, Worksheet, XlsxError};
use shared::protocol::{CentroDefinition, ErrorDetail, MAX_CENTROS_PER_FILING, MAX_PERSON_TEXT_CHARS, MAX_STAFF_PER_CENTRO, PlantillaPerson};

use crate::centros_import::{Refused, parse_rows, rows};
use crate::db::CentroRow;

/// The data sheet of the cédula.
pub const CEDULA_SHEET: &str = "Cédula";
/// The data sheet of the plantilla.
pub const PLANTILLA_SHEET: &str = "Plantilla";
/// Rows of a template that carry drop-down lists.
const LIST_ROWS: u32 = 1_000;

const CEDULA_HEADERS: [(&str, f64); 9] = [
    ("Clave", 16.0),
    ("Nombre", 40.0),
    ("Dependencia", 34.0),
    ("Ámbito", 12.0),
    ("Tipo", 12.0),
    ("Municipio", 20.0),
    ("Latitud", 12.0),
    ("Longitud", 12.0),
    ("Trámites", 50.0),
];
const PLANTILLA_HEADERS: [(&str, f64); 4] = [("Clave del centro", 18.0), ("Nombre", 36.0), ("Puesto", 30.0), ("Atención directa", 18.0)];

fn header_row(sheet: &mut Worksheet, headers: &[(&str, f64)]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_background_color("#DDE7F0");
    for (col, (title, width)) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn list(sheet: &mut Worksheet, col: u16, values: &[&str], title: &str, message: &str) -> Result<(), XlsxError> {
    let v = DataValidation::new()
        .allow_list_strings(values)?
        .set_input_title(title)?
        .set_input_message(message)?
        .set_error_title("Valor no válido")?
        .set_error_message(format!("Elija uno de: {}.", values.join(", ")))?;
    sheet.add_data_validation(1, col, LIST_ROWS, col, &v)?;
    Ok(())
}

fn instructions(book: &mut Workbook, title: &str, lines: &[&str]) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name("Instrucciones")?;
    sheet.set_column_width(0, 110.0)?;
    sheet.write_string_with_format(0, 0, title, &Format::new().set_bold())?;
    for (i, line) in lines.iter().enumerate() {
        sheet.write_string(i as u32 + 2, 0, *line)?;
    }
    Ok(())
}

/// The Cédula de Incorporación of `institution`, listing its centros already on record
/// (to confirm or update) with room for new ones.
pub fn cedula_template(institution: &str, centros: &[CentroRow]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(CEDULA_SHEET)?;
    header_row(sheet, &CEDULA_HEADERS)?;
    for (i, c) in centros.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &c.id)?;
        sheet.write_string(row, 1, &c.name)?;
        sheet.write_string(row, 2, &c.dependencia)?;
        sheet.write_string(row, 3, c.ambito.code())?;
        sheet.write_string(row, 4, c.tipo.code())?;
        sheet.write_string(row, 5, &c.municipio)?;
        if let (Some(lat), Some(lon)) = (c.lat, c.lon) {
            sheet.write_number(row, 6, lat)?;
            sheet.write_number(row, 7, lon)?;
        }
        sheet.write_string(row, 8, c.tramites.join("; "))?;
    }
    list(sheet, 2, &[institution], "Dependencia", "Su institución, tal como la registra el programa.")?;
    list(sheet, 3, &["estatal", "municipal"], "Ámbito", "estatal o municipal")?;
    list(sheet, 4, &["tramites", "servicios"], "Tipo", "tramites o servicios")?;
    instructions(
        &mut book,
        &format!("Cédula de Incorporación al Programa MAS — {institution}"),
        &[
            "Una fila por cada centro de atención que solicita su incorporación (o renovación) en el periodo.",
            "Clave: la clave del programa (p. ej. GTO-E-S-04); letras, números, guiones y puntos. Las filas ya escritas son sus centros registrados: confírmelos o corrija sus datos.",
            "Dependencia: su institución (lista). Ámbito: estatal o municipal (lista). Tipo: tramites o servicios (lista).",
            "Latitud y longitud: en grados decimales (p. ej. 21.1221 y -101.6841), ambas o ninguna.",
            "Trámites: los trámites o servicios que ofrece el centro, separados por punto y coma.",
            "Suba el archivo en la consola (Mi institución → Incorporación). Si una fila tiene un error, nada se registra y se indica la fila y la columna.",
        ],
    )?;
    book.save_to_buffer()
}

/// The Plantilla de Personal of `institution`: one row per person; the centro's clave from
/// a list of `centros` (id, name), shown on a sheet of their own.
pub fn plantilla_template(institution: &str, centros: &[(String, String)]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(PLANTILLA_SHEET)?;
    header_row(sheet, &PLANTILLA_HEADERS)?;
    list(sheet, 3, &["Sí", "No"], "Atención directa", "Sí si atiende a la ciudadanía en ventanilla o módulo.")?;
    if !centros.is_empty() {
        let v = DataValidation::new()
            .allow_list_formula(Formula::new(format!("=Centros!$A$2:$A${}", centros.len() + 1)))
            .set_input_title("Clave del centro")?
            .set_input_message("Elija la clave en la lista (hoja Centros).")?
            .set_error_title("Centro no válido")?
            .set_error_message("La clave debe ser de un centro de su institución (hoja Centros).")?;
        sheet.add_data_validation(1, 0, LIST_ROWS, 0, &v)?;
    }
    let list_sheet = book.add_worksheet();
    list_sheet.set_name("Centros")?;
    header_row(list_sheet, &[("Clave", 18.0), ("Centro", 50.0)])?;
    for (i, (id, name)) in centros.iter().enumerate() {
        list_sheet.write_string(i as u32 + 1, 0, id)?;
        list_sheet.write_string(i as u32 + 1, 1, name)?;
    }
    instructions(
        &mut book,
        &format!("Plantilla de Personal — {institution}"),
        &[
            "Una fila por cada persona servidora pública adscrita al centro; solo los datos necesarios: nombre, puesto y si atiende directamente a la ciudadanía.",
            "Clave del centro: de la lista (hoja Centros). Cada centro debe tener su Cédula de Incorporación pendiente en el periodo.",
            "Atención directa: Sí o No (lista). Con estas personas se calcula el porcentaje de personal capacitado (criterio TC-V7).",
            "Una plantilla nueva reemplaza la anterior del centro al ser aceptada; las capacitaciones de quien sigue en ella se conservan.",
        ],
    )?;
    book.save_to_buffer()
}

fn problem(sheet: &str, row: Option<u32>, column: Option<&str>, message: String) -> ErrorDetail {
    ErrorDetail { sheet: sheet.to_string(), row, column: column.map(String::from), message }
}

/// Reads a filled cédula of `institution`: each row a centro, its dependencia the
/// institution's (an empty one is taken as it). `other_owner` tells whether a clave
/// belongs to another institution's centro.
pub fn parse_cedula(bytes: &[u8], institution: &str, other_owner: impl Fn(&str) -> bool) -> Result<Vec<(String, CentroDefinition)>, Refused> {
    let (sheet, numbered, mut errors) = parse_rows(bytes, Some(CEDULA_SHEET))?;
    if numbered.len() > MAX_CENTROS_PER_FILING {
        errors.push(problem(&sheet, None, None, format!("el archivo tiene {} centros; el máximo por envío es {MAX_CENTROS_PER_FILING}", numbered.len())));
    }
    let mut out = Vec::new();
    for (row, mut c) in numbered {
        if c.dependencia.is_empty() {
            c.dependencia = institution.to_string();
        }
        if c.dependencia != institution {
            errors.push(problem(&sheet, Some(row), Some("dependencia"), format!("«{}» no es su institución («{institution}»)", c.dependencia)));
        } else if other_owner(&c.id) {
            errors.push(problem(&sheet, Some(row), Some("clave"), format!("la clave «{}» es de un centro de otra institución", c.id)));
        } else {
            out.push((c.id.clone(), c.definition()));
        }
    }
    errors.sort_by_key(|e| e.row);
    if errors.is_empty() { Ok(out) } else { Err(Refused::Rows(errors)) }
}

/// Reads a filled plantilla: people by centro, each centro one of `allowed`.
pub fn parse_plantilla(bytes: &[u8], allowed: &[String]) -> Result<BTreeMap<String, Vec<PlantillaPerson>>, Refused> {
    let (sheet, rows) = rows(bytes, Some(PLANTILLA_SHEET))?;
    let mut staff: BTreeMap<String, Vec<PlantillaPerson>> = BTreeMap::new();
    let mut errors = Vec::new();
    for (number, cells) in rows {
        let get = |names: &[&str]| cells.iter().find(|(k, _)| names.contains(&k.as_str())).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
        let at = |column: &str, message: String| problem(&sheet, Some(number), Some(column), message);
        let centro = get(&["clave_del_centro", "clave del centro", "clave", "centro"]);
        let name = get(&["nombre"]).split_whitespace().collect::<Vec<_>>().join(" ");
        let puesto = get(&["puesto"]);
        let direct = get(&["atención_directa", "atencion_directa", "atención directa", "atencion directa"]);
        if centro.is_empty() && name.is_empty() && puesto.is_empty() && direct.is_empty() {
            continue;
        }
        let front_line = match direct.to_lowercase().as_str() {
            "sí" | "si" | "s" => Some(true),
            "no" | "n" => Some(false),
            _ => None,
        };
        let problems = [
            (centro.is_empty(), "clave del centro", "falta la clave del centro".to_string()),
            (!centro.is_empty() && !allowed.contains(&centro), "clave del centro", format!("«{centro}» no es un centro de su institución con cédula pendiente en el periodo")),
            (name.is_empty(), "nombre", "falta el nombre".to_string()),
            (name.chars().count() > MAX_PERSON_TEXT_CHARS, "nombre", format!("el nombre pasa de {MAX_PERSON_TEXT_CHARS} caracteres")),
            (puesto.is_empty(), "puesto", "falta el puesto".to_string()),
            (puesto.chars().count() > MAX_PERSON_TEXT_CHARS, "puesto", format!("el puesto pasa de {MAX_PERSON_TEXT_CHARS} caracteres")),
            (front_line.is_none(), "atención directa", format!("«{direct}»: use Sí o No")),
        ];
        match problems.into_iter().find(|(bad, _, _)| *bad) {
            Some((_, column, message)) => errors.push(at(column, message)),
            None => {
                let people = staff.entry(centro.clone()).or_default();
                let key = name.to_lowercase();
                if people.iter().any(|p| p.name.to_lowercase() == key) {
                    errors.push(at("nombre", format!("«{name}» ya está en la plantilla de «{centro}»")));
                } else {
                    people.push(PlantillaPerson { name, puesto, front_line: front_line.unwrap_or(false) });
                }
            }
        }
    }
    for (centro, people) in &staff {
        if people.len() > MAX_STAFF_PER_CENTRO {
            errors.push(problem(&sheet, None, None, format!("«{centro}» tiene {} personas; el máximo es {MAX_STAFF_PER_CENTRO}", people.len())));
        }
    }
    if staff.is_empty() && errors.is_empty() {
        errors.push(problem(&sheet, None, None, "la plantilla no tiene personas".into()));
    }
    if errors.is_empty() { Ok(staff) } else { Err(Refused::Rows(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::scoring::{Ambito, Tipo};

    fn centro(id: &str) -> CentroRow {
        CentroRow {
            id: id.into(),
            name: format!("Centro {id}"),
            dependencia: "Secretaría de Salud".into(),
            ambito: Ambito::Estatal,
            tipo: Tipo::Servicios,
            municipio: "León".into(),
            lat: Some(21.1),
            lon: Some(-101.6),
            sampling_interval: 5,
            tramites: vec!["Consulta".into(), "Vacunas".into()],
        }
    }

    #[test]
    fn the_cedula_template_reads_back_as_filed() {
        let bytes = cedula_template("Secretaría de Salud", &[centro("S-01"), centro("S-02")]).expect("template");
        let rows = parse_cedula(&bytes, "Secretaría de Salud", |_| false).expect("reads back");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, "S-01");
        assert_eq!(rows[0].1.tramites, ["Consulta", "Vacunas"]);
        // Another institution's file, and a clave that is someone else's, are named by row.
        let Err(Refused::Rows(e)) = parse_cedula(&bytes, "Municipio de León", |_| false) else { panic!("not its institution") };
        assert_eq!((e[0].row, e[0].column.as_deref()), (Some(2), Some("dependencia")));
        let Err(Refused::Rows(e)) = parse_cedula(&bytes, "Secretaría de Salud", |id| id == "S-02") else { panic!("other owner") };
        assert_eq!((e.len(), e[0].row), (1, Some(3)));
    }

    fn plantilla(rows: &[[&str; 4]]) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(PLANTILLA_SHEET).expect("name");
        for (c, (h, _)) in PLANTILLA_HEADERS.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).expect("header");
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, *v).expect("cell");
            }
        }
        book.save_to_buffer().expect("book")
    }

    #[test]
    fn the_plantilla_template_has_its_lists_and_rows_are_checked_one_by_one() {
        let template = plantilla_template("Secretaría de Salud", &[("S-01".into(), "Centro S-01".into())]).expect("template");
        assert!(matches!(parse_plantilla(&template, &["S-01".into()]), Err(Refused::Rows(_))), "an empty plantilla is refused");
        let allowed = vec!["S-01".to_string()];
        let good = plantilla(&[["S-01", "Ana  López", "Ventanilla", "Sí"], ["S-01", "Luis Pérez", "Jefe", "No"]]);
        let staff = parse_plantilla(&good, &allowed).expect("valid");
        assert_eq!(staff["S-01"][0], PlantillaPerson { name: "Ana López".into(), puesto: "Ventanilla".into(), front_line: true });
        let bad = plantilla(&[["S-01", "Ana", "Ventanilla", "tal vez"], ["S-09", "Eva", "Caja", "Sí"], ["S-01", "", "Caja", "No"], ["S-01", "ana", "Caja", "No"]]);
        let Err(Refused::Rows(e)) = parse_plantilla(&bad, &allowed) else { panic!("bad rows") };
        let at: Vec<(Option<u32>, Option<&str>)> = e.iter().map(|d| (d.row, d.column.as_deref())).collect();
        assert_eq!(at, [(Some(2), Some("atención directa")), (Some(3), Some("clave del centro")), (Some(4), Some("nombre"))]);
    }
}
