//! Incorporation in the console: the Enlace downloads the templates and uploads the
//! Cédula de Incorporación and the Plantilla de Personal (errors by row, on the page);
//! staff accept or refuse each centro's request; a centro dado de baja.

use super::extract::{Form, Path, Query};
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use shared::protocol::{BajaRequest, Incorporation, IncorporationStatus, PeriodState};

use super::page::{Session, after_form, error_page, layout, located, problems_table, redirect_with_notice, render, respond};
use crate::access::{self, Grant, Resource};
use crate::error::AppError;
use crate::service::incorporation::{self, Template};
use crate::state::AppState;

const PAGE: &str = "/consola/incorporacion";

#[derive(Debug, Deserialize)]
pub struct Filters {
    hecho: Option<String>,
    estado: Option<String>,
}

/// `GET /consola/incorporacion`.
pub async fn page(State(state): State<AppState>, session: Session, Query(f): Query<Filters>) -> Response {
    respond(&session, build(&state, &session, f.hecho, f.estado, None).await)
}

fn open_periods(state: &AppState, periods: &[(String, String)]) -> Vec<(String, String)> {
    periods.iter().filter(|(id, _)| state.period_settings().state(id) == PeriodState::Abierto).cloned().collect()
}

fn status_label(r: &Incorporation) -> Markup {
    html! {
        span class=(format!("state state-{}", r.status.code())) { (r.status.label()) }
        @if let Some(reason) = &r.reason { br; span.muted { "Motivo: " (reason) } }
    }
}

async fn build(state: &AppState, session: &Session, notice: Option<String>, estado: Option<String>, problems: Option<Markup>) -> Result<Markup, AppError> {
    let offset = state.local_offset;
    let grant = access::require(&session.device, Resource::Incorporation)?;
    let enlace = grant == Grant::Institution;
    let reviewer = access::grant(session.device.user.role, Resource::IncorporationReview).is_some();
    let status = estado.as_deref().and_then(IncorporationStatus::parse).or(if enlace { None } else { Some(IncorporationStatus::Pendiente) });
    let requests = incorporation::requests(state, &session.device, status).await?;
    let periods = open_periods(state, &state.db.period_list().await?);
    let institutions = state.db.institutions().await?;
    let institution_field = |id: &str| {
        html! {
            @if !enlace {
                div { label for=(id) { "Institución" } input #(id) name="institucion" list="instituciones" required; }
            }
        }
    };
    let title = match &session.device.institution {
        Some(name) if enlace => format!("Incorporación · {name}"),
        _ => "Incorporación de centros".to_string(),
    };
    let files = html! {
            div.card #plantillas {
                h2 { "1. Descargue las plantillas" }
                p.muted { "Libros de Excel con listas desplegables e instrucciones. La cédula trae los centros ya registrados de la institución." }
                form.toolbar method="get" action="/consola/incorporacion/plantillas/cedula.xlsx" {
                    (institution_field("institucion-cedula"))
                    button type="submit" #descargar-cedula { "Cédula de Incorporación (.xlsx)" }
                }
                form.toolbar method="get" action="/consola/incorporacion/plantillas/plantilla.xlsx" {
                    (institution_field("institucion-plantilla"))
                    button type="submit" #descargar-plantilla { "Plantilla de Personal (.xlsx)" }
                }
            }
            div.card #subir {
                h2 { "2. Súbalas llenas" }
                @if periods.is_empty() {
                    p.muted { "No hay un periodo abierto: la incorporación se solicita en un periodo abierto." }
                } @else {
                    @for (kind, label, id) in [("cedula", "Cédula de Incorporación", "form-cedula"), ("plantilla", "Plantilla de Personal", "form-plantilla")] {
                        form.toolbar #(id) method="post" action=(format!("/consola/incorporacion/envio/{kind}")) enctype="multipart/form-data" {
                            input type="hidden" name="csrf" value=(session.csrf);
                            div { label for=(format!("{id}-periodo")) { "Periodo" }
                                select #(format!("{id}-periodo")) name="periodo" { @for (p, name) in &periods { option value=(p) { (name) } } } }
                            (institution_field(&format!("{id}-institucion")))
                            div { label for=(format!("{id}-archivo")) { (label) " (.xlsx)" } input #(format!("{id}-archivo")) type="file" name="archivo" accept=".xlsx" required; }
                            button type="submit" { "Subir " (label.to_lowercase()) }
                        }
                    }
                    p.muted { "Primero la cédula, luego la plantilla: la plantilla solo puede nombrar centros con cédula pendiente. Si una fila tiene un error, no se registra nada y se indica la fila." }
                }
            }
    };
    let list = html! {
            div.card #solicitudes {
                h2 { @if enlace { "Sus solicitudes" } @else { "Solicitudes" } }
                form.toolbar method="get" action=(PAGE) {
                    div { label for="estado" { "Estado" }
                        select #estado name="estado" {
                            option value="" selected[status.is_none()] { "Todas" }
                            @for s in [IncorporationStatus::Pendiente, IncorporationStatus::Aceptado, IncorporationStatus::Rechazado] {
                                option value=(s.code()) selected[status == Some(s)] { (s.label()) }
                            }
                        } }
                    button type="submit" { "Ver" }
                }
                @if requests.is_empty() { p.muted { "Sin solicitudes." } } @else {
                    table.rank #tabla-solicitudes {
                        thead { tr { th { "Centro" } th { "Institución" } th { "Periodo" } th { "Plantilla" } th { "Presentada" } th { "Estado" } @if reviewer { th { "Decisión" } } } }
                        tbody { @for r in &requests {
                            tr data-solicitud=(r.id) data-centro=(r.centro_id) {
                                td { (r.definition.name) br; span.muted { (r.centro_id) " · " (r.definition.municipio) " · " (r.definition.ambito) "/" (r.definition.tipo) } }
                                td { (r.institution) }
                                td { (r.period_id) }
                                td { @match &r.staff {
                                    Some(people) => { (people.len()) " personas (" (people.iter().filter(|p| p.front_line).count()) " de atención directa)" }
                                    None => span.muted { "falta" }
                                } }
                                td { (r.filed_by) br; span.muted { (shared::words::date_text_at(&r.filed_at, offset)) } }
                                td { (status_label(r)) @if let Some(by) = &r.decided_by { br; span.muted { (by) " · " (r.decided_at.as_deref().map(|d| shared::words::date_text_at(d, offset)).unwrap_or_default()) } } }
                                @if reviewer { td {
                                    @if r.status == IncorporationStatus::Pendiente {
                                        form method="post" action=(format!("/consola/incorporacion/{}/aceptar", r.id)) {
                                            input type="hidden" name="csrf" value=(session.csrf);
                                            button type="submit" disabled[r.staff.is_none()] title=[r.staff.is_none().then_some("Falta la plantilla de personal")] { "Aceptar en " (r.period_id) }
                                        }
                                        form method="post" action=(format!("/consola/incorporacion/{}/rechazar", r.id)) {
                                            input type="hidden" name="csrf" value=(session.csrf);
                                            input name="motivo" required maxlength="1000" placeholder="Motivo del rechazo" aria-label="Motivo del rechazo";
                                            button.secondary type="submit" { "Rechazar" }
                                        }
                                    }
                                } }
                            }
                        } }
                    }
                }
            }
    };
    Ok(layout(
        &title,
        Some(session),
        "incorporacion",
        html! {
            @if let Some(n) = &notice { p.notice role="status" { (n) } }
            @if let Some(p) = problems { (p) }
            datalist #instituciones { @for d in &institutions { option value=(d) {} } }
            // Staff come to decide: the requests first; an Enlace comes to file.
            @if reviewer { (list) (files) } @else { (files) (list) }
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct TemplateQuery {
    institucion: Option<String>,
}

/// `GET /consola/incorporacion/plantillas/{file}`.
pub async fn template(State(state): State<AppState>, session: Session, Path(file): Path<String>, Query(q): Query<TemplateQuery>) -> Response {
    let result = async {
        let which = Template::from_file(&file).ok_or_else(|| AppError::NotFound(format!("No hay una plantilla «{file}».")))?;
        incorporation::template(&state, &session.device, which, q.institucion).await
    }
    .await;
    match result {
        Ok((name, bytes)) => crate::routes::incorporation::xlsx_response(&name, bytes),
        Err(e) => error_page(Some(&session), e),
    }
}

/// `POST /consola/incorporacion/{cedula|plantilla}`: the filled workbook.
pub async fn upload(State(state): State<AppState>, session: Session, Path(kind): Path<String>, multipart: Multipart) -> Response {
    let result = async {
        let file = super::page::multipart_file(multipart).await?;
        session.check_csrf(&file.csrf)?;
        let period = file.field("periodo");
        let asked = Some(file.field("institucion")).filter(|s| !s.is_empty());
        let receipt = match kind.as_str() {
            "cedula" => incorporation::file_cedula(&state, &session.device, period, asked, file.bytes).await?,
            "plantilla" => incorporation::file_plantilla(&state, &session.device, period, asked, file.bytes).await?,
            _ => return Err(AppError::NotFound("No existe ese envío.".into())),
        };
        let what = if kind == "cedula" { "Cédula de Incorporación" } else { "Plantilla de Personal" };
        Ok(format!("{what} registrada para {} en el periodo {}.", receipt.centros.join(", "), receipt.period_id))
    }
    .await;
    match result {
        Ok(done) => redirect_with_notice(PAGE, &done),
        Err(AppError::Detailed(e)) => match build(&state, &session, None, None, Some(problems_table(&e.message, &located(&e)))).await {
            Ok(m) => (StatusCode::BAD_REQUEST, render(m)).into_response(),
            Err(e) => error_page(Some(&session), e),
        },
        Err(e) => error_page(Some(&session), e),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /consola/incorporacion/{id}/aceptar`.
pub async fn accept(State(state): State<AppState>, session: Session, Path(id): Path<i64>, Form(f): Form<CsrfForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        let r = incorporation::accept(&state, &session.device, id).await?;
        Ok(format!("{} ({}) aceptado en el periodo {}.", r.definition.name, r.centro_id, r.period_id))
    }
    .await;
    finish(&session, result)
}

#[derive(Debug, Deserialize)]
pub struct RefuseForm {
    csrf: String,
    motivo: String,
}

/// `POST /consola/incorporacion/{id}/rechazar`.
pub async fn refuse(State(state): State<AppState>, session: Session, Path(id): Path<i64>, Form(f): Form<RefuseForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        let r = incorporation::refuse(&state, &session.device, id, &f.motivo).await?;
        Ok(format!("Solicitud de {} rechazada.", r.centro_id))
    }
    .await;
    finish(&session, result)
}

fn finish(session: &Session, result: Result<String, AppError>) -> Response {
    after_form(session, PAGE, result)
}

#[derive(Debug, Deserialize)]
pub struct BajaForm {
    csrf: String,
    fecha: String,
    motivo: String,
}

/// `POST /consola/centros/{centro}/baja`.
pub async fn baja(State(state): State<AppState>, session: Session, Path(centro): Path<String>, Form(f): Form<BajaForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        let date = f.fecha.parse().map_err(|_| AppError::BadRequest("invalid_date", "Escriba la fecha de baja como AAAA-MM-DD.".into()))?;
        let key = super::filings::key(&centro)?;
        incorporation::baja(&state, &session.device, key.as_str().to_string(), BajaRequest { date, reason: f.motivo }).await?;
        Ok(format!("Centro dado de baja el {date}."))
    }
    .await;
    after_form(&session, &format!("/consola/centros/{centro}"), result)
}

/// The baja notice of a centro's pages.
pub fn baja_banner(baja: Option<&shared::protocol::BajaInfo>) -> Markup {
    html! {
        @if let Some(b) = baja {
            p.error.baja #baja role="status" { "Centro dado de baja el " (shared::words::date(b.date)) ": " (b.reason) ". Se conserva en el historial y no se clasifica desde ese periodo." }
        }
    }
}

/// The «Dar de baja» form of a centro's page (staff).
pub fn baja_form(session: &Session, centro: &str) -> Markup {
    html! {
        @if access::grant(session.device.user.role, Resource::IncorporationReview).is_some() {
            details.card #dar-de-baja {
                summary { "Dar de baja este centro" }
                form method="post" action=(format!("/consola/centros/{centro}/baja")) {
                    input type="hidden" name="csrf" value=(session.csrf);
                    div { label for="baja-fecha" { "Fecha" } input #baja-fecha type="date" name="fecha" required; }
                    div { label for="baja-motivo" { "Motivo" } input #baja-motivo name="motivo" required maxlength="1000"; }
                    button.secondary type="submit" { "Dar de baja" }
                }
            }
        }
    }
}


/// A centro's plantilla with the trained share of its front-line staff (readers of `Staff`).
pub async fn plantilla_card(state: &AppState, session: &Session, centro: &str) -> Result<Markup, AppError> {
    if access::grant(session.device.user.role, Resource::Staff).is_none() {
        return Ok(html! {});
    }
    let (people, share) = crate::service::staff::plantilla(state, &session.device, centro.to_string()).await?;
    let active: Vec<_> = people.iter().filter(|p| p.active).collect();
    Ok(html! {
        h2 #plantilla { "Plantilla de personal" }
        div.card {
            @if let Some(s) = &share {
                p #capacitado { "Personal de atención directa capacitado o certificado en el periodo " (s.period_id) ": " strong { (s.figure()) }
                    " · meta " (format!("{:.0} %", s.target * 100.0)) " (criterio " (s.item) ")." }
            }
            @if active.is_empty() { p.muted { "Sin plantilla aceptada." } } @else {
                table.rank {
                    thead { tr { th { "Nombre" } th { "Puesto" } th { "Atención directa" } } }
                    tbody { @for p in &active { tr { td { (p.name) } td { (p.puesto) } td { @if p.front_line { "Sí" } @else { "No" } } } } }
                }
            }
        }
    })
}
