//! The program's year, part 1: closing, reopening and publishing a period, and its
//! official results (PROGRAM_CYCLE.md). Closing freezes the table recomputed from the
//! period's anonymised scoring inputs, so what is published can be recomputed by anyone
//! and gives the same digest.

use std::io::Write;

use shared::protocol::{
    LateRecord, MAX_REASON_CHARS, OfficialResults, PeriodState, PeriodStatus, ScoreTableDto, ScoringInputs, VersionChanges, canonical, changes,
};

use crate::access::{self, Resource};
use crate::db::{Device, Frozen};
use crate::error::AppError;
use crate::state::AppState;

/// Most late records listed at once (the count is always whole).
pub const LATE_LISTED: usize = 200;

/// A reason, trimmed: required, at most [`MAX_REASON_CHARS`].
fn reason(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::Unprocessable("reason_required", "Escriba el motivo del cambio de estado: queda en la bitácora.".into()));
    }
    if text.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::BadRequest("invalid_body", format!("El motivo admite como máximo {MAX_REASON_CHARS} caracteres.")));
    }
    Ok(text.to_string())
}

/// Random v4 ids for the anonymised inputs, from the system's generator a block at a time
/// (one call per 65,536 ids rather than one per id).
struct RandomIds {
    block: Vec<u8>,
    next: usize,
}

impl RandomIds {
    fn new() -> Self {
        Self { block: Vec::new(), next: 0 }
    }

    fn id(&mut self) -> uuid::Uuid {
        use rand_core::RngCore;
        if self.next + 16 > self.block.len() {
            self.block.resize(16 * 65_536, 0);
            rand_core::OsRng.fill_bytes(&mut self.block);
            self.next = 0;
        }
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&self.block[self.next..self.next + 16]);
        self.next += 16;
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// What a close stores: the table recomputed from the anonymised inputs, both as
/// canonical JSON with their digests (the inputs gzip-compressed). The table and the
/// inputs' JSON are made on two threads, then the inputs' digest and compression.
pub fn freeze(inputs: ScoringInputs) -> Result<Frozen, AppError> {
    let mut ids = RandomIds::new();
    let inputs = inputs.anonymised(&mut || ids.id());
    let internal = |e: String| AppError::Internal(anyhow::anyhow!(e));
    let (table, encoded) = std::thread::scope(|scope| {
        let table = scope.spawn(|| -> Result<(ScoreTableDto, Vec<u8>, String), String> {
            let table = inputs.recompute().map_err(|e| format!("the frozen inputs do not recompute: {e}"))?;
            let dto = ScoreTableDto::from(&table);
            let (json, digest) = canonical(&dto).map_err(|e| e.to_string())?;
            Ok((dto, json, digest))
        });
        let encoded = (|| -> Result<(Vec<u8>, String, String), String> {
            let json = serde_json::to_vec(&inputs).map_err(|e| e.to_string())?;
            let (digest, gz) = std::thread::scope(|inner| {
                let digest = inner.spawn(|| shared::digest::sha256_hex(&json));
                let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 4), flate2::Compression::fast());
                let written = gz.write_all(&json).and_then(|()| gz.finish());
                (digest.join(), written)
            });
            let digest = digest.map_err(|_| "the digest thread panicked".to_string())?;
            let gz = gz.map_err(|e| e.to_string())?;
            let settings = serde_json::to_string(&inputs.period.settings).map_err(|e| e.to_string())?;
            Ok((gz, digest, settings))
        })();
        (table.join().map_err(|_| "the scoring thread panicked".to_string()).and_then(|r| r), encoded)
    });
    let (dto, table_json, table_sha256) = table.map_err(internal)?;
    let (inputs_gz, inputs_sha256, settings_json) = encoded.map_err(internal)?;
    let table_json = String::from_utf8(table_json).map_err(anyhow::Error::from)?;
    Ok(Frozen { watermark: dto.watermark, method: dto.method, settings_json, table_json, table_sha256, inputs_gz, inputs_sha256 })
}

/// A period's state, its versions and how many records arrived after its close.
pub async fn status(state: &AppState, device: &Device, period: &str) -> Result<PeriodStatus, AppError> {
    access::require(device, Resource::Results)?;
    let states = state.db.period_states().await?;
    let (_, row) = states.into_iter().find(|(id, _)| id == period).ok_or_else(|| AppError::NotFound(format!("No existe el periodo «{period}».")))?;
    let versions = state.db.official_versions(period.to_string()).await?;
    let (late_records, _) = state.db.late_records(period.to_string(), 0).await?;
    Ok(PeriodStatus { period_id: period.to_string(), state: row.state, publication_requested: row.publication_reason, versions, late_records })
}

/// Closes an open period: its official results, version n + 1 (staff, admin).
pub async fn close(state: &AppState, device: &Device, period: &str, why: &str) -> Result<PeriodStatus, AppError> {
    access::require(device, Resource::Program)?;
    let why = reason(why)?;
    if state.period_settings().state(period) != PeriodState::Abierto {
        return Err(AppError::Conflict(format!("El periodo «{period}» no está abierto.")));
    }
    let inputs = state.db.scoring_inputs(period.to_string()).await?;
    let frozen = tokio::task::spawn_blocking(move || freeze(inputs)).await.map_err(anyhow::Error::from)??;
    let version = state.db.close_period(period.to_string(), device.user_id, why, frozen).await?;
    state.refresh_period_states().await?;
    tracing::info!(user = %device.user.username, period, version, "period closed");
    status(state, device, period).await
}

/// Reopens a closed or published period (staff, admin): its next close makes a new version.
pub async fn reopen(state: &AppState, device: &Device, period: &str, why: &str) -> Result<PeriodStatus, AppError> {
    access::require(device, Resource::Program)?;
    state.db.reopen_period(period.to_string(), device.user_id, reason(why)?).await?;
    state.refresh_period_states().await?;
    status(state, device, period).await
}

/// Asks for a closed period's publication (staff, admin).
pub async fn request_publication(state: &AppState, device: &Device, period: &str, why: &str) -> Result<PeriodStatus, AppError> {
    access::require(device, Resource::Program)?;
    state.db.request_publication(period.to_string(), device.user_id, reason(why)?).await?;
    status(state, device, period).await
}

/// Publishes a closed period whose publication was asked (admin only).
pub async fn publish(state: &AppState, device: &Device, period: &str, why: &str) -> Result<PeriodStatus, AppError> {
    access::require(device, Resource::Publication)?;
    state.db.publish_period(period.to_string(), device.user_id, reason(why)?).await?;
    state.refresh_period_states().await?;
    status(state, device, period).await
}

/// One version of the official results with its table.
pub async fn official(state: &AppState, device: &Device, period: &str, version: u32) -> Result<OfficialResults, AppError> {
    access::require(device, Resource::Results)?;
    let (version, json) = state.db.official_table(period.to_string(), version).await?;
    let table: ScoreTableDto = serde_json::from_str(&json).map_err(|e| AppError::Internal(anyhow::anyhow!("stored official table damaged: {e}")))?;
    let table = crate::service::institution::scoped_table(state, device, table).await?;
    Ok(OfficialResults { version, table })
}

/// A version's frozen inputs: the canonical JSON, exactly the bytes its digest covers.
pub async fn official_inputs(state: &AppState, device: &Device, period: &str, version: u32) -> Result<Vec<u8>, AppError> {
    access::require_program_wide(device, Resource::Results)?;
    Ok(frozen_inputs(state, period, version).await?.0)
}

/// A version's frozen inputs, inflated and checked against their digest.
pub async fn frozen_inputs(state: &AppState, period: &str, version: u32) -> Result<(Vec<u8>, String), AppError> {
    let (gz, digest) = state.db.official_inputs(period.to_string(), version).await?;
    let bytes = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        std::io::copy(&mut flate2::read::GzDecoder::new(gz.as_slice()), &mut out).map(|_| out)
    })
    .await
    .map_err(anyhow::Error::from)?
    .map_err(|e| AppError::Internal(anyhow::anyhow!("stored official inputs damaged: {e}")))?;
    if shared::digest::sha256_hex(&bytes) != digest {
        return Err(AppError::Internal(anyhow::anyhow!("stored official inputs of {period} v{version} do not match their digest")));
    }
    Ok((bytes, digest))
}

/// What changed per centro from the version before `version`.
pub async fn version_changes(state: &AppState, device: &Device, period: &str, version: u32) -> Result<VersionChanges, AppError> {
    let after = official(state, device, period, version).await?;
    let before = match version.checked_sub(1).filter(|v| *v >= 1) {
        Some(v) => official(state, device, period, v).await?.table,
        None => ScoreTableDto { period_id: period.to_string(), method: after.table.method.clone(), watermark: 0, index_modes: after.table.index_modes.clone(), centros: Vec::new() },
    };
    Ok(VersionChanges { period_id: period.to_string(), from_version: version.saturating_sub(1), to_version: version, centros: changes(&before, &after.table) })
}

/// The records stored after the period's latest close (newest first, at most
/// [`LATE_LISTED`]) and how many there are.
pub async fn late(state: &AppState, device: &Device, period: &str) -> Result<(u64, Vec<LateRecord>), AppError> {
    access::require_program_wide(device, Resource::Results)?;
    Ok(state.db.late_records(period.to_string(), LATE_LISTED).await?)
}
