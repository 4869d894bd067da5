//! The real `sync-server` binary as an operator runs it, for the tests that need a process.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::PASSWORD;

/// A running server process with the demo program.
pub struct Server {
    pub child: Child,
    pub address: SocketAddr,
    /// Every line the server printed so far.
    pub lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

/// The arguments that give the binary its database for the data directory `data`: none on
/// SQLite (the file in `data`); on PostgreSQL (`super::on_postgres`) `--database` with a
/// database made for `data` on first use and named in it, so that every process started
/// on one data directory reaches one database, as a restart does.
pub fn database_args(data: &Path) -> Vec<String> {
    if !super::on_postgres() {
        return Vec::new();
    }
    let named = data.join(".test-database-url");
    let url = match std::fs::read_to_string(&named) {
        Ok(url) => url,
        Err(_) => {
            let url = std::thread::spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(super::fresh_postgres_database())
            })
            .join()
            .expect("a test database");
            std::fs::write(&named, &url).expect("the database's name kept");
            url
        }
    };
    vec!["--database".into(), url]
}

impl Server {
    /// A server on the data directory `data`, on the tests' engine.
    pub fn start(data: &Path) -> Server {
        Self::start_with(data, database_args(data))
    }

    /// A server on the data directory `data` with `database` as its database arguments
    /// (none: the SQLite file in `data`).
    pub fn start_with(data: &Path, database: Vec<String>) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sync-server"))
            .args(database)
            .args(["--demo", "--bind", "127.0.0.1:0", "--log", "info", "--data-dir"])
            .arg(data)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = lines.clone();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent && let Some(at) = line.find("listo en http://") {
                    let address = line[at + "listo en http://".len()..].trim().to_string();
                    sent = tx.send(address).is_ok();
                }
                kept.lock().expect("lines").push(line);
            }
        });
        let address = rx.recv_timeout(Duration::from_secs(120)).expect("the server says where it listens").parse().expect("an address");
        Server { child, address, lines }
    }



    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Sends SIGTERM and waits (generously) for the process to exit; its exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill runs");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Peak resident memory (VmHWM) in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("proc status");
        status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).expect("VmHWM")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (generously) for a line the server printed that `wanted` accepts.
pub fn wait_line(lines: &std::sync::Mutex<Vec<String>>, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(l) = lines.lock().expect("lines").iter().find(|l| wanted(l)) {
            return l.clone();
        }
        assert!(Instant::now() < deadline, "no such line; the server printed:\n{}", lines.lock().expect("lines").join("\n"));
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A plain HTTP client (reqwest is built with rustls and no default provider).
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub async fn enrol(http: &reqwest::Client, server: &Server, username: &str) -> String {
    let body = serde_json::json!({ "username": username, "password": PASSWORD, "device_label": "prueba" });
    let a: serde_json::Value = http.post(server.url("/api/v1/auth/enrol")).json(&body).send().await.expect("enrol").json().await.expect("json");
    a["token"].as_str().expect("token").to_string()
}

