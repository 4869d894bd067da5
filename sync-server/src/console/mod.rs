//! The web console for supervisors and program staff: server-rendered HTML in Spanish
//! (maud), no scripts, no CDN. Sessions are device tokens labelled «Consola web» carried
//! in an HttpOnly, SameSite=Strict cookie; every form carries a CSRF token derived from
//! the session; every page checks role and scope as the API does.

mod admin;
mod centro;
mod complaints;
pub(crate) mod charts;
mod exports;
mod extract;
mod fieldwork;
mod filings;
pub(crate) mod incorporation;
mod institution;
mod latency;
mod login;
mod method;
pub mod origin;
mod page;
mod periods;
mod qr;
mod report;
pub(crate) mod results;
mod review;
mod trainings;
pub(crate) mod style;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::Redirect;
use axum::routing::{get, post};

use crate::state::AppState;

/// Uploaded XLSForms and centro files (as the API allows).
const UPLOAD_LIMIT: usize = 10 * 1024 * 1024;

/// The console's routes, under `/consola`.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/consola") }))
        .route("/consola", get(institution::start))
        .route("/consola/institucion", get(institution::home))
        .route("/consola/institucion/centros/{centro}", get(institution::centro))
        .route("/consola/centros/{centro}/compromisos", post(filings::register))
        .route("/consola/centros/{centro}/quejas", post(complaints::save))
        .route("/consola/centros/{centro}/compromisos/{id}/confirmar", post(filings::confirm))
        .route("/consola/centros/{centro}/compromisos/{id}/devolver", post(filings::send_back))
        .route("/consola/centros/{centro}/compromisos/{id}/hitos/{m}/prorroga", post(filings::request_extension))
        .route("/consola/centros/{centro}/compromisos/{id}/hitos/{m}/verificar", post(filings::verify))
        .route(
            "/consola/centros/{centro}/compromisos/{id}/hitos/{m}/evidencia",
            post(filings::upload).layer(DefaultBodyLimit::max(shared::protocol::MAX_EVIDENCE_BYTES as usize + 64 * 1024)),
        )
        .route("/consola/prorrogas/{id}", post(filings::decide_extension))
        .route("/consola/incorporacion", get(incorporation::page))
        .route("/consola/incorporacion/plantillas/{file}", get(incorporation::template))
        .route("/consola/incorporacion/{id}/aceptar", post(incorporation::accept))
        .route("/consola/incorporacion/{id}/rechazar", post(incorporation::refuse))
        .route("/consola/incorporacion/envio/{kind}", post(incorporation::upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
        .route("/consola/centros/{centro}/baja", post(incorporation::baja))
        .route("/consola/centros/{centro}/qr", post(qr::issue))
        .route("/consola/centros/{centro}/qr/{id}/revocar", post(qr::revoke))
        .route("/consola/centros/{centro}/qr/{id}/cartel", get(qr::poster))
        .route("/consola/capacitaciones", get(trainings::page).post(trainings::create))
        .route("/consola/capacitaciones/{id}", get(trainings::attendance_page).post(trainings::save_attendance))
        .route("/consola/entrar", get(login::form).post(login::submit))
        .route("/consola/salir", post(login::logout))
        .route("/consola/resultados", get(results::page))
        .route("/consola/centros/{centro}", get(centro::page))
        .route("/consola/centros/{centro}/informe", get(report::page))
        .route("/consola/fotos/{sha256}", get(centro::photo))
        .route("/consola/campo", get(fieldwork::page))
        .route("/consola/revision", get(review::page))
        .route("/consola/admin", get(admin::page))
        .route("/consola/admin/formularios", post(admin::review_form).layer(DefaultBodyLimit::max(crate::MAX_FORM_UPLOAD_BODY)))
        .route("/consola/admin/formularios/publicar", post(admin::publish))
        .route("/consola/admin/centros", post(admin::import_centros).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
        .route("/consola/admin/usuarios", post(admin::create_user))
        .route("/consola/admin/asignaciones", post(admin::assign))
        .route("/consola/admin/cuotas", post(admin::quota))
        .route("/consola/admin/periodos", post(admin::period))
        .route("/consola/periodos/{period}", get(periods::page))
        .route("/consola/periodos/{period}/estado", post(periods::change))
        .route("/consola/periodos/{period}/metodo", post(method::save))
        .route("/consola/periodos/{period}/oficial/{version}", get(periods::version))
        .route("/consola/admin/centro", get(admin::pick_centro).post(admin::centro))
        .route("/consola/exportaciones", post(exports::start))
        .route("/consola/exportaciones/{job}", get(exports::progress))
        .route("/consola/exportaciones/{job}/archivo", get(exports::file))
        .route("/consola/admin/dispositivos/{device_id}/revocar", post(admin::revoke))
        .route("/consola/revision/{submission_id}", get(review::record).post(review::decide))
        .layer(axum::middleware::from_fn_with_state(state, origin::refuse_cross_site))
}
