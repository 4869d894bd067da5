//! Who a photo belongs to: the user whose device started its upload, and the supervisors
//! of the users whose submissions name it.

use super::sql::{OptionalExt, params};
use uuid::Uuid;

use super::{Db, DbError};

/// The people a photo concerns, for access checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhotoPeople {
    /// The user who started its upload, if anyone did.
    pub uploader: Option<i64>,
    /// The supervisors of the uploader and of every user whose submission names it.
    pub supervisors: Vec<i64>,
}

/// Whether a device may write to an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoClaim {
    /// Nobody had started it: it is now this user's.
    New,
    /// This user started it.
    Theirs,
    /// Another user started it.
    Someone,
}

impl Db {
    /// Claims the upload of `sha256` for `user_id`'s `device_id` unless another user has.
    pub async fn claim_photo(&self, sha256: String, user_id: i64, device_id: Uuid) -> Result<PhotoClaim, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let owner: Option<i64> = tx.query_row("SELECT user_id FROM photo_uploads WHERE sha256 = ?1", [&sha256], |r| r.get(0)).optional()?;
            let claim = match owner {
                Some(u) if u == user_id => PhotoClaim::Theirs,
                Some(_) => PhotoClaim::Someone,
                None => {
                    tx.execute(
                        "INSERT INTO photo_uploads (sha256, user_id, device_id, started_at) VALUES (?1, ?2, ?3, ?4)",
                        params![sha256, user_id, device_id.to_string(), super::now_text()],
                    )?;
                    PhotoClaim::New
                }
            };
            tx.commit()?;
            Ok(claim)
        })
        .await
    }

    /// Photos named by `device_id`'s submissions that have not arrived (at most 100).
    pub async fn wanted_photos(&self, device_id: Uuid) -> Result<Vec<String>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT p.sha256 FROM submission_photos p JOIN submissions s ON s.id = p.submission_id
                 WHERE p.arrived = 0 AND s.device_id = ?1 ORDER BY p.sha256 LIMIT 100",
            )?;
            Ok(stmt.query_map([device_id.to_string()], |r| r.get(0))?.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Who `sha256` concerns.
    pub async fn photo_people(&self, sha256: String) -> Result<PhotoPeople, DbError> {
        self.read(move |conn| {
            let uploader: Option<i64> = conn.query_row("SELECT user_id FROM photo_uploads WHERE sha256 = ?1", [&sha256], |r| r.get(0)).optional()?;
            let mut stmt = conn.prepare(
                "SELECT u.supervisor_id FROM users u WHERE u.supervisor_id IS NOT NULL AND (
                     u.id = (SELECT user_id FROM photo_uploads WHERE sha256 = ?1)
                     OR u.id IN (SELECT s.user_id FROM submission_photos p JOIN submissions s ON s.id = p.submission_id WHERE p.sha256 = ?1))",
            )?;
            let supervisors = stmt.query_map([&sha256], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
            Ok(PhotoPeople { uploader, supervisors })
        })
        .await
    }

    /// Brings the photos' records in line with the files (at start, after a crash or a
    /// restore): one recorded as arrived whose file is missing is marked missing again, so
    /// the next push from its device asks for it; one whose file is there is marked
    /// arrived. Returns (marked missing, marked arrived).
    pub async fn reconcile_photos(&self, present: impl Fn(&str) -> bool + Send + 'static) -> Result<(usize, usize), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let named: Vec<(String, bool)> = {
                let mut stmt = tx.prepare("SELECT sha256, MAX(arrived) FROM submission_photos GROUP BY sha256")?;
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
            };
            let (mut lost, mut found) = (0, 0);
            for (sha, arrived) in named {
                match (arrived, present(&sha)) {
                    (true, false) => lost += tx.execute("UPDATE submission_photos SET arrived = 0 WHERE sha256 = ?1", [&sha])?,
                    (false, true) => found += tx.execute("UPDATE submission_photos SET arrived = 1 WHERE sha256 = ?1", [&sha])?,
                    _ => {}
                }
            }
            tx.commit()?;
            Ok((lost, found))
        })
        .await
    }
}
