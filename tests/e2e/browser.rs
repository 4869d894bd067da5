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
    /// A tablet-sized window: every screen is also checked for tap targets and text size.
    tablet: bool,
    /// The profile belongs to the caller (it outlives this browser, to be reopened).
    kept_profile: bool,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // End the Chromium this session started (found by its own profile directory), even
        // when a test failed before closing the session, then chromedriver.
        let _ = Command::new("pkill").arg("-KILL").arg("-f").arg(&self.profile).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        if !self.kept_profile {
            let _ = std::fs::remove_dir_all(&self.profile);
        }
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium of the given window size.
    pub async fn start(suite: &str, width: u32, height: u32) -> anyhow::Result<Self> {
        Self::launch(suite, width, height, None, None).await
    }

    /// A phone: 360×800 at 3 device pixels per CSS pixel, touch, Chrome for Android's user
    /// agent, with the profile (site data, service workers, OPFS) in `profile`, which
    /// outlives this browser so that it can be reopened after [`Browser::kill`].
    pub async fn phone(suite: &str, profile: &std::path::Path) -> anyhow::Result<Self> {
        let emulation = serde_json::json!({
            "deviceMetrics": { "width": 360, "height": 800, "pixelRatio": 3.0, "touch": true, "mobile": true },
            "userAgent": "Mozilla/5.0 (Linux; Android 13; SM-A145M) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36",
        });
        Self::launch(suite, 360, 800, Some(profile.to_path_buf()), Some(emulation)).await
    }

    /// Ends the browser as a phone's system would kill it: SIGKILL to every Chromium
    /// process of this profile, no chance to flush or say goodbye.
    pub fn kill(self) {
        let _ = Command::new("pkill").arg("-KILL").arg("-f").arg(&self.profile).status();
        // Drop ends chromedriver; the profile stays.
    }

    async fn launch(suite: &str, width: u32, height: u32, kept: Option<PathBuf>, phone: Option<serde_json::Value>) -> anyhow::Result<Self> {
        let port = free_port()?;
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("chromedriver did not start ({e}); run scripts/setup.sh"))?;
        let kept_profile = kept.is_some();
        let profile = kept.unwrap_or_else(|| std::env::temp_dir().join(format!("ventanilla-chromium-{port}")));
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
        let mut caps = caps.as_object().cloned().unwrap_or_default();
        if let (Some(emulation), Some(options)) = (phone, caps.get_mut("goog:chromeOptions").and_then(|o| o.as_object_mut())) {
            options.insert("mobileEmulation".into(), emulation);
        }
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
        Ok(Self { client, driver, shots, profile: profile.display().to_string(), tablet: (700..=1100).contains(&width), kept_profile })
    }

    /// Saves a screenshot as `<name>.png`, after checking the screen: axe-core finds no
    /// accessibility violation, and on a tablet every tap target is at least 44 px and
    /// all text at least 16 px.
    pub async fn shot(&self, name: &str) -> anyhow::Result<()> {
        let png = self.client.screenshot().await?;
        std::fs::write(self.shots.join(format!("{name}.png")), png)?;
        let mut problems = self.axe().await?;
        if self.tablet {
            problems.extend(self.tablet_problems().await?);
        }
        anyhow::ensure!(problems.is_empty(), "screen «{name}»:\n{}", problems.join("\n"));
        Ok(())
    }

    /// The violations axe-core (installed by `scripts/setup.sh --tests`) finds on the page.
    pub async fn axe(&self) -> anyhow::Result<Vec<String>> {
        static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/tools/axe/node_modules/axe-core/axe.min.js");
        let source = match AXE.get() {
            Some(s) => s,
            None => {
                let text = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{} ({e}); run scripts/setup.sh --tests", path.display()))?;
                AXE.get_or_init(|| text)
            }
        };
        self.client.execute(source, vec![]).await?;
        let found = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, { resultTypes: ["violations"] })
                     .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.help} → ${v.nodes.slice(0, 6).map(n => n.target.join(" ") + " [" + (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 160) + "]").join("; ")}`)))
                     .catch(e => done(["axe did not run: " + e]));"#,
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(found)?)
    }

    /// Tap targets under 44 px and text under 16 px on the page (links inside running
    /// text excepted, as WCAG 2.5.8 does).
    pub async fn tablet_problems(&self) -> anyhow::Result<Vec<String>> {
        let found = self
            .client
            .execute(
                r##"const out = [];
                   const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") + " «" + (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40) + "»";
                   const shown = el => { const r = el.getBoundingClientRect(); const st = getComputedStyle(el); return r.width > 0 && r.height > 0 && st.visibility !== "hidden"; };
                   for (const el of document.querySelectorAll("button, input:not([type=hidden]), select, textarea, summary, a[href], [role=button], label[for]")) {
                     if (!shown(el)) continue;
                     const r = el.getBoundingClientRect();
                     const st = getComputedStyle(el);
                     if (el.tagName === "A" && st.display === "inline" && (el.parentElement.innerText || "").trim() !== (el.innerText || "").trim()) continue;
                     if (el.tagName === "LABEL") { const input = document.getElementById(el.htmlFor); if (!input || !["checkbox", "radio"].includes(input.type)) continue; }
                     if (el.tagName === "INPUT" && ["checkbox", "radio"].includes(el.type) && el.labels && [...el.labels].some(l => l.getBoundingClientRect().height >= 44)) continue;
                     if (r.height < 43.5 || r.width < 43.5) out.push(`tap target ${Math.round(r.width)}×${Math.round(r.height)} px: ${name(el)}`);
                     if (["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName) && parseFloat(st.fontSize) < 15.5) out.push(`input text ${st.fontSize}: ${name(el)}`);
                   }
                   const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                   const seen = new Set();
                   while (walker.nextNode()) {
                     const t = walker.currentNode; const el = t.parentElement;
                     if (!t.textContent.trim() || !el || seen.has(el) || !shown(el)) continue;
                     seen.add(el);
                     const size = parseFloat(getComputedStyle(el).fontSize);
                     if (size < 15.5) out.push(`text ${size} px: ${name(el)}`);
                   }
                   return out.slice(0, 40);"##,
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(found)?)
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

    /// Runs a Chrome DevTools Protocol command on the page (through chromedriver).
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> anyhow::Result<serde_json::Value> {
        Ok(self.client.issue_cmd(Cdp { cmd: cmd.to_string(), params }).await?)
    }

    /// Ends the browser session.
    pub async fn close(self) -> anyhow::Result<()> {
        self.client.clone().close().await?;
        Ok(())
    }
}

/// A DevTools command sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(serde_json::json!({ "cmd": self.cmd, "params": self.params }).to_string()))
    }
}
