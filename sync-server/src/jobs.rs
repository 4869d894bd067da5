//! Long work started from the console (exports), run in the background with a progress
//! count, its file kept until fetched or replaced.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use uuid::Uuid;

/// A started export: the file name, its MIME type and the chunks as they are written.
pub struct ExportStream {
    pub filename: String,
    pub mime: &'static str,
    pub chunks: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
}

/// How many export jobs are kept (the oldest is dropped with its file).
pub const MAX_JOBS: usize = 20;

/// Where a job stands.
#[derive(Debug)]
pub enum JobState {
    Running,
    Done(tempfile::NamedTempFile),
    Failed(String),
}

/// One export in the background.
#[derive(Debug, Clone)]
pub struct ExportJob {
    /// Who started it (only they see it).
    pub user_id: i64,
    pub filename: String,
    pub mime: &'static str,
    /// Rows to write.
    pub total: u64,
    /// Rows written so far.
    pub rows: Arc<AtomicU64>,
    pub state: Arc<Mutex<JobState>>,
}

impl ExportJob {
    /// Percentage done, 0–100.
    pub fn percent(&self) -> f64 {
        let rows = self.rows.load(Ordering::Relaxed);
        if self.total == 0 { if self.is_running() { 0.0 } else { 100.0 } } else { (rows as f64 / self.total as f64 * 100.0).min(100.0) }
    }

    pub fn is_running(&self) -> bool {
        self.state.lock().map(|s| matches!(*s, JobState::Running)).unwrap_or(false)
    }
}

/// Writes an export's chunks to a temporary file in the background; the job says when the
/// file is complete (or why it failed).
pub fn spawn_export(jobs: &Mutex<std::collections::BTreeMap<Uuid, ExportJob>>, user_id: i64, total: u64, rows: Arc<AtomicU64>, export: ExportStream) -> Uuid {
    let id = Uuid::now_v7();
    let state = Arc::new(Mutex::new(JobState::Running));
    let job = ExportJob { user_id, filename: export.filename, mime: export.mime, total, rows, state: state.clone() };
    if let Ok(mut map) = jobs.lock() {
        while map.len() >= MAX_JOBS {
            let Some(oldest) = map.keys().next().copied() else { break };
            map.remove(&oldest);
        }
        map.insert(id, job);
    }
    let mut chunks = export.chunks;
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let result = async {
            // The file's own errors are the system's words (English): logged, told in Spanish.
            let disk = |e: std::io::Error| {
                tracing::error!(error = %e, "export file");
                "no se pudo escribir el archivo temporal del servidor".to_string()
            };
            let file = tempfile::NamedTempFile::new().map_err(disk)?;
            let mut out = tokio::fs::File::create(file.path()).await.map_err(disk)?;
            while let Some(chunk) = chunks.recv().await {
                // The export's own errors are already Spanish (`DbError::for_people`).
                let bytes = chunk.map_err(|e| e.to_string())?;
                out.write_all(&bytes).await.map_err(disk)?;
            }
            out.flush().await.map_err(disk)?;
            Ok::<_, String>(file)
        }
        .await;
        if let Ok(mut s) = state.lock() {
            *s = match result {
                Ok(file) => JobState::Done(file),
                Err(e) => {
                    tracing::error!(error = %e, "export job failed");
                    JobState::Failed(format!("La exportación falló: {e}"))
                }
            };
        }
    });
    id
}
