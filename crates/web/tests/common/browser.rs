//! The real-browser harness: headless Chromium driven through chromedriver with fantoccini.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`;
//! `scripts/test.sh` installs them). `BALAI_TEST_CHROMEDRIVER` / `BALAI_TEST_CHROMIUM` override the paths,
//! otherwise both are looked up on `PATH`. When either is missing the test fails; it never skips.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

pub const TIMEOUT: Duration = Duration::from_secs(30);

/// An executable from `env_var`, or else `name` on `PATH`; a failure with the fix when absent.
pub fn executable(env_var: &str, name: &str) -> PathBuf {
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
pub struct Chromedriver {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Chromedriver {
    pub fn start(binary: &Path) -> Chromedriver {
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

    pub async fn session(&self, chromium: &Path) -> Client {
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
            // The console, for `console_problems`.
            "goog:loggingPrefs": { "browser": "ALL" },
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

pub async fn element(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no `{css}` within {TIMEOUT:?}: {e}"))
}

/// Waits until the element's text satisfies `ok`, returning it (the last seen text in the failure).
pub async fn text_until(client: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
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

pub async fn path_of(client: &Client) -> String {
    let url = client.current_url().await.expect("current url");
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// chromedriver's console log of the page's browser since the last call (`POST
/// /session/{id}/se/log`, which W3C WebDriver has no word for).
#[derive(Debug)]
struct BrowserLog;

/// `url::ParseError`, which reqwest does not re-export.
type UrlError = <reqwest::Url as std::str::FromStr>::Err;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &reqwest::Url,
        session_id: Option<&str>,
    ) -> Result<reqwest::Url, UrlError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

/// The console messages since the last call that show the page broken under its
/// Content-Security-Policy: a refused script, style or handler, or an uncaught script error.
/// (Failed loads, such as map tiles offline, are not counted.)
pub async fn console_problems(client: &Client) -> Vec<String> {
    let log = client
        .issue_cmd(BrowserLog)
        .await
        .expect("chromedriver's browser log");
    log.as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let message = entry["message"].as_str().unwrap_or_default();
            let source = entry["source"].as_str().unwrap_or_default();
            let level = entry["level"].as_str().unwrap_or_default();
            let refused = message.contains("Content Security Policy")
                || message.contains("Content-Security-Policy");
            let script_error = source == "javascript" && level == "SEVERE";
            (refused || script_error).then(|| format!("[{level} {source}] {message}"))
        })
        .collect()
}
