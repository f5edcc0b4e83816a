//! LAPOR! SP4N over real HTTP, on SQLite and PostgreSQL: the page, the downloads, the number
//! on the ticket page and the API.

mod common;

use common::{TestApp, get, get_html, login, post, post_invalid, post_ok, spawn_apps};
use serde_json::{Value, json};

const RANGE: &str = "dari=2000-01-01&sampai=2999-12-31";

/// A ticket through the public API, answered by the agency's liaison officer; its id.
async fn answered_ticket(app: &TestApp, agency: &str, text: &str, extra: Value) -> i64 {
    let mut body = json!({ "category": "pengaduan", "text": text, "agency_code": agency,
                           "reporter_name": "Siti Aminah", "reporter_email": "siti@contoh.id" });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let created: Value = app
        .client
        .post(app.at("/api/v1/tickets"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = created["tracking_code"].as_str().unwrap();
    let officer = if agency == "DISHUB" {
        "penghubung.dishub"
    } else {
        "penghubung.dinkes"
    };
    let token = app.token(officer).await;
    let list: Value = app
        .client
        .get(app.at(&format!("/api/v1/tickets?q={}", urlencode(text))))
        .bearer_auth(&token)
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
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let answered = app
        .client
        .post(app.at(&format!("/api/v1/tickets/{id}/answer")))
        .bearer_auth(&token)
        .json(&json!({ "body": format!("Jawaban: {text}") }))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 200);
    id
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn put_number(app: &TestApp, token: &str, id: i64, number: &str) -> reqwest::Response {
    app.client
        .put(app.at(&format!("/api/v1/tickets/{id}/lapor")))
        .bearer_auth(token)
        .json(&json!({ "lapor_number": number }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn only_secretariat_and_admin_report_to_lapor() {
    for app in spawn_apps().await {
        let id = answered_ticket(&app, "DISHUB", "Lampu jalan mati", json!({})).await;
        for user in ["sekretariat", "admin"] {
            let cookie = login(&app, user).await;
            let inbox = get_html(&app, &cookie, "/staf").await;
            assert!(inbox.contains("href=\"/staf/lapor\""), "{user}");
            let page = get_html(&app, &cookie, "/staf/lapor").await;
            assert!(page.contains("hanya yang belum dilaporkan"), "{page}");
            let ticket = get_html(&app, &cookie, &format!("/staf/aduan/{id}")).await;
            assert!(ticket.contains(&format!("action=\"/staf/aduan/{id}/lapor\"")));
            assert!(ticket.contains("Belum dilaporkan ke LAPOR! SP4N"));
        }
        for user in [
            "walikota",
            "kadishub",
            "penghubung.dishub",
            "operator.dishub",
        ] {
            let cookie = login(&app, user).await;
            let inbox = get_html(&app, &cookie, "/staf").await;
            assert!(!inbox.contains("href=\"/staf/lapor\""), "{user}");
            for path in [
                "/staf/lapor",
                "/staf/lapor.csv",
                &format!("/staf/lapor.json?{RANGE}"),
            ] {
                assert_eq!(
                    get(&app, &cookie, path).await.status(),
                    403,
                    "{user} {path}"
                );
            }
            let ticket = get_html(&app, &cookie, &format!("/staf/aduan/{id}")).await;
            assert!(!ticket.contains("/lapor\""), "{user}");
            let posted = post(
                &app,
                &cookie,
                &format!("/staf/aduan/{id}/lapor"),
                &[("lapor_number", "123")],
            )
            .await;
            assert_eq!(posted.status(), 403, "{user}");
            let token = app.token(user).await;
            let put = put_number(&app, &token, id, "123").await;
            assert_eq!(put.status(), 403, "{user}");
            assert_eq!(put.headers()["content-type"], "application/problem+json");
        }
        // Not signed in: to the login page.
        let anonymous = get(&app, "", "/staf/lapor").await;
        assert_eq!(anonymous.status(), 303);
    }
}

#[tokio::test]
async fn the_number_is_recorded_on_the_ticket_page() {
    for app in spawn_apps().await {
        let a = answered_ticket(&app, "DISHUB", "Lampu jalan mati", json!({})).await;
        let b = answered_ticket(&app, "DINKES", "Puskesmas tutup", json!({})).await;
        let cookie = login(&app, "sekretariat").await;
        let path = format!("/staf/aduan/{a}/lapor");
        post_ok(
            &app,
            &cookie,
            &path,
            &[("lapor_number", " 4412078 ")],
            &format!("/staf/aduan/{a}?ok=lapor"),
        )
        .await;
        let page = get_html(&app, &cookie, &format!("/staf/aduan/{a}?ok=lapor")).await;
        assert!(page.contains("Nomor LAPOR! disimpan."), "{page}");
        assert!(page.contains("<strong id=\"lapor-current\">4412078</strong>"));
        assert!(page.contains("Nomor LAPOR! SP4N dicatat"));

        // Replaced by another number: both on the timeline.
        post_ok(
            &app,
            &cookie,
            &path,
            &[("lapor_number", "4412079")],
            &format!("/staf/aduan/{a}?ok=lapor"),
        )
        .await;
        let page = get_html(&app, &cookie, &format!("/staf/aduan/{a}")).await;
        assert!(page.contains("menggantikan 4412078"), "{page}");

        // Invalid, and the number of another ticket: the form again with the message.
        let bad = post_invalid(&app, &cookie, &path, &[("lapor_number", "12 34")]).await;
        assert!(bad.contains("hanya boleh berisi huruf, angka"), "{bad}");
        assert!(bad.contains("4412079"));
        let taken = post_invalid(
            &app,
            &cookie,
            &format!("/staf/aduan/{b}/lapor"),
            &[("lapor_number", "4412079")],
        )
        .await;
        assert!(taken.contains("sudah dipakai aduan DISHUB/"), "{taken}");

        // The public tracking page never shows it.
        let public: Value = app
            .client
            .get(app.at(&format!("/api/v1/tickets/{a}")))
            .bearer_auth(app.token("sekretariat").await)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let code = public["ticket"]["tracking_code"].as_str().unwrap();
        let tracked = get_html(&app, "", &format!("/lacak/{code}")).await;
        assert!(!tracked.contains("4412079"));
        assert!(!tracked.contains("LAPOR"));

        // The API: same number is a no-op, another ticket's number a conflict.
        let token = app.token("admin").await;
        let same = put_number(&app, &token, a, "4412079").await;
        assert_eq!(same.status(), 200);
        let same: Value = same.json().await.unwrap();
        assert_eq!(same["changed"], false);
        let conflict = put_number(&app, &token, b, "4412079").await;
        assert_eq!(conflict.status(), 409);
        assert_eq!(
            conflict.headers()["content-type"],
            "application/problem+json"
        );
        let invalid = put_number(&app, &token, b, &"9".repeat(41)).await;
        assert_eq!(invalid.status(), 422);
        let invalid: Value = invalid.json().await.unwrap();
        assert_eq!(invalid["errors"][0]["field"], "lapor_number");
        let ok = put_number(&app, &token, b, "SP4N/2026-001").await;
        assert_eq!(ok.status(), 200);
        let ok: Value = ok.json().await.unwrap();
        assert_eq!(ok["lapor_number"], "SP4N/2026-001");
        assert_eq!(ok["changed"], true);
        assert_eq!(put_number(&app, &token, 999_999, "1").await.status(), 404);
    }
}

#[tokio::test]
async fn downloads_list_answered_tickets_as_csv_and_json() {
    for app in spawn_apps().await {
        let quoted = answered_ticket(
            &app,
            "DISHUB",
            "Jalan \"Merdeka\" rusak, berlubang\nbaris dua",
            json!({}),
        )
        .await;
        let secret = answered_ticket(
            &app,
            "DINKES",
            "Dugaan pungli",
            json!({ "confidential": true }),
        )
        .await;
        let anonymous = answered_ticket(
            &app,
            "DINKES",
            "Antrean panjang",
            json!({ "anonymous": true }),
        )
        .await;
        let cookie = login(&app, "sekretariat").await;
        post_ok(
            &app,
            &cookie,
            &format!("/staf/aduan/{anonymous}/lapor"),
            &[("lapor_number", "LPR-9")],
            &format!("/staf/aduan/{anonymous}?ok=lapor"),
        )
        .await;

        // The page: default range is the current month.
        let page = get_html(&app, &cookie, "/staf/lapor").await;
        for id in [quoted, secret, anonymous] {
            assert!(page.contains(&format!("id=\"lapor-{id}\"")), "{id}");
        }
        assert!(page.contains("LPR-9"));
        assert!(page.contains("(rahasia)") && page.contains("(anonim)"));
        assert!(page.contains("/staf/lapor.csv?dari="));
        let unreported = get_html(&app, &cookie, &format!("/staf/lapor?{RANGE}&belum=on")).await;
        assert!(!unreported.contains(&format!("id=\"lapor-{anonymous}\"")));
        assert!(unreported.contains(&format!("id=\"lapor-{quoted}\"")));
        let bad = get(&app, &cookie, "/staf/lapor?dari=kemarin").await;
        assert_eq!(bad.status(), 422);

        // CSV.
        let response = get(&app, &cookie, &format!("/staf/lapor.csv?{RANGE}")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            response.headers()["content-disposition"],
            "attachment; filename=\"lapor-2000-01-01-2999-12-31.csv\""
        );
        let csv = response.text().await.unwrap();
        let csv = csv.strip_prefix('\u{feff}').expect("UTF-8 byte order mark");
        let mut lines = csv.split("\r\n");
        assert_eq!(
            lines.next().unwrap(),
            "No. Register,Kode Lacak,Status,Diterima,Dijawab,Ditutup,OPD,Kategori,Kanal,Anonim,Rahasia,\
             Nama Pelapor,Telepon Pelapor,Email Pelapor,Isi Aduan,Jawaban,Nomor LAPOR!,Dicatat di LAPOR!"
        );
        assert!(
            csv.contains(",\"Jalan \"\"Merdeka\"\" rusak, berlubang\nbaris dua\","),
            "{csv}"
        );
        assert!(csv.contains("Siti Aminah,,siti@contoh.id"), "{csv}");
        assert!(csv.contains(",Dinas Perhubungan,"));
        let secret_line = csv.lines().find(|l| l.contains("Dugaan pungli")).unwrap();
        assert!(!secret_line.contains("Siti"), "{secret_line}");
        assert!(
            secret_line.contains(",tidak,ya,,,,Dugaan pungli,"),
            "{secret_line}"
        );
        let anonymous_line = csv.lines().find(|l| l.contains("Antrean panjang")).unwrap();
        assert!(!anonymous_line.contains("siti@"), "{anonymous_line}");
        assert!(anonymous_line.contains(",LPR-9,"), "{anonymous_line}");
        // Header, three tickets, final line break.
        assert_eq!(csv.split("\r\n").count(), 5, "{csv}");

        let only = get(&app, &cookie, &format!("/staf/lapor.csv?{RANGE}&belum=on")).await;
        let only = only.text().await.unwrap();
        assert!(!only.contains("LPR-9") && only.contains("Dugaan pungli"));

        // JSON.
        let response = get(&app, &cookie, &format!("/staf/lapor.json?{RANGE}")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment; filename=\"lapor-")
        );
        let body: Value = response.json().await.unwrap();
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0]["id"], quoted);
        assert_eq!(items[0]["reporter_name"], "Siti Aminah");
        assert_eq!(
            items[0]["answer"],
            "Jawaban: Jalan \"Merdeka\" rusak, berlubang\nbaris dua"
        );
        assert_eq!(items[0]["agency_code"], "DISHUB");
        assert_eq!(items[1]["confidential"], true);
        assert_eq!(items[1]["reporter_name"], Value::Null);
        assert_eq!(items[1]["reporter_email"], Value::Null);
        assert_eq!(items[2]["lapor_number"], "LPR-9");
    }
}

#[tokio::test]
async fn the_api_export_is_scoped_and_documented() {
    for app in spawn_apps().await {
        let dishub = answered_ticket(&app, "DISHUB", "Lampu jalan mati", json!({})).await;
        let dinkes = answered_ticket(&app, "DINKES", "Puskesmas tutup", json!({})).await;
        let ids = |body: &Value| -> Vec<i64> {
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_i64().unwrap())
                .collect()
        };
        let export = |user: &'static str, query: &'static str| {
            let app = &app;
            async move {
                let token = app.token(user).await;
                let response = app
                    .client
                    .get(app.at(&format!("/api/v1/lapor{query}")))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            }
        };
        let (status, all) = export("sekretariat", "").await;
        assert_eq!(status, 200);
        assert_eq!(ids(&all), [dishub, dinkes]);
        assert_eq!(all["next_cursor"], Value::Null);
        let (_, mine) = export("penghubung.dinkes", "?from=2000-01-01&to=2999-12-31").await;
        assert_eq!(ids(&mine), [dinkes]);
        let (_, mine) = export("penghubung.dishub", "").await;
        assert_eq!(ids(&mine), [dishub]);

        let token = app.token("sekretariat").await;
        assert_eq!(put_number(&app, &token, dishub, "777").await.status(), 200);
        let (_, unreported) = export("sekretariat", "?unreported=true").await;
        assert_eq!(ids(&unreported), [dinkes]);
        let (_, none) = export("sekretariat", "?from=2000-01-01&to=2000-01-31").await;
        assert_eq!(ids(&none), Vec::<i64>::new());
        let (_, page) = export("sekretariat", "?limit=1").await;
        assert_eq!(ids(&page), [dishub]);
        assert!(page["next_cursor"].is_string());

        let (status, bad) = export("sekretariat", "?from=kemarin").await;
        assert_eq!(status, 422);
        assert_eq!(bad["errors"][0]["field"], "from");
        let unauthorised = app
            .client
            .get(app.at("/api/v1/lapor"))
            .send()
            .await
            .unwrap();
        assert_eq!(unauthorised.status(), 401);

        let doc: Value = app
            .client
            .get(app.at("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["paths"]["/lapor"]["get"].is_object());
        assert!(doc["paths"]["/tickets/{id}/lapor"]["put"].is_object());
        assert!(doc["components"]["schemas"]["LaporItem"].is_object());
    }
}
