//! A period's method as a form: every weight, threshold and term in its own field, named
//! in Spanish, with the method's default beside it. What was typed stays in the form when
//! something is wrong, and each problem shows beside its field.

use super::extract::{Form, Path};
use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use shared::protocol::{PeriodDefinition, PeriodState};
use shared::scoring::{MethodSettings, SettingKind, SettingProblem, setting_fields, settings_from_fields};

use super::page::{Session, error_page, redirect_with_notice, render};
use crate::error::AppError;
use crate::state::AppState;

/// What the form shows: the period's settings, or what was typed and its problems.
pub struct Typed<'a> {
    pub values: &'a BTreeMap<String, String>,
    pub problems: &'a [SettingProblem],
}

/// The field's HTML id.
fn field_id(key: &str) -> String {
    format!("m-{}", key.replace('.', "-"))
}

/// The method card of a period page: a form while the period is open and the reader may
/// change it, the values read-only otherwise.
pub fn method_card(session: &Session, period: &str, settings: &MethodSettings, editable: bool, typed: Option<Typed<'_>>) -> Markup {
    let fields = setting_fields(settings);
    let general: Vec<&String> = typed.as_ref().map(|t| t.problems.iter().filter(|(k, _)| k.is_empty()).map(|(_, m)| m).collect()).unwrap_or_default();
    let mut groups: Vec<(&'static str, Vec<&shared::scoring::SettingField>)> = Vec::new();
    for f in &fields {
        match groups.last_mut() {
            Some((g, list)) if *g == f.group => list.push(f),
            _ => groups.push((f.group, vec![f])),
        }
    }
    html! {
        div.card #metodo {
            h2 { "Método del periodo" }
            @if editable {
                p.muted { "Cada valor muestra a su lado el del método MGS-1. Los cambios recalculan los resultados preliminares del periodo." }
                @if typed.is_some() { p.error role="alert" { "Revise los campos marcados: no se guardó nada." } }
                @for m in &general { p.error role="alert" { (m) } }
                form method="post" action=(format!("/consola/periodos/{period}/metodo")) novalidate {
                    input type="hidden" name="csrf" value=(session.csrf);
                    @for (group, list) in &groups {
                        fieldset.settings {
                            legend { (group) }
                            @for f in list {
                                @let id = field_id(&f.key);
                                @let shown = typed.as_ref().and_then(|t| t.values.get(&f.key)).map_or(f.value.as_str(), String::as_str);
                                @let problem = typed.as_ref().and_then(|t| t.problems.iter().find(|(k, _)| *k == f.key)).map(|(_, m)| m);
                                div.setting data-setting=(f.key) {
                                    label for=(id) { (f.label) }
                                    input id=(id) type="text" name=(f.key) value=(shown) maxlength="200"
                                        inputmode=[matches!(f.kind, SettingKind::Integer | SettingKind::Decimal).then_some("decimal")]
                                        aria-invalid=[problem.map(|_| "true")]
                                        aria-describedby=(format!("{id}-d"));
                                    span.muted id=(format!("{id}-d")) { @match &f.default { Some(d) => { "MGS-1: " (d) }, None => "no está en MGS-1" } }
                                    @if let Some(m) = problem { p.error.field-error role="alert" { (m) } }
                                }
                            }
                        }
                    }
                    p { button #guardar-metodo type="submit" { "Guardar el método" } }
                }
            } @else {
                p.muted { "El método solo cambia mientras el periodo está abierto." }
                @for (group, list) in &groups {
                    h3 { (group) }
                    dl.facts { @for f in list { dt { (f.label) } dd data-setting=(f.key) { (f.value) } } }
                }
            }
        }
    }
}

/// `POST /consola/periodos/{period}/metodo`.
pub async fn save(State(state): State<AppState>, session: Session, Path(period): Path<String>, Form(sent): Form<Vec<(String, String)>>) -> Response {
    let sent: BTreeMap<String, String> = sent.into_iter().collect();
    let result = async {
        crate::service::program::staff(&session.device)?;
        session.check_csrf(sent.get("csrf").map_or("", String::as_str))?;
        let period = super::periods::key(&period)?;
        let p = state.period_settings().period(period.as_str()).cloned().ok_or_else(|| AppError::NotFound(format!("No existe el periodo «{period}».")))?;
        if state.period_settings().state(&p.id) != PeriodState::Abierto {
            return Err(AppError::Conflict(format!("El periodo «{}» está cerrado: reábralo (con su motivo) para cambiar su método.", p.id)));
        }
        let name = state.db.period_list().await?.into_iter().find(|(id, _)| *id == p.id).map_or_else(|| p.id.clone(), |(_, n)| n);
        Ok::<_, AppError>((p, name))
    }
    .await;
    let (p, name) = match result {
        Ok(found) => found,
        Err(e) => return error_page(Some(&session), e),
    };
    match settings_from_fields(&p.settings, &sent) {
        Ok(settings) => {
            let def = PeriodDefinition { name, start: p.start, end: p.end, settings: Some(settings) };
            match crate::service::program::save_period(&state, &session.device, p.id.clone(), def).await {
                Ok(_) => redirect_with_notice(&format!("/consola/periodos/{}#metodo", p.id), "Método guardado; los resultados preliminares se recalcularon."),
                Err(e) => error_page(Some(&session), e),
            }
        }
        Err(problems) => {
            let typed = Typed { values: &sent, problems: &problems };
            match super::periods::period_page(&state, &session, &p.id, None, Some(typed)).await {
                Ok(m) => (StatusCode::UNPROCESSABLE_ENTITY, render(m)).into_response(),
                Err(e) => error_page(Some(&session), e),
            }
        }
    }
}
