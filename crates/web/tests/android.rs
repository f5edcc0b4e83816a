//! The Android phone gateway with the app's documented webhook payloads and REST API. The app
//! itself cannot run here (no Android device or emulator), so a small HTTP server in this test
//! plays the phone's `POST /message` endpoint and records what Balai sends.

mod common;

use axum::Json;
use axum::http::HeaderMap;
use std::sync::{Arc, Mutex};

const TOKEN: &str = "android-webhook-secret-123";

type Received = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

async fn fake_phone() -> (String, Received) {
    let received: Received = Arc::default();
    let log = received.clone();
    let app = axum::Router::new().route(
        "/message",
        axum::routing::post(move |headers: HeaderMap, Json(body): Json<serde_json::Value>| {
            let log = log.clone();
            async move {
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                log.lock().unwrap().push((auth, body.clone()));
                let recipients: Vec<serde_json::Value> = body["phoneNumbers"]
                    .as_array()
                    .map(|a| a.iter().map(|p| serde_json::json!({ "phoneNumber": p, "state": "Pending" })).collect())
                    .unwrap_or_default();
                (axum::http::StatusCode::ACCEPTED, Json(serde_json::json!({ "id": body["id"], "state": "Pending", "recipients": recipients })))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

#[tokio::test]
async fn phone_webhooks_create_tickets_and_answers_go_out_through_the_phone() {
    let (phone_url, sent) = fake_phone().await;
    for db in store::testing::each_backend().await {
        common::seed_org(&db).await;
        let dishub = db.agency_by_code("DISHUB").await.unwrap();
        db.create_keyword("DISHUB", dishub.id, "").await.unwrap();
        let gateway = sms::GatewayConfig {
            name: "hp-sekretariat".into(),
            kind: Some(sms::GatewayKind::Android),
            sendsms_url: Some(phone_url.clone()),
            username: Some("sms".into()),
            password: Some("sandi-ponsel".into()),
            token: Some(TOKEN.into()),
            ..Default::default()
        };
        let gateways = Arc::new(sms::Gateways::new(vec![gateway]).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = web::AppState::with_sms(
            db.clone(),
            common::test_config(),
            None,
            gateways.clone(),
            store::sms::SmsRules::default(),
        );
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(web::serve(listener, state, async {
            let _ = rx.await;
        }));
        let app = common::TestApp::from_parts(url, db.clone(), reqwest::Client::new(), tx);

        let received = serde_json::json!({
            "deviceId": "ffffffffceb0b1db0000018e937c815b",
            "event": "sms:received",
            "id": "Ey6ECgOkVVFjz3CL48B8C",
            "payload": {
                "messageId": "abc",
                "message": "DISHUB lampu jalan mati, gang Mawar",
                "phoneNumber": "+6281234567890",
                "simNumber": 1,
                "receivedAt": "2026-11-25T13:01:02.000+07:00"
            },
            "webhookId": "LreFUt-Z3sSq0JufY9uWB"
        });
        let hook = |token: &str, body: &serde_json::Value| {
            app.client
                .post(app.at(&format!("/gateway/android/webhook?token={token}")))
                .json(body)
                .send()
        };
        assert_eq!(
            hook("salah-salah-salah", &received).await.unwrap().status(),
            401
        );
        for _ in 0..2 {
            assert_eq!(hook(TOKEN, &received).await.unwrap().status(), 200);
        }
        assert_eq!(
            db.count_tickets().await.unwrap(),
            1,
            "the retried webhook creates nothing"
        );
        let bad = hook(TOKEN, &serde_json::json!({ "event": "sms:received", "id": "x", "payload": { "message": "x" } })).await.unwrap();
        assert_eq!(bad.status(), 422);

        assert_eq!(gateways.send_due(&common::sms_sink(&db)).await.unwrap(), 1);
        let ack = db.outbox(None, 5).await.unwrap().remove(0);
        assert_eq!(
            (ack.status.as_str(), ack.gateway_ref.clone()),
            ("sent", Some(format!("balai-{}", ack.id)))
        );
        let (auth, body) = sent.lock().unwrap().last().cloned().unwrap();
        assert_eq!(
            auth, "Basic c21zOnNhbmRpLXBvbnNlbA==",
            "basic auth sms:sandi-ponsel"
        );
        assert_eq!(body["phoneNumbers"][0], "+6281234567890");
        assert_eq!(body["id"], format!("balai-{}", ack.id));
        assert!(body["message"].as_str().unwrap().contains("kode lacak"));

        let delivered = serde_json::json!({
            "event": "sms:delivered", "id": "d1",
            "payload": { "messageId": format!("balai-{}", ack.id), "phoneNumber": "+6281234567890", "deliveredAt": "2026-11-25T13:01:09.000+07:00" }
        });
        assert_eq!(hook(TOKEN, &delivered).await.unwrap().status(), 200);
        assert_eq!(
            db.outbox(None, 5).await.unwrap()[0].status,
            domain::MessageStatus::Delivered
        );
    }
}
