//! Property tests of the working-time calendar: adding N working minutes and measuring the
//! working time back gives N; results are working instants (or the exact end of a working
//! interval) and never on a holiday; `add` is monotonic; random calendars included.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use domain::calendar::{Duration, Interval, WorkingCalendar, default_week};
use proptest::prelude::*;

const ZONES: [chrono_tz::Tz; 3] = [
    chrono_tz::Asia::Jakarta,
    chrono_tz::Asia::Makassar,
    chrono_tz::Asia::Jayapura,
];

/// 2024-01-01 .. 2026-12-31 in days from 2024-01-01.
const SPAN_DAYS: i64 = 3 * 365;

fn base_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
}

/// One day: 0–3 intervals from sorted distinct boundaries in 0..=1440.
fn day_strategy() -> impl Strategy<Value = Vec<Interval>> {
    prop_oneof![
        1 => Just(vec![]),
        3 => proptest::collection::btree_set(0u16..=1440, 0..=6).prop_map(|points| {
            let points: Vec<u16> = points.into_iter().collect();
            points.chunks_exact(2).map(|p| Interval::new(p[0], p[1])).collect()
        }),
    ]
}

fn week_strategy() -> impl Strategy<Value = [Vec<Interval>; 7]> {
    prop_oneof![
        1 => Just(default_week()),
        3 => proptest::array::uniform7(day_strategy())
            .prop_filter("some working time", |w| w.iter().any(|d| !d.is_empty())),
    ]
}

fn holidays_strategy() -> impl Strategy<Value = Vec<NaiveDate>> {
    // Single days and runs of cuti bersama.
    proptest::collection::vec((0..SPAN_DAYS, 1i64..=9), 0..25).prop_map(|runs| {
        runs.into_iter()
            .flat_map(|(start, len)| (start..start + len).map(|d| base_date() + TimeDelta::days(d)))
            .collect()
    })
}

fn calendar_strategy() -> impl Strategy<Value = WorkingCalendar> {
    (0..ZONES.len(), week_strategy(), holidays_strategy()).prop_map(|(z, week, holidays)| {
        WorkingCalendar::new(ZONES[z], week, holidays).expect("valid calendar")
    })
}

/// An instant in 2024–2026, at whole seconds or with a fraction.
fn instant_strategy() -> impl Strategy<Value = DateTime<Utc>> {
    let base = base_date()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    (
        0..SPAN_DAYS * 86_400,
        prop_oneof![3 => Just(0u32), 1 => 0u32..1_000_000_000],
    )
        .prop_map(move |(s, nanos)| DateTime::from_timestamp(base + s, nanos).unwrap())
}

/// A working instant, or the exact end of a working interval, on a non-holiday.
fn is_working_or_interval_end(cal: &WorkingCalendar, t: DateTime<Utc>) -> bool {
    cal.is_working(t) || cal.is_working(t - TimeDelta::nanoseconds(1))
}

fn local_date(cal: &WorkingCalendar, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&cal.zone()).date_naive()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn add_then_measure_gives_n(
        cal in calendar_strategy(),
        start in instant_strategy(),
        n in 0u32..20_000,
        weeks in 0u32..4,
        whole_weeks in any::<bool>(),
    ) {
        // Sometimes exact multiples of a week's working time (the week-skipping edge).
        let n = if whole_weeks { weeks * cal.minutes_per_week() as u32 + n % 3 } else { n };
        let due = cal.add(start, Duration::WorkingMinutes(n));
        prop_assert_eq!(cal.working_between(start, due), TimeDelta::minutes(i64::from(n)));
        prop_assert_eq!(cal.working_between(due, start), -TimeDelta::minutes(i64::from(n)));
        prop_assert!(due >= start);
        // The earliest such instant: a nanosecond earlier is not enough.
        if n > 0 {
            prop_assert!(cal.working_between(start, due - TimeDelta::nanoseconds(1)) < TimeDelta::minutes(i64::from(n)));
        }
    }

    #[test]
    fn result_is_working_and_never_a_holiday(
        cal in calendar_strategy(),
        start in instant_strategy(),
        d in prop_oneof![(0u32..5_000).prop_map(Duration::WorkingMinutes),
                         (0u32..100).prop_map(Duration::WorkingHours),
                         (0u32..30).prop_map(Duration::WorkingDays)],
    ) {
        let due = cal.add(start, d);
        prop_assert!(is_working_or_interval_end(&cal, due), "{start} + {d} = {due}");
        let day = if cal.is_working(due) { due } else { due - TimeDelta::nanoseconds(1) };
        prop_assert!(!cal.is_holiday(local_date(&cal, day)), "{start} + {d} = {due} on a holiday");
        if matches!(d, Duration::WorkingDays(n) if n > 0) || matches!(d, Duration::WorkingMinutes(n) | Duration::WorkingHours(n) if n > 0) {
            prop_assert!(due > start);
        }
    }

    #[test]
    fn add_is_monotonic_and_additive(
        cal in calendar_strategy(),
        start in instant_strategy(),
        a in 0u32..3_000,
        b in 0u32..3_000,
        da in 0u32..15,
    ) {
        let wm = |n| cal.add(start, Duration::WorkingMinutes(n));
        prop_assert!(wm(a) <= wm(a + b));
        prop_assert_eq!(cal.add(wm(a), Duration::WorkingMinutes(b)), wm(a + b));
        let wd = |n| cal.add(start, Duration::WorkingDays(n));
        prop_assert!(wd(da) <= wd(da + 1));
        if da > 0 {
            prop_assert!(wd(da) < wd(da + 1));
        }
        // A working day is at least as long as the working time it covers is positive.
        prop_assert!(cal.working_between(start, wd(da + 1)) > TimeDelta::zero());
    }

    #[test]
    fn next_working_instant_is_working_and_costs_nothing(cal in calendar_strategy(), t in instant_strategy()) {
        let next = cal.next_working_instant(t);
        prop_assert!(next >= t);
        prop_assert!(cal.is_working(next));
        prop_assert!(!cal.is_holiday(local_date(&cal, next)));
        prop_assert_eq!(cal.working_between(t, next), TimeDelta::zero());
        prop_assert_eq!(cal.add(t, Duration::WorkingMinutes(0)), next);
        prop_assert_eq!(cal.is_working(t), next == t);
    }

    /// Against a minute-by-minute walk on whole-minute starts.
    #[test]
    fn agrees_with_a_minute_by_minute_walk(cal in calendar_strategy(), start in instant_strategy(), n in 1u32..400) {
        let start = DateTime::from_timestamp(start.timestamp() / 60 * 60, 0).unwrap();
        let mut t = start;
        let mut left = n;
        let mut steps = 0;
        while left > 0 && steps < 100_000 {
            if cal.is_working(t) {
                left -= 1;
            }
            t += TimeDelta::minutes(1);
            steps += 1;
        }
        prop_assume!(left == 0);
        prop_assert_eq!(cal.add(start, Duration::WorkingMinutes(n)), t);
    }

    #[test]
    fn duration_text_round_trips(
        d in prop_oneof![(0u32..=1_000_000).prop_map(Duration::Minutes),
                         (0u32..=1_000_000).prop_map(Duration::Hours),
                         (0u32..=1_000_000).prop_map(Duration::Days),
                         (0u32..=1_000_000).prop_map(Duration::WorkingMinutes),
                         (0u32..=1_000_000).prop_map(Duration::WorkingHours),
                         (0u32..=1_000_000).prop_map(Duration::WorkingDays)],
    ) {
        prop_assert_eq!(d.to_string().parse::<Duration>(), Ok(d));
    }
}

#[test]
fn huge_durations_do_not_hang() {
    let cal = WorkingCalendar::default();
    let start: DateTime<Utc> = "2025-01-07T03:00:00Z".parse().unwrap();
    for d in ["1000000wd", "1000000wh", "1000000wm", "1000000d"] {
        let d: Duration = d.parse().unwrap();
        assert!(cal.add(start, d) > start);
    }
    let due = cal.add(start, Duration::WorkingHours(1_000_000));
    assert_eq!(cal.working_between(start, due), TimeDelta::hours(1_000_000));
}
