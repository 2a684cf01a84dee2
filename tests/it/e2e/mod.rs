//! Browser tests: the real application served over HTTP on loopback (its own actix System in a background
//! thread, a fresh database, the file outbox), driven through Debian's Chromium by chromedriver (thirtyfour).
//!
//! Where chromedriver is missing these tests say so on stderr (once, past the test harness's output capture) and
//! pass without running, except when `CI` is set: there they fail, so CI cannot go green without them.
//! `PALISADE_CHROMEDRIVER` names the chromedriver to use when it is not on PATH.
//!
//! Waits are explicit (an element, a text or an address that must appear within `WAIT`), never sleeps.
//!
//! Every page the tests arrive at is checked with axe-core (`Browser::assert_accessible`): 0 serious or critical
//! findings, else the test fails with the list. axe-core comes from npm (`npm ci --prefix tests/it/e2e`, as
//! .ci/run does) or from the file `PALISADE_AXE_JS` names; without it the checks are skipped with a notice,
//! except in CI, where that is a failure.

mod assets_kb;
mod billing;
mod campaigns;
mod clients;
mod compliance;
mod context;
mod first_admin;
mod inbound;
mod invitations;
mod msp_context;
mod onboarding;
mod phone;
mod portal;
mod portal_chat;
mod service_desk;

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{HttpServer, web};
use thirtyfour::common::config::WebDriverConfig;
use thirtyfour::extensions::query::ElementPollerWithTimeout;
use thirtyfour::prelude::*;

use palisade::AppState;
use palisade::db::Db;
use palisade::portal::brand::domain::MemoryDns;

use crate::support::{PASSWORD, TestDb, fixture, strip_tags, test_config_with};

/// A phone's screen in CSS pixels (an iPhone 12 to 15).
pub const PHONE: (u32, u32) = (390, 844);

/// How long any one wait may take before the test fails with what the page showed instead.
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// One test's world: the application and a chromedriver to open browsers with. Browsers opened from it must be
/// dropped first (declare them after it).
pub struct E2e {
    pub app: LiveApp,
    chromedriver: Chromedriver,
}

impl E2e {
    /// None when chromedriver is missing and CI is not set (the test then returns early).
    pub fn start() -> Option<E2e> {
        let chromedriver = Chromedriver::start()?;
        Some(E2e { app: LiveApp::start(), chromedriver })
    }

    /// A new browser: its own Chromium with a fresh profile, so nothing (cookies, storage) is shared.
    pub async fn browser(&self) -> Browser {
        self.browser_sized(1280, 900, false).await
    }

    /// A new browser with a phone's screen: 390 x 844 CSS pixels (Chrome's device emulation, since a desktop
    /// window cannot be made that narrow).
    pub async fn phone(&self) -> Browser {
        self.browser_sized(PHONE.0, PHONE.1, true).await
    }

    /// A new browser that reaches the application under another host name (a client's portal domain, which its
    /// Chromium resolves to loopback): its paths open on `http://{host}:{port}`.
    pub async fn browser_on_host(&self, host: &str) -> Browser {
        let rule = format!("--host-resolver-rules=MAP {host} 127.0.0.1");
        let mut browser = self.launch(1280, 900, false, &[&rule]).await;
        let port = self.app.base.rsplit(':').next().expect("the application's port");
        browser.base = format!("http://{host}:{port}");
        browser
    }

    /// A new browser whose window (or, emulating a phone, whose screen) is `width` x `height`.
    async fn browser_sized(&self, width: u32, height: u32, phone: bool) -> Browser {
        self.launch(width, height, phone, &[]).await
    }

    /// Starts Chromium with the common arguments and `extra` ones.
    async fn launch(&self, width: u32, height: u32, phone: bool, extra: &[&str]) -> Browser {
        let profile = tempfile::tempdir().expect("browser profile dir");
        let mut caps = DesiredCapabilities::chrome();
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ]
        .iter()
        .chain(extra)
        {
            caps.add_arg(arg).expect("chrome arg");
        }
        caps.add_arg(&format!("--window-size={width},{height}")).expect("chrome arg");
        if phone {
            let metrics = serde_json::json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1 } });
            caps.add_experimental_option("mobileEmulation", metrics).expect("phone emulation");
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display())).expect("chrome arg");
        if let Some(binary) = chromium_binary() {
            caps.set_binary(&binary.display().to_string()).expect("chrome binary");
        }
        let config = WebDriverConfig::builder()
            .poller(Arc::new(ElementPollerWithTimeout::new(WAIT, POLL)))
            .build()
            .expect("webdriver config");
        let driver = WebDriver::new_with_config(self.chromedriver.url.clone(), caps, config)
            .await
            .unwrap_or_else(|e| panic!("cannot start Chromium through chromedriver: {e}"));
        Browser { driver, base: self.app.base.clone(), _profile: profile }
    }

    /// The fixture MSP (`support::fixture::msp`) and a browser signed in as its admin, on the MSP dashboard.
    pub async fn msp_admin(&self) -> WebDriverResult<(fixture::Msp, Browser)> {
        let msp = fixture::msp(&mut self.conn());
        let browser = self.browser().await;
        browser.sign_in("admin@northwind.test", PASSWORD).await?;
        browser.wait_for_path("/msp/dashboard").await?;
        browser.wait_for_banner(fixture::MSP_NAME).await?;
        Ok((msp, browser))
    }

    pub fn conn(&self) -> r2d2::PooledConnection<palisade::db::Manager> {
        self.app.state.db.conn().expect("test connection")
    }

    /// The messages in the file outbox, oldest first, as raw bytes, after delivering what the application has
    /// queued (the scheduler's delivery job, run now).
    pub async fn outbox(&self) -> Vec<Vec<u8>> {
        self.app.state.jobs.run_all(&self.app.state).await.expect("the scheduler ran");
        let dir = self.app.state.config.outbox_dir();
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .map(|e| (e.metadata().and_then(|m| m.modified()).expect("outbox file time"), e.path()))
                .collect(),
            Err(_) => return Vec::new(),
        };
        files.sort();
        files.iter().map(|(_, p)| std::fs::read(p).expect("read outbox file")).collect()
    }
}

/// The application served over real HTTP on a free loopback port, with a fresh database and the file outbox.
pub struct LiveApp {
    /// `http://127.0.0.1:<port>`, also the configured PALISADE_BASE_URL (so emailed links point here).
    pub base: String,
    pub state: web::Data<AppState>,
    /// The built-in SMTP receiver, on loopback: mail for `SLUG@help.test` lands here.
    pub smtp: SocketAddr,
    /// The DNS the application sees (portal domains are verified by TXT records set here).
    pub dns: Arc<MemoryDns>,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
    _data_dir: tempfile::TempDir,
    _db: TestDb,
}

impl LiveApp {
    fn start() -> LiveApp {
        let db = TestDb::create();
        let data_dir = tempfile::tempdir().expect("data dir");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr: SocketAddr = listener.local_addr().expect("local addr");
        let base = format!("http://{addr}");
        let bind = addr.to_string();
        let config = test_config_with(
            &db.url,
            data_dir.path(),
            &[
                ("PALISADE_MAIL_TRANSPORT", "file"),
                ("PALISADE_BASE_URL", &base),
                ("PALISADE_BIND", &bind),
                ("PALISADE_INBOUND_DOMAINS", "help.test"),
            ],
        );
        let pool = Db::open(&config.database_url, config.db_pool_size).expect("open test database");
        let dns = Arc::new(MemoryDns::default());
        let state = web::Data::new(AppState::new(config, pool).expect("application state").with_dns(dns.clone()));
        let (tx, rx) = std::sync::mpsc::channel();
        let served = state.clone();
        let thread = std::thread::spawn(move || {
            let system = actix_web::rt::System::new();
            let result = system.block_on(async move {
                let smtp = palisade::psa::inbound::smtp::start(served.clone(), "127.0.0.1:0".parse().unwrap()).await?;
                let server = HttpServer::new(move || palisade::app(served.clone()))
                    .workers(2)
                    .disable_signals()
                    .shutdown_timeout(1)
                    .listen(listener)?
                    .run();
                let _ = tx.send((server.handle(), smtp));
                server.await
            });
            if let Err(e) = result {
                eprintln!("e2e: the application server stopped with an error: {e}");
            }
        });
        let (handle, smtp) = rx.recv_timeout(WAIT).expect("the application server started");
        LiveApp { base, state, smtp, dns, handle, thread: Some(thread), _data_dir: data_dir, _db: db }
    }
}

impl Drop for LiveApp {
    fn drop(&mut self) {
        // stop() sends the command at once; the returned future only reports completion.
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A chromedriver child process on a free loopback port, killed (with the browsers it started) on drop.
struct Chromedriver {
    child: Child,
    url: String,
}

impl Chromedriver {
    fn start() -> Option<Chromedriver> {
        let Some(path) = find_chromedriver() else {
            if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
                panic!(
                    "CI is set but chromedriver is not installed: browser tests cannot be skipped in CI \
                     (apt-get install chromium chromium-driver)"
                );
            }
            // Straight to the process's stderr: the test harness captures eprintln! of passing tests.
            static NOTICE: std::sync::Once = std::sync::Once::new();
            NOTICE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "\n*** SKIPPING the browser tests (tests/it/e2e): chromedriver was not found (PATH or \
                     PALISADE_CHROMEDRIVER). Install Debian's chromium and chromium-driver to run them. In CI \
                     (CI set) this is a failure. ***\n"
                );
            });
            return None;
        };
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = free_port();
            let mut command = Command::new(&path);
            command.arg(format!("--port={port}")).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
            #[cfg(unix)]
            {
                // Its own process group, so that drop also ends the Chromium processes it started.
                use std::os::unix::process::CommandExt;
                command.process_group(0);
            }
            let child = command.spawn().unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
            let mut driver = Chromedriver { child, url: format!("http://127.0.0.1:{port}") };
            match driver.wait_until_listening(port) {
                Ok(()) => return Some(driver),
                Err(e) => last_error = e,
            }
        }
        panic!("chromedriver at {} did not start: {last_error}", path.display());
    }

    fn wait_until_listening(&mut self, port: u16) -> Result<(), String> {
        let deadline = Instant::now() + WAIT;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("it exited with {status}"));
            }
            if Instant::now() > deadline {
                return Err(format!("nothing listening on port {port} after {WAIT:?}"));
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|p| p.is_file())
}

fn find_chromedriver() -> Option<PathBuf> {
    match std::env::var_os("PALISADE_CHROMEDRIVER").filter(|v| !v.is_empty()) {
        Some(path) => Some(PathBuf::from(path)).filter(|p| p.is_file()),
        None => on_path("chromedriver"),
    }
}

/// Debian's Chromium when it is where Debian puts it; otherwise chromedriver finds a browser itself.
fn chromium_binary() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/lib/chromium/chromium"].into_iter().map(PathBuf::from).find(|p| p.is_file())
}

/// One browser session with helpers that wait for what a person would wait for.
pub struct Browser {
    pub driver: WebDriver,
    base: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Opens a path of the application (or a full URL).
    pub async fn open(&self, path_or_url: &str) -> WebDriverResult<()> {
        let url = if path_or_url.starts_with("http") { path_or_url.to_string() } else { self.url(path_or_url) };
        self.driver.goto(url).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The first element matching a CSS selector, waiting for it to appear.
    pub async fn find(&self, css: &str) -> WebDriverResult<WebElement> {
        self.driver.query(By::Css(css)).desc(css).first().await
    }

    /// Types into a field (replacing what it held).
    pub async fn fill(&self, css: &str, value: &str) -> WebDriverResult<()> {
        let field = self.find(css).await?;
        field.clear().await?;
        field.send_keys(value).await
    }

    pub async fn click(&self, css: &str) -> WebDriverResult<()> {
        self.driver.query(By::Css(css)).desc(css).and_clickable().first().await?.click().await
    }

    /// Clicks the button whose visible text is exactly `text`.
    pub async fn click_button(&self, text: &str) -> WebDriverResult<()> {
        let xpath = format!("//button[normalize-space(.)={}]", xpath_literal(text));
        self.driver.query(By::XPath(&xpath)).desc(text).and_clickable().first().await?.click().await
    }

    /// Follows the link whose visible text is exactly `text`.
    pub async fn click_link(&self, text: &str) -> WebDriverResult<()> {
        let xpath = format!("//a[normalize-space(.)={}]", xpath_literal(text));
        self.driver.query(By::XPath(&xpath)).desc(text).and_clickable().first().await?.click().await
    }

    /// The current path (and query) of the page.
    pub async fn path(&self) -> WebDriverResult<String> {
        let url = self.driver.current_url().await?;
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        })
    }

    /// Waits until the page is at `path` (after a click that navigates), then checks it with axe.
    pub async fn wait_for_path(&self, path: &str) -> WebDriverResult<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            if self.path().await? == path {
                return self.assert_accessible().await;
            }
            if Instant::now() > deadline {
                panic!("{}", self.report(&format!("expected to arrive at {path}")).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the element matching `css` shows `text` (a substring of its visible text); returns that
    /// visible text. Survives the page being replaced while it waits.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> WebDriverResult<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(elements) = self.driver.find_all(By::Css(css)).await {
                for element in elements {
                    if let Ok(shown) = element.text().await
                        && shown.contains(text)
                    {
                        return Ok(shown);
                    }
                }
            }
            if Instant::now() > deadline {
                panic!("{}", self.report(&format!("expected {css} to show {text:?}")).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The organization banner's text once it names `org_name`.
    pub async fn wait_for_banner(&self, org_name: &str) -> WebDriverResult<String> {
        self.wait_for_text("[data-testid=org-banner]", org_name).await
    }

    /// Where the browser is and what it shows (and a screenshot in the temp dir), for a failing wait.
    async fn report(&self, expected: &str) -> String {
        let path = self.path().await.unwrap_or_default();
        let source = self.driver.source().await.unwrap_or_default();
        let shot = std::env::temp_dir().join(format!("palisade-e2e-{}.png", uuid::Uuid::now_v7().simple()));
        let saved = match self.driver.screenshot(Path::new(&shot)).await {
            Ok(()) => format!("screenshot: {}", shot.display()),
            Err(e) => format!("no screenshot: {e}"),
        };
        let text: String = strip_tags(&source).chars().take(3000).collect();
        format!("{expected}, but the browser is at {path} ({saved}) showing:\n{text}")
    }

    /// Signs in through the login form and waits for the workspace.
    pub async fn sign_in(&self, email: &str, password: &str) -> WebDriverResult<()> {
        self.open("/login").await?;
        self.find("#email").await?;
        self.assert_accessible().await?;
        self.fill("#email", email).await?;
        self.fill("#password", password).await?;
        self.click_button("Sign in").await?;
        self.wait_for_text("[data-testid=org-banner]", "Working in").await?;
        Ok(())
    }

    /// Chooses an organization in the sidebar switcher: opens it, types the name into its live filter, waits
    /// for the filtered list to offer exactly that organization, chooses it and waits for the banner to name it.
    pub async fn switch_to(&self, org_name: &str) -> WebDriverResult<String> {
        self.click(".switcher > summary").await?;
        self.fill("[data-switcher-filter]", org_name).await?;
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(buttons) = self.driver.find_all(By::Css("[data-switcher-list] button")).await {
                let mut names = Vec::new();
                for button in &buttons {
                    let name = match button.find(By::Css(".switcher-name")).await {
                        Ok(span) => span.text().await.unwrap_or_default(),
                        Err(_) => String::new(),
                    };
                    names.push(name);
                }
                // The list is filtered (the fetch answered) once it offers only this organization.
                if names.len() == 1 && names[0] == org_name && buttons[0].click().await.is_ok() {
                    break;
                }
            }
            if Instant::now() > deadline {
                panic!("{}", self.report(&format!("expected the switcher to offer only {org_name}")).await);
            }
            tokio::time::sleep(POLL).await;
        }
        self.wait_for_banner(org_name).await
    }

    /// Chooses the option with this visible text in a select element.
    pub async fn select(&self, css: &str, option_text: &str) -> WebDriverResult<()> {
        let element = self.find(css).await?;
        thirtyfour::components::SelectElement::new(&element).await?.select_by_exact_text(option_text).await
    }

    /// Runs axe-core on the page as it is now and fails with every serious or critical finding.
    pub async fn assert_accessible(&self) -> WebDriverResult<()> {
        let findings = self.axe_findings().await?;
        if !findings.is_empty() {
            let path = self.path().await.unwrap_or_default();
            panic!("axe: {} serious or critical finding(s) on {path}:\n{}", findings.len(), findings.join("\n"));
        }
        Ok(())
    }

    /// axe-core's serious and critical findings on the page as it is now, one line each (none when axe-core is
    /// not installed outside CI).
    pub async fn axe_findings(&self) -> WebDriverResult<Vec<String>> {
        let Some(axe) = axe_source() else { return Ok(Vec::new()) };
        let loaded = self.driver.execute("return typeof window.axe === 'object';", Vec::new()).await?;
        if loaded.json().as_bool() != Some(true) {
            self.driver.execute(axe, Vec::new()).await?;
        }
        let ret = self.driver.execute_async(AXE_RUN, Vec::new()).await?;
        Ok(ret
            .json()
            .as_array()
            .map(|list| list.iter().filter_map(|f| f.as_str().map(str::to_string)).collect())
            .unwrap_or_else(|| vec![format!("axe returned {}", ret.json())]))
    }

    /// How the page fits its window: widths, heights and where the main content starts, in CSS pixels.
    pub async fn layout(&self) -> WebDriverResult<Layout> {
        let ret = self.driver.execute(LAYOUT, Vec::new()).await?;
        let value = ret.json();
        let number = |key: &str| value[key].as_f64().unwrap_or(f64::NAN);
        Ok(Layout {
            scroll_width: number("scrollWidth"),
            inner_width: number("innerWidth"),
            inner_height: number("innerHeight"),
            main_top: number("mainTop"),
        })
    }

    /// A screenshot of the window and its size in pixels, read from the PNG header.
    pub async fn screenshot_size(&self) -> WebDriverResult<(u32, u32)> {
        let png = self.driver.screenshot_as_png().await?;
        assert!(png.len() > 24 && &png[1..4] == b"PNG", "a PNG screenshot");
        let at = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
        if let Some(dir) = std::env::var_os("PALISADE_E2E_SCREENSHOTS") {
            let name = format!("{}.png", self.path().await?.replace(['/', '?', '&', '='], "_"));
            let _ = std::fs::write(Path::new(&dir).join(name), &png);
        }
        Ok((at(16), at(20)))
    }

    /// Ends the browser session. A browser dropped without it (a failed test) is left to the chromedriver's
    /// process-group kill rather than quit from inside a runtime that is unwinding.
    pub async fn close(self) -> WebDriverResult<()> {
        self.driver.clone().quit().await
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.clone().leak();
    }
}

/// How a page fits its window (see `Browser::layout`).
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The document's full width: more than the window's means the page scrolls sideways.
    pub scroll_width: f64,
    pub inner_width: f64,
    pub inner_height: f64,
    /// The top of `main`'s first heading (or of `main`) relative to the top of the window.
    pub main_top: f64,
}

const LAYOUT: &str = r#"
const main = document.querySelector("main");
const first = main && (main.querySelector("h1") || main);
return {
  scrollWidth: document.scrollingElement.scrollWidth,
  innerWidth: window.innerWidth,
  innerHeight: window.innerHeight,
  mainTop: first ? first.getBoundingClientRect().top : -1,
};
"#;

/// Runs axe-core and answers with one line per serious or critical finding (an empty list when there is none).
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ["violations"] })
  .then((results) => done(results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)))
  .catch((error) => done([`axe failed: ${error}`]));
"#;

/// axe-core's browser build, read once: `PALISADE_AXE_JS`, else `tests/it/e2e/node_modules/axe-core/axe.min.js`.
fn axe_source() -> Option<&'static str> {
    static SOURCE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let path =
                std::env::var_os("PALISADE_AXE_JS").filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(|| {
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/e2e/node_modules/axe-core/axe.min.js")
                });
            match std::fs::read_to_string(&path) {
                Ok(source) => Some(source),
                Err(e) if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) => {
                    panic!(
                        "CI is set but axe-core is missing at {} ({e}): npm ci --prefix tests/it/e2e",
                        path.display()
                    )
                }
                Err(_) => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "\n*** SKIPPING the accessibility checks of the browser tests: axe-core is not at {} (run \
                         `npm ci --prefix tests/it/e2e`, or set PALISADE_AXE_JS). In CI this is a failure. ***\n",
                        path.display()
                    );
                    None
                }
            }
        })
        .as_deref()
}

/// A string as an XPath literal (XPath 1.0 has no escapes).
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}
