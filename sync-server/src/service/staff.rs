//! Staff and training (API and console): a centro's plantilla with its trained share,
//! trainings and who attended or was certified.

use shared::protocol::{AttendanceUpdate, MAX_ATTENDANCE_ENTRIES, MAX_TRAINING_NAME_CHARS, NewTraining, StaffMember, Training, TrainingShare};

use crate::access::{self, Resource};
use crate::db::Device;
use crate::error::AppError;
use crate::state::AppState;

/// Longest standard code (e.g. `EC0105`).
const MAX_STANDARD_CHARS: usize = 40;

/// A centro's people and the trained share of its front-line staff in the latest period.
pub async fn plantilla(state: &AppState, device: &Device, centro: String) -> Result<(Vec<StaffMember>, Option<TrainingShare>), AppError> {
    access::require_centro(state, device, Resource::Staff, &centro).await?;
    let people = state.db.staff(centro.clone()).await?;
    let share = state.db.training_share(centro).await?;
    Ok((people, share))
}

/// Records a training.
pub async fn create_training(state: &AppState, device: &Device, mut t: NewTraining) -> Result<Training, AppError> {
    access::require(device, Resource::Trainings)?;
    t.name = t.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.name.is_empty() || t.name.chars().count() > MAX_TRAINING_NAME_CHARS {
        return Err(AppError::Unprocessable("invalid_training", format!("Escriba el nombre de la capacitación (1 a {MAX_TRAINING_NAME_CHARS} caracteres).")));
    }
    t.standard = t.standard.map(|s| s.trim().to_uppercase()).filter(|s| !s.is_empty());
    if t.standard.as_ref().is_some_and(|s| s.chars().count() > MAX_STANDARD_CHARS) {
        return Err(AppError::Unprocessable("invalid_training", format!("El estándar pasa de {MAX_STANDARD_CHARS} caracteres.")));
    }
    let id = state.db.create_training(t, device.user_id).await?;
    Ok(state.db.training(id).await?)
}

/// Every training.
pub async fn trainings(state: &AppState, device: &Device) -> Result<Vec<Training>, AppError> {
    access::require(device, Resource::Trainings)?;
    Ok(state.db.trainings().await?)
}

/// Sets who attended or was certified at a training.
pub async fn set_attendance(state: &AppState, device: &Device, training: i64, update: AttendanceUpdate) -> Result<Training, AppError> {
    access::require(device, Resource::Trainings)?;
    if update.entries.len() > MAX_ATTENDANCE_ENTRIES {
        return Err(AppError::TooLarge("too_many_entries", format!("Son {} registros; el máximo por envío es {MAX_ATTENDANCE_ENTRIES}.", update.entries.len())));
    }
    state.db.set_attendance(training, update.entries, device.user_id).await?;
    Ok(state.db.training(training).await?)
}
