//! Program administration (API and console): periods, centros imported from a file,
//! users, assignments and quotas. Staff and admin; users are created by an admin.

use shared::protocol::{ImportSummary, NewUserRequest, PeriodDefinition, UserInfo};

use crate::auth::hash_password;
use crate::centros_import::parse;
use crate::db::{Device, NewUser, PeriodRow};
use crate::error::AppError;
use crate::state::AppState;

pub(crate) fn staff(device: &Device) -> Result<(), AppError> {
    crate::access::require(device, crate::access::Resource::Program).map(|_| ())
}

pub(crate) async fn rebuild(state: &AppState) -> Result<(), AppError> {
    state.rebuild_scores().await.map_err(AppError::Internal)
}

/// Creates or updates a period with its pinned method settings (MGS-1 when absent);
/// API and console.
pub async fn save_period(state: &AppState, device: &Device, id: String, p: PeriodDefinition) -> Result<PeriodDefinition, AppError> {
    staff(device)?;
    if state.period_settings().state(&id) != shared::protocol::PeriodState::Abierto {
        return Err(AppError::Conflict(format!("El periodo «{id}» está cerrado: reábralo (con su motivo) para cambiar sus fechas o su método.")));
    }
    if id.trim().is_empty() || p.name.trim().is_empty() {
        return Err(AppError::Unprocessable("invalid_body", "El periodo necesita clave y nombre.".into()));
    }
    let settings = p.settings.clone().unwrap_or_default();
    // The dates whose surveys may read their indicators under other items now: the new
    // range, and the old one when it moved (its surveys may fall to another period).
    let before = state.period_settings().period(&id).map(|old| (old.start, old.end, old.settings.items.clone()));
    let ranges: Vec<(chrono::NaiveDate, chrono::NaiveDate)> = match before {
        Some((start, end, items)) if (start, end) == (p.start, p.end) && items == settings.items => Vec::new(),
        Some((start, end, _)) if (start, end) != (p.start, p.end) => vec![(p.start, p.end), (start, end)],
        _ => vec![(p.start, p.end)],
    };
    let row = PeriodRow { id, name: p.name.clone(), start: p.start, end: p.end, settings: settings.clone() };
    state.db.upsert_period(row).await?;
    rebuild(state).await?;
    let mut changed = 0;
    for (start, end) in ranges {
        changed += reduce_again(state, start, end).await?;
    }
    if changed > 0 {
        rebuild(state).await?;
    }
    Ok(PeriodDefinition { settings: Some(settings), ..p })
}

/// Surveys read per step when reducing again.
const REDUCE_PAGE: usize = 1_000;

/// Reads again the indicator answers (satisfaction, bribe) of the surveys captured between
/// two dates under the items of the period each now belongs to: a period created or
/// changed after its surveys arrived is honoured for them too. Returns how many changed.
/// (Integrity flags stay those of the limits in force when each survey was stored.)
async fn reduce_again(state: &AppState, start: chrono::NaiveDate, end: chrono::NaiveDate) -> Result<u64, AppError> {
    let (periods, forms) = (state.period_settings(), state.forms());
    let (mut after, mut changed) = (0i64, 0u64);
    loop {
        let page = state.db.stored_surveys(start, end, after, REDUCE_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        let (periods, forms) = (periods.clone(), forms.clone());
        let updates = tokio::task::spawn_blocking(move || -> Result<Vec<crate::db::Indicators>, AppError> {
            let mut updates = Vec::new();
            for stored in page {
                let s: shared::protocol::Submission = serde_json::from_str(&stored.body)
                    .map_err(|e| anyhow::anyhow!("el registro {} está dañado en la base de datos: {e}", stored.submission_id))?;
                let cached = forms
                    .get(&(s.form_id.clone(), s.form_version.clone()))
                    .ok_or_else(|| anyhow::anyhow!("el formulario {} {} del registro {} no está cargado", s.form_id, s.form_version, stored.submission_id))?;
                let answers = shared::protocol::answers_from_wire(&s.answers);
                let facts = cached.plan.facts_under(&answers, &periods.settings_for(stored.capture_date).items);
                if (facts.satisfaction, facts.bribe) != (stored.satisfaction, stored.bribe) {
                    updates.push((stored.submission_id, facts.satisfaction, facts.bribe));
                }
            }
            Ok(updates)
        })
        .await
        .map_err(anyhow::Error::from)??;
        changed += updates.len() as u64;
        if !updates.is_empty() {
            state.db.set_indicators(updates).await?;
        }
    }
    Ok(changed)
}

/// Imports centros from a CSV or XLSX file (API and console): all rows or none, every
/// problem by row.
pub async fn centros_from_file(state: &AppState, device: &Device, bytes: Vec<u8>) -> Result<ImportSummary, AppError> {
    staff(device)?;
    let parsed = tokio::task::spawn_blocking(move || parse(&bytes)).await.map_err(anyhow::Error::from)?;
    let centros = parsed.map_err(|refused| crate::service::incorporation::refusal(refused, "no se importó ningún centro"))?;
    let count = centros.len();
    state.db.upsert_centros(centros).await?;
    rebuild(state).await?;
    Ok(ImportSummary { centros: count })
}

/// Creates a user (admin only; API and console).
pub async fn new_user(state: &AppState, device: &Device, u: NewUserRequest) -> Result<UserInfo, AppError> {
    crate::access::require(device, crate::access::Resource::Users)?;
    let valid_name = shared::protocol::Key::parse(&u.username).is_ok();
    if !valid_name {
        return Err(AppError::BadRequest("invalid_body", "Usuario (de 1 a 64 letras sin acentos, números, . _ -) y nombre son obligatorios.".into()));
    }
    if u.display_name.trim().is_empty() {
        return Err(AppError::Unprocessable("invalid_body", "Escriba el nombre de la persona (no solo espacios).".into()));
    }
    if !(8..=200).contains(&u.password.chars().count()) {
        return Err(AppError::BadRequest("weak_password", "La contraseña debe tener de 8 a 200 caracteres.".into()));
    }
    let password = u.password.clone();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(anyhow::Error::from)??;
    let new = NewUser { username: u.username.clone(), display_name: u.display_name.clone(), role: u.role, password_hash, supervisor: u.supervisor, institution: u.institution };
    state.db.create_user(new).await?;
    state.db.audit(device.user_id, "create_user", format!("{} ({})", u.username, u.role.code())).await?;
    Ok(UserInfo { username: u.username, display_name: u.display_name, role: u.role })
}

/// Assigns a centro to a user (API and console); returns the user's centros.
pub async fn assign_centro(state: &AppState, device: &Device, username: String, centro: String) -> Result<Vec<String>, AppError> {
    staff(device)?;
    let user = state.db.user_id(username).await?;
    state.db.assign(user, centro).await?;
    Ok(state.db.assigned_centros(user).await?)
}

/// Sets a centro's quota of surveys for a period (API and console).
/// Largest survey quota of one centro in one period.
pub const MAX_QUOTA: u32 = 100_000;

pub async fn set_quota(state: &AppState, device: &Device, period: String, centro: String, surveys: u32) -> Result<(), AppError> {
    staff(device)?;
    if surveys > MAX_QUOTA {
        return Err(AppError::BadRequest("invalid_body", format!("La cuota va de 0 a {MAX_QUOTA} encuestas.")));
    }
    state.db.set_quota(period, centro, surveys).await?;
    Ok(())
}
