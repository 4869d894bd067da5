//! The score a checklist item gets from the program's records (TC-V7: the trained share
//! of the centro's front-line staff), shown under the item; scoring it otherwise asks for
//! the reason, saved as it is typed.

use dioxus::prelude::*;
use shared::protocol::ScoreNote;

/// `choices`: the item's (name, label) pairs; `answered`: its current answer.
#[component]
pub fn ScoreSuggestion(note: ScoreNote, choices: Vec<(String, String)>, answered: String, on_reason: EventHandler<Option<String>>) -> Element {
    let label = |code: &str| choices.iter().find(|(n, _)| n == code).map_or(code.to_string(), |(_, l)| l.clone());
    let suggested = label(&note.suggested);
    let differs = !answered.is_empty() && answered != note.suggested;
    let id = format!("motivo-{}", note.item.replace(['[', ']', '/'], "_"));
    rsx! {
        div { class: "suggestion card", id: "sugerencia-{note.item}", "data-suggested": "{note.suggested}",
            p { "Personal de atención directa capacitado o certificado en el periodo, según los registros del programa: "
                strong { "{note.basis}" } "." }
            p { "Puntaje sugerido: " strong { "{suggested}" }
                if answered == note.suggested { span { class: "ok", " · confirmado" } } }
            if differs {
                label { class: "label", r#for: "{id}", "Motivo de la corrección (obligatorio)" }
                textarea { id: "{id}", class: "field", rows: "3", maxlength: "1000",
                    initial_value: note.reason.clone().unwrap_or_default(),
                    oninput: move |e| { let v = e.value(); on_reason.call((!v.trim().is_empty()).then_some(v)); } }
            }
        }
    }
}
