//! The choice list a centro supplies itself: its trámites. A form's list named
//! [`TRAMITES`] (the survey's question «¿Qué trámite o servicio vino a realizar hoy?»)
//! offers, at a centro that lists its own trámites (set in the console), those trámites
//! followed by the form's way out («Otro»). Each is labelled with its text and named by
//! [`tramite_name`] (its text with spaces as `_`, since choice names have no spaces). A
//! centro that lists none keeps the form's list.
//!
//! The phone offers the centro's current list; the server accepts, besides the form's own
//! choices, every trámite the centro has ever listed, so that a record answered offline
//! with a trámite staff removed since is not refused.

use super::model::{Choice, Form, Text};

/// The name of the list a centro may supply.
pub const TRAMITES: &str = "tramites";

/// The choices of the form's own list that stay after the centro's (the way out, whose
/// follow-up question asks which one).
pub const KEPT: &[&str] = &["otro"];

/// The longest trámite, in characters.
pub const MAX_TRAMITE_CHARS: usize = 120;

/// The most trámites a centro lists.
pub const MAX_TRAMITES: usize = 100;

/// A centro's trámites as typed (one per line or one per item): trimmed, empty ones left
/// out, and within [`MAX_TRAMITES`] of [`MAX_TRAMITE_CHARS`] characters; else what is wrong,
/// in Spanish. One more than allowed is enough to refuse: the rest is never collected.
pub fn tramites_of<'a>(typed: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let list: Vec<String> = typed.into_iter().map(str::trim).filter(|t| !t.is_empty()).take(MAX_TRAMITES + 1).map(String::from).collect();
    if list.len() > MAX_TRAMITES {
        return Err(format!("un centro admite como máximo {MAX_TRAMITES} trámites"));
    }
    if let Some(long) = list.iter().find(|t| t.chars().count() > MAX_TRAMITE_CHARS) {
        return Err(format!("el trámite «{}…» pasa de {MAX_TRAMITE_CHARS} caracteres", long.chars().take(30).collect::<String>()));
    }
    Ok(list)
}

/// The choice name of a trámite: its words joined by `_` («Pago de predial» →
/// `Pago_de_predial`).
pub fn tramite_name(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join("_")
}

fn choice(form: &Form, text: &str, row: u32) -> Choice {
    let mut label = Text::default();
    label.insert(form.language(), text.trim().to_string());
    Choice { name: tramite_name(text), label, row, extra: Default::default(), media: Default::default() }
}

/// Whether `form` has a list the centro can supply.
pub fn has_tramites(form: &Form) -> bool {
    form.lists.contains_key(TRAMITES)
}

/// `form` as asked at a centro that lists `tramites` (in the order given): its
/// [`TRAMITES`] list is theirs, then the form's [`KEPT`] choices. `None` when nothing
/// changes (no such list, or the centro lists none).
pub fn for_centro(form: &Form, tramites: &[String]) -> Option<Form> {
    let own = form.lists.get(TRAMITES)?;
    let names: Vec<&str> = tramites.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).collect();
    if names.is_empty() {
        return None;
    }
    let mut out = form.clone();
    let mut choices: Vec<Choice> = Vec::with_capacity(names.len() + KEPT.len());
    for (i, text) in names.iter().enumerate() {
        let c = choice(form, text, i as u32);
        if !choices.iter().any(|o| o.name == c.name) {
            choices.push(c);
        }
    }
    let kept: Vec<Choice> = own.choices.iter().filter(|c| KEPT.contains(&c.name.as_str()) && !choices.iter().any(|o| o.name == c.name)).cloned().collect();
    choices.extend(kept);
    if let Some(list) = out.lists.get_mut(TRAMITES) {
        list.choices = choices;
    }
    Some(out)
}

/// `form` as the server checks a centro's records: its [`TRAMITES`] list accepts its own
/// choices and every one of `known` (the trámites the centro lists or ever listed).
/// `None` when nothing changes.
pub fn accepting<'a>(form: &Form, known: impl IntoIterator<Item = &'a str>) -> Option<Form> {
    let own = form.lists.get(TRAMITES)?;
    let extra: Vec<&str> = known.into_iter().map(str::trim).filter(|t| !t.is_empty() && own.get(&tramite_name(t)).is_none()).collect();
    if extra.is_empty() {
        return None;
    }
    let mut out = form.clone();
    if let Some(list) = out.lists.get_mut(TRAMITES) {
        let start = list.choices.len() as u32;
        for (i, text) in extra.iter().enumerate() {
            if list.get(&tramite_name(text)).is_none() {
                list.choices.push(choice(form, text, start + i as u32));
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Answers;
    use crate::expr::Clock;

    fn clock() -> Clock {
        Clock::at(chrono::NaiveDate::from_ymd_opt(2025, 6, 2).and_then(|d| d.and_hms_opt(10, 0, 0)).expect("time"))
    }

    fn p0_errors(form: &Form, value: &str) -> usize {
        let answers = Answers::from_paths([("consentimiento", "si"), ("P0", value)]);
        crate::validate::validate(form, &answers, clock(), form.language()).errors.iter().filter(|e| e.path == "P0").count()
    }

    #[test]
    fn a_centro_offers_its_own_tramites_then_the_way_out() {
        let form = crate::instruments::encuesta().expect("encuesta");
        assert!(has_tramites(&form));
        let tramites = vec!["Licencias de conducir".to_string(), "Placas".to_string(), " ".to_string()];
        let at = for_centro(&form, &tramites).expect("changed");
        let names: Vec<&str> = at.lists[TRAMITES].choices.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Licencias_de_conducir", "Placas", "otro"]);
        assert_eq!(at.lists[TRAMITES].choices[0].label.get(form.language()), Some("Licencias de conducir"));
        assert_eq!(p0_errors(&at, "Placas"), 0);
        assert_eq!(p0_errors(&at, "Licencias_de_conducir"), 0);
        assert_eq!(p0_errors(&at, "predial"), 1, "the form's fixed list is not offered there");
        assert!(for_centro(&form, &[]).is_none(), "a centro without trámites keeps the form's list");
    }

    #[test]
    fn a_centros_tramites_are_trimmed_and_bounded() {
        assert_eq!(tramites_of([" Placas ", "", "Licencias"]), Ok(vec!["Placas".to_string(), "Licencias".to_string()]));
        let many: Vec<String> = (0..=MAX_TRAMITES).map(|i| format!("T{i}")).collect();
        assert!(tramites_of(many.iter().map(String::as_str)).is_err());
        let long = "x".repeat(MAX_TRAMITE_CHARS + 1);
        assert!(tramites_of([long.as_str()]).is_err_and(|e| e.contains("caracteres")));
    }

    #[test]
    fn the_server_accepts_the_forms_choices_and_every_tramite_the_centro_listed() {
        let form = crate::instruments::encuesta().expect("encuesta");
        let known = ["Placas", "Licencias (ya retirado)"];
        let checked = accepting(&form, known).expect("changed");
        for value in ["Placas", "Licencias_(ya_retirado)", "predial", "otro"] {
            assert_eq!(p0_errors(&checked, value), 0, "{value}");
        }
        assert_eq!(p0_errors(&checked, "Inventado"), 1);
        assert!(accepting(&form, ["predial"]).is_none(), "nothing new to accept");
    }
}
