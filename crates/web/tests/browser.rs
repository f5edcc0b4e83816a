//! A real browser end to end: headless Chromium, driven through chromedriver with fantoccini,
//! submits the public form and then answers the ticket as a liaison officer, on each backend.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`;
//! `scripts/test.sh` installs them). `BALAI_TEST_CHROMEDRIVER` / `BALAI_TEST_CHROMIUM` override the paths,
//! otherwise both are looked up on `PATH`. When either is missing the test fails; it never skips.

mod common;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{PASSWORD, TestApp, spawn_apps};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(30);
const COMPLAINT: &str = "Lampu jalan mati di Jl. Merdeka — sudah 3 hari, tolong 🙏";
const ANSWER: &str =
    "Terima kasih. Petugas Dishub sudah mengganti lampu di Jl. Merdeka — kini menyala ✅";

/// An executable from `env_var`, or else `name` on `PATH`; a failure with the fix when absent.
fn executable(env_var: &str, name: &str) -> PathBuf {
    let install = "install it with `apt-get install -y chromium chromium-driver` \
                   (scripts/test.sh does this) or point the variable at the binary";
    if let Some(path) = std::env::var_os(env_var).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{env_var}={} does not exist: {install}",
            path.display()
        );
        return path;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("the browser test needs `{name}`, which is not on PATH and {env_var} is unset: {install}")
        })
}

/// A chromedriver process on a free port with a throw-away Chromium profile. It runs in a process
/// group of its own, which the Chromium it launches joins; on drop (so also when the test panics
/// before closing the session) the whole group is killed and the profile removed.
struct Chromedriver {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Chromedriver {
    fn start(binary: &Path) -> Chromedriver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir =
            std::env::temp_dir().join(format!("balai-browser-{}-{}", std::process::id(), port));
        std::fs::create_dir_all(dir.join("profile")).expect("a temporary directory");
        let log = std::fs::File::create(dir.join("chromedriver.log")).expect("a log file");
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log file"))
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut driver = Chromedriver { child, port, dir };
        driver.wait_until_listening();
        driver
    }

    fn wait_until_listening(&mut self) {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("chromedriver exited at start ({status}):\n{}", self.log());
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {} within {TIMEOUT:?}:\n{}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("chromedriver.log")).unwrap_or_default()
    }

    async fn session(&self, chromium: &Path) -> Client {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1024",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([format!(
            "--user-data-dir={}",
            self.dir.join("profile").display()
        )])
        .collect::<Vec<_>>();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url())
            .await
            .unwrap_or_else(|e| {
                panic!("no Chromium session from chromedriver: {e}\n{}", self.log())
            });
        client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                None,
                Some(TIMEOUT),
                None,
            ))
            .await
            .expect("page-load timeout");
        client
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The group's id is chromedriver's pid; `kill -KILL -PGID` also reaches its Chromium.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Chromium may still be letting go of its profile for a moment.
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.dir).is_ok() || !self.dir.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

async fn element(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no `{css}` within {TIMEOUT:?}: {e}"))
}

/// Waits until the element's text satisfies `ok`, returning it (the last seen text in the failure).
async fn text_until(client: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + TIMEOUT;
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = client.find(Locator::Css(css)).await
            && let Ok(text) = el.text().await
        {
            if ok(&text) {
                return text;
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let url = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    panic!("`{css}` on {url} never became as expected; last text: {last:?}")
}

async fn path_of(client: &Client) -> String {
    let url = client.current_url().await.expect("current url");
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// The whole story on one app: citizen submits, liaison officer answers, citizen sees it.
async fn submit_and_answer(client: &Client, app: &TestApp) {
    let backend = app.db.backend().as_str();

    // The citizen fills in the public form.
    client.goto(&app.at("/")).await.expect("open the form");
    element(client, "#complaint-form").await;
    element(client, "#category")
        .await
        .select_by_value("pengaduan")
        .await
        .expect("choose the category");
    element(client, "#text")
        .await
        .send_keys(COMPLAINT)
        .await
        .expect("type the complaint");
    element(client, "#agency_code")
        .await
        .select_by_value("DISHUB")
        .await
        .expect("choose DISHUB");
    element(client, "#reporter_email")
        .await
        .send_keys("warga@contoh.id")
        .await
        .expect("type the email");
    element(client, "#submit")
        .await
        .click()
        .await
        .expect("submit");

    // …and lands on the confirmation page with the new code.
    let code = text_until(client, "#tracking-code", |t| !t.trim().is_empty()).await;
    let code = code.trim().to_string();
    let path = path_of(client).await;
    assert_eq!(
        path,
        format!("/aduan/diterima/{code}"),
        "{backend}: after submitting"
    );
    let status_shown = element(client, "#status").await.text().await.unwrap();

    let tracked = app
        .db
        .track(&domain::TrackingCode::parse(&code).expect("a valid tracking code"))
        .await
        .expect("the ticket is stored");
    assert_eq!(tracked.channel, "web", "{backend}");
    assert_eq!(tracked.category, "pengaduan", "{backend}");
    assert_eq!(status_shown, tracked.status_label, "{backend}");
    assert_ne!(tracked.status, "answered", "{backend}");

    // The liaison officer of DISHUB logs in…
    client
        .goto(&app.at("/masuk"))
        .await
        .expect("open the login");
    element(client, "#username")
        .await
        .send_keys("penghubung.dishub")
        .await
        .expect("type the username");
    let password = element(client, "#password").await;
    password
        .send_keys(PASSWORD)
        .await
        .expect("type the password");
    client
        .form(Locator::Css("form[action='/masuk']"))
        .await
        .expect("the login form")
        .submit()
        .await
        .expect("log in");
    element(client, "table#tickets").await;
    assert_eq!(
        path_of(client).await,
        "/staf",
        "{backend}: after logging in"
    );

    // …finds the ticket in the inbox and opens it.
    client
        .wait()
        .at_most(TIMEOUT)
        .for_element(Locator::LinkText(&tracked.register_number))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{backend}: {} not in the inbox: {e}",
                tracked.register_number
            )
        })
        .click()
        .await
        .expect("open the ticket");
    let original = element(client, "#original-text").await;
    assert_eq!(
        original.text().await.unwrap(),
        COMPLAINT,
        "{backend}: the text arrives unchanged"
    );
    assert!(path_of(client).await.starts_with("/staf/aduan/"));
    let meta = element(client, ".card h1 + p.muted")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        meta.contains(&code) && meta.contains("kanal web"),
        "{backend}: {meta}"
    );

    // Answers it.
    element(client, "#answer-body")
        .await
        .send_keys(ANSWER)
        .await
        .expect("type the answer");
    element(client, "#answer-submit")
        .await
        .click()
        .await
        .expect("send the answer");
    text_until(client, "#status", |t| t == "Dijawab").await;

    // The citizen sees the answer on the public tracking page.
    client
        .goto(&app.at(&format!("/lacak/{code}")))
        .await
        .expect("open the tracking page");
    text_until(client, "#status", |t| t == "Dijawab").await;
    let timeline = text_until(client, "#timeline", |t| t.contains(ANSWER)).await;
    assert!(timeline.contains("Dijawab"), "{backend}: {timeline}");

    // The dashboard draws a located ticket on the Leaflet map (tiles may not load offline;
    // the markers are vector shapes drawn by Leaflet itself).
    common::post_located_ticket(&app.db, "DISHUB", "Jembatan retak").await;
    client
        .goto(&app.at("/staf/dasbor"))
        .await
        .expect("open the dashboard");
    element(client, "#map .leaflet-interactive").await;
    let drawn = element(client, "#map")
        .await
        .attr("data-markers")
        .await
        .unwrap();
    assert_eq!(drawn.as_deref(), Some("1"), "{backend}: markers on the map");

    let tracked = app
        .db
        .track(&domain::TrackingCode::parse(&code).unwrap())
        .await
        .unwrap();
    assert_eq!(tracked.status, "answered", "{backend}");
    assert!(
        tracked
            .timeline
            .iter()
            .any(|e| e.kind == "answered" && e.body.as_deref() == Some(ANSWER)),
        "{backend}: {:?}",
        tracked.timeline
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn citizen_submits_in_a_browser_and_staff_answers() {
    let chromedriver = executable("BALAI_TEST_CHROMEDRIVER", "chromedriver");
    let chromium = executable("BALAI_TEST_CHROMIUM", "chromium");
    let apps = spawn_apps().await;
    let driver = Chromedriver::start(&chromedriver);
    let client = driver.session(&chromium).await;
    for app in &apps {
        // Each app is its own origin, so the staff session of one does not leak into the next.
        submit_and_answer(&client, app).await;
    }
    client.close().await.expect("close the browser session");
    drop(driver);
}
