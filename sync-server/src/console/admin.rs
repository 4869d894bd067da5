//! Administración (staff and admin): forms (upload an XLSForm, see every error by row,
//! preview, publish), centros (import from CSV or XLSX), users and assignments, quotas,
//! and devices (revoke).

use super::extract::{Form, Path, Query};
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use shared::protocol::{NewUserRequest, Role};
use uuid::Uuid;

use super::page::{Session, error_page, layout, render, respond};
use crate::access::{self, Resource};
use crate::error::AppError;
use crate::service::program::{assign_centro, centros_from_file, new_user, set_quota, staff};
use crate::state::AppState;

/// Problems located in a file: (sheet, row, column, message).
use super::page::{Located, problems_table};

#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    hecho: Option<String>,
    /// Searches of the lists of users, periods and devices.
    #[serde(default)]
    u: String,
    #[serde(default)]
    p: String,
    #[serde(default)]
    d: String,
}

/// A form of this page the server refused: what was typed (passwords never), and the
/// problem, shown beside the field it is about (or at the top of the form).
#[derive(Debug, Default)]
pub struct Refused {
    /// Which form: `usuario` or `periodo`.
    form: &'static str,
    values: std::collections::BTreeMap<&'static str, String>,
    field: &'static str,
    message: String,
}

impl Refused {
    /// What was typed in `field` of `form`, when that form was refused.
    fn typed(&self, form: &str, field: &str) -> &str {
        if self.form == form { self.values.get(field).map_or("", String::as_str) } else { "" }
    }

    /// The problem with `field` of `form`, if that is where it is.
    fn problem(&self, form: &str, field: &str) -> Option<&str> {
        (self.form == form && self.field == field).then_some(self.message.as_str())
    }
}

/// The problem beside a field.
fn field_error(problem: Option<&str>) -> Markup {
    html! { @if let Some(m) = problem { p.error.field-error role="alert" { (m) } } }
}

/// The longest search text.
const MAX_SEARCH: usize = 100;
/// The most users listed at once.
const USERS_SHOWN: usize = 200;

/// A search as typed, trimmed and cut to [`MAX_SEARCH`] characters.
fn search_text(q: &str) -> String {
    q.trim().chars().take(MAX_SEARCH).collect()
}

/// Whether `text` contains `q`, ignoring case (an empty search matches everything).
fn matches(q: &str, text: &[&str]) -> bool {
    let q = q.to_lowercase();
    q.is_empty() || text.iter().any(|t| t.to_lowercase().contains(&q))
}

/// A search box of one list, keeping the other lists' searches.
fn search_box(name: &str, label: &str, anchor: &str, n: &Notice) -> Markup {
    let id = format!("buscar-{name}");
    html! {
        form.toolbar.search method="get" action=(format!("/consola/admin#{anchor}")) role="search" aria-label=(label) {
            @for (other, value) in [("u", &n.u), ("p", &n.p), ("d", &n.d)] {
                @if other != name && !value.is_empty() { input type="hidden" name=(other) value=(value); }
            }
            div { label for=(id) { (label) } input id=(id) type="search" name=(name) value=(search_text(match name { "u" => &n.u, "p" => &n.p, _ => &n.d })) maxlength=(MAX_SEARCH); }
            button.light id=(format!("{id}-boton")) type="submit" { "Buscar" }
        }
    }
}

/// After a form: back to the page with what was done, or the error as a page.
fn finish(session: &Session, result: Result<String, AppError>) -> Response {
    super::page::after_form(session, "/consola/admin", result)
}

fn back(done: &str) -> Response {
    super::page::redirect_with_notice("/consola/admin", done)
}

async fn admin_page(state: &AppState, session: &Session, n: &Notice, extra: Markup) -> Result<Markup, AppError> {
    admin_page_refused(state, session, n, extra, &Refused::default()).await
}

async fn admin_page_refused(state: &AppState, session: &Session, n: &Notice, extra: Markup, r: &Refused) -> Result<Markup, AppError> {
    staff(&session.device)?;
    let forms = state.db.forms().await?;
    let names = state.db.centro_names().await?;
    let institutions = state.db.institutions().await?;
    let periods = state.db.period_list().await?;
    let period_states: std::collections::HashMap<String, shared::protocol::PeriodState> =
        state.db.period_states().await?.into_iter().map(|(id, s)| (id, s.state)).collect();
    let who = access::reviewer(&session.device, Resource::Fieldwork)?;
    let today = state.today();
    let devices = state.db.device_days(who, today).await?;
    let csrf = &session.csrf;
    let is_admin = access::grant(session.device.user.role, Resource::Users).is_some();
    let (users, users_total) = state.db.users(search_text(&n.u), USERS_SHOWN).await?;
    let pq = search_text(&n.p);
    let periods_shown: Vec<&(String, String)> = periods.iter().filter(|(id, name)| matches(&pq, &[id, name])).collect();
    let dq = search_text(&n.d);
    let devices: Vec<&shared::protocol::DeviceDay> = devices.iter().filter(|d| matches(&dq, &[&d.label, &d.username, &d.display_name])).collect();
    let offset = state.local_offset;
    Ok(layout(
        "Administración",
        Some(session),
        "admin",
        html! {
            @if let Some(done) = &n.hecho { p.notice role="status" { (done) } }
            (extra)
            h2 { "Formularios" }
            div.card {
                table.rank {
                    thead { tr { th { "Formulario" } th { "Versión" } th { "Huella" } } }
                    tbody { @for f in &forms { tr { td { (f.title) div.muted { (f.form_id) } } td { (f.version) } td.muted { (f.fingerprint.get(..12).unwrap_or(&f.fingerprint)) } } } }
                }
                h3 { "Exportar respuestas" }
                @for f in &forms {
                    div.toolbar {
                        span { (f.title) " " (f.version) }
                        @for (fmt, label) in [("csv", "CSV"), ("xlsx", "XLSX")] {
                            form method="post" action="/consola/exportaciones" {
                                input type="hidden" name="csrf" value=(csrf);
                                input type="hidden" name="form_id" value=(f.form_id);
                                input type="hidden" name="version" value=(f.version);
                                input type="hidden" name="format" value=(fmt);
                                button.light type="submit" data-export=(format!("{}-{}-{fmt}", f.form_id, f.version)) { "Exportar " (label) }
                            }
                        }
                    }
                }
                form method="post" action="/consola/admin/formularios" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="xlsform" { "Subir un XLSForm (.xlsx) para revisarlo antes de publicar" }
                    input #xlsform type="file" name="archivo" accept=".xlsx" required;
                    label for="adjuntos" { "Archivos que el formulario usa (CSV o XML de listas y búsquedas, imágenes), si los hay" }
                    input #adjuntos type="file" name="adjuntos" accept=".csv,.xml,.png,.jpg,.jpeg,.mp3,.m4a" multiple;
                    p { button #revisar-formulario type="submit" { "Revisar" } }
                }
            }
            h2 { "Centros" }
            div.card {
                p.muted { (names.len()) " centros. Importe un CSV o XLSX con las columnas de la plantilla: se importan todas las filas o ninguna." }
                form method="post" action="/consola/admin/centros" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="centros-archivo" { "Archivo de centros (CSV o XLSX)" }
                    input #centros-archivo type="file" name="archivo" accept=".csv,.xlsx" required;
                    button type="submit" { "Importar centros" }
                }
            }
            div.card {
                h3 { "Intervalo de muestreo y trámites de un centro" }
                p.muted { "Se editan en la página del centro, con los valores de hoy a la vista." }
                form.toolbar method="get" action="/consola/admin/centro" {
                    div { label for="ce-centro" { "Centro" } select #ce-centro name="centro" { @for (id, (n, _)) in &names { option value=(id) { (n) " (" (id) ")" } } } }
                    button.light #editar-centro type="submit" { "Editar" }
                }
            }
            h2 { "Usuarios y asignaciones" }
            div.card {
                @if is_admin {
                    form method="post" action="/consola/admin/usuarios" {
                        input type="hidden" name="csrf" value=(csrf);
                        div.toolbar {
                            @if let Some(m) = r.problem("usuario", "") { p.error role="alert" { (m) } }
                            div { label for="nu-usuario" { "Usuario" } input #nu-usuario type="text" name="username" required maxlength="64" value=(r.typed("usuario", "username")); (field_error(r.problem("usuario", "username"))) }
                            div { label for="nu-nombre" { "Nombre" } input #nu-nombre type="text" name="display_name" required maxlength="100" value=(r.typed("usuario", "display_name")); (field_error(r.problem("usuario", "display_name"))) }
                            div { label for="nu-rol" { "Rol" } select #nu-rol name="role" {
                                @for (code, label) in [("surveyor", "Encuestador(a)"), ("inspector", "Inspector(a)"), ("supervisor", "Supervisor(a)"), ("enlace", "Enlace institucional"), ("staff", "Coordinación"), ("admin", "Administración")] {
                                    option value=(code) selected[r.typed("usuario", "role") == code] { (label) }
                                } } }
                            div { label for="nu-contrasena" { "Contraseña (8 o más)" } input #nu-contrasena type="password" name="password" required minlength="8"; (field_error(r.problem("usuario", "password"))) }
                            div { label for="nu-supervisor" { "Supervisor (usuario)" } input #nu-supervisor type="text" name="supervisor" maxlength="64" value=(r.typed("usuario", "supervisor")); (field_error(r.problem("usuario", "supervisor"))) }
                            div { label for="nu-institucion" { "Institución (enlace)" }
                                input #nu-institucion type="text" name="institution" maxlength="200" list="dependencias" value=(r.typed("usuario", "institution"));
                                datalist #dependencias { @for d in &institutions { option value=(d) {} } }
                                (field_error(r.problem("usuario", "institution"))) }
                            button type="submit" { "Crear usuario" }
                        }
                    }
                } @else { p.muted { "Solo administración crea usuarios." } }
                h3 #usuarios { "Usuarios" }
                (search_box("u", "Buscar por usuario o nombre", "usuarios", n))
                p.muted { @if users.len() as u64 == users_total { (shared::words::count(users_total, "usuario", "usuarios")) } @else { (users.len()) " de " (shared::words::count(users_total, "usuario", "usuarios")) "; escriba más letras para encontrar a alguien." } }
                table.rank #lista-usuarios {
                    thead { tr { th scope="col" { "Usuario" } th scope="col" { "Nombre" } th scope="col" { "Rol" } th scope="col" { "Supervisa" } th scope="col" { "Centros" } th scope="col" { "Dispositivos activos" } } }
                    tbody { @for u in &users {
                        tr data-user=(u.username) {
                            td { (u.username) @if !u.active { span.muted { " (inactivo)" } } }
                            td { (u.display_name) }
                            td { (super::page::role_label(u.role)) @if let Some(i) = &u.institution { div.muted { (i) } } }
                            td { (u.supervisor.as_deref().unwrap_or("—")) }
                            td.num { (u.centros) }
                            td.num { (u.devices) }
                        }
                    } }
                }
                form method="post" action="/consola/admin/asignaciones" {
                    input type="hidden" name="csrf" value=(csrf);
                    div.toolbar {
                        div { label for="as-usuario" { "Usuario" } input #as-usuario type="text" name="username" required maxlength="64"; }
                        div { label for="as-centro" { "Centro" } select #as-centro name="centro" { @for (id, (n, _)) in &names { option value=(id) { (n) " (" (id) ")" } } } }
                        button type="submit" { "Asignar centro" }
                    }
                }
            }
            h2 { "Periodos y método" }
            @if !periods.is_empty() {
                div.card #periodos {
                    p.muted { "El año del programa: un periodo abierto se cierra (se congelan sus resultados oficiales), se pide publicarlo y administración lo confirma." }
                    (search_box("p", "Buscar periodo", "periodos", n))
                    @if periods_shown.is_empty() { p.muted { "Ningún periodo coincide con la búsqueda." } }
                    ul.periods {
                        @for (id, name) in &periods_shown {
                            @let st = period_states.get(id.as_str()).copied().unwrap_or(shared::protocol::PeriodState::Abierto);
                            li { a href=(format!("/consola/periodos/{id}")) { (name) } " · " span class=(format!("state state-{}", st.code())) { (st.label()) } }
                        }
                    }
                }
            }
            div.card {
                p.muted { "Un periodo nuevo empieza con el método MGS-1; sus pesos y umbrales se ajustan en la página del periodo. Guardar un periodo que ya existe cambia su nombre o sus fechas y conserva su método." }
                form method="post" action="/consola/admin/periodos" {
                    input type="hidden" name="csrf" value=(csrf);
                    div.toolbar {
                        @if let Some(m) = r.problem("periodo", "") { p.error role="alert" { (m) } }
                        div { label for="pe-clave" { "Clave" } input #pe-clave type="text" name="id" required maxlength="40" value=(r.typed("periodo", "id")); (field_error(r.problem("periodo", "id"))) }
                        div { label for="pe-nombre" { "Nombre" } input #pe-nombre type="text" name="name" required maxlength="100" value=(r.typed("periodo", "name")); (field_error(r.problem("periodo", "name"))) }
                        div { label for="pe-inicio" { "Inicio" } input #pe-inicio type="date" name="start" required value=(r.typed("periodo", "start")); }
                        div { label for="pe-fin" { "Fin" } input #pe-fin type="date" name="end" required value=(r.typed("periodo", "end")); (field_error(r.problem("periodo", "end"))) }
                    }
                    p { button type="submit" { "Guardar periodo" } }
                }
            }
            h2 { "Cuotas por periodo" }
            div.card {
                form method="post" action="/consola/admin/cuotas" {
                    input type="hidden" name="csrf" value=(csrf);
                    div.toolbar {
                        div { label for="cu-periodo" { "Periodo" } select #cu-periodo name="period" { @for (id, n) in &periods { option value=(id) { (n) } } } }
                        div { label for="cu-centro" { "Centro" } select #cu-centro name="centro" { @for (id, (n, _)) in &names { option value=(id) { (n) } } } }
                        div { label for="cu-encuestas" { "Encuestas" } input #cu-encuestas type="number" name="surveys" min="0" max="100000" required; }
                        button type="submit" { "Guardar cuota" }
                    }
                }
            }
            @if is_admin {
                @let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
                (super::latency::latency_card(&state.latencies.last_hour(now)))
            }
            h2 #dispositivos { "Dispositivos" }
            div.card {
                (search_box("d", "Buscar por usuario, nombre o dispositivo", "dispositivos", n))
                @if devices.is_empty() { p.muted { "Ningún dispositivo coincide." } }
                table.rank #lista-dispositivos {
                    thead { tr { th scope="col" { "Dispositivo" } th scope="col" { "Última conexión" } th scope="col" { "Acción" } } }
                    tbody { @for d in &devices {
                        @let who = format!("{} ({})", d.display_name, d.username);
                        tr data-device=(d.device_id) {
                            td { strong { (who) } div.muted { (d.label) } }
                            td { (d.last_seen_at.as_deref().map_or_else(|| "nunca".to_string(), |t| shared::words::date_text_at(t, offset))) }
                            td { @if d.revoked { "dado de baja" } @else {
                                details.confirm {
                                    summary.button-like.danger-outline { "Dar de baja…" }
                                    form method="post" action=(format!("/consola/admin/dispositivos/{}/revocar", d.device_id)) {
                                        input type="hidden" name="csrf" value=(csrf);
                                        p.muted { "Su próxima conexión será rechazada; lo que no haya enviado se queda en el teléfono." }
                                        button.danger type="submit" data-revoke=(d.device_id) { "Sí, dar de baja el dispositivo de " (d.display_name) }
                                    }
                                } } }
                        }
                    } }
                }
            }
        },
    ))
}

pub async fn page(State(state): State<AppState>, session: Session, Query(n): Query<Notice>) -> Response {
    respond(&session, admin_page(&state, &session, &n, html! {}).await)
}

#[derive(Debug, Deserialize)]
pub struct CentroPick {
    centro: String,
}

/// `GET /consola/admin/centro?centro=…`: to the centro's settings on its page.
pub async fn pick_centro(session: Session, Query(f): Query<CentroPick>) -> Response {
    match shared::protocol::Key::parse(&f.centro) {
        Ok(k) => axum::response::Redirect::to(&format!("/consola/centros/{k}#ajustes")).into_response(),
        Err(e) => error_page(Some(&session), AppError::BadRequest("bad_query", format!("Centro inválido: {e}."))),
    }
}

/// The file and CSRF token of a multipart upload.
async fn upload(multipart: Multipart) -> Result<(String, Vec<u8>), AppError> {
    let upload = super::page::multipart_file(multipart).await?;
    Ok((upload.csrf, upload.bytes))
}

/// Checked uploads kept for «Publicar» (the oldest go first).
const STAGED_KEPT: usize = 20;

/// Checks an uploaded XLSForm: every error by sheet, row and column, or a preview with a
/// «Publicar» button (the upload kept in the database, so any server may publish it).
pub async fn review_form(State(state): State<AppState>, session: Session, multipart: Multipart) -> Response {
    let result = async {
        staff(&session.device)?;
        let upload = super::page::multipart_file(multipart).await?;
        session.check_csrf(&upload.csrf)?;
        let (file, file_name, attachments) = (upload.bytes, upload.name, upload.attachments);
        let (bytes, name, files) = (file.clone(), file_name.clone(), attachments.clone());
        let imported = tokio::task::spawn_blocking(move || shared::form::import_with_files(&bytes, Some(&name).filter(|n| !n.is_empty()).map(String::as_str), &files))
            .await
            .map_err(anyhow::Error::from)?;
        let extra = match imported {
            Err(errors) => {
                let located: Located = errors.iter().map(|e| (e.location.sheet.clone(), e.location.row, e.location.column.clone(), e.kind.to_string())).collect();
                let title = format!("El formulario tiene {}; corríjalos en la hoja de cálculo y súbalo de nuevo.", shared::words::count(located.len() as u64, "problema", "problemas"));
                return Ok((StatusCode::BAD_REQUEST, problems_table(&title, &located)));
            }
            Ok(imported) => {
                let form = imported.form;
                let sha = shared::digest::sha256_hex(&file);
                state.db.stage_form(sha.clone(), (file_name, file, attachments), STAGED_KEPT).await?;
                let title = form.title.get(form.language()).unwrap_or(&form.id).to_string();
                html! {
                    div.card #vista-previa {
                        p.notice { "El formulario no tiene errores." }
                        p { strong { (title) } " · " (form.id) " versión " (form.version) " · " (form.question_count()) " preguntas" }
                        @if !form.files.is_empty() {
                            p #adjuntos-revisados { "Archivos: " (form.files.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")) }
                        }
                        @for w in &imported.warnings { p.muted { "Aviso: " (w) } }
                        pre.preview { (shared::form::render_text(&form)) }
                        form method="post" action="/consola/admin/formularios/publicar" {
                            input type="hidden" name="csrf" value=(session.csrf);
                            input type="hidden" name="sha" value=(sha);
                            button #publicar type="submit" { "Publicar esta versión" }
                        }
                    }
                }
            }
        };
        Ok((StatusCode::OK, extra))
    }
    .await;
    match result {
        Ok((status, extra)) => match admin_page(&state, &session, &Notice::default(), extra).await {
            Ok(m) => (status, render(m)).into_response(),
            Err(e) => error_page(Some(&session), e),
        },
        Err(e) => error_page(Some(&session), e),
    }
}

#[derive(Debug, Deserialize)]
pub struct PublishForm {
    csrf: String,
    sha: String,
}

pub async fn publish(State(state): State<AppState>, session: Session, Form(f): Form<PublishForm>) -> Response {
    let result = async {
        staff(&session.device)?;
        session.check_csrf(&f.csrf)?;
        let (file_name, bytes, files) =
            state.db.take_staged_form(f.sha.clone()).await?.ok_or_else(|| AppError::NotFound("La revisión caducó; suba el archivo de nuevo.".into()))?;
        let outcome = crate::publish::publish_xlsx(&state, bytes, Some(file_name).filter(|n| !n.is_empty()), files).await?;
        state.db.audit(session.device.user_id, "publish_form", format!("{} {}", outcome.form_id, outcome.version)).await?;
        Ok::<_, AppError>(match outcome.published {
            shared::form::Published::New => format!("Publicado: {} versión {}.", outcome.form_id, outcome.version),
            shared::form::Published::Unchanged => format!("{} versión {} ya estaba publicado igual.", outcome.form_id, outcome.version),
        })
    }
    .await;
    finish(&session, result)
}

pub async fn import_centros(State(state): State<AppState>, session: Session, multipart: Multipart) -> Response {
    let result = async {
        let (csrf, file) = upload(multipart).await?;
        session.check_csrf(&csrf)?;
        centros_from_file(&state, &session.device, file).await
    }
    .await;
    match result {
        Ok(summary) => back(&format!("Se importaron {} centros.", summary.centros)),
        Err(AppError::Detailed(e)) => {
            let located: Located = super::page::located(&e);
            match admin_page(&state, &session, &Notice::default(), problems_table(&e.message, &located)).await {
                Ok(m) => (StatusCode::BAD_REQUEST, render(m)).into_response(),
                Err(e) => error_page(Some(&session), e),
            }
        }
        Err(e) => error_page(Some(&session), e),
    }
}

#[derive(Debug, Deserialize)]
pub struct UserForm {
    csrf: String,
    username: String,
    display_name: String,
    role: Role,
    password: String,
    #[serde(default)]
    supervisor: String,
    #[serde(default)]
    institution: String,
}

/// The field of the user form a refusal is about (`""`: the form as a whole).
fn user_field(e: &AppError) -> &'static str {
    let text = e.to_string().to_lowercase();
    match e {
        AppError::BadRequest("weak_password", _) => "password",
        AppError::Conflict(_) => "username",
        _ if text.contains("supervisor") => "supervisor",
        _ if text.contains("institución") => "institution",
        _ if text.contains("usuario") => "username",
        _ if text.contains("nombre") => "display_name",
        _ => "",
    }
}

/// The admin page again, with the refused form as it was typed and its problem beside
/// the field (the error's own status).
async fn refused_page(state: &AppState, session: &Session, e: AppError, refused: Refused) -> Response {
    let status = e.status();
    if matches!(status, StatusCode::FORBIDDEN | StatusCode::INTERNAL_SERVER_ERROR) {
        return error_page(Some(session), e);
    }
    match admin_page_refused(state, session, &Notice::default(), html! {}, &refused).await {
        Ok(m) => (status, render(m)).into_response(),
        Err(e) => error_page(Some(session), e),
    }
}

pub async fn create_user(State(state): State<AppState>, session: Session, Form(f): Form<UserForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        let supervisor = Some(f.supervisor.trim().to_string()).filter(|s| !s.is_empty());
        let institution = Some(f.institution.trim().to_string()).filter(|s| !s.is_empty());
        let request = NewUserRequest { username: f.username.trim().into(), display_name: f.display_name.trim().into(), role: f.role, password: f.password.clone(), supervisor, institution };
        new_user(&state, &session.device, request).await
    }
    .await;
    match result {
        Ok(u) => back(&format!("Usuario {} creado.", u.username)),
        Err(e) => {
            let values = [("username", f.username), ("display_name", f.display_name), ("role", f.role.code().to_string()), ("supervisor", f.supervisor), ("institution", f.institution)];
            let refused = Refused { form: "usuario", values: values.into_iter().collect(), field: user_field(&e), message: e.to_string() };
            refused_page(&state, &session, e, refused).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    csrf: String,
    username: String,
    centro: String,
}

pub async fn assign(State(state): State<AppState>, session: Session, Form(f): Form<AssignForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        assign_centro(&state, &session.device, f.username.trim().into(), f.centro.clone()).await
    }
    .await;
    finish(&session, result.map(|centros| format!("{} tiene {}.", f.username.trim(), shared::words::count(centros.len() as u64, "centro asignado", "centros asignados"))))
}

#[derive(Debug, Deserialize)]
pub struct QuotaForm {
    csrf: String,
    period: String,
    centro: String,
    surveys: u32,
}

pub async fn quota(State(state): State<AppState>, session: Session, Form(f): Form<QuotaForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        set_quota(&state, &session.device, f.period.clone(), f.centro.clone(), f.surveys).await
    }
    .await;
    finish(&session, result.map(|()| format!("Cuota de {}: {} encuestas.", f.centro, f.surveys)))
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn revoke(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>, Form(f): Form<CsrfOnly>) -> Response {
    let result = async {
        staff(&session.device)?;
        session.check_csrf(&f.csrf)?;
        crate::service::devices::revoke_device(&state, &session.device, id).await
    }
    .await;
    finish(&session, result.map(|()| "Dispositivo dado de baja: su próxima conexión será rechazada.".to_string()))
}

#[derive(Debug, Deserialize)]
pub struct PeriodForm {
    csrf: String,
    id: String,
    name: String,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
}

pub async fn period(State(state): State<AppState>, session: Session, Form(f): Form<PeriodForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        if f.end < f.start {
            return Err(AppError::BadRequest("invalid_body", "El fin del periodo no puede ser anterior a su inicio.".into()));
        }
        // An existing period keeps its method (changed in its own form); a new one starts with MGS-1.
        let settings = state.period_settings().period(f.id.trim()).map(|p| p.settings.clone());
        let def = shared::protocol::PeriodDefinition { name: f.name.trim().into(), start: f.start, end: f.end, settings };
        crate::service::program::save_period(&state, &session.device, f.id.trim().into(), def).await
    }
    .await;
    match result {
        Ok(p) => back(&format!("Periodo {} guardado.", p.name)),
        Err(e) => {
            let text = e.to_string().to_lowercase();
            let field = if text.contains("fin del periodo") { "end" } else if text.contains("clave") || matches!(e, AppError::Conflict(_)) { "id" } else { "" };
            let values = [("id", f.id), ("name", f.name), ("start", f.start.to_string()), ("end", f.end.to_string())];
            let refused = Refused { form: "periodo", values: values.into_iter().collect(), field, message: e.to_string() };
            refused_page(&state, &session, e, refused).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CentroForm {
    csrf: String,
    centro: String,
    k: u32,
    #[serde(default)]
    tramites: String,
}

use shared::form::centro_lists::{MAX_TRAMITE_CHARS, MAX_TRAMITES};

/// A centro's sampling interval and trámites, as a form filled with today's values
/// (staff, on the centro's page).
pub fn centro_settings_card(session: &Session, row: &crate::db::CentroRow) -> Markup {
    html! {
        h2 #ajustes { "Muestreo y trámites" }
        div.card {
            form method="post" action="/consola/admin/centro" {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="centro" value=(row.id);
                label for="ce-k" { "Encuestar a 1 de cada (k)" }
                input #ce-k type="number" name="k" min="1" max="100" required value=(row.sampling_interval) aria-describedby="ce-k-d";
                p.muted #ce-k-d { "De 1 a 100. Los teléfonos lo reciben al sincronizar." }
                label for="ce-tramites" { "Trámites y servicios que ofrece (uno por línea; la pregunta P0 los ofrece)" }
                textarea #ce-tramites name="tramites" rows=(row.tramites.len().clamp(3, 12)) aria-describedby="ce-tramites-d" { (row.tramites.join("\n")) }
                p.muted #ce-tramites-d { "Hasta " (MAX_TRAMITES) " trámites de " (MAX_TRAMITE_CHARS) " caracteres. Vacío: la pregunta ofrece la lista del formulario." }
                p { button #guardar-centro type="submit" { "Guardar muestreo y trámites" } }
            }
        }
    }
}

pub async fn centro(State(state): State<AppState>, session: Session, Form(f): Form<CentroForm>) -> Response {
    let result = async {
        staff(&session.device)?;
        session.check_csrf(&f.csrf)?;
        if !(1..=100).contains(&f.k) {
            return Err(AppError::BadRequest("invalid_body", "El intervalo k va de 1 a 100.".into()));
        }
        let mut row = state.db.centro(f.centro.clone()).await?;
        row.sampling_interval = f.k;
        let tramites = shared::form::centro_lists::tramites_of(f.tramites.lines()).map_err(|m| AppError::BadRequest("invalid_body", format!("Trámites: {m}.")))?;
        row.tramites = tramites;
        let name = row.name.clone();
        state.db.upsert_centro(row).await?;
        state.rebuild_scores().await.map_err(AppError::Internal)?;
        Ok::<_, AppError>(format!("{name}: intervalo k = {} y {} guardados; los teléfonos los reciben al sincronizar.", f.k, shared::words::count(f.tramites.lines().filter(|t| !t.trim().is_empty()).count() as u64, "trámite", "trámites")))
    }
    .await;
    match shared::protocol::Key::parse(&f.centro) {
        Ok(k) => super::page::after_form(&session, &format!("/consola/centros/{k}"), result),
        Err(_) => finish(&session, result),
    }
}
