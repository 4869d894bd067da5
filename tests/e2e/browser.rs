//! Driving Debian's headless Chromium through chromedriver (WebDriver), on 127.0.0.1.
//! Screenshots go to `target/screenshots/<suite>/`, to be looked at after a run.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// A chromedriver process and a browser session; both end on drop / `close`.
pub struct Browser {
    pub client: Client,
    driver: Child,
    shots: PathBuf,
    /// The profile directory, unique to this session.
    profile: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // End the Chromium this session started (found by its own profile directory), even
        // when a test failed before closing the session, then chromedriver.
        let _ = Command::new("pkill").arg("-KILL").arg("-f").arg(&self.profile).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium of the given window size.
    pub async fn start(suite: &str, width: u32, height: u32) -> anyhow::Result<Self> {
        let port = free_port()?;
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("chromedriver did not start ({e}); run scripts/setup.sh"))?;
        let profile = std::env::temp_dir().join(format!("ventanilla-chromium-{port}"));
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.display()), "--lang=es-MX",
                ],
                // Downloads land in the profile's own folder, without asking.
                "prefs": {
                    "download.default_directory": profile.join("descargas").display().to_string(),
                    "download.prompt_for_download": false,
                },
            },
        });
        let caps = caps.as_object().cloned().unwrap_or_default();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => anyhow::bail!("no WebDriver session: {e}"),
            }
        };
        let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots").join(suite);
        std::fs::create_dir_all(&shots)?;
        Ok(Self { client, driver, shots, profile: profile.display().to_string() })
    }

    /// Saves a screenshot as `<name>.png`.
    pub async fn shot(&self, name: &str) -> anyhow::Result<()> {
        let png = self.client.screenshot().await?;
        std::fs::write(self.shots.join(format!("{name}.png")), png)?;
        Ok(())
    }

    /// Waits (up to 20 s) for an element matching `css`.
    pub async fn find(&self, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                return Ok(e);
            }
            if Instant::now() > deadline {
                let body = self.client.find(Locator::Css("body")).await?.text().await.unwrap_or_default();
                anyhow::bail!("no «{css}» on the page; it shows:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// An attribute of the first element matching `css`, retried while the page re-renders.
    pub async fn attr(&self, css: &str, name: &str) -> anyhow::Result<Option<String>> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match self.find(css).await?.attr(name).await {
                Ok(v) => return Ok(v),
                Err(e) if Instant::now() > deadline => return Err(e.into()),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Whether an element matching `css` is on the page now.
    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Waits (up to 30 s) until the page's text contains `text`.
    pub async fn wait_text(&self, text: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let body = self.text().await.unwrap_or_default();
            if body.contains(text) {
                return Ok(());
            }
            if Instant::now() > deadline {
                anyhow::bail!("the page never showed «{text}»; it shows:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The page's visible text.
    pub async fn text(&self) -> anyhow::Result<String> {
        for _ in 0..100 {
            if let Ok(t) = self.client.find(Locator::Css("body")).await?.text().await {
                return Ok(t);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("the page never settled")
    }

    /// Clicks the element matching `css` (waiting for it; retried if the page re-rendered
    /// it in between).
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match self.find(css).await?.click().await {
                Ok(()) => return Ok(()),
                Err(e) if Instant::now() > deadline => return Err(e.into()),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Types into the element matching `css` (as `click`).
    pub async fn type_into(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match self.find(css).await?.send_keys(text).await {
                Ok(()) => return Ok(()),
                Err(e) if Instant::now() > deadline => return Err(e.into()),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Waits (up to 60 s) for a finished download named `name` and returns its bytes.
    pub async fn downloaded(&self, name: &str) -> anyhow::Result<Vec<u8>> {
        let dir = PathBuf::from(&self.profile).join("descargas");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            // Chromium writes `<name>.crdownload` and renames it when the whole file arrived.
            if let Ok(bytes) = std::fs::read(dir.join(name)) {
                return Ok(bytes);
            }
            if Instant::now() > deadline {
                let seen: Vec<_> = std::fs::read_dir(&dir).into_iter().flatten().flatten().map(|e| e.file_name()).collect();
                anyhow::bail!("no finished download «{name}»; the folder holds {seen:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ends the browser session.
    pub async fn close(self) -> anyhow::Result<()> {
        self.client.clone().close().await?;
        Ok(())
    }
}
