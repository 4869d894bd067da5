//! Live scores: one incremental [`PeriodScorer`] per period, built from the database at
//! start and updated by every push right after its commit. A score request computes the
//! table from the accumulators (milliseconds for hundreds of centros), so it is never
//! stale and never rescans the submissions.

use std::collections::BTreeMap;

use shared::scoring::{Commitment, Complaint, PeriodScorer, ScoreTable, SurveyRecord, Visit};

use crate::db::{Fact, ScoreInputs};
use crate::facts::{SurveyFact, VisitFact};

/// The scorers of every period.
#[derive(Default)]
pub struct LiveScores {
    scorers: BTreeMap<String, PeriodScorer>,
}

impl LiveScores {
    /// Builds every period's scorer from stored inputs.
    pub fn build(inputs: &ScoreInputs) -> Self {
        let mut live = Self { scorers: BTreeMap::new() };
        for period in &inputs.periods {
            live.scorers.insert(period.id.clone(), PeriodScorer::new(period, &inputs.centros));
        }
        for s in &inputs.surveys {
            live.add_survey(s);
        }
        for v in &inputs.visits {
            live.add_visit(v);
        }
        for scorer in live.scorers.values_mut() {
            for c in &inputs.commitments {
                let _ = scorer.add_commitment(c.clone());
            }
            for c in &inputs.complaints {
                let _ = scorer.add_complaint(c.clone());
            }
        }
        for scorer in live.scorers.values_mut() {
            scorer.observe(inputs.watermark);
        }
        live
    }

    fn add_survey(&mut self, f: &SurveyFact) {
        for scorer in self.scorers.values_mut() {
            let respondent = f.facts.respondent(&scorer.period().settings);
            let record = SurveyRecord {
                centro_id: &f.centro_id,
                capture_date: f.capture_date,
                status: f.review,
                seq: f.seq,
                respondent: &respondent,
            };
            if let Err(e) = scorer.add_survey(&record) {
                tracing::warn!(submission = %f.submission_id, error = %e, "survey left out of the scores");
            }
        }
    }

    fn add_visit(&mut self, f: &VisitFact) {
        for scorer in self.scorers.values_mut() {
            let visit = Visit { centro_id: f.centro_id.clone(), date: f.date, seq: f.seq, items: f.items.clone() };
            if let Err(e) = scorer.add_visit(visit) {
                tracing::warn!(submission = %f.submission_id, error = %e, "visit left out of the scores");
            }
        }
    }

    /// Applies records just committed.
    pub fn apply(&mut self, facts: &[Fact]) {
        let mut seq = 0;
        for fact in facts {
            match fact {
                Fact::Survey(s) => {
                    seq = seq.max(s.seq);
                    self.add_survey(s);
                }
                Fact::Visit(v) => {
                    seq = seq.max(v.seq);
                    self.add_visit(v);
                }
            }
        }
        for scorer in self.scorers.values_mut() {
            scorer.observe(seq);
        }
    }

    /// A survey's review state changed from `before` to `fact.review`: take it out of or
    /// put it into the scores (exactly), and move the watermark to the decision.
    pub fn review_changed(&mut self, fact: &SurveyFact, before: shared::scoring::ReviewStatus, change_seq: u64) {
        let (was, now) = (before.counts(), fact.review.counts());
        for scorer in self.scorers.values_mut() {
            let respondent = fact.facts.respondent(&scorer.period().settings);
            let record = SurveyRecord {
                centro_id: &fact.centro_id,
                capture_date: fact.capture_date,
                status: shared::scoring::ReviewStatus::Accepted,
                seq: fact.seq,
                respondent: &respondent,
            };
            let result = match (was, now) {
                (true, false) => scorer.remove_survey(&record),
                (false, true) => scorer.add_survey(&record),
                _ => Ok(()),
            };
            if let Err(e) = result {
                tracing::warn!(submission = %fact.submission_id, error = %e, "review not applied to the scores");
            }
            scorer.observe(change_seq);
        }
    }

    /// A centro's commitments or complaints changed: replace them in every period.
    pub fn centro_records_changed(&mut self, centro_id: &str, commitments: &[Commitment], complaints: &[Complaint], seq: u64) {
        for scorer in self.scorers.values_mut() {
            let result = scorer
                .replace_commitments(centro_id, commitments.to_vec(), seq)
                .and_then(|()| scorer.replace_complaints(centro_id, complaints.to_vec(), seq));
            if let Err(e) = result {
                tracing::warn!(centro = centro_id, error = %e, "commitments or complaints left out of the scores");
            }
        }
    }

    /// The current table of a period.
    pub fn table(&self, period_id: &str) -> Option<ScoreTable> {
        self.scorers.get(period_id).map(PeriodScorer::table)
    }
}
