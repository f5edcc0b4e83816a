//! Security findings of issue 12, each over a real server on both databases: search input,
//! idempotency keys, sessions after a password change, login limits behind a proxy, tracking
//! lookups. Slow clients and response headers are in security_http.rs.

mod common;

use common::*;
use serde_json::{Value, json};
use web::WebConfig;

/// Strings that have broken search engines: FTS5 and tsquery syntax, quotes, control
/// characters, SQL, odd Unicode and sheer length.
fn nasty_strings() -> Vec<String> {
    let mut strings: Vec<String> = [
        "\"",
        "\"\"",
        "\"\"\"",
        "\0",
        "lampu\0jalan",
        "\u{1}\u{7}\u{1b}[31m",
        "\u{7f}",
        "lampu\njalan\r\t",
        "'",
        "''",
        "\\",
        "*",
        "lampu*",
        "^lampu",
        "NEAR(lampu jalan, 2)",
        "lampu OR",
        "AND",
        "NOT lampu",
        "-lampu",
        "+",
        "(",
        ")",
        "(lampu",
        "lampu:",
        "text:lampu",
        "{lampu}",
        "[",
        "!",
        "&",
        "|",
        "<->",
        "lampu & !jalan | (mati",
        "lampu:*",
        "%",
        "_",
        "%_%",
        "'; DROP TABLE tickets; --",
        "$1",
        "?",
        "\u{feff}",
        "\u{202e}lampu",
        "\u{0301}",
        "日本語",
        "🚦🚦",
        "ｌａｍｐｕ",
        " ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    strings.push("lampu ".repeat(60));
    strings.push("a".repeat(10_000));
    strings
}

/// Query strings sent raw, not as the client library would encode them.
const RAW_QUERIES: &[&str] = &[
    "q=%00", "q=%FF%FE", "q=%", "q=%2", "q=%22", "q=%22%22", "q=a%00b",
];

#[tokio::test]
async fn no_query_string_makes_a_search_fail() {
    for app in spawn_apps().await {
        post_ticket_direct(&app.db, "warga@contoh.id").await;
        let staff = login(&app, "sekretariat").await;
        let admin = login(&app, "admin").await;
        let token = app.token("sekretariat").await;
        // (path, cookie, bearer, parameters tried)
        let endpoints: [(&str, &str, &str, &[&str]); 8] = [
            (
                "/kasus",
                "",
                "",
                &["q", "agency", "category", "month", "page"],
            ),
            ("/kasus/feed.atom", "", "", &["q", "agency", "category"]),
            (
                "/api/v1/cases",
                "",
                "",
                &["q", "agency", "category", "month", "page"],
            ),
            (
                "/staf",
                &staff,
                "",
                &["q", "status", "agency", "from", "to", "cursor"],
            ),
            (
                "/api/v1/tickets",
                "",
                &token,
                &[
                    "q", "status", "agency", "category", "channel", "from", "to", "sort", "cursor",
                ],
            ),
            ("/staf/kasus", &staff, "", &["q", "agency", "month"]),
            ("/admin/pengguna", &admin, "", &["q"]),
            ("/staf/sms", &staff, "", &["q"]),
        ];
        let mut failures = Vec::new();
        for (path, cookie, bearer, params) in endpoints {
            let send = |request: reqwest::RequestBuilder| {
                let mut request = request;
                if !cookie.is_empty() {
                    request = request.header("cookie", cookie);
                }
                if !bearer.is_empty() {
                    request = request.bearer_auth(bearer);
                }
                request.send()
            };
            for param in params {
                for value in nasty_strings() {
                    let response = send(app.client.get(app.at(path)).query(&[(param, &value)]))
                        .await
                        .unwrap();
                    if response.status().is_server_error() {
                        failures.push(format!("{path}?{param}={value:?}: {}", response.status()));
                    }
                }
            }
            for raw in RAW_QUERIES {
                let response = send(app.client.get(format!("{}{path}?{raw}", app.url)))
                    .await
                    .unwrap();
                if response.status().is_server_error() {
                    failures.push(format!("{path}?{raw}: {}", response.status()));
                }
            }
        }
        assert!(failures.is_empty(), "{:?}: {failures:#?}", app.db.backend());
        // A lone quote is an empty search, not an error; a NUL byte is refused plainly.
        let quote = get(&app, &staff, "/staf?q=%22").await;
        assert_eq!(quote.status(), 200);
        let nul = app
            .client
            .get(app.at("/api/v1/cases?q=a%00b"))
            .send()
            .await
            .unwrap();
        assert_eq!(nul.status(), 400);
        assert_eq!(nul.headers()["content-type"], "application/problem+json");
    }
}

async fn post_with_key(
    app: &TestApp,
    key: &str,
    body: &Value,
    authorization: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.at("/api/v1/tickets"))
        .header("Idempotency-Key", key)
        .json(body);
    if let Some(token) = authorization {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn an_idempotency_key_never_hands_out_another_request_s_ticket() {
    for app in spawn_apps().await {
        let first_body = json!({ "category": "saran", "text": "Tambah halte di Jl. Merdeka" });
        let first = post_with_key(&app, "kunci-1", &first_body, None).await;
        assert_eq!(first.status(), 201);
        let first: Value = first.json().await.unwrap();

        // Same client, same key, different body: refused, the first ticket stays hidden.
        let other_body = json!({ "category": "saran", "text": "Perbanyak taman kota" });
        let mismatch = post_with_key(&app, "kunci-1", &other_body, None).await;
        assert_eq!(mismatch.status(), 422);
        assert_eq!(
            mismatch.headers()["content-type"],
            "application/problem+json"
        );
        let text = mismatch.text().await.unwrap();
        assert!(
            !text.contains(first["tracking_code"].as_str().unwrap()),
            "{text}"
        );

        // Another client with the same key and body gets a ticket of its own.
        let token = app.token("sekretariat").await;
        let elsewhere = post_with_key(&app, "kunci-1", &first_body, Some(&token)).await;
        assert_eq!(elsewhere.status(), 201);
        let elsewhere: Value = elsewhere.json().await.unwrap();
        assert_ne!(elsewhere["tracking_code"], first["tracking_code"]);

        // A true retry still answers with the first ticket.
        let retry: Value = post_with_key(&app, "kunci-1", &first_body, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(retry["tracking_code"], first["tracking_code"]);
        assert_eq!(app.db.count_tickets().await.unwrap(), 2);
    }
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    app.db.user_by_username(username).await.unwrap().unwrap().id
}

/// The admin's user form, filled as it stands, with a new password.
fn user_form(
    username: &str,
    role: &str,
    agency_id: Option<i64>,
    password: &str,
) -> Vec<(String, String)> {
    let mut form = vec![
        ("username".to_string(), username.to_string()),
        ("full_name".to_string(), format!("Pengguna {username}")),
        ("role".to_string(), role.to_string()),
        ("active".to_string(), "on".to_string()),
        ("password".to_string(), password.to_string()),
    ];
    if let Some(id) = agency_id {
        form.push(("agency_id".to_string(), id.to_string()));
    }
    form
}

#[tokio::test]
async fn a_password_reset_ends_the_user_s_sessions_and_tokens() {
    for app in spawn_apps().await {
        let session = login(&app, "sekretariat").await;
        let token = app.token("sekretariat").await;
        let admin = login(&app, "admin").await;
        let id = user_id(&app, "sekretariat").await;
        let form = user_form("sekretariat", "secretariat", None, "kata-sandi-baru-1");
        let saved = app
            .client
            .post(app.at(&format!("/admin/pengguna/{id}")))
            .header("cookie", &admin)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), 303, "{}", saved.text().await.unwrap());
        assert_eq!(
            get(&app, &session, "/staf").await.status(),
            303,
            "session ended"
        );
        let api = app
            .client
            .get(app.at("/api/v1/tickets"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), 401, "token revoked");
        assert!(
            try_login(&app, "sekretariat", "kata-sandi-baru-1")
                .await
                .is_some()
        );

        // An admin changing their own password keeps the session they do it in.
        let other_admin_session = login(&app, "admin").await;
        let admin_id = user_id(&app, "admin").await;
        let form = user_form("admin", "admin", None, "kata-sandi-admin-2");
        let saved = app
            .client
            .post(app.at(&format!("/admin/pengguna/{admin_id}")))
            .header("cookie", &admin)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), 303);
        assert_eq!(
            get(&app, &admin, "/staf").await.status(),
            200,
            "own session kept"
        );
        assert_eq!(get(&app, &other_admin_session, "/staf").await.status(), 303);

        // A profile edit without a new password ends nothing.
        let session = try_login(&app, "sekretariat", "kata-sandi-baru-1")
            .await
            .unwrap();
        let admin = try_login(&app, "admin", "kata-sandi-admin-2")
            .await
            .unwrap();
        let form = user_form("sekretariat", "secretariat", None, "");
        let saved = app
            .client
            .post(app.at(&format!("/admin/pengguna/{id}")))
            .header("cookie", &admin)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), 303);
        assert_eq!(get(&app, &session, "/staf").await.status(), 200);
    }
}

async fn login_from(app: &TestApp, forwarded_for: &str, username: &str, password: &str) -> u16 {
    app.client
        .post(app.at("/api/v1/auth/token"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_login_limit() {
    for db in store::testing::each_backend().await {
        seed_org(&db).await;
        let config = WebConfig {
            login_per_minute: 2,
            trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
            ..test_config()
        };
        let app = spawn_app_with(db, config).await;
        for _ in 0..2 {
            assert_eq!(
                login_from(&app, "198.51.100.1", "admin", PASSWORD).await,
                200
            );
        }
        assert_eq!(
            login_from(&app, "198.51.100.1", "admin", PASSWORD).await,
            429
        );
        // Another citizen behind the same proxy is not throttled by the first.
        assert_eq!(
            login_from(&app, "198.51.100.2", "admin", PASSWORD).await,
            200
        );
        // A client cannot escape its limit by writing its own header: the proxy appends the
        // real address last, and that is the one read.
        let spoofed = "203.0.113.50, 198.51.100.1";
        assert_eq!(login_from(&app, spoofed, "admin", PASSWORD).await, 429);
    }
}

#[tokio::test]
async fn without_trusted_proxies_forwarding_headers_are_ignored() {
    let db = store::testing::migrated(&store::testing::sqlite_url()).await;
    seed_org(&db).await;
    let config = WebConfig {
        login_per_minute: 2,
        ..test_config()
    };
    let app = spawn_app_with(db, config).await;
    for n in 0..2 {
        assert_eq!(
            login_from(&app, &format!("198.51.100.{n}"), "admin", PASSWORD).await,
            200
        );
    }
    assert_eq!(
        login_from(&app, "198.51.100.9", "admin", PASSWORD).await,
        429
    );
}

#[tokio::test]
async fn failed_logins_back_off_per_username_across_nodes() {
    for db in store::testing::each_backend().await {
        seed_org(&db).await;
        // Two nodes over one database, as behind a load balancer.
        let node_a = spawn_app_with(db.clone(), test_config()).await;
        let node_b = spawn_app_with(db, test_config()).await;
        for n in 0..store::login_attempts::FREE_FAILURES {
            let node = if n % 2 == 0 { &node_a } else { &node_b };
            let client = format!("198.51.100.{n}");
            assert_eq!(
                login_from(node, &client, "kadishub", "salah-sandi").await,
                401
            );
        }
        // The right password is refused for now, on either node and from a new address.
        assert_eq!(
            login_from(&node_b, "203.0.113.7", "kadishub", PASSWORD).await,
            429
        );
        let form = node_a
            .client
            .post(node_a.at("/masuk"))
            .form(&[("username", "KADISHUB"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 429);
        // Other users are not affected; after the wait the user gets in.
        assert_eq!(
            login_from(&node_a, "203.0.113.7", "admin", PASSWORD).await,
            200
        );
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert_eq!(
            login_from(&node_a, "203.0.113.7", "kadishub", PASSWORD).await,
            200
        );
    }
}

#[tokio::test]
async fn tracking_lookups_are_limited_per_client() {
    for db in store::testing::each_backend().await {
        seed_org(&db).await;
        let created = post_ticket_direct(&db, "warga@contoh.id").await;
        let config = WebConfig {
            track_per_minute: 5,
            trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
            ..test_config()
        };
        let app = spawn_app_with(db, config).await;
        let lookup = |path: String, client: &'static str| {
            app.client
                .get(app.at(&path))
                .header("x-forwarded-for", client)
                .send()
        };
        let mut statuses = Vec::new();
        for n in 0..8 {
            let path = if n % 2 == 0 {
                format!("/lacak/{}", created.tracking_code)
            } else {
                "/api/v1/track/AAAAA-AAAAA".to_string()
            };
            statuses.push(
                lookup(path, "198.51.100.1")
                    .await
                    .unwrap()
                    .status()
                    .as_u16(),
            );
        }
        assert!(statuses[..5].iter().all(|s| *s != 429), "{statuses:?}");
        assert_eq!(&statuses[5..], &[429, 429, 429], "{statuses:?}");
        let api = lookup("/api/v1/track/AAAAA-AAAAA".into(), "198.51.100.1")
            .await
            .unwrap();
        assert_eq!(api.status(), 429);
        assert_eq!(api.headers()["content-type"], "application/problem+json");
        let other = lookup(format!("/lacak/{}", created.tracking_code), "198.51.100.2")
            .await
            .unwrap();
        assert_eq!(other.status(), 200, "another client still looks up");
    }
}

#[tokio::test]
async fn staff_in_scope_read_the_whole_original_of_a_cut_sms() {
    for app in spawn_apps().await {
        let dishub = app.db.agency_by_code("DISHUB").await.unwrap();
        app.db
            .create_keyword("DISHUB", dishub.id, "")
            .await
            .unwrap();
        let text = format!("DISHUB {}", "halte rusak ".repeat(20_000));
        let sms = store::sms::InboundSms {
            gateway: "kannel".into(),
            gateway_message_id: "panjang-1".into(),
            sender: "081234567890".into(),
            receiver: "1708".into(),
            text: text.clone(),
            coding: "0".into(),
            partial: false,
            received_at: store::now_ms(),
        };
        let outcome = app
            .db
            .receive_sms(&sms, &store::sms::SmsRules::default())
            .await
            .unwrap();
        let link = format!("/staf/sms/masuk/{}", outcome.inbound_id);
        let officer = login(&app, "penghubung.dishub").await;
        let ticket_page = get_html(
            &app,
            &officer,
            &format!("/staf/aduan/{}", outcome.ticket_id.unwrap()),
        )
        .await;
        assert!(ticket_page.contains(&link), "the ticket names the original");
        let original = get(&app, &officer, &link).await;
        assert_eq!(original.status(), 200);
        assert_eq!(original.text().await.unwrap(), text);
        let other_agency = login(&app, "penghubung.dinkes").await;
        assert!(
            get(&app, &other_agency, &link)
                .await
                .status()
                .is_client_error()
        );
        assert_eq!(get(&app, "", &link).await.status(), 303, "login first");
    }
}
