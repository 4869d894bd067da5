//! What a stored submission contributes to the scores, and its text encoding in the
//! database (exact: floats are written in their shortest round-trip form).

use chrono::NaiveDate;
use shared::scoring::{CollectionMode, ReviewStatus, SurveyFacts, VisitItem};

/// A survey's contribution.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyFact {
    pub submission_id: String,
    pub centro_id: String,
    pub capture_date: NaiveDate,
    pub seq: u64,
    pub review: ReviewStatus,
    /// How it was collected: the method's `index_modes` say whether it is in the index.
    pub mode: CollectionMode,
    pub facts: SurveyFacts,
}

/// A visit's contribution.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitFact {
    pub submission_id: String,
    pub centro_id: String,
    pub date: NaiveDate,
    pub seq: u64,
    pub items: Vec<VisitItem>,
}

/// What a valid submission reduces to.
#[derive(Debug, Clone, PartialEq)]
pub enum Reduced {
    Survey(SurveyFacts),
    Visit(Vec<VisitItem>),
    /// A record of a form that is neither an exit survey (no `dimension` column) nor a
    /// checklist (no `pillar`): kept and exported, never scored.
    Unscored,
}

pub fn encode_dimensions(f: &SurveyFacts) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(16 * f.dimensions.len());
    for (i, (k, v)) in f.dimensions.iter().enumerate() {
        let sep = if i == 0 { "" } else { ";" };
        let _ = write!(out, "{sep}{k}={v}");
    }
    out
}

/// A stored encoding that does not read back: damage, reported, never skipped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("hechos almacenados dañados ({what}): «{text}»")]
pub struct DamagedFacts {
    pub what: &'static str,
    pub text: String,
}

fn damaged(what: &'static str, text: &str) -> DamagedFacts {
    DamagedFacts { what, text: text.to_string() }
}

pub fn decode_dimensions(text: &str) -> Result<std::collections::BTreeMap<String, f64>, DamagedFacts> {
    if text.is_empty() {
        return Ok(std::collections::BTreeMap::new());
    }
    text.split(';')
        .map(|pair| {
            let (k, v) = pair.split_once('=').ok_or_else(|| damaged("dimensiones", text))?;
            let v = v.parse::<f64>().map_err(|_| damaged("dimensiones", text))?;
            if k.is_empty() || !v.is_finite() {
                return Err(damaged("dimensiones", text));
            }
            Ok((k.to_string(), v))
        })
        .collect()
}

pub fn encode_items(items: &[VisitItem]) -> String {
    items
        .iter()
        .map(|i| {
            let score = i.score.map_or("-".to_string(), |s| s.to_string());
            format!("{}:{}:{}:{score}", i.pillar, i.weight, u8::from(i.critical))
        })
        .collect::<Vec<_>>()
        .join(";")
}

pub fn decode_items(text: &str) -> Result<Vec<VisitItem>, DamagedFacts> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(';')
        .map(|part| {
            let bad = || damaged("reactivos", text);
            let fields: Vec<&str> = part.split(':').collect();
            let [pillar, weight, critical, score] = fields.as_slice() else { return Err(bad()) };
            let weight = weight.parse::<f64>().map_err(|_| bad())?;
            let critical = match *critical {
                "1" => true,
                "0" => false,
                _ => return Err(bad()),
            };
            let score = match *score {
                "-" => None,
                s => Some(s.parse::<u8>().map_err(|_| bad())?),
            };
            if pillar.is_empty() || !weight.is_finite() {
                return Err(bad());
            }
            Ok(VisitItem { pillar: pillar.to_string(), weight, critical, score })
        })
        .collect()
}

/// A stored collection mode code.
pub fn collection_mode(code: &str) -> Result<CollectionMode, DamagedFacts> {
    CollectionMode::parse(code).ok_or_else(|| damaged("modo de levantamiento", code))
}

/// The scoring status of a stored review code.
pub fn review_status(code: &str) -> Result<ReviewStatus, DamagedFacts> {
    shared::protocol::ReviewState::parse(code).map(ReviewStatus::from).ok_or_else(|| damaged("estado de revisión", code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_round_trip_exactly() {
        let mut f = SurveyFacts::default();
        f.dimensions.insert("AG".into(), 66.66666666666667);
        f.dimensions.insert("DE".into(), 0.1 + 0.2);
        assert_eq!(decode_dimensions(&encode_dimensions(&f)), Ok(f.dimensions));
        let items = vec![
            VisitItem { pillar: "AG".into(), weight: 2.0, critical: false, score: Some(1) },
            VisitItem { pillar: "PC".into(), weight: 0.5, critical: true, score: None },
        ];
        assert_eq!(decode_items(&encode_items(&items)), Ok(items));
        assert_eq!(decode_dimensions(""), Ok(Default::default()));
        assert_eq!(decode_items(""), Ok(Vec::new()));
    }

    /// Damage is reported, never skipped or read as a default.
    #[test]
    fn damaged_encodings_are_errors() {
        for bad in ["AG=", "AG=x", "AG", "=3", "AG=1;DE", "AG=NaN"] {
            assert!(decode_dimensions(bad).is_err(), "{bad}");
        }
        for bad in ["AG:1:0", "AG:x:0:1", "AG:1:2:1", "AG:1:0:x", "AG:1:0:1:9", ":1:0:1"] {
            assert!(decode_items(bad).is_err(), "{bad}");
        }
        assert!(review_status("borrado").is_err());
        assert!(collection_mode("Kiosko").is_err());
        assert_eq!(collection_mode("qr"), Ok(CollectionMode::Qr));
    }
}
