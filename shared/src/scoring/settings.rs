//! Method settings: every weight, threshold and term of the scoring model, as versioned
//! data pinned to a period. Nothing of it is a constant in code; [`MethodSettings::default`]
//! is method `MGS-1`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::modes::CollectionMode;

/// All settings of one scoring method version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MethodSettings {
    /// The method's name and version, e.g. `MGS-1`; carried by every score.
    pub method: String,
    /// ω: weight of each survey dimension in the ISC (dimensions not listed do not count).
    pub dimension_weights: BTreeMap<String, f64>,
    /// W: weight of each checklist pillar in the ICV (pillars not listed do not count).
    pub pillar_weights: BTreeMap<String, f64>,
    /// c: weights of the composite's components.
    pub component_weights: ComponentWeights,
    /// Which items give the companion indicators.
    pub items: IndicatorItems,
    /// Credits and terms of the improvement commitments (IACM).
    pub commitments: CommitmentTerms,
    /// Terms and weights of complaint handling (IGQ).
    pub complaints: ComplaintTerms,
    /// Who can be ranked.
    pub eligibility: Eligibility,
    /// Tier thresholds.
    pub tiers: Tiers,
    /// Who is recognised per category when the results are published (absent in
    /// settings stored before it existed: the default).
    #[serde(default)]
    pub recognition: Recognition,
    /// The trained-staff item of the checklist and its target (absent in settings stored
    /// before it existed: the default).
    #[serde(default)]
    pub training: TrainingTarget,
    /// Fieldwork integrity limits.
    pub integrity: IntegrityLimits,
    /// The collection modes whose surveys count in the ISC and everything derived from it
    /// (companion indicators, IGC, ranking); each other mode is reported beside it. Absent
    /// in settings stored before it existed: `["entrevista"]`.
    #[serde(default = "default_index_modes")]
    pub index_modes: Vec<CollectionMode>,
    /// The normal quantile of every 95 % interval and of the tie rule.
    #[schema(exclusive_minimum = 0.0)]
    pub z: f64,
}

/// c: the composite's component weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentWeights {
    #[schema(minimum = 0.0)]
    pub isc: f64,
    #[schema(minimum = 0.0)]
    pub icv: f64,
    #[schema(minimum = 0.0)]
    pub iacm: f64,
    #[schema(minimum = 0.0)]
    pub igq: f64,
}

/// The items behind CSAT, dissatisfaction and bribe incidence (matched by name across
/// form versions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorItems {
    /// Overall satisfaction, answered `1`..`5`.
    pub satisfaction: String,
    /// Bribe request item.
    pub bribe: String,
    /// Its choice meaning «Sí».
    pub bribe_yes: String,
    /// Its choice meaning «No».
    pub bribe_no: String,
    /// The free-text suggestion item (GL3), shown anonymised to staff and the centro's
    /// Enlace; absent in settings stored before it existed: `GL3`.
    #[serde(default = "default_suggestion")]
    pub suggestion: String,
}

fn default_index_modes() -> Vec<CollectionMode> {
    vec![CollectionMode::Entrevista]
}

fn default_suggestion() -> String {
    "GL3".into()
}

/// IACM credits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentTerms {
    /// Credit of a milestone verified on or before its due date.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub on_time_credit: f64,
    /// Credit when verified at most `late_days` after its due date.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub late_credit: f64,
    /// How many days late still earn `late_credit`.
    #[schema(minimum = 0, maximum = 3650)]
    pub late_days: i64,
    /// Credit when verified later (still by the period's end).
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub very_late_credit: f64,
    /// Fewer commitments with due milestones than this gives IACM = 0 and a flag.
    #[schema(maximum = 1000000)]
    pub min_commitments: usize,
}

/// IGQ terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintTerms {
    /// The response term, in business days (Monday to Friday).
    #[schema(minimum = 0, maximum = 3650)]
    pub term_business_days: i64,
    /// Weight of the share answered in term.
    pub in_term_weight: f64,
    /// Weight of the share with a corrective action.
    pub corrective_weight: f64,
    /// Weight of the share closed with the citizen's acknowledgement.
    pub acknowledged_weight: f64,
    /// The pillar whose visit score stands in when there are no complaints.
    pub fallback_pillar: String,
}

/// Eligibility for ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    #[schema(maximum = 1000000)]
    pub min_surveys: u64,
    #[schema(maximum = 1000000)]
    pub min_visits: u64,
    /// Highest allowed lower Wilson bound of bribe incidence (a share, 0.02 = 2 %).
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub max_bribe_lower_bound: f64,
    /// Categories with fewer eligible centros are not shrunk.
    #[schema(maximum = 1000000)]
    pub min_centros_for_shrinkage: usize,
}

/// Recognition (convocatoria, Sección Octava): per category, the best ranked centros
/// whose tier is one of `tiers`, at most `per_category` of them, and whoever is tied with
/// the last one recognised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Recognition {
    /// How many centros per category (0: none).
    #[schema(maximum = 1000)]
    pub per_category: u32,
    /// The tiers that can be recognised: `destacado`, and `satisfactorio` if the program
    /// wishes.
    pub tiers: Vec<String>,
}

impl Default for Recognition {
    fn default() -> Self {
        Self { per_category: 3, tiers: vec!["destacado".into()] }
    }
}

/// The checklist item that measures the share of front-line staff trained or certified
/// in the period, and the share that meets it (PROGRAM_CYCLE.md, «Incorporation, staff
/// and training»). The device suggests the item's score from the program's records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingTarget {
    /// The item's name in the checklist form.
    pub item: String,
    /// The share (0–1) at or above which the item is suggested as met.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub target: f64,
}

impl Default for TrainingTarget {
    fn default() -> Self {
        Self { item: "TC-V7".into(), target: 0.8 }
    }
}

/// Tier thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tiers {
    /// `destacado` needs IGC* at least this…
    pub outstanding_min: f64,
    /// …and IGC − z·SE at least this.
    pub outstanding_lower_min: f64,
    /// `satisfactorio` needs IGC* at least this.
    pub satisfactory_min: f64,
}

/// Fieldwork integrity limits (§8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntegrityLimits {
    /// Answering faster than this is suspicious.
    pub min_duration_seconds: f64,
    /// This many or more `scale5` answers, all equal, is straight-lining.
    #[schema(maximum = 1000000)]
    pub straightline_min_answers: usize,
    /// Farther than this from the centro (both positions known).
    pub max_distance_m: f64,
    /// Device clock off by more than this at sync.
    #[schema(minimum = 0, maximum = 31536000)]
    pub max_clock_skew_seconds: i64,
    /// This many finalisations by one surveyor…
    #[schema(minimum = 2, maximum = 1000000)]
    pub burst_count: usize,
    /// …within this many seconds.
    #[schema(minimum = 0, maximum = 86400)]
    pub burst_window_seconds: i64,
    /// This many self-completed surveys (kiosk, QR) at one centro… (absent in settings
    /// stored before it existed: 5)
    #[serde(default = "default_self_burst_count")]
    #[schema(minimum = 2, maximum = 1000000)]
    pub self_burst_count: usize,
    /// …within this many seconds (absent: 60).
    #[serde(default = "default_self_burst_window")]
    #[schema(minimum = 0, maximum = 86400)]
    pub self_burst_window_seconds: i64,
}

fn default_self_burst_count() -> usize {
    5
}

fn default_self_burst_window() -> i64 {
    60
}

impl Default for MethodSettings {
    /// Method `MGS-1`, as in `SCORING.md`.
    fn default() -> Self {
        let map = |pairs: &[(&str, f64)]| pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        Self {
            method: "MGS-1".into(),
            dimension_weights: map(&[("AG", 0.25), ("TC", 0.25), ("CI", 0.25), ("DE", 0.15), ("RE", 0.10)]),
            pillar_weights: map(&[("AG", 20.0), ("DE", 20.0), ("TC", 20.0), ("CI", 20.0), ("QJ", 10.0), ("PC", 10.0)]),
            component_weights: ComponentWeights { isc: 0.40, icv: 0.30, iacm: 0.20, igq: 0.10 },
            items: IndicatorItems {
                satisfaction: "GL1".into(),
                bribe: "IN1".into(),
                bribe_yes: "si".into(),
                bribe_no: "no".into(),
                suggestion: default_suggestion(),
            },
            commitments: CommitmentTerms {
                on_time_credit: 1.0,
                late_credit: 0.8,
                late_days: 30,
                very_late_credit: 0.5,
                min_commitments: 2,
            },
            complaints: ComplaintTerms {
                term_business_days: 10,
                in_term_weight: 40.0,
                corrective_weight: 30.0,
                acknowledged_weight: 30.0,
                fallback_pillar: "QJ".into(),
            },
            eligibility: Eligibility {
                min_surveys: 60,
                min_visits: 2,
                max_bribe_lower_bound: 0.02,
                min_centros_for_shrinkage: 3,
            },
            tiers: Tiers { outstanding_min: 90.0, outstanding_lower_min: 85.0, satisfactory_min: 75.0 },
            recognition: Recognition::default(),
            training: TrainingTarget::default(),
            integrity: IntegrityLimits {
                min_duration_seconds: 40.0,
                straightline_min_answers: 8,
                max_distance_m: 300.0,
                max_clock_skew_seconds: 600,
                burst_count: 3,
                burst_window_seconds: 60,
                self_burst_count: default_self_burst_count(),
                self_burst_window_seconds: default_self_burst_window(),
            },
            index_modes: default_index_modes(),
            z: 1.96,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_json_and_refuse_unknown_fields() {
        let s = MethodSettings::default();
        let json = serde_json::to_string(&s).expect("serializes");
        let back: MethodSettings = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, s);
        let with_typo = json.replacen("\"z\":", "\"zz\":", 1);
        assert!(serde_json::from_str::<MethodSettings>(&with_typo).is_err());
    }

    /// Settings pinned to a period before modes existed read as interviews only, with
    /// the self-completed burst rule's defaults.
    #[test]
    fn settings_stored_before_modes_read_with_the_defaults() {
        let mut json = serde_json::to_value(MethodSettings::default()).expect("serializes");
        json.as_object_mut().expect("object").remove("index_modes");
        let integrity = json["integrity"].as_object_mut().expect("object");
        integrity.remove("self_burst_count");
        integrity.remove("self_burst_window_seconds");
        let back: MethodSettings = serde_json::from_value(json).expect("parses");
        assert_eq!(back.index_modes, vec![CollectionMode::Entrevista]);
        assert_eq!((back.integrity.self_burst_count, back.integrity.self_burst_window_seconds), (5, 60));
    }

    #[test]
    fn index_modes_must_name_at_least_one_mode_once() {
        let mut s = MethodSettings { index_modes: vec![CollectionMode::Entrevista, CollectionMode::Qr], ..MethodSettings::default() };
        assert_eq!(s.check(), Ok(()));
        s.index_modes = vec![];
        assert_eq!(s.check(), Err(SettingsError::OutOfRange("index_modes")));
        s.index_modes = vec![CollectionMode::Qr, CollectionMode::Kiosko, CollectionMode::Qr];
        assert_eq!(s.check(), Err(SettingsError::OutOfRange("index_modes")));
        let mut s = MethodSettings::default();
        s.integrity.self_burst_count = 1;
        assert_eq!(s.check(), Err(SettingsError::OutOfRange("integrity.self_burst_count")));
    }

    #[test]
    fn mgs1_weights_are_those_of_the_method() {
        let s = MethodSettings::default();
        let sum: f64 = s.dimension_weights.values().sum();
        assert!((sum - 1.0).abs() < 1e-12);
        assert_eq!(s.pillar_weights.values().sum::<f64>(), 100.0);
    }
}

/// Why method settings cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingsError {
    #[error("el peso «{0}» debe ser un número finito mayor o igual a 0")]
    BadWeight(String),
    #[error("los pesos de «{0}» suman 0")]
    ZeroWeights(&'static str),
    #[error("el valor «{0}» está fuera de rango")]
    OutOfRange(&'static str),
}

/// Longest term in days (late credit, complaint response): ten years.
pub const MAX_DAYS: i64 = 3_650;

/// Largest count a setting may ask for (surveys, visits, answers…).
pub const MAX_COUNT: u64 = 1_000_000;

impl MethodSettings {
    /// Checks the settings before a period is pinned to them.
    pub fn check(&self) -> Result<(), SettingsError> {
        let groups: [(&'static str, Vec<(String, f64)>); 3] = [
            ("dimension_weights", self.dimension_weights.iter().map(|(k, v)| (k.clone(), *v)).collect()),
            ("pillar_weights", self.pillar_weights.iter().map(|(k, v)| (k.clone(), *v)).collect()),
            ("component_weights", {
                let c = &self.component_weights;
                vec![("isc".into(), c.isc), ("icv".into(), c.icv), ("iacm".into(), c.iacm), ("igq".into(), c.igq)]
            }),
        ];
        for (group, weights) in groups {
            if let Some((name, _)) = weights.iter().find(|(_, w)| !w.is_finite() || *w < 0.0) {
                return Err(SettingsError::BadWeight(name.clone()));
            }
            if weights.iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
                return Err(SettingsError::ZeroWeights(group));
            }
        }
        let c = &self.commitments;
        let credits_ok = [c.on_time_credit, c.late_credit, c.very_late_credit].iter().all(|v| (0.0..=1.0).contains(v));
        let (e, i) = (&self.eligibility, &self.integrity);
        let counts = [
            c.min_commitments as u64,
            e.min_surveys,
            e.min_visits,
            e.min_centros_for_shrinkage as u64,
            i.straightline_min_answers as u64,
            i.burst_count as u64,
            i.self_burst_count as u64,
        ];
        let modes = &self.index_modes;
        let checks: [(&'static str, bool); 11] = [
            ("training.target", (0.0..=1.0).contains(&self.training.target) && !self.training.item.trim().is_empty()),
            ("z", self.z.is_finite() && self.z > 0.0),
            ("commitments", credits_ok && (0..=MAX_DAYS).contains(&c.late_days)),
            ("complaints.term_business_days", (0..=MAX_DAYS).contains(&self.complaints.term_business_days)),
            ("eligibility.max_bribe_lower_bound", (0.0..=1.0).contains(&e.max_bribe_lower_bound)),
            ("integrity", i.burst_count >= 2 && (0..=86_400).contains(&i.burst_window_seconds) && (0..=31_536_000).contains(&i.max_clock_skew_seconds)),
            ("integrity.self_burst_count", i.self_burst_count >= 2 && (0..=86_400).contains(&i.self_burst_window_seconds)),
            ("index_modes", !modes.is_empty() && modes.iter().enumerate().all(|(k, m)| !modes[..k].contains(m))),
            ("counts", counts.iter().all(|n| *n <= MAX_COUNT)),
            ("weights", self.dimension_weights.len() <= 100 && self.pillar_weights.len() <= 100),
            (
                "recognition",
                self.recognition.per_category <= 1000 && self.recognition.tiers.iter().all(|t| t == "destacado" || t == "satisfactorio"),
            ),
        ];
        match checks.iter().find(|(_, ok)| !ok) {
            Some((name, _)) => Err(SettingsError::OutOfRange(name)),
            None => Ok(()),
        }
    }
}
