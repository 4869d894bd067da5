//! Following the change log for what other servers on the same database did.
//!
//! With several server processes on one PostgreSQL database, each keeps in memory what it
//! must answer fast: the live scores, the periods' settings and centros' trámites that
//! ingest checks against, the parsed forms. A process updates them itself for its own
//! commits; this task reads the change log every [`EVERY`] and, for any change that was not
//! applied here, brings them up to date: new form versions are parsed, anything else that
//! touches the scores or the program rebuilds them from the database (the rebuild keeps the
//! updates that arrive meanwhile). So a survey pushed to server A is in server B's scores
//! within about a second. On the embedded SQLite file there is one process and no task.

use std::time::Duration;

use crate::AppState;

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

/// What the changes `seen` (number, kind) need, given those applied here already.
pub fn needed(seen: &[(u64, String)], applied_here: &std::collections::BTreeSet<u64>) -> Needed {
    let mut needed = Needed::default();
    for (seq, kind) in seen {
        match kind.as_str() {
            "form" => needed.forms = true,
            // What the live scores are made of: applied here, or to be read.
            "submission" | "review" | "commitment" | "commitment_changed" | "complaint" => needed.rebuild |= !applied_here.contains(seq),
            // The program: periods' settings and centros' trámites, which ingest reads.
            "period" | "centro" | "centro_removed" => needed.rebuild = true,
            // Pull notices (a visit for inspectors) and anything else: nothing kept here.
            _ => {}
        }
    }
    needed
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
    let seen = state.db.changes_since(checked, PAGE).await?;
    let Some(&(last, _)) = seen.last() else { return Ok(checked) };
    let applied_here = state.scores.take_applied_upto(last);
    let needed = needed(&seen, &applied_here);
    if needed.forms {
        state.load_new_forms().await?;
    }
    if needed.rebuild {
        state.rebuild_scores().await?;
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_was_not_applied_here_asks_for_work() {
        let seen = |kinds: &[(u64, &str)]| kinds.iter().map(|(s, k)| (*s, k.to_string())).collect::<Vec<_>>();
        let mine: std::collections::BTreeSet<u64> = [10, 11].into();
        assert_eq!(needed(&seen(&[(10, "submission"), (11, "review")]), &mine), Needed::default());
        assert_eq!(needed(&seen(&[(10, "submission"), (12, "submission")]), &mine), Needed { forms: false, rebuild: true });
        assert_eq!(needed(&seen(&[(13, "visit")]), &mine), Needed::default());
        assert_eq!(needed(&seen(&[(14, "form")]), &mine), Needed { forms: true, rebuild: false });
        assert_eq!(needed(&seen(&[(15, "period")]), &mine), Needed { forms: false, rebuild: true });
    }
}
