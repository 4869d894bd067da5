//! Signing in: a phone's enrolment and a console session are the same check.

use shared::protocol::EnrolResponse;

use crate::auth::{ClientAddr, dummy_hash, new_token, verify_password};
use crate::error::AppError;
use crate::state::AppState;

const BAD_CREDENTIALS: &str = "Usuario o contraseña incorrectos.";

/// Checks a username and password and issues a device token labelled `label`: a phone's
/// enrolment, or a web console session.
pub async fn login(state: &AppState, client: ClientAddr, username: &str, password: &str, label: &str) -> Result<EnrolResponse, AppError> {
    let label = checked_label(username, password, label)?;
    let (user_id, user) = verify(state, client, username, password).await?;
    let (token, hash) = new_token();
    let device_id = state.db.enrol_device(user_id, label, hash).await?;
    tracing::info!(user = %user.username, %device_id, "device enrolled");
    Ok(EnrolResponse { token, device_id, user })
}

/// The device label, trimmed, once the sizes of what was typed are checked.
pub(crate) fn checked_label(username: &str, password: &str, label: &str) -> Result<String, AppError> {
    if label.is_empty() || label.chars().count() > 100 || username.chars().count() > 100 || password.chars().count() > 200 {
        return Err(AppError::BadRequest("invalid_body", "Usuario, contraseña y nombre del dispositivo son obligatorios (máx. 100 caracteres; la contraseña, 200).".into()));
    }
    // Only spaces (of any kind, e.g. U+0085, which the document's `\S` does not count as
    // one): a rule of its own, not a malformed body.
    let label = label.trim().to_string();
    if label.is_empty() {
        return Err(AppError::Unprocessable("blank_label", "Escriba un nombre para el dispositivo (no solo espacios).".into()));
    }
    Ok(label)
}

/// The user a username and password belong to (an active one).
///
/// Failed attempts are limited per client address, per (client, username) and, more
/// loosely, per username across clients, so a burst of wrong passwords from one place
/// blocks that place, not the real user elsewhere. An unknown username is verified against
/// a dummy hash, so it takes as long as a wrong password.
pub(crate) async fn verify(state: &AppState, client: ClientAddr, username: &str, password: &str) -> Result<(i64, shared::protocol::UserInfo), AppError> {
    let name_key = username.trim().to_lowercase();
    let client_key = client.key();
    let pair_key = format!("{client_key} {name_key}");
    let limits = &state.login_limits;
    let wait = [
        limits.per_client.peek(&client_key),
        limits.per_client_user.peek(&pair_key),
        limits.per_user.peek(&name_key),
    ]
    .into_iter()
    .filter_map(Result::err)
    .max();
    if let Some(retry_after) = wait {
        return Err(AppError::TooMany { message: "Demasiados intentos fallidos; espere un momento e intente de nuevo.".into(), retry_after });
    }
    let record = state.db.login_record(username.trim().to_string()).await?;
    let (known, phc) = match &record {
        Some((_, phc, _)) => (true, phc.clone()),
        None => (false, dummy_hash().to_string()),
    };
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await.map_err(anyhow::Error::from)?;
    let Some((user_id, _, user)) = record.filter(|_| known && matches) else {
        for (limiter, key) in [(&limits.per_client, &client_key), (&limits.per_client_user, &pair_key), (&limits.per_user, &name_key)] {
            let _ = limiter.take(key);
        }
        tracing::info!(client = %client_key, "failed login");
        return Err(AppError::Unauthorized("bad_credentials", BAD_CREDENTIALS));
    };
    Ok((user_id, user))
}
