//! The dashboard page: region-wide for the secretariat, one agency for its staff, charts as SVG,
//! the map's markers as safe JSON, and clear errors for bad dates; on both backends.

mod common;

use common::{get, get_html, login, post_located_ticket, spawn_apps};

/// The text of the element with `id`, up to the next `<` (enough for the totals).
fn number_in(html: &str, id: &str) -> i64 {
    let start = html
        .find(&format!("id=\"{id}\">"))
        .unwrap_or_else(|| panic!("#{id} in the page"))
        + id.len()
        + 6;
    html[start..]
        .split('<')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("#{id} is a number"))
}

#[tokio::test]
async fn dashboard_is_scoped_charted_and_safe() {
    for app in spawn_apps().await {
        let backend = app.db.backend().as_str();
        post_located_ticket(&app.db, "DISHUB", "Lampu mati").await;
        post_located_ticket(&app.db, "DISHUB", "</script><script>alert(1)</script>").await;
        post_located_ticket(&app.db, "DINKES", "Antrean puskesmas").await;

        let secretariat = login(&app, "sekretariat").await;
        let html = get_html(&app, &secretariat, "/staf/dasbor").await;
        assert_eq!(number_in(&html, "total-received"), 3, "{backend}");
        assert_eq!(number_in(&html, "total-open"), 3, "{backend}");
        for chart in ["chart-per-day", "chart-backlog", "chart-channels"] {
            let at = html.find(chart).unwrap_or_else(|| panic!("{chart}"));
            assert!(html[at..].contains("<svg"), "{backend}: {chart}");
        }
        assert!(html.contains("Dinas Kesehatan"), "{backend}");
        assert!(
            html.contains("/static/vendor/leaflet/leaflet.js"),
            "{backend}"
        );
        assert!(
            html.contains("data-tiles=\"https://tile.openstreetmap.org/{z}/{x}/{y}.png\""),
            "{backend}"
        );
        let markers = html
            .split("<script type=\"application/json\" id=\"map-markers\">")
            .nth(1)
            .and_then(|rest| rest.split("</script>").next())
            .expect("markers");
        let markers: Vec<serde_json::Value> = serde_json::from_str(markers).unwrap();
        assert_eq!(markers.len(), 3, "{backend}");
        assert!(
            !html.contains("<script>alert(1)"),
            "{backend}: nothing unescaped"
        );

        // The liaison officer of DISHUB sees DISHUB only.
        let liaison = login(&app, "penghubung.dishub").await;
        let html = get_html(&app, &liaison, "/staf/dasbor").await;
        assert_eq!(number_in(&html, "total-received"), 2, "{backend}");
        assert!(!html.contains("Dinas Kesehatan"), "{backend}");
        assert!(html.contains("Dasbor OPD"), "{backend}");

        // A period without tickets, then bad dates.
        let html = get_html(
            &app,
            &liaison,
            "/staf/dasbor?dari=2020-01-01&sampai=2020-01-31",
        )
        .await;
        assert_eq!(number_in(&html, "total-received"), 0, "{backend}");
        for bad in [
            "/staf/dasbor?dari=31-01-2020",
            "/staf/dasbor?dari=2020-02-01&sampai=2020-01-01",
            "/staf/dasbor?dari=2020-01-01&sampai=2022-01-01",
        ] {
            let response = get(&app, &liaison, bad).await;
            assert_eq!(response.status(), 422, "{backend}: {bad}");
            let body = response.text().await.unwrap();
            assert!(
                body.contains("tanggal") || body.contains("rentang"),
                "{backend}: {body}"
            );
        }
        // Not logged in: to the login page.
        let response = get(&app, "", "/staf/dasbor").await;
        assert!(response.status().is_redirection(), "{backend}");
        let js = get(&app, "", "/static/vendor/leaflet/leaflet.js").await;
        assert_eq!(js.status(), 200);
        assert!(js.text().await.unwrap().contains("Leaflet"));
    }
}
