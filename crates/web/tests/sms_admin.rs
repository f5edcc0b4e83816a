//! The SMS pages over real HTTP, on SQLite and PostgreSQL: keywords, templates and blocked
//! numbers (admin only), and the outbox with its scope, filters and "resend".

mod common;

use common::{TestApp, get, get_html, login, post, post_invalid, post_ok, spawn_apps};
use store::sms::{InboundSms, SmsRules};
use store::tickets::ActionInput;

async fn agency_id(app: &TestApp, code: &str) -> i64 {
    app.db.agency_by_code(code).await.unwrap().id
}

#[tokio::test]
async fn only_admins_manage_the_sms_settings() {
    for app in spawn_apps().await {
        for username in [
            "sekretariat",
            "kadishub",
            "penghubung.dishub",
            "operator.dishub",
        ] {
            let cookie = login(&app, username).await;
            for path in [
                "/admin/kata-kunci",
                "/admin/templat-sms",
                "/admin/nomor-diblokir",
            ] {
                assert_eq!(
                    get(&app, &cookie, path).await.status(),
                    403,
                    "{username} GET {path}"
                );
            }
            let dishub = agency_id(&app, "DISHUB").await.to_string();
            for (path, form) in [
                (
                    "/admin/kata-kunci",
                    vec![("keyword", "JAHAT"), ("agency_id", dishub.as_str())],
                ),
                ("/admin/templat-sms", vec![("code", "ack"), ("body", "x")]),
                ("/admin/nomor-diblokir", vec![("phone", "081234567890")]),
                (
                    "/admin/nomor-diblokir/hapus",
                    vec![("phone", "081234567890")],
                ),
            ] {
                assert_eq!(
                    post(&app, &cookie, path, &form).await.status(),
                    403,
                    "{username} POST {path}"
                );
            }
            // Every staff member has the outbox.
            let outbox = get_html(&app, &cookie, "/staf/sms").await;
            assert!(outbox.contains("Kotak keluar SMS"));
        }
        assert!(app.db.keywords().await.unwrap().is_empty());
        assert!(app.db.blocked_numbers().await.unwrap().is_empty());

        let admin = login(&app, "admin").await;
        let menu = get_html(&app, &admin, "/admin").await;
        for link in [
            "/admin/kata-kunci",
            "/admin/templat-sms",
            "/admin/nomor-diblokir",
        ] {
            assert!(menu.contains(&format!("href=\"{link}\"")), "{link} linked");
        }
        assert!(menu.contains("href=\"/staf/sms\""));
    }
}

#[tokio::test]
async fn admin_manages_keywords() {
    for app in spawn_apps().await {
        let admin = login(&app, "admin").await;
        let dishub = agency_id(&app, "DISHUB").await.to_string();
        let dinkes = agency_id(&app, "DINKES").await.to_string();
        post_ok(
            &app,
            &admin,
            "/admin/kata-kunci",
            &[
                ("keyword", " jalan "),
                ("agency_id", &dishub),
                ("description", "Jalan rusak, lampu jalan"),
            ],
            "/admin/kata-kunci?ok=kata-kunci-baru",
        )
        .await;
        // A second alias for the same agency.
        post_ok(
            &app,
            &admin,
            "/admin/kata-kunci",
            &[("keyword", "DISHUB"), ("agency_id", &dishub)],
            "/admin/kata-kunci?ok=kata-kunci-baru",
        )
        .await;
        let page = get_html(&app, &admin, "/admin/kata-kunci?ok=kata-kunci-baru").await;
        assert!(page.contains("Kata kunci ditambahkan."));
        assert!(page.contains("<code>JALAN</code>"));
        assert!(page.contains("<code>DISHUB</code>"));
        assert!(page.contains("Jalan rusak, lampu jalan"));

        let duplicate = post_invalid(
            &app,
            &admin,
            "/admin/kata-kunci",
            &[("keyword", "Jalan"), ("agency_id", &dinkes)],
        )
        .await;
        assert!(duplicate.contains("sudah ada"), "{duplicate}");
        assert!(duplicate.contains("value=\"JALAN\""), "kept on the form");
        let reserved = post_invalid(
            &app,
            &admin,
            "/admin/kata-kunci",
            &[("keyword", "CEK"), ("agency_id", &dishub)],
        )
        .await;
        assert!(reserved.contains("kata khusus"), "{reserved}");
        let spaced = post_invalid(
            &app,
            &admin,
            "/admin/kata-kunci",
            &[("keyword", "dua kata"), ("agency_id", &dishub)],
        )
        .await;
        assert!(spaced.contains("satu kata"), "{spaced}");
        let no_agency = post_invalid(
            &app,
            &admin,
            "/admin/kata-kunci",
            &[("keyword", "SEHAT"), ("agency_id", "")],
        )
        .await;
        assert!(no_agency.contains("pilih OPD"));
        assert_eq!(app.db.keywords().await.unwrap().len(), 2);

        // Edit: move to DINKES, new description, disable.
        let jalan = app
            .db
            .keywords()
            .await
            .unwrap()
            .into_iter()
            .find(|k| k.keyword == "JALAN")
            .unwrap();
        let edit = get_html(
            &app,
            &admin,
            &format!("/admin/kata-kunci?ubah={}", jalan.id),
        )
        .await;
        assert!(edit.contains("keyword-edit"));
        assert!(
            edit.contains("data-confirm-unchecked=\"active\""),
            "disabling asks first"
        );
        post_ok(
            &app,
            &admin,
            &format!("/admin/kata-kunci/{}", jalan.id),
            &[("agency_id", &dinkes), ("description", "Dipindah")],
            "/admin/kata-kunci?ok=kata-kunci",
        )
        .await;
        let saved = app
            .db
            .keywords()
            .await
            .unwrap()
            .into_iter()
            .find(|k| k.id == jalan.id)
            .unwrap();
        assert_eq!(saved.agency_code, "DINKES");
        assert_eq!(saved.description, "Dipindah");
        assert!(!saved.active);
        let page = get_html(&app, &admin, "/admin/kata-kunci").await;
        assert!(page.contains("nonaktif"));
        let bad = post_invalid(
            &app,
            &admin,
            &format!("/admin/kata-kunci/{}", jalan.id),
            &[("agency_id", "999999"), ("active", "on")],
        )
        .await;
        assert!(bad.contains("pilih OPD"));
        assert_eq!(
            post(
                &app,
                &admin,
                "/admin/kata-kunci/999999",
                &[("agency_id", &dishub)]
            )
            .await
            .status(),
            404
        );
    }
}

#[tokio::test]
async fn admin_edits_templates_and_blocked_numbers() {
    for app in spawn_apps().await {
        let admin = login(&app, "admin").await;
        let page = get_html(&app, &admin, "/admin/templat-sms").await;
        assert!(page.contains("id=\"body-ack\""));
        assert!(
            page.contains("<code>{due}</code>"),
            "placeholders documented"
        );
        assert!(page.contains("data-sms-for=\"body-ack\""), "live counter");
        assert!(page.contains("SMS (GSM-7)"));

        let body = "Terima kasih. Register {register}, kode {code}. Dijawab dalam {due}.";
        post_ok(
            &app,
            &admin,
            "/admin/templat-sms",
            &[("code", "ack"), ("body", &format!("{body}\r\n"))],
            "/admin/templat-sms?ok=templat",
        )
        .await;
        let templates = app.db.sms_templates().await.unwrap();
        let ack = templates.iter().find(|(c, _)| c == "ack").unwrap();
        assert_eq!(ack.1, body);
        let page = get_html(&app, &admin, "/admin/templat-sms?ok=templat").await;
        assert!(page.contains("Templat SMS disimpan."));

        let unknown = post_invalid(
            &app,
            &admin,
            "/admin/templat-sms",
            &[("code", "help"), ("body", "Bantuan {kode}")],
        )
        .await;
        assert!(unknown.contains("{kode}"), "{unknown}");
        assert!(unknown.contains("Bantuan {kode}</textarea>"), "kept");
        post_invalid(
            &app,
            &admin,
            "/admin/templat-sms",
            &[("code", "help"), ("body", "   ")],
        )
        .await;
        assert_eq!(
            post(
                &app,
                &admin,
                "/admin/templat-sms",
                &[("code", "tidak_ada"), ("body", "x")]
            )
            .await
            .status(),
            404
        );

        // Blocked numbers.
        post_ok(
            &app,
            &admin,
            "/admin/nomor-diblokir",
            &[("phone", "0812-3456-7890"), ("reason", "Spam berulang")],
            "/admin/nomor-diblokir?ok=blokir",
        )
        .await;
        let page = get_html(&app, &admin, "/admin/nomor-diblokir?ok=blokir").await;
        assert!(page.contains("+6281234567890"), "{page}");
        assert!(page.contains("Spam berulang"));
        let bad = post_invalid(
            &app,
            &admin,
            "/admin/nomor-diblokir",
            &[("phone", "bukan nomor"), ("reason", "x")],
        )
        .await;
        assert!(bad.contains("value=\"bukan nomor\""));
        assert_eq!(app.db.blocked_numbers().await.unwrap().len(), 1);
        post_ok(
            &app,
            &admin,
            "/admin/nomor-diblokir/hapus",
            &[("phone", "+6281234567890")],
            "/admin/nomor-diblokir?ok=buka-blokir",
        )
        .await;
        assert!(app.db.blocked_numbers().await.unwrap().is_empty());
        let page = get_html(&app, &admin, "/admin/nomor-diblokir").await;
        assert!(!page.contains("+6281234567890"));
    }
}

/// An SMS ticket for DISHUB, answered by its liaison officer; the answer then fails for good.
/// Returns (ticket id, answer message id).
async fn failed_answer(app: &TestApp) -> (i64, i64) {
    let dishub = agency_id(app, "DISHUB").await;
    app.db
        .create_keyword("JALAN", dishub, "Jalan rusak")
        .await
        .unwrap();
    let outcome = app
        .db
        .receive_sms(
            &InboundSms {
                gateway: "kannel".into(),
                gateway_message_id: "mo-1".into(),
                sender: "081234567890".into(),
                receiver: "1708".into(),
                text: "JALAN berlubang di depan pasar".into(),
                coding: "0".into(),
                partial: false,
                received_at: store::now_ms(),
            },
            &SmsRules::default(),
        )
        .await
        .unwrap();
    let ticket = outcome.ticket_id.unwrap();
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
            ticket,
            &ActionInput::Answer {
                body: "Lubang ditambal minggu ini.".into(),
            },
        )
        .await
        .unwrap();
    let answer = app
        .db
        .ticket_messages(ticket)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.kind == "answer")
        .unwrap();
    app.db
        .mark_message_failed(answer.id, "nomor tidak aktif")
        .await
        .unwrap();
    (ticket, answer.id)
}

#[tokio::test]
async fn outbox_lists_failed_messages_in_scope_and_resends_them() {
    for app in spawn_apps().await {
        let (ticket, answer) = failed_answer(&app).await;
        let row = format!("id=\"pesan-{answer}\"");
        let resend = format!("/staf/sms/{answer}/kirim-ulang");

        let admin = login(&app, "admin").await;
        let page = get_html(&app, &admin, "/staf/sms?status=failed").await;
        assert!(page.contains(&row), "{page}");
        assert!(page.contains("nomor tidak aktif"));
        assert!(page.contains(&format!("action=\"{resend}\"")));
        assert!(page.contains("Kirim ulang"));
        // Filters: the ack was not failed; another gateway or a future date lists nothing.
        let sent = get_html(&app, &admin, "/staf/sms?status=pending").await;
        assert!(!sent.contains(&row));
        assert!(sent.contains("tanda terima"), "the ack is pending");
        let dev = get_html(&app, &admin, "/staf/sms?gateway=dev").await;
        assert!(!dev.contains(&row));
        let kannel = get_html(&app, &admin, "/staf/sms?gateway=kannel&dari=2020-01-01").await;
        assert!(kannel.contains(&row));
        let future = get_html(&app, &admin, "/staf/sms?dari=2999-01-01").await;
        assert!(!future.contains(&row));
        let of_ticket = get_html(
            &app,
            &admin,
            &format!("/staf/sms?aduan={ticket}&kanal=semua"),
        )
        .await;
        assert!(of_ticket.contains(&row));
        assert_eq!(
            get(&app, &admin, "/staf/sms?status=hilang").await.status(),
            422
        );
        assert_eq!(
            get(&app, &admin, "/staf/sms?dari=kemarin").await.status(),
            422
        );

        // A liaison officer of another agency neither sees nor resends it.
        let dinkes = login(&app, "penghubung.dinkes").await;
        let page = get_html(&app, &dinkes, "/staf/sms").await;
        assert!(!page.contains(&row));
        assert!(!page.contains("081234567890") && !page.contains("+6281234567890"));
        assert_eq!(post(&app, &dinkes, &resend, &[]).await.status(), 404);
        assert_eq!(
            get(&app, &dinkes, "/staf/sms?tab=masuk").await.status(),
            403
        );
        // Their own agency's officer sees it.
        let dishub = login(&app, "penghubung.dishub").await;
        assert!(get_html(&app, &dishub, "/staf/sms").await.contains(&row));

        // Resend puts it back to pending; a second resend is refused.
        post_ok(&app, &admin, &resend, &[], "/staf/sms?ok=kirim-ulang").await;
        let message = app
            .db
            .ticket_messages(ticket)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.id == answer)
            .unwrap();
        assert_eq!(message.status, domain::MessageStatus::Pending);
        assert_eq!(message.attempts, 0);
        let page = get_html(&app, &admin, "/staf/sms?ok=kirim-ulang").await;
        assert!(page.contains("dimasukkan kembali"));
        assert_eq!(post(&app, &admin, &resend, &[]).await.status(), 409);
        assert_eq!(
            post(&app, &admin, "/staf/sms/999999/kirim-ulang", &[])
                .await
                .status(),
            404
        );

        // The inbound tab for admin and secretariat.
        let inbound = get_html(&app, &admin, "/staf/sms?tab=masuk").await;
        assert!(inbound.contains("JALAN berlubang di depan pasar"));
        assert!(inbound.contains(&format!("href=\"/staf/aduan/{ticket}\"")));
        let secretariat = login(&app, "sekretariat").await;
        let filtered = get_html(
            &app,
            &secretariat,
            "/staf/sms?tab=masuk&pengirim=0899999999",
        )
        .await;
        assert!(!filtered.contains("JALAN berlubang"));
    }
}

#[tokio::test]
async fn the_sms_ticket_page_has_a_live_counter_under_the_answer() {
    for app in spawn_apps().await {
        let dishub = agency_id(&app, "DISHUB").await;
        app.db.create_keyword("JALAN", dishub, "").await.unwrap();
        let outcome = app
            .db
            .receive_sms(
                &InboundSms {
                    gateway: "dev".into(),
                    gateway_message_id: "c-1".into(),
                    sender: "081234567890".into(),
                    receiver: "1708".into(),
                    text: "JALAN rusak".into(),
                    coding: "0".into(),
                    partial: false,
                    received_at: store::now_ms(),
                },
                &SmsRules::default(),
            )
            .await
            .unwrap();
        let ticket = outcome.ticket_id.unwrap();
        let cookie = login(&app, "penghubung.dishub").await;
        let page = get_html(&app, &cookie, &format!("/staf/aduan/{ticket}")).await;
        assert!(page.contains("data-sms-for=\"answer-body\""), "{page}");
        assert!(page.contains("<script src=\"/static/sms-counter.js\"></script>"));
        let script = common::get(&app, "", "/static/sms-counter.js").await;
        assert_eq!(script.status(), 200);
        assert!(
            script.text().await.unwrap().contains("153"),
            "the counter script knows the part size"
        );
        assert!(page.contains(&format!("/staf/sms?aduan={ticket}")));

        // A web ticket has no SMS counter.
        let web = common::post_ticket_direct(&app.db, "warga@contoh.id").await;
        let page = get_html(&app, &cookie, &format!("/staf/aduan/{}", web.id)).await;
        assert!(!page.contains("data-sms-for=\"answer-body\""));
    }
}

#[tokio::test]
async fn the_admin_manages_gateways_and_they_take_effect_at_once() {
    for db in store::testing::each_backend().await {
        common::seed_org(&db).await;
        let file_gateway = sms::GatewayConfig {
            name: "kannel-file".into(),
            kind: Some(sms::GatewayKind::Kannel),
            sendsms_url: Some("http://127.0.0.1:9/cgi-bin/sendsms".into()),
            username: Some("u".into()),
            password: Some("p".into()),
            token: Some("file-token-0123456789".into()),
            dlr_base_url: Some("http://127.0.0.1:9".into()),
            ..Default::default()
        };
        let app =
            common::spawn_app_with_live_gateways(db, vec![file_gateway], common::demo_config())
                .await;
        let staff = login(&app, "sekretariat").await;
        assert_eq!(get(&app, &staff, "/admin/gateway-sms").await.status(), 403);
        assert_eq!(
            post(
                &app,
                &staff,
                "/admin/gateway-sms",
                &[("name", "x"), ("kind", "dev")]
            )
            .await
            .status(),
            403
        );
        let admin = login(&app, "admin").await;
        let page = get_html(&app, &admin, "/admin/gateway-sms").await;
        assert!(page.contains("kannel-file") && page.contains("balai.toml"));
        assert!(!page.contains("file-token"), "file secrets stay hidden");
        assert_eq!(get(&app, "", "/simulasi-sms").await.status(), 404);

        // Missing keys and clashes are refused with the field named.
        let refused = post_invalid(
            &app,
            &admin,
            "/admin/gateway-sms",
            &[("name", "kannel-2"), ("kind", "kannel"), ("enabled", "on")],
        )
        .await;
        assert!(refused.contains("sendsms_url"), "{refused}");
        let refused = post_invalid(
            &app,
            &admin,
            "/admin/gateway-sms",
            &[("name", "kannel-file"), ("kind", "dev"), ("enabled", "on")],
        )
        .await;
        assert!(refused.contains("balai.toml"));
        let refused = post_invalid(
            &app,
            &admin,
            "/admin/gateway-sms",
            &[
                ("name", "x"),
                ("kind", "smpp"),
                ("port", "dua"),
                ("enabled", "on"),
            ],
        )
        .await;
        assert!(refused.contains("bilangan bulat"));

        // A dev gateway made here works at once: the simulated handset appears.
        post_ok(
            &app,
            &admin,
            "/admin/gateway-sms",
            &[("name", "hp-demo"), ("kind", "dev"), ("enabled", "on")],
            "/admin/gateway-sms?ok=simpan",
        )
        .await;
        let mut appeared = false;
        for _ in 0..200 {
            if get(&app, "", "/simulasi-sms").await.status() == 200 {
                appeared = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(appeared, "the new gateway is in force without a restart");

        // A Kannel gateway made here accepts MO with the token it was given; the page shows
        // the get-url to configure, token included.
        post_ok(
            &app,
            &admin,
            "/admin/gateway-sms",
            &[
                ("name", "kannel-ui"),
                ("kind", "kannel"),
                ("enabled", "on"),
                ("sendsms_url", "http://127.0.0.1:9/cgi-bin/sendsms"),
                ("username", "balai"),
                ("password", "rahasia"),
                ("token", "ui-token-0123456789abc"),
                ("dlr_base_url", "http://127.0.0.1:9"),
            ],
            "/admin/gateway-sms?ok=simpan",
        )
        .await;
        let page = get_html(&app, &admin, "/admin/gateway-sms").await;
        assert!(page.contains("gateway=kannel-ui") && page.contains("ui-token-0123456789abc"));
        let mo = |token: &'static str| {
            app.client
                .get(app.at(&format!(
                    "/gateway/kannel/mo?gateway=kannel-ui&from=081299990000&to=1708&text=halo&id=ui-1&token={token}"
                )))
                .send()
        };
        let mut status = 0;
        for _ in 0..200 {
            status = mo("ui-token-0123456789abc")
                .await
                .unwrap()
                .status()
                .as_u16();
            if status == 200 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(status, 200);
        assert_eq!(mo("wrong-token-0123456789").await.unwrap().status(), 401);

        // Editing keeps the secrets left blank; switching off and deleting take effect.
        let form = get_html(&app, &admin, "/admin/gateway-sms?ubah=kannel-ui").await;
        assert!(!form.contains("rahasia") && form.contains("Ubah gateway"));
        post_ok(
            &app,
            &admin,
            "/admin/gateway-sms",
            &[
                ("original_name", "kannel-ui"),
                ("name", "kannel-ui"),
                ("kind", "kannel"),
                ("sendsms_url", "http://127.0.0.1:9/cgi-bin/sendsms"),
                ("username", "balai"),
                ("dlr_base_url", "http://127.0.0.1:9"),
            ],
            "/admin/gateway-sms?ok=simpan",
        )
        .await;
        let stored = app.db.stored_gateways().await.unwrap();
        let kannel = stored.iter().find(|g| g.name == "kannel-ui").unwrap();
        assert!(!kannel.enabled);
        assert!(kannel.settings.contains("rahasia") && kannel.settings.contains("ui-token"));
        post_ok(
            &app,
            &admin,
            "/admin/gateway-sms/hapus",
            &[("name", "hp-demo")],
            "/admin/gateway-sms?ok=hapus",
        )
        .await;
        let mut gone = false;
        for _ in 0..200 {
            let dev_gone = get(&app, "", "/simulasi-sms").await.status() == 404;
            let kannel_off = mo("ui-token-0123456789abc").await.unwrap().status() == 401;
            if dev_gone && kannel_off {
                gone = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(gone, "deleted and disabled gateways stop at once");
    }
}

#[tokio::test]
async fn outside_the_demo_the_admin_cannot_make_a_dev_gateway() {
    for db in store::testing::each_backend().await {
        common::seed_org(&db).await;
        let app = common::spawn_app_with_live_gateways(db, vec![], common::test_config()).await;
        let admin = login(&app, "admin").await;
        let page = get_html(&app, &admin, "/admin/gateway-sms").await;
        assert!(page.contains("value=\"kannel\""), "{page}");
        assert!(
            !page.contains("value=\"dev\""),
            "the dev kind is not offered"
        );
        let refused = post_invalid(
            &app,
            &admin,
            "/admin/gateway-sms",
            &[("name", "hp"), ("kind", "dev"), ("enabled", "on")],
        )
        .await;
        assert!(refused.contains("balai demo"), "{refused}");
        assert!(app.db.stored_gateways().await.unwrap().is_empty());
        assert_eq!(get(&app, "", "/simulasi-sms").await.status(), 404);
    }
}
