//! Drafts: records being filled in. Every answer is saved (committed, `synchronous=FULL`)
//! the moment it is given, so nothing acknowledged to the UI is lost if the app dies.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use rusqlite::{OptionalExtension, params};
use shared::answers::Answers;
use shared::protocol::{CollectionMode, ScoreNote};
use uuid::Uuid;

use super::ledger::{Event, bump};
use super::{Store, StoreError, corrupt};

/// A draft with its answers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Draft {
    pub id: Uuid,
    pub form_id: String,
    pub form_version: String,
    pub centro_id: String,
    pub started_at: DateTime<FixedOffset>,
    pub mode: CollectionMode,
    pub sampling_position: Option<u32>,
    /// Answers by path (`name` or `repeat[i]/name`).
    pub answers: BTreeMap<String, String>,
    /// Evidence photos by checklist item: (item, sha256).
    pub photos: Vec<(String, String)>,
    /// Scores suggested from the program's records, with the inspector's reasons.
    pub score_notes: Vec<ScoreNote>,
    /// Where it was started (`lat lon alt accuracy`), when the device gave a position.
    pub position: Option<String>,
    /// The first question of the page on screen when it was left.
    pub place: Option<String>,
    /// The rejected record this draft corrects.
    pub replaces: Option<Uuid>,
}

impl Draft {
    /// The answers as the form engine reads them.
    pub fn answers(&self) -> Answers {
        Answers::from_paths(self.answers.iter().map(|(p, v)| (p.as_str(), v.as_str())))
    }
}

/// A draft in a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DraftSummary {
    pub id: Uuid,
    pub form_id: String,
    pub centro_id: String,
    pub updated_at: String,
    pub answered: u64,
}

/// What a new draft is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDraft<'a> {
    pub form_id: &'a str,
    pub form_version: &'a str,
    pub centro_id: &'a str,
    pub mode: CollectionMode,
    pub sampling_position: Option<u32>,
}

fn parse_mode(code: &str) -> Result<CollectionMode, StoreError> {
    CollectionMode::parse(code).ok_or_else(|| corrupt(format!("modo «{code}»")))
}

impl Store {
    /// Starts a draft (id: UUIDv7) and counts it in today's ledger.
    pub fn create_draft(&mut self, new: &NewDraft<'_>) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let now = self.now();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO drafts (id, form_id, form_version, centro_id, started_at, updated_at, mode, sampling_position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)",
            params![id.to_string(), new.form_id, new.form_version, new.centro_id, now.to_rfc3339(), new.mode.code(), new.sampling_position],
        )?;
        bump(&tx, now.date_naive(), Event::Created, 1)?;
        tx.commit()?;
        Ok(id)
    }

    /// Starts a draft that corrects `original` (a record of this device a supervisor
    /// rejected): its answers, photos, score notes and position, started now, naming it.
    pub fn create_correction(&mut self, original: &shared::protocol::Submission) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let now = self.now();
        let key = id.to_string();
        let position = original.meta.position.as_ref().map(|p| format!("{} {} 0 {}", p.lat, p.lon, p.accuracy_m.unwrap_or(0.0)));
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO drafts (id, form_id, form_version, centro_id, started_at, updated_at, mode, sampling_position, position, replaces)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9)",
            params![
                key,
                original.form_id,
                original.form_version,
                original.centro_id,
                now.to_rfc3339(),
                original.meta.mode.code(),
                original.meta.sampling_position,
                position,
                original.id.to_string()
            ],
        )?;
        let answers = shared::protocol::answers_from_wire(&original.answers);
        for (path, value) in answers.to_paths() {
            put_answer(&tx, &key, &path, Some(&value), &now.to_rfc3339())?;
        }
        for p in &original.meta.photo_items {
            // Photos still on the phone go with it (the server keeps the rest).
            tx.execute(
                "INSERT OR IGNORE INTO draft_photos (draft_id, item, sha256) SELECT ?1, ?2, sha256 FROM photos WHERE sha256 = ?3",
                params![key, p.item, p.sha256],
            )?;
        }
        for n in &original.meta.score_notes {
            tx.execute(
                "INSERT INTO draft_score_notes (draft_id, item, basis, suggested, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key, n.item, n.basis, n.suggested, n.reason],
            )?;
        }
        bump(&tx, now.date_naive(), Event::Created, 1)?;
        tx.commit()?;
        Ok(id)
    }

    /// Saves one answer (`None` or empty clears it). Returns once it is durable.
    pub fn save_answer(&mut self, draft: Uuid, path: &str, value: Option<&str>) -> Result<(), StoreError> {
        let now = self.now().to_rfc3339();
        let tx = self.conn.transaction()?;
        put_answer(&tx, &draft.to_string(), path, value, &now)?;
        tx.commit()?;
        Ok(())
    }

    /// One draft with its answers and photos.
    pub fn draft(&self, id: Uuid) -> Result<Draft, StoreError> {
        let key = id.to_string();
        let head: Option<DraftHead> = self
            .conn
            .query_row(
                "SELECT form_id, form_version, centro_id, started_at, mode, sampling_position, position, at_path, replaces FROM drafts WHERE id = ?1",
                [&key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?)),
            )
            .optional()?;
        let (form_id, form_version, centro_id, started, mode, sampling_position, position, place, replaces) =
            head.ok_or_else(|| StoreError::NotFound("el borrador".into()))?;
        let mut stmt = self.conn.prepare_cached("SELECT path, value FROM draft_answers WHERE draft_id = ?1")?;
        let answers = stmt.query_map([&key], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        let mut stmt = self.conn.prepare_cached("SELECT item, sha256 FROM draft_photos WHERE draft_id = ?1 ORDER BY item, sha256")?;
        let photos = stmt.query_map([&key], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        let mut stmt = self.conn.prepare_cached("SELECT item, basis, suggested, reason FROM draft_score_notes WHERE draft_id = ?1 ORDER BY item")?;
        let score_notes =
            stmt.query_map([&key], |r| Ok(ScoreNote { item: r.get(0)?, basis: r.get(1)?, suggested: r.get(2)?, reason: r.get(3)? }))?.collect::<Result<_, _>>()?;
        Ok(Draft {
            id,
            form_id,
            form_version,
            centro_id,
            started_at: DateTime::parse_from_rfc3339(&started).map_err(corrupt)?,
            mode: parse_mode(&mode)?,
            sampling_position,
            answers,
            photos,
            score_notes,
            position,
            place,
            replaces: replaces.as_deref().map(str::parse).transpose().map_err(corrupt)?,
        })
    }

    /// The drafts on the device (not those set aside), most recently touched first.
    pub fn drafts(&self) -> Result<Vec<DraftSummary>, StoreError> {
        summaries(&self.conn, false)
    }

    /// Keeps what was suggested for an item (its reason kept if the suggestion is unchanged).
    pub fn note_suggestion(&mut self, draft: Uuid, note: &ScoreNote) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO draft_score_notes (draft_id, item, basis, suggested, reason) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (draft_id, item) DO UPDATE SET basis = excluded.basis, suggested = excluded.suggested",
            params![draft.to_string(), note.item, note.basis, note.suggested, note.reason],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Saves the inspector's reason for scoring an item otherwise than suggested.
    pub fn save_score_reason(&mut self, draft: Uuid, item: &str, reason: Option<&str>) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "UPDATE draft_score_notes SET reason = ?3 WHERE draft_id = ?1 AND item = ?2",
            params![draft.to_string(), item, reason.map(str::trim).filter(|r| !r.is_empty())],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound("la sugerencia de puntaje".into()));
        }
        tx.commit()?;
        Ok(())
    }

    /// Takes a photo off a checklist item of a draft; the file goes too when nothing else
    /// holds it (another draft, the upload queue, a file answer, a record already sent).
    pub fn detach_photo(&mut self, draft: Uuid, item: &str, sha256: &str) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM draft_photos WHERE draft_id = ?1 AND item = ?2 AND sha256 = ?3", params![draft.to_string(), item, sha256])?;
        tx.execute(
            "DELETE FROM photos WHERE sha256 = ?1 AND uploaded = 0
               AND NOT EXISTS (SELECT 1 FROM draft_photos WHERE sha256 = ?1)
               AND NOT EXISTS (SELECT 1 FROM photo_queue WHERE sha256 = ?1)
               AND NOT EXISTS (SELECT 1 FROM draft_answers WHERE value LIKE ?1 || '.%')",
            [sha256],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Attaches a stored photo to a checklist item of a draft.
    pub fn attach_photo(&mut self, draft: Uuid, item: &str, sha256: &str) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO draft_photos (draft_id, item, sha256) VALUES (?1, ?2, ?3)",
            params![draft.to_string(), item, sha256],
        )?;
        tx.commit()?;
        Ok(())
    }

}

/// The drafts in the list (`discarded`: those set aside instead), most recently touched
/// first; a kiosk's abandoned drafts are in neither.
pub(super) fn summaries(conn: &rusqlite::Connection, discarded: bool) -> Result<Vec<DraftSummary>, StoreError> {
    let sql = if discarded {
        "SELECT d.id, d.form_id, d.centro_id, d.updated_at, (SELECT COUNT(*) FROM draft_answers a WHERE a.draft_id = d.id)
         FROM drafts d WHERE d.discarded_at IS NOT NULL AND d.abandoned_at IS NULL ORDER BY d.discarded_at DESC"
    } else {
        "SELECT d.id, d.form_id, d.centro_id, d.updated_at, (SELECT COUNT(*) FROM draft_answers a WHERE a.draft_id = d.id)
         FROM drafts d WHERE d.discarded_at IS NULL AND d.abandoned_at IS NULL ORDER BY d.updated_at DESC"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows: Vec<(String, String, String, String, i64)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?.collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(id, form_id, centro_id, updated_at, n)| {
            Ok(DraftSummary { id: id.parse().map_err(corrupt)?, form_id, centro_id, updated_at, answered: n as u64 })
        })
        .collect()
}

/// A draft's row: form, version, centro, start, mode, sampling position, position, place,
/// the record it corrects.
type DraftHead = (String, String, String, String, String, Option<u32>, Option<String>, Option<String>, Option<String>);

/// Sets (or, `None` or empty, clears) one answer of draft `key` inside `tx`.
pub(super) fn put_answer(tx: &rusqlite::Transaction<'_>, key: &str, path: &str, value: Option<&str>, now: &str) -> Result<(), StoreError> {
    let n = tx.prepare_cached("UPDATE drafts SET updated_at = ?2 WHERE id = ?1")?.execute(params![key, now])?;
    if n == 0 {
        return Err(StoreError::NotFound("el borrador".into()));
    }
    match value.filter(|v| !v.is_empty()) {
        Some(v) => tx
            .prepare_cached(
                "INSERT INTO draft_answers (draft_id, path, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (draft_id, path) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, path, v])?,
        None => tx.prepare_cached("DELETE FROM draft_answers WHERE draft_id = ?1 AND path = ?2")?.execute(params![key, path])?,
    };
    Ok(())
}
