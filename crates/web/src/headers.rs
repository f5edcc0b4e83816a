//! Response headers that depend on the configuration, and who may read `/metrics`.

use crate::config::WebConfig;
use crate::state::AppState;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};

/// Only this site's own scripts, styles, images and forms, plus the map's tile server. No
/// inline script, event-handler attribute, `javascript:` URL, `<style>` block or style
/// attribute runs: every script and style is a file under `/static/` (`assets.rs`).
pub fn content_security_policy(config: &WebConfig) -> HeaderValue {
    let tiles = tile_origin(&config.map_tile_url)
        .map(|origin| format!(" {origin}"))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; img-src 'self' data:{tiles}; script-src 'self'; \
         style-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'self'"))
}

/// `https://tile.example.org` of a Leaflet URL template; a `{s}` subdomain becomes `*`.
fn tile_origin(template: &str) -> Option<String> {
    let (scheme, rest) = template.trim().split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let host = rest.split('/').next()?.replace("{s}", "*");
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '*'));
    valid.then(|| format!("{scheme}://{host}"))
}

/// With the configured bearer token from anywhere; without it, only from `web.metrics_allow`.
/// A request that says it was forwarded by a peer that is not a trusted proxy has no known
/// client address (a local proxy would make everyone look local), so only the token opens it.
pub fn metrics_allowed(state: &AppState, parts: &Parts) -> bool {
    let config = state.config();
    if let Some(expected) = config.metrics_token.as_deref().filter(|t| !t.is_empty()) {
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if given.is_some_and(|given| constant_time_eq(given.as_bytes(), expected.as_bytes())) {
            return true;
        }
    }
    let peer = crate::request::peer_ip(parts);
    let peer_trusted = config.trusted_proxies.iter().any(|net| net.contains(&peer));
    if crate::client_ip::claims_forwarding(&parts.headers) && !peer_trusted {
        return false;
    }
    let client = crate::client_ip::resolve(peer, &parts.headers, &config.trusted_proxies);
    config.metrics_allow.iter().any(|net| net.contains(&client))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tile_server_is_the_only_other_image_source() {
        assert_eq!(
            tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://tile.openstreetmap.org")
        );
        assert_eq!(
            tile_origin("https://{s}.tiles.contoh.go.id:8443/{z}/{x}/{y}.png").as_deref(),
            Some("https://*.tiles.contoh.go.id:8443")
        );
        assert_eq!(tile_origin("/static/tiles/{z}/{x}/{y}.png"), None);
        assert_eq!(tile_origin("https://evil.org; script-src *"), None);
        let csp = content_security_policy(&WebConfig::default());
        let csp = csp.to_str().unwrap();
        assert!(csp.starts_with("default-src 'self'"));
        assert!(csp.contains("img-src 'self' data: https://tile.openstreetmap.org;"));
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("script-src 'self';") && csp.contains("style-src 'self';"));
    }
}
