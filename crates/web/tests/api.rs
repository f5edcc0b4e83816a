//! The JSON API and the public/staff pages over real HTTP, on SQLite and PostgreSQL.

mod common;

use common::{login, spawn_apps};
use serde_json::{Value, json};

async fn post_ticket(app: &common::TestApp, body: Value) -> reqwest::Response {
    app.client
        .post(app.at("/api/v1/tickets"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn health_reports_the_backend() {
    for app in spawn_apps().await {
        let body: Value = app
            .client
            .get(app.at("/healthz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["database"], app.db.backend().as_str());
        let metrics = app.client.get(app.at("/metrics")).send().await.unwrap();
        assert_eq!(metrics.status(), 200);
        assert_eq!(metrics.headers()["x-frame-options"], "DENY");
        assert_eq!(metrics.headers()["x-content-type-options"], "nosniff");
        let text = metrics.text().await.unwrap();
        assert!(text.contains("balai_http_requests_total"), "{text}");
    }
}

#[tokio::test]
async fn public_intake_validates_every_field() {
    for app in spawn_apps().await {
        let response = post_ticket(
            &app,
            json!({ "category": "keluhan", "text": "", "agency_code": "NOPE", "reporter_phone": "12",
                    "reporter_email": "bukan-email", "lat": 123.0, "long": 10.0 }),
        )
        .await;
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body: Value = response.json().await.unwrap();
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "category",
                "text",
                "agency_code",
                "reporter_phone",
                "reporter_email",
                "lat"
            ]
        );

        let too_long = post_ticket(
            &app,
            json!({ "category": "pengaduan", "text": "x".repeat(5001) }),
        )
        .await;
        assert_eq!(too_long.status(), 422);
        let bad_long = post_ticket(
            &app,
            json!({ "category": "pengaduan", "text": "x", "lat": 0.0, "long": 200.0 }),
        )
        .await;
        assert_eq!(bad_long.status(), 422);
        let malformed = app
            .client
            .post(app.at("/api/v1/tickets"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(malformed.status(), 400);
        let unknown_field = post_ticket(
            &app,
            json!({ "category": "pengaduan", "text": "x", "extra": 1 }),
        )
        .await;
        assert_eq!(unknown_field.status(), 422);
        assert_eq!(
            app.db.count_tickets().await.unwrap(),
            0,
            "nothing stored from bad input"
        );
    }
}

#[tokio::test]
async fn intake_and_tracking() {
    for app in spawn_apps().await {
        let text = "Lampu jalan mati di Jl. Merdeka —  sudah 3 hari 🙏\n";
        let response = post_ticket(
            &app,
            json!({ "category": "pengaduan", "text": text, "agency_code": "DISHUB", "reporter_phone": "0812-3456-7890",
                    "reporter_email": "warga@contoh.id", "lat": -6.2, "long": 106.8, "anonymous": true }),
        )
        .await;
        assert_eq!(response.status(), 201);
        let created: Value = response.json().await.unwrap();
        let code = created["tracking_code"].as_str().unwrap();
        assert!(
            created["register_number"]
                .as_str()
                .unwrap()
                .starts_with("DISHUB/")
        );

        let tracked: Value = app
            .client
            .get(app.at(&format!("/api/v1/track/{code}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(tracked["status"], "open");
        assert_eq!(tracked["timeline"][0]["kind"], "received");
        assert_eq!(
            app.client
                .get(app.at("/api/v1/track/ZZZZZZZZZZ"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        assert_eq!(
            app.client
                .get(app.at("/api/v1/track/x"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );

        let token = app.token("penghubung.dishub").await;
        let list: Value = app
            .client
            .get(app.at("/api/v1/tickets"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let item = &list["items"][0];
        assert_eq!(item["text"], text, "the citizen's text is kept exactly");
        assert_eq!(item["reporter_phone"], "+6281234567890");
        for key in [
            "id",
            "tracking_code",
            "register_number",
            "agency_code",
            "category",
            "channel",
            "status",
            "text",
            "received_at",
        ] {
            assert!(item.get(key).is_some(), "{key} missing");
        }
        assert!(list["next_cursor"].is_null());

        let page = app
            .client
            .get(app.at(&format!("/lacak/{code}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains(code));
        assert_eq!(
            app.client
                .get(app.at("/lacak/ZZZZZZZZZZ"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
    }
}

#[tokio::test]
async fn idempotency_key_makes_retries_safe() {
    for app in spawn_apps().await {
        let send = || {
            app.client
                .post(app.at("/api/v1/tickets"))
                .header("Idempotency-Key", "retry-123")
                .json(&json!({ "category": "saran", "text": "Tambah halte" }))
                .send()
        };
        let first: Value = send().await.unwrap().json().await.unwrap();
        let second: Value = send().await.unwrap().json().await.unwrap();
        assert_eq!(first["tracking_code"], second["tracking_code"]);
        assert_eq!(app.db.count_tickets().await.unwrap(), 1);
    }
}

#[tokio::test]
async fn tokens_are_required_and_revocable() {
    for app in spawn_apps().await {
        assert_eq!(
            app.client
                .get(app.at("/api/v1/tickets"))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
        let wrong = app
            .client
            .post(app.at("/api/v1/auth/token"))
            .json(&json!({ "username": "sekretariat", "password": "salah-sekali" }))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        let token = app.token("sekretariat").await;
        let ok = app
            .client
            .get(app.at("/api/v1/tickets"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
        let revoked = app
            .client
            .delete(app.at("/api/v1/auth/token"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), 204);
        assert_eq!(
            app.client
                .get(app.at("/api/v1/tickets"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
        assert_eq!(
            app.client
                .get(app.at("/api/v1/tickets"))
                .bearer_auth("garbage")
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
    }
}

#[tokio::test]
async fn liaison_officers_cannot_reach_other_agencies_tickets() {
    for app in spawn_apps().await {
        let created: Value = post_ticket(
            &app,
            json!({ "category": "pengaduan", "text": "Puskesmas tutup", "agency_code": "DINKES" }),
        )
        .await
        .json()
        .await
        .unwrap();
        let list: Value = app
            .client
            .get(app.at("/api/v1/tickets"))
            .bearer_auth(app.token("penghubung.dinkes").await)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = list["items"][0]["id"].as_i64().unwrap();
        assert_eq!(list["items"][0]["tracking_code"], created["tracking_code"]);

        let other = app.token("penghubung.dishub").await;
        let detail = app
            .client
            .get(app.at(&format!("/api/v1/tickets/{id}")))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap();
        // Another agency's ticket does not exist for them (no probing of ids).
        assert_eq!(detail.status(), 404);
        for action in ["notes", "answer"] {
            let r = app
                .client
                .post(app.at(&format!("/api/v1/tickets/{id}/{action}")))
                .bearer_auth(&other)
                .json(&json!({ "body": "x" }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 404, "{action}");
        }
        let mine: Value = app
            .client
            .get(app.at("/api/v1/tickets"))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(mine["items"].as_array().unwrap().len(), 0);
        let missing = app
            .client
            .get(app.at("/api/v1/tickets/999999"))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);

        // The staff page by URL: not shown either.
        let cookie = login(&app, "penghubung.dishub").await;
        let page = app
            .client
            .get(app.at(&format!("/staf/aduan/{id}")))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 404);
    }
}

#[tokio::test]
async fn triage_forward_answer_close_reopen_over_the_api() {
    for app in spawn_apps().await {
        post_ticket(&app, json!({ "category": "pertanyaan", "text": "Ke mana mengurus izin?", "reporter_email": "warga@contoh.id" })).await;
        let secretariat = app.token("sekretariat").await;
        let queue: Value = app
            .client
            .get(app.at("/api/v1/tickets?triage=true&status=received"))
            .bearer_auth(&secretariat)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = queue["items"][0]["id"].as_i64().unwrap();
        let post = |path: String, token: String, body: Value| {
            let client = app.client.clone();
            let url = app.at(&path);
            async move {
                client
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let r = post(
            format!("/api/v1/tickets/{id}/forward"),
            secretariat.clone(),
            json!({ "agency_code": "DISHUB", "note": "mohon dijawab" }),
        )
        .await;
        assert_eq!(r.status(), 200);
        let liaison = app.token("penghubung.dishub").await;
        let r = post(
            format!("/api/v1/tickets/{id}/notes"),
            liaison.clone(),
            json!({ "body": "cek dulu" }),
        )
        .await;
        assert_eq!(r.status(), 200);
        let r = post(
            format!("/api/v1/tickets/{id}/reopen"),
            liaison.clone(),
            json!({}),
        )
        .await;
        assert_eq!(r.status(), 409, "an open ticket cannot be reopened");
        let r = post(
            format!("/api/v1/tickets/{id}/answer"),
            liaison.clone(),
            json!({ "body": "" }),
        )
        .await;
        assert_eq!(r.status(), 422);
        let r = post(
            format!("/api/v1/tickets/{id}/answer"),
            liaison.clone(),
            json!({ "body": "Silakan ke Mal Pelayanan Publik." }),
        )
        .await;
        assert_eq!(r.status(), 200);
        let detail: Value = r.json().await.unwrap();
        assert_eq!(detail["ticket"]["status"], "answered");
        assert_eq!(detail["messages"][0]["channel"], "email");
        assert_eq!(
            detail["messages"][0]["status"], "pending",
            "without SMTP the email waits visibly"
        );
        let r = post(
            format!("/api/v1/tickets/{id}/close"),
            liaison.clone(),
            json!({}),
        )
        .await;
        assert_eq!(r.status(), 200);
        let r = post(
            format!("/api/v1/tickets/{id}/reopen"),
            liaison.clone(),
            json!({ "note": "pelapor belum puas" }),
        )
        .await;
        assert_eq!(r.status(), 200);
        let r = post(
            format!("/api/v1/tickets/{id}/decline"),
            liaison.clone(),
            json!({ "reason": "nonsense" }),
        )
        .await;
        assert_eq!(r.status(), 422);
        let r = post(
            format!("/api/v1/tickets/{id}/decline"),
            liaison.clone(),
            json!({ "reason": "out_of_scope", "detail": "kewenangan provinsi" }),
        )
        .await;
        assert_eq!(r.status(), 200);

        let detail: Value = app
            .client
            .get(app.at(&format!("/api/v1/tickets/{id}")))
            .bearer_auth(&liaison)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let kinds: Vec<&str> = detail["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "received",
                "forwarded",
                "note",
                "answered",
                "published",
                "closed",
                "reopened",
                "declined"
            ]
        );

        // The public sees the answer but not the note or staff names.
        let code = detail["ticket"]["tracking_code"].as_str().unwrap();
        let public = app
            .client
            .get(app.at(&format!("/api/v1/track/{code}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(public.contains("Silakan ke Mal Pelayanan Publik."));
        assert!(!public.contains("cek dulu"));
        assert!(!public.contains("Pengguna penghubung"));
    }
}

#[tokio::test]
async fn list_filters_search_and_cursor_pagination() {
    for app in spawn_apps().await {
        for i in 0..7 {
            let agency = if i % 2 == 0 { "DISHUB" } else { "DINKES" };
            post_ticket(&app, json!({ "category": "pengaduan", "text": format!("aduan nomor {i} tentang trotoar"), "agency_code": agency })).await;
        }
        post_ticket(
            &app,
            json!({ "category": "saran", "text": "jembatan perlu dicat", "agency_code": "DISHUB" }),
        )
        .await;
        let token = app.token("sekretariat").await;
        let get = |query: &str| {
            let request = app
                .client
                .get(app.at(&format!("/api/v1/tickets{query}")))
                .bearer_auth(&token);
            async move { request.send().await.unwrap() }
        };
        let body: Value = get("?q=jembatan").await.json().await.unwrap();
        assert_eq!(body["items"].as_array().unwrap().len(), 1);
        let body: Value = get("?agency=DINKES").await.json().await.unwrap();
        assert_eq!(body["items"].as_array().unwrap().len(), 3);
        let body: Value = get("?category=saran&channel=api")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["items"].as_array().unwrap().len(), 1);
        // Dates are the region's (WIB): between 17:00 and 24:00 UTC it is already tomorrow there.
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Jakarta)
            .format("%Y-%m-%d")
            .to_string();
        let body: Value = get(&format!("?from=2000-01-01&to={today}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["items"].as_array().unwrap().len(), 8);
        let body: Value = get("?overdue=true").await.json().await.unwrap();
        assert_eq!(body["items"].as_array().unwrap().len(), 0);
        assert_eq!(get("?status=bogus").await.status(), 422);
        assert_eq!(get("?from=kemarin").await.status(), 422);
        assert_eq!(get("?limit=0").await.status(), 422);

        let mut seen = Vec::new();
        let mut query = "?limit=3".to_string();
        loop {
            let body: Value = get(&query).await.json().await.unwrap();
            seen.extend(
                body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["id"].as_i64().unwrap()),
            );
            match body["next_cursor"].as_str() {
                Some(cursor) => query = format!("?limit=3&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 8);

        let mut found = Vec::new();
        let mut query = "?q=trotoar&limit=3".to_string();
        loop {
            let body: Value = get(&query).await.json().await.unwrap();
            found.extend(
                body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["id"].as_i64().unwrap()),
            );
            match body["next_cursor"].as_str() {
                Some(cursor) => query = format!("?q=trotoar&limit=3&cursor={cursor}"),
                None => break,
            }
        }
        let mut expected = found.clone();
        expected.sort_by(|a, b| b.cmp(a));
        expected.dedup();
        assert_eq!(
            (found.len(), &found),
            (7, &expected),
            "search pages newest first, each once"
        );
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(seen, sorted, "newest first, each once");
    }
}

#[tokio::test]
async fn openapi_documents_every_route() {
    for app in spawn_apps().await.into_iter().take(1) {
        let doc: Value = app
            .client
            .get(app.at("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = doc["paths"].as_object().unwrap();
        for path in [
            "/auth/token",
            "/tickets",
            "/tickets/{id}",
            "/tickets/{id}/forward",
            "/tickets/{id}/notes",
            "/tickets/{id}/assign",
            "/tickets/{id}/answer",
            "/tickets/{id}/decline",
            "/tickets/{id}/close",
            "/tickets/{id}/reopen",
            "/tickets/{id}/ask",
            "/track/{code}",
        ] {
            assert!(paths.contains_key(path), "{path} not documented");
        }
    }
}

#[tokio::test]
async fn web_form_double_submit_creates_one_ticket_and_staff_can_answer() {
    for app in spawn_apps().await {
        let form = [
            ("category", "pengaduan"),
            ("text", "Sampah <script>alert(1)</script> menumpuk"),
            ("agency_code", "DISHUB"),
            ("reporter_email", "warga@contoh.id"),
            ("privacy", "confidential"),
            ("form_token", "0123456789abcdef0123456789abcdef"),
        ];
        let first = app
            .client
            .post(app.at("/aduan"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(first.status(), 303);
        let second = app
            .client
            .post(app.at("/aduan"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(first.headers()["location"], second.headers()["location"]);
        assert_eq!(app.db.count_tickets().await.unwrap(), 1);

        let bad = app
            .client
            .post(app.at("/aduan"))
            .form(&[("category", "pengaduan"), ("text", " "), ("lat", "abc")])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 422);
        let html = bad.text().await.unwrap();
        assert!(html.contains("isi aduan wajib diisi") && html.contains("harus berupa angka"));

        let cookie = login(&app, "penghubung.dishub").await;
        let inbox = app
            .client
            .get(app.at("/staf"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(inbox.contains("alert(1)"), "ticket listed");
        assert!(!inbox.contains("<script>alert(1)"));
        let list: Value = app
            .client
            .get(app.at("/api/v1/tickets"))
            .bearer_auth(app.token("penghubung.dishub").await)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = list["items"][0]["id"].as_i64().unwrap();
        let answered = app
            .client
            .post(app.at(&format!("/staf/aduan/{id}/answer")))
            .header("cookie", &cookie)
            .form(&[("body", "Sudah diangkut hari ini.")])
            .send()
            .await
            .unwrap();
        assert_eq!(answered.status(), 303);
        let page = app
            .client
            .get(app.at(&format!("/staf/aduan/{id}?ok=answer")))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        let html = page.text().await.unwrap();
        assert!(html.contains("Dijawab") && html.contains("pending"));

        // Cross-site form posts are refused.
        let forged = app
            .client
            .post(app.at(&format!("/staf/aduan/{id}/note")))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://jahat.example")
            .form(&[("body", "palsu")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);

        // Without a session the inbox sends you to the login page.
        let anonymous = app.client.get(app.at("/staf")).send().await.unwrap();
        assert_eq!(anonymous.status(), 303);
        assert_eq!(anonymous.headers()["location"], "/masuk");
    }
}

#[tokio::test]
async fn login_and_intake_are_rate_limited() {
    let db = store::testing::migrated(&store::testing::sqlite_url()).await;
    common::seed_org(&db).await;
    let config = web::WebConfig {
        login_per_minute: 3,
        intake_per_minute: 2,
        ..web::WebConfig::default()
    };
    let app = common::spawn_app_with(db, config).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let r = app
            .client
            .post(app.at("/api/v1/auth/token"))
            .json(&json!({ "username": "sekretariat", "password": "salah-salah" }))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            post_ticket(&app, json!({ "category": "saran", "text": "x" }))
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [201, 201, 429]);
}

#[tokio::test]
async fn open_tickets_sort_by_deadline_and_the_inbox_shows_where_each_stands() {
    for app in spawn_apps().await {
        let day = 86_400_000;
        let mut ids = Vec::new();
        // Ages at least 3 days apart: a span of 3 days always holds working time, so no two
        // deadlines coincide even when the test runs on a weekend.
        for age in [0, 20, 3, 9] {
            let mut new = store::tickets::NewTicket {
                intake: domain::IntakeInput {
                    category: Some("pengaduan".into()),
                    text: Some(format!("aduan berumur {age} hari")),
                    agency_code: Some("DISHUB".into()),
                    ..Default::default()
                }
                .validate(|_| true, |_| true)
                .unwrap(),
                channel: domain::Channel::Web,
                idempotency_key: None,
                received_at: store::now_ms() - age * day,
            };
            new.received_at -= 1;
            ids.push((age, app.db.create_ticket(&new).await.unwrap().id));
        }
        let token = app.token("sekretariat").await;
        let list = |query: String| {
            let request = app
                .client
                .get(app.at(&format!("/api/v1/tickets{query}")))
                .bearer_auth(&token);
            async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
        };
        let mut order = Vec::new();
        let mut query = "?sort=due&limit=3".to_string();
        loop {
            let body = list(query.clone()).await;
            for item in body["items"].as_array().unwrap() {
                order.push((
                    item["id"].as_i64().unwrap(),
                    item["due_at"].as_i64().unwrap(),
                ));
            }
            match body["next_cursor"].as_str() {
                Some(cursor) => query = format!("?sort=due&limit=3&cursor={cursor}"),
                None => break,
            }
        }
        let by_age = |age| ids.iter().find(|(a, _)| *a == age).unwrap().1;
        let got: Vec<i64> = order.iter().map(|(id, _)| *id).collect();
        assert_eq!(got, [by_age(20), by_age(9), by_age(3), by_age(0)]);
        assert!(order.windows(2).all(|w| w[0].1 <= w[1].1));

        let html = common::get_html(
            &app,
            &common::login(&app, "sekretariat").await,
            "/staf?sort=due",
        )
        .await;
        assert!(html.contains("Aduan belum dijawab per OPD"));
        assert!(html.contains("due overdue") && html.contains("terlambat"));
        assert!(html.contains("due on-time"));
        let dishub = common::get_html(&app, &common::login(&app, "kadishub").await, "/staf").await;
        assert!(
            !dishub.contains("Aduan belum dijawab per OPD"),
            "region-wide counts are not for agency staff"
        );
    }
}
