//! `POST /api/v1/sync/push`: finalised submissions from a device, answered per record.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ApiError;
use crate::answers::{Answers, Entry};

/// Most submissions in one push.
pub const MAX_PUSH_RECORDS: usize = 500;

/// The largest push body the server takes, in bytes (after gzip is inflated).
pub const MAX_PUSH_BYTES: usize = 4 * 1024 * 1024;

/// Answers on the wire: text by question name, repeats as lists of instances.
pub type WireAnswers = BTreeMap<String, WireEntry>;

/// One answer on the wire: a JSON string, or a JSON array of instances for a repeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum WireEntry {
    Value(String),
    Repeat(Vec<WireAnswers>),
}

/// The OpenAPI schema of [`WireAnswers`] (an alias cannot carry one): fields of that type
/// name it with `#[schema(value_type = WireAnswersSchema)]`.
pub struct WireAnswersSchema;

/// Answers and answers of repeats refer to each other: both schemas are named and
/// referenced, never inlined into each other (which would never end).
mod answer_schemas {
    use std::borrow::Cow;

    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
    use utoipa::openapi::{Ref, RefOr};

    use super::{WireAnswersSchema, WireEntry};

    fn both(out: &mut Vec<(String, RefOr<Schema>)>) {
        out.push(("WireEntry".into(), <WireEntry as utoipa::PartialSchema>::schema()));
        out.push(("WireAnswers".into(), <WireAnswersSchema as utoipa::PartialSchema>::schema()));
    }

    impl utoipa::PartialSchema for WireAnswersSchema {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .description(Some("Respuestas por nombre de pregunta: texto, o la lista de instancias de un grupo repetido."))
                .additional_properties(Some(Ref::from_schema_name("WireEntry")))
                .into()
        }
    }

    impl utoipa::ToSchema for WireAnswersSchema {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("WireAnswers")
        }

        fn schemas(out: &mut Vec<(String, RefOr<Schema>)>) {
            both(out);
        }
    }

    impl utoipa::PartialSchema for WireEntry {
        fn schema() -> RefOr<Schema> {
            let text = ObjectBuilder::new().schema_type(Type::String);
            let repeat = ArrayBuilder::new().items(Ref::from_schema_name("WireAnswers"));
            OneOfBuilder::new().item(text).item(repeat).description(Some("Una respuesta (texto) o las instancias de un grupo repetido.")).into()
        }
    }

    impl utoipa::ToSchema for WireEntry {
        fn schemas(out: &mut Vec<(String, RefOr<Schema>)>) {
            both(out);
        }
    }
}

/// Read by looking at the JSON token directly (serde's `untagged` would buffer every answer
/// and try each variant: the push path reads tens of thousands per request).
impl<'de> Deserialize<'de> for WireEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor;

        impl<'de> serde::de::Visitor<'de> for EntryVisitor {
            type Value = WireEntry;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an answer (text) or a list of repeat instances")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<WireEntry, E> {
                Ok(WireEntry::Value(v.to_string()))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<WireEntry, E> {
                Ok(WireEntry::Value(v))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<WireEntry, A::Error> {
                let mut instances = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(instance) = seq.next_element::<WireAnswers>()? {
                    instances.push(instance);
                }
                Ok(WireEntry::Repeat(instances))
            }
        }

        deserializer.deserialize_any(EntryVisitor)
    }
}

/// Converts wire answers to the domain's [`Answers`].
pub fn answers_from_wire(wire: &WireAnswers) -> Answers {
    answers_from_wire_owned(wire.clone())
}

/// [`answers_from_wire`], taking the wire answers (no copies of the text).
pub fn answers_from_wire_owned(wire: WireAnswers) -> Answers {
    wire.into_iter()
        .map(|(name, entry)| {
            let entry = match entry {
                WireEntry::Value(v) => Entry::Value(v),
                WireEntry::Repeat(list) => Entry::Repeat(list.into_iter().map(answers_from_wire_owned).collect()),
            };
            (name, entry)
        })
        .collect()
}

/// Converts the domain's [`Answers`] to the wire.
pub fn answers_to_wire(answers: &Answers) -> WireAnswers {
    answers
        .iter()
        .map(|(name, entry)| {
            let wire = match entry {
                Entry::Value(v) => WireEntry::Value(v.clone()),
                Entry::Repeat(list) => WireEntry::Repeat(list.iter().map(answers_to_wire).collect()),
            };
            (name.to_string(), wire)
        })
        .collect()
}

pub use crate::scoring::CollectionMode;

/// A position from the device's GPS.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GeoPosition {
    pub lat: f64,
    pub lon: f64,
    /// Horizontal accuracy in metres, when known.
    pub accuracy_m: Option<f64>,
}

/// Metadata the app records about a submission (not asked to the citizen).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionMeta {
    pub mode: CollectionMode,
    pub position: Option<GeoPosition>,
    /// Position in the systematic sampling sequence (every k-th person).
    #[schema(format = Int64, minimum = 0, maximum = 4294967295_i64)]
    pub sampling_position: Option<u32>,
    /// SHA-256 of each photo the submission names.
    #[serde(default)]
    pub photos: Vec<String>,
    /// Scores the device suggested from the program's records, confirmed or corrected
    /// with a reason (omitted when empty, so older records keep their content hash).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub score_notes: Vec<super::ScoreNote>,
    /// The question or checklist item each photo was taken for (omitted when empty, so
    /// older records keep their content hash). At most 500, each item up to 200
    /// characters and each photo one of `photos`: a record that breaks this is rejected
    /// alone, in its result (`out_of_range`, `bad_photo_item`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photo_items: Vec<PhotoItem>,
    /// The record this one corrects: one of the same user, form and centro that a
    /// supervisor rejected, filled again. The server keeps both and counts this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<Uuid>,
}

/// A photo and the item it is evidence for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoItem {
    /// A question name of the form (`AG-V1`).
    pub item: String,
    /// The photo's SHA-256 (lowercase hex), one of `photos`.
    pub sha256: String,
}

/// One finalised submission. Invariant: immutable once finalised; `content_hash` is the
/// SHA-256 of [`Submission::canonical_content`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// UUIDv7, made on the device when the record was created.
    pub id: Uuid,
    pub form_id: String,
    pub form_version: String,
    pub centro_id: String,
    /// Device clock when the interview started.
    pub started_at: DateTime<FixedOffset>,
    /// Device clock when it was finalised.
    pub finalised_at: DateTime<FixedOffset>,
    #[schema(value_type = WireAnswersSchema)]
    pub answers: WireAnswers,
    pub meta: SubmissionMeta,
    pub content_hash: String,
}

#[derive(Serialize)]
struct Canonical<'a> {
    form_id: &'a str,
    form_version: &'a str,
    centro_id: &'a str,
    started_at: &'a DateTime<FixedOffset>,
    finalised_at: &'a DateTime<FixedOffset>,
    answers: &'a WireAnswers,
    meta: &'a SubmissionMeta,
}

impl Submission {
    /// The bytes the content hash covers: every field but `id` and the hash itself, as
    /// JSON with sorted keys.
    pub fn canonical_content(&self) -> Vec<u8> {
        serde_json::to_vec(&self.canonical()).unwrap_or_default()
    }

    fn canonical(&self) -> Canonical<'_> {
        Canonical {
            form_id: &self.form_id,
            form_version: &self.form_version,
            centro_id: &self.centro_id,
            started_at: &self.started_at,
            finalised_at: &self.finalised_at,
            answers: &self.answers,
            meta: &self.meta,
        }
    }

    /// SHA-256 (hex) of the canonical content.
    pub fn compute_hash(&self) -> String {
        crate::digest::sha256_hex(&self.canonical_content())
    }

    /// Sets `content_hash` from the content (done by the app when finalising).
    /// The submission as JSON (exactly what `serde_json` writes for it), if its
    /// `content_hash` matches its content; `None` otherwise. One serialisation serves both
    /// the check and the stored body: the body is the canonical content with the id before
    /// it and the hash after it.
    pub fn verified_json(&self) -> Option<String> {
        // Written in place: `{"id":"…"`, then the canonical content (hashed where it lies),
        // whose opening brace becomes the comma after the id and whose closing brace makes
        // way for the hash. One buffer, sized for the usual record, no copy.
        let mut out = Vec::with_capacity(2048);
        out.extend_from_slice(b"{\"id\":\"");
        out.extend_from_slice(self.id.hyphenated().encode_lower(&mut Uuid::encode_buffer()).as_bytes());
        out.push(b'"');
        let start = out.len();
        serde_json::to_writer(&mut out, &self.canonical()).ok()?;
        if out.len() < start + 2 {
            return None;
        }
        let hash = crate::digest::sha256_hex(&out[start..]);
        if hash != self.content_hash {
            return None;
        }
        out[start] = b',';
        out.pop();
        out.extend_from_slice(b",\"content_hash\":\"");
        out.extend_from_slice(hash.as_bytes());
        out.extend_from_slice(b"\"}");
        String::from_utf8(out).ok()
    }

    pub fn seal(mut self) -> Self {
        self.content_hash = self.compute_hash();
        self
    }
}

/// `POST /api/v1/sync/push` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The device clock when sending: the server records the skew.
    pub device_time: DateTime<FixedOffset>,
    /// At most [`MAX_PUSH_RECORDS`]. One that does not read as a `Submission` refuses the
    /// whole push (400); one that reads but fails its checks (its hash, dates, position,
    /// form) is rejected alone, in its result, and the rest are stored.
    #[schema(max_items = 500)]
    pub submissions: Vec<Submission>,
    /// The device's own counts for its current day, reported for the day-end receipt
    /// (absent from older apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<DeviceLedger>,
    /// The sampling counter's figures of the device's current day, per centro (protocol
    /// 2; absent from older apps and when nothing was counted). At most
    /// [`MAX_SAMPLING_COUNTS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 200)]
    pub sampling: Vec<SamplingCount>,
}

/// Largest count of one day (people counted, records made…): no centro sees more.
pub const MAX_DAY_COUNT: u64 = 1_000_000;

/// Most sampling counts in one push.
pub const MAX_SAMPLING_COUNTS: usize = 200;

/// The systematic-sampling counter of one centro on one day, as the device counted it:
/// the response rate (completed / selected, AAPOR RR1) comes from these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SamplingCount {
    pub centro_id: String,
    pub date: NaiveDate,
    /// People counted leaving the centro.
    #[schema(maximum = 1000000)]
    pub counted: u64,
    /// People selected (every k-th) and approached.
    #[schema(maximum = 1000000)]
    pub selected: u64,
    /// Selected people who declined, at the counter or at the consent question.
    #[schema(maximum = 1000000)]
    pub refused: u64,
}

/// A push body whose submissions stay JSON text: read in two steps by the server (the
/// envelope now, each submission later with [`PushEnvelope::submission`], so it can read
/// them on several threads), and written by the app from the submissions as its outbox
/// stores them (no reading and writing again). It is the same document as
/// [`PushRequest`]: a body one accepts, the other accepts, with the same values.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushEnvelope {
    pub device_time: DateTime<FixedOffset>,
    /// Each submission as its raw JSON text.
    pub submissions: Vec<Box<serde_json::value::RawValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<DeviceLedger>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sampling: Vec<SamplingCount>,
}

impl PushEnvelope {
    /// Reads the envelope; the submissions are only checked to be well-formed JSON.
    pub fn parse(body: &[u8]) -> Result<Self, serde_json::Error> {
        match serde_json::from_slice(body) {
            Ok(envelope) => Ok(envelope),
            // Integers spelled as whole floats (`2.0`) in the envelope's own fields.
            Err(e) => match super::numbers::rewritten(body).and_then(|v| serde_json::to_vec(&v).ok()) {
                Some(again) => serde_json::from_slice(&again).map_err(|_| e),
                None => Err(e),
            },
        }
    }

    /// Reads one submission of the envelope.
    pub fn submission(raw: &serde_json::value::RawValue) -> Result<Submission, serde_json::Error> {
        super::numbers::read_json(raw.get().as_bytes())
    }
}

/// What happened to one submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// New, committed. The device may drop it from its outbox.
    Stored,
    /// Already stored with the same content: success, drop it too.
    Duplicate,
    /// Already stored with other content: kept aside for a supervisor; nothing overwritten.
    Conflict,
    /// Refused; `error` says why. It stays on the device with the reason.
    Rejected,
}

/// Review status of a stored survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Accepted,
    InReview,
    Approved,
    Rejected,
}

impl ReviewState {
    /// The code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            ReviewState::Accepted => "accepted",
            ReviewState::InReview => "in_review",
            ReviewState::Approved => "approved",
            ReviewState::Rejected => "rejected",
        }
    }

    /// The state in words, as people read it.
    pub fn label(self) -> &'static str {
        match self {
            ReviewState::Accepted => "recibido",
            ReviewState::InReview => "en revisión",
            ReviewState::Approved => "aprobado",
            ReviewState::Rejected => "rechazado",
        }
    }

    /// Parses [`ReviewState::code`]; unknown codes are `None`.
    pub fn parse(code: &str) -> Option<Self> {
        [ReviewState::Accepted, ReviewState::InReview, ReviewState::Approved, ReviewState::Rejected]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

impl From<ReviewState> for crate::scoring::ReviewStatus {
    fn from(s: ReviewState) -> Self {
        match s {
            ReviewState::Accepted => Self::Accepted,
            ReviewState::InReview => Self::InReview,
            ReviewState::Approved => Self::Approved,
            ReviewState::Rejected => Self::Rejected,
        }
    }
}

impl From<crate::scoring::ReviewStatus> for ReviewState {
    fn from(s: crate::scoring::ReviewStatus) -> Self {
        use crate::scoring::ReviewStatus as S;
        match s {
            S::Accepted => ReviewState::Accepted,
            S::InReview => ReviewState::InReview,
            S::Approved => ReviewState::Approved,
            S::Rejected => ReviewState::Rejected,
        }
    }
}

/// The answer for one submission of a push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushResult {
    pub id: Uuid,
    pub outcome: Outcome,
    /// The server's sequence number of the stored record (stored and duplicate).
    pub seq: Option<u64>,
    /// Review status (stored and duplicate).
    pub review: Option<ReviewState>,
    /// Why (rejected and conflict).
    pub error: Option<ApiError>,
    /// Stored, but something the surveyor should know (protocol 2): e.g.
    /// `outside_periods`, a capture date that no evaluation period covers, so the record
    /// counts in no results. Absent when there is nothing to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<ApiError>,
    /// Photos the submission names that the server does not hold yet (stored and
    /// duplicate): upload them; the submission is complete when this is empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_photos: Vec<String>,
}

/// The server's counts for this device and day: the day-end receipt.
/// A device's own counts for one day: records created, finalised, sent (first attempt)
/// and acknowledged by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceLedger {
    pub date: NaiveDate,
    #[schema(maximum = 1000000)]
    pub created: u64,
    #[schema(maximum = 1000000)]
    pub finalised: u64,
    #[schema(maximum = 1000000)]
    pub sent: u64,
    #[schema(maximum = 1000000)]
    pub acknowledged: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceReceipt {
    /// The server's local date the counts are for.
    pub date: NaiveDate,
    /// Submissions received (every outcome).
    pub received: u64,
    pub stored: u64,
    pub duplicates: u64,
    pub conflicts: u64,
    pub rejected: u64,
}

/// `POST /api/v1/sync/push` answer, sent only after the commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushResponse {
    /// One per submission, in request order.
    pub results: Vec<PushResult>,
    pub receipt: DeviceReceipt,
    pub server_time: DateTime<FixedOffset>,
    /// Photos named by this device's earlier submissions that the server does not hold
    /// (lost in a crash or a restore, found missing when the server started): the device
    /// uploads them again if it still has them. Absent when there are none (older servers
    /// never send it; older apps ignore it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wanted_photos: Vec<String>,
}
