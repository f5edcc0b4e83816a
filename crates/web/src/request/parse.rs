//! Reading a request body and the dates in a query string.

use crate::error::ApiError;
use axum::Json;
use axum::extract::rejection::JsonRejection;

/// A JSON body, or a 400 (malformed JSON) / 422 (well-formed but the wrong shape) that says why.
pub fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    match body {
        Ok(Json(value)) => Ok(value),
        Err(JsonRejection::JsonDataError(e)) => Err(ApiError::Unprocessable(e.body_text())),
        Err(e) => Err(ApiError::BadRequest(e.body_text())),
    }
}

/// Parses a date (`YYYY-MM-DD`, in the region's time zone) or an RFC 3339 instant; `end` moves
/// a bare date to the start of the next day.
pub fn parse_when(text: &str, tz: chrono_tz::Tz, end: bool) -> Option<i64> {
    if let Ok(instant) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(instant.timestamp_millis());
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let date = if end { date.succ_opt()? } else { date };
    let local = date
        .and_hms_opt(0, 0, 0)?
        .and_local_timezone(tz)
        .earliest()?;
    Some(local.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::parse_when;

    #[test]
    fn dates_are_local_and_instants_exact() {
        let tz = chrono_tz::Asia::Jakarta;
        // 2026-01-02 00:00 WIB is 2026-01-01 17:00 UTC.
        assert_eq!(parse_when("2026-01-02", tz, false), Some(1_767_286_800_000));
        assert_eq!(
            parse_when("2026-01-02", tz, true),
            Some(1_767_286_800_000 + 86_400_000)
        );
        assert_eq!(
            parse_when("2026-01-01T17:00:00Z", tz, false),
            Some(1_767_286_800_000)
        );
        assert_eq!(parse_when("2026-13-01", tz, false), None);
        assert_eq!(parse_when("kemarin", tz, false), None);
    }
}
