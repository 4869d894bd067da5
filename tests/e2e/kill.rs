//! The store survives SIGKILL: a child process saves answers one by one; it is killed at
//! random moments; every answer it reported saved is there when the store is reopened.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use mobile::store::Store;

#[test]
fn answers_acknowledged_before_a_sigkill_are_never_lost() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("app.db");
    let mut rng = fastrand::Rng::with_seed(0x0B17_5EED);
    let mut total = 0u64;
    for round in 0..20 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_store-writer")).arg(&db).stdout(Stdio::piped()).spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        // Killed once it has acknowledged this many saves (a count, not a time: the test
        // exercises the same amount of work on a fast or a loaded machine).
        let kill_after = rng.usize(20..400);
        let (reached, at_threshold) = std::sync::mpsc::channel();
        // Read acknowledgements on a thread; kill the child once enough have come.
        let reader = std::thread::spawn(move || {
            let mut last: HashMap<String, u64> = HashMap::new();
            for (n, line) in BufReader::new(stdout).lines().map_while(Result::ok).enumerate() {
                if let Some((draft, k)) = line.split_once(' ')
                    && let Ok(k) = k.parse()
                {
                    last.insert(draft.to_string(), k);
                }
                if n + 1 == kill_after {
                    let _ = reached.send(());
                }
            }
            last
        });
        // Generous: the writer acknowledges hundreds of saves a second on a slow disk.
        let _ = at_threshold.recv_timeout(Duration::from_secs(300));
        child.kill()?; // SIGKILL
        child.wait()?;
        let acked = reader.join().map_err(|_| anyhow::anyhow!("reader panicked"))?;
        let store = Store::open(&db)?;
        for (draft, &n) in &acked {
            let draft = store.draft(draft.parse()?)?;
            // Every answer up to the last acknowledged one holds its latest acknowledged value.
            for k in n.saturating_sub(49)..=n {
                let path = format!("q{}", k % 50);
                let value: u64 = draft.answers.get(&path).ok_or_else(|| anyhow::anyhow!("round {round}: {path} lost"))?.parse()?;
                assert!(value >= k, "round {round}: {path} holds {value}, acknowledged {k}");
            }
            total += n + 1;
        }
    }
    assert!(total >= 20 * 20, "only {total} saves acknowledged: the writer did not run");
    eprintln!("{total} acknowledged saves across 20 kills, none lost");
    Ok(())
}
