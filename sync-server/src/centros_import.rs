//! Centros from a spreadsheet (CSV or XLSX): every row checked, every problem reported by
//! row and column, nothing stored unless all rows are valid.

use shared::form::read_workbook;
use shared::protocol::{CentroDefinition, ErrorDetail};
use shared::scoring::{Ambito, Tipo};

use crate::db::CentroRow;

/// Checks a definition and turns it into a stored row; the error is in Spanish.
pub fn centro_row(id: &str, d: CentroDefinition) -> Result<CentroRow, (&'static str, String)> {
    let id = id.trim();
    if let Err(e) = shared::protocol::Key::parse(id) {
        return Err(("id", format!("clave de centro inválida: {e}")));
    }
    if d.name.trim().is_empty() {
        return Err(("nombre", "falta el nombre del centro".into()));
    }
    let ambito = Ambito::parse(&d.ambito).ok_or_else(|| ("ambito", format!("«{}»: use estatal o municipal", d.ambito.trim())))?;
    let tipo = Tipo::parse(&d.tipo).ok_or_else(|| ("tipo", format!("«{}»: use tramites o servicios", d.tipo.trim())))?;
    if d.sampling_interval == 0 || d.sampling_interval > 100 {
        return Err(("k", "el intervalo de muestreo debe estar entre 1 y 100".into()));
    }
    match (d.lat, d.lon) {
        (Some(lat), Some(lon)) if lat.abs() > 90.0 || lon.abs() > 180.0 => return Err(("lat", "coordenadas fuera de rango".into())),
        (Some(_), None) | (None, Some(_)) => return Err(("lat", "indique latitud y longitud, o ninguna".into())),
        _ => {}
    }
    let tramites = shared::form::centro_lists::tramites_of(d.tramites.iter().map(String::as_str)).map_err(|m| ("tramites", m))?;
    Ok(CentroRow {
        id: id.to_string(),
        name: d.name.trim().to_string(),
        dependencia: d.dependencia.trim().to_string(),
        ambito,
        tipo,
        municipio: d.municipio.trim().to_string(),
        lat: d.lat,
        lon: d.lon,
        sampling_interval: d.sampling_interval,
        tramites,
    })
}

/// One row: its spreadsheet number and its (header, text) cells.
type TextRow = (u32, Vec<(String, String)>);

/// Why a file of centros was not imported.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// The workbook crossed a size limit: nothing of it was read.
    TooBig(shared::form::XlsxLimit),
    /// Every problem, by row and column.
    Rows(Vec<ErrorDetail>),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::TooBig(limit) => f.write_str(&crate::error::too_big_message(limit)),
            Refused::Rows(details) => {
                for d in details {
                    let row = d.row.map(|r| format!(", fila {r}")).unwrap_or_default();
                    let col = d.column.as_ref().map(|c| format!(", columna {c}")).unwrap_or_default();
                    writeln!(f, "{}{row}{col}: {}", d.sheet, d.message)?;
                }
                Ok(())
            }
        }
    }
}

impl From<Vec<ErrorDetail>> for Refused {
    fn from(details: Vec<ErrorDetail>) -> Self {
        Refused::Rows(details)
    }
}

/// Rows of text by header, with their spreadsheet row numbers, and the sheet's name: of
/// the sheet called `sheet` when the workbook has one, else of its first sheet with rows.
pub(crate) fn rows(bytes: &[u8], sheet: Option<&str>) -> Result<(String, Vec<TextRow>), Refused> {
    let detail = |message: String| Refused::Rows(vec![ErrorDetail { sheet: String::new(), row: None, column: None, message }]);
    if bytes.starts_with(b"PK") {
        let (tables, _) = read_workbook(bytes).map_err(|e| match e.too_big() {
            Some(limit) => Refused::TooBig(limit.clone()),
            None => detail(e.to_string()),
        })?;
        let named = tables.iter().position(|t| sheet.is_some_and(|s| t.name.trim().eq_ignore_ascii_case(s)));
        let table = match named {
            Some(i) => tables.into_iter().nth(i),
            None => tables.into_iter().find(|t| !t.rows.is_empty()),
        }
        .ok_or_else(|| detail("el libro no tiene filas".into()))?;
        let rows = table.rows.iter().map(|r| (r.number, r.cells.iter().map(|(k, v)| (k.clone(), v.clone())).collect())).collect();
        return Ok((table.name, rows));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| detail("el archivo no es CSV en UTF-8 ni un libro .xlsx".into()))?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| detail(format!("encabezados ilegibles: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| detail(format!("fila {}: {e}", i + 2)))?;
        let cells = headers.iter().cloned().zip(record.iter().map(|c| c.trim().to_string())).filter(|(_, v)| !v.is_empty()).collect();
        out.push(((i + 2) as u32, cells));
    }
    Ok(("csv".into(), out))
}

/// Parses every centro of the file, or every problem found.
pub fn parse(bytes: &[u8]) -> Result<Vec<CentroRow>, Refused> {
    Ok(parse_numbered(bytes, None)?.1.into_iter().map(|(_, c)| c).collect())
}

/// Parses every centro of the file (of the sheet `sheet` if it has one) with its row
/// number, or every problem found; also the sheet's name.
pub fn parse_numbered(bytes: &[u8], sheet: Option<&str>) -> Result<(String, Vec<(u32, CentroRow)>), Refused> {
    let (sheet, centros, errors) = parse_rows(bytes, sheet)?;
    if errors.is_empty() { Ok((sheet, centros)) } else { Err(Refused::Rows(errors)) }
}

/// A file's centros read leniently: the sheet's name, the valid centros with their row
/// numbers, and the problems of the other rows.
pub type ParsedRows = (String, Vec<(u32, CentroRow)>, Vec<ErrorDetail>);

/// The valid centros of the file with their row numbers, and the problems of the others
/// (for callers that add checks of their own); refused only when the file is unreadable.
pub fn parse_rows(bytes: &[u8], sheet: Option<&str>) -> Result<ParsedRows, Refused> {
    let (sheet, rows) = rows(bytes, sheet)?;
    let mut centros = Vec::new();
    let mut errors = Vec::new();
    for (number, cells) in rows {
        let get = |names: &[&str]| cells.iter().find(|(k, _)| names.contains(&k.as_str())).map(|(_, v)| v.clone()).unwrap_or_default();
        let problem = |column: &str, message: String| ErrorDetail { sheet: sheet.clone(), row: Some(number), column: Some(column.into()), message };
        let number_of = |names: &[&str]| -> Result<Option<f64>, ErrorDetail> {
            let raw = get(names);
            if raw.is_empty() {
                return Ok(None);
            }
            raw.parse::<f64>().map(Some).map_err(|_| problem(names[0], format!("«{raw}» no es un número")))
        };
        let parsed = (|| -> Result<CentroRow, ErrorDetail> {
            let lat = number_of(&["lat", "latitud"])?;
            let lon = number_of(&["lon", "longitud"])?;
            let k = number_of(&["k", "intervalo", "sampling_interval"])?.unwrap_or(5.0);
            if k.fract() != 0.0 || k < 0.0 {
                return Err(problem("k", format!("«{k}» no es un entero")));
            }
            let definition = CentroDefinition {
                name: get(&["nombre", "name"]),
                dependencia: get(&["dependencia"]),
                ambito: get(&["ambito", "ámbito"]),
                tipo: get(&["tipo"]),
                municipio: get(&["municipio"]),
                lat,
                lon,
                sampling_interval: k as u32,
                tramites: get(&["tramites", "trámites"]).split(';').map(String::from).collect(),
            };
            centro_row(&get(&["id", "clave"]), definition).map_err(|(column, message)| problem(column, message))
        })();
        match parsed {
            Ok(c) if centros.iter().any(|(_, x): &(u32, CentroRow)| x.id == c.id) => errors.push(problem("id", format!("la clave «{}» está repetida", c.id))),
            Ok(c) => centros.push((number, c)),
            Err(e) => errors.push(e),
        }
    }
    if centros.is_empty() && errors.is_empty() {
        errors.push(ErrorDetail { sheet: sheet.clone(), row: None, column: None, message: "el archivo no tiene centros".into() });
    }
    Ok((sheet, centros, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_imports_and_each_bad_row_is_named() {
        let good = "id,nombre,dependencia,ambito,tipo,municipio,lat,lon,k,tramites\n\
                    C1,Oficina Uno,Finanzas,estatal,tramites,León,21.1,-101.6,4,Placas;Licencias\n";
        let centros = parse(good.as_bytes()).expect("valid");
        assert_eq!((centros[0].id.as_str(), centros[0].sampling_interval, centros[0].tramites.len()), ("C1", 4, 2));
        let bad = "id,nombre,ambito,tipo,municipio,lat,lon,k\n\
                   C1,Uno,estatal,tramites,León,21.1,,3\n\
                   C2,Dos,federal,tramites,León,,,3\n\
                   C3,Tres,municipal,servicios,León,,,x\n\
                   C1,Otra,estatal,tramites,León,,,3\n";
        let Err(Refused::Rows(errors)) = parse(bad.as_bytes()) else { panic!("invalid rows") };
        let at: Vec<(Option<u32>, Option<String>)> = errors.iter().map(|e| (e.row, e.column.clone())).collect();
        assert_eq!(
            at,
            [(Some(2), Some("lat".into())), (Some(3), Some("ambito".into())), (Some(4), Some("k".into()))]
        );
        assert!(parse(b"\xff\xfe garbage").is_err());
        assert!(parse(b"id,nombre\n").is_err());
    }
}
