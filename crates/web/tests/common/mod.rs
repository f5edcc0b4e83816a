//! Shared by the web tests: a real server on port 0 over a fresh database of each backend.
#![allow(dead_code)]

pub mod browser;
pub mod smtp;

use store::Db;
use web::{AppState, WebConfig};

pub const PASSWORD: &str = app::testing::PASSWORD;

pub struct TestApp {
    pub url: String,
    pub db: app::App,
    pub client: reqwest::Client,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// A bearer token for a user created by `seed_org`.
    pub async fn token(&self, username: &str) -> String {
        let response = self
            .client
            .post(self.at("/api/v1/auth/token"))
            .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "login as {username}");
        response.json::<serde_json::Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

pub fn test_config() -> WebConfig {
    WebConfig {
        intake_per_minute: 0,
        login_per_minute: 1000,
        track_per_minute: 1000,
        ..WebConfig::default()
    }
}

/// The configuration `balai demo` runs with: the simulated handset is mounted.
pub fn demo_config() -> WebConfig {
    WebConfig {
        simulator: true,
        ..test_config()
    }
}

pub async fn spawn_app_with(db: impl Into<app::App>, config: WebConfig) -> TestApp {
    let db: app::App = db.into();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(db.db().clone(), config, None);
    tokio::spawn(web::serve(listener, state, async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        url,
        db,
        client,
        _shutdown: tx,
    }
}

/// The gateways' sink on `db`, as `balai serve` wires it.
pub fn sms_sink(db: &Db) -> sms::Sink {
    web::sms_sink::StoreSink::shared(db.clone(), store::sms::SmsRules::default())
}

/// A server whose gateways follow the admin's changes, as `balai serve` runs them (the file
/// gateways are `file`, the rest stored), with the reload supervisor running.
pub async fn spawn_app_with_live_gateways(
    db: impl Into<app::App>,
    file: Vec<sms::GatewayConfig>,
    config: WebConfig,
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let db: app::App = db.into();
    let rules = store::sms::SmsRules::default();
    let sink = sms_sink(&db);
    let live = sms::LiveGateways::start(&sink, file).await.unwrap();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(live.clone().supervise(sink, stop_rx));
    let state = AppState::with_live_gateways(db.db().clone(), config, None, live, rules);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(web::serve(listener, state, async move {
        let _ = rx.await;
        let _ = stop_tx.send(true);
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp::from_parts(url, db, client, tx)
}

/// One server per backend, each over a fresh database with `seed_org` applied.
pub async fn spawn_apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for db in store::testing::each_backend().await {
        seed_org(&db).await;
        apps.push(spawn_app_with(db, test_config()).await);
    }
    apps
}

/// The standard test world (`app::testing::WorldBuilder::standard`): agencies DISHUB and
/// DINKES; users `admin`, `sekretariat`, `walikota`, `kadishub`, `penghubung.dishub`,
/// `operator.dishub` and `penghubung.dinkes`, all with `PASSWORD`, named "Pengguna {username}".
pub async fn seed_org(db: &Db) -> app::testing::World {
    app::testing::WorldBuilder::standard()
        .full_names(|username| format!("Pengguna {username}"))
        .build(db)
        .await
}

/// A web ticket for DISHUB with the given reporter email, stored directly.
pub async fn post_ticket_direct(db: &Db, email: &str) -> store::tickets::Created {
    store_web_ticket(
        db,
        domain::IntakeInput {
            category: Some("pengaduan".into()),
            text: Some("Lampu jalan mati".into()),
            agency_code: Some("DISHUB".into()),
            reporter_email: Some(email.into()),
            ..Default::default()
        },
    )
    .await
}

/// A web complaint for `agency` located in Jakarta (for the dashboard map), stored directly.
pub async fn post_located_ticket(db: &Db, agency: &str, text: &str) -> store::tickets::Created {
    store_web_ticket(
        db,
        domain::IntakeInput {
            category: Some("pengaduan".into()),
            text: Some(text.into()),
            agency_code: Some(agency.into()),
            reporter_email: Some("warga@contoh.id".into()),
            lat: Some(-6.2),
            long: Some(106.8),
            ..Default::default()
        },
    )
    .await
}

async fn store_web_ticket(db: &Db, input: domain::IntakeInput) -> store::tickets::Created {
    let new = store::tickets::NewTicket {
        intake: input.validate(|_| true, |_| true).unwrap(),
        channel: domain::Channel::Web,
        idempotency_key: None,
        received_at: store::now_ms(),
    };
    app::App::new(db.clone()).create_ticket(&new).await.unwrap()
}

impl TestApp {
    /// Wraps a server started by a test with its own state.
    pub fn from_parts(
        url: String,
        db: impl Into<app::App>,
        client: reqwest::Client,
        shutdown: tokio::sync::oneshot::Sender<()>,
    ) -> TestApp {
        TestApp {
            url,
            db: db.into(),
            client,
            _shutdown: shutdown,
        }
    }
}

/// A server whose state has SMS gateways. `gateways` gets the server's own URL first, for
/// the settings that point back at it (Kannel's `dlr_base_url`).
pub async fn spawn_app_with_sms(
    db: impl Into<app::App>,
    gateways: impl FnOnce(&str) -> sms::Gateways,
) -> (TestApp, std::sync::Arc<sms::Gateways>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let gateways = std::sync::Arc::new(gateways(&url));
    let db: app::App = db.into();
    let state = AppState::with_sms(
        db.db().clone(),
        test_config(),
        None,
        gateways.clone(),
        store::sms::SmsRules::default(),
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(web::serve(listener, state, async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (TestApp::from_parts(url, db, client, tx), gateways)
}

/// A server as `balai demo` runs it: the simulated handset mounted, over a `dev` gateway.
pub async fn spawn_demo_app(db: Db) -> TestApp {
    let gateways = sms::Gateways::new(vec![sms::GatewayConfig {
        name: "dev".into(),
        kind: Some(sms::GatewayKind::Dev),
        default: true,
        ..Default::default()
    }])
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::with_sms(
        db.clone(),
        demo_config(),
        None,
        std::sync::Arc::new(gateways),
        store::sms::SmsRules::default(),
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(web::serve(listener, state, async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp::from_parts(url, db, client, tx)
}

/// Logs in through the form; the session cookie, or `None` when the login is refused.
pub async fn try_login(app: &TestApp, username: &str, password: &str) -> Option<String> {
    let response = app
        .client
        .post(app.at("/masuk"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap();
    if response.status() != 303 {
        return None;
    }
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    Some(cookie.split(';').next().unwrap().to_string())
}

pub async fn login(app: &TestApp, username: &str) -> String {
    try_login(app, username, PASSWORD)
        .await
        .unwrap_or_else(|| panic!("login as {username}"))
}

pub async fn get(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    let mut request = app.client.get(app.at(path));
    if !cookie.is_empty() {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

pub async fn get_html(app: &TestApp, cookie: &str, path: &str) -> String {
    let response = get(app, cookie, path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

pub async fn post(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    app.client
        .post(app.at(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}

/// Posts a form that must be accepted: 303 to `location`.
pub async fn post_ok(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
    location: &str,
) {
    let response = post(app, cookie, path, form).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    assert_eq!(status, 303, "POST {path}: {body}");
    assert_eq!(headers["location"], location);
}

/// Posts a form that must be refused with 422; returns the page.
pub async fn post_invalid(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> String {
    let response = post(app, cookie, path, form).await;
    assert_eq!(response.status(), 422, "POST {path} {form:?}");
    response.text().await.unwrap()
}
