//! A centro's commitments (milestones to mark verified, with evidence photos) and the audit
//! of its complaints log. Edits are queued on the phone and sent by sync.

use std::collections::HashMap;

use chrono::NaiveDate;
use dioxus::prelude::*;
use shared::protocol::ComplaintInput;
use uuid::Uuid;

use super::Screen;
use super::photo_input::PhotoInput;
use crate::client::FieldClient;
use crate::store::edits::{EditKind, EditStatus};

fn status_label(s: EditStatus) -> &'static str {
    match s {
        EditStatus::Pending => "por enviar",
        EditStatus::Sent => "enviado",
        EditStatus::Conflict => "conflicto",
        EditStatus::Rejected => "no aceptado",
    }
}

fn date(d: NaiveDate) -> String {
    shared::words::date(d)
}

#[component]
pub fn Program(centro: String, back: Option<Uuid>) -> Element {
    let app = use_context::<FieldClient>();
    let mut version = use_signal(|| 0u32);
    let mut evidence = use_signal(HashMap::<String, Vec<String>>::new);
    let mut error = use_signal(|| None::<String>);
    let mut folio = use_signal(String::new);
    let mut received = use_signal(String::new);
    let mut responded = use_signal(String::new);
    let mut corrective = use_signal(|| None::<bool>);
    let mut acknowledged = use_signal(|| None::<bool>);
    let mut saved = use_signal(|| None::<String>);
    // The milestone («commitment/milestone») waiting for «Sí, verificar».
    let mut confirm_verify = use_signal(|| None::<String>);
    let back_to = back.map_or(Screen::Home, Screen::Fill);
    let asked = (app.clone(), centro.clone());
    let program = use_resource(move || {
        let _ = version();
        let (app, centro) = asked.clone();
        async move { app.centro_program(&centro).await }
    });
    let shown = app.clone();
    let previews = use_resource(move || {
        let shas: Vec<String> = evidence().values().flatten().cloned().collect();
        let app = shown.clone();
        async move { app.photo_previews(&shas).await.unwrap_or_default() }
    });
    let previews = previews.read().clone().unwrap_or_default();
    let view = match program.read().clone() {
        None => return rsx! { super::Loading {} },
        Some(Ok(v)) => v,
        Some(Err(e)) => return rsx! { super::Bar { title: "Compromisos", back: Some(back_to) } p { class: "error", "{e}" } },
    };
    let record_complaint = {
        let (app, centro) = (app.clone(), centro.clone());
        move |_| {
            saved.set(None);
            let Ok(rec) = received().parse::<NaiveDate>() else {
                error.set(Some("Escriba la fecha en que se recibió la queja.".into()));
                return;
            };
            let resp = if responded().is_empty() { Ok(None) } else { responded().parse::<NaiveDate>().map(Some) };
            let (Ok(resp), Some(corrective_action), Some(ack)) = (resp, corrective(), acknowledged()) else {
                error.set(Some("Indique la fecha de respuesta (si la hubo), la acción correctiva y el acuse.".into()));
                return;
            };
            let body = ComplaintInput { received: rec, responded: resp, corrective_action, acknowledged: ack };
            let (app, centro) = (app.clone(), centro.clone());
            spawn(async move {
                match app.audit_complaint(&centro, &folio(), body).await {
                    Ok(()) => {
                        error.set(None);
                        saved.set(Some(format!("Queja {} registrada.", folio().trim())));
                        folio.set(String::new());
                        version += 1;
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        }
    };
    let milestone_edits: Vec<_> = view.edits.iter().filter(|e| matches!(e.kind, EditKind::Milestone { .. })).cloned().collect();
    let complaint_edits: Vec<_> = view.edits.iter().filter(|e| matches!(e.kind, EditKind::Complaint { .. })).cloned().collect();
    rsx! {
        super::Bar { title: "Compromisos y quejas", subtitle: Some(view.centro.name.clone()), back: Some(back_to) }
        if let Some(e) = error() { p { class: "error card", role: "alert", "{e}" } }
        section { class: "card", id: "compromisos-lista",
            h2 { "Compromisos de mejora" }
            if view.commitments.is_empty() { p { class: "muted", "El centro no tiene compromisos registrados." } }
            for c in view.commitments.iter().cloned() {
                div { class: "commitment", key: "{c.commitment_id}",
                    strong { "{c.description}" }
                    div { class: "muted", "Impacto {c.impact} · versión {c.version}" }
                    for m in c.milestones.iter().cloned() {
                        div { class: "milestone", key: "{m.milestone_id}", "data-milestone": "{c.commitment_id}/{m.milestone_id}",
                            div { "{m.description}" }
                            div { class: "muted", "Vence el {date(m.due)}" }
                            match m.verified_on {
                                Some(d) => rsx! { div { class: "verified", "Verificado el {date(d)}" } },
                                None => {
                                    let key = format!("{}/{}", c.commitment_id, m.milestone_id);
                                    let queued = milestone_edits.iter().find(|e| matches!(&e.kind, EditKind::Milestone { commitment_id, milestone_id, .. } if *commitment_id == c.commitment_id && *milestone_id == m.milestone_id));
                                    match queued {
                                        Some(e) => rsx! {
                                            div { class: "verified", "Verificación {status_label(e.status)}" }
                                            if let Some(p) = &e.problem { p { class: "reason", "{p}" } }
                                        },
                                        None => {
                                            let photos = evidence().get(&key).cloned().unwrap_or_default();
                                            let photos_said = shared::words::count(photos.len() as u64, "foto", "fotos");
                                            let missing_id = photos.is_empty().then(|| format!("falta-evidencia-{key}"));
                                            rsx! {
                                                PhotoInput {
                                                    id: format!("evidencia-{}-{}", c.commitment_id, m.milestone_id),
                                                    kept: photos.iter().filter_map(|sha| Some((sha.clone(), previews.get(sha)?.clone()))).collect::<Vec<_>>(),
                                                    on_photo: {
                                                        let (app, key) = (app.clone(), key.clone());
                                                        move |bytes: Vec<u8>| -> super::Pending<Result<(), String>> {
                                                            let (app, key) = (app.clone(), key.clone());
                                                            Box::pin(async move {
                                                                let sha = app.store_photo(bytes).await.map_err(|e| e.to_string())?;
                                                                evidence.write().entry(key).or_default().push(sha);
                                                                Ok(())
                                                            })
                                                        }
                                                    },
                                                    on_remove: {
                                                        let key = key.clone();
                                                        move |sha: String| -> super::Pending<Result<(), String>> {
                                                            if let Some(list) = evidence.write().get_mut(&key) {
                                                                list.retain(|s| *s != sha);
                                                            }
                                                            Box::pin(async { Ok(()) })
                                                        }
                                                    },
                                                }
                                                if photos.is_empty() {
                                                    p { class: "muted", id: "falta-evidencia-{key}", "Para marcarlo verificado, tome al menos una foto de la evidencia." }
                                                }
                                                button { class: "big", "data-verify": "{key}", disabled: photos.is_empty(),
                                                    "aria-describedby": missing_id,
                                                    onclick: {
                                                        let key = key.clone();
                                                        move |_| confirm_verify.set(Some(key.clone()))
                                                    },
                                                    "Marcar verificado hoy"
                                                }
                                                if confirm_verify().as_deref() == Some(key.as_str()) {
                                                    super::widgets::Confirm {
                                                        id: "verificacion",
                                                        title: "¿Marcar el hito verificado hoy?",
                                                        text: format!("«{}», con {photos_said} de evidencia. Cuenta para el índice de compromisos y no se deshace desde el teléfono.", m.description),
                                                        no: "No, volver",
                                                        yes: "Sí, verificar",
                                                        danger: false,
                                                        on_no: move |_| confirm_verify.set(None),
                                                        on_yes: {
                                                            let (app, centro, cid, mid, key) = (app.clone(), centro.clone(), c.commitment_id.clone(), m.milestone_id.clone(), key.clone());
                                                            move |_| {
                                                                let photos = evidence().get(&key).cloned().unwrap_or_default();
                                                                confirm_verify.set(None);
                                                                let (app, centro, cid, mid) = (app.clone(), centro.clone(), cid.clone(), mid.clone());
                                                                spawn(async move {
                                                                    match app.verify_milestone(&centro, &cid, &mid, photos).await {
                                                                        Ok(()) => version += 1,
                                                                        Err(e) => error.set(Some(e.to_string())),
                                                                    }
                                                                });
                                                            }
                                                        },
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section { class: "card", id: "quejas",
            h2 { "Revisión del libro de quejas" }
            p { class: "muted", "Registre cada queja revisada: cuándo llegó, cuándo se respondió, si hubo acción correctiva y acuse al ciudadano." }
            label { r#for: "folio", "Folio" }
            input { id: "folio", class: "field", initial_value: "{folio}", oninput: move |e| folio.set(e.value()) }
            label { r#for: "recibida", "Recibida el" }
            input { id: "recibida", class: "field", r#type: "date", max: "{view.today}", oninput: move |e| received.set(e.value()) }
            label { r#for: "respondida", "Respondida el (vacío si no se ha respondido)" }
            input { id: "respondida", class: "field", r#type: "date", max: "{view.today}", oninput: move |e| responded.set(e.value()) }
            label { "¿Hubo acción correctiva?" }
            div { class: "choices item",
                button { class: if corrective() == Some(true) { "choice on" } else { "choice" }, id: "correctiva-si", onclick: move |_| corrective.set(Some(true)), "Sí" }
                button { class: if corrective() == Some(false) { "choice on" } else { "choice" }, id: "correctiva-no", onclick: move |_| corrective.set(Some(false)), "No" }
            }
            label { "¿Se entregó acuse al ciudadano?" }
            div { class: "choices item",
                button { class: if acknowledged() == Some(true) { "choice on" } else { "choice" }, id: "acuse-si", onclick: move |_| acknowledged.set(Some(true)), "Sí" }
                button { class: if acknowledged() == Some(false) { "choice on" } else { "choice" }, id: "acuse-no", onclick: move |_| acknowledged.set(Some(false)), "No" }
            }
            button { id: "registrar-queja", class: "big", onclick: record_complaint, "Registrar queja revisada" }
            if let Some(s) = saved() { p { class: "ok-text", role: "status", "{s}" } }
            for e in complaint_edits.iter() {
                if let EditKind::Complaint { folio, body } = &e.kind {
                    div { class: "row", key: "{e.n}",
                        strong { "Folio {folio}" }
                        span { class: "muted", " · recibida {date(body.received)} · {status_label(e.status)}" }
                        if let Some(p) = &e.problem { p { class: "reason", "{p}" } }
                    }
                }
            }
        }
    }
}
