//! Refuses a request whose path or query string holds control characters once
//! percent-decoded: PostgreSQL cannot store NUL in text, and no search or filter needs them.
//! Tab, CR and LF pass (search words are split on them). Gateway webhooks are exempt: Kannel
//! sends a UCS-2 text as its raw UTF-16 bytes, NULs included, and the handler decodes them.

use crate::error::{ApiError, PageError};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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
}
