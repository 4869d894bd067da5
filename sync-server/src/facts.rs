//! What a stored submission contributes to the scores, and its text encoding in the
//! database (exact: floats are written in their shortest round-trip form).

use chrono::NaiveDate;
use shared::scoring::{ReviewStatus, SurveyFacts, VisitItem};

/// A survey's contribution.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyFact {
    pub submission_id: String,
    pub centro_id: String,
    pub capture_date: NaiveDate,
    pub seq: u64,
    pub review: ReviewStatus,
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

pub fn decode_dimensions(text: &str) -> std::collections::BTreeMap<String, f64> {
    text.split(';')
        .filter_map(|pair| pair.split_once('='))
        .filter_map(|(k, v)| v.parse::<f64>().ok().map(|v| (k.to_string(), v)))
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

pub fn decode_items(text: &str) -> Vec<VisitItem> {
    text.split(';')
        .filter_map(|part| {
            let mut it = part.split(':');
            let pillar = it.next()?.to_string();
            let weight = it.next()?.parse().ok()?;
            let critical = it.next()? == "1";
            let score = it.next()?.parse::<u8>().ok();
            Some(VisitItem { pillar, weight, critical, score })
        })
        .collect()
}

/// The scoring status of a stored review code (unknown codes count as in review: never
/// scored by mistake).
pub fn review_status(code: &str) -> ReviewStatus {
    shared::protocol::ReviewState::parse(code).map_or(ReviewStatus::InReview, ReviewStatus::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_round_trip_exactly() {
        let mut f = SurveyFacts::default();
        f.dimensions.insert("AG".into(), 66.66666666666667);
        f.dimensions.insert("DE".into(), 0.1 + 0.2);
        assert_eq!(decode_dimensions(&encode_dimensions(&f)), f.dimensions);
        let items = vec![
            VisitItem { pillar: "AG".into(), weight: 2.0, critical: false, score: Some(1) },
            VisitItem { pillar: "PC".into(), weight: 0.5, critical: true, score: None },
        ];
        assert_eq!(decode_items(&encode_items(&items)), items);
        assert!(decode_dimensions("").is_empty());
    }
}
