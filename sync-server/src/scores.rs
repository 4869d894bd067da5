//! Live scores: one incremental [`PeriodScorer`] per period, built from the database at
//! start and updated by every push right after its commit. A score request computes the
//! table from the accumulators (milliseconds for hundreds of centros), so it is never
//! stale and never rescans the submissions.
//!
//! Every update carries the change-log sequence number of its commit. A table built from a
//! snapshot knows the snapshot's watermark and skips updates at or below it (they are in
//! the snapshot already); while a rebuild runs, updates applied to the table in use are
//! kept and replayed on the new table when it is swapped in, so a push that commits during
//! a rebuild is never lost and never counted twice.

use std::collections::BTreeMap;
use std::sync::RwLock;

use shared::scoring::{Commitment, Complaint, PeriodScorer, ScoreTable, SurveyRecord, Visit};

use crate::db::{Fact, ScoreInputs};
use crate::facts::{SurveyFact, VisitFact};

/// The scorers of every period.
#[derive(Default)]
pub struct LiveScores {
    scorers: BTreeMap<String, PeriodScorer>,
    /// The change-log watermark of the snapshot this table was built from.
    base: u64,
    /// Updates applied since a rebuild began (replayed on the rebuilt table).
    recent: Option<Vec<Update>>,
}

/// One committed change to what the scores are made of, with its sequence number.
#[derive(Debug, Clone)]
pub enum Update {
    /// Records stored by one push, and the earlier surveys it put in review (bursts).
    Push { facts: Vec<Fact>, reviews: Vec<crate::db::Decided> },
    /// A reviewer's decision.
    Review(crate::db::Decided),
    /// A centro's commitments or complaints, as they are after the change `seq`.
    CentroRecords { centro_id: String, commitments: Vec<Commitment>, complaints: Vec<Complaint>, seq: u64 },
}

impl Update {
    /// Every change number the update stands for.
    fn seqs(&self) -> Vec<u64> {
        match self {
            Update::Push { facts, reviews } => facts
                .iter()
                .map(|f| match f {
                    Fact::Survey(s) => s.seq,
                    Fact::Visit(v) => v.seq,
                })
                .chain(reviews.iter().map(|r| r.change_seq))
                .collect(),
            Update::Review(d) => vec![d.change_seq],
            Update::CentroRecords { seq, .. } => vec![*seq],
        }
    }

    /// The highest sequence number of the commit (a commit is seen whole or not at all).
    fn seq(&self) -> u64 {
        match self {
            Update::Push { facts, reviews } => {
                let facts = facts.iter().map(|f| match f {
                    Fact::Survey(s) => s.seq,
                    Fact::Visit(v) => v.seq,
                });
                facts.chain(reviews.iter().map(|r| r.change_seq)).max().unwrap_or(0)
            }
            Update::Review(d) => d.change_seq,
            Update::CentroRecords { seq, .. } => *seq,
        }
    }
}

impl LiveScores {
    /// Builds every period's scorer from stored inputs.
    pub fn build(inputs: &ScoreInputs) -> Self {
        let mut live = Self { scorers: BTreeMap::new(), base: inputs.watermark, recent: None };
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
                mode: f.mode,
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

    /// Applies a committed change, unless the table was built from a snapshot that holds it.
    /// Gives the change back when it is not kept (for a rebuild under way), for the caller
    /// to free outside its locks.
    pub fn update(&mut self, update: Update) -> Option<Update> {
        if update.seq() <= self.base {
            return Some(update);
        }
        match &update {
            Update::Push { facts, reviews } => {
                self.apply(facts);
                for d in reviews {
                    if let Some(fact) = &d.fact {
                        self.review_changed(fact, d.before.into(), d.change_seq);
                    }
                }
            }
            Update::Review(d) => {
                if let Some(fact) = &d.fact {
                    self.review_changed(fact, d.before.into(), d.change_seq);
                }
            }
            Update::CentroRecords { centro_id, commitments, complaints, seq } => {
                self.centro_records_changed(centro_id, commitments, complaints, *seq);
            }
        }
        match &mut self.recent {
            Some(recent) => {
                recent.push(update);
                None
            }
            None => Some(update),
        }
    }

    /// Applies records just committed.
    fn apply(&mut self, facts: &[Fact]) {
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
    fn review_changed(&mut self, fact: &SurveyFact, before: shared::scoring::ReviewStatus, change_seq: u64) {
        let (was, now) = (before.counts(), fact.review.counts());
        for scorer in self.scorers.values_mut() {
            let respondent = fact.facts.respondent(&scorer.period().settings);
            let record = SurveyRecord {
                centro_id: &fact.centro_id,
                capture_date: fact.capture_date,
                status: shared::scoring::ReviewStatus::Accepted,
                mode: fact.mode,
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
    fn centro_records_changed(&mut self, centro_id: &str, commitments: &[Commitment], complaints: &[Complaint], seq: u64) {
        for scorer in self.scorers.values_mut() {
            let result = scorer
                .replace_commitments(centro_id, commitments.to_vec(), seq)
                .and_then(|()| scorer.replace_complaints(centro_id, complaints.to_vec(), seq));
            if let Err(e) = result {
                tracing::warn!(centro = centro_id, error = %e, "commitments or complaints left out of the scores");
            }
        }
    }

    /// The change number of the snapshot the table was built from.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// The periods scored, with their pinned settings.
    pub fn periods(&self) -> Vec<shared::scoring::Period> {
        self.scorers.values().map(|s| s.period().clone()).collect()
    }

    /// The current table of a period.
    pub fn table(&self, period_id: &str) -> Option<ScoreTable> {
        self.scorers.get(period_id).map(PeriodScorer::table)
    }
}

/// The live scores as the server shares them: updated in commit order, rebuilt without
/// losing concurrent updates, and never read after a panic left them half-updated.
#[derive(Default)]
pub struct Live {
    inner: RwLock<LiveScores>,
    /// Change numbers this process applied itself, not yet checked by the follower of
    /// other servers' changes (`follow.rs`); only kept while one runs.
    applied_here: std::sync::Mutex<Option<std::collections::BTreeSet<u64>>>,
    /// Rebuilds run one at a time.
    rebuilding: tokio::sync::Mutex<()>,
    /// A rebuild was asked for because of damage and has not finished yet.
    repair_asked: std::sync::atomic::AtomicBool,
}

/// The live scores cannot be read now: a panic left them half-updated and they are being
/// rebuilt from the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("las puntuaciones se están recalculando; intente de nuevo en unos segundos")]
pub struct Rebuilding;

impl Live {
    /// Applies a committed change. After a panic elsewhere left the lock poisoned, the
    /// tables are not trusted (reads answer [`Rebuilding`]) until [`Live::rebuild`].
    pub fn update(&self, update: Update) {
        if let Some(applied) = self.applied_here.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_mut() {
            applied.extend(update.seqs());
        }
        let done = match self.inner.write() {
            Ok(mut live) => live.update(update),
            Err(_) => {
                tracing::error!("live scores damaged by an earlier panic: update left for the rebuild");
                Some(update)
            }
        };
        // Called by the one writer, before its next write: the change's values are freed
        // on the freeing thread, not here (`spent`).
        if let Some(done) = done {
            crate::spent::free_later(done);
        }
    }

    /// Reads the scores; [`Rebuilding`] while they are damaged.
    pub fn read<T>(&self, f: impl FnOnce(&LiveScores) -> T) -> Result<T, Rebuilding> {
        match self.inner.read() {
            Ok(live) => Ok(f(&live)),
            Err(_) => Err(Rebuilding),
        }
    }

    /// From now on, remembers the change numbers applied here (for [`Live::take_applied_upto`]).
    pub fn remember_applied(&self) {
        self.applied_here.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_or_insert_with(Default::default);
    }

    /// The change numbers up to `upto` applied here since the last call, forgotten.
    pub fn take_applied_upto(&self, upto: u64) -> std::collections::BTreeSet<u64> {
        let mut guard = self.applied_here.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(applied) = guard.as_mut() else { return Default::default() };
        let later = applied.split_off(&(upto + 1));
        std::mem::replace(applied, later)
    }

    /// Asks for a repair of damaged scores: true for the first caller only until a rebuild
    /// finishes, so many reads of damaged scores start one rebuild, not one each.
    pub fn ask_repair(&self) -> bool {
        !self.repair_asked.swap(true, std::sync::atomic::Ordering::SeqCst)
    }

    /// Rebuilds every table from a snapshot read by `snapshot`; updates committed while it
    /// runs are replayed on the new table (those in the snapshot are skipped), and a
    /// damaged table is replaced whole.
    pub async fn rebuild<F, Fut>(&self, snapshot: F) -> anyhow::Result<()>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<ScoreInputs>>,
    {
        let _one_at_a_time = self.rebuilding.lock().await;
        // Whatever happens, a later read of damaged scores may ask again.
        struct Asked<'a>(&'a std::sync::atomic::AtomicBool);
        impl Drop for Asked<'_> {
            fn drop(&mut self) {
                self.0.store(false, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let _asked = Asked(&self.repair_asked);
        self.with_table(|live| live.recent = Some(Vec::new()));
        let inputs = match snapshot().await {
            Ok(inputs) => inputs,
            Err(e) => {
                self.with_table(|live| live.recent = None);
                return Err(e);
            }
        };
        let built = tokio::task::spawn_blocking(move || LiveScores::build(&inputs)).await;
        let mut fresh = match built {
            Ok(fresh) => fresh,
            Err(e) => {
                self.with_table(|live| live.recent = None);
                return Err(e.into());
            }
        };
        let mut guard = self.inner.write().unwrap_or_else(|poisoned| {
            tracing::warn!("live scores were damaged by a panic: replaced by the rebuilt table");
            poisoned.into_inner()
        });
        for update in guard.recent.take().unwrap_or_default() {
            fresh.update(update);
        }
        *guard = fresh;
        drop(guard);
        self.inner.clear_poison();
        Ok(())
    }

    /// Runs `f` on the table whether or not it is damaged (bookkeeping of rebuilds only).
    fn with_table(&self, f: impl FnOnce(&mut LiveScores)) {
        let mut guard = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard);
    }
}
