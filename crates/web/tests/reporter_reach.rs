//! A web complaint reaches its reporter: the acknowledgement and the answer go by SMS (the dev
//! gateway as the default gateway) and by email (a real SMTP server, aiosmtpd); the
//! confirmation page offers the code to copy and by SMS within the daily limit; the officer's
//! ticket page says where the answer went. On SQLite and PostgreSQL.

mod common;

use common::smtp::{smtp_config, start_smtp};
use std::sync::Arc;

fn dev_gateway() -> sms::Gateways {
    sms::Gateways::new(vec![sms::GatewayConfig {
        name: "dev".into(),
        kind: Some(sms::GatewayKind::Dev),
        default: true,
        ..Default::default()
    }])
    .unwrap()
}

/// Submits the public form; the confirmation page's path.
async fn submit(app: &common::TestApp, phone: &str, email: &str) -> String {
    let token = store::auth::random_token();
    let response = app
        .client
        .post(app.at("/aduan"))
        .form(&[
            ("category", "pengaduan"),
            ("text", "Lampu jalan di depan SD 3 mati sejak Senin."),
            ("agency_code", "DISHUB"),
            ("reporter_phone", phone),
            ("reporter_email", email),
            ("privacy", "public"),
            ("form_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/aduan/diterima/"), "{location}");
    location
}

async fn answer(app: &common::TestApp, cookie: &str, code: &str) -> i64 {
    let list: serde_json::Value = app
        .client
        .get(app.at("/api/v1/tickets"))
        .bearer_auth(app.token("penghubung.dishub").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tracking_code"] == code)
        .and_then(|t| t["id"].as_i64())
        .expect("the officer sees the ticket");
    let answered = common::post(
        app,
        cookie,
        &format!("/staf/aduan/{id}/answer"),
        &[("body", "Lampu sudah diganti oleh petugas hari ini.")],
    )
    .await;
    assert_eq!(answered.status(), 303);
    id
}

async fn reach_on_page(app: &common::TestApp, cookie: &str, id: i64) -> String {
    let html = common::get_html(app, cookie, &format!("/staf/aduan/{id}?ok=answer")).await;
    let start = html
        .find("id=\"answer-reach\">")
        .expect("the answer's reach is shown")
        + 18;
    html[start..start + html[start..].find("</p>").unwrap()].to_string()
}

#[tokio::test]
async fn a_web_reporter_gets_the_code_and_the_answer_by_sms_and_email() {
    let smtp = start_smtp().await;
    for db in store::testing::each_backend().await {
        common::seed_org(&db).await;
        let (app, gateways): (_, Arc<sms::Gateways>) =
            common::spawn_app_with_sms(db.clone(), |_| dev_gateway()).await;
        let email = format!("warga-{}@contoh.id", db.backend().as_str());
        let path = submit(&app, "0812 3456 7890", &email).await;
        let code = path.rsplit('/').next().unwrap().to_string();

        let page = common::get_html(&app, "", &path).await;
        assert!(
            page.contains(&format!("id=\"tracking-code\">{code}<")),
            "{page}"
        );
        assert!(page.contains("data-copy=\"") && page.contains("/static/copy-code.js"));
        assert!(
            page.contains("SMS ke nomor berakhiran 890 (dalam antrean)"),
            "{page}"
        );
        assert!(page.contains("email (dalam antrean)"), "{page}");
        assert!(page.contains(&format!("action=\"/aduan/diterima/{code}/sms\"")));
        assert!(
            !page.contains("6281234567890"),
            "the full number is not shown"
        );
        let script = app
            .client
            .get(app.at("/static/copy-code.js"))
            .send()
            .await
            .unwrap();
        assert_eq!(script.status(), 200);

        // The acknowledgement leaves on both channels.
        assert_eq!(gateways.send_due(&common::sms_sink(&db)).await.unwrap(), 1);
        assert_eq!(
            web::mail::send_due(&db, &smtp_config(smtp.port))
                .await
                .unwrap(),
            1
        );
        let to = email.clone();
        let code_for_mail = code.clone();
        assert!(
            smtp.wait_for(move |m| m.contains(&to)
                && m.contains(&code_for_mail)
                && m.contains("diterima"))
                .await,
            "the SMTP server received the acknowledgement"
        );
        let sms = db.messages_to("+6281234567890", 10).await.unwrap();
        assert_eq!(sms.len(), 1);
        assert!(sms[0].body.contains(&code), "{}", sms[0].body);
        assert_eq!(sms[0].gateway.as_deref(), Some("dev"));

        // "Send my code by SMS", twice within the limit of 3 a day (the acknowledgement was the
        // first), then refused.
        let send = || {
            app.client
                .post(app.at(&format!("/aduan/diterima/{code}/sms")))
                .send()
        };
        for expected in ["ok", "ok", "batas"] {
            let response = send().await.unwrap();
            assert_eq!(response.status(), 303);
            assert_eq!(
                response.headers()["location"],
                format!("/aduan/diterima/{code}?sms={expected}").as_str()
            );
        }
        assert_eq!(db.messages_to("+6281234567890", 10).await.unwrap().len(), 3);
        let notice = common::get_html(&app, "", &format!("{path}?sms=batas")).await;
        assert!(notice.contains("Batas pengiriman SMS"));

        // The officer answers and is told where it went, then what became of it.
        let cookie = common::login(&app, "penghubung.dishub").await;
        let id = answer(&app, &cookie, &code).await;
        assert_eq!(
            reach_on_page(&app, &cookie, id).await,
            "Jawaban dikirim ke pelapor lewat SMS: dalam antrean; email: dalam antrean."
        );
        assert!(gateways.send_due(&common::sms_sink(&db)).await.unwrap() >= 1);
        assert_eq!(
            web::mail::send_due(&db, &smtp_config(smtp.port))
                .await
                .unwrap(),
            1
        );
        let sms_status = db
            .ticket_messages(id)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.kind == "answer" && m.channel == domain::MessageChannel::Sms)
            .unwrap()
            .status;
        let sms_label = if sms_status == domain::MessageStatus::Delivered {
            "diterima pelapor"
        } else {
            "terkirim"
        };
        assert_eq!(
            reach_on_page(&app, &cookie, id).await,
            format!("Jawaban dikirim ke pelapor lewat SMS: {sms_label}; email: terkirim.")
        );
        assert!(
            smtp.wait_for(|m| m.contains("Lampu sudah diganti")).await,
            "the answer reached the SMTP server"
        );
    }
}

#[tokio::test]
async fn without_contact_the_officer_learns_the_answer_is_only_on_the_tracking_page() {
    for db in store::testing::each_backend().await {
        common::seed_org(&db).await;
        let (app, _) = common::spawn_app_with_sms(db.clone(), |_| dev_gateway()).await;
        let path = submit(&app, "", "").await;
        let code = path.rsplit('/').next().unwrap().to_string();
        let page = common::get_html(&app, "", &path).await;
        assert!(
            page.contains("jawaban hanya tampil di halaman lacak"),
            "{page}"
        );
        assert!(!page.contains("/sms\""), "no SMS offer without a phone");
        let cookie = common::login(&app, "penghubung.dishub").await;
        let id = answer(&app, &cookie, &code).await;
        let reach = reach_on_page(&app, &cookie, id).await;
        assert!(
            reach.starts_with("Jawaban hanya di halaman lacak"),
            "{reach}"
        );
        assert!(db.ticket_messages(id).await.unwrap().is_empty());
    }
}

/// The ticket id of the web ticket with tracking code `code`, as the liaison officer sees it.
async fn ticket_id(app: &common::TestApp, code: &str) -> i64 {
    let list: serde_json::Value = app
        .client
        .get(app.at("/api/v1/tickets"))
        .bearer_auth(app.token("penghubung.dishub").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tracking_code"] == code)
        .and_then(|t| t["id"].as_i64())
        .expect("the officer sees the ticket")
}

/// Asks the reporter through the ticket page; the flash the officer reads afterwards.
async fn ask(app: &common::TestApp, cookie: &str, id: i64, question: &str) -> String {
    common::post_ok(
        app,
        cookie,
        &format!("/staf/aduan/{id}/ask"),
        &[("body", question)],
        &format!("/staf/aduan/{id}?ok=ask"),
    )
    .await;
    let html = common::get_html(app, cookie, &format!("/staf/aduan/{id}?ok=ask")).await;
    let start = html
        .find("<div class=\"flash\" role=\"status\">")
        .expect("a flash after asking")
        + "<div class=\"flash\" role=\"status\">".len();
    html[start..start + html[start..].find("</div>").unwrap()].to_string()
}

#[tokio::test]
async fn a_question_without_contact_is_said_to_be_only_on_the_tracking_page() {
    for db in store::testing::each_backend().await {
        common::seed_org(&db).await;
        let backend = db.backend().as_str();
        let (app, _) = common::spawn_app_with_sms(db.clone(), |_| dev_gateway()).await;
        let cookie = common::login(&app, "penghubung.dishub").await;

        // No phone, no email: nothing can be sent, and the page says so.
        let path = submit(&app, "", "").await;
        let code = path.rsplit('/').next().unwrap().to_string();
        let id = ticket_id(&app, &code).await;
        let form = common::get_html(&app, &cookie, &format!("/staf/aduan/{id}")).await;
        assert!(
            form.contains(
                "pelapor tidak meninggalkan kontak: pertanyaan hanya tampil di halaman lacak"
            ),
            "{backend}: the ask form tells it beforehand"
        );
        let flash = ask(&app, &cookie, id, "Di depan SD nomor berapa tepatnya?").await;
        assert_eq!(
            flash,
            "Pertanyaan hanya di halaman lacak: tidak ada kontak pelapor yang dapat dikirimi.",
            "{backend}"
        );
        assert!(!flash.contains("dikirim ke pelapor"), "{backend}");
        assert!(
            db.ticket_messages(id)
                .await
                .unwrap()
                .iter()
                .all(|m| m.kind != "question"),
            "{backend}: no question queued"
        );
        // …and it is indeed on the tracking page.
        let track = common::get_html(&app, "", &format!("/lacak/{code}")).await;
        assert!(
            track.contains("Di depan SD nomor berapa tepatnya?"),
            "{backend}"
        );

        // With an email the question goes, and the flash says by which channel.
        let email = format!("tanya-{backend}@contoh.id");
        let path = submit(&app, "", &email).await;
        let code = path.rsplit('/').next().unwrap().to_string();
        let id = ticket_id(&app, &code).await;
        let form = common::get_html(&app, &cookie, &format!("/staf/aduan/{id}")).await;
        assert!(
            form.contains("Pertanyaan (dikirim lewat kanal pelapor"),
            "{backend}"
        );
        let flash = ask(&app, &cookie, id, "Sejak kapan lampunya mati?").await;
        assert_eq!(
            flash, "Pertanyaan dikirim ke pelapor lewat email: dalam antrean.",
            "{backend}"
        );
    }
}
