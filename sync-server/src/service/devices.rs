//! Field devices: revoking a lost phone (API and console).

use uuid::Uuid;

use crate::access::{self, Resource};
use crate::error::AppError;
use crate::state::AppState;

/// Revokes a device within the caller's reach (API and console), written to the audit log.
pub async fn revoke_device(state: &AppState, device: &crate::db::Device, id: Uuid) -> Result<(), AppError> {
    state.db.revoke_scoped(access::reviewer(device, Resource::RevokeDevice)?, id).await?;
    state.db.audit(device.user_id, "revoke_device", id.to_string()).await?;
    Ok(())
}
