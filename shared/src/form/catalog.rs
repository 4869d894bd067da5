//! Published forms. A published (form_id, version) is immutable: publishing the same
//! content again is a no-op, publishing other content under it is refused.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::model::Form;
use super::render::render_text;

/// The SHA-256 (hex) of a form's canonical text rendering: two workbooks that parse to
/// the same form have the same fingerprint, whatever bytes the spreadsheet program wrote.
pub fn fingerprint(form: &Form) -> String {
    let digest = Sha256::digest(render_text(form).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a form could not be published.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PublishError {
    /// Another content is already published under this id and version.
    #[error("el formulario «{form_id}» versión {version} ya está publicado con otro contenido: cambie la versión en la hoja settings")]
    VersionTaken { form_id: String, version: String },
}

/// What publishing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// The form is now published.
    New,
    /// The very same content was already published; nothing changed.
    Unchanged,
}

/// The immutability rule, for any store of published forms: publishing a form whose
/// fingerprint is `new` under a (form_id, version) that holds `existing`.
pub fn publish_rule(existing: Option<&str>, new: &str, form_id: &str, version: &str) -> Result<Published, PublishError> {
    match existing {
        None => Ok(Published::New),
        Some(print) if print == new => Ok(Published::Unchanged),
        Some(_) => Err(PublishError::VersionTaken { form_id: form_id.into(), version: version.into() }),
    }
}

/// The forms published so far, by (form_id, version).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    forms: BTreeMap<(String, String), (Form, String)>,
}

impl Catalog {
    /// Publishes `form`, keeping every published version immutable.
    pub fn publish(&mut self, form: Form) -> Result<Published, PublishError> {
        let key = (form.id.clone(), form.version.clone());
        let print = fingerprint(&form);
        let outcome = publish_rule(self.forms.get(&key).map(|(_, p)| p.as_str()), &print, &key.0, &key.1)?;
        if outcome == Published::New {
            self.forms.insert(key, (form, print));
        }
        Ok(outcome)
    }

    /// The form published under `form_id` and `version`.
    pub fn get(&self, form_id: &str, version: &str) -> Option<&Form> {
        self.forms.get(&(form_id.to_string(), version.to_string())).map(|(f, _)| f)
    }

    /// Every published form with its fingerprint, by id then version.
    pub fn iter(&self) -> impl Iterator<Item = (&Form, &str)> {
        self.forms.values().map(|(f, p)| (f, p.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruments;

    #[test]
    fn the_same_version_with_other_content_is_refused() {
        let mut catalog = Catalog::default();
        let form = instruments::encuesta().expect("imports");
        assert_eq!(catalog.publish(form.clone()), Ok(Published::New));
        assert_eq!(catalog.publish(form.clone()), Ok(Published::Unchanged));
        let mut changed = form;
        changed.title.insert("Español (es)", "Otro título".into());
        let err = catalog.publish(changed).expect_err("immutable");
        assert_eq!(
            err.to_string(),
            "el formulario «encuesta_opinion» versión 2025010101 ya está publicado con otro contenido: cambie la versión en la hoja settings"
        );
        assert_eq!(catalog.get("encuesta_opinion", "2025010101").map(|f| f.title.get("")), Some(Some("Encuesta de opinión ciudadana")));
    }

    #[test]
    fn a_new_version_is_published_beside_the_old_one() {
        let mut catalog = Catalog::default();
        let form = instruments::cedula().expect("imports");
        let mut next = form.clone();
        next.version = "2025020101".into();
        next.title.insert("", "Cédula v2".into());
        assert_eq!(catalog.publish(form), Ok(Published::New));
        assert_eq!(catalog.publish(next), Ok(Published::New));
        assert_eq!(catalog.iter().count(), 2);
    }

    #[test]
    fn fingerprints_ignore_workbook_bytes_but_not_content() {
        let a = instruments::encuesta().expect("imports");
        let b = instruments::encuesta().expect("imports");
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_eq!(fingerprint(&a).len(), 64);
        assert_ne!(fingerprint(&a), fingerprint(&instruments::cedula().expect("imports")));
    }
}
