//! The store survives SIGKILL: a child process saves answers one by one; it is killed at
//! random moments; every answer it reported saved is there when the store is reopened.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
        let kill_after = Duration::from_millis(rng.u64(20..400));
        // Read acknowledgements on a thread; kill the child at the chosen moment.
        let reader = std::thread::spawn(move || {
            let mut last: HashMap<String, u64> = HashMap::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some((draft, n)) = line.split_once(' ')
                    && let Ok(n) = n.parse()
                {
                    last.insert(draft.to_string(), n);
                }
            }
            last
        });
        let start = Instant::now();
        while start.elapsed() < kill_after {
            std::thread::sleep(Duration::from_millis(5));
        }
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
    assert!(total > 2_000, "only {total} saves acknowledged: the test did not exercise enough");
    eprintln!("{total} acknowledged saves across 20 kills, none lost");
    Ok(())
}
