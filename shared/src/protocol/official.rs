//! The program's year, part 1 (`PROGRAM_CYCLE.md`): a period's state, its official results
//! (frozen at each close, versioned, with digests) and what changed between versions.
//!
//! **Canonical JSON.** The digests are SHA-256 of the compact JSON that `serde_json` writes
//! for [`ScoreTableDto`] and [`ScoringInputs`]: fields in declaration order, maps sorted by
//! key, no whitespace, numbers in their shortest exact form. Anyone can recompute the table
//! from the published inputs (`sync-server recompute-scores`) and compare digests.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ScoreTableDto, ScoringInputs};
use crate::digest::sha256_hex;

/// Where a period is in the program's year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodState {
    /// Fieldwork: records arrive, scores are live (preliminary).
    Abierto,
    /// Capture over: the official results are frozen; late records are stored apart.
    Cerrado,
    /// The official results are public.
    Publicado,
}

impl PeriodState {
    /// The code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            PeriodState::Abierto => "abierto",
            PeriodState::Cerrado => "cerrado",
            PeriodState::Publicado => "publicado",
        }
    }

    /// Parses [`PeriodState::code`].
    pub fn parse(code: &str) -> Option<Self> {
        [PeriodState::Abierto, PeriodState::Cerrado, PeriodState::Publicado].into_iter().find(|s| s.code() == code)
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            PeriodState::Abierto => "Abierto",
            PeriodState::Cerrado => "Cerrado",
            PeriodState::Publicado => "Publicado",
        }
    }
}

/// Longest reason of a state change.
pub const MAX_REASON_CHARS: usize = 500;

/// `POST /periods/{id}/close|reopen|publication-request|publish`: why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateChange {
    /// Required, 1 to 500 characters; kept with the change and in the audit log.
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub reason: String,
}

/// One version of a period's official results (without the table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfficialVersion {
    pub period_id: String,
    /// 1, 2, …: a new one at each close.
    pub version: u32,
    /// When the period was closed (RFC 3339, the centros' offset).
    pub closed_at: String,
    /// Who closed it.
    pub closed_by: String,
    /// Why it was closed.
    pub reason: String,
    /// Why it had been reopened (version 2 on).
    pub reopen_reason: Option<String>,
    /// The last change of data the results include.
    pub watermark: u64,
    /// The method (name and version) of the pinned settings.
    pub method: String,
    /// SHA-256 of the canonical JSON of the table.
    pub table_sha256: String,
    /// SHA-256 of the canonical JSON of the (anonymised) scoring inputs.
    pub inputs_sha256: String,
    /// When an admin published it, if it was.
    pub published_at: Option<String>,
}

/// `GET /periods/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PeriodStatus {
    pub period_id: String,
    pub state: PeriodState,
    /// Publication asked by staff, waiting for an admin: its reason.
    pub publication_requested: Option<String>,
    /// Every version of the official results, oldest first.
    pub versions: Vec<OfficialVersion>,
    /// Records of the period stored after its latest close (not in the official table).
    pub late_records: u64,
}

/// `GET /periods/{id}/official/{version}`: the frozen table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfficialResults {
    pub version: OfficialVersion,
    pub table: ScoreTableDto,
}

/// A centro's standing in one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Standing {
    pub n: u64,
    pub igc_star: Option<f64>,
    pub rank: Option<u32>,
    pub tier: String,
}

/// A centro whose standing differs between two versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CentroChange {
    pub centro_id: String,
    /// `None`: not in the earlier version.
    pub before: Option<Standing>,
    /// `None`: not in the later version.
    pub after: Option<Standing>,
}

/// `GET /periods/{id}/official/{version}/changes`: what changed from the version before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VersionChanges {
    pub period_id: String,
    pub from_version: u32,
    pub to_version: u32,
    pub centros: Vec<CentroChange>,
}

/// A record of a closed period stored after its close.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LateRecord {
    pub submission_id: Uuid,
    pub centro_id: String,
    pub capture_date: chrono::NaiveDate,
    pub received_at: String,
}

/// A centro recognised in its category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Recognised {
    pub centro_id: String,
    pub ambito: String,
    pub tipo: String,
    pub rank: u32,
    pub tier: String,
    pub igc_star: Option<f64>,
    /// Statistically tied with a neighbour in the ranking: recognised as a tie.
    pub tied: bool,
}

/// The centros recognised in each category of `table` under `rule`: in rank order, those
/// whose tier is one of the rule's, at most `per_category`, then whoever is tied with the
/// last one taken (a tie is never split by the cut).
pub fn recognised(table: &ScoreTableDto, rule: &crate::scoring::Recognition) -> Vec<Recognised> {
    use std::collections::BTreeMap;
    let mut categories: BTreeMap<(&str, &str), Vec<&super::CentroScoreDto>> = BTreeMap::new();
    for c in table.centros.iter().filter(|c| c.rank.is_some()) {
        categories.entry((c.ambito.as_str(), c.tipo.as_str())).or_default().push(c);
    }
    let mut out = Vec::new();
    for ranked in categories.values_mut() {
        ranked.sort_by_key(|c| (c.rank, c.centro_id.clone()));
        let qualifies = |c: &super::CentroScoreDto| rule.tiers.contains(&c.tier);
        let mut taken: Vec<&super::CentroScoreDto> = Vec::new();
        for (i, c) in ranked.iter().enumerate() {
            let tied_with_last = taken.last().is_some_and(|last| last.tied_with_next && i > 0 && ranked[i - 1].centro_id == last.centro_id);
            if !qualifies(c) || (taken.len() >= rule.per_category as usize && !tied_with_last) {
                break;
            }
            taken.push(c);
        }
        for (i, c) in taken.iter().enumerate() {
            let tied = c.tied_with_next && i + 1 < taken.len() || i > 0 && taken[i - 1].tied_with_next;
            out.push(Recognised {
                centro_id: c.centro_id.clone(),
                ambito: c.ambito.clone(),
                tipo: c.tipo.clone(),
                rank: c.rank.unwrap_or_default(),
                tier: c.tier.clone(),
                igc_star: c.igc_star,
                tied,
            });
        }
    }
    out
}

fn standing(c: &super::CentroScoreDto) -> Standing {
    Standing { n: c.n, igc_star: c.igc_star, rank: c.rank, tier: c.tier.clone() }
}

/// The centros whose standing (n, IGC*, rank, tier) differs from `before` to `after`, by id.
pub fn changes(before: &ScoreTableDto, after: &ScoreTableDto) -> Vec<CentroChange> {
    use std::collections::BTreeMap;
    let mut by_id: BTreeMap<&str, (Option<Standing>, Option<Standing>)> = BTreeMap::new();
    for c in &before.centros {
        by_id.entry(&c.centro_id).or_default().0 = Some(standing(c));
    }
    for c in &after.centros {
        by_id.entry(&c.centro_id).or_default().1 = Some(standing(c));
    }
    by_id
        .into_iter()
        .filter(|(_, (b, a))| b != a)
        .map(|(id, (before, after))| CentroChange { centro_id: id.to_string(), before, after })
        .collect()
}

/// The canonical JSON of a value and its SHA-256.
pub fn canonical<T: Serialize>(value: &T) -> Result<(Vec<u8>, String), serde_json::Error> {
    let bytes = serde_json::to_vec(value)?;
    let digest = sha256_hex(&bytes);
    Ok((bytes, digest))
}

impl ScoringInputs {
    /// The inputs as published: only the period's surveys, each survey and visit keyed by
    /// an id from `new_id` instead of its record's (nothing links them to a device or a
    /// person). The table computed from them is the same.
    pub fn anonymised(mut self, new_id: &mut dyn FnMut() -> Uuid) -> Self {
        let (start, end) = (self.period.start, self.period.end);
        self.surveys.retain(|s| (start..=end).contains(&s.capture_date));
        for s in &mut self.surveys {
            s.submission_id = new_id();
        }
        for v in &mut self.visits {
            v.submission_id = new_id();
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::CollectionMode;

    #[test]
    fn states_read_back_from_their_codes() {
        for s in [PeriodState::Abierto, PeriodState::Cerrado, PeriodState::Publicado] {
            assert_eq!(PeriodState::parse(s.code()), Some(s));
            assert_eq!(serde_json::to_string(&s).expect("json"), format!("\"{}\"", s.code()));
        }
        assert_eq!(PeriodState::parse("borrador"), None);
    }

    fn centro(id: &str, rank: u32, tier: &str, tied_with_next: bool) -> super::super::CentroScoreDto {
        let mut c: super::super::CentroScoreDto = serde_json::from_value(serde_json::json!({
            "centro_id": id, "ambito": "estatal", "tipo": "tramites", "n": 60, "n_isc": 60, "sampling_days": 5, "n_eff": null, "deff": null,
            "isc": null, "isc_se": null, "isc_ci": null, "dimension_means": {}, "csat": null, "dissatisfied": null, "bribe": null, "visits": 2,
            "icv": null, "icv_se": null, "pillar_means": {}, "critical_failure": false, "iacm": 0.0, "commitments": 0,
            "insufficient_commitments": false, "igq": null, "complaints": 0, "igq_from_visits": false, "igc": null, "igc_se": null,
            "complete": true, "igc_star": 90.0, "se_star": 1.0, "shrinkage": null, "rank": null, "tied_with_next": false, "tier": "", "reasons": []
        }))
        .expect("centro");
        (c.rank, c.tier, c.tied_with_next) = (Some(rank), tier.into(), tied_with_next);
        c
    }

    #[test]
    fn recognition_takes_the_best_of_the_tiers_and_never_splits_a_tie() {
        let table = |centros| ScoreTableDto { period_id: "p".into(), method: "m".into(), watermark: 1, index_modes: vec![CollectionMode::Entrevista], centros };
        let rule = |n, tiers: &[&str]| crate::scoring::Recognition { per_category: n, tiers: tiers.iter().map(|t| t.to_string()).collect() };
        let ids = |r: Vec<Recognised>| r.into_iter().map(|r| (r.centro_id, r.tied)).collect::<Vec<_>>();
        let plain = table(vec![centro("A", 1, "destacado", false), centro("B", 2, "destacado", false), centro("C", 3, "satisfactorio", false)]);
        assert_eq!(ids(recognised(&plain, &rule(3, &["destacado"]))), vec![("A".into(), false), ("B".into(), false)]);
        assert_eq!(ids(recognised(&plain, &rule(3, &["destacado", "satisfactorio"]))).len(), 3);
        assert_eq!(ids(recognised(&plain, &rule(1, &["destacado"]))), vec![("A".into(), false)]);
        assert!(recognised(&plain, &rule(0, &["destacado"])).is_empty());
        // B and C tie at the cut of 2: both are recognised, as a tie.
        let tie = table(vec![centro("A", 1, "destacado", false), centro("B", 2, "destacado", true), centro("C", 3, "destacado", false), centro("D", 4, "destacado", false)]);
        assert_eq!(ids(recognised(&tie, &rule(2, &["destacado"]))), vec![("A".into(), false), ("B".into(), true), ("C".into(), true)]);
        // A tie above the cut is shown as a tie without going past the cut.
        let high = table(vec![centro("A", 1, "destacado", true), centro("B", 2, "destacado", false), centro("C", 3, "destacado", false)]);
        assert_eq!(ids(recognised(&high, &rule(2, &["destacado"]))), vec![("A".into(), true), ("B".into(), true)]);
    }

    proptest::proptest! {
        /// Whatever the ranking: the recognised of a category are its best ranked, without
        /// a gap, all of a recognised tier, at most `per_category` unless a tie at the cut
        /// carries on, and never a tie split by the cut.
        #[test]
        fn recognition_is_a_gapless_top_that_never_splits_a_tie(
            rows in proptest::collection::vec((0u8..3, proptest::bool::ANY), 0..12),
            per_category in 0u32..5,
        ) {
            let tiers = ["destacado", "satisfactorio", "en_mejora"];
            let centros: Vec<_> = rows.iter().enumerate().map(|(i, (t, tie))| centro(&format!("C{i:02}"), i as u32 + 1, tiers[*t as usize], *tie)).collect();
            let table = ScoreTableDto { period_id: "p".into(), method: "m".into(), watermark: 1, index_modes: vec![CollectionMode::Entrevista], centros: centros.clone() };
            let rule = crate::scoring::Recognition { per_category, tiers: vec!["destacado".into(), "satisfactorio".into()] };
            let got = recognised(&table, &rule);
            let n = got.len();
            for (i, r) in got.iter().enumerate() {
                proptest::prop_assert_eq!(&r.centro_id, &centros[i].centro_id, "a gapless top");
                proptest::prop_assert!(rule.tiers.contains(&r.tier));
            }
            if n > per_category as usize {
                proptest::prop_assert!(centros[n - 2].tied_with_next, "past the cut only through a tie");
            }
            if n > 0 && n < centros.len() && centros[n - 1].tied_with_next {
                proptest::prop_assert!(!rule.tiers.contains(&centros[n].tier), "a tie is split only by a tier that cannot be recognised");
            }
        }
    }

    #[test]
    fn the_canonical_json_is_compact_and_its_digest_is_of_those_bytes() {
        let table = ScoreTableDto { period_id: "2025".into(), method: "MGS-1".into(), watermark: 7, index_modes: vec![CollectionMode::Entrevista], centros: vec![] };
        let (bytes, digest) = canonical(&table).expect("json");
        assert_eq!(bytes, br#"{"period_id":"2025","method":"MGS-1","watermark":7,"centros":[]}"#);
        assert_eq!(digest, sha256_hex(&bytes));
    }
}
