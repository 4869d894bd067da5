//! What the public sees (no login): the periods with published official results, each
//! one's latest published version with its recognised centros, a centro's public report
//! and the open data. Nothing here reads a person, a device, free text or a photo: the
//! frozen table, the frozen method settings, the centros' names and their commitments.

use shared::protocol::{CentroScoreDto, CommitmentInfo, OfficialVersion, Recognised, ScoreTableDto, recognised};
use shared::scoring::MethodSettings;

use crate::db::Published;
use crate::error::AppError;
use crate::state::AppState;

/// A period's published results, read.
pub struct PublicResults {
    pub published: Published,
    pub table: ScoreTableDto,
    pub settings: MethodSettings,
    pub recognised: Vec<Recognised>,
    /// Every version of the period's official results (the page says earlier ones existed).
    pub versions: Vec<OfficialVersion>,
}

fn not_published(period: &str) -> AppError {
    AppError::NotFound(format!("El periodo «{period}» no tiene resultados publicados."))
}

/// The periods with published results, newest first.
pub async fn periods(state: &AppState) -> Result<Vec<Published>, AppError> {
    Ok(state.db.published(None).await?)
}

/// A period's latest published results.
pub async fn results(state: &AppState, period: &str) -> Result<PublicResults, AppError> {
    let published = state.db.published(Some(period.to_string())).await?.into_iter().next().ok_or_else(|| not_published(period))?;
    let damaged = |e: serde_json::Error| AppError::Internal(anyhow::anyhow!("published results of {period} damaged: {e}"));
    let table: ScoreTableDto = serde_json::from_str(&published.table_json).map_err(damaged)?;
    let settings: MethodSettings = serde_json::from_str(&published.settings_json).map_err(damaged)?;
    let recognised = recognised(&table, &settings.recognition);
    let versions = state.db.official_versions(period.to_string()).await?;
    Ok(PublicResults { published, table, settings, recognised, versions })
}

/// A centro's figures in every published period (oldest first): its trend.
pub async fn trend(state: &AppState, centro: &str) -> Result<Vec<(Published, CentroScoreDto)>, AppError> {
    let mut out = Vec::new();
    for p in state.db.published(None).await?.into_iter().rev() {
        let table: ScoreTableDto = serde_json::from_str(&p.table_json).map_err(|e| AppError::Internal(anyhow::anyhow!("published results damaged: {e}")))?;
        if let Some(c) = table.centros.into_iter().find(|c| c.centro_id == centro) {
            out.push((p, c));
        }
    }
    Ok(out)
}

/// The checklist pillars' names, as the published forms title them (code → label).
pub fn pillar_labels(state: &AppState) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for cached in state.forms().values() {
        for (code, label) in cached.form.pillar_labels() {
            out.entry(code).or_insert(label);
        }
    }
    out
}

/// A centro's commitments (their descriptions, milestones and dates; no evidence).
pub async fn commitments(state: &AppState, centro: &str) -> Result<Vec<CommitmentInfo>, AppError> {
    Ok(state.db.commitments_page(centro.to_string(), None, shared::protocol::MAX_LIST_PAGE).await?.items)
}
