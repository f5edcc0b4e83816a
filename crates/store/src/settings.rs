//! Shared: region-wide settings that every aggregate reads on its transaction (time zone, the
//! admin-edited SMS templates).

use crate::Result;
use crate::db::{C, run};
use chrono::NaiveTime;

/// The region's time zone (dates in texts, registers and reports are local).
pub async fn region_zone(c: &mut C<'_>) -> Result<chrono_tz::Tz> {
    let zone: String = run!(c, x => sqlx::query_scalar("SELECT timezone FROM region_settings WHERE id = 1")
        .fetch_one(x).await?);
    Ok(zone.parse().unwrap_or(chrono_tz::Asia::Jakarta))
}

/// Fills `{name}` placeholders of a template.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The admin-edited SMS template `code` (empty when missing).
pub async fn template(c: &mut C<'_>, code: &str) -> Result<String> {
    Ok(run!(c, x => sqlx::query_scalar::<_, String>("SELECT body FROM sms_templates WHERE code = $1")
        .bind(code).fetch_optional(x).await?)
    .unwrap_or_default())
}

/// Whether `local` falls in quiet hours written `HH:MM-HH:MM` (may wrap past midnight).
pub fn in_quiet_hours(quiet: Option<&str>, local: NaiveTime) -> bool {
    let Some((from, to)) = quiet.and_then(|q| q.split_once('-')) else {
        return false;
    };
    let parse = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
    match (parse(from), parse(to)) {
        (Some(from), Some(to)) if from <= to => local >= from && local < to,
        (Some(from), Some(to)) => local >= from || local < to,
        _ => false,
    }
}
