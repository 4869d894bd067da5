//! One question on screen: its label, hint, answer control and problem.

use dioxus::prelude::*;

use super::capture::{FileInput, GeoInput, Picked};
use super::faces::Face;
use crate::layout::{QuestionView, Widget};

/// The class of a list of choices: faces, checklist item, or as the appearance lays it.
fn choices_class(q: &QuestionView) -> &'static str {
    if q.faces {
        "choices faces"
    } else if q.is_item {
        "choices item"
    } else if q.looks("likert") {
        "choices likert"
    } else if q.looks("horizontal") || q.looks("horizontal-compact") {
        "choices horizontal"
    } else {
        "choices"
    }
}

/// A question; `on_answer` receives the new raw value (`None` clears it), `on_file` a file
/// answer (image, audio, video, file, signature; `None` removes it).
/// `revision` changes when the answer was set from outside the control (the stopwatch):
/// text inputs are then re-created with the new value.
#[component]
pub fn Question(
    q: QuestionView,
    error: Option<String>,
    revision: u32,
    on_answer: EventHandler<Option<String>>,
    on_file: Callback<Option<Picked>, super::Pending<Result<(), String>>>,
) -> Element {
    let value = q.value.clone();
    let self_answered = try_use_context::<super::kiosk::KioskMode>().is_some_and(|m| m.view.read().is_some());
    let input_id = format!("q-{}", q.path.replace(['[', ']', '/'], "_"));
    let control = match &q.widget {
        Widget::Choice if q.looks("minimal") => rsx! {
            select { id: "{input_id}", class: "field",
                onchange: move |e| { let v = e.value(); on_answer.call((!v.is_empty()).then_some(v)); },
                option { value: "", selected: value.is_empty(), "Elija una opción…" }
                for (name, label) in q.choices.iter().cloned() {
                    option { key: "{name}", value: "{name}", selected: value == name, "{label}" }
                }
            }
        },
        Widget::Rank => {
            // Shown in the order answered, else as offered; any move saves the whole order.
            let given: Vec<String> = value.split_whitespace().map(str::to_string).collect();
            let order: Vec<String> = if given.len() == q.choices.len() { given } else { q.choices.iter().map(|(n, _)| n.clone()).collect() };
            let label_of = |n: &str| q.choices.iter().find(|(c, _)| c == n).map_or_else(|| n.to_string(), |(_, l)| l.clone());
            let last = order.len().saturating_sub(1);
            rsx! {
                ol { class: "rank", id: "{input_id}",
                    for (i, name) in order.iter().cloned().enumerate() {
                        li { key: "{name}", "data-choice": "{name}",
                            span { class: "rank-label", "{label_of(&name)}" }
                            button { class: "secondary rank-up", disabled: i == 0, "aria-label": "Subir",
                                onclick: { let mut o = order.clone(); move |_| { o.swap(i, i - 1); on_answer.call(Some(o.join(" "))); } }, "▲" }
                            button { class: "secondary rank-down", disabled: i == last, "aria-label": "Bajar",
                                onclick: { let mut o = order.clone(); move |_| { o.swap(i, i + 1); on_answer.call(Some(o.join(" "))); } }, "▼" }
                        }
                    }
                }
                if value.is_empty() {
                    button { class: "secondary rank-keep", onclick: { let o = order.clone(); move |_| on_answer.call(Some(o.join(" "))) }, "Dejar este orden" }
                }
            }
        }
        Widget::Geo(kind) => rsx! { GeoInput { id: "{input_id}", kind: *kind, value: value.clone(), on_answer } },
        Widget::File(kind) => rsx! { FileInput { id: "{input_id}", kind: *kind, value: value.clone(), kept: q.kept.clone(), on_file } },
        Widget::Choice => rsx! {
            div { class: choices_class(&q),
                for (name, label) in q.choices.iter().cloned() {
                    button {
                        key: "{name}",
                        class: if value == name { "choice on" } else { "choice" },
                        "data-choice": "{name}",
                        "aria-pressed": if value == name { "true" } else { "false" },
                        onclick: {
                            let name = name.clone();
                            move |_| on_answer.call(Some(name.clone()))
                        },
                        if q.faces {
                            if let Ok(level) = name.parse::<u8>() { Face { level } }
                        }
                        if let Some((_, src)) = q.choice_images.iter().find(|(n, _)| *n == name) {
                            img { class: "choice-image", src: "{src}", alt: "" }
                        }
                        span { "{label}" }
                    }
                }
            }
        },
        Widget::Multiple => {
            let selected: Vec<String> = value.split_whitespace().map(str::to_string).collect();
            rsx! {
                div { class: choices_class(&q),
                    for (name, label) in q.choices.iter().cloned() {
                        button {
                            key: "{name}",
                            class: if selected.contains(&name) { "choice on" } else { "choice" },
                            "data-choice": "{name}",
                            onclick: {
                                let (name, mut selected) = (name.clone(), selected.clone());
                                move |_| {
                                    if let Some(i) = selected.iter().position(|s| *s == name) {
                                        selected.remove(i);
                                    } else {
                                        selected.push(name.clone());
                                    }
                                    let joined = selected.join(" ");
                                    on_answer.call((!joined.is_empty()).then_some(joined));
                                }
                            },
                            span { "{label}" }
                        }
                    }
                }
            }
        }
        Widget::Note => rsx! {},
        Widget::Acknowledge => rsx! {
            button { class: if value == "OK" { "choice on" } else { "choice" }, onclick: move |_| on_answer.call(Some("OK".into())), "Entendido" }
        },
        widget => {
            let (kind, mode) = match widget {
                // Text with a numeric keyboard: a number input in Spanish reads «4,5» as 45.
                Widget::Integer => ("text", "numeric"),
                Widget::Decimal | Widget::Range { .. } => ("text", "decimal"),
                Widget::Date => ("date", "text"),
                Widget::Time => ("time", "text"),
                Widget::DateTime => ("datetime-local", "text"),
                Widget::Text if q.looks("numbers") => ("text", "numeric"),
                _ => ("text", "text"),
            };
            let decimal = matches!(widget, Widget::Decimal | Widget::Range { .. });
            let placeholder = if matches!(widget, Widget::Barcode) { "Escriba el código" } else { "" };
            if matches!(widget, Widget::Text) && (q.looks("multiline") || q.name.to_lowercase().contains("observ")) {
                rsx! {
                    textarea { key: "{input_id}-{revision}", id: "{input_id}", class: "field", rows: "4", initial_value: "{value}",
                        oninput: move |e| { let v = e.value(); on_answer.call((!v.trim().is_empty()).then_some(v)); } }
                }
            } else {
                rsx! {
                    input { key: "{input_id}-{revision}", id: "{input_id}", class: "field", r#type: kind, inputmode: mode, placeholder, initial_value: "{value}",
                        oninput: move |e| {
                            let v = e.value();
                            let v = if decimal { shared::answers::typed_decimal(&v) } else { v };
                            on_answer.call((!v.trim().is_empty()).then_some(v));
                        } }
                }
            }
        }
    };
    rsx! {
        div { class: "question", "data-path": "{q.path}",
            label { class: "label", r#for: "{input_id}",
                if let Some(i) = q.instance { span { class: "instance", "N.º {i} · " } }
                "{q.label}"
            }
            if !q.hint.is_empty() { p { class: "hint", "{q.hint}" } }
            // A citizen answering alone at a kiosk has no interviewer to guide.
            if !q.guidance.is_empty() && !self_answered { p { class: "guidance", "Guía para el encuestador: {q.guidance}" } }
            for (kind, src) in q.media.iter().cloned() {
                if kind == "audio" {
                    audio { class: "question-media", controls: true, src: "{src}" }
                } else if kind == "video" {
                    video { class: "question-media", controls: true, src: "{src}" }
                } else {
                    img { class: "question-media", src: "{src}", alt: "" }
                }
            }
            if let Some(p) = &q.previous { p { class: "previous", "Visita anterior: {p}" } }
            {control}
            if let Some(e) = error { p { class: "error", role: "alert", "{e}" } }
        }
    }
}

/// A question asked before something that cannot be undone with one tap: a bottom dialog
/// with its title and what will happen, «no» first and «yes» second. `id` names the
/// dialog; its buttons are `no-{id}` and `si-{id}`.
#[component]
pub fn Confirm(id: String, title: String, text: String, no: String, yes: String, danger: bool, on_no: EventHandler<()>, on_yes: EventHandler<()>) -> Element {
    let yes_class = if danger { "big danger" } else { "big" };
    rsx! {
        div { class: "backdrop", onclick: move |_| on_no.call(()) }
        section { class: "card alert dialog", id: "confirmar-{id}", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "confirmar-{id}-titulo",
            h2 { id: "confirmar-{id}-titulo", "{title}" }
            p { "{text}" }
            div { class: "steps",
                button { id: "no-{id}", class: "secondary", onclick: move |_| on_no.call(()), "{no}" }
                button { id: "si-{id}", class: yes_class, onclick: move |_| on_yes.call(()), "{yes}" }
            }
        }
    }
}
