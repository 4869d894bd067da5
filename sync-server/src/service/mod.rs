//! What the API handlers (`routes/`) and the console pages (`console/`) both do, one
//! module per thing owned: each function checks access, validates, calls `db` and keeps
//! the live state current; the handlers above only extract and answer.

pub mod cycle;
pub mod devices;
pub mod exports;
pub mod health;
pub mod filings;
pub mod incorporation;
pub mod institution;
pub mod kiosk;
pub mod login;
pub mod publication;
pub mod program;
pub mod qr;
pub mod review;
pub mod staff;
