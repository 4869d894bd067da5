//! Long work started from the console (exports), run in the background. A job is a row of
//! `export_jobs` (its progress written every second) and its file is in the files
//! directory (`DATA_DIR/exports/<id>`), so every server on the same database and files
//! directory shows its progress and serves its file.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use uuid::Uuid;

use crate::db::{Db, DbError, ExportJobRow};

/// A started export: the file name, its MIME type and the chunks as they are written.
pub struct ExportStream {
    pub filename: String,
    pub mime: &'static str,
    pub chunks: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
}

/// How many export jobs are kept (the oldest is dropped with its file).
pub const MAX_JOBS: usize = 20;

/// How often a running job writes its progress.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// A running job whose progress was not written for this long lost its server.
pub const STALE_SECONDS: i64 = 30;

/// Where a job stands, as a console page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    Running,
    Done,
    Failed(String),
}

/// A job's state at `now` (Unix seconds).
pub fn state_of(job: &ExportJobRow, now: i64) -> JobState {
    match job.state.as_str() {
        "done" => JobState::Done,
        "failed" => JobState::Failed(job.message.clone().unwrap_or_else(|| "La exportación falló.".into())),
        _ if now - job.updated_at > STALE_SECONDS => {
            JobState::Failed("La exportación se interrumpió: el servidor que la preparaba se detuvo. Iníciela de nuevo.".into())
        }
        _ => JobState::Running,
    }
}

/// Percentage done, 0–100.
pub fn percent(job: &ExportJobRow, state: &JobState) -> f64 {
    match state {
        JobState::Done => 100.0,
        _ if job.total == 0 => 0.0,
        _ => (job.rows as f64 / job.total as f64 * 100.0).min(100.0),
    }
}

/// The directory of export files under the files directory.
pub fn exports_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("exports")
}

/// The file of job `id`.
pub fn file_of(dir: &Path, id: &str) -> PathBuf {
    dir.join(id)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Records the job of `user_id` and writes `export`'s chunks to its file in the
/// background (complete only once renamed into place), its progress in the database.
pub async fn spawn_export(db: &Db, dir: &Path, user_id: i64, total: u64, rows: Arc<AtomicU64>, export: ExportStream) -> Result<Uuid, DbError> {
    let id = Uuid::now_v7();
    let row = ExportJobRow {
        id: id.to_string(),
        user_id,
        filename: export.filename,
        mime: export.mime.to_string(),
        total,
        rows: 0,
        state: "running".into(),
        message: None,
        updated_at: now(),
    };
    for old in db.start_export_job(row, MAX_JOBS).await? {
        let _ = tokio::fs::remove_file(file_of(dir, &old)).await;
    }
    let (db, dir) = (db.clone(), dir.to_path_buf());
    let mut chunks = export.chunks;
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let name = id.to_string();
        let target = file_of(&dir, &name);
        let partial = target.with_extension("partial");
        let result = async {
            // The file's own errors are the system's words (English): logged, told in Spanish.
            let disk = |e: std::io::Error| {
                tracing::error!(error = %e, "export file");
                "no se pudo escribir el archivo de la exportación en el servidor".to_string()
            };
            tokio::fs::create_dir_all(&dir).await.map_err(disk)?;
            let mut out = tokio::fs::File::create(&partial).await.map_err(disk)?;
            let mut tick = tokio::time::interval(PROGRESS_EVERY);
            loop {
                tokio::select! {
                    chunk = chunks.recv() => {
                        let Some(chunk) = chunk else { break };
                        // The export's own errors are already Spanish (`DbError::for_people`).
                        let bytes = chunk.map_err(|e| e.to_string())?;
                        out.write_all(&bytes).await.map_err(disk)?;
                    }
                    _ = tick.tick() => {
                        if let Err(e) = db.export_job_progress(name.clone(), rows.load(Ordering::Relaxed), now()).await {
                            tracing::warn!(error = %e, "export progress not recorded");
                        }
                    }
                }
            }
            out.flush().await.map_err(disk)?;
            out.sync_all().await.map_err(disk)?;
            tokio::fs::rename(&partial, &target).await.map_err(disk)?;
            Ok::<_, String>(())
        }
        .await;
        let failure = result.err().map(|e| {
            tracing::error!(error = %e, "export job failed");
            format!("La exportación falló: {e}")
        });
        if failure.is_some() {
            let _ = tokio::fs::remove_file(&partial).await;
        }
        if let Err(e) = db.finish_export_job(name, rows.load(Ordering::Relaxed), failure, now()).await {
            tracing::error!(error = %e, "export job's end not recorded");
        }
    });
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(state: &str, rows: u64, updated_at: i64) -> ExportJobRow {
        ExportJobRow {
            id: "j".into(),
            user_id: 1,
            filename: "f.csv".into(),
            mime: "text/csv".into(),
            total: 200,
            rows,
            state: state.into(),
            message: None,
            updated_at,
        }
    }

    #[test]
    fn a_running_job_whose_server_went_quiet_is_shown_as_failed() {
        assert_eq!(state_of(&job("running", 50, 1_000), 1_010), JobState::Running);
        assert_eq!(percent(&job("running", 50, 1_000), &JobState::Running), 25.0);
        assert!(matches!(state_of(&job("running", 50, 1_000), 1_000 + STALE_SECONDS + 1), JobState::Failed(m) if m.contains("se detuvo")));
        assert_eq!(state_of(&job("done", 200, 1_000), 99_999), JobState::Done);
    }
}
