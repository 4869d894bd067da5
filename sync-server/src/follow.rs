//! Following the change log for what other servers on the same database did.
//!
//! With several server processes on one PostgreSQL database, each keeps in memory what it
//! must answer fast: the live scores, the periods' settings and centros' trámites that
//! ingest checks against, the parsed forms. A process updates them itself for its own
//! commits; this task reads the change log every [`EVERY`] and, for any change that was not
//! applied here, brings them up to date: new form versions are parsed; surveys and visits
//! stored elsewhere are added to the live scores, and review moves made elsewhere applied,
//! as the change log records them (each survey's first review state and each move's
//! before and after, migration 0022), so following costs what was stored, not the size of
//! the database; anything else that touches the scores or the program (commitments,
//! complaints, periods, centros, and changes logged before 0022) rebuilds them from the
//! database (the rebuild keeps the updates that arrive meanwhile). So a survey pushed to
//! server A is in server B's scores within about a second. On the embedded SQLite file
//! there is one process and no task.

use std::time::Duration;

use std::collections::BTreeSet;

use crate::AppState;
use crate::db::{Decided, Fact, FollowedChanges};
use crate::scores::Update;

/// How often the log is read (one indexed query).
pub const EVERY: Duration = Duration::from_millis(500);

/// Changes read per look (more wait for the next).
const PAGE: usize = 10_000;

/// What the changes seen in one look ask of this process.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Needed {
    /// New form versions to parse.
    pub forms: bool,
    /// The scores (and periods' settings, trámites) to rebuild.
    pub rebuild: bool,
}

/// What the changes `seen` (number, kind) need, given those applied here already and
/// those logged without their review state (`untracked`). Stored surveys and visits and
/// review moves made elsewhere are added to the scores as they are (see [`updates`]);
/// anything else that the scores or ingest are made of asks for a rebuild.
pub fn needed(seen: &[(u64, String)], untracked: &[u64], applied_here: &BTreeSet<u64>) -> Needed {
    let mut needed = Needed::default();
    for (seq, kind) in seen {
        match kind.as_str() {
            "form" => needed.forms = true,
            "submission" | "review" => needed.rebuild |= !applied_here.contains(seq) && untracked.contains(seq),
            // A centro's commitments and complaints: applied here, or read again.
            "commitment" | "commitment_changed" | "complaint" => needed.rebuild |= !applied_here.contains(seq),
            // The program: periods' settings and centros' trámites, which ingest reads.
            "period" | "centro" | "centro_removed" => needed.rebuild = true,
            // Pull notices (a visit for inspectors) and anything else: nothing kept here.
            _ => {}
        }
    }
    needed
}

/// The score updates for what other servers stored and decided: one per change, so that
/// each is skipped on its own by a table rebuilt from a snapshot that holds it.
pub fn updates(followed: FollowedChanges, applied_here: &BTreeSet<u64>) -> Vec<Update> {
    let mut updates = Vec::new();
    for fact in followed.surveys.into_iter().filter(|f| !applied_here.contains(&f.seq)) {
        updates.push(Update::Push { facts: vec![Fact::Survey(fact)], reviews: Vec::new() });
    }
    for fact in followed.visits.into_iter().filter(|f| !applied_here.contains(&f.seq)) {
        updates.push(Update::Push { facts: vec![Fact::Visit(fact)], reviews: Vec::new() });
    }
    for (fact, before, change_seq) in followed.reviews.into_iter().filter(|(_, _, seq)| !applied_here.contains(seq)) {
        let (centro_id, capture_date) = (fact.centro_id.clone(), fact.capture_date);
        updates.push(Update::Review(Decided { fact: Some(fact), centro_id, capture_date, before, change_seq }));
    }
    updates
}

/// Starts following (PostgreSQL only).
pub fn spawn(state: AppState) {
    state.scores.remember_applied();
    tokio::spawn(async move {
        // Everything up to the snapshot the scores were built from is in memory.
        let mut checked = state.scores.read(|live| live.base()).unwrap_or(0);
        loop {
            tokio::time::sleep(EVERY).await;
            match look(&state, checked).await {
                Ok(next) => checked = next,
                Err(e) => tracing::warn!(error = %e, "following the other servers' changes failed; trying again"),
            }
        }
    });
}

/// One look at the log after `checked`; the number checked up to.
async fn look(state: &AppState, checked: u64) -> anyhow::Result<u64> {
    let followed = state.db.followed_changes(checked, PAGE).await?;
    let Some(&(last, _)) = followed.seen.last() else { return Ok(checked) };
    let applied_here = state.scores.take_applied_upto(last);
    let needed = needed(&followed.seen, &followed.untracked, &applied_here);
    if needed.forms {
        state.load_new_forms().await?;
    }
    if needed.rebuild {
        state.rebuild_scores().await?;
    } else {
        for update in updates(followed, &applied_here) {
            state.scores.update(update);
        }
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_was_not_applied_here_asks_for_work() {
        let seen = |kinds: &[(u64, &str)]| kinds.iter().map(|(s, k)| (*s, k.to_string())).collect::<Vec<_>>();
        let mine: BTreeSet<u64> = [10, 11, 16].into();
        let none: &[u64] = &[];
        assert_eq!(needed(&seen(&[(10, "submission"), (11, "review")]), none, &mine), Needed::default());
        // Stored and decided elsewhere, with their review states: added, not rebuilt.
        assert_eq!(needed(&seen(&[(10, "submission"), (12, "submission"), (13, "review")]), none, &mine), Needed::default());
        // Logged before the review states were: only a rebuild reads them.
        assert_eq!(needed(&seen(&[(12, "submission")]), &[12], &mine), Needed { forms: false, rebuild: true });
        assert_eq!(needed(&seen(&[(10, "submission")]), &[10], &mine), Needed::default());
        assert_eq!(needed(&seen(&[(13, "visit")]), none, &mine), Needed::default());
        assert_eq!(needed(&seen(&[(14, "form")]), none, &mine), Needed { forms: true, rebuild: false });
        assert_eq!(needed(&seen(&[(15, "period")]), none, &mine), Needed { forms: false, rebuild: true });
        assert_eq!(needed(&seen(&[(16, "complaint")]), none, &mine), Needed::default());
        assert_eq!(needed(&seen(&[(17, "commitment")]), none, &mine), Needed { forms: false, rebuild: true });
    }
}
