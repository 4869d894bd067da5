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

    #[test]
    fn states_read_back_from_their_codes() {
        for s in [PeriodState::Abierto, PeriodState::Cerrado, PeriodState::Publicado] {
            assert_eq!(PeriodState::parse(s.code()), Some(s));
            assert_eq!(serde_json::to_string(&s).expect("json"), format!("\"{}\"", s.code()));
        }
        assert_eq!(PeriodState::parse("borrador"), None);
    }

    #[test]
    fn the_canonical_json_is_compact_and_its_digest_is_of_those_bytes() {
        let table = ScoreTableDto { period_id: "2025".into(), method: "MGS-1".into(), watermark: 7, centros: vec![] };
        let (bytes, digest) = canonical(&table).expect("json");
        assert_eq!(bytes, br#"{"period_id":"2025","method":"MGS-1","watermark":7,"centros":[]}"#);
        assert_eq!(digest, sha256_hex(&bytes));
    }
}
