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
use crate::client::{CallError, FieldClient, PickedFile};
use crate::field::{SURVEY_FORM, VISIT_FORM};
use crate::layout::{Page, Widget, by_field_list, by_item, general_section, one_per_page, question, section_step};

#[component]
pub fn Fill(draft: Uuid) -> Element {
    let app = use_context::<FieldClient>();
    let mut screen = use_context::<Signal<Screen>>();
    let mut version = use_signal(|| 0u64);
    // The page on screen; `None` until the user moves: the page the draft was left at.
    let mut page = use_signal(|| None::<usize>);
    let mut tried = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let mut revision = use_signal(|| 0u32);
    let mut confirm_discard = use_signal(|| false);
    // On a kiosk a citizen answers: no way to the home screen, and leaving drops the survey.
    let kiosk = use_context::<super::kiosk::KioskMode>().view.read().is_some();
    let home = (!kiosk).then_some(Screen::Home);
    // The summary on screen; `None` until the user moves: a correction opens on it.
    let mut reviewing = use_signal(|| None::<bool>);
    // Jumped from the summary to a question: offer the way back.
    let mut from_summary = use_signal(|| false);
    // What was last told to the app (the page left at, the question on screen), so that a
    // render does not repeat it.
    let told = use_hook(|| std::rc::Rc::new(std::cell::RefCell::new((None::<(Uuid, String)>, None::<(Uuid, String)>))));
    let asked = app.clone();
    let loaded = use_resource(use_reactive!(|draft| {
        let _ = version();
        let app = asked.clone();
        async move { app.draft(draft).await }
    }));
    let view = match loaded.read().clone() {
        None => return rsx! { super::Loading {} },
        Some(Ok(v)) if v.draft.id != draft => return rsx! { super::Loading {} },
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            return rsx! {
                super::Bar { title: "Registro", back: home }
                p { class: "error", "{e}" }
            };
        }
    };
    let survey = view.draft.form_id == SURVEY_FORM;
    let visit = view.draft.form_id == VISIT_FORM;
    let pages: Vec<Page> = if survey {
        one_per_page(&view.report.asked)
    } else if visit {
        by_item(&view.form, &view.report.asked, general_section(VISIT_FORM))
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
                        let _ = app.start_position(draft, &fix.geopoint).await;
                    }
                });
            }
        }
    });
    let n = pages.len().max(1);
    let left_at = || view.draft.place.as_ref().and_then(|at| pages.iter().position(|p| p.paths.contains(at))).unwrap_or(0);
    let idx = page().unwrap_or_else(left_at).min(n - 1);
    let current = pages.get(idx).cloned().unwrap_or(Page { title: String::new(), paths: vec![], table: false });
    let reviewing_now = reviewing().unwrap_or(view.draft.replaces.is_some() && view.draft.place.is_none());
    // Reopened after a reload, a restart or another screen, the draft comes back here.
    if let Some(first) = current.paths.first()
        && !reviewing_now
        && view.draft.place.as_ref() != Some(first)
        && told.borrow().0 != Some((draft, first.clone()))
    {
        told.borrow_mut().0 = Some((draft, first.clone()));
        let (app, first) = (app.clone(), first.clone());
        spawn(async move {
            let _ = app.save_place(draft, &first).await;
        });
    }
    let page_errors: Vec<&FieldError> = view.report.errors.iter().filter(|e| current.paths.contains(&e.path)).collect();
    let shown = |path: &str| -> Option<String> {
        page_errors.iter().find(|e| e.path == path && (e.code != ErrorCode::Required || tried())).map(|e| e.message.clone())
    };
    let previous = view.previous.as_ref().filter(|_| !survey).map(|p| p.answers.clone());
    let mut questions: Vec<_> =
        current.paths.iter().filter_map(|p| question(&view.form, p, &view.draft.answers, view.report.choices.get(p), previous.as_ref())).collect();
    for q in questions.iter_mut() {
        if matches!(q.widget, Widget::File(_)) && !q.value.is_empty() {
            q.kept = view.kept.get(&q.value).cloned();
        }
        // The form's media files, as the page shows them (a missing one is left out).
        let url = |file: &str| view.media.get(file).cloned();
        q.media = q.media.iter().filter_map(|(kind, file)| Some((kind.clone(), url(file)?))).collect();
        q.choice_images = q.choice_images.iter().filter_map(|(name, file)| Some((name.clone(), url(file)?))).collect();
    }
    // Time on screen, for forms with an `audit` question (a failed write only loses
    // that stretch of the audit, never an answer).
    if crate::capture::audits(&view.form)
        && let Some(first) = current.paths.first()
        && told.borrow().1 != Some((draft, first.clone()))
    {
        told.borrow_mut().1 = Some((draft, first.clone()));
        let (app, first) = (app.clone(), first.clone());
        spawn(async move {
            let _ = app.on_screen(draft, &first).await;
        });
    }
    let one_question = questions.len() == 1;
    let last = idx + 1 >= n;
    let can_leave = page_errors.is_empty();
    let title = view.form.title.get(view.form.language()).unwrap_or(&view.form.id).to_string();
    let centro = view.draft.centro_id.clone();
    let refusal = survey && view.draft.answers.get(crate::field::CONSENT_ITEM).is_some_and(|v| v == crate::field::CONSENT_NO);
    // Pages behind, out of all: 0 on the first page, 100 on the summary.
    let progress = if reviewing_now { 100 } else { idx * 100 / n };
    let answer = {
        let app = app.clone();
        move |(path, value, auto_next): (String, Option<String>, bool)| {
            let app = app.clone();
            spawn(async move {
                match app.answer(draft, &path, value.as_deref()).await {
                    Ok(()) => {
                        error.set(None);
                        if auto_next {
                            page.set(Some(idx + 1));
                            tried.set(false);
                        }
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
                version += 1;
            });
        }
    };
    let finish = {
        let (app, centro) = (app.clone(), centro.clone());
        move |_| {
            let (app, centro) = (app.clone(), centro.clone());
            async move {
                match app.finalise(draft).await {
                    Ok(()) => screen.set(Screen::Saved { centro, refusal, counting: survey }),
                    Err(CallError::Invalid(problems)) => {
                        tried.set(true);
                        reviewing.set(Some(true));
                        error.set(Some(format!("No se puede terminar todavía: {}", problems.join("; "))));
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
            }
        }
    };
    let general = general_section(&view.draft.form_id);
    let sections = if reviewing_now { crate::summary::summary(&view.form, &pages, &view.draft.answers, &view.report, general) } else { Vec::new() };
    let missing = sections.iter().flat_map(|s| &s.rows).filter(|r| r.problem.is_some()).count();
    let go_to = {
        let pages = pages.clone();
        move |path: String| {
            if let Some(i) = pages.iter().position(|p| p.paths.contains(&path)) {
                page.set(Some(i));
                tried.set(true);
                from_summary.set(reviewing_now);
                reviewing.set(Some(false));
            }
        }
    };
    rsx! {
        super::Bar { title: title, subtitle: Some(view.centro_name.clone()), back: home }
        div { class: "progress", role: "progressbar", "aria-label": "Avance del registro", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "{progress}",
            div { class: "progress-fill", style: "width: {progress}%" }
        }
        p { class: "muted step", id: "paso",
            if reviewing_now { "Resumen antes de terminar" }
            else if survey && n == 1 { "Antes de empezar" }
            else if survey { "Pregunta {idx + 1} de {n}" }
            else if visit { {let (s, ss, i, ii) = section_step(&pages, idx); format!("Sección {s} de {ss} · reactivo {i} de {ii}")} }
            else { "Paso {idx + 1} de {n}" }
        }
        if visit {
            button { id: "compromisos", class: "secondary wide",
                onclick: {
                    let centro = centro.clone();
                    move |_| screen.set(Screen::Program { centro: centro.clone(), back: Some(draft) })
                },
                "Compromisos y quejas del centro"
            }
        }
        if reviewing_now {
            section { class: "card fill", id: "resumen",
                h2 { "Revise antes de terminar" }
                if missing > 0 {
                    p { class: "error", role: "alert", id: "faltan",
                        {shared::words::count(missing as u64, "respuesta por corregir", "respuestas por corregir")}
                        ". Toque una para ir a la pregunta."
                    }
                }
                for sec in sections.iter().cloned() {
                    h3 { class: "summary-section", "{sec.title}" }
                    for row in sec.rows.iter().cloned() {
                        button { class: if row.problem.is_some() { "row-button summary-row missing" } else { "row-button summary-row" },
                            key: "{row.path}", "data-summary": "{row.path}",
                            onclick: {
                                let (mut go_to, path) = (go_to.clone(), row.path.clone());
                                move |_| go_to(path.clone())
                            },
                            span { class: "summary-label", "{row.label}" }
                            span { class: "summary-answer", {row.answer.clone().unwrap_or_else(|| "Sin respuesta".into())} }
                            if let Some(p) = &row.problem { span { class: "error", "{p}" } }
                        }
                    }
                }
                if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            }
            div { class: "steps",
                button { id: "seguir", class: "secondary", onclick: move |_| reviewing.set(Some(false)), "‹ Seguir editando" }
                button { id: "guardar", class: "big", disabled: missing > 0, onclick: finish, "Terminar y guardar" }
            }
        } else {
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
                                let (answer, path) = (answer.clone(), q.path.clone());
                                move |v: Option<String>| answer((path.clone(), v, quick))
                            },
                            on_file: {
                                let (app, path) = (app.clone(), q.path.clone());
                                move |file: Option<super::capture::Picked>| -> super::Pending<Result<(), String>> {
                                    let (app, path) = (app.clone(), path.clone());
                                    Box::pin(async move {
                                        let file = file.map(|f| PickedFile { name: f.name, bytes: f.bytes });
                                        let kept = app.answer_file(draft, &path, file).await.map_err(|e| e.to_string());
                                        version += 1;
                                        kept
                                    })
                                }
                            },
                        }
                        if q.stopwatch {
                            Stopwatch {
                                id: format!("cronometro-{}", q.path.replace(['[', ']', '/'], "_")),
                                draft,
                                path: q.path.clone(),
                                on_stopped: move |done: Result<(), String>| {
                                    error.set(done.err());
                                    revision += 1;
                                    version += 1;
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
                                        let (app, item) = (app.clone(), item.clone());
                                        spawn(async move {
                                            match app.score_reason(draft, &item, reason.as_deref()).await {
                                                Ok(()) => error.set(None),
                                                Err(e) => error.set(Some(e.to_string())),
                                            }
                                            version += 1;
                                        });
                                    }
                                },
                            }
                        }
                        if q.wants_photo {
                            PhotoInput {
                                id: format!("foto-{}", q.name),
                                kept: view.draft.photos.iter().filter(|(item, _)| *item == q.name).filter_map(|(_, sha)| Some((sha.clone(), view.previews.get(sha)?.clone()))).collect::<Vec<_>>(),
                                on_photo: {
                                    let (app, item) = (app.clone(), q.name.clone());
                                    move |bytes: Vec<u8>| -> super::Pending<Result<(), String>> {
                                        let (app, item) = (app.clone(), item.clone());
                                        Box::pin(async move {
                                            let kept = app.add_photo(draft, &item, bytes).await.map(|_| ()).map_err(|e| e.to_string());
                                            version += 1;
                                            kept
                                        })
                                    }
                                },
                                on_remove: {
                                    let (app, item) = (app.clone(), q.name.clone());
                                    move |sha: String| -> super::Pending<Result<(), String>> {
                                        let (app, item) = (app.clone(), item.clone());
                                        Box::pin(async move {
                                            let done = app.remove_photo(draft, &item, &sha).await.map_err(|e| e.to_string());
                                            version += 1;
                                            done
                                        })
                                    }
                                },
                            }
                        }
                    }
                }
                if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            }
            div { class: "steps",
                button { id: "anterior", class: "secondary", disabled: idx == 0, onclick: move |_| { page.set(Some(idx.saturating_sub(1))); tried.set(false); }, "‹ Anterior" }
                if from_summary() && can_leave && !last {
                button { id: "volver-resumen", class: "secondary", onclick: move |_| reviewing.set(Some(true)), "Volver al resumen" }
            }
            if last && can_leave && refusal {
                    button { id: "terminar", class: "big", onclick: finish.clone(), "Terminar y guardar" }
                } else if last && can_leave {
                    button { id: "terminar", class: "big", onclick: move |_| reviewing.set(Some(true)), "Revisar y terminar" }
                } else {
                    button { id: "siguiente", class: "big",
                        onclick: move |_| {
                            if can_leave {
                                page.set(Some((idx + 1).min(n - 1)));
                                tried.set(false);
                            } else {
                                tried.set(true);
                            }
                        },
                        "Siguiente ›"
                    }
                }
            }
        }
        if confirm_discard() && kiosk {
            super::widgets::Confirm {
                id: "descarte",
                title: "¿Dejar la encuesta?",
                text: "Sus respuestas no se enviarán.",
                no: "No, seguir",
                yes: "Sí, dejarla",
                danger: true,
                on_no: move |_| confirm_discard.set(false),
                // The welcome keeps what was open as abandoned.
                on_yes: move |_| screen.set(Screen::Home),
            }
        } else if confirm_discard() {
            super::widgets::Confirm {
                id: "descarte",
                title: "¿Descartar este registro?",
                text: "Sale de la lista de pendientes. Podrá recuperarlo desde el inicio hasta que termine el día.",
                no: "No, seguir",
                yes: "Sí, descartar",
                danger: true,
                on_no: move |_| confirm_discard.set(false),
                on_yes: {
                    let app = app.clone();
                    move |_| {
                        let app = app.clone();
                        spawn(async move {
                            match app.discard(draft).await {
                                Ok(()) => screen.set(Screen::Home),
                                Err(e) => error.set(Some(e.to_string())),
                            }
                        });
                    }
                },
            }
        } else {
            button { id: "descartar", class: "link", onclick: move |_| confirm_discard.set(true),
                if kiosk { "Dejar la encuesta" } else { "Descartar este registro" }
            }
        }
    }
}
