//! Filling a record: the exit survey one question per screen (consent first, faces for
//! the 5-point scale), the checklist one pillar per screen (previous result beside each
//! item, evidence photos). Every answer is saved as it is given; relevance and
//! constraints are re-evaluated by the `shared` form engine after each one.

use dioxus::prelude::*;
use shared::validate::{ErrorCode, FieldError};
use uuid::Uuid;

use super::Screen;
use super::photo_input::PhotoInput;
use super::stopwatch::Stopwatch;
use super::suggestion::ScoreSuggestion;
use super::widgets::Question;
use crate::field::{FieldApp, SURVEY_FORM, VISIT_FORM};
use crate::layout::{Page, Widget, by_field_list, by_section, one_per_page, question};
use crate::record::FinaliseError;

#[component]
pub fn Fill(draft: Uuid) -> Element {
    let app = use_context::<FieldApp>();
    let mut screen = use_context::<Signal<Screen>>();
    let mut version = use_signal(|| 0u64);
    let mut page = use_signal(|| 0usize);
    let mut tried = use_signal(|| false);
    let mut final_errors = use_signal(Vec::<FieldError>::new);
    let mut error = use_signal(|| None::<String>);
    let mut revision = use_signal(|| 0u32);
    let _ = version();
    let view = match app.draft(draft) {
        Ok(v) => v,
        Err(e) => {
            return rsx! {
                super::Bar { title: "Registro", back: Some(Screen::Home) }
                p { class: "error", "{e}" }
            };
        }
    };
    let survey = view.draft.form_id == SURVEY_FORM;
    let visit = view.draft.form_id == VISIT_FORM;
    let pages: Vec<Page> = if survey {
        one_per_page(&view.report.asked)
    } else if visit {
        by_section(&view.form, &view.report.asked, "Datos de la visita")
    } else {
        by_field_list(&view.form, &view.report.asked)
    };
    // The position where the record was started: asked once, never waited for.
    let located = view.draft.position.is_some();
    use_effect({
        let app = app.clone();
        move || {
            if !located {
                let app = app.clone();
                spawn(async move {
                    if let Ok(fix) = super::capture::locate().await {
                        let _ = app.start_position(draft, &fix.geopoint);
                    }
                });
            }
        }
    });
    let n = pages.len().max(1);
    let idx = page().min(n - 1);
    let current = pages.get(idx).cloned().unwrap_or(Page { title: String::new(), paths: vec![], table: false });
    let page_errors: Vec<&FieldError> = view.report.errors.iter().filter(|e| current.paths.contains(&e.path)).collect();
    let shown = |path: &str| -> Option<String> {
        page_errors.iter().find(|e| e.path == path && (e.code != ErrorCode::Required || tried())).map(|e| e.message.clone())
    };
    let previous = view.previous.as_ref().filter(|_| !survey).map(|p| p.answers.clone());
    let mut questions: Vec<_> =
        current.paths.iter().filter_map(|p| question(&view.form, p, &view.draft.answers, view.report.choices.get(p), previous.as_ref())).collect();
    for q in questions.iter_mut() {
        if matches!(q.widget, Widget::File(_)) && !q.value.is_empty() {
            q.kept = app.kept_file(&q.value);
        }
        // The form's media files, as the page shows them (a missing one is left out).
        let url = |file: &str| app.form_media(&view.draft.form_id, &view.draft.form_version, file);
        q.media = q.media.iter().filter_map(|(kind, file)| Some((kind.clone(), url(file)?))).collect();
        q.choice_images = q.choice_images.iter().filter_map(|(name, file)| Some((name.clone(), url(file)?))).collect();
    }
    // Time on screen, for forms with an `audit` question (a failed write only loses
    // that stretch of the audit, never an answer).
    if crate::capture::audits(&view.form)
        && let Some(first) = current.paths.first()
    {
        let _ = app.on_screen(draft, first);
    }
    let one_question = questions.len() == 1;
    let last = idx + 1 >= n;
    let can_leave = page_errors.is_empty();
    let title = view.form.title.get(view.form.language()).unwrap_or(&view.form.id).to_string();
    let centro = view.draft.centro_id.clone();
    let refusal = survey && view.draft.answers.get(crate::field::CONSENT_ITEM).is_some_and(|v| v == crate::field::CONSENT_NO);
    let progress = ((idx + 1) * 100 / n).min(100);
    let answer = {
        let app = app.clone();
        move |(path, value, auto_next): (String, Option<String>, bool)| {
            match app.answer(draft, &path, value.as_deref()) {
                Ok(()) => {
                    error.set(None);
                    if auto_next {
                        page += 1;
                        tried.set(false);
                    }
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            version += 1;
        }
    };
    let finish = {
        let (app, centro) = (app.clone(), centro.clone());
        move |_| match app.finalise(draft) {
            Ok(_) => screen.set(Screen::Saved { centro: centro.clone(), refusal, counting: survey }),
            Err(FinaliseError::Invalid(report)) => {
                tried.set(true);
                final_errors.set(report.errors);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let go_to = {
        let pages = pages.clone();
        move |path: String| {
            if let Some(i) = pages.iter().position(|p| p.paths.contains(&path)) {
                page.set(i);
                tried.set(true);
                final_errors.set(Vec::new());
            }
        }
    };
    rsx! {
        super::Bar { title: title, subtitle: Some(view.centro_name.clone()), back: Some(Screen::Home) }
        div { class: "progress", role: "progressbar", "aria-valuenow": "{progress}",
            div { class: "progress-fill", style: "width: {progress}%" }
        }
        p { class: "muted step", id: "paso", if survey && n == 1 { "Antes de empezar" } else if survey { "Pregunta {idx + 1} de {n}" } else if visit { "Sección {idx + 1} de {n}" } else { "Paso {idx + 1} de {n}" } }
        if visit {
            button { id: "compromisos", class: "secondary wide",
                onclick: {
                    let centro = centro.clone();
                    move |_| screen.set(Screen::Program { centro: centro.clone(), back: Some(draft) })
                },
                "Compromisos y quejas del centro"
            }
        }
        section { class: if current.table { "card fill table-list" } else { "card fill" }, id: "formulario",
            if !current.title.is_empty() { h2 { "{current.title}" } }
            for q in questions.iter().cloned() {
                div { key: "{q.path}",
                    Question {
                        q: q.clone(),
                        error: shown(&q.path),
                        revision: revision(),
                        on_answer: {
                            // A single choice moves on by itself in the survey and with `quick`.
                            let quick = q.widget == Widget::Choice && one_question && (survey || q.looks("quick"));
                            let (mut answer, path) = (answer.clone(), q.path.clone());
                            move |v: Option<String>| answer((path.clone(), v, quick))
                        },
                        on_file: {
                            let (app, path) = (app.clone(), q.path.clone());
                            move |file: Option<super::capture::Picked>| {
                                let kept = app.answer_file(draft, &path, file.as_ref().map(|f| (f.name.as_str(), f.bytes.as_slice()))).map_err(|e| e.to_string());
                                version += 1;
                                kept
                            }
                        },
                    }
                    if q.stopwatch {
                        Stopwatch {
                            id: format!("cronometro-{}", q.path.replace(['[', ']', '/'], "_")),
                            on_minutes: {
                                let (mut answer, path) = (answer.clone(), q.path.clone());
                                move |m: String| {
                                    answer((path.clone(), Some(m), false));
                                    revision += 1;
                                }
                            },
                        }
                    }
                    if let Some(note) = view.draft.score_notes.iter().find(|n| n.item == q.name).cloned() {
                        ScoreSuggestion {
                            note,
                            choices: q.choices.clone(),
                            answered: q.value.clone(),
                            on_reason: {
                                let (app, item) = (app.clone(), q.name.clone());
                                move |reason: Option<String>| {
                                    match app.score_reason(draft, &item, reason.as_deref()) {
                                        Ok(()) => error.set(None),
                                        Err(e) => error.set(Some(e.to_string())),
                                    }
                                    version += 1;
                                }
                            },
                        }
                    }
                    if q.wants_photo {
                        PhotoInput {
                            id: format!("foto-{}", q.name),
                            count: view.draft.photos.iter().filter(|(item, _)| *item == q.name).count(),
                            on_photo: {
                                let (app, item) = (app.clone(), q.name.clone());
                                move |bytes: Vec<u8>| {
                                    let kept = app.add_photo(draft, &item, &bytes).map(|_| ()).map_err(|e| e.to_string());
                                    version += 1;
                                    kept
                                }
                            },
                        }
                    }
                }
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
        }
        if !final_errors().is_empty() {
            section { class: "card alert", id: "por-corregir",
                h2 { "Falta corregir antes de terminar" }
                for e in final_errors().into_iter() {
                    button { class: "row-button", key: "{e.path}",
                        onclick: {
                            let (mut go_to, path) = (go_to.clone(), e.path.clone());
                            move |_| go_to(path.clone())
                        },
                        strong { "{e.path}" }
                        span { " · {e.message}" }
                    }
                }
            }
        }
        nav { class: "steps",
            button { id: "anterior", class: "secondary", disabled: idx == 0, onclick: move |_| { page.set(idx.saturating_sub(1)); tried.set(false); }, "‹ Anterior" }
            if last && can_leave {
                button { id: "terminar", class: "big", onclick: finish, "Terminar y guardar" }
            } else {
                button { id: "siguiente", class: "big",
                    onclick: move |_| {
                        if can_leave {
                            page.set((idx + 1).min(n - 1));
                            tried.set(false);
                        } else {
                            tried.set(true);
                        }
                    },
                    "Siguiente ›"
                }
            }
        }
        button { id: "descartar", class: "link",
            onclick: {
                let app = app.clone();
                move |_| if app.discard(draft).is_ok() { screen.set(Screen::Home) }
            },
            "Descartar este registro"
        }
    }
}
