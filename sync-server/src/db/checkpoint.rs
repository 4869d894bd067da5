//! Copies the write-ahead log back into the database file on a thread of its own, so that
//! no commit (and no device waiting for its push answer) pays for it. The writer connection
//! has SQLite's automatic checkpoint turned off and nudges this thread after each write; a
//! burst of commits is copied back at once, a short pause after the first of them.
//! Durability does not depend on it: a commit is durable once the log is synced.

use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use rusqlite::Connection;

/// How long a burst of commits may go on before its pages are copied back.
const PAUSE: Duration = Duration::from_millis(200);

/// The handle writers nudge; the thread ends when the last handle is dropped.
pub(super) struct Checkpointer(Sender<()>);

impl Checkpointer {
    /// Starts the checkpoint thread with its own connection to `path`.
    pub(super) fn start(path: &Path) -> Result<Self, super::DbError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let (nudges, received) = channel();
        std::thread::Builder::new()
            .name("db-checkpoint".into())
            .spawn(move || run(&conn, &received))
            .map_err(|e| super::DbError::Other(e.into()))?;
        Ok(Self(nudges))
    }

    /// Says that a write was committed.
    pub(super) fn nudge(&self) {
        let _ = self.0.send(());
    }
}

fn run(conn: &Connection, nudges: &Receiver<()>) {
    while nudges.recv().is_ok() {
        std::thread::sleep(PAUSE);
        while nudges.try_recv().is_ok() {}
        // PASSIVE: copies what no reader still needs, never blocks the writer or readers.
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "WAL checkpoint failed; it is retried after the next write");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::super::Db;

    /// The writer never checkpoints itself: without this thread the database file would
    /// not grow until the server stops, and the log would grow without bound.
    #[tokio::test]
    async fn committed_pages_reach_the_database_file_while_the_server_runs() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("t.sqlite3");
        let db = Db::open(&path).expect("open");
        let before = std::fs::metadata(&path).expect("file").len();
        db.write(|conn| {
            conn.execute_batch(
                "CREATE TABLE filler (x BLOB);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                 INSERT INTO filler SELECT randomblob(1000) FROM n;",
            )?;
            Ok(())
        })
        .await
        .expect("write");
        let start = Instant::now();
        while std::fs::metadata(&path).expect("file").len() < before + 2_000_000 {
            assert!(start.elapsed().as_secs() < 10, "the pages never reached the database file");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}
