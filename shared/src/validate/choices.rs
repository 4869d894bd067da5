//! The choices a select or rank question offers at one moment: its list's, or the answers
//! of a repeat question (`select_one ${name}`), kept by `choice_filter`, in the order
//! `randomize` draws; and whether an answer names only those.

use std::borrow::Cow;

use crate::expr::{Env, Value, mix, seed_of_path};
use crate::form::{Field, FieldKind};

use super::{ErrorCode, Frame, Scope, Validator, capitalize};

impl<'a> Validator<'a> {
    /// The names `f` offers here, in the order to show them; `None` when `f` has no list.
    pub(super) fn offered(&self, f: &'a Field, stack: &[Frame<'a>]) -> Option<Vec<String>> {
        let mut names: Vec<String> = self.offered_names(f, stack)?.into_iter().map(Cow::into_owned).collect();
        if f.parameters.get("randomize").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
            let scope = Scope::new(self, stack, Value::empty());
            let prefix = stack.last().map_or("", |fr| fr.prefix.as_str());
            shuffle(&mut names, self.shuffle_seed(f, &scope, prefix));
        }
        Some(names)
    }

    /// The names `f` offers here, in its list's order (before `randomize`, which changes
    /// no membership): borrowed from the list when they come from one. `None` when `f`
    /// has no list.
    pub(super) fn offered_names(&self, f: &'a Field, stack: &[Frame<'a>]) -> Option<Vec<Cow<'a, str>>> {
        Some(match f.choices_from_repeat() {
            Some(source) => {
                let scope = Scope::new(self, stack, Value::empty());
                let mut out: Vec<Cow<'a, str>> = Vec::new();
                scope.each_node(source, &mut |node| {
                    let value = node.current().to_text();
                    let kept = f.choice_filter.as_ref().is_none_or(|filter| filter.eval(node).to_bool());
                    if kept && !value.trim().is_empty() && !out.iter().any(|o| *o == value) {
                        out.push(Cow::Owned(value));
                    }
                    true
                });
                out
            }
            None => {
                let list = self.form.lists.get(f.list_name()?)?;
                list.choices
                    .iter()
                    .filter(|choice| {
                        f.choice_filter.as_ref().is_none_or(|filter| {
                            filter.eval(&Scope { choice: Some(choice), ..Scope::new(self, stack, Value::empty()) }).to_bool()
                        })
                    })
                    .map(|c| Cow::Borrowed(c.name.as_str()))
                    .collect()
            }
        })
    }

    /// Whether `value` (a list of names separated by spaces) names only choices `f` offers
    /// here, and for a `rank`, all of them. A list with no `choice_filter` is read in place
    /// (no list of names built per answer); otherwise through [`Validator::offered_names`].
    pub(super) fn choice_problem(&self, f: &'a Field, value: &Value, stack: &[Frame<'a>]) -> Option<(ErrorCode, String)> {
        let text: Cow<'_, str> = match value {
            Value::Str(s) => Cow::Borrowed(s.as_str()),
            other => Cow::Owned(other.to_text()),
        };
        let unfiltered = match (&f.choice_filter, f.choices_from_repeat()) {
            (None, None) => Some(self.form.lists.get(f.list_name()?)?),
            _ => None,
        };
        let (bad, offered) = match unfiltered {
            Some(list) => (text.split_whitespace().find(|name| list.get(name).is_none()), list.choices.len()),
            None => {
                let offered = self.offered_names(f, stack)?;
                (text.split_whitespace().find(|name| !offered.iter().any(|o| o == name)), offered.len())
            }
        };
        if let Some(bad) = bad {
            return Some((ErrorCode::NotAChoice, format!("«{bad}» no es una opción válida de esta pregunta")));
        }
        let given = text.split_whitespace().count();
        if matches!(f.kind, FieldKind::Rank { .. }) && given < offered {
            return Some((ErrorCode::Incomplete, capitalize(&format!("ordene todas las opciones ({given} de {offered})"))));
        }
        None
    }

    /// `seed=` of `parameters` (a number or a `${question}`), else the record's seed and
    /// the question's path: the order stays put while the record is filled.
    fn shuffle_seed(&self, f: &Field, scope: &Scope<'_, 'a>, prefix: &str) -> u64 {
        let given = f.parameters.get("seed").map(|raw| {
            let raw = raw.trim();
            match raw.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
                Some(name) => scope.field(name).to_num(),
                None => crate::expr::parse_number(raw).unwrap_or(f64::NAN),
            }
        });
        match given {
            Some(n) if n.is_finite() => mix(n.to_bits()),
            _ => self.clock.seed ^ seed_of_path(prefix, &f.name),
        }
    }
}

/// Fisher–Yates with draws from `seed`.
fn shuffle(names: &mut [String], seed: u64) {
    let mut state = seed;
    for i in (1..names.len()).rev() {
        state = mix(state);
        let j = (state % (i as u64 + 1)) as usize;
        names.swap(i, j);
    }
}
