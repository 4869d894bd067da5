//! From a form version's scoring columns to what each answer contributes. Build a plan once
//! per form version; then reduce each submission to a [`Respondent`] or a visit's items.
//! Items are matched across form versions by name, through the method settings' codes.

use super::inputs::VisitItem;
use super::settings::{IndicatorItems, MethodSettings};
use crate::answers::Answers;
use crate::form::{Form, Scoring};

struct PlannedItem {
    name: String,
    slot: usize,
    scoring: Scoring,
}

/// What one survey contributes, independent of method settings: the mean score of each
/// dimension its scored items declare, and the indicator answers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurveyFacts {
    /// d(i,k) for every dimension code with an answered scored item.
    pub dimensions: std::collections::BTreeMap<String, f64>,
    pub satisfaction: Option<u8>,
    pub bribe: Option<bool>,
}

impl SurveyFacts {
    /// The respondent under `settings`: the same numbers as [`SurveyPlan::respondent`].
    pub fn respondent(&self, settings: &MethodSettings) -> Respondent {
        let dimensions: Vec<Option<f64>> = settings.dimension_weights.keys().map(|k| self.dimensions.get(k).copied()).collect();
        let (mut num, mut den) = (0.0, 0.0);
        for (d, w) in dimensions.iter().zip(settings.dimension_weights.values()) {
            if let Some(d) = d {
                num += w * d;
                den += w;
            }
        }
        Respondent { isc: (den > 0.0).then(|| num / den), dimensions, satisfaction: self.satisfaction, bribe: self.bribe }
    }
}

/// The satisfaction (1..5) and bribe («Sí» true, «No» false) answers under `items`.
fn indicators(answers: &Answers, items: &IndicatorItems) -> (Option<u8>, Option<bool>) {
    let satisfaction = match answers.value(&items.satisfaction).trim().parse::<u8>() {
        Ok(x @ 1..=5) => Some(x),
        _ => None,
    };
    let bribe_answer = answers.value(&items.bribe).trim();
    let bribe = if bribe_answer == items.bribe_yes {
        Some(true)
    } else if bribe_answer == items.bribe_no {
        Some(false)
    } else {
        None
    };
    (satisfaction, bribe)
}

/// How one survey form version feeds the ISC and the companion indicators.
pub struct SurveyPlan {
    items: Vec<PlannedItem>,
    /// Every scored item with its dimension code, weighed or not (for [`SurveyFacts`]).
    all_items: Vec<(String, String, Scoring)>,
    /// Every `scale5` item, weighed or not (for the straight-lining check).
    scale5: Vec<String>,
    weights: Vec<f64>,
    /// The indicator items of the settings the plan was built with.
    indicator_items: IndicatorItems,
}

/// One respondent, reduced: what the scoring accumulates.
#[derive(Debug, Clone, PartialEq)]
pub struct Respondent {
    /// ISC(i); `None` when no scored dimension was answered.
    pub isc: Option<f64>,
    /// d(i,k) per dimension, in the order of [`SurveyPlan::dimensions`].
    pub dimensions: Vec<Option<f64>>,
    /// The overall satisfaction answer, 1..5.
    pub satisfaction: Option<u8>,
    /// The bribe item: `Some(true)` for «Sí», `Some(false)` for «No».
    pub bribe: Option<bool>,
}

/// The value of an answer to a scored item, 0–100, or `None` when missing.
pub fn item_score(scoring: Scoring, raw: &str) -> Option<f64> {
    match (scoring, raw.trim()) {
        (Scoring::Scale5, v) => match v.parse::<u8>() {
            Ok(x @ 1..=5) => Some(f64::from(x - 1) / 4.0 * 100.0),
            _ => None,
        },
        (Scoring::Ypn, "si") => Some(100.0),
        (Scoring::Ypn, "parcial") => Some(50.0),
        (Scoring::Ypn, "no") => Some(0.0),
        (Scoring::Ypn, _) => None,
    }
}

impl SurveyPlan {
    /// The plan of `form` under `settings`: items with a `scoring` and a dimension that the
    /// settings weigh.
    pub fn new(form: &Form, settings: &MethodSettings) -> Self {
        let dims: Vec<&String> = settings.dimension_weights.keys().collect();
        let items = form
            .fields()
            .into_iter()
            .filter_map(|f| {
                let scoring = f.scoring.scoring?;
                let dim = f.scoring.dimension.as_ref()?;
                let slot = dims.iter().position(|d| *d == dim)?;
                Some(PlannedItem { name: f.name.clone(), slot, scoring })
            })
            .collect();
        let all_items = form
            .fields()
            .into_iter()
            .filter_map(|f| Some((f.name.clone(), f.scoring.dimension.clone()?, f.scoring.scoring?)))
            .collect();
        let scale5 = form
            .fields()
            .into_iter()
            .filter(|f| f.scoring.scoring == Some(Scoring::Scale5))
            .map(|f| f.name.clone())
            .collect();
        Self {
            items,
            all_items,
            scale5,
            weights: settings.dimension_weights.values().copied().collect(),
            indicator_items: settings.items.clone(),
        }
    }

    /// How many dimensions respondents are reduced to.
    pub fn dimension_count(&self) -> usize {
        self.weights.len()
    }

    /// The facts of one submission (what the server stores), with the indicator items of
    /// the settings this plan was built with.
    pub fn facts(&self, answers: &Answers) -> SurveyFacts {
        self.facts_under(answers, &self.indicator_items)
    }

    /// The facts of one submission with the indicator items of a period's settings: the
    /// dimension means do not depend on settings, the satisfaction and bribe answers are
    /// read from the items that `items` names.
    pub fn facts_under(&self, answers: &Answers, items: &IndicatorItems) -> SurveyFacts {
        let mut sums: std::collections::BTreeMap<&str, (f64, u32)> = std::collections::BTreeMap::new();
        for (name, dim, scoring) in &self.all_items {
            if let Some(s) = item_score(*scoring, answers.value(name)) {
                let e = sums.entry(dim.as_str()).or_default();
                e.0 += s;
                e.1 += 1;
            }
        }
        let (satisfaction, bribe) = indicators(answers, items);
        SurveyFacts { dimensions: sums.into_iter().map(|(k, (s, n))| (k.to_string(), s / f64::from(n))).collect(), satisfaction, bribe }
    }

    /// The `scale5` answers given (1..5), in form order; for the integrity checks.
    pub fn scale5_answers(&self, answers: &Answers) -> Vec<u8> {
        self.scale5
            .iter()
            .filter_map(|name| match answers.value(name).trim().parse::<u8>() {
                Ok(x @ 1..=5) => Some(x),
                _ => None,
            })
            .collect()
    }

    /// Reduces one submission's answers.
    pub fn respondent(&self, answers: &Answers) -> Respondent {
        let k = self.weights.len();
        let mut sums = vec![0.0; k];
        let mut counts = vec![0u32; k];
        for item in &self.items {
            if let Some(s) = item_score(item.scoring, answers.value(&item.name)) {
                sums[item.slot] += s;
                counts[item.slot] += 1;
            }
        }
        let dimensions: Vec<Option<f64>> =
            sums.iter().zip(&counts).map(|(s, &c)| (c > 0).then(|| s / f64::from(c))).collect();
        let (mut num, mut den) = (0.0, 0.0);
        for (d, w) in dimensions.iter().zip(&self.weights) {
            if let Some(d) = d {
                num += w * d;
                den += w;
            }
        }
        let (satisfaction, bribe) = indicators(answers, &self.indicator_items);
        Respondent { isc: (den > 0.0).then(|| num / den), dimensions, satisfaction, bribe }
    }
}

/// How one checklist form version gives a visit's items.
pub struct VisitPlan {
    items: Vec<(String, VisitItem)>,
}

impl VisitPlan {
    /// The checklist items of `form` (those with a `pillar`).
    pub fn new(form: &Form) -> Self {
        let items = form
            .fields()
            .into_iter()
            .filter_map(|f| {
                let pillar = f.scoring.pillar.clone()?;
                let weight = f.scoring.weight.unwrap_or(1.0);
                Some((f.name.clone(), VisitItem { pillar, weight, critical: f.scoring.critical, score: None }))
            })
            .collect();
        Self { items }
    }

    /// The items of one visit: `0`, `1`, `2` score; anything else (N/A, unanswered) is N/A.
    pub fn items(&self, answers: &Answers) -> Vec<VisitItem> {
        self.items
            .iter()
            .map(|(name, template)| {
                let score = match answers.value(name).trim() {
                    "0" => Some(0),
                    "1" => Some(1),
                    "2" => Some(2),
                    _ => None,
                };
                VisitItem { score, ..template.clone() }
            })
            .collect()
    }
}
