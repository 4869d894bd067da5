//! End-to-end tests: one binary, the real sync-server bound on 127.0.0.1, the app's own
//! sync client on the other side. No mocks of the server.

mod app_ui; // the app's screens in headless Chromium: enrol, a survey, a visit with a photo, sync
mod capture_ui; // a program's own XLSForm on the phone in headless Chromium: every capture type, files synced
mod browser; // chromedriver + headless Chromium, screenshots
mod centros_ui; // the centros' year in headless Chromium: incorporation with an error by row, acceptance, a training; a commitment, evidence and an extension that staff decide
mod contract; // Schemathesis against the generated OpenAPI document: no conformance failure
mod console_ui; // the web console in headless Chromium: login, ranking, review
mod demo_flow; // enrol, stored / duplicate / conflict, and the score moving
mod every_endpoint; // each documented endpoint over real HTTP, never a 5xx
mod field; // a simulated phone: the app's store, records and sync engine
mod forms_corpus; // XLSForms written as ODK and Kobo users write them, read by pyxform and by us, compared field by field
mod field_sync; // the app's sync through a fault-injecting proxy: 50 devices, photos, revocation, going offline
mod helpers; // spawn_server(): the real server on a free loopback port
mod kill; // SIGKILL during thousands of answer saves loses no acknowledged answer
mod kiosk_ui; // a kiosk tablet in headless Chromium at 800×1280: enrolment, welcome, thanks, reset after inactivity, the PIN to leave
mod limits; // oversized bodies refused before they are read
mod photo_resume; // photo uploads cut mid-body on a real socket resume and verify
mod proxy; // the fault-injecting proxy (dropped requests, answers dropped after commit, cut bodies)
mod pwa_sync; // the web app's own (wasm) sync engine: 1,000 surveys through the fault-injecting proxy, exactly once
mod pwa_ui; // the installable web app (wasm) on a phone profile: installable, offline, reloads, a killed browser, exactly once
mod qr_ui; // a citizen answers by QR in headless Chromium: the poster, one question per page at 360×800, sent once
mod resume_ui; // picking work up on the phone in headless Chromium: reload, discard and recover, summary, correcting a rejected survey
mod results_ui; // the program's year in headless Chromium: close, publish, the public ranking and report, printed to PDF
mod several_servers; // two server processes on one PostgreSQL behind a lossy balancer: exactly once, complete pulls, equal scores
mod server_connection; // the app's client reaching the server, and failing clearly when it cannot
