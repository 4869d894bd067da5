//! Reading one cell of a known column: texts by language, flags, expressions, numbers,
//! parameters and the scoring columns. Each reader reports problems at the exact cell.

use std::collections::BTreeMap;

use super::Problems;
use crate::expr::{Context, Expression};
use crate::form::error::{ImportErrorKind, Location};
use crate::form::model::{Evidence, Flag, Scoring, Text};
use crate::form::sheet::Row;

/// One row being read, with where it is.
pub(crate) struct Cells<'a> {
    pub sheet: &'a str,
    pub row: &'a Row,
}

impl Cells<'_> {
    pub fn loc(&self, column: &str) -> Location {
        Location::cell(self.sheet, self.row.number, column)
    }

    pub fn get(&self, column: &str) -> &str {
        self.row.get(column)
    }

    pub fn opt(&self, column: &str) -> Option<String> {
        let v = self.get(column);
        (!v.is_empty()).then(|| v.to_string())
    }

    /// `column` and every `column::language` into one [`Text`].
    pub fn text(&self, column: &str) -> Text {
        let mut text = Text::default();
        for (header, value) in &self.row.cells {
            if header == column {
                text.insert("", value.clone());
            } else if let Some(lang) = header.strip_prefix(column).and_then(|r| r.strip_prefix("::")) {
                text.insert(lang, value.clone());
            }
        }
        text
    }

    /// The media columns (`media::image`, `image`, `audio`, `video`, `big-image`, each
    /// optionally `::lang`): file names by kind, by language.
    pub fn media(&self) -> std::collections::BTreeMap<String, Text> {
        let mut out = std::collections::BTreeMap::new();
        for kind in super::choices::MEDIA_KINDS {
            let mut text = self.text(&format!("media::{kind}"));
            for (lang, file) in self.text(kind).iter() {
                text.insert(lang, file.to_string());
            }
            if !text.is_empty() {
                out.insert(kind.to_string(), text);
            }
        }
        out
    }

    pub fn expr(&self, column: &str, context: Context, problems: &mut Problems) -> Option<Expression> {
        let src = self.get(column);
        if src.is_empty() {
            return None;
        }
        match Expression::parse(src, context) {
            Ok(e) => Some(e),
            Err(e) => {
                problems.push(self.loc(column), e.into());
                None
            }
        }
    }

    /// `yes`/`no` words, or an expression (`required`, `read_only`).
    pub fn flag(&self, column: &str, problems: &mut Problems) -> Flag {
        let raw = self.get(column);
        match parse_bool(raw) {
            Some(true) => Flag::Yes,
            Some(false) => Flag::No,
            None => self.expr(column, Context::Question, problems).map_or(Flag::No, Flag::When),
        }
    }

    /// A strict yes/no column (`critical`).
    pub fn yes_no(&self, column: &str, problems: &mut Problems) -> bool {
        let raw = self.get(column);
        parse_bool(raw).unwrap_or_else(|| {
            problems.push(self.loc(column), bad(raw, "se esperaba yes/no (sí/no)"));
            false
        })
    }

    pub fn number(&self, column: &str, problems: &mut Problems) -> Option<f64> {
        let raw = self.get(column);
        if raw.is_empty() {
            return None;
        }
        match crate::expr::parse_number(raw) {
            Some(n) => Some(n),
            None => {
                problems.push(self.loc(column), bad(raw, "se esperaba un número"));
                None
            }
        }
    }

    /// `parameters`: `key=value` pairs separated by spaces, commas or semicolons.
    pub fn parameters(&self, problems: &mut Problems) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for part in self.get("parameters").split([' ', ',', ';']).filter(|p| !p.is_empty()) {
            match part.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                    out.insert(k.trim().to_lowercase(), v.trim().to_string());
                }
                _ => problems.push(self.loc("parameters"), bad(part, "se esperaba clave=valor")),
            }
        }
        out
    }

    /// A code column (`dimension`, `pillar`): upper-case letters, digits, `_`.
    pub fn code(&self, column: &str, problems: &mut Problems) -> Option<String> {
        let raw = self.get(column);
        if raw.is_empty() {
            return None;
        }
        let valid = raw.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            Some(raw.to_ascii_uppercase())
        } else {
            problems.push(self.loc(column), bad(raw, "se esperaba un código como AG o PC"));
            None
        }
    }

    pub fn scoring(&self, problems: &mut Problems) -> Option<Scoring> {
        match self.get("scoring").to_lowercase().as_str() {
            "" => None,
            "scale5" => Some(Scoring::Scale5),
            "ypn" => Some(Scoring::Ypn),
            other => {
                problems.push(self.loc("scoring"), bad(other, "se esperaba scale5 o ypn"));
                None
            }
        }
    }

    pub fn evidence(&self, problems: &mut Problems) -> Vec<Evidence> {
        let mut out = Vec::new();
        for part in self.get("evidence").split([',', ' ', ';', '/']).filter(|p| !p.is_empty()) {
            let mut chars = part.chars();
            match (chars.next().and_then(Evidence::from_code), chars.next()) {
                (Some(e), None) => out.push(e),
                _ => problems.push(
                    self.loc("evidence"),
                    bad(part, "se esperaban letras O, F, D, M, E o U separadas por comas"),
                ),
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// The yes/no spellings XLSForm tools accept, plus Spanish ones.
pub(crate) fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "" | "no" | "false" | "false()" | "0" => Some(false),
        "yes" | "true" | "true()" | "1" | "sí" | "si" => Some(true),
        _ => None,
    }
}

pub(crate) fn bad(value: &str, expected: &'static str) -> ImportErrorKind {
    ImportErrorKind::BadValue { value: value.to_string(), expected }
}
