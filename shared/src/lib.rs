//! Ventanilla's pure domain, shared by the field app and the sync server.
//!
//! # Brief overview
//! - [`form::import_xlsx`] turns an XLSForm workbook into a [`form::Form`]: questions,
//!   groups, repeats, choice lists, and our scoring columns. Every problem is reported at
//!   its sheet, row and column, in Spanish.
//! - [`expr::Expression`] is the XPath subset of `relevant`, `constraint`, `calculation`
//!   and `choice_filter`, parsed once at import and evaluated with the clock passed in.
//! - [`answers::Answers`] holds one submission's answers as text by question name.
//! - [`validate::validate`] checks answers against a form version and returns a
//!   [`validate::Report`] with the form's own messages.
//! - [`form::publish_rule`] keeps published form versions immutable.
//! - [`scoring`] is method MGS-1: indices, intervals, ranking and integrity flags.
//! - [`protocol`] holds the only serde types: the JSON the app and the server exchange.
//! - [`instruments`] ships the two default MGS-1 forms.
//! - [`digest`] spells SHA-256 digests as hex, the same everywhere.
//! - [`readable`] says a record's answers section by section, in words.
//! - [`words`] says counts and dates to people in Spanish, one way everywhere.
//!
//! Invariant: nothing here does I/O, reads the clock, or panics on user input.
//!
//! # Example
//! ```
//! use shared::{answers::Answers, expr::Clock, instruments, validate::validate};
//!
//! let form = instruments::encuesta().expect("the shipped form imports");
//! let mut answers = Answers::default();
//! answers.set("consentimiento", "si");
//! let now = chrono::NaiveDate::from_ymd_opt(2025, 6, 2).and_then(|d| d.and_hms_opt(10, 0, 0)).unwrap();
//! let report = validate(&form, &answers, Clock::at(now), form.language());
//! assert!(!report.is_valid()); // required questions are still unanswered
//! ```

pub mod answers;
pub mod digest;
pub mod expr;
pub mod form;
pub mod instruments;
pub mod metadata;
pub mod protocol;
pub mod readable;
pub mod scoring;
pub mod validate;
pub mod words;
