//! Refuses a request whose path or query string holds control characters once
//! percent-decoded: PostgreSQL cannot store NUL in text, and no search or filter needs them.
//! Tab, CR and LF pass (search words are split on them). Gateway webhooks are exempt: Kannel
//! sends a UCS-2 text as its raw UTF-16 bytes, NULs included, and the handler decodes them.

use crate::error::{ApiError, PageError};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    let uri = request.uri();
    if uri.path().starts_with("/gateway/") {
        return next.run(request).await;
    }
    if has_control(uri.path()) || uri.query().is_some_and(has_control) {
        let error = ApiError::BadRequest("alamat berisi karakter kontrol".into());
        return if uri.path().starts_with("/api/") {
            error.into_response()
        } else {
            PageError(error).into_response()
        };
    }
    next.run(request).await
}

/// PostgreSQL cannot store U+0000 in text, and no field of the API needs it: it is removed from
/// every string of a JSON body sent to `/api/` (the document says so), on both backends alike.
pub async fn strip_nul_from_json(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !json || !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, state.config().max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return ApiError::BadRequest("badan permintaan terlalu besar".into()).into_response();
        }
    };
    let bytes = match nul_escape(&bytes)
        .then(|| serde_json::from_slice::<Value>(&bytes).ok())
        .flatten()
    {
        Some(mut value) => {
            strip_nul(&mut value);
            serde_json::to_vec(&value).map(Into::into).unwrap_or(bytes)
        }
        None => bytes,
    };
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// Whether the JSON text may hold a `\u0000` escape (a raw NUL is not JSON at all).
fn nul_escape(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"))
}

fn strip_nul(value: &mut Value) {
    match value {
        Value::String(s) if s.contains('\0') => s.retain(|c| c != '\0'),
        Value::Array(items) => items.iter_mut().for_each(strip_nul),
        Value::Object(map) => {
            let keyed: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            for (key, mut item) in keyed {
                strip_nul(&mut item);
                map.insert(key.replace('\0', ""), item);
            }
        }
        _ => {}
    }
}

fn has_control(raw: &str) -> bool {
    String::from_utf8_lossy(&percent_decode(raw.as_bytes()))
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let decoded = (raw[i] == b'%' && i + 2 < raw.len())
            .then(|| Some(hex(raw[i + 1])? << 4 | hex(raw[i + 2])?))
            .flatten();
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(raw[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_encoded_or_not() {
        assert!(has_control("q=a%00b"));
        assert!(has_control("q=%1B%5B31m"));
        assert!(has_control("q=%7F"));
        assert!(has_control("q=%C2%85"));
        assert!(!has_control("q=lampu+jalan%0A%09"));
        assert!(!has_control("q=%22%22&page=2"));
        assert!(!has_control("q=%"));
        assert!(!has_control("q=%2"));
        assert!(!has_control("q=%FF%FE"));
        assert_eq!(percent_decode(b"%41%4a%"), b"AJ%");
    }

    #[test]
    fn nul_is_removed_from_every_json_string() {
        let text = br#"{"reason":"sara","detail":"\u009e\u0000x","a\u0000":["\u0000"]}"#;
        assert!(nul_escape(text));
        let mut value: Value = serde_json::from_slice(text).unwrap();
        strip_nul(&mut value);
        assert_eq!(
            value,
            serde_json::json!({ "reason": "sara", "detail": "\u{9e}x", "a": [""] })
        );
        assert!(!nul_escape(br#"{"detail":"tanpa"}"#));
    }
}
