//! An Enlace's part of the program: the centros of its institution, and the results
//! tables cut down to them (everything else reads the whole program).

use std::collections::HashSet;

use shared::protocol::ScoreTableDto;

use crate::access::{self, Grant, Resource};
use crate::db::Device;
use crate::error::AppError;
use crate::state::AppState;

/// The centros `device` reaches of `resource`: `None` for all of them.
pub async fn scope(state: &AppState, device: &Device, resource: Resource) -> Result<Option<HashSet<String>>, AppError> {
    match access::require(device, resource)? {
        Grant::Institution => {
            let institution = device.institution.clone().unwrap_or_default();
            Ok(Some(state.db.institution_centros(institution).await?.into_iter().collect()))
        }
        _ => Ok(None),
    }
}

/// `table` with only the rows `device` reaches (ranks and tiers as computed over the
/// whole program: an Enlace sees where its centros stand, not the others).
pub async fn scoped_table(state: &AppState, device: &Device, mut table: ScoreTableDto) -> Result<ScoreTableDto, AppError> {
    if let Some(centros) = scope(state, device, Resource::Results).await? {
        table.centros.retain(|c| centros.contains(&c.centro_id));
    }
    Ok(table)
}
