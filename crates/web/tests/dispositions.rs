//! Dispositions and acting officials through the staff pages and the JSON API, on both
//! databases.

mod common;

use common::*;
use serde_json::{Value, json};

async fn user_id(app: &TestApp, username: &str) -> i64 {
    app.db.user_by_username(username).await.unwrap().unwrap().id
}

fn today() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn head_disposes_by_form_liaison_reports_back_other_agency_sees_nothing() {
    for app in spawn_apps().await {
        let ticket = post_ticket_direct(&app.db, "warga@contoh.id").await;
        let id = ticket.id;
        let liaison = user_id(&app, "penghubung.dishub").await;
        let operator = user_id(&app, "operator.dishub").await;
        let head = login(&app, "kadishub").await;
        let page = get_html(&app, &head, &format!("/staf/aduan/{id}")).await;
        assert!(page.contains("Kirim disposisi"), "{page}");
        assert!(page.contains(&format!("name=\"penerima_{liaison}\"")));
        let dinkes = user_id(&app, "penghubung.dinkes").await;
        assert!(
            !page.contains(&format!("name=\"penerima_{dinkes}\"")),
            "only DISHUB people"
        );

        // CSRF: a cross-site post is refused and records nothing.
        let path = format!("/staf/aduan/{id}/disposisi");
        let forged = app
            .client
            .post(app.at(&path))
            .header("cookie", &head)
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://jahat.example")
            .form(&[
                (format!("penerima_{liaison}").as_str(), "on"),
                ("instruction", "tindak_lanjuti"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
        assert!(
            app.db
                .events(id)
                .await
                .unwrap()
                .iter()
                .all(|e| e.kind != "disposed")
        );

        // Refused with a clear message: nobody chosen, unknown instruction.
        let page = post_invalid(&app, &head, &path, &[("instruction", "tindak_lanjuti")]).await;
        assert!(page.contains("pilih minimal satu penerima"), "{page}");
        let recipient = format!("penerima_{liaison}");
        let page = post_invalid(
            &app,
            &head,
            &path,
            &[(recipient.as_str(), "on"), ("instruction", "x")],
        )
        .await;
        assert!(page.contains("pilih instruksi dari daftar"), "{page}");

        post_ok(
            &app,
            &head,
            &path,
            &[
                (recipient.as_str(), "on"),
                ("instruction", "tindak_lanjuti"),
                ("note", "Segera cek <b>lokasi</b>"),
            ],
            &format!("/staf/aduan/{id}?ok=disposisi"),
        )
        .await;
        let page = get_html(&app, &head, &format!("/staf/aduan/{id}?ok=disposisi")).await;
        assert!(page.contains("Disposisi dikirim."));
        assert!(
            page.contains("Segera cek &#60;b&#62;lokasi&#60;/b&#62;")
                || page.contains("Segera cek &lt;b&gt;lokasi&lt;/b&gt;"),
            "escaped"
        );
        assert!(page.contains("Pengguna kadishub → Pengguna penghubung.dishub"));

        // The liaison officer finds it in "Disposisi saya", reads it and reports back.
        let liaison_cookie = login(&app, "penghubung.dishub").await;
        let mine = get_html(&app, &liaison_cookie, "/staf/disposisi").await;
        assert!(mine.contains(&ticket.register_number), "{mine}");
        assert!(mine.contains("Tindak lanjuti") && mine.contains("baru"));
        let disposition = app
            .db
            .ticket_dispositions(
                &app.db
                    .access_for(&app.db.user(liaison).await.unwrap(), store::now_ms())
                    .await
                    .unwrap(),
                id,
            )
            .await
            .unwrap()[0]
            .id;
        post_ok(
            &app,
            &liaison_cookie,
            &format!("/staf/disposisi/{disposition}/baca"),
            &[],
            "/staf/disposisi?ok=baca",
        )
        .await;
        let unread = get_html(&app, &liaison_cookie, "/staf/disposisi?status=baru").await;
        assert!(!unread.contains(&ticket.register_number));
        let report_path = format!("/staf/disposisi/{disposition}/lapor");
        let page = post_invalid(&app, &liaison_cookie, &report_path, &[("report", " ")]).await;
        assert!(page.contains("laporan wajib diisi"), "{page}");
        post_ok(
            &app,
            &liaison_cookie,
            &report_path,
            &[("report", "Lampu sudah dinyalakan kembali")],
            "/staf/disposisi?ok=lapor",
        )
        .await;
        let page = get_html(&app, &head, &format!("/staf/aduan/{id}")).await;
        assert!(page.contains("Lampu sudah dinyalakan kembali"));
        assert!(page.contains("Laporan disposisi"));

        // Another agency's liaison officer sees nothing and can do nothing.
        let other = login(&app, "penghubung.dinkes").await;
        assert_eq!(
            get(&app, &other, &format!("/staf/aduan/{id}"))
                .await
                .status(),
            404
        );
        let mine = get_html(&app, &other, "/staf/disposisi").await;
        assert!(!mine.contains(&ticket.register_number));
        let refused = post(
            &app,
            &other,
            &format!("/staf/disposisi/{disposition}/baca"),
            &[],
        )
        .await;
        assert_eq!(refused.status(), 404);
        let refused = post(
            &app,
            &other,
            &path,
            &[(recipient.as_str(), "on"), ("instruction", "pelajari")],
        )
        .await;
        assert_eq!(refused.status(), 404);
        // An operator of the agency may not dispose.
        let operator_cookie = login(&app, "operator.dishub").await;
        let refused = post(
            &app,
            &operator_cookie,
            &path,
            &[(recipient.as_str(), "on"), ("instruction", "pelajari")],
        )
        .await;
        assert_eq!(refused.status(), 403);

        // The citizen's tracking page: being handled, no names, no instructions.
        let public = app
            .client
            .get(app.at(&format!("/lacak/{}", ticket.tracking_code)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(public.contains("Didisposisikan"), "{public}");
        for secret in [
            "Pengguna",
            "Tindak lanjuti",
            "Segera cek",
            "Lampu sudah dinyalakan",
        ] {
            assert!(!public.contains(secret), "public page shows {secret}");
        }

        // JSON API.
        let token = app.token("kadishub").await;
        let made = app
            .client
            .post(app.at(&format!("/api/v1/tickets/{id}/dispositions")))
            .bearer_auth(&token)
            .json(&json!({ "recipients": [operator], "instruction": "pelajari", "due": "2099-01-31" }))
            .send()
            .await
            .unwrap();
        assert_eq!(made.status(), 201);
        let made: Value = made.json().await.unwrap();
        let api_id = made[0]["id"].as_i64().unwrap();
        assert_eq!(made[0]["state"], "new");
        let other_token = app.token("penghubung.dinkes").await;
        let refused = app
            .client
            .post(app.at(&format!("/api/v1/tickets/{id}/dispositions")))
            .bearer_auth(&other_token)
            .json(&json!({ "recipients": [operator], "instruction": "pelajari" }))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 404);
        let operator_token = app.token("operator.dishub").await;
        let mine: Value = app
            .client
            .get(app.at("/api/v1/dispositions?status=unread"))
            .bearer_auth(&operator_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(mine["items"].as_array().unwrap().len(), 1);
        assert_eq!(mine["items"][0]["instruction_label"], "Pelajari dan telaah");
        let read: Value = app
            .client
            .post(app.at(&format!("/api/v1/dispositions/{api_id}/read")))
            .bearer_auth(&operator_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(read["state"], "read");
        let report = |token: String| {
            let client = app.client.clone();
            let url = app.at(&format!("/api/v1/dispositions/{api_id}/report"));
            async move {
                client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({ "report": "Sudah dipelajari" }))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        assert_eq!(report(other_token.clone()).await, 404);
        assert_eq!(report(operator_token.clone()).await, 200);
        assert_eq!(report(operator_token.clone()).await, 409);
        let bad = app
            .client
            .get(app.at("/api/v1/dispositions?status=apa"))
            .bearer_auth(&operator_token)
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400);

        let doc: Value = app
            .client
            .get(app.at("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for path in [
            "/dispositions",
            "/tickets/{id}/dispositions",
            "/dispositions/{id}/read",
            "/dispositions/{id}/report",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} not documented");
        }
    }
}

#[tokio::test]
async fn plh_recorded_on_profile_acts_for_the_head_until_ended() {
    for app in spawn_apps().await {
        let ticket = post_ticket_direct(&app.db, "warga@contoh.id").await;
        let id = ticket.id;
        let head_id = user_id(&app, "kadishub").await;
        let liaison = user_id(&app, "penghubung.dishub").await;
        let operator = user_id(&app, "operator.dishub").await;
        let head = login(&app, "kadishub").await;
        let profile = get_html(&app, &head, "/staf/profil").await;
        assert!(profile.contains("Catat delegasi"));
        let day = today();
        let liaison_text = liaison.to_string();
        let head_text = head_id.to_string();
        // Clear refusals.
        let page = post_invalid(
            &app,
            &head,
            "/staf/profil/delegasi",
            &[
                ("delegate_id", liaison_text.as_str()),
                ("kind", "plh"),
                ("dari", &day),
                ("sampai", "2000-01-01"),
            ],
        )
        .await;
        assert!(
            page.contains("tanggal selesai harus setelah tanggal mulai"),
            "{page}"
        );
        let page = post_invalid(
            &app,
            &head,
            "/staf/profil/delegasi",
            &[
                ("delegate_id", head_text.as_str()),
                ("kind", "plh"),
                ("dari", &day),
                ("sampai", &day),
            ],
        )
        .await;
        assert!(page.contains("diri sendiri"), "{page}");
        post_ok(
            &app,
            &head,
            "/staf/profil/delegasi",
            &[
                ("delegate_id", liaison_text.as_str()),
                ("kind", "plh"),
                ("dari", &day),
                ("sampai", &day),
                ("note", "ST 800/12"),
            ],
            "/staf/profil?ok=delegasi",
        )
        .await;
        let page = post_invalid(
            &app,
            &head,
            "/staf/profil/delegasi",
            &[
                ("delegate_id", operator.to_string().as_str()),
                ("kind", "plt"),
                ("dari", &day),
                ("sampai", &day),
            ],
        )
        .await;
        assert!(page.contains("bertumpang tindih"), "{page}");
        let profile = get_html(&app, &head, "/staf/profil?ok=delegasi").await;
        assert!(
            profile.contains("Plh. Kepala OPD Dinas Perhubungan"),
            "{profile}"
        );
        assert!(profile.contains("aktif") && profile.contains("Akhiri sekarang"));

        // The acting official sees it, disposes as Plh., and the timeline says so.
        let acting = login(&app, "penghubung.dishub").await;
        let mine = get_html(&app, &acting, "/staf/disposisi").await;
        assert!(mine.contains("Anda sedang bertindak sebagai"), "{mine}");
        let page = get_html(&app, &acting, &format!("/staf/aduan/{id}")).await;
        assert!(
            page.contains("selaku Plh. Kepala OPD Dinas Perhubungan"),
            "{page}"
        );
        let path = format!("/staf/aduan/{id}/disposisi");
        let to_operator = format!("penerima_{operator}");
        post_ok(
            &app,
            &acting,
            &path,
            &[
                (to_operator.as_str(), "on"),
                ("instruction", "siapkan_jawaban"),
            ],
            &format!("/staf/aduan/{id}?ok=disposisi"),
        )
        .await;
        let page = get_html(&app, &head, &format!("/staf/aduan/{id}")).await;
        assert!(
            page.contains("Pengguna penghubung.dishub selaku Plh. Kepala OPD Dinas Perhubungan"),
            "{page}"
        );

        // The admin sees it among all delegations; others may not open that page.
        let admin = login(&app, "admin").await;
        let list = get_html(&app, &admin, "/admin/delegasi").await;
        assert!(list.contains("Plh. Kepala OPD Dinas Perhubungan") && list.contains("ST 800/12"));
        assert_eq!(get(&app, &head, "/admin/delegasi").await.status(), 403);

        // Ended early: the authority goes with it.
        let delegation = app.db.delegations(Some(head_id)).await.unwrap()[0].id;
        post_ok(
            &app,
            &head,
            &format!("/staf/delegasi/{delegation}/akhiri"),
            &[("back", "profil")],
            "/staf/profil?ok=akhiri",
        )
        .await;
        let refused = post(
            &app,
            &acting,
            &path,
            &[(to_operator.as_str(), "on"), ("instruction", "pelajari")],
        )
        .await;
        assert_eq!(refused.status(), 403);
        let mine = get_html(&app, &acting, "/staf/disposisi").await;
        assert!(!mine.contains("Anda sedang bertindak sebagai"));

        // The admin records one for the head.
        post_ok(
            &app,
            &admin,
            "/admin/delegasi",
            &[
                ("delegator_id", head_text.as_str()),
                ("delegate_id", operator.to_string().as_str()),
                ("kind", "plt"),
                ("dari", &day),
                ("sampai", &day),
            ],
            "/admin/delegasi?ok=delegasi",
        )
        .await;
        let list = get_html(&app, &admin, "/admin/delegasi?ok=delegasi").await;
        assert!(list.contains("Plt. Kepala OPD Dinas Perhubungan"));
    }
}

#[tokio::test]
async fn admin_keeps_the_instruction_list() {
    for app in spawn_apps().await {
        let admin = login(&app, "admin").await;
        let page = get_html(&app, &admin, "/admin/instruksi-disposisi").await;
        assert!(page.contains("Siapkan jawaban") && page.contains("Untuk diketahui"));
        let page = post_invalid(
            &app,
            &admin,
            "/admin/instruksi-disposisi",
            &[
                ("code", "verifikasi"),
                ("label", "Verifikasi lapangan"),
                ("due_within", "besok"),
                ("active", "on"),
            ],
        )
        .await;
        assert!(page.contains("due_within"), "{page}");
        post_ok(
            &app,
            &admin,
            "/admin/instruksi-disposisi",
            &[
                ("code", "verifikasi"),
                ("label", "Verifikasi lapangan"),
                ("due_within", "3wd"),
                ("sort_order", "7"),
                ("active", "on"),
            ],
            "/admin/instruksi-disposisi?ok=instruksi",
        )
        .await;
        let ticket = post_ticket_direct(&app.db, "warga@contoh.id").await;
        let head = login(&app, "kadishub").await;
        let page = get_html(&app, &head, &format!("/staf/aduan/{}", ticket.id)).await;
        assert!(
            page.contains("Verifikasi lapangan (tenggat bawaan 3wd)"),
            "{page}"
        );
        let head_page = get(&app, &head, "/admin/instruksi-disposisi").await;
        assert_eq!(head_page.status(), 403);
    }
}
