//! The admin page of the optional kinds of masking (`/admin/penyamaran`), on SQLite and
//! PostgreSQL: only the administrator opens and saves it, a cross-site post is refused, and a
//! switched kind changes what is masked in cases published from then on (those already
//! published stay as they were).

mod common;

use common::{TestApp, get, get_html, login, post, post_ok, spawn_apps};
use store::tickets::{ActionInput, NewTicket};

const TEXT: &str = "Motor B 1234 XYZ parkir di trotoar Jl. Merdeka No. 12 setiap hari.";

/// A web ticket for DISHUB with `TEXT`, answered by its liaison officer; the published question.
async fn publish(app: &TestApp) -> (i64, String) {
    let intake = domain::IntakeInput {
        category: Some("pengaduan".into()),
        text: Some(TEXT.into()),
        agency_code: Some("DISHUB".into()),
        reporter_name: Some("Siti Aminah".into()),
        reporter_email: Some("siti@contoh.id".into()),
        ..Default::default()
    }
    .validate(|_| true, |_| true)
    .unwrap();
    let created = app
        .db
        .create_ticket(&NewTicket {
            intake,
            channel: domain::Channel::Web,
            idempotency_key: None,
            received_at: store::now_ms(),
        })
        .await
        .unwrap();
    let user = app
        .db
        .user_by_username("penghubung.dishub")
        .await
        .unwrap()
        .unwrap();
    let actor = app.db.access_for(&user, store::now_ms()).await.unwrap();
    app.db
        .apply_action(
            &actor,
            created.id,
            &ActionInput::Answer {
                body: "Petugas sudah menertibkan parkir di lokasi.".into(),
            },
        )
        .await
        .unwrap();
    let case = app
        .db
        .case_of_ticket(created.id)
        .await
        .unwrap()
        .expect("published on answer");
    (case.id, case.question)
}

fn checked(page: &str, name: &str) -> bool {
    let at = page
        .find(&format!("id=\"redact-{name}\""))
        .unwrap_or_else(|| panic!("no switch {name}"));
    let tag = &page[at..at + page[at..].find('>').unwrap()];
    tag.contains("checked")
}

#[tokio::test]
async fn switching_a_kind_changes_what_new_cases_mask() {
    for app in spawn_apps().await {
        let backend = app.db.backend().as_str();
        let admin = login(&app, "admin").await;

        // Off by default: the plate and the street are published.
        let page = get_html(&app, &admin, "/admin/penyamaran").await;
        assert!(
            page.contains("href=\"/admin/penyamaran\""),
            "{backend}: menu link"
        );
        for name in ["addresses", "plates", "handles", "third_party_names"] {
            assert!(!checked(&page, name), "{backend}: {name} is off by default");
        }
        assert!(page.contains("Pelat nomor kendaraan") && page.contains("[pelat nomor]"));
        let (before_id, before) = publish(&app).await;
        assert!(before.contains("B 1234 XYZ"), "{backend}: {before}");
        assert!(before.contains("Jl. Merdeka No. 12"), "{backend}: {before}");

        // Only the administrator may change it, and only from our own pages.
        for user in ["sekretariat", "operator.dishub", "penghubung.dishub"] {
            let cookie = login(&app, user).await;
            assert_eq!(
                get(&app, &cookie, "/admin/penyamaran").await.status(),
                403,
                "{backend}: {user}"
            );
            let response = post(&app, &cookie, "/admin/penyamaran", &[("plates", "on")]).await;
            assert_eq!(response.status(), 403, "{backend}: {user}");
        }
        let forged = app
            .client
            .post(app.at("/admin/penyamaran"))
            .header("cookie", &admin)
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://jahat.example")
            .form(&[("plates", "on")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403, "{backend}: cross-site post");
        assert!(
            !app.db.redaction_settings().await.unwrap().plates,
            "{backend}"
        );

        // The admin switches plates on: a new case masks the plate, not the street.
        post_ok(
            &app,
            &admin,
            "/admin/penyamaran",
            &[("plates", "on")],
            "/admin/penyamaran?ok=simpan",
        )
        .await;
        let page = get_html(&app, &admin, "/admin/penyamaran?ok=simpan").await;
        assert!(page.contains("Pengaturan penyamaran disimpan"), "{backend}");
        assert!(checked(&page, "plates") && !checked(&page, "addresses"));
        let (_, plates_on) = publish(&app).await;
        assert!(!plates_on.contains("1234"), "{backend}: {plates_on}");
        assert!(
            plates_on.contains("[pelat nomor]"),
            "{backend}: {plates_on}"
        );
        assert!(
            plates_on.contains("Jl. Merdeka No. 12"),
            "{backend}: {plates_on}"
        );

        // Addresses on, plates off (an unticked box is not sent): the other way round.
        post_ok(
            &app,
            &admin,
            "/admin/penyamaran",
            &[("addresses", "on")],
            "/admin/penyamaran?ok=simpan",
        )
        .await;
        let settings = app.db.redaction_settings().await.unwrap();
        assert!(
            settings.addresses && !settings.plates && !settings.handles,
            "{backend}"
        );
        let (_, addresses_on) = publish(&app).await;
        assert!(
            addresses_on.contains("B 1234 XYZ"),
            "{backend}: {addresses_on}"
        );
        assert!(
            addresses_on.contains("[alamat]"),
            "{backend}: {addresses_on}"
        );
        assert!(
            !addresses_on.contains("Merdeka"),
            "{backend}: {addresses_on}"
        );

        // The case published before any change is as it was.
        let earlier = app.db.public_case(before_id).await.unwrap();
        assert_eq!(earlier.question, before, "{backend}");
    }
}
