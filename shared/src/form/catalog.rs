//! Published forms. A published (form_id, version) is immutable: publishing the same
//! content again is a no-op, publishing other content under it is refused. The server's
//! store applies [`publish_rule`] with the [`fingerprint`] of each form.

use thiserror::Error;

use super::model::Form;
use super::render::render_text;

/// The SHA-256 (hex) of a form's canonical text rendering: two workbooks that parse to
/// the same form have the same fingerprint, whatever bytes the spreadsheet program wrote.
pub fn fingerprint(form: &Form) -> String {
    crate::digest::sha256_hex(render_text(form).as_bytes())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruments;

    #[test]
    fn the_same_version_with_other_content_is_refused() {
        let form = instruments::encuesta().expect("imports");
        let print = fingerprint(&form);
        assert_eq!(publish_rule(None, &print, "encuesta_opinion", "2025010101"), Ok(Published::New));
        assert_eq!(publish_rule(Some(&print), &print, "encuesta_opinion", "2025010101"), Ok(Published::Unchanged));
        let mut changed = form;
        changed.title.insert("Español (es)", "Otro título".into());
        let err = publish_rule(Some(&print), &fingerprint(&changed), "encuesta_opinion", "2025010101").expect_err("immutable");
        assert_eq!(
            err.to_string(),
            "el formulario «encuesta_opinion» versión 2025010101 ya está publicado con otro contenido: cambie la versión en la hoja settings"
        );
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
