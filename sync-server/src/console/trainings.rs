//! Trainings in the console (staff): the capacitaciones with their standard, and who of a
//! centro's plantilla attended or was certified.

use super::extract::{Form, Path, Query};
use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use shared::protocol::{AttendanceEntry, AttendanceOutcome, AttendanceUpdate, Modality, NewTraining};

use super::page::{Session, after_form, error_page, layout, query_text, redirect_with_notice, respond};
use crate::access::{self, Resource};
use crate::error::AppError;
use crate::service::staff;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct Filters {
    hecho: Option<String>,
    centro: Option<String>,
}

/// `GET /consola/capacitaciones`.
pub async fn page(State(state): State<AppState>, session: Session, Query(f): Query<Filters>) -> Response {
    respond(&session, build(&state, &session, f.hecho).await)
}

async fn build(state: &AppState, session: &Session, notice: Option<String>) -> Result<Markup, AppError> {
    let list = staff::trainings(state, &session.device).await?;
    Ok(layout(
        "Capacitaciones",
        Some(session),
        "capacitaciones",
        html! {
            @if let Some(n) = &notice { p.notice role="status" { (n) } }
            div.card {
                h2 { "Registrar una capacitación" }
                form.toolbar #nueva-capacitacion method="post" action="/consola/capacitaciones" {
                    input type="hidden" name="csrf" value=(session.csrf);
                    div { label for="cap-nombre" { "Nombre" } input #cap-nombre name="nombre" required maxlength="200"; }
                    div { label for="cap-fecha" { "Fecha" } input #cap-fecha type="date" name="fecha" required; }
                    div { label for="cap-modalidad" { "Modalidad" }
                        select #cap-modalidad name="modalidad" { @for m in Modality::ALL { option value=(m.code()) { (m.label()) } } } }
                    div { label for="cap-estandar" { "Estándar (opcional)" } input #cap-estandar name="estandar" list="estandares" maxlength="40" placeholder="EC0105"; }
                    datalist #estandares { option value="EC0105" {} option value="EC1268" {} }
                    button type="submit" { "Registrar" }
                }
            }
            div.card {
                @if list.is_empty() { p.muted { "Aún no hay capacitaciones." } } @else {
                    table.rank #capacitaciones {
                        thead { tr { th { "Capacitación" } th { "Fecha" } th { "Modalidad" } th { "Estándar" } th { "Personas" } } }
                        tbody { @for t in &list {
                            tr data-capacitacion=(t.id) {
                                td { a href=(format!("/consola/capacitaciones/{}", t.id)) { (t.name) } }
                                td { (shared::words::date(t.held_on)) } td { (t.modality.label()) }
                                td { (t.standard.clone().unwrap_or_else(|| "—".into())) } td.num { (t.attendees) }
                            }
                        } }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct TrainingForm {
    csrf: String,
    nombre: String,
    fecha: String,
    modalidad: String,
    #[serde(default)]
    estandar: String,
}

/// `POST /consola/capacitaciones`.
pub async fn create(State(state): State<AppState>, session: Session, Form(f): Form<TrainingForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        let held_on = f.fecha.parse().map_err(|_| AppError::BadRequest("invalid_date", "Escriba la fecha como AAAA-MM-DD.".into()))?;
        let modality = Modality::parse(&f.modalidad).ok_or_else(|| AppError::Unprocessable("invalid_training", "Elija la modalidad.".into()))?;
        let t = staff::create_training(&state, &session.device, NewTraining { name: f.nombre, held_on, modality, standard: Some(f.estandar) }).await?;
        Ok((t.id, format!("Capacitación «{}» registrada; ahora registre la asistencia.", t.name)))
    }
    .await;
    match result {
        Ok((id, done)) => redirect_with_notice(&format!("/consola/capacitaciones/{id}"), &done),
        Err(e) => error_page(Some(&session), e),
    }
}

/// `GET /consola/capacitaciones/{id}?centro=…`: a centro's plantilla with each person's
/// attendance at this training.
pub async fn attendance_page(State(state): State<AppState>, session: Session, Path(id): Path<i64>, Query(f): Query<Filters>) -> Response {
    respond(&session, build_attendance(&state, &session, id, f).await)
}

async fn build_attendance(state: &AppState, session: &Session, id: i64, f: Filters) -> Result<Markup, AppError> {
    access::require(&session.device, Resource::Trainings)?;
    let training = state.db.training(id).await?;
    let names = state.db.centro_names().await?;
    let centro = f.centro.filter(|c| names.contains_key(c)).or_else(|| names.keys().next().cloned());
    let (people, share) = match &centro {
        Some(c) => staff::plantilla(state, &session.device, c.clone()).await?,
        None => (Vec::new(), None),
    };
    let attendance = state.db.attendance(id).await?;
    Ok(layout(
        &format!("{} · {}", training.name, shared::words::date(training.held_on)),
        Some(session),
        "capacitaciones",
        html! {
            @if let Some(n) = &f.hecho { p.notice role="status" { (n) } }
            p.muted { (training.modality.label()) @if let Some(s) = &training.standard { " · estándar " (s) } " · " (shared::words::count(training.attendees as u64, "persona registrada", "personas registradas")) }
            form.toolbar method="get" action=(format!("/consola/capacitaciones/{id}")) {
                div { label for="centro" { "Centro" }
                    select #centro name="centro" { @for (c, (name, _)) in &names { option value=(c) selected[centro.as_deref() == Some(c.as_str())] { (c) " · " (name) } } } }
                button type="submit" { "Ver plantilla" }
            }
            @if let Some(s) = &share { p #porcentaje { "Personal de atención directa capacitado en el periodo " (s.period_id) ": " strong { (s.figure()) } " (meta " (format!("{:.0} %", s.target * 100.0)) ")." } }
            @if people.iter().all(|p| !p.active) { p.muted { "Este centro no tiene plantilla aceptada." } } @else {
                form #asistencia method="post" action=(format!("/consola/capacitaciones/{id}")) {
                    input type="hidden" name="csrf" value=(session.csrf);
                    input type="hidden" name="centro" value=(centro.clone().unwrap_or_default());
                    table.rank {
                        thead { tr { th { "Persona" } th { "Puesto" } th { "Atención directa" } th { "Asistencia" } } }
                        tbody { @for p in people.iter().filter(|p| p.active) {
                            @let now = attendance.get(&p.id).copied();
                            tr data-persona=(p.id) {
                                td { (p.name) } td { (p.puesto) } td { @if p.front_line { "Sí" } @else { "No" } }
                                td { select name=(format!("p{}", p.id)) aria-label=(format!("Asistencia de {}", p.name)) {
                                    option value="" selected[now.is_none()] { "—" }
                                    option value="asistio" selected[now == Some(AttendanceOutcome::Asistio)] { "Asistió" }
                                    option value="certificado" selected[now == Some(AttendanceOutcome::Certificado)] { "Certificado" }
                                } }
                            }
                        } }
                    }
                    button type="submit" { "Guardar asistencia" }
                }
            }
            p { a href="/consola/capacitaciones" { "‹ Todas las capacitaciones" } }
        },
    ))
}

/// `POST /consola/capacitaciones/{id}`: `p{staff_id}` = `""`, `asistio` or `certificado`.
pub async fn save_attendance(State(state): State<AppState>, session: Session, Path(id): Path<i64>, Form(f): Form<HashMap<String, String>>) -> Response {
    let centro = f.get("centro").cloned().unwrap_or_default();
    let result = async {
        session.check_csrf(f.get("csrf").map_or("", String::as_str))?;
        let mut entries = Vec::new();
        for (k, v) in &f {
            let Some(staff_id) = k.strip_prefix('p').and_then(|n| n.parse::<i64>().ok()) else { continue };
            let outcome = match v.as_str() {
                "" => None,
                code => Some(AttendanceOutcome::parse(code).ok_or_else(|| AppError::BadRequest("invalid_attendance", format!("«{code}» no es una asistencia válida.")))?),
            };
            entries.push(AttendanceEntry { staff_id, outcome });
        }
        let t = staff::set_attendance(&state, &session.device, id, AttendanceUpdate { entries }).await?;
        Ok(format!("Asistencia guardada: {} personas registradas en total.", t.attendees))
    }
    .await;
    after_form(&session, &format!("/consola/capacitaciones/{id}?centro={}", query_text(&centro)), result)
}
