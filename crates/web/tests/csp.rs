//! The Content-Security-Policy allows no inline script and no inline style, on SQLite and
//! PostgreSQL: every HTML page carries it, no template and no rendered page holds an inline
//! script, an event-handler attribute, a `javascript:` URL, a `<style>` block or a style
//! attribute, and every script and stylesheet a page loads is served from `/static/`.
//! (The browser test checks that the pages still work under it.)

mod common;

use common::{TestApp, get, login, seed_org};
use std::path::Path;

/// Everything in `html` that the policy would block, as `what: excerpt` lines.
fn inline_code(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    let excerpt = |at: usize| {
        let end = (at + 80).min(html.len());
        let end = (end..=html.len())
            .find(|i| html.is_char_boundary(*i))
            .unwrap_or(html.len());
        html[at..end].replace('\n', " ")
    };
    // <script> with a body or without a source; a JSON data block is data, never run.
    let mut from = 0;
    while let Some(at) = lower[from..].find("<script").map(|i| i + from) {
        let tag_end = lower[at..].find('>').map(|i| i + at).unwrap_or(lower.len());
        let tag = &lower[at..tag_end];
        let close = lower[tag_end..]
            .find("</script>")
            .map(|i| i + tag_end)
            .unwrap_or(lower.len());
        let body = lower.get(tag_end + 1..close).unwrap_or_default();
        let data = tag.contains("type=\"application/json\"");
        if !data && (!tag.contains(" src=") || !body.trim().is_empty()) {
            found.push(format!("inline script: {}", excerpt(at)));
        }
        from = tag_end.max(at + 1);
    }
    if let Some(at) = lower.find("<style") {
        found.push(format!("style block: {}", excerpt(at)));
    }
    if let Some(at) = lower.find("javascript:") {
        found.push(format!("javascript: URL: {}", excerpt(at)));
    }
    // Attributes: ` onclick=`, ` onsubmit=`…, and ` style=`.
    let bytes = lower.as_bytes();
    for (at, _) in lower.match_indices(|c: char| c.is_ascii_whitespace()) {
        let rest = &bytes[at + 1..];
        let name_len = rest
            .iter()
            .take_while(|b| b.is_ascii_lowercase() || **b == b'-')
            .count();
        if rest.get(name_len) != Some(&b'=') {
            continue;
        }
        let name = &lower[at + 1..at + 1 + name_len];
        if name == "style" || (name.len() > 2 && name.starts_with("on") && !name.contains('-')) {
            found.push(format!("{name} attribute: {}", excerpt(at + 1)));
        }
    }
    found
}

#[test]
fn the_scanner_finds_what_the_policy_blocks() {
    for bad in [
        "<script>alert(1)</script>",
        "<SCRIPT src=\"/static/x.js\">alert(1)</SCRIPT>",
        "<form onsubmit=\"return confirm('x')\">",
        "<button\nonclick=\"go()\">",
        "<a href=\"javascript:history.back()\">",
        "<p style=\"color:red\">",
        "<style>p{}</style>",
    ] {
        assert_eq!(inline_code(bad).len(), 1, "{bad}: {:?}", inline_code(bad));
    }
    for good in [
        "<script src=\"/static/site.js\" defer></script>",
        "<script type=\"application/json\" id=\"m\">[{\"a\":1}]</script>",
        "<form data-confirm=\"Hapus?\" data-confirm-unchecked=\"active\">",
        "<p>Lampu mati on= tidak</p><input data-onclick=\"x\">",
        "<p>Jalan online</p>",
    ] {
        assert!(
            inline_code(good).is_empty(),
            "{good}: {:?}",
            inline_code(good)
        );
    }
}

fn templates(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            templates(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

#[test]
fn no_template_holds_inline_script_handlers_or_styles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut files = Vec::new();
    templates(&root, &mut files);
    assert!(files.len() > 30, "templates found: {}", files.len());
    let mut problems = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for problem in inline_code(&text) {
            problems.push(format!("{}: {problem}", file.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `src` and `href` values of scripts and stylesheets under `/static/`.
fn assets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attr) {
            let value = &html[at + attr.len()..];
            let value = &value[..value.find('"').unwrap_or(value.len())];
            if value.starts_with("/static/") {
                out.push(value.to_string());
            }
        }
    }
    out
}

/// Checks one page: a policy without `unsafe-inline`, nothing inline in the HTML, and its
/// scripts and stylesheets served.
async fn check_page(app: &TestApp, cookie: &str, path: &str, expected_status: u16) {
    let backend = app.db.backend().as_str();
    let response = get(app, cookie, path).await;
    assert_eq!(response.status(), expected_status, "{backend}: GET {path}");
    let headers = response.headers().clone();
    let content_type = headers["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/html"),
        "{path}: {content_type}"
    );
    let csp = headers
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{backend}: {path} has no Content-Security-Policy"))
        .to_str()
        .unwrap();
    assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
    assert!(!csp.contains("unsafe-eval"), "{path}: {csp}");
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.starts_with(name))
            .unwrap_or_else(|| panic!("{path}: no {name} in {csp}"))
            .to_string()
    };
    assert_eq!(directive("script-src"), "script-src 'self'", "{path}");
    assert_eq!(directive("style-src"), "style-src 'self'", "{path}");
    let html = response.text().await.unwrap();
    let problems = inline_code(&html);
    assert!(
        problems.is_empty(),
        "{backend}: {path}:\n{}",
        problems.join("\n")
    );
    for asset in assets(&html) {
        let response = get(app, "", &asset).await;
        assert_eq!(response.status(), 200, "{path} loads {asset}");
        let kind = response.headers()["content-type"].to_str().unwrap();
        let expected = if asset.ends_with(".js") {
            "text/javascript"
        } else {
            "text/css"
        };
        assert!(kind.starts_with(expected), "{asset}: {kind}");
    }
}

#[tokio::test]
async fn every_page_carries_a_policy_without_unsafe_inline_and_nothing_inline() {
    for db in store::testing::each_backend().await {
        seed_org(&db).await;
        let app = common::spawn_demo_app(db).await;
        let ticket = common::post_located_ticket(&app.db, "DISHUB", "Jembatan retak").await;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        app.db
            .add_holidays(&[(day, "Hari Raya Natal".into())])
            .await
            .unwrap();
        let public = [
            "/".to_string(),
            "/lacak".into(),
            format!("/lacak/{}", ticket.tracking_code),
            format!("/aduan/diterima/{}", ticket.tracking_code),
            "/kasus".into(),
            "/instansi".into(),
            "/instansi/DISHUB".into(),
            "/statistik".into(),
            "/masuk".into(),
            "/simulasi-sms?nomor=081234567890".into(),
        ];
        for path in &public {
            check_page(&app, "", path, 200).await;
        }
        // Error pages too (their "Kembali" link was a javascript: URL).
        check_page(&app, "", "/kasus/999999", 404).await;
        check_page(&app, "", "/lacak/ZZZZZZZZ", 404).await;

        let admin = login(&app, "admin").await;
        let staff = [
            "/staf".to_string(),
            format!("/staf/aduan/{}", ticket.id),
            "/staf/dasbor".into(),
            "/staf/disposisi".into(),
            "/staf/sms".into(),
            "/staf/laporan".into(),
            "/staf/profil".into(),
            "/staf/kasus".into(),
            "/staf/lapor".into(),
            "/admin".into(),
            "/admin/opd".into(),
            "/admin/jabatan".into(),
            "/admin/pengguna".into(),
            "/admin/kategori".into(),
            "/admin/kalender".into(),
            "/admin/alur".into(),
            "/admin/alur/baru".into(),
            "/admin/kata-kunci".into(),
            "/admin/templat-sms".into(),
            "/admin/nomor-diblokir".into(),
            "/admin/gateway-sms".into(),
            "/admin/delegasi".into(),
            "/admin/instruksi-disposisi".into(),
            "/admin/penyamaran".into(),
        ];
        for path in &staff {
            check_page(&app, &admin, path, 200).await;
        }
        // An operator's view of the same ticket and profile.
        let operator = login(&app, "operator.dishub").await;
        check_page(&app, &operator, &format!("/staf/aduan/{}", ticket.id), 200).await;
        check_page(&app, &operator, "/staf/profil", 200).await;
    }
}

#[tokio::test]
async fn confirmations_are_attributes_for_the_static_script() {
    for db in store::testing::each_backend().await {
        seed_org(&db).await;
        let app = common::spawn_demo_app(db).await;
        let backend = app.db.backend().as_str();
        let ticket = common::post_ticket_direct(&app.db, "warga@contoh.id").await;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        app.db
            .add_holidays(&[(day, "Hari Raya Natal".into())])
            .await
            .unwrap();
        let admin = login(&app, "admin").await;
        let page = common::get_html(&app, &admin, "/admin/kalender").await;
        assert!(
            page.contains("data-confirm=\"Hapus hari libur 2026-12-25?\""),
            "{backend}"
        );
        assert!(page.contains("<script src=\"/static/site.js\" defer></script>"));
        let page = common::get_html(&app, &admin, "/admin/kategori").await;
        assert!(
            page.contains("data-confirm-unchecked=\"active\""),
            "{backend}"
        );
        let page = common::get_html(&app, &admin, &format!("/staf/aduan/{}", ticket.id)).await;
        assert!(
            page.contains("data-confirm=\"Tolak aduan ini?\""),
            "{backend}"
        );
        let script = get(&app, "", "/static/site.js").await.text().await.unwrap();
        assert!(script.contains("data-confirm") && script.contains("window.confirm"));
        // Without JavaScript the form is posted as it is: the holiday goes.
        common::post_ok(
            &app,
            &admin,
            "/admin/kalender/libur/hapus",
            &[("day", "2026-12-25")],
            "/admin/kalender?ok=hapus",
        )
        .await;
        assert!(app.db.holidays().await.unwrap().is_empty(), "{backend}");
    }
}
