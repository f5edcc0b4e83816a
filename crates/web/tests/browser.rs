//! A real browser end to end: headless Chromium, driven through chromedriver with fantoccini
//! (`common::browser`), on each backend: submits the public form and then answers the ticket
//! as a liaison officer; and runs the pages that have scripts (confirmations, the map, the
//! holiday import, the simulated handset, the error page) under the Content-Security-Policy
//! with no refusal in the console.

mod common;

use common::browser::{
    Chromedriver, TIMEOUT, console_problems, element, executable, path_of, text_until,
};
use common::{PASSWORD, TestApp, seed_org, spawn_apps};
use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};

const COMPLAINT: &str = "Lampu jalan mati di Jl. Merdeka — sudah 3 hari, tolong 🙏";
const ANSWER: &str =
    "Terima kasih. Petugas Dishub sudah mengganti lampu di Jl. Merdeka — kini menyala ✅";

/// The whole story on one app: citizen submits, liaison officer answers, citizen sees it.
async fn submit_and_answer(client: &Client, app: &TestApp) {
    let backend = app.db.backend().as_str();

    // The citizen fills in the public form.
    client.goto(&app.at("/")).await.expect("open the form");
    element(client, "#complaint-form").await;
    element(client, "#category")
        .await
        .select_by_value("pengaduan")
        .await
        .expect("choose the category");
    element(client, "#text")
        .await
        .send_keys(COMPLAINT)
        .await
        .expect("type the complaint");
    element(client, "#agency_code")
        .await
        .select_by_value("DISHUB")
        .await
        .expect("choose DISHUB");
    element(client, "#reporter_email")
        .await
        .send_keys("warga@contoh.id")
        .await
        .expect("type the email");
    element(client, "#submit")
        .await
        .click()
        .await
        .expect("submit");

    // …and lands on the confirmation page with the new code.
    let code = text_until(client, "#tracking-code", |t| !t.trim().is_empty()).await;
    let code = code.trim().to_string();
    let path = path_of(client).await;
    assert_eq!(
        path,
        format!("/aduan/diterima/{code}"),
        "{backend}: after submitting"
    );
    let status_shown = element(client, "#status").await.text().await.unwrap();

    let tracked = app
        .db
        .track(&domain::TrackingCode::parse(&code).expect("a valid tracking code"))
        .await
        .expect("the ticket is stored");
    assert_eq!(tracked.channel, domain::Channel::Web, "{backend}");
    assert_eq!(tracked.category, "pengaduan", "{backend}");
    assert_eq!(status_shown, tracked.status_label, "{backend}");
    assert_ne!(tracked.status, domain::TicketStatus::Answered, "{backend}");

    // The liaison officer of DISHUB logs in…
    client
        .goto(&app.at("/masuk"))
        .await
        .expect("open the login");
    element(client, "#username")
        .await
        .send_keys("penghubung.dishub")
        .await
        .expect("type the username");
    let password = element(client, "#password").await;
    password
        .send_keys(PASSWORD)
        .await
        .expect("type the password");
    client
        .form(Locator::Css("form[action='/masuk']"))
        .await
        .expect("the login form")
        .submit()
        .await
        .expect("log in");
    element(client, "table#tickets").await;
    assert_eq!(
        path_of(client).await,
        "/staf",
        "{backend}: after logging in"
    );

    // …finds the ticket in the inbox and opens it.
    client
        .wait()
        .at_most(TIMEOUT)
        .for_element(Locator::LinkText(&tracked.register_number))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{backend}: {} not in the inbox: {e}",
                tracked.register_number
            )
        })
        .click()
        .await
        .expect("open the ticket");
    let original = element(client, "#original-text").await;
    assert_eq!(
        original.text().await.unwrap(),
        COMPLAINT,
        "{backend}: the text arrives unchanged"
    );
    assert!(path_of(client).await.starts_with("/staf/aduan/"));
    let meta = element(client, ".card h1 + p.muted")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        meta.contains(&code) && meta.contains("kanal web"),
        "{backend}: {meta}"
    );

    // Answers it.
    element(client, "#answer-body")
        .await
        .send_keys(ANSWER)
        .await
        .expect("type the answer");
    element(client, "#answer-submit")
        .await
        .click()
        .await
        .expect("send the answer");
    text_until(client, "#status", |t| t == "Dijawab").await;

    // The citizen sees the answer on the public tracking page.
    client
        .goto(&app.at(&format!("/lacak/{code}")))
        .await
        .expect("open the tracking page");
    text_until(client, "#status", |t| t == "Dijawab").await;
    let timeline = text_until(client, "#timeline", |t| t.contains(ANSWER)).await;
    assert!(timeline.contains("Dijawab"), "{backend}: {timeline}");

    // The dashboard draws a located ticket on the Leaflet map (tiles may not load offline;
    // the markers are vector shapes drawn by Leaflet itself).
    common::post_located_ticket(&app.db, "DISHUB", "Jembatan retak").await;
    client
        .goto(&app.at("/staf/dasbor"))
        .await
        .expect("open the dashboard");
    element(client, "#map .leaflet-interactive").await;
    let drawn = element(client, "#map")
        .await
        .attr("data-markers")
        .await
        .unwrap();
    assert_eq!(drawn.as_deref(), Some("1"), "{backend}: markers on the map");

    let tracked = app
        .db
        .track(&domain::TrackingCode::parse(&code).unwrap())
        .await
        .unwrap();
    assert_eq!(tracked.status, domain::TicketStatus::Answered, "{backend}");
    let problems = console_problems(client).await;
    assert!(problems.is_empty(), "{backend}: {problems:#?}");
    assert!(
        tracked
            .timeline
            .iter()
            .any(|e| e.kind == "answered" && e.body.as_deref() == Some(ANSWER)),
        "{backend}: {:?}",
        tracked.timeline
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn citizen_submits_in_a_browser_and_staff_answers() {
    let chromedriver = executable("BALAI_TEST_CHROMEDRIVER", "chromedriver");
    let chromium = executable("BALAI_TEST_CHROMIUM", "chromium");
    let apps = spawn_apps().await;
    let driver = Chromedriver::start(&chromedriver);
    let client = driver.session(&chromium).await;
    for app in &apps {
        // Each app is its own origin, so the staff session of one does not leak into the next.
        submit_and_answer(&client, app).await;
    }
    client.close().await.expect("close the browser session");
    drop(driver);
}

/// Logs in through the login form.
async fn log_in(client: &Client, app: &TestApp, username: &str) {
    client
        .goto(&app.at("/masuk"))
        .await
        .expect("open the login");
    element(client, "#username")
        .await
        .send_keys(username)
        .await
        .expect("type the username");
    element(client, "#password")
        .await
        .send_keys(PASSWORD)
        .await
        .expect("type the password");
    client
        .form(Locator::Css("form[action='/masuk']"))
        .await
        .expect("the login form")
        .submit()
        .await
        .expect("log in");
    element(client, "table#tickets").await;
}

/// The text of the confirmation dialog once it is open.
async fn dialog(client: &Client) -> String {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Ok(text) = client.get_alert_text().await {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "no confirmation dialog within {TIMEOUT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn assert_clean(client: &Client, backend: &str, page: &str) {
    let problems = console_problems(client).await;
    assert!(problems.is_empty(), "{backend}: {page}: {problems:#?}");
}

/// Every page with a script, under the policy.
async fn scripts_under_the_policy(client: &Client, app: &TestApp) {
    let backend = app.db.backend().as_str();

    // The console check sees a refusal: an injected inline script is refused and logged.
    client.goto(&app.at("/")).await.expect("open the form");
    element(client, "#complaint-form").await;
    assert_clean(client, backend, "/").await;
    client
        .execute(
            "var s = document.createElement('script'); s.textContent = 'window.ran = 1'; \
             document.body.appendChild(s); return window.ran === undefined;",
            Vec::new(),
        )
        .await
        .expect("inject an inline script");
    let refused = console_problems(client).await;
    assert!(
        refused
            .iter()
            .any(|m| m.contains("Content Security Policy")),
        "{backend}: the log shows a refused inline script: {refused:#?}"
    );
    // complaint-form.js ran: it shows the location button (hidden without JavaScript).
    assert!(
        element(client, "#use-location")
            .await
            .is_displayed()
            .await
            .unwrap(),
        "{backend}: the location button is shown by the static script"
    );

    // Confirmation before a destructive action: "Batal" keeps the holiday, "OK" deletes it.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
    app.db
        .add_holidays(&[(day, "Hari Raya Natal".into())])
        .await
        .unwrap();
    log_in(client, app, "admin").await;
    client
        .goto(&app.at("/admin/kalender"))
        .await
        .expect("open the calendar");
    let delete = "#holidays form[action='/admin/kalender/libur/hapus'] button";
    element(client, delete)
        .await
        .click()
        .await
        .expect("click Hapus");
    assert_eq!(
        dialog(client).await,
        "Hapus hari libur 2026-12-25?",
        "{backend}"
    );
    client.dismiss_alert().await.expect("Batal");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.db.holidays().await.unwrap().len(), 1, "{backend}: kept");
    assert_eq!(path_of(client).await, "/admin/kalender", "{backend}");
    element(client, delete)
        .await
        .click()
        .await
        .expect("click Hapus");
    dialog(client).await;
    client.accept_alert().await.expect("OK");
    text_until(client, ".flash", |t| t.contains("Hari libur dihapus")).await;
    assert!(
        app.db.holidays().await.unwrap().is_empty(),
        "{backend}: deleted"
    );
    // holiday-import.js ran: the file picker is shown.
    assert!(
        element(client, "#file-picker")
            .await
            .is_displayed()
            .await
            .unwrap(),
        "{backend}: the file picker is shown by the static script"
    );
    assert_clean(client, backend, "/admin/kalender").await;

    // Deactivating asks first; saving with the box still ticked does not.
    client
        .goto(&app.at("/admin/kategori?ubah=pengaduan"))
        .await
        .expect("open the category");
    element(client, "#category-form input[name='active']")
        .await
        .click()
        .await
        .expect("untick active");
    element(client, "#category-form button[type='submit']")
        .await
        .click()
        .await
        .expect("save");
    assert!(
        dialog(client)
            .await
            .starts_with("Nonaktifkan kategori ini?"),
        "{backend}"
    );
    client.dismiss_alert().await.expect("Batal");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let catalog = app.db.categories().await.unwrap();
    assert!(
        catalog.iter().any(|c| c.code == "pengaduan" && c.active),
        "{backend}: still active"
    );
    assert_clean(client, backend, "/admin/kategori").await;

    // The dashboard's Leaflet map.
    common::post_located_ticket(&app.db, "DISHUB", "Jembatan retak").await;
    client
        .goto(&app.at("/staf/dasbor"))
        .await
        .expect("open the dashboard");
    element(client, "#map .leaflet-interactive").await;
    let drawn = element(client, "#map")
        .await
        .attr("data-markers")
        .await
        .unwrap();
    assert_eq!(drawn.as_deref(), Some("1"), "{backend}: markers on the map");
    assert_clean(client, backend, "/staf/dasbor").await;

    // The error page's "Kembali" appears and goes back.
    client
        .goto(&app.at("/kasus/999999"))
        .await
        .expect("open a missing case");
    let back = element(client, "[data-history-back] a").await;
    assert!(
        back.is_displayed().await.unwrap(),
        "{backend}: Kembali is shown"
    );
    back.click().await.expect("click Kembali");
    element(client, "#map").await;
    assert_eq!(
        path_of(client).await,
        "/staf/dasbor",
        "{backend}: went back"
    );
    assert_clean(client, backend, "error page").await;

    // The simulated handset counts what is typed.
    client
        .goto(&app.at("/simulasi-sms?nomor=081234567890"))
        .await
        .expect("open the handset");
    element(client, "#sms-text")
        .await
        .send_keys("DISHUB lampu mati")
        .await
        .expect("type an SMS");
    text_until(client, "#counter", |t| t == "17 karakter").await;
    assert_clean(client, backend, "/simulasi-sms").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_with_scripts_work_under_the_content_security_policy() {
    let chromedriver = executable("BALAI_TEST_CHROMEDRIVER", "chromedriver");
    let chromium = executable("BALAI_TEST_CHROMIUM", "chromium");
    let mut apps = Vec::new();
    for db in store::testing::each_backend().await {
        seed_org(&db).await;
        apps.push(common::spawn_demo_app(db).await);
    }
    let driver = Chromedriver::start(&chromedriver);
    let client = driver.session(&chromium).await;
    for app in &apps {
        scripts_under_the_policy(&client, app).await;
    }
    client.close().await.expect("close the browser session");
    drop(driver);
}
