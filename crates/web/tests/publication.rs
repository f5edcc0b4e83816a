//! Published cases over real HTTP, on SQLite and PostgreSQL: the public list with search,
//! filters and pages, a case, the Atom feed (well-formed XML, escaped), agency pages, the
//! statistics page, the JSON API, and moderation (edit and withhold) with CSRF protection.

mod common;

use common::{TestApp, get, get_html, login, post, post_ok, spawn_apps};
use serde_json::Value;
use store::tickets::{ActionInput, NewTicket};

/// A web ticket for `agency` answered by its liaison officer; the published case's id.
async fn answered(
    app: &TestApp,
    agency: &str,
    text: &str,
    privacy: &str,
    answer: &str,
) -> Option<i64> {
    let intake = domain::IntakeInput {
        category: Some("pengaduan".into()),
        text: Some(text.into()),
        agency_code: Some(agency.into()),
        reporter_name: Some("Siti Aminah".into()),
        reporter_phone: Some("081298765432".into()),
        reporter_email: Some("siti@contoh.id".into()),
        anonymous: privacy == "anonymous",
        confidential: privacy == "confidential",
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
    let officer = if agency == "DISHUB" {
        "penghubung.dishub"
    } else {
        "penghubung.dinkes"
    };
    let user = app.db.user_by_username(officer).await.unwrap().unwrap();
    let actor = app.db.access_for(&user, store::now_ms()).await.unwrap();
    app.db
        .apply_action(
            &actor,
            created.id,
            &ActionInput::Answer {
                body: answer.into(),
            },
        )
        .await
        .unwrap();
    app.db
        .case_of_ticket(created.id)
        .await
        .unwrap()
        .map(|c| c.id)
}

fn assert_well_formed_xml(xml: &str) {
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("python3 checks the feed's XML");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    assert!(
        child.wait().unwrap().success(),
        "feed is not well-formed XML:\n{xml}"
    );
}

#[tokio::test]
async fn public_pages_feed_api_and_moderation() {
    for app in spawn_apps().await {
        // The agency's mechanism and a liaison officer with a position and private contact.
        let dishub = app.db.agency_by_code("DISHUB").await.unwrap();
        app.db
            .update_agency(
                dishub.id,
                &store::org::NewAgency {
                    code: "DISHUB".into(),
                    name: dishub.name.clone(),
                    kind: dishub.kind.as_str().to_string(),
                    parent_id: None,
                    mechanism: "Aduan dijawab paling lambat 3 hari kerja oleh <Seksi Angkutan>."
                        .into(),
                },
                true,
            )
            .await
            .unwrap();
        let position = app
            .db
            .create_position(dishub.id, "Kepala Seksi Angkutan", None)
            .await
            .unwrap();
        app.db
            .create_user(&store::org::NewUser {
                username: "penghubung2.dishub".into(),
                password: common::PASSWORD.into(),
                full_name: "Rahmat Hidayat".into(),
                role: "liaison_officer".into(),
                agency_id: Some(dishub.id),
                position_id: Some(position),
                email: Some("rahmat.pribadi@contoh.id".into()),
                phone: Some("+6281311112222".into()),
            })
            .await
            .unwrap();

        let lampu = answered(
            &app,
            "DISHUB",
            "Lampu jalan mati di Jl. Melati. Saya Siti, HP 0812-9876-5432 <script>alert(1)</script> & terima kasih",
            "public",
            "Yth. Ibu Siti, lampu sudah diganti.",
        )
        .await
        .unwrap();
        let secret = answered(
            &app,
            "DISHUB",
            "Pungutan liar di terminal",
            "confidential",
            "Ditindak",
        )
        .await;
        assert!(secret.is_none());
        let anon = answered(
            &app,
            "DINKES",
            "Antrian puskesmas sangat panjang",
            "anonymous",
            "Loket ditambah",
        )
        .await
        .unwrap();

        // The list: masked, no confidential case, escaped.
        let list = get_html(&app, "", "/kasus").await;
        assert!(
            list.contains("Lampu jalan mati di Jl. Melati. Saya [nama], HP [nomor telepon]"),
            "{list}"
        );
        assert!(!list.contains("0812-9876-5432") && !list.contains("Pungutan"));
        assert!(!list.contains("<script>alert(1)") && list.contains("alert(1)"));
        assert!(list.contains("Antrian puskesmas"));
        // Search and filters.
        let found = get_html(&app, "", "/kasus?q=lampu+melati").await;
        assert!(found.contains(&format!("/kasus/{lampu}\"")) && !found.contains("puskesmas"));
        let none = get_html(&app, "", "/kasus?q=banjir").await;
        assert!(none.contains("id=\"no-cases\""));
        let dinkes = get_html(&app, "", "/kasus?agency=DINKES&category=pengaduan").await;
        assert!(dinkes.contains("puskesmas") && !dinkes.contains("Melati"));
        let month = store::publication::month_of(store::now_ms(), chrono_tz::Asia::Jakarta);
        let this_month = get_html(&app, "", &format!("/kasus?month={month}")).await;
        assert!(this_month.contains("Melati"));
        assert!(
            !get_html(&app, "", "/kasus?month=2001-01")
                .await
                .contains("Melati")
        );
        assert_eq!(get(&app, "", "/kasus?month=2026-13").await.status(), 400);
        assert_eq!(get(&app, "", "/kasus?page=abc").await.status(), 400);

        // One case: the reporter appears as "Siti A." or not at all.
        let case = get_html(&app, "", &format!("/kasus/{lampu}")).await;
        assert!(case.contains("Yth. Ibu [nama], lampu sudah diganti.") && case.contains("Siti A."));
        assert!(!case.contains("siti@contoh.id") && !case.contains("Aminah"));
        let anon_page = get_html(&app, "", &format!("/kasus/{anon}")).await;
        assert!(anon_page.contains("Anonim") && !anon_page.contains("Siti"));
        assert_eq!(get(&app, "", "/kasus/999999").await.status(), 404);
        assert_eq!(get(&app, "", "/kasus/abc").await.status(), 404);

        // The Atom feed.
        let feed = get(&app, "", "/kasus/feed.atom").await;
        assert_eq!(feed.status(), 200);
        assert!(
            feed.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/atom+xml")
        );
        let xml = feed.text().await.unwrap();
        assert_well_formed_xml(&xml);
        assert!(xml.contains("&lt;script&gt;") && xml.contains("&amp; terima kasih"));
        assert_eq!(xml.matches("<entry>").count(), 2);
        let filtered_feed = get(&app, "", "/kasus/feed.atom?agency=DINKES")
            .await
            .text()
            .await
            .unwrap();
        assert_well_formed_xml(&filtered_feed);
        assert_eq!(filtered_feed.matches("<entry>").count(), 1);

        // Agencies: officers by name and position, never their contact; the mechanism escaped.
        let agencies = get_html(&app, "", "/instansi").await;
        assert!(agencies.contains("/instansi/DISHUB") && agencies.contains("Dinas Kesehatan"));
        let agency = get_html(&app, "", "/instansi/DISHUB").await;
        assert!(agency.contains("Rahmat Hidayat") && agency.contains("Kepala Seksi Angkutan"));
        assert!(agency.contains("Pengguna penghubung.dishub"));
        assert!(!agency.contains("rahmat.pribadi") && !agency.contains("6281311112222"));
        assert!(!agency.contains("<Seksi Angkutan>") && agency.contains("Seksi Angkutan"));
        assert!(!agency.contains("Pengguna penghubung.dinkes"));
        assert_eq!(get(&app, "", "/instansi/TIDAKADA").await.status(), 404);

        // Statistics with server-side SVG.
        let stats = get_html(&app, "", "/statistik").await;
        assert!(stats.matches("<svg").count() >= 4, "{stats}");
        assert!(stats.contains("Dinas Perhubungan") && stats.contains("id=\"median\""));

        // The JSON API and its documentation.
        let api: Value = app
            .client
            .get(app.at("/api/v1/cases?q=lampu"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(api["items"].as_array().unwrap().len(), 1);
        assert_eq!(api["items"][0]["id"], lampu);
        assert_eq!(api["items"][0]["reporter"], "Siti A.");
        assert!(api["items"][0].get("ticket_id").is_none());
        assert_eq!(api["has_next"], false);
        let anon_api: Value = app
            .client
            .get(app.at(&format!("/api/v1/cases/{anon}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(anon_api["reporter"], Value::Null);
        assert_eq!(
            app.client
                .get(app.at("/api/v1/cases?month=x"))
                .send()
                .await
                .unwrap()
                .status(),
            400
        );
        let doc: Value = app
            .client
            .get(app.at("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["paths"]["/cases"]["get"].is_object());

        // Moderation: only the secretariat and the admin.
        let liaison = login(&app, "penghubung.dishub").await;
        assert_eq!(get(&app, &liaison, "/staf/kasus").await.status(), 403);
        assert_eq!(
            post(
                &app,
                &liaison,
                &format!("/staf/kasus/{lampu}/tahan"),
                &[("reason", "x")]
            )
            .await
            .status(),
            403
        );
        let cookie = login(&app, "sekretariat").await;
        let staff_list = get_html(&app, &cookie, "/staf/kasus").await;
        assert!(staff_list.contains(&format!("/staf/kasus/{lampu}")));

        // A cross-site post is refused; the same edit from our own page is accepted.
        let forged = app
            .client
            .post(app.at(&format!("/staf/kasus/{lampu}/ubah")))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://jahat.example")
            .form(&[("question", "palsu"), ("answer", "palsu"), ("reason", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
        let edited_question = "Lampu jalan mati di sebuah jalan.";
        post_ok(
            &app,
            &cookie,
            &format!("/staf/kasus/{lampu}/ubah"),
            &[
                ("question", edited_question),
                ("answer", "Lampu sudah diganti."),
                ("reason", "nama jalan disamarkan"),
            ],
            &format!("/staf/kasus/{lampu}?ok=ubah"),
        )
        .await;
        let public = get_html(&app, "", &format!("/kasus/{lampu}")).await;
        assert!(public.contains(edited_question) && !public.contains("Melati"));
        let history = get_html(&app, &cookie, &format!("/staf/kasus/{lampu}")).await;
        assert!(
            history.contains("Salinan publik diubah") && history.contains("Pengguna sekretariat")
        );
        assert!(history.contains("nama jalan disamarkan") && history.contains("Jl. Melati"));
        // The original ticket keeps the citizen's words.
        let ticket_id = app.db.public_case(lampu).await.unwrap().ticket_id;
        let original = get_html(&app, &cookie, &format!("/staf/aduan/{ticket_id}")).await;
        assert!(original.contains("Lampu jalan mati di Jl. Melati"));
        // The ticket page links its published copy and, for a moderator, the moderation page.
        assert!(original.contains(&format!("href=\"/kasus/{lampu}\"")));
        assert!(original.contains(&format!("href=\"/staf/kasus/{lampu}\"")));

        // Withholding needs a reason; a withheld case disappears from every public view.
        assert_eq!(
            post(
                &app,
                &cookie,
                &format!("/staf/kasus/{lampu}/tahan"),
                &[("reason", " ")]
            )
            .await
            .status(),
            422
        );
        post_ok(
            &app,
            &cookie,
            &format!("/staf/kasus/{lampu}/tahan"),
            &[("reason", "masih dalam proses hukum")],
            &format!("/staf/kasus/{lampu}?ok=tahan"),
        )
        .await;
        assert_eq!(
            get(&app, "", &format!("/kasus/{lampu}")).await.status(),
            404
        );
        assert!(!get_html(&app, "", "/kasus").await.contains(edited_question));
        let withheld = get_html(&app, &cookie, &format!("/staf/aduan/{ticket_id}")).await;
        assert!(withheld.contains("<strong>ditahan</strong>"));
        assert!(!withheld.contains(&format!("href=\"/kasus/{lampu}\"")));
        assert!(
            !get(&app, "", "/kasus/feed.atom")
                .await
                .text()
                .await
                .unwrap()
                .contains(edited_question)
        );
        assert_eq!(
            app.client
                .get(app.at(&format!("/api/v1/cases/{lampu}")))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        let withheld = get_html(&app, &cookie, &format!("/staf/kasus/{lampu}")).await;
        assert!(
            withheld.contains("masih dalam proses hukum")
                && withheld.contains("Ditahan dari publik")
        );
        post_ok(
            &app,
            &cookie,
            &format!("/staf/kasus/{lampu}/tampilkan"),
            &[("reason", "")],
            &format!("/staf/kasus/{lampu}?ok=tampilkan"),
        )
        .await;
        assert_eq!(
            get(&app, "", &format!("/kasus/{lampu}")).await.status(),
            200
        );
    }
}
