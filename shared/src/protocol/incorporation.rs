//! Incorporation and staff (PROGRAM_CYCLE.md): a centro's Cédula de Incorporación and
//! Plantilla de Personal filed by its Enlace and decided by staff, a centro dado de baja,
//! the trainings of its people, and the trained share an inspector sees at the checklist
//! item that measures it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::CentroDefinition;

/// Most people in one centro's plantilla.
pub const MAX_STAFF_PER_CENTRO: usize = 500;
/// Most centros in one cédula upload.
pub const MAX_CENTROS_PER_FILING: usize = 200;
/// Longest name or puesto of a person, in characters.
pub const MAX_PERSON_TEXT_CHARS: usize = 120;
/// Longest training name, in characters.
pub const MAX_TRAINING_NAME_CHARS: usize = 200;
/// Most attendance entries in one update.
pub const MAX_ATTENDANCE_ENTRIES: usize = 2_000;

/// Where a centro's incorporation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum IncorporationStatus {
    /// Filed, waiting on staff (accepted only once its plantilla is filed too).
    Pendiente,
    Aceptado,
    Rechazado,
}

impl IncorporationStatus {
    /// The code stored and sent.
    pub fn code(self) -> &'static str {
        match self {
            IncorporationStatus::Pendiente => "pendiente",
            IncorporationStatus::Aceptado => "aceptado",
            IncorporationStatus::Rechazado => "rechazado",
        }
    }

    /// Parses [`IncorporationStatus::code`].
    pub fn parse(code: &str) -> Option<Self> {
        [IncorporationStatus::Pendiente, IncorporationStatus::Aceptado, IncorporationStatus::Rechazado].into_iter().find(|s| s.code() == code)
    }

    /// In Spanish, for pages.
    pub fn label(self) -> &'static str {
        match self {
            IncorporationStatus::Pendiente => "Pendiente",
            IncorporationStatus::Aceptado => "Aceptado",
            IncorporationStatus::Rechazado => "Rechazado",
        }
    }
}

/// One person of a plantilla: the least personal data the program needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlantillaPerson {
    pub name: String,
    pub puesto: String,
    /// Attends citizens at the counter (atención directa).
    pub front_line: bool,
}

/// A centro's request to join a period, as filed and decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Incorporation {
    pub id: i64,
    pub period_id: String,
    pub centro_id: String,
    pub institution: String,
    /// The centro as its cédula describes it.
    pub definition: CentroDefinition,
    /// The plantilla's people; `None` until the plantilla is filed.
    pub staff: Option<Vec<PlantillaPerson>>,
    pub status: IncorporationStatus,
    /// Why staff refused it.
    pub reason: Option<String>,
    pub filed_by: String,
    pub filed_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// What an upload filed: the centros whose cédula or plantilla it carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FilingReceipt {
    pub period_id: String,
    pub centros: Vec<String>,
}

/// `POST /api/v1/incorporations/{id}/refuse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseIncorporation {
    #[schema(min_length = 1, max_length = 1000, pattern = "\\S")]
    pub reason: String,
}

/// `POST /api/v1/centros/{id}/baja`: the centro leaves the program on `date`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BajaRequest {
    pub date: NaiveDate,
    #[schema(min_length = 1, max_length = 1000, pattern = "\\S")]
    pub reason: String,
}

/// A centro dado de baja: kept in history, no longer ranked from the period that holds `date`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BajaInfo {
    pub date: NaiveDate,
    pub reason: String,
}

/// A person of a centro's accepted plantilla.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StaffMember {
    pub id: i64,
    pub centro_id: String,
    pub name: String,
    pub puesto: String,
    pub front_line: bool,
    /// False once a later plantilla no longer lists the person.
    pub active: bool,
}

/// `GET /api/v1/centros/{id}/staff`: the centro's people and its trained share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Plantilla {
    pub centro_id: String,
    pub people: Vec<StaffMember>,
    /// In the latest period; `None` with no period.
    pub training: Option<TrainingShare>,
}

/// How a training was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    Presencial,
    EnLinea,
    Mixta,
}

impl Modality {
    pub const ALL: [Modality; 3] = [Modality::Presencial, Modality::EnLinea, Modality::Mixta];

    /// The code stored and sent.
    pub fn code(self) -> &'static str {
        match self {
            Modality::Presencial => "presencial",
            Modality::EnLinea => "en_linea",
            Modality::Mixta => "mixta",
        }
    }

    /// Parses [`Modality::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Modality::ALL.into_iter().find(|m| m.code() == code)
    }

    /// In Spanish, for pages.
    pub fn label(self) -> &'static str {
        match self {
            Modality::Presencial => "Presencial",
            Modality::EnLinea => "En línea",
            Modality::Mixta => "Mixta",
        }
    }
}

/// `POST /api/v1/trainings`: a capacitación.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTraining {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    pub held_on: NaiveDate,
    pub modality: Modality,
    /// A competence standard, such as `EC0105` or `EC1268` (CONOCER).
    #[serde(default)]
    #[schema(max_length = 40)]
    pub standard: Option<String>,
}

/// A recorded training with how many attended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Training {
    pub id: i64,
    pub name: String,
    pub held_on: NaiveDate,
    pub modality: Modality,
    pub standard: Option<String>,
    pub attendees: u32,
}

/// Attended, or certified in the training's standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AttendanceOutcome {
    Asistio,
    Certificado,
}

impl AttendanceOutcome {
    /// The code stored and sent.
    pub fn code(self) -> &'static str {
        match self {
            AttendanceOutcome::Asistio => "asistio",
            AttendanceOutcome::Certificado => "certificado",
        }
    }

    /// Parses [`AttendanceOutcome::code`].
    pub fn parse(code: &str) -> Option<Self> {
        [AttendanceOutcome::Asistio, AttendanceOutcome::Certificado].into_iter().find(|o| o.code() == code)
    }
}

/// One person's attendance at a training; `outcome: null` removes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceEntry {
    pub staff_id: i64,
    pub outcome: Option<AttendanceOutcome>,
}

/// `PUT /api/v1/trainings/{id}/attendance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceUpdate {
    pub entries: Vec<AttendanceEntry>,
}

/// The share of a centro's front-line staff trained or certified in a period, with the
/// score it suggests for the checklist item that measures it (method setting `training`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrainingShare {
    pub period_id: String,
    /// The checklist item (TC-V7 in the shipped cédula).
    pub item: String,
    /// Active front-line people in the plantilla.
    pub front_line: u32,
    /// Of them, trained or certified in a training held within the period.
    pub trained: u32,
    /// The method's target share (0–1).
    pub target: f64,
    /// The item's suggested choice: `2` at or above the target, `1` at half of it or
    /// more, `0` below. (With no front-line staff on record the server sends no share.)
    pub suggested: String,
}

impl TrainingShare {
    /// The suggested choice of the checklist item for `trained` of `front_line` people
    /// (`na` for none, so that the rule is total).
    pub fn suggest(trained: u32, front_line: u32, target: f64) -> &'static str {
        if front_line == 0 {
            return "na";
        }
        let share = f64::from(trained) / f64::from(front_line);
        if share >= target {
            "2"
        } else if share >= target / 2.0 {
            "1"
        } else {
            "0"
        }
    }

    /// What a suggestion is based on, as the inspector reads it: «7 de 10 (70 %) · meta 80 %».
    pub fn basis(&self) -> String {
        format!("{} · meta {:.0} %", self.figure(), self.target * 100.0)
    }

    /// «7 de 10 (70 %)».
    pub fn figure(&self) -> String {
        if self.front_line == 0 {
            return "sin personal de atención directa en la plantilla".into();
        }
        let pct = f64::from(self.trained) * 100.0 / f64::from(self.front_line);
        format!("{} de {} ({pct:.0} %)", self.trained, self.front_line)
    }
}

/// What the device suggested for a checklist item from the program's records, and, when
/// the inspector chose otherwise, why. Kept with the submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreNote {
    pub item: String,
    /// The figure the suggestion came from, as shown («7 de 10 (70 %)»).
    pub basis: String,
    pub suggested: String,
    /// Required when the item's answer differs from `suggested`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Most score notes on one submission.
pub const MAX_SCORE_NOTES: usize = 20;

impl ScoreNote {
    /// Checks a submission's notes against its answers: sizes, and a reason wherever the
    /// answer differs from the suggestion. The error is in Spanish.
    pub fn check_all(notes: &[ScoreNote], answers: &crate::answers::Answers) -> Result<(), String> {
        if notes.len() > MAX_SCORE_NOTES {
            return Err(format!("{} notas de puntaje; el máximo es {MAX_SCORE_NOTES}", notes.len()));
        }
        for n in notes {
            let sizes = [(n.item.as_str(), 64), (n.basis.as_str(), 200), (n.suggested.as_str(), 16), (n.reason.as_deref().unwrap_or_default(), 1_000)];
            if n.item.trim().is_empty() || sizes.iter().any(|(text, max)| text.chars().count() > *max) {
                return Err(format!("nota de puntaje de «{}» demasiado larga o sin criterio", n.item.chars().take(64).collect::<String>()));
            }
            let answered = answers.value(&n.item);
            if !answered.is_empty() && answered != n.suggested && n.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(format!("«{}» se calificó {answered} y el puntaje sugerido era {}: falta el motivo de la corrección", n.item, n.suggested));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrected_suggestion_needs_its_reason() {
        let mut answers = crate::answers::Answers::default();
        answers.set("TC-V7", "2");
        let note = |reason: Option<&str>| ScoreNote { item: "TC-V7".into(), basis: "7 de 10 (70 %)".into(), suggested: "1".into(), reason: reason.map(String::from) };
        assert!(ScoreNote::check_all(&[note(None)], &answers).is_err());
        assert!(ScoreNote::check_all(&[note(Some("  "))], &answers).is_err());
        assert!(ScoreNote::check_all(&[note(Some("Constancias vistas en la visita"))], &answers).is_ok());
        answers.set("TC-V7", "1");
        assert!(ScoreNote::check_all(&[note(None)], &answers).is_ok(), "confirmed as suggested");
        assert!(ScoreNote::check_all(&vec![note(None); MAX_SCORE_NOTES + 1], &answers).is_err());
    }

    #[test]
    fn suggestion_follows_the_target() {
        assert_eq!(TrainingShare::suggest(8, 10, 0.8), "2");
        assert_eq!(TrainingShare::suggest(7, 10, 0.8), "1");
        assert_eq!(TrainingShare::suggest(4, 10, 0.8), "1");
        assert_eq!(TrainingShare::suggest(3, 10, 0.8), "0");
        assert_eq!(TrainingShare::suggest(0, 0, 0.8), "na");
        assert_eq!(TrainingShare::suggest(10, 10, 1.0), "2");
    }

    #[test]
    fn codes_round_trip() {
        for m in Modality::ALL {
            assert_eq!(Modality::parse(m.code()), Some(m));
        }
        for s in [IncorporationStatus::Pendiente, IncorporationStatus::Aceptado, IncorporationStatus::Rechazado] {
            assert_eq!(IncorporationStatus::parse(s.code()), Some(s));
        }
        assert_eq!(AttendanceOutcome::parse("certificado"), Some(AttendanceOutcome::Certificado));
        assert_eq!(AttendanceOutcome::parse("x"), None);
    }

    #[test]
    fn figure_reads_as_spanish() {
        let s = TrainingShare { period_id: "p".into(), item: "TC-V7".into(), front_line: 10, trained: 7, target: 0.8, suggested: "1".into() };
        assert_eq!(s.figure(), "7 de 10 (70 %)");
        assert_eq!(s.basis(), "7 de 10 (70 %) · meta 80 %");
    }
}
