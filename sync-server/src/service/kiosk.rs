//! Kiosk tablets: a supervisor enrols a tablet at the centro's entrance as that centro's
//! kiosk, with their own username and password; the tablet gets a kiosk device token (not
//! theirs), and its records are kiosk surveys of that centro only.

use shared::protocol::{EnrolResponse, KioskEnrolRequest, Role, UserInfo};

use crate::auth::{ClientAddr, new_token};
use crate::error::AppError;
use crate::service::login::{checked_label, verify};
use crate::state::AppState;

/// Enrols a kiosk tablet of `req.centro_id`: by a supervisor of a team assigned there, or by
/// staff or an admin.
pub async fn enrol(state: &AppState, client: ClientAddr, req: &KioskEnrolRequest) -> Result<EnrolResponse, AppError> {
    let label = checked_label(&req.username, &req.password, &req.device_label)?;
    let centro = shared::protocol::Key::parse(&req.centro_id)
        .map_err(|e| AppError::BadRequest("invalid_body", format!("Centro inválido: {e}.")))?
        .into_string();
    let (user_id, user) = verify(state, client, &req.username, &req.password).await?;
    let allowed = match user.role {
        Role::Admin | Role::Staff => true,
        Role::Supervisor => state.db.supervises_centro(user_id, centro.clone()).await?,
        Role::Inspector | Role::Surveyor | Role::Enlace => {
            return Err(AppError::Forbidden("Solo un supervisor o coordinación registran una tableta como kiosko.".into()));
        }
    };
    if !allowed {
        return Err(AppError::Forbidden(format!("El centro «{centro}» no es de su equipo.")));
    }
    let (token, hash) = new_token();
    let (device_id, _) = state.db.enrol_kiosk(centro.clone(), label, hash, user_id, user.role == Role::Supervisor).await?;
    tracing::info!(by = %user.username, %device_id, %centro, "kiosk enrolled");
    let kiosk = UserInfo { username: format!("kiosko.{}", centro.to_lowercase()), display_name: format!("Kiosko · {centro}"), role: Role::Surveyor };
    Ok(EnrolResponse { token, device_id, user: kiosk })
}
