//! HTTP handlers, one file per resource. Handlers are thin: extract, call, map errors.
//! Each declares its documentation with `#[utoipa::path]`; [`api`] registers them.

pub mod admin;
pub mod auth;
pub mod catalog;
pub mod cycle;
pub mod devices;
pub mod exports;
pub mod filings;
pub mod forms;
pub mod health;
pub mod incorporation;
pub mod photos;
pub mod program;
pub mod review;
pub mod scores;
pub mod sync;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::state::AppState;

/// `routes` with a larger body limit (uploads).
fn with_limit(routes: UtoipaMethodRouter<AppState>, bytes: usize) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = routes;
    (schemas, paths, method_router.layer(DefaultBodyLimit::max(bytes)))
}

/// Every operation of `/api/v1`, registered with its documentation.
pub fn api(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(health::get))
        .routes(routes!(health::openapi))
        .routes(with_limit(routes!(forms::list, forms::upload), crate::MAX_FORM_UPLOAD_BODY))
        .routes(routes!(auth::enrol))
        .routes(routes!(auth::kiosk))
        .routes(routes!(auth::me))
        .routes(routes!(sync::push))
        .routes(routes!(sync::pull))
        .routes(routes!(scores::get))
        .routes(routes!(scores::inputs))
        .routes(routes!(exports::submissions_csv))
        .routes(routes!(exports::submissions_xlsx))
        .routes(routes!(exports::audit_log))
        .routes(routes!(catalog::periods))
        .routes(routes!(catalog::centros))
        .routes(routes!(catalog::commitments))
        .routes(routes!(catalog::complaints))
        .routes(routes!(admin::put_period))
        .routes(routes!(cycle::status))
        .routes(routes!(cycle::close))
        .routes(routes!(cycle::reopen))
        .routes(routes!(cycle::request_publication))
        .routes(routes!(cycle::publish))
        .routes(routes!(cycle::official))
        .routes(routes!(cycle::official_inputs))
        .routes(routes!(cycle::changes))
        .routes(routes!(cycle::late))
        .routes(routes!(admin::put_quota))
        .routes(routes!(admin::put_centro))
        .routes(with_limit(routes!(admin::import_centros), crate::MAX_FORM_BODY))
        .routes(routes!(admin::create_user))
        .routes(routes!(admin::assign, admin::unassign))
        .routes(routes!(devices::days))
        .routes(routes!(devices::revoke))
        .routes(routes!(review::queue))
        .routes(routes!(review::decide))
        .routes(routes!(program::put_commitment, filings::commitment))
        .routes(routes!(filings::confirm))
        .routes(routes!(filings::send_back))
        .routes(routes!(filings::request_extension))
        .routes(routes!(filings::decide_extension))
        .routes(with_limit(routes!(filings::upload_evidence), shared::protocol::MAX_EVIDENCE_BYTES as usize))
        .routes(routes!(filings::evidence))
        .routes(routes!(filings::suggestions))
        .routes(routes!(incorporation::template))
        .routes(with_limit(routes!(incorporation::file_cedula), crate::MAX_FORM_BODY))
        .routes(with_limit(routes!(incorporation::file_plantilla), crate::MAX_FORM_BODY))
        .routes(routes!(incorporation::list))
        .routes(routes!(incorporation::accept))
        .routes(routes!(incorporation::refuse))
        .routes(routes!(incorporation::baja))
        .routes(routes!(incorporation::plantilla))
        .routes(routes!(incorporation::trainings, incorporation::create_training))
        .routes(routes!(incorporation::attendance))
        .routes(routes!(program::verify_milestone))
        .routes(routes!(program::put_complaint))
        .routes(with_limit(routes!(photos::status, photos::upload), crate::photos::MAX_PHOTO_BYTES as usize))
}
