//! Commitments in the console, for the Enlace who files them and the staff who decide:
//! each commitment with its state, milestones (due dates, extensions, evidence documents,
//! verification) and the forms each reader may use; the forms' handlers.

use super::extract::{Form, Path};
use axum::extract::{Multipart, State};
use axum::response::Response;
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;
use shared::protocol::{CommitmentDetail, CommitmentInput, CommitmentStatus, EvidenceType, ExtensionRequest, ExtensionState, Key, MilestoneInput, VerifiedHow, VerifyMilestone};

use super::page::Session;
use crate::access::{self, Grant, Resource};
use crate::error::AppError;
use crate::service::filings::{self, Upload, Waiting};
use crate::state::AppState;

/// The page of a centro for `session`'s reader: an Enlace's own, or the console's.
pub fn centro_home(session: &Session, centro: &str) -> String {
    if access::grant(session.device.user.role, Resource::Commitments) == Some(Grant::Institution) {
        format!("/consola/institucion/centros/{centro}")
    } else {
        format!("/consola/centros/{centro}")
    }
}

fn date(d: NaiveDate) -> String {
    shared::words::date(d)
}

fn status_label(s: CommitmentStatus) -> &'static str {
    match s {
        CommitmentStatus::Propuesto => "Propuesto: espera la confirmación de coordinación",
        CommitmentStatus::Confirmado => "Confirmado",
        CommitmentStatus::Devuelto => "Devuelto al enlace",
    }
}

fn extension_label(s: ExtensionState) -> &'static str {
    match s {
        ExtensionState::Pendiente => "pendiente",
        ExtensionState::Aprobada => "aprobada",
        ExtensionState::Negada => "negada",
    }
}

fn kb(bytes: u64) -> String {
    if bytes >= 1024 * 1024 { format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0) } else { format!("{} KiB", bytes.div_ceil(1024)) }
}

/// The commitments of `centro` with what `session`'s reader may do to them.
pub fn commitments(session: &Session, centro: &str, list: &[CommitmentDetail], today: NaiveDate) -> Markup {
    let role = session.device.user.role;
    let files = access::grant(role, Resource::Commitments).is_some();
    let decides = access::grant(role, Resource::CommitmentReview).is_some();
    let enlace = access::grant(role, Resource::Commitments) == Some(Grant::Institution);
    let csrf = &session.csrf;
    let base = format!("/consola/centros/{centro}/compromisos");
    html! {
        @if list.is_empty() { p.muted { "Sin compromisos registrados." } }
        @for d in list {
            @let k = &d.commitment;
            @let kbase = format!("{base}/{}", k.commitment_id);
            div.card data-commitment=(k.commitment_id) data-status=(d.status.code()) {
                p { strong { (k.description) } " " span.muted { "(" (k.commitment_id) ") · impacto " (k.impact) } }
                p data-state { (status_label(d.status)) @if let Some(by) = &d.registered_by { span.muted { " · registró " (by) } } }
                @if let Some(r) = &d.return_reason { p.error data-return-reason { "Motivo de la devolución: " (r) } }
                @if decides && d.status == CommitmentStatus::Propuesto {
                    div.toolbar {
                        form method="post" action=(format!("{kbase}/confirmar")) {
                            input type="hidden" name="csrf" value=(csrf);
                            label for=(format!("imp-{}", k.commitment_id)) { "Impacto" }
                            select id=(format!("imp-{}", k.commitment_id)) name="impact" { @for i in 1..=3u8 { option value=(i) selected[i == k.impact] { (i) } } }
                            button type="submit" { "Confirmar compromiso" }
                        }
                        form method="post" action=(format!("{kbase}/devolver")) {
                            input type="hidden" name="csrf" value=(csrf);
                            input type="text" name="reason" required maxlength="1000" placeholder="Motivo de la devolución" aria-label="Motivo de la devolución";
                            button type="submit" { "Devolver al enlace" }
                        }
                    }
                }
                table.rank {
                    thead { tr { th { "Hito" } th { "Fecha compromiso" } th { "Verificación" } th { "Evidencia" } th { "Prórrogas" } } }
                    tbody {
                        @for (m, f) in k.milestones.iter().zip(&d.milestones) {
                            tr data-milestone=(m.milestone_id) {
                                td { (m.description) br; span.muted { (m.milestone_id) } }
                                td { (date(m.due)) @if let Some(o) = f.original_due { br; span.muted data-original-due=(o) { "original: " (date(o)) } } }
                                td {
                                    @if let Some(v) = m.verified_on {
                                        span data-verified=(v) { "Verificado el " (date(v)) }
                                        @if let Some(how) = f.verified_how { " " span.muted { (match how { VerifiedHow::Visita => "en visita", VerifiedHow::Escritorio => "en escritorio" }) } }
                                        @if let Some(by) = &f.verified_by { br; span.muted { (by) } }
                                    } @else {
                                        "sin verificar"
                                        @if decides && d.status == CommitmentStatus::Confirmado && f.documents.iter().any(|x| x.complete) {
                                            form method="post" action=(format!("{kbase}/hitos/{}/verificar", m.milestone_id)) {
                                                input type="hidden" name="csrf" value=(csrf);
                                                input type="hidden" name="base_version" value=(k.version);
                                                input type="date" name="verified_on" required value=(today) max=(today) aria-label="Fecha de verificación";
                                                button type="submit" { "Verificar en escritorio" }
                                            }
                                        }
                                    }
                                }
                                td {
                                    ul { @for doc in &f.documents {
                                        li data-document=(doc.sha256) {
                                            @if doc.complete { a href=(format!("/api/v1/evidence/{}", doc.sha256)) download=(doc.file_name) { (doc.file_name) } }
                                            @else { (doc.file_name) " (incompleto)" }
                                            span.muted { " · " (kb(doc.size)) " · " (doc.uploaded_by) }
                                        }
                                    } }
                                    @if files && m.verified_on.is_none() {
                                        form method="post" enctype="multipart/form-data" action=(format!("{kbase}/hitos/{}/evidencia", m.milestone_id)) {
                                            input type="hidden" name="csrf" value=(csrf);
                                            input type="file" name="archivo" required accept="application/pdf,image/jpeg,image/png" aria-label="Documento de evidencia (PDF, JPEG o PNG, hasta 10 MiB)";
                                            button type="submit" { "Subir evidencia" }
                                        }
                                    }
                                }
                                td {
                                    ul { @for e in &f.extensions {
                                        li data-extension=(e.extension_id) data-extension-state=(e.state.code()) {
                                            (date(e.due_before)) " → " (date(e.requested_due)) " · " strong { (extension_label(e.state)) }
                                            br; span.muted { (e.reason) " (" (e.requested_by) ")" }
                                            @if let Some(r) = &e.decision_reason { br; span.muted { "Respuesta: " (r) } }
                                            @if decides && e.state == ExtensionState::Pendiente {
                                                form method="post" action=(format!("/consola/prorrogas/{}", e.extension_id)) {
                                                    input type="hidden" name="csrf" value=(csrf);
                                                    input type="hidden" name="centro" value=(centro);
                                                    input type="text" name="reason" required maxlength="1000" placeholder="Motivo de la decisión" aria-label="Motivo de la decisión";
                                                    button type="submit" name="decision" value="aprobar" { "Aprobar" }
                                                    button.danger type="submit" name="decision" value="negar" { "Negar" }
                                                }
                                            }
                                        }
                                    } }
                                    @if files && d.status == CommitmentStatus::Confirmado && m.verified_on.is_none() && today < m.due
                                        && !f.extensions.iter().any(|e| e.state == ExtensionState::Pendiente) {
                                        form method="post" action=(format!("{kbase}/hitos/{}/prorroga", m.milestone_id)) {
                                            input type="hidden" name="csrf" value=(csrf);
                                            input type="date" name="requested_due" required min=(m.due.succ_opt().unwrap_or(m.due)) aria-label="Nueva fecha";
                                            input type="text" name="reason" required maxlength="1000" placeholder="Motivo" aria-label="Motivo de la prórroga";
                                            button type="submit" { "Pedir prórroga" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if enlace && d.status != CommitmentStatus::Confirmado {
                    details { summary { "Editar este compromiso" } (commitment_form(csrf, centro, Some(d))) }
                }
            }
        }
        @if files {
            details #nuevo-compromiso open[enlace && list.is_empty()] {
                summary { "Registrar un compromiso de mejora" }
                (commitment_form(csrf, centro, None))
            }
        }
    }
}

/// The most milestones a commitment has (as the API allows).
const MAX_MILESTONES: usize = 50;
/// Empty milestone rows offered after the existing ones.
const SPARE_ROWS: usize = 3;

/// The form that registers (or edits) a commitment, filled with today's values: each
/// milestone a row of its own (key, description, due date), with empty rows to add more.
fn commitment_form(csrf: &str, centro: &str, current: Option<&CommitmentDetail>) -> Markup {
    let k = current.map(|d| &d.commitment);
    let existing: Vec<(&str, &str, String)> = k.map(|k| k.milestones.iter().map(|m| (m.milestone_id.as_str(), m.description.as_str(), m.due.to_string())).collect()).unwrap_or_default();
    let rows = (existing.len() + SPARE_ROWS).min(MAX_MILESTONES);
    let suffix = k.map_or("nuevo".to_string(), |k| k.commitment_id.clone());
    html! {
        form.stack method="post" action=(format!("/consola/centros/{centro}/compromisos")) data-commitment-form=(suffix) {
            input type="hidden" name="csrf" value=(csrf);
            @if let Some(k) = k { input type="hidden" name="commitment_id" value=(k.commitment_id); }
            @else { div { label for=(format!("cid-{suffix}")) { "Clave del compromiso (letras sin acentos, números, . _ -)" }
                input id=(format!("cid-{suffix}")) type="text" name="commitment_id" required maxlength="64" pattern="[A-Za-z0-9_.\\-]{1,64}"; } }
            div { label for=(format!("cdesc-{suffix}")) { "Compromiso" }
                textarea id=(format!("cdesc-{suffix}")) name="description" required maxlength="1000" rows="2" { (k.map_or("", |k| k.description.as_str())) } }
            div { label for=(format!("cimp-{suffix}")) { "Impacto propuesto (1 bajo, 3 alto)" }
                select id=(format!("cimp-{suffix}")) name="impact" { @for i in 1..=3u8 { option value=(i) selected[k.is_some_and(|k| k.impact == i)] { (i) } } } }
            fieldset.milestones {
                legend { "Hitos (al menos uno; deje vacíos los renglones que no use)" }
                @for i in 0..rows {
                    @let (id, description, due) = existing.get(i).cloned().unwrap_or(("", "", String::new()));
                    @let first = i == 0;
                    div.toolbar.milestone-row data-milestone-row=(i) {
                        div { label for=(format!("h{i}-clave-{suffix}")) { "Clave del hito " (i + 1) }
                            input id=(format!("h{i}-clave-{suffix}")) type="text" name=(format!("h{i}_clave")) value=(id) maxlength="64" pattern="[A-Za-z0-9_.\\-]{1,64}" required[first]; }
                        div { label for=(format!("h{i}-desc-{suffix}")) { "Descripción" }
                            input id=(format!("h{i}-desc-{suffix}")) type="text" name=(format!("h{i}_descripcion")) value=(description) maxlength="1000" required[first]; }
                        div { label for=(format!("h{i}-vence-{suffix}")) { "Vence" }
                            input id=(format!("h{i}-vence-{suffix}")) type="date" name=(format!("h{i}_vence")) value=(due) required[first]; }
                    }
                }
                @if rows == MAX_MILESTONES { p.muted { "Un compromiso admite hasta " (MAX_MILESTONES) " hitos." } }
                @else { p.muted { "¿Necesita más renglones? Guarde y vuelva a abrir el compromiso: aparecen " (SPARE_ROWS) " más." } }
            }
            button type="submit" { @if k.is_some() { "Guardar y enviar a coordinación" } @else { "Registrar compromiso" } }
        }
    }
}

/// The milestone rows of a commitment form (`h{i}_clave`, `h{i}_descripcion`,
/// `h{i}_vence`), in row order; empty rows are skipped, a half-filled one is an error that
/// names it.
fn milestones(sent: &std::collections::BTreeMap<String, String>) -> Result<Vec<MilestoneInput>, AppError> {
    let mut out = Vec::new();
    for i in 0..MAX_MILESTONES {
        let field = |name: &str| sent.get(&format!("h{i}_{name}")).map_or("", |v| v.trim());
        let (id, description, due) = (field("clave"), field("descripcion"), field("vence"));
        if id.is_empty() && description.is_empty() && due.is_empty() {
            continue;
        }
        let row = i + 1;
        if id.is_empty() || description.is_empty() || due.is_empty() {
            return Err(AppError::Unprocessable("invalid", format!("Hito {row}: escriba su clave, su descripción y su fecha.")));
        }
        let due = NaiveDate::parse_from_str(due, "%Y-%m-%d").map_err(|_| AppError::Unprocessable("invalid", format!("Hito {row}: la fecha no es válida.")))?;
        out.push(MilestoneInput { milestone_id: id.to_string(), description: description.to_string(), due });
    }
    if out.is_empty() {
        return Err(AppError::Unprocessable("invalid", "Un compromiso necesita al menos un hito.".into()));
    }
    Ok(out)
}

pub(super) fn key(text: &str) -> Result<Key, AppError> {
    Key::parse(text).map_err(|e| AppError::BadRequest("bad_path", format!("Parámetro inválido: {e}.")))
}

fn back(session: &Session, centro: &str, result: Result<String, AppError>) -> Response {
    super::page::after_form(session, &centro_home(session, centro), result)
}

/// `POST /consola/centros/{centro}/compromisos`: the commitment form's fields (the
/// milestones are rows of numbered fields).
pub async fn register(State(state): State<AppState>, session: Session, Path(centro): Path<String>, Form(sent): Form<Vec<(String, String)>>) -> Response {
    let sent: std::collections::BTreeMap<String, String> = sent.into_iter().collect();
    let field = |name: &str| sent.get(name).cloned().unwrap_or_default();
    let result = async {
        session.check_csrf(&field("csrf"))?;
        let (c, id) = (key(&centro)?, key(field("commitment_id").trim())?);
        let impact: u8 = field("impact").trim().parse().map_err(|_| AppError::Unprocessable("invalid", "Elija un impacto de 1 a 3.".into()))?;
        let input = CommitmentInput { description: field("description"), impact, milestones: milestones(&sent)? };
        let info = filings::register_commitment(&state, &session.device, c.as_str(), id.as_str(), input).await?;
        Ok(format!("Compromiso {} guardado.", info.commitment_id))
    }
    .await;
    back(&session, &centro, result)
}

#[derive(Debug, Deserialize)]
pub struct ImpactForm {
    csrf: String,
    impact: u8,
}

/// `POST /consola/centros/{centro}/compromisos/{id}/confirmar`.
pub async fn confirm(State(state): State<AppState>, session: Session, Path((centro, id)): Path<(String, String)>, Form(f): Form<ImpactForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        filings::confirm_commitment(&state, &session.device, key(&centro)?.as_str(), key(&id)?.as_str(), f.impact).await?;
        Ok(format!("Compromiso {id} confirmado con impacto {}.", f.impact))
    }
    .await;
    back(&session, &centro, result)
}

#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    csrf: String,
    reason: String,
}

/// `POST /consola/centros/{centro}/compromisos/{id}/devolver`.
pub async fn send_back(State(state): State<AppState>, session: Session, Path((centro, id)): Path<(String, String)>, Form(f): Form<ReasonForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        filings::return_commitment(&state, &session.device, key(&centro)?.as_str(), key(&id)?.as_str(), &f.reason).await?;
        Ok(format!("Compromiso {id} devuelto al enlace."))
    }
    .await;
    back(&session, &centro, result)
}

#[derive(Debug, Deserialize)]
pub struct ExtensionForm {
    csrf: String,
    requested_due: String,
    reason: String,
}

/// `POST /consola/centros/{centro}/compromisos/{id}/hitos/{m}/prorroga`.
pub async fn request_extension(
    State(state): State<AppState>,
    session: Session,
    Path((centro, id, m)): Path<(String, String, String)>,
    Form(f): Form<ExtensionForm>,
) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        let requested_due = NaiveDate::parse_from_str(f.requested_due.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::Unprocessable("invalid", "Escriba la nueva fecha como AAAA-MM-DD.".into()))?;
        let key3 = (key(&centro)?.into_string(), key(&id)?.into_string(), key(&m)?.into_string());
        filings::request_extension(&state, &session.device, key3, ExtensionRequest { requested_due, reason: f.reason }).await?;
        Ok(format!("Prórroga del hito {m} enviada a coordinación."))
    }
    .await;
    back(&session, &centro, result)
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    csrf: String,
    centro: String,
    decision: String,
    reason: String,
}

/// `POST /consola/prorrogas/{id}`.
pub async fn decide_extension(State(state): State<AppState>, session: Session, Path(id): Path<u64>, Form(f): Form<DecisionForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        let approve = match f.decision.as_str() {
            "aprobar" => true,
            "negar" => false,
            _ => return Err(AppError::Unprocessable("invalid", "Elija aprobar o negar.".into())),
        };
        filings::decide_extension(&state, &session.device, id, approve, &f.reason).await?;
        Ok(format!("Prórroga {}.", if approve { "aprobada" } else { "negada" }))
    }
    .await;
    back(&session, &f.centro, result)
}

#[derive(Debug, Deserialize)]
pub struct VerifyForm {
    csrf: String,
    base_version: u64,
    verified_on: String,
}

/// `POST /consola/centros/{centro}/compromisos/{id}/hitos/{m}/verificar`: at the desk.
pub async fn verify(State(state): State<AppState>, session: Session, Path((centro, id, m)): Path<(String, String, String)>, Form(f): Form<VerifyForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        let verified_on = NaiveDate::parse_from_str(f.verified_on.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::Unprocessable("invalid", "Escriba la fecha de verificación como AAAA-MM-DD.".into()))?;
        let key3 = (key(&centro)?.into_string(), key(&id)?.into_string(), key(&m)?.into_string());
        filings::verify_milestone(&state, &session.device, key3, VerifyMilestone { base_version: f.base_version, verified_on, evidence: Vec::new() }).await?;
        Ok(format!("Hito {m} verificado en escritorio."))
    }
    .await;
    back(&session, &centro, result)
}

/// `POST /consola/centros/{centro}/compromisos/{id}/hitos/{m}/evidencia` (multipart): the
/// whole file at once, through the same checks as the API's resumable upload.
pub async fn upload(State(state): State<AppState>, session: Session, Path((centro, id, m)): Path<(String, String, String)>, multipart: Multipart) -> Response {
    let result = async {
        let super::page::UploadedFile { csrf, name, bytes: file, .. } = super::page::multipart_file(multipart).await?;
        session.check_csrf(&csrf)?;
        let name = if name.trim().is_empty() { "evidencia".to_string() } else { name };
        let kind = EvidenceType::sniff(&file).ok_or_else(|| AppError::Unprocessable("wrong_type", "Solo se aceptan documentos PDF, JPEG y PNG.".into()))?;
        let upload = Upload {
            key: (key(&centro)?.into_string(), key(&id)?.into_string(), key(&m)?.into_string()),
            sha256: shared::digest::sha256_hex(&file),
            file_name: name.clone(),
            kind,
            offset: 0,
            total: file.len() as u64,
        };
        let status = filings::upload_evidence(&state, &session.device, upload, axum::body::Body::from(file)).await?;
        if !status.complete {
            return Err(AppError::Internal(anyhow::anyhow!("a whole evidence file was stored incomplete")));
        }
        Ok(format!("Evidencia «{name}» subida al hito {m}."))
    }
    .await;
    back(&session, &centro, result)
}

/// What waits on whom, as a card on a console home; empty when nothing waits.
pub fn waiting_card(session: &Session, w: &Waiting) -> Markup {
    let enlace = access::grant(session.device.user.role, Resource::Commitments) == Some(Grant::Institution);
    let link = |c: &str| centro_home(session, c);
    html! {
        @if !w.is_empty() {
            div.card #pendientes {
                h2 { "Pendientes" }
                ul {
                    @for (c, id, d) in &w.returned {
                        li data-waiting="devuelto" { a href=(link(c)) { (c) } ": compromiso «" (d) "» (" (id) ") "
                            @if enlace { "devuelto por coordinación: corríjalo y envíelo de nuevo." } @else { "devuelto; espera al enlace." } }
                    }
                    @for (c, id, d) in &w.to_confirm {
                        li data-waiting="propuesto" { a href=(link(c)) { (c) } ": compromiso «" (d) "» (" (id) ") "
                            @if enlace { "espera la confirmación de coordinación." } @else { "por confirmar (impacto) o devolver." } }
                    }
                    @for e in &w.extensions {
                        li data-waiting="prorroga" { a href=(link(&e.centro_id)) { (e.centro_id) } ": prórroga del hito " (e.milestone_id) " (" (e.commitment_id) ") al "
                            (date(e.info.requested_due)) @if enlace { ", espera respuesta de coordinación." } @else { ", por decidir." } }
                    }
                    @for r in &w.incorporations {
                        li data-waiting="incorporacion" { a href="/consola/incorporacion" { (r.centro_id) } ": solicitud de incorporación al periodo " (r.period_id) ", "
                            @match (enlace, r.staff.is_some()) {
                                (true, false) => "falta subir su plantilla de personal.",
                                (true, true) => "espera la decisión de coordinación.",
                                (false, false) => "espera la plantilla del enlace.",
                                (false, true) => "por aceptar o rechazar.",
                            } }
                    }
                    @for v in &w.evidence {
                        li data-waiting="evidencia" { a href=(link(&v.centro_id)) { (v.centro_id) } ": " (shared::words::count(v.documents as u64, "documento", "documentos")) " del hito " (v.milestone_id) " (" (v.commitment_id) ")"
                            @if enlace { ", esperan verificación de coordinación." } @else { " por verificar en escritorio." } }
                    }
                }
                p.muted { "El aviso por correo electrónico al enlace aún no se envía: estos pendientes se consultan aquí." }
            }
        }
    }
}
