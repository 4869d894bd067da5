//! `/resultados/{periodo}/datos/{archivo}`: the open data of a period's published results.
//! `tabla.json` is the table's canonical JSON, byte for byte what its digest covers, and
//! `insumos.json` the anonymised inputs, byte for byte what theirs covers.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{LICENCE, cached, error, key};
use crate::error::AppError;
use crate::service::publication;
use crate::state::AppState;

/// `GET /resultados/{periodo}/datos/{archivo}`.
pub async fn file(State(state): State<AppState>, headers: HeaderMap, Path((period, file)): Path<(String, String)>) -> Response {
    let result = async {
        let period = key(&period)?;
        let p = period.as_str();
        let r = publication::results(&state, p).await?;
        let v = &r.published.version;
        Ok::<_, AppError>(match file.as_str() {
            "tabla.json" => (v.table_sha256.clone(), "application/json", r.published.table_json.into_bytes()),
            "tabla.csv" => (format!("{}.csv", &v.table_sha256[..32.min(v.table_sha256.len())]), "text/csv; charset=utf-8", crate::export::scores_csv(&r.table)?),
            "insumos.json" => {
                let (bytes, digest) = crate::service::cycle::frozen_inputs(&state, p, v.version).await?;
                (digest, "application/json", bytes)
            }
            "metodo.json" => {
                let bytes = serde_json::to_vec_pretty(&r.settings).map_err(anyhow::Error::from)?;
                (shared::digest::sha256_hex(&bytes), "application/json", bytes)
            }
            "huellas.txt" => {
                let text = format!(
                    "Resultados oficiales {p}, versión {}\nLicencia: {LICENCE}\nMétodo: {}\nMarca de agua: {}\nsha256 de la tabla (tabla.json, JSON canónico): {}\nsha256 de los insumos (insumos.json): {}\n\nComprobación: sync-server recompute-scores insumos.json imprime la tabla y ambas huellas.\n",
                    v.version, v.method, v.watermark, v.table_sha256, v.inputs_sha256
                );
                let bytes = text.into_bytes();
                (shared::digest::sha256_hex(&bytes), "text/plain; charset=utf-8", bytes)
            }
            other => return Err(AppError::NotFound(format!("No hay un archivo «{}» en los datos abiertos.", other.chars().take(80).collect::<String>()))),
        })
    }
    .await;
    match result {
        Ok((etag, content_type, bytes)) => cached(&headers, &etag, content_type, bytes),
        Err(e) => error(e),
    }
}
