//! The site's own styles and scripts and the vendored Leaflet, compiled into the binary and
//! served under `/static/`. Every script a page runs is one of these files: the
//! Content-Security-Policy (`headers.rs`) allows no inline script, no event-handler attribute
//! and no inline style.

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

macro_rules! asset {
    ($path:literal, $content_type:expr) => {
        Asset {
            path: concat!("/static/", $path),
            content_type: $content_type,
            body: include_str!(concat!("../static/", $path)),
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("app.css", CSS),
    // On every page: confirmation before destructive actions, the error page's "Kembali".
    asset!("site.js", JS),
    asset!("complaint-form.js", JS),
    asset!("copy-code.js", JS),
    asset!("handset.js", JS),
    asset!("sms-counter.js", JS),
    asset!("gateway-form.js", JS),
    asset!("holiday-import.js", JS),
    asset!("dashboard-map.js", JS),
    // Leaflet (BSD-2-Clause), unmodified but for its source map line.
    asset!("vendor/leaflet/leaflet.js", JS),
    asset!("vendor/leaflet/leaflet.css", CSS),
];

fn serve(asset: &'static Asset) -> Response {
    // Vendored files change only with an upgrade; ours may change with any release.
    let max_age = if asset.path.starts_with("/static/vendor/") {
        "public, max-age=86400"
    } else {
        "public, max-age=3600"
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, max_age),
        ],
        asset.body,
    )
        .into_response()
}

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    ASSETS.iter().fold(Router::new(), |router, asset| {
        router.route(asset.path, get(move || async move { serve(asset) }))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_asset_has_a_distinct_path() {
        let mut paths: Vec<_> = super::ASSETS.iter().map(|a| a.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), super::ASSETS.len());
    }
}
