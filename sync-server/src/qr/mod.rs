//! Self-administered surveys by QR code (issue 17): the signed tokens of the codes and of
//! the one-time form nonces, and the code drawn for the poster. Nothing here knows HTTP or
//! the database; `service::qr` joins them.

pub mod poster;
pub mod token;
