//! Exports as files: the score table as CSV (UTF-8 with BOM, so Excel reads the accents)
//! and XLSX.

use shared::protocol::{CentroScoreDto, CollectionMode, ScoreTableDto};

use crate::error::AppError;

const HEADER: [&str; 32] = [
    "centro_id", "ambito", "tipo", "n", "n_isc", "dias_muestreo", "n_eff", "deff", "isc", "isc_ee", "isc_li", "isc_ls",
    "csat", "csat_li", "csat_ls", "insatisfechos", "soborno", "soborno_li", "visitas", "icv", "icv_ee", "iacm", "igq",
    "igc", "igc_ee", "igc_ajustado", "lugar", "empate_con_siguiente", "nivel", "razones", "metodo", "marca_datos",
];

/// The figures of each collection mode outside the index, per mode (SCORING.md §2).
const MODE_FIGURES: [&str; 5] = ["n", "isc", "isc_ee", "isc_li", "isc_ls"];

/// Every column: [`HEADER`], the index's modes, then each mode's own figures (`n_kiosko`,
/// `isc_kiosko`, …), filled for the modes outside the index and empty for those in it.
fn header() -> Vec<String> {
    let mut out: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    out.push("modos_indice".into());
    for mode in CollectionMode::ALL {
        out.extend(MODE_FIGURES.iter().map(|f| format!("{f}_{}", mode.code())));
    }
    out
}

/// The cells of [`header`]'s mode columns for one centro.
fn mode_cells(t: &ScoreTableDto, c: &CentroScoreDto) -> Vec<String> {
    let mut out = vec![t.index_modes.iter().map(|m| m.code()).collect::<Vec<_>>().join(";")];
    for mode in CollectionMode::ALL {
        if t.index_modes.contains(&mode) {
            out.extend(MODE_FIGURES.iter().map(|_| String::new()));
            continue;
        }
        match c.other_modes.iter().find(|m| m.mode == mode) {
            Some(m) => out.extend([m.n.to_string(), num(m.isc), num(m.isc_se), num(m.isc_ci.map(|ci| ci[0])), num(m.isc_ci.map(|ci| ci[1]))]),
            // A mode outside the index with no surveys (the table lists only those with some).
            None => out.extend(["0".to_string(), String::new(), String::new(), String::new(), String::new()]),
        }
    }
    out
}

/// A cell that is plainly a number (written back exactly as it came: `007` or `1e3` stay text).
pub(crate) fn as_number(cell: &str) -> Option<f64> {
    cell.parse::<f64>().ok().filter(|n| n.is_finite() && n.to_string() == cell)
}

fn num(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The table as an XLSX workbook (figures as numbers), with the same columns as the CSV.
pub fn scores_xlsx(t: &ScoreTableDto) -> Result<Vec<u8>, AppError> {
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("resultados").map_err(err)?;
    for (c, h) in header().iter().enumerate() {
        sheet.write_string(0, c as u16, h).map_err(err)?;
    }
    for (r, row) in rows(t).iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match as_number(cell) {
                Some(n) => sheet.write_number(r, c, n).map(|_| ()),
                None => sheet.write_string(r, c, cell).map(|_| ()),
            }
            .map_err(err)?;
        }
    }
    wb.save_to_buffer().map_err(err)
}

/// The table as CSV: one row per centro, every figure unrounded, with the method version and
/// the data watermark on every row.
pub fn scores_csv(t: &ScoreTableDto) -> Result<Vec<u8>, AppError> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let err = |e: csv::Error| AppError::Internal(e.into());
    w.write_record(header()).map_err(err)?;
    for row in rows(t) {
        w.write_record(&row).map_err(err)?;
    }
    w.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("csv: {e}")))
}

/// One row of text per centro, in the order of [`header`].
fn rows(t: &ScoreTableDto) -> Vec<Vec<String>> {
    t.centros
        .iter()
        .map(|c| {
            let reasons: Vec<&str> = c.reasons.iter().map(|r| r.message.as_str()).collect();
            let mut row = vec![
                c.centro_id.clone(),
                c.ambito.clone(),
                c.tipo.clone(),
                c.n.to_string(),
                c.n_isc.to_string(),
                c.sampling_days.to_string(),
                num(c.n_eff),
                num(c.deff),
                num(c.isc),
                num(c.isc_se),
                num(c.isc_ci.map(|ci| ci[0])),
                num(c.isc_ci.map(|ci| ci[1])),
                num(c.csat.as_ref().map(|p| p.p)),
                num(c.csat.as_ref().map(|p| p.lower)),
                num(c.csat.as_ref().map(|p| p.upper)),
                num(c.dissatisfied.as_ref().map(|p| p.p)),
                num(c.bribe.as_ref().map(|p| p.p)),
                num(c.bribe.as_ref().map(|p| p.lower)),
                c.visits.to_string(),
                num(c.icv),
                num(c.icv_se),
                c.iacm.to_string(),
                num(c.igq),
                num(c.igc),
                num(c.igc_se),
                num(c.igc_star),
                c.rank.map(|r| r.to_string()).unwrap_or_default(),
                if c.tied_with_next { "sí".into() } else { "no".into() },
                c.tier.clone(),
                reasons.join("; "),
                t.method.clone(),
                t.watermark.to_string(),
            ];
            row.extend(mode_cells(t, c));
            row
        })
        .collect()
}
