//! A tablet at a centro in kiosk mode, in headless Chromium at tablet size (800×1280): a
//! supervisor enrols it (a bad PIN said first), citizens answer by themselves (welcome →
//! survey → thank-you → welcome), a survey left untouched goes back to the welcome and is
//! kept as abandoned (never sent), and leaving kiosk mode needs the supervisor's PIN.
//! The app runs as in `app_ui` (liveview on 127.0.0.1, its own store, the real server).
//! Screenshots: `target/screenshots/kiosko/`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use mobile::sync::lock;

use crate::app_ui::{answer_survey, choose, moved_from, spawn_app};
use crate::browser::Browser;
use crate::helpers::spawn_server;

/// The seconds without a touch the supervisor chooses here: long enough that no step of
/// the test comes near it on a slow machine (the thank-you goes back after 15).
const IDLE_SECONDS: &str = "45";

/// WebDriver's backspace key.
const BACKSPACE: &str = "\u{E003}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_tablet_welcomes_thanks_resets_when_left_and_leaves_only_with_the_pin() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let dir = tempfile::tempdir()?;
    let (url, app) = spawn_app(&server.url(), dir.path()).await?;
    let b = Browser::start("kiosko", 800, 1280).await?;
    b.client.goto(&url).await?;

    // A supervisor enrols the tablet as the kiosk of one of their centros.
    b.find("#registro").await?;
    b.click("#cambiar-modo").await?;
    b.find("#kiosko-centro").await?;
    b.type_into("#usuario", "sup.norte").await?;
    b.type_into("#contrasena", sync_server::demo::DEMO_PASSWORD).await?;
    b.type_into("#kiosko-centro", "GTO-E-T-01").await?;
    b.type_into("#kiosko-pin-nuevo", "12").await?;
    // (a number field takes no caret at its end: cleared, then typed)
    b.find("#kiosko-espera").await?.clear().await?;
    b.type_into("#kiosko-espera", IDLE_SECONDS).await?;
    b.click("#registrar-kiosko").await?;
    b.wait_text("El PIN para salir del modo kiosko es de 4 a 8 dígitos.").await?;
    b.shot("01-registro-kiosko-pin-corto").await?;
    b.type_into("#kiosko-pin-nuevo", &format!("{BACKSPACE}{BACKSPACE}2468")).await?;
    b.click("#registrar-kiosko").await?;

    // The welcome, once the survey has arrived; never the home screen.
    b.find("#kiosko-bienvenida").await?;
    b.find("#kiosko-comenzar:not([disabled])").await?;
    assert!(!b.has("#estado").await && !b.has(".back").await, "no way to the home screen on a kiosk");
    b.shot("02-bienvenida").await?;

    // A citizen answers the whole survey, then sees the thanks, then the welcome again.
    b.click("#kiosko-comenzar").await?;
    b.find(".question[data-path='consentimiento']").await?;
    assert!(!b.has(".back").await, "no back button to the home screen");
    b.shot("03-encuesta").await?;
    let mut answers: HashMap<&str, &str> = crate::field::SURVEY.iter().copied().collect();
    // This centro's own trámites (no predial here).
    answers.insert("P0", "otro");
    answers.insert("P0_otro", "constancia de no adeudo");
    answer_survey(&b, &answers, None).await?;
    b.click("#terminar").await?;
    b.find("#resumen").await?;
    b.click("#guardar").await?;
    b.find("#kiosko-gracias").await?;
    b.shot("04-gracias").await?;
    b.find("#kiosko-bienvenida").await?; // by itself, after 15 s
    let finalised = |app: &mobile::field::FieldApp| -> anyhow::Result<u64> {
        let store = lock(app.store());
        Ok(store.finalised_on("GTO-E-T-01", mobile::field::SURVEY_FORM, store.today())?)
    };
    assert_eq!(finalised(&app)?, 1, "the finished survey is a record, to be sent");

    // The next citizen starts, answers a little, and walks away: after the wait the
    // welcome is back and the survey is kept as abandoned, in no list, never sent.
    b.click("#kiosko-comenzar").await?;
    // Taken before the last touch, so the reset comes at least the whole wait after it
    // however slow the steps in between.
    let left_at = Instant::now();
    choose(&b, "consentimiento", "si").await?;
    moved_from(&b, "consentimiento").await?;
    let deadline = Instant::now() + Duration::from_secs(180);
    while !b.has("#kiosko-bienvenida").await {
        anyhow::ensure!(Instant::now() < deadline, "the kiosk never went back to its welcome");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(left_at.elapsed() >= Duration::from_secs(44), "not before the wait the supervisor chose");
    {
        let store = lock(app.store());
        assert!(store.drafts()?.is_empty() && store.discarded_drafts()?.is_empty(), "the abandoned survey is in no list");
        assert_eq!(store.abandoned_since(store.now() - chrono::Duration::hours(1))?, 1, "kept as abandoned");
    }
    assert_eq!(finalised(&app)?, 1, "and never a record to send");

    // Leaving kiosk mode: a wrong PIN is refused and the kiosk stays; the right one leaves.
    b.click("#kiosko-salir").await?;
    b.type_into("#kiosko-pin", "1357").await?;
    b.click("#kiosko-confirmar-salida").await?;
    b.wait_text("PIN incorrecto. 4 intentos más.").await?;
    b.shot("05-pin-incorrecto").await?;
    assert_eq!(app.kiosk_centro()?.as_deref(), Some("GTO-E-T-01"));
    b.find("#kiosko-bienvenida").await?;
    b.type_into("#kiosko-pin", &format!("{BACKSPACE}{BACKSPACE}{BACKSPACE}{BACKSPACE}2468")).await?;
    b.click("#kiosko-confirmar-salida").await?;
    b.wait_text("Mis centros").await?;
    assert_eq!(app.kiosk_centro()?, None);
    // The supervisor sees what citizens left unfinished today.
    b.wait_text("1 encuesta que la ciudadanía dejó a medias.").await?;
    b.shot("06-fuera-del-kiosko").await?;
    Ok(())
}
