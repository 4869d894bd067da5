//! HTTP handlers, one file per resource. Handlers are thin: extract, call, map errors.

pub mod admin;
pub mod auth;
pub mod catalog;
pub mod devices;
pub mod exports;
pub mod forms;
pub mod health;
pub mod photos;
pub mod program;
pub mod review;
pub mod scores;
pub mod sync;
