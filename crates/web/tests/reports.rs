//! Reports over real HTTP, on SQLite and PostgreSQL: the page, downloads scoped by role, and the
//! submission of the monthly recap with its state per agency.

mod common;

use common::{TestApp, get, get_html, login, post, spawn_apps};
use domain::{Channel, IntakeInput};
use store::tickets::NewTicket;

/// 10 March 2025 09:00 WIB.
const MARCH_2025: i64 = 1_741_572_000_000;

async fn ticket(app: &TestApp, agency: &str, text: &str, anonymous: bool) {
    let intake = IntakeInput {
        category: Some("pengaduan".into()),
        text: Some(text.into()),
        agency_code: Some(agency.into()),
        reporter_name: Some("Siti Aminah".into()),
        reporter_email: Some("siti@contoh.id".into()),
        anonymous,
        ..Default::default()
    }
    .validate(|_| true, |_| true)
    .unwrap();
    app.db
        .create_ticket(&NewTicket {
            intake,
            channel: Channel::Web,
            idempotency_key: None,
            received_at: MARCH_2025,
        })
        .await
        .unwrap();
}

async fn download(app: &TestApp, cookie: &str, query: &str) -> reqwest::Response {
    get(app, cookie, &format!("/staf/laporan/unduh?{query}")).await
}

#[tokio::test]
async fn downloads_are_scoped_by_role() {
    for app in spawn_apps().await {
        ticket(&app, "DISHUB", "Lampu jalan mati di Jl. Sudirman", false).await;
        ticket(&app, "DISHUB", "Parkir liar di pasar", true).await;
        ticket(&app, "DINKES", "Antrian puskesmas lama", false).await;
        let kadishub = login(&app, "kadishub").await;

        let page = get_html(&app, &kadishub, "/staf/laporan").await;
        assert!(page.contains("id=\"report-monthly\"") && page.contains("id=\"report-semester\""));
        assert!(page.contains("id=\"submission-DISHUB\""));
        assert!(
            !page.contains("id=\"submission-DINKES\""),
            "agency roles see their agency only"
        );
        assert!(!page.contains("value=\"DINKES\""));

        // The agency's own recap in every format.
        let csv = download(
            &app,
            &kadishub,
            "jenis=monthly&opd=DISHUB&periode=2025-03&format=csv",
        )
        .await;
        assert_eq!(csv.status(), 200);
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        assert_eq!(
            csv.headers()["content-disposition"],
            "attachment; filename=\"rekap-DISHUB-2025-03.csv\""
        );
        let text = csv.text().await.unwrap();
        assert!(text.contains("Lampu jalan mati di Jl. Sudirman") && text.contains("Parkir liar"));
        assert!(!text.contains("Antrian puskesmas"));
        assert_eq!(
            text.matches("Siti Aminah").count(),
            1,
            "the anonymous reporter is not named: {text}"
        );
        let xlsx = download(
            &app,
            &kadishub,
            "jenis=monthly&opd=DISHUB&periode=2025-03&format=xlsx",
        )
        .await;
        assert_eq!(xlsx.status(), 200);
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
        // Without an agency, an agency role gets its own.
        let own = download(&app, &kadishub, "jenis=monthly&periode=2025-03&format=pdf").await;
        assert_eq!(own.status(), 200);
        assert_eq!(own.headers()["content-type"], "application/pdf");
        assert!(own.bytes().await.unwrap().starts_with(b"%PDF-"));

        // Another agency's recap is refused.
        let other = download(
            &app,
            &kadishub,
            "jenis=monthly&opd=DINKES&periode=2025-03&format=csv",
        )
        .await;
        assert_eq!(other.status(), 403);
        let other = download(
            &app,
            &kadishub,
            "jenis=semester&opd=DINKES&periode=2025-S1&format=pdf",
        )
        .await;
        assert_eq!(other.status(), 403);
        // An agency role's semester report covers its agency only.
        let semester = download(
            &app,
            &kadishub,
            "jenis=semester&periode=2025-S1&format=xlsx",
        )
        .await;
        assert_eq!(semester.status(), 200);

        // The secretariat and the head of region see every agency.
        let sekretariat = login(&app, "sekretariat").await;
        let page = get_html(&app, &sekretariat, "/staf/laporan").await;
        assert!(
            page.contains("id=\"submission-DISHUB\"") && page.contains("id=\"submission-DINKES\"")
        );
        let dinkes = download(
            &app,
            &sekretariat,
            "jenis=monthly&opd=DINKES&periode=2025-03&format=csv",
        )
        .await;
        assert_eq!(dinkes.status(), 200);
        assert!(
            dinkes
                .text()
                .await
                .unwrap()
                .contains("Antrian puskesmas lama")
        );
        let walikota = login(&app, "walikota").await;
        let semester = download(&app, &walikota, "jenis=semester&periode=2025-S1&format=pdf").await;
        assert_eq!(semester.status(), 200);
        assert_eq!(
            semester.headers()["content-disposition"],
            "attachment; filename=\"semester-SeluruhOPD-2025-S1.pdf\""
        );
        let liaison = download(&app, &walikota, "jenis=liaison&periode=2025-03&format=xlsx").await;
        assert_eq!(liaison.status(), 200);
        let sekretariat = login(&app, "sekretariat").await;
        let problems = download(
            &app,
            &sekretariat,
            "jenis=problems&periode=2025-03&format=pdf",
        )
        .await;
        assert_eq!(problems.status(), 200);
        assert_eq!(
            problems.headers()["content-disposition"],
            "attachment; filename=\"rekap-masalah-SeluruhOPD-2025-03.pdf\""
        );
        assert!(problems.bytes().await.unwrap().starts_with(b"%PDF"));
        let html = get_html(&app, &sekretariat, "/staf/laporan").await;
        assert!(html.contains("id=\"report-problems\""));

        // Bad input: a clear 4xx.
        for query in [
            "jenis=monthly&opd=DISHUB&periode=2025-13&format=csv",
            "jenis=monthly&opd=DISHUB&periode=2025-03&format=docx",
            "jenis=laporan&opd=DISHUB&periode=2025-03&format=csv",
            "jenis=monthly&periode=2025-03&format=csv",
            "jenis=monthly&opd=DISHUB&periode=2025-S1&format=csv",
            "jenis=semester&periode=2025-S1&format=csv",
            "jenis=problems&periode=2025-03&format=csv",
            "jenis=monthly&opd=NOPE&periode=2025-03&format=csv",
        ] {
            let response = download(&app, &walikota, query).await;
            assert_eq!(response.status(), 422, "{query}");
        }
        // Signed-out visitors get nothing.
        let response = get(
            &app,
            "",
            "/staf/laporan/unduh?jenis=semester&periode=2025-S1&format=pdf",
        )
        .await;
        assert!(
            response.status().is_redirection() || response.status() == 401,
            "{}",
            response.status()
        );
    }
}

#[tokio::test]
async fn agencies_submit_their_recap() {
    for app in spawn_apps().await {
        let liaison = login(&app, "penghubung.dishub").await;
        let page = get_html(&app, &liaison, "/staf/laporan?periode=2025-03").await;
        assert!(
            page.contains("data-state=\"late\""),
            "not submitted and past the 10th"
        );
        assert!(page.contains("action=\"/staf/laporan/kirim\""));

        let response = post(
            &app,
            &liaison,
            "/staf/laporan/kirim",
            &[("opd", "DISHUB"), ("periode", "2025-03")],
        )
        .await;
        assert_eq!(response.status(), 303);
        assert_eq!(
            response.headers()["location"],
            "/staf/laporan?periode=2025-03&ok=kirim"
        );

        let sekretariat = login(&app, "sekretariat").await;
        let page = get_html(&app, &sekretariat, "/staf/laporan?periode=2025-03").await;
        let dishub = &page[page.find("id=\"submission-DISHUB\"").unwrap()..];
        let dishub = &dishub[..dishub.find("</tr>").unwrap()];
        assert!(dishub.contains("Pengguna penghubung.dishub"), "{dishub}");
        assert!(dishub.contains("Terlambat"), "{dishub}");
        let dinkes = &page[page.find("id=\"submission-DINKES\"").unwrap()..];
        let dinkes = &dinkes[..dinkes.find("</tr>").unwrap()];
        assert!(!dinkes.contains("Pengguna"), "{dinkes}");
        // The secretariat receives; it does not submit.
        assert!(!page.contains("action=\"/staf/laporan/kirim\""));

        // Another agency's officer, the head of region, the current month: refused.
        let other = login(&app, "penghubung.dinkes").await;
        let response = post(
            &app,
            &other,
            "/staf/laporan/kirim",
            &[("opd", "DISHUB"), ("periode", "2025-04")],
        )
        .await;
        assert_eq!(response.status(), 403);
        let walikota = login(&app, "walikota").await;
        let response = post(
            &app,
            &walikota,
            "/staf/laporan/kirim",
            &[("opd", "DINKES"), ("periode", "2025-04")],
        )
        .await;
        assert_eq!(response.status(), 403);
        let this_month = chrono::Utc::now().format("%Y-%m").to_string();
        let response = post(
            &app,
            &other,
            "/staf/laporan/kirim",
            &[("opd", "DINKES"), ("periode", &this_month)],
        )
        .await;
        assert_eq!(response.status(), 422);
        let response = post(
            &app,
            &other,
            "/staf/laporan/kirim",
            &[("opd", "DINKES"), ("periode", "kemarin")],
        )
        .await;
        assert_eq!(response.status(), 422);
    }
}
