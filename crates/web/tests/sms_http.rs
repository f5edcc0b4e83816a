//! The SMS webhooks over HTTP: authentication, idempotent intake, delivery reports, and the dev
//! gateway's simulated handset. The real-Kannel story is in kannel.rs.

mod common;

use std::sync::Arc;
use store::Db;

const TOKEN: &str = "kannel-secret-0123456789";

fn gateways() -> Vec<sms::GatewayConfig> {
    vec![
        sms::GatewayConfig {
            name: "operator".into(),
            kind: Some(sms::GatewayKind::Kannel),
            default: true,
            // Nothing listens here: sending fails over to the dev gateway.
            sendsms_url: Some("http://127.0.0.1:9/cgi-bin/sendsms".into()),
            username: Some("balai".into()),
            password: Some("rahasia".into()),
            token: Some(TOKEN.into()),
            dlr_base_url: Some("http://127.0.0.1:9".into()),
            ..Default::default()
        },
        sms::GatewayConfig {
            name: "dev".into(),
            kind: Some(sms::GatewayKind::Dev),
            ..Default::default()
        },
    ]
}

async fn spawn(db: Db) -> (common::TestApp, Arc<sms::Gateways>) {
    spawn_with(db, common::demo_config()).await
}

async fn spawn_with(db: Db, config: web::WebConfig) -> (common::TestApp, Arc<sms::Gateways>) {
    common::seed_org(&db).await;
    let dishub = db.agency_by_code("DISHUB").await.unwrap();
    db.create_keyword("DISHUB", dishub.id, "Perhubungan")
        .await
        .unwrap();
    let gateways = Arc::new(sms::Gateways::new(gateways()).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = web::AppState::with_sms(
        db.clone(),
        config,
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
    (common::TestApp::from_parts(url, db, client, tx), gateways)
}

#[tokio::test]
async fn kannel_mo_needs_the_token_and_retries_create_one_ticket() {
    for db in store::testing::each_backend().await {
        let (app, gateways) = spawn(db).await;
        let mo = |token: &str, id: &str| {
            app.client
                .get(app.at(&format!(
                    "/gateway/kannel/mo?from=%2B6281234567890&to=1708&text=DISHUB%20lampu%20mati%20%F0%9F%99%8F&id={id}&coding=0&charset=UTF-8&token={token}"
                )))
                .send()
        };
        assert_eq!(
            mo("wrong-token-wrong-token", "m-1").await.unwrap().status(),
            401
        );
        assert_eq!(
            app.client
                .get(app.at("/gateway/kannel/mo?from=1&text=x&id=1"))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
        assert_eq!(app.db.count_tickets().await.unwrap(), 0);

        for _ in 0..3 {
            let response = mo(TOKEN, "m-1").await.unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(
                response.text().await.unwrap(),
                "",
                "no reply body for Kannel to send"
            );
        }
        assert_eq!(app.db.count_tickets().await.unwrap(), 1);
        let inbound = app.db.inbound_messages(None, 10).await.unwrap();
        assert_eq!(
            (inbound.len(), inbound[0].text.as_str()),
            (1, "DISHUB lampu mati 🙏")
        );

        let bad = app
            .client
            .get(app.at(&format!("/gateway/kannel/mo?from=1&text=x&token={TOKEN}")))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400, "missing id is named");

        // The operator gateway is down: the acknowledgement fails over to the next gateway.
        assert_eq!(
            gateways.send_due(&common::sms_sink(&app.db)).await.unwrap(),
            1
        );
        let ack = &app.db.outbox(None, 10).await.unwrap()[0];
        assert_eq!(
            (ack.status.as_str(), ack.gateway.as_deref()),
            ("delivered", Some("dev"))
        );

        // Kannel's delivery report for a message updates it; unknown ids are 404; token checked.
        let dlr = |id: i64, status: &str, token: &str| {
            app.client
                .get(app.at(&format!("/gateway/kannel/dlr?gateway=operator&ref={id}&status={status}&answer=NACK%2F0x0000000b&token={token}")))
                .send()
        };
        assert_eq!(
            dlr(ack.id, "2", "nope-nope-nope-nope")
                .await
                .unwrap()
                .status(),
            401
        );
        assert_eq!(dlr(ack.id, "2", TOKEN).await.unwrap().status(), 200);
        let failed = &app.db.outbox(None, 10).await.unwrap()[0];
        assert_eq!(failed.status, domain::MessageStatus::Failed);
        assert!(
            failed
                .dlr_status
                .as_deref()
                .unwrap_or_default()
                .contains("NACK")
        );
        assert_eq!(dlr(999_999, "1", TOKEN).await.unwrap().status(), 404);
    }
}

#[tokio::test]
async fn the_simulated_handset_shows_the_acknowledgement() {
    let db = store::testing::migrated(&store::testing::sqlite_url()).await;
    let (app, _) = spawn(db).await;
    let sent = app
        .client
        .post(app.at("/simulasi-sms"))
        .form(&[("nomor", "0812 5555 6666"), ("text", "DISHUB halte rusak")])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    let conversation: serde_json::Value = app
        .client
        .get(app.at("/simulasi-sms/pesan?nomor=081255556666"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bubbles = conversation.as_array().unwrap();
    assert_eq!(bubbles.len(), 2, "{conversation}");
    assert_eq!(bubbles[0]["text"], "DISHUB halte rusak");
    assert!(bubbles[1]["text"].as_str().unwrap().contains("kode lacak"));
    let page = app
        .client
        .get(app.at("/simulasi-sms?nomor=081255556666"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn without_a_dev_gateway_there_is_no_handset_page() {
    let apps = common::spawn_apps().await;
    let app = &apps[0];
    assert_eq!(
        app.client
            .get(app.at("/simulasi-sms"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn outside_the_demo_a_dev_gateway_exposes_no_conversation() {
    for db in store::testing::each_backend().await {
        let (app, _) = spawn_with(db, common::test_config()).await;
        for path in [
            "/simulasi-sms",
            "/simulasi-sms?nomor=081255556666",
            "/simulasi-sms/pesan?nomor=081255556666",
        ] {
            let response = app.client.get(app.at(path)).send().await.unwrap();
            assert_eq!(response.status(), 404, "{path}");
        }
        let sent = app
            .client
            .post(app.at("/simulasi-sms"))
            .form(&[("nomor", "081255556666"), ("text", "DISHUB halte rusak")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            sent.status().as_u16() / 100,
            4,
            "no SMS forged from the web"
        );
    }
}
