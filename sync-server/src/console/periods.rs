//! Periodo: a period's state in the program's year (abierto → cerrado → publicado), the
//! forms that move it (each with its reason), the versions of its official results with
//! their digests, the records that arrived after the close, and each version's frozen
//! ranking with what changed from the version before.

use super::extract::{Form, Path};
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use shared::protocol::{Key, PeriodState, PeriodStatus};

use super::page::{Session, error_page, layout, redirect_with_notice, respond};
use super::results::{CATEGORIES, category_table, one, ordered};
use crate::access::{self, Resource};
use crate::error::AppError;
use crate::service::cycle;
use crate::state::AppState;

/// A key from the path (a console page answers a bad one with its error page).
pub(super) fn key(text: &str) -> Result<Key, AppError> {
    Key::parse(text).map_err(|e| AppError::BadRequest("bad_path", format!("Parámetro de ruta inválido: {e}.")))
}

/// A digest, short, with the whole one on hover and for copying.
fn digest(d: &str) -> Markup {
    html! { code.digest title=(d) data-digest=(d) { (d.get(..12).unwrap_or(d)) "…" } }
}

/// One state-change form.
fn change_form(session: &Session, period: &str, action: &str, label: &str, hint: &str, danger: bool) -> Markup {
    let id = format!("motivo-{action}");
    html! {
        form.state-change method="post" action=(format!("/consola/periodos/{period}/estado")) {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="accion" value=(action);
            label for=(id) { "Motivo (obligatorio): " (hint) }
            textarea id=(id) name="reason" required maxlength="500" rows="2" {}
            @if danger { button.danger type="submit" { (label) } } @else { button type="submit" { (label) } }
        }
    }
}

fn state_badge(state: PeriodState) -> Markup {
    html! { span class=(format!("state state-{}", state.code())) data-state=(state.code()) { (state.label()) } }
}

fn status_page(session: &Session, name: &str, s: &PeriodStatus, late: &[shared::protocol::LateRecord], notice: Option<&str>, offset: chrono::FixedOffset) -> Markup {
    let when = |t: &str| shared::words::date_text_at(t, offset);
    let role = session.device.user.role;
    let program = access::grant(role, Resource::Program).is_some();
    let admin = access::grant(role, Resource::Publication).is_some();
    let p = s.period_id.as_str();
    html! {
        @if let Some(h) = notice { p.notice role="status" { (h) } }
        div.card {
            p { "Estado: " (state_badge(s.state)) }
            @match s.state {
                PeriodState::Abierto => p.muted { "Trabajo de campo: los resultados son preliminares y cambian con cada registro." },
                PeriodState::Cerrado => p.muted { "Captura terminada: los resultados oficiales están congelados; lo que llegue después se guarda como posterior al cierre." },
                PeriodState::Publicado => p.muted { "Los resultados oficiales son públicos." },
            }
            @if let Some(r) = &s.publication_requested { p.notice data-publication-requested { "Publicación pedida: " (r) ". Falta que administración la confirme." } }
            @if program {
                @match s.state {
                    PeriodState::Abierto => (change_form(session, p, "cerrar", "Cerrar el periodo", "por qué termina la captura", false)),
                    PeriodState::Cerrado => {
                        @if s.publication_requested.is_none() { (change_form(session, p, "pedir", "Pedir la publicación", "qué se revisó", false)) }
                        @if admin && s.publication_requested.is_some() { (change_form(session, p, "publicar", "Confirmar la publicación", "quién lo aprobó", false)) }
                        (change_form(session, p, "reabrir", "Reabrir el periodo", "qué se corrige; el próximo cierre hará una nueva versión", true))
                    },
                    PeriodState::Publicado => (change_form(session, p, "reabrir", "Reabrir el periodo", "qué se corrige; el próximo cierre hará una nueva versión", true)),
                }
            }
        }
        h2 { "Resultados oficiales" }
        @if s.versions.is_empty() {
            p.muted { "Aún no hay: se congelan al cerrar el periodo." }
        } @else {
            table.versions {
                thead { tr { th { "Versión" } th { "Cerrado" } th { "Por" } th { "Motivo" } th { "Marca de agua" } th { "Huella de la tabla" } th { "Huella de los insumos" } th { "Publicada" } } }
                tbody {
                    @for v in &s.versions {
                        tr data-version=(v.version) {
                            td { a href=(format!("/consola/periodos/{p}/oficial/{}", v.version)) { "Versión " (v.version) } }
                            td { (when(&v.closed_at)) }
                            td { (v.closed_by) }
                            td { (v.reason) @if let Some(r) = &v.reopen_reason { div.muted { "Reabierto: " (r) } } }
                            td.num { (v.watermark) }
                            td { (digest(&v.table_sha256)) }
                            td { (digest(&v.inputs_sha256)) " " a href=(format!("/api/v1/periods/{p}/official/{}/inputs", v.version)) { "Descargar" } }
                            td { @if let Some(at) = &v.published_at { (when(at)) } @else { "—" } }
                        }
                    }
                }
            }
        }
        @if s.state != PeriodState::Abierto {
            h2 { "Posteriores al cierre" }
            p data-late=(s.late_records) { (shared::words::count(s.late_records, "registro capturado", "registros capturados")) " en el periodo llegaron después del cierre; no cambian los resultados oficiales de " (name) "." }
            @if !late.is_empty() {
                table { thead { tr { th { "Registro" } th { "Centro" } th { "Capturado" } th { "Recibido" } } }
                    tbody { @for r in late { tr { td { code { (r.submission_id) } } td { (r.centro_id) } td { (shared::words::date(r.capture_date)) } td { (when(&r.received_at)) } } } } }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Notice {
    hecho: Option<String>,
}

/// The period page, with the method form showing `typed` when it was sent back.
pub(super) async fn period_page(state: &AppState, session: &Session, period: &str, notice: Option<&str>, typed: Option<super::method::Typed<'_>>) -> Result<Markup, AppError> {
    let period = key(period)?;
    let status = cycle::status(state, &session.device, period.as_str()).await?;
    let (_, late) = cycle::late(state, &session.device, period.as_str()).await?;
    let names = state.db.period_list().await?;
    let name = names.iter().find(|(id, _)| id == period.as_str()).map_or(period.as_str(), |(_, n)| n.as_str());
    let settings = state.period_settings().period(period.as_str()).map(|p| p.settings.clone()).unwrap_or_default();
    let editable = status.state == PeriodState::Abierto && access::grant(session.device.user.role, Resource::Program).is_some();
    let offset = state.local_offset;
    Ok(layout(
        &format!("Periodo {name}"),
        Some(session),
        "admin",
        html! {
            (status_page(session, name, &status, &late, notice, offset))
            (super::method::method_card(session, period.as_str(), &settings, editable, typed))
        },
    ))
}

/// `GET /consola/periodos/{period}`.
pub async fn page(State(state): State<AppState>, session: Session, Path(period): Path<String>, super::extract::Query(n): super::extract::Query<Notice>) -> Response {
    respond(&session, period_page(&state, &session, &period, n.hecho.as_deref(), None).await)
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    csrf: String,
    accion: String,
    #[serde(default)]
    reason: String,
}

/// `POST /consola/periodos/{period}/estado`.
pub async fn change(State(state): State<AppState>, session: Session, Path(period): Path<String>, Form(f): Form<ChangeForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        let period = key(&period)?;
        let (p, d) = (period.as_str(), &session.device);
        let done = match f.accion.as_str() {
            "cerrar" => cycle::close(&state, d, p, &f.reason).await.map(|s| format!("Periodo cerrado: versión {} de los resultados oficiales.", s.versions.len()))?,
            "reabrir" => cycle::reopen(&state, d, p, &f.reason).await.map(|_| "Periodo reabierto; el próximo cierre hará una nueva versión.".to_string())?,
            "pedir" => cycle::request_publication(&state, d, p, &f.reason).await.map(|_| "Publicación pedida; falta la confirmación de administración.".to_string())?,
            "publicar" => cycle::publish(&state, d, p, &f.reason).await.map(|_| "Resultados oficiales publicados.".to_string())?,
            _ => return Err(AppError::BadRequest("invalid_body", "Acción desconocida.".into())),
        };
        Ok::<_, AppError>((period, done))
    }
    .await;
    match result {
        Ok((period, done)) => redirect_with_notice(&format!("/consola/periodos/{period}"), &done),
        Err(e) => error_page(Some(&session), e),
    }
}

/// `GET /consola/periodos/{period}/oficial/{version}`: the frozen ranking and what changed.
pub async fn version(State(state): State<AppState>, session: Session, Path((period, version)): Path<(String, u32)>) -> Response {
    let result = async {
        let period = key(&period)?;
        let p = period.as_str();
        let official = cycle::official(&state, &session.device, p, version).await?;
        let changed = cycle::version_changes(&state, &session.device, p, version).await?;
        let names = state.db.centro_names().await?;
        let v = &official.version;
        let name_of = |id: &str| names.get(id).map_or_else(|| id.to_string(), |n| n.0.clone());
        Ok::<_, AppError>(layout(
            &format!("Resultados oficiales {p}, versión {version}"),
            Some(&session),
            "admin",
            html! {
                p { a href=(format!("/consola/periodos/{p}")) { "← Periodo " (p) } }
                div.card {
                    p { "Cerrado el " (shared::words::date_text_at(&v.closed_at, state.local_offset)) " por " (v.closed_by) ": " (v.reason) }
                    @if let Some(r) = &v.reopen_reason { p { "Reabierto antes por: " (r) } }
                    p { "Método " (v.method) " · marca de agua " (v.watermark) }
                    p { "Huella SHA-256 de la tabla: " code data-table-sha256 { (v.table_sha256) } }
                    p { "Huella SHA-256 de los insumos: " code { (v.inputs_sha256) } " · "
                        a href=(format!("/api/v1/periods/{p}/official/{version}/inputs")) { "Descargar los insumos anonimizados (JSON)" } }
                    p.muted { "Cualquiera puede recalcular la tabla con " code { "sync-server recompute-scores insumos.json" } " y comparar la huella." }
                }
                @if version > 1 {
                    h2 { "Cambios respecto de la versión " (version - 1) }
                    @if changed.centros.is_empty() { p.muted { "Ningún centro cambió de lugar, nivel, IGC* ni número de encuestas." } } @else {
                        table.changes {
                            thead { tr { th { "Centro" } th { "Antes" } th { "Ahora" } } }
                            tbody {
                                @for c in &changed.centros {
                                    tr data-changed=(c.centro_id) {
                                        td { (name_of(&c.centro_id)) div.muted { (c.centro_id) } }
                                        @for s in [&c.before, &c.after] {
                                            td { @if let Some(s) = s { "IGC* " (one(s.igc_star)) " · lugar " (s.rank.map_or("—".to_string(), |r| r.to_string())) " · " (s.tier) " · n = " (s.n) } @else { "—" } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @for (a, t, title) in CATEGORIES { (category_table(title, &ordered(&official.table, a, t), &names, &super::results::console_link)) }
            },
        ))
    }
    .await;
    respond(&session, result)
}
