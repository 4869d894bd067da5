//! Streaming exports (rows go out as they are read, so memory stays flat whatever the
//! count) and the audit log of who exported what.

use super::sql::{OptionalExt, Row, params};
use shared::protocol::{AuditEntry, Submission, WireEntry};

use super::{Db, DbError, now_text};

/// Rows are sent in chunks of about this many bytes.
const CHUNK: usize = 64 * 1024;
/// Submissions read per statement while exporting (memory stays flat on either engine).
const EXPORT_PAGE: i64 = 1000;

/// The most rows an XLSX worksheet holds (Excel's limit, header included).
pub const XLSX_MAX_ROWS: u32 = 1_048_576;

/// The columns of a submissions export: metadata, then one per question.
pub struct ExportColumns {
    /// Question names in form order (repeats: one column with the instances as JSON).
    pub questions: Vec<String>,
    /// Counts the rows written, for a progress display.
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    /// Rows per XLSX worksheet, header included (at most [`XLSX_MAX_ROWS`]).
    pub sheet_rows: u32,
}

/// Metadata columns, prefixed with `_` as ODK-style exports do, so they never clash with a
/// question's name.
const META: [&str; 10] =
    ["_id", "_centro_id", "_usuario", "_fecha_captura", "_inicio", "_fin", "_revision", "_modo", "_posicion_muestreo", "_corrige"];

type Sender = tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>;

/// A writer that hands its bytes to the HTTP body in chunks; fails once the client is gone.
struct ChunkSink {
    buf: Vec<u8>,
    tx: Sender,
}

impl ChunkSink {
    fn send(&mut self) -> std::io::Result<()> {
        let chunk = std::mem::take(&mut self.buf);
        self.tx.blocking_send(Ok(chunk)).map_err(|_| std::io::Error::other("the client went away"))
    }
}

impl std::io::Write for ChunkSink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() { Ok(()) } else { self.send() }
    }
}

impl Db {
    /// Records an action on personal data.
    pub async fn audit(&self, user_id: i64, action: &str, detail: String) -> Result<(), DbError> {
        let action = action.to_string();
        self.write(move |conn| {
            conn.execute("INSERT INTO audit_log (at, user_id, action, detail) VALUES (?1, ?2, ?3, ?4)", params![now_text(), user_id, action, detail])?;
            Ok(())
        })
        .await
    }

    /// The audit log, newest first.
    pub async fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT a.at, u.username, a.action, a.detail FROM audit_log a JOIN users u ON u.id = a.user_id ORDER BY a.id DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit as i64], |r| Ok(AuditEntry { at: r.get(0)?, username: r.get(1)?, action: r.get(2)?, detail: r.get(3)? }))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Calls `row` with the header, then every submission of a form version in sequence
    /// order, on a read connection of its own, all from one snapshot, a page at a time;
    /// stops when `row` returns false. A stored body that does not read is an error naming
    /// the record: an export holds every row or fails, never skips one. Blocking.
    fn for_each_row(db: &Db, form: &(String, String), columns: &ExportColumns, mut row: impl FnMut(Vec<String>) -> bool) -> Result<(), DbError> {
        db.with_own_reader(|conn| {
            let header: Vec<String> = META.iter().map(|m| m.to_string()).chain(columns.questions.iter().cloned()).collect();
            if !row(header) {
                return Ok(());
            }
            let tx = conn.snapshot()?;
            let mut stmt = tx.prepare(
                "SELECT s.body, u.username, s.capture_date, s.review, s.id, s.seq FROM submissions s JOIN users u ON u.id = s.user_id
                 WHERE s.form_id = ?1 AND s.form_version = ?2 AND s.seq > ?3 ORDER BY s.seq LIMIT ?4",
            )?;
            let mut after = 0i64;
            loop {
                let mut rows = stmt.query(params![form.0, form.1, after, EXPORT_PAGE])?;
                let mut seen: i64 = 0;
                while let Some(r) = rows.next()? {
                    seen += 1;
                    after = r.get(5)?;
                    if !Self::export_row(&r, columns, &mut row)? {
                        return Ok(());
                    }
                }
                if seen < EXPORT_PAGE {
                    return Ok(());
                }
            }
        })
    }

    /// One submission's export row handed to `row`; whether to go on.
    fn export_row(r: &Row<'_>, columns: &ExportColumns, row: &mut impl FnMut(Vec<String>) -> bool) -> Result<bool, DbError> {
        {
            let body: String = r.get(0)?;
            let s = serde_json::from_str::<Submission>(&body).map_err(|e| {
                let id: String = r.get(4).unwrap_or_default();
                tracing::error!(submission = %id, error = %e, "stored body does not read");
                DbError::Damaged(format!("el registro {id} está dañado en la base de datos; la exportación se detuvo"))
            })?;
            let mut record: Vec<String> = vec![
                s.id.to_string(),
                s.centro_id.clone(),
                r.get(1)?,
                r.get(2)?,
                s.started_at.to_rfc3339(),
                s.finalised_at.to_rfc3339(),
                r.get(3)?,
                s.meta.mode.code().to_string(),
                s.meta.sampling_position.map(|p| p.to_string()).unwrap_or_default(),
                s.meta.replaces.map(|r| r.to_string()).unwrap_or_default(),
            ];
            for q in &columns.questions {
                record.push(match s.answers.get(q) {
                    Some(WireEntry::Value(v)) => v.clone(),
                    Some(WireEntry::Repeat(list)) => serde_json::to_string(list).map_err(|e| DbError::Other(e.into()))?,
                    None => String::new(),
                });
            }
            if !row(record) {
                return Ok(false);
            }
            if let Some(p) = &columns.progress {
                p.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        Ok(true)
    }

    /// How many submissions a form version has (all review states).
    pub async fn count_submissions(&self, form_id: String, version: String) -> Result<u64, DbError> {
        self.read(move |conn| {
            let n: i64 = conn.query_row("SELECT COUNT(*) FROM submissions WHERE form_id = ?1 AND form_version = ?2", params![form_id, version], |r| r.get(0))?;
            Ok(n as u64)
        })
        .await
    }

    /// Streams the submissions of a form version as CSV chunks into `tx`. Stops early when
    /// the receiver is gone.
    pub fn stream_submissions_csv(&self, form: (String, String), columns: ExportColumns, tx: Sender) {
        let db = self.clone();
        tokio::task::spawn_blocking(move || {
            let sink = ChunkSink { buf: vec![0xEF, 0xBB, 0xBF], tx: tx.clone() };
            let mut w = csv::Writer::from_writer(sink);
            let result = Self::for_each_row(&db, &form, &columns, |record| w.write_record(&record).is_ok());
            let _ = w.flush();
            if let Err(e) = result {
                tracing::error!(error = %e, "export failed");
                let _ = tx.blocking_send(Err(std::io::Error::other(e.for_people())));
            }
        });
    }

    /// Streams the submissions of a form version as an XLSX workbook: rows go to
    /// constant-memory worksheets (spilled to a temporary file), then the file is sent in
    /// chunks. A worksheet full (`sheet_rows`) continues in a new one, «respuestas (2)», …,
    /// each with the header.
    pub fn stream_submissions_xlsx(&self, form: (String, String), columns: ExportColumns, tx: Sender) {
        let db = self.clone();
        tokio::task::spawn_blocking(move || {
            let result = (|| -> Result<(), DbError> {
                let other = |e: rust_xlsxwriter::XlsxError| DbError::Other(e.into());
                let mut wb = rust_xlsxwriter::Workbook::new();
                let sheet_rows = columns.sheet_rows.clamp(2, XLSX_MAX_ROWS);
                let mut header: Vec<String> = Vec::new();
                let (mut sheets, mut r) = (0usize, 0u32);
                let mut failed = None;
                let write_row = |wb: &mut rust_xlsxwriter::Workbook, sheets: usize, r: u32, record: &[String]| -> Result<(), rust_xlsxwriter::XlsxError> {
                    let sheet = wb.worksheet_from_index(sheets - 1)?;
                    for (c, cell) in record.iter().enumerate() {
                        let col = u16::try_from(c).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)?;
                        match crate::export::as_number(cell) {
                            Some(n) if r > 0 => sheet.write_number(r, col, n).map(|_| ())?,
                            _ => sheet.write_string(r, col, cell).map(|_| ())?,
                        }
                    }
                    Ok(())
                };
                Self::for_each_row(&db, &form, &columns, |record| {
                    let step = (|| -> Result<(), rust_xlsxwriter::XlsxError> {
                        if sheets == 0 || r == sheet_rows {
                            sheets += 1;
                            let name = if sheets == 1 { "respuestas".to_string() } else { format!("respuestas ({sheets})") };
                            wb.add_worksheet_with_constant_memory()?.set_name(name)?;
                            r = 0;
                            if sheets > 1 {
                                write_row(&mut wb, sheets, 0, &header)?;
                                r = 1;
                            }
                        }
                        write_row(&mut wb, sheets, r, &record)?;
                        Ok(())
                    })();
                    if let Err(e) = step {
                        failed = Some(e);
                        return false;
                    }
                    if header.is_empty() {
                        header = record;
                    }
                    r += 1;
                    true
                })?;
                if let Some(e) = failed {
                    return Err(other(e));
                }
                let file = tempfile::NamedTempFile::new().map_err(|e| DbError::Other(e.into()))?;
                wb.save(file.path()).map_err(other)?;
                let mut reader = std::fs::File::open(file.path()).map_err(|e| DbError::Other(e.into()))?;
                let mut buf = vec![0u8; CHUNK];
                loop {
                    use std::io::Read;
                    let n = reader.read(&mut buf).map_err(|e| DbError::Other(e.into()))?;
                    if n == 0 || tx.blocking_send(Ok(buf[..n].to_vec())).is_err() {
                        return Ok(());
                    }
                }
            })();
            if let Err(e) = result {
                tracing::error!(error = %e, "export failed");
                let _ = tx.blocking_send(Err(std::io::Error::other(e.for_people())));
            }
        });
    }
}

/// A console export job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportJobRow {
    pub id: String,
    pub user_id: i64,
    pub filename: String,
    pub mime: String,
    pub total: u64,
    pub rows: u64,
    /// `running`, `done` or `failed`.
    pub state: String,
    pub message: Option<String>,
    /// When its server last wrote its progress (Unix seconds).
    pub updated_at: i64,
}

impl Db {
    /// Records a job just started; returns the ids of the oldest jobs beyond `keep`, deleted
    /// (their files are the caller's to remove).
    pub async fn start_export_job(&self, job: ExportJobRow, keep: usize) -> Result<Vec<String>, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "INSERT INTO export_jobs (id, user_id, filename, mime, total, rows, state, started_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 0, 'running', ?6, ?7)",
                params![job.id, job.user_id, job.filename, job.mime, job.total, now_text(), job.updated_at],
            )?;
            let old: Vec<String> = {
                let mut stmt = tx.prepare("SELECT id FROM export_jobs WHERE id NOT IN (SELECT id FROM export_jobs ORDER BY started_at DESC, id DESC LIMIT ?1)")?;
                stmt.query_map([keep], |r| r.get(0))?.collect::<Result<_, _>>()?
            };
            for id in &old {
                tx.execute("DELETE FROM export_jobs WHERE id = ?1", [id])?;
            }
            tx.commit()?;
            Ok(old)
        })
        .await
    }

    /// A running job's rows written so far, at `now` (Unix seconds).
    pub async fn export_job_progress(&self, id: String, rows: u64, now: i64) -> Result<(), DbError> {
        self.write(move |conn| {
            conn.execute("UPDATE export_jobs SET rows = ?2, updated_at = ?3 WHERE id = ?1 AND state = 'running'", params![id, rows, now])?;
            Ok(())
        })
        .await
    }

    /// A job ended: its file complete (`None`) or why it failed (Spanish).
    pub async fn finish_export_job(&self, id: String, rows: u64, failure: Option<String>, now: i64) -> Result<(), DbError> {
        self.write(move |conn| {
            let state = if failure.is_some() { "failed" } else { "done" };
            conn.execute(
                "UPDATE export_jobs SET rows = ?2, state = ?3, message = ?4, updated_at = ?5 WHERE id = ?1",
                params![id, rows, state, failure, now],
            )?;
            Ok(())
        })
        .await
    }

    /// A job, if it exists.
    pub async fn export_job(&self, id: String) -> Result<Option<ExportJobRow>, DbError> {
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, user_id, filename, mime, total, rows, state, message, updated_at FROM export_jobs WHERE id = ?1",
                    [&id],
                    |r| {
                        Ok(ExportJobRow {
                            id: r.get(0)?,
                            user_id: r.get(1)?,
                            filename: r.get(2)?,
                            mime: r.get(3)?,
                            total: r.get(4)?,
                            rows: r.get(5)?,
                            state: r.get(6)?,
                            message: r.get(7)?,
                            updated_at: r.get(8)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }
}
