//! A child process for the kill test: saves answers into the app's store one by one and
//! prints `<draft> <n>` after each save returns (the moment the UI would show it saved).
//! The test kills it with SIGKILL at random moments and checks every printed answer.

use std::io::Write as _;

use mobile::store::Store;
use mobile::store::drafts::NewDraft;
use shared::protocol::CollectionMode;

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).ok_or_else(|| anyhow::anyhow!("usage: store-writer DB"))?;
    let mut store = Store::open(std::path::Path::new(&path))?;
    let new = NewDraft { form_id: "encuesta_opinion", form_version: "1", centro_id: "C1", mode: CollectionMode::Entrevista, sampling_position: None };
    let draft = store.create_draft(&new)?;
    let mut out = std::io::stdout().lock();
    for n in 0..1_000_000u64 {
        store.save_answer(draft, &format!("q{}", n % 50), Some(&n.to_string()))?;
        writeln!(out, "{draft} {n}")?;
        out.flush()?;
    }
    Ok(())
}
