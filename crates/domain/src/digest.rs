//! When the officials' digests are due and what they count (seed `000_…` §12.2): the hourly
//! digest of new tickets covers the last full hour; the daily digest of unanswered tickets goes
//! out once the region's clock has passed the configured time; each official reads the inbox
//! of their role (and those of the officials they stand in for).

use crate::Role;
use chrono::{DateTime, NaiveDateTime, NaiveTime};
use std::collections::BTreeMap;

const HOUR_MS: i64 = 3_600_000;

/// The hour an hourly digest covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hour {
    /// Start and end (exclusive), milliseconds since the epoch.
    pub start: i64,
    pub end: i64,
    /// The period's key, e.g. `2026-12-01T09` (UTC), once per digest and official.
    pub key: String,
}

/// The last full hour before `now`.
pub fn hourly_period(now: i64) -> Hour {
    let end = now - now.rem_euclid(HOUR_MS);
    let key = DateTime::from_timestamp_millis(end)
        .map(|t| t.format("%Y-%m-%dT%H").to_string())
        .unwrap_or_default();
    Hour {
        start: end - HOUR_MS,
        end,
        key,
    }
}

/// The daily digest's period (the local date) once the region's `local` time has passed
/// `send_at` (`HH:MM`; unreadable means midnight); `None` before.
pub fn daily_period(local: NaiveDateTime, send_at: &str) -> Option<String> {
    let send_at = NaiveTime::parse_from_str(send_at, "%H:%M").unwrap_or(NaiveTime::MIN);
    (local.time() >= send_at).then(|| local.format("%Y-%m-%d").to_string())
}

/// The inbox a role reads: `Some(None)` is the secretariat's triage queue, `Some(Some(a))` an
/// agency's; operators (and the other roles) have none: they hear only of dispositions to them.
pub fn own_inbox(role: &str, agency_id: Option<i64>) -> Option<Option<i64>> {
    match Role::parse(role)? {
        Role::Secretariat => Some(None),
        Role::HeadOfAgency | Role::LiaisonOfficer | Role::Staff => agency_id.map(Some),
        _ => None,
    }
}

/// The `n` categories with the most new tickets, most first, then by name.
pub fn top_categories(categories: &BTreeMap<String, i64>, n: usize) -> Vec<(&str, i64)> {
    let mut top: Vec<(&str, i64)> = categories.iter().map(|(c, k)| (c.as_str(), *k)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    top.truncate(n);
    top
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn the_hourly_digest_covers_the_last_full_hour() {
        let table = [
            (
                "2026-12-01T09:30:00Z",
                "2026-12-01T08:00:00Z",
                "2026-12-01T09:00:00Z",
                "2026-12-01T09",
            ),
            (
                "2026-12-01T09:00:00Z",
                "2026-12-01T08:00:00Z",
                "2026-12-01T09:00:00Z",
                "2026-12-01T09",
            ),
            (
                "2026-12-01T08:59:59Z",
                "2026-12-01T07:00:00Z",
                "2026-12-01T08:00:00Z",
                "2026-12-01T08",
            ),
            (
                "2027-01-01T00:10:00Z",
                "2026-12-31T23:00:00Z",
                "2027-01-01T00:00:00Z",
                "2027-01-01T00",
            ),
        ];
        for (now, start, end, key) in table {
            let hour = hourly_period(ms(now));
            assert_eq!(
                hour,
                Hour {
                    start: ms(start),
                    end: ms(end),
                    key: key.into()
                },
                "{now}"
            );
        }
    }

    #[test]
    fn the_daily_digest_is_due_once_the_clock_passes_its_time() {
        let local = |t: &str| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").unwrap();
        let table = [
            ("2026-12-01 06:59", "07:00", None),
            ("2026-12-01 07:00", "07:00", Some("2026-12-01")),
            ("2026-12-01 23:59", "07:00", Some("2026-12-01")),
            ("2026-12-02 00:00", "rusak", Some("2026-12-02")),
            ("2026-12-02 00:00", "00:00", Some("2026-12-02")),
        ];
        for (now, at, due) in table {
            assert_eq!(daily_period(local(now), at).as_deref(), due, "{now} {at}");
        }
    }

    #[test]
    fn each_role_reads_its_inbox() {
        let table = [
            ("secretariat", Some(3), Some(None)),
            ("secretariat", None, Some(None)),
            ("head_of_agency", Some(3), Some(Some(3))),
            ("liaison_officer", Some(3), Some(Some(3))),
            ("staff", Some(3), Some(Some(3))),
            ("staff", None, None),
            ("operator", Some(3), None),
            ("admin", None, None),
            ("head_of_region", None, None),
            ("unknown", Some(3), None),
        ];
        for (role, agency, inbox) in table {
            assert_eq!(own_inbox(role, agency), inbox, "{role} {agency:?}");
        }
    }

    #[test]
    fn top_categories_most_first_then_by_name() {
        let of = |pairs: &[(&str, i64)]| -> BTreeMap<String, i64> {
            pairs.iter().map(|(c, n)| (c.to_string(), *n)).collect()
        };
        type Counts<'a> = Vec<(&'a str, i64)>;
        let table: [(BTreeMap<String, i64>, Counts); 3] = [
            (of(&[]), vec![]),
            (
                of(&[
                    ("saran", 1),
                    ("pengaduan", 4),
                    ("informasi", 4),
                    ("pertanyaan", 2),
                ]),
                vec![("informasi", 4), ("pengaduan", 4), ("pertanyaan", 2)],
            ),
            (of(&[("saran", 2)]), vec![("saran", 2)]),
        ];
        for (categories, expected) in &table {
            assert_eq!(&top_categories(categories, 3), expected);
        }
    }
}
