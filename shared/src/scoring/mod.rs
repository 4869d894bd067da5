//! The scoring model, method MGS-1 (`SCORING.md`): from synced surveys, visits, commitments
//! and complaints to each centro's indices, intervals, ranking and tier.
//!
//! # Brief overview
//! - [`MethodSettings`]: every weight and threshold, versioned data pinned to a period
//!   (`Default` is MGS-1).
//! - [`SurveyPlan`] / [`VisitPlan`]: built once per form version from its scoring columns;
//!   they reduce a submission's answers to a [`Respondent`] or a visit's items.
//! - [`PeriodScorer`]: one pass; add records in any order, then [`PeriodScorer::finish`]
//!   gives the [`ScoreTable`].
//! - [`integrity_flags`]: the fieldwork checks that put a survey in review.
//!
//! # Decisions where SCORING.md is silent
//! - **Exactness.** Respondent ISCs (and other averaged values) are quantised to 2⁻³² and
//!   summed as integers; floats are derived in sorted order. The same data gives the same
//!   table bit for bit, in any input order. The quantisation is below 10⁻⁹ points.
//! - **Dimensions and pillars** count only when the method settings weigh them; a form
//!   may carry other codes (e.g. `GL`, `IN`) for indicators.
//! - **Sampling days** (clusters) are the distinct capture dates of the ISC respondents.
//!   With one day the simple SE is used and deff = 1.
//! - **SE of the composite**: a missing SE (ISC with n = 1) counts as 0, as the spec does
//!   for one visit; such a centro is never eligible anyway (n_isc < minimum).
//! - **Visits** count when they have at least one applicable pillar weighed by the method;
//!   an unanswered checklist item counts as N/A.
//! - **IACM**: a milestone verified after the period's end earns 0 for this period. With
//!   fewer than the minimum commitments IACM is 0 (as the spec says) and still counts as
//!   present for `complete`; the flag `insufficient_commitments` says why it is 0.
//! - **IGQ**: a response dated before its receipt counts as 0 business days (in term);
//!   holidays are not excluded (the spec counts Monday to Friday).
//! - **Bribe incidence** with no Sí/No answers has no interval and is no reason to exclude.
//! - **Ranking**: ineligible centros keep all their figures but get no IGC*, no rank and
//!   the tier `no_elegible`. The category variance is the sample variance (k − 1).
//! - **Collection modes**: a survey whose mode is not in `index_modes` is in no figure of
//!   the index (n, ISC, dimension means, companion indicators, IGC, ranking); it is in its
//!   mode's [`ModeScore`] (n, ISC with the same clustered SE and interval) and raises the
//!   watermark. Every mode outside the index is reported, one without surveys with n = 0.
//! - **Integrity, self-completed surveys** (any mode but `entrevista`): the surveyor's
//!   burst rule does not apply (there is no surveyor); `self_burst` does, over the
//!   centro's self-completed surveys by their finalisation time, whichever device sent them.
//! - **Integrity, burst rule**: a survey is flagged when it and at least `burst_count − 1`
//!   other finalisations of the same surveyor fall in one window of `burst_window_seconds`.

mod components;
mod inputs;
mod integrity;
mod modes;
mod output;
mod plan;
mod ranking;
mod scorer;
mod settings;
mod settings_form;
mod stats;

pub use components::{business_days, composite, iacm, icv, igq, milestone_credit, visit_icv, IacmResult, IcvResult, IgqResult};
pub use inputs::{Ambito, Category, Centro, Commitment, Complaint, Milestone, Period, ReviewStatus, Tipo, Visit, VisitItem};
pub use modes::CollectionMode;
pub use integrity::{IntegrityFlag, SurveyMeta, burst_companions, integrity_flags};
pub use output::{CategoryStats, CentroScore, ModeScore, Ineligibility, Ranking, ScoreTable, Tier};
pub use plan::{Respondent, SurveyFacts, SurveyPlan, VisitPlan, item_score};
pub use scorer::{PeriodScorer, ScoreError, SurveyRecord};
pub use settings::{
    CommitmentTerms, ComplaintTerms, ComponentWeights, Eligibility, IndicatorItems, IntegrityLimits, MethodSettings,
    Recognition, SettingsError, Tiers, TrainingTarget,
};
pub use settings_form::{SettingField, SettingKind, SettingProblem, setting_fields, settings_from_fields};
pub use stats::{ExactSum, Proportion, wilson};
