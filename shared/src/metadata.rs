//! What a record's metadata questions (`start`, `end`, `today`, `deviceid`, `username`,
//! `start-geopoint`…) hold: filled by whoever builds the record, never asked.

use chrono::{DateTime, FixedOffset};

use crate::answers::Answers;
use crate::form::{FieldKind, Form, MetaKind};

/// The facts the metadata questions are filled from.
#[derive(Debug, Clone, Copy)]
pub struct RecordFacts<'a> {
    pub started_at: DateTime<FixedOffset>,
    pub finalised_at: DateTime<FixedOffset>,
    pub device_id: &'a str,
    pub username: &'a str,
    /// The position when the record was started (`lat lon alt accuracy`), or empty.
    pub start_geopoint: &'a str,
}

/// Sets every metadata question of `form` in `answers` from `facts`. An `audit` file
/// answer is kept as it is (its file is made beside the record); the phone's number,
/// account, SIM and subscriber are never known: empty.
pub fn fill(form: &Form, answers: &mut Answers, facts: &RecordFacts<'_>) {
    for field in form.fields() {
        let FieldKind::Meta(kind) = field.kind else { continue };
        let value = match kind {
            MetaKind::Start => facts.started_at.to_rfc3339(),
            MetaKind::End => facts.finalised_at.to_rfc3339(),
            MetaKind::Today => facts.finalised_at.date_naive().to_string(),
            MetaKind::DeviceId => facts.device_id.to_string(),
            MetaKind::Username => facts.username.to_string(),
            MetaKind::StartGeopoint => facts.start_geopoint.to_string(),
            MetaKind::Audit => continue,
            MetaKind::PhoneNumber | MetaKind::Email | MetaKind::SimSerial | MetaKind::SubscriberId => String::new(),
        };
        answers.set(&field.name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Entry;

    #[test]
    fn the_shipped_survey_gets_its_times_device_and_user() {
        let form = crate::instruments::encuesta().expect("imports");
        let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("time");
        let facts = RecordFacts {
            started_at: at("2025-06-02T10:00:00-06:00"),
            finalised_at: at("2025-06-02T10:04:00-06:00"),
            device_id: "qr-7",
            username: "qr.gto-e-t-01",
            start_geopoint: "",
        };
        let mut answers = Answers::default();
        answers.set("consentimiento", "si");
        fill(&form, &mut answers, &facts);
        let text = |k: &str| match answers.get(k) {
            Some(Entry::Value(v)) => v.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(text("inicio"), "2025-06-02T10:00:00-06:00");
        assert_eq!(text("fin"), "2025-06-02T10:04:00-06:00");
        assert_eq!(text("fecha"), "2025-06-02");
        assert_eq!((text("dispositivo"), text("encuestador")), ("qr-7".to_string(), "qr.gto-e-t-01".to_string()));
        assert_eq!(text("consentimiento"), "si", "answers are kept");
    }
}
