//! Working-time calendar and SLA arithmetic (SOP "hari kerja", MISSION C1–C2).
//!
//! A [`WorkingCalendar`] is a region's time zone, its working intervals per weekday and its
//! holidays (national holidays and *cuti bersama*). [`WorkingCalendar::add`] computes a step's
//! `due_at` from its start and a [`Duration`]; [`WorkingCalendar::working_between`] measures the
//! working time between two instants (the inverse, used for "time to answer" reports).
//!
//! All arithmetic happens on the local wall clock of the calendar's zone. The Indonesian zones
//! (WIB, WITA, WIT) have no daylight saving time; other zones work, with a local time that falls
//! in a DST gap moved forward past the gap and an ambiguous one resolved to the earlier instant.
//!
//! Cost: `add` skips whole holiday-free weeks arithmetically and finds holidays by binary
//! search in a sorted `Vec`; it allocates nothing.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

const DAY_SECS: u32 = 86_400;
/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const UNIX_EPOCH_DAY: i64 = 719_163;
/// Largest number accepted in a [`Duration`] (any unit).
pub const MAX_DURATION_VALUE: u32 = 1_000_000;

// ---------------------------------------------------------------------------------------------
// Intervals and errors
// ---------------------------------------------------------------------------------------------

/// A working interval of one day, in minutes since local midnight, half-open `[start, end)`.
/// `end` may be 1440 (24:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Interval {
    pub start: u16,
    pub end: u16,
}

impl Interval {
    /// An interval from minutes since midnight; not validated (see [`WorkingCalendar::new`]).
    pub const fn new(start: u16, end: u16) -> Self {
        Interval { start, end }
    }

    /// `Interval::hm(7, 30, 12, 0)` is 07:30–12:00.
    pub const fn hm(start_h: u16, start_m: u16, end_h: u16, end_m: u16) -> Self {
        Interval {
            start: start_h * 60 + start_m,
            end: end_h * 60 + end_m,
        }
    }

    /// Length in minutes (0 for an invalid, reversed interval).
    pub fn minutes(self) -> u32 {
        u32::from(self.end.saturating_sub(self.start))
    }
}

fn fmt_hm(f: &mut fmt::Formatter<'_>, minutes: u16) -> fmt::Result {
    write!(f, "{:02}:{:02}", minutes / 60, minutes % 60)
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_hm(f, self.start)?;
        f.write_str("-")?;
        fmt_hm(f, self.end)
    }
}

fn parse_hm(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

impl FromStr for Interval {
    type Err = CalendarError;

    /// `07:30-12:00` (also with an en dash); `24:00` is allowed as an end.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || CalendarError::BadIntervalText(text.to_string());
        let (a, b) = text.split_once(['-', '–']).ok_or_else(bad)?;
        let start = parse_hm(a).ok_or_else(bad)?;
        let end = parse_hm(b).ok_or_else(bad)?;
        Ok(Interval { start, end })
    }
}

/// Why a calendar or a duration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{day}: interval {interval} is empty or reversed (start must be before end)")]
    EmptyInterval {
        day: &'static str,
        interval: Interval,
    },
    #[error("{day}: interval {interval} ends after 24:00")]
    PastMidnight {
        day: &'static str,
        interval: Interval,
    },
    #[error("{day}: intervals {first} and {second} overlap or are out of order")]
    Overlap {
        day: &'static str,
        first: Interval,
        second: Interval,
    },
    #[error("no working time in the week: at least one day needs a working interval")]
    NoWorkingTime,
    #[error("bad interval {0:?}: expected HH:MM-HH:MM, e.g. 07:30-12:00")]
    BadIntervalText(String),
    #[error(
        "bad week spec {0:?}: expected e.g. \"mon-thu 07:30-12:00 13:00-16:00; fri 07:30-11:30\""
    )]
    BadWeekSpec(String),
    #[error("unknown time zone {0:?}: use e.g. Asia/Jakarta, Asia/Makassar or Asia/Jayapura")]
    UnknownZone(String),
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

// ---------------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------------

/// A step's allowed time. Text form: a whole number and a unit, e.g. `30m`, `3h`, `1d` (clock
/// time: added plainly, `1d` = 24 h), `90wm`, `5wh` (working minutes and hours: only working
/// time counts), `2wd` (working days, see [`WorkingCalendar::add`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Duration {
    Minutes(u32),
    Hours(u32),
    Days(u32),
    WorkingMinutes(u32),
    WorkingHours(u32),
    WorkingDays(u32),
}

impl Duration {
    /// Whether the duration counts working time only.
    pub fn is_working(self) -> bool {
        matches!(
            self,
            Duration::WorkingMinutes(_) | Duration::WorkingHours(_) | Duration::WorkingDays(_)
        )
    }

    fn parts(self) -> (u32, &'static str) {
        match self {
            Duration::Minutes(n) => (n, "m"),
            Duration::Hours(n) => (n, "h"),
            Duration::Days(n) => (n, "d"),
            Duration::WorkingMinutes(n) => (n, "wm"),
            Duration::WorkingHours(n) => (n, "wh"),
            Duration::WorkingDays(n) => (n, "wd"),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, unit) = self.parts();
        write!(f, "{n}{unit}")
    }
}

/// Why a duration text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("empty duration: expected e.g. 30m, 3h, 1d, 90wm, 5wh or 2wd")]
    Empty,
    #[error("duration {0:?} has no number: expected e.g. 30m, 3h, 1d, 90wm, 5wh or 2wd")]
    NoNumber(String),
    #[error("duration {text:?} has no or an unknown unit {unit:?}: use m, h, d, wm, wh or wd")]
    BadUnit { text: String, unit: String },
    #[error("duration {0:?} is too large (at most {MAX_DURATION_VALUE} units)")]
    TooLarge(String),
}

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        if t.is_empty() {
            return Err(DurationError::Empty);
        }
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(DurationError::NoNumber(text.to_string()));
        }
        let (num, unit) = t.split_at(digits);
        let too_large = || DurationError::TooLarge(text.to_string());
        let n: u32 = num.parse().map_err(|_| too_large())?;
        if n > MAX_DURATION_VALUE {
            return Err(too_large());
        }
        Ok(match unit.trim().to_ascii_lowercase().as_str() {
            "m" => Duration::Minutes(n),
            "h" => Duration::Hours(n),
            "d" => Duration::Days(n),
            "wm" => Duration::WorkingMinutes(n),
            "wh" => Duration::WorkingHours(n),
            "wd" => Duration::WorkingDays(n),
            other => {
                return Err(DurationError::BadUnit {
                    text: text.to_string(),
                    unit: other.to_string(),
                });
            }
        })
    }
}

impl TryFrom<String> for Duration {
    type Error = DurationError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Duration> for String {
    fn from(d: Duration) -> String {
        d.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// The calendar
// ---------------------------------------------------------------------------------------------

/// A region's working time: zone, working intervals per weekday, holidays.
///
/// [`WorkingCalendar::default`] is the Indonesian default: zone `Asia/Jakarta` (WIB);
/// Monday–Thursday 07:30–12:00 and 13:00–16:00; Friday 07:30–11:30 and 13:00–16:00 (longer
/// break for Friday prayers); Saturday and Sunday off; no holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    zone: Tz,
    /// Intervals per weekday (Monday = 0), in minutes.
    week: [Vec<Interval>; 7],
    /// The same in seconds `(start, end)`, for arithmetic.
    secs: [Vec<(u32, u32)>; 7],
    /// Working seconds per weekday.
    day_secs: [i64; 7],
    week_secs: i64,
    /// Weekdays with working time.
    week_days: i64,
    /// Holidays as `num_days_from_ce`, sorted, no duplicates.
    holidays: Vec<i64>,
}

impl Default for WorkingCalendar {
    fn default() -> Self {
        Self::new(chrono_tz::Asia::Jakarta, default_week(), []).expect("the default week is valid")
    }
}

/// The default week: Mon–Thu 07:30–12:00, 13:00–16:00; Fri 07:30–11:30, 13:00–16:00; Sat, Sun off.
pub fn default_week() -> [Vec<Interval>; 7] {
    let mon_thu = vec![Interval::hm(7, 30, 12, 0), Interval::hm(13, 0, 16, 0)];
    let fri = vec![Interval::hm(7, 30, 11, 30), Interval::hm(13, 0, 16, 0)];
    [
        mon_thu.clone(),
        mon_thu.clone(),
        mon_thu.clone(),
        mon_thu,
        fri,
        vec![],
        vec![],
    ]
}

/// Parses a week spec such as `mon-thu 07:30-12:00 13:00-16:00; fri 07:30-11:30 13:00-16:00;
/// sat 08:00-12:00`. Days not named are off. Day names are English or Indonesian three-letter
/// (`sen sel rab kam jum sab min`); a range `mon-fri` wraps within the week.
pub fn parse_week(spec: &str) -> Result<[Vec<Interval>; 7], CalendarError> {
    const ID: [&str; 7] = ["sen", "sel", "rab", "kam", "jum", "sab", "min"];
    let bad = || CalendarError::BadWeekSpec(spec.to_string());
    let day = |name: &str| {
        let n = name.to_ascii_lowercase();
        let n = n.get(..3).unwrap_or(&n).to_string();
        DAY_NAMES
            .iter()
            .position(|d| *d == n)
            .or_else(|| ID.iter().position(|d| *d == n))
    };
    let mut week: [Vec<Interval>; 7] = Default::default();
    for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let days = words.next().ok_or_else(bad)?;
        let (a, b) = match days.split_once('-') {
            Some((a, b)) => (day(a).ok_or_else(bad)?, day(b).ok_or_else(bad)?),
            None => {
                let d = day(days).ok_or_else(bad)?;
                (d, d)
            }
        };
        let intervals = words
            .flat_map(|w| w.split(',').filter(|s| !s.is_empty()))
            .map(str::parse)
            .collect::<Result<Vec<Interval>, _>>()?;
        let mut d = a;
        loop {
            week[d] = intervals.clone();
            if d == b {
                break;
            }
            d = (d + 1) % 7;
        }
    }
    Ok(week)
}

/// Formats a week the way [`parse_week`] reads it, one day per part.
pub fn format_week(week: &[Vec<Interval>; 7]) -> String {
    let mut out = String::new();
    for (i, ivs) in week.iter().enumerate().filter(|(_, ivs)| !ivs.is_empty()) {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(DAY_NAMES[i]);
        for iv in ivs {
            out.push(' ');
            out.push_str(&iv.to_string());
        }
    }
    out
}

/// Parses an IANA zone name such as `Asia/Makassar`.
pub fn parse_zone(name: &str) -> Result<Tz, CalendarError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| CalendarError::UnknownZone(name.to_string()))
}

fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

fn weekday_index(day: i64) -> usize {
    // num_days_from_ce 1 is Monday 0001-01-01.
    (day - 1).rem_euclid(7) as usize
}

/// A local wall-clock position: day number, seconds since midnight, nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Local {
    day: i64,
    sec: u32,
    nanos: u32,
}

impl WorkingCalendar {
    /// Builds a calendar; intervals of each day must be non-empty, sorted, non-overlapping
    /// (touching is allowed) and within the day (end at most 24:00), and at least one day must
    /// have working time.
    pub fn new(
        zone: Tz,
        week: [Vec<Interval>; 7],
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, CalendarError> {
        let mut secs: [Vec<(u32, u32)>; 7] = Default::default();
        let mut day_secs = [0i64; 7];
        for (i, ivs) in week.iter().enumerate() {
            let day = DAY_NAMES[i];
            for (j, iv) in ivs.iter().enumerate() {
                if iv.start >= iv.end {
                    return Err(CalendarError::EmptyInterval { day, interval: *iv });
                }
                if iv.end > 1440 {
                    return Err(CalendarError::PastMidnight { day, interval: *iv });
                }
                if j > 0 && ivs[j - 1].end > iv.start {
                    return Err(CalendarError::Overlap {
                        day,
                        first: ivs[j - 1],
                        second: *iv,
                    });
                }
                secs[i].push((u32::from(iv.start) * 60, u32::from(iv.end) * 60));
                day_secs[i] += i64::from(iv.minutes()) * 60;
            }
        }
        let week_secs: i64 = day_secs.iter().sum();
        if week_secs == 0 {
            return Err(CalendarError::NoWorkingTime);
        }
        let week_days = day_secs.iter().filter(|s| **s > 0).count() as i64;
        let mut cal = WorkingCalendar {
            zone,
            week,
            secs,
            day_secs,
            week_secs,
            week_days,
            holidays: vec![],
        };
        cal.set_holidays(holidays);
        Ok(cal)
    }

    /// Replaces the holidays (duplicates are merged).
    pub fn set_holidays(&mut self, holidays: impl IntoIterator<Item = NaiveDate>) {
        let mut days: Vec<i64> = holidays.into_iter().map(day_number).collect();
        days.sort_unstable();
        days.dedup();
        self.holidays = days;
    }

    /// The same calendar with these holidays instead.
    pub fn with_holidays(mut self, holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.set_holidays(holidays);
        self
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Working intervals per weekday, Monday first.
    pub fn week(&self) -> &[Vec<Interval>; 7] {
        &self.week
    }

    /// Holidays, sorted.
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays
            .iter()
            .filter_map(|d| NaiveDate::from_num_days_from_ce_opt(*d as i32))
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.binary_search(&day_number(date)).is_ok()
    }

    /// Whether `date` has working time (a weekday with intervals and not a holiday).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        let day = day_number(date);
        self.day_secs[weekday_index(day)] > 0 && !self.is_holiday(date)
    }

    /// Working minutes in a full week without holidays.
    pub fn minutes_per_week(&self) -> i64 {
        self.week_secs / 60
    }

    // ----- conversions -------------------------------------------------------------------

    fn to_local(&self, t: DateTime<Utc>) -> Local {
        let offset = i64::from(self.offset_secs(t));
        let local = t.timestamp() + offset;
        Local {
            day: local.div_euclid(i64::from(DAY_SECS)) + UNIX_EPOCH_DAY,
            sec: local.rem_euclid(i64::from(DAY_SECS)) as u32,
            nanos: t.timestamp_subsec_nanos().min(999_999_999),
        }
    }

    fn offset_secs(&self, t: DateTime<Utc>) -> i32 {
        use chrono::Offset;
        self.zone
            .offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc()
    }

    fn to_utc(&self, l: Local) -> Option<DateTime<Utc>> {
        let secs = (l.day - UNIX_EPOCH_DAY) * i64::from(DAY_SECS) + i64::from(l.sec);
        let naive: NaiveDateTime = DateTime::from_timestamp(secs, l.nanos)?.naive_utc();
        let mut probe = naive;
        // A local time in a DST gap does not exist: move forward until it does.
        for _ in 0..8 {
            match self.zone.from_local_datetime(&probe) {
                LocalResult::Single(t) => return Some(t.with_timezone(&Utc)),
                LocalResult::Ambiguous(a, _) => return Some(a.with_timezone(&Utc)),
                LocalResult::None => probe += TimeDelta::minutes(30),
            }
        }
        None
    }

    // ----- local helpers -----------------------------------------------------------------

    fn holiday_at(&self, day: i64) -> bool {
        self.holidays.binary_search(&day).is_ok()
    }

    /// Index of the first holiday on or after `day`.
    fn holiday_cursor(&self, day: i64) -> usize {
        self.holidays.partition_point(|h| *h < day)
    }

    fn is_working_local(&self, l: Local) -> bool {
        self.secs[weekday_index(l.day)]
            .iter()
            .any(|&(s, e)| s <= l.sec && l.sec < e)
            && !self.holiday_at(l.day)
    }

    /// The first working instant at or after `l` (sub-seconds dropped when it moves).
    fn next_working_local(&self, l: Local) -> Local {
        if !self.holiday_at(l.day) {
            for &(s, e) in &self.secs[weekday_index(l.day)] {
                if l.sec < e {
                    return if s <= l.sec {
                        l
                    } else {
                        Local {
                            day: l.day,
                            sec: s,
                            nanos: 0,
                        }
                    };
                }
            }
        }
        let mut day = l.day + 1;
        let mut hi = self.holiday_cursor(day);
        loop {
            if self.holidays.get(hi) == Some(&day) {
                hi += 1;
            } else if let Some(&(s, _)) = self.secs[weekday_index(day)].first() {
                return Local {
                    day,
                    sec: s,
                    nanos: 0,
                };
            }
            day += 1;
        }
    }

    /// Working seconds on `day` before `sec` (0 on a holiday), and whether `sec` is working.
    fn worked_before(&self, day: i64, sec: u32) -> (i64, bool) {
        if self.holiday_at(day) {
            return (0, false);
        }
        let mut total = 0i64;
        for &(s, e) in &self.secs[weekday_index(day)] {
            if e <= sec {
                total += i64::from(e - s);
            } else {
                if s <= sec {
                    return (total + i64::from(sec - s), true);
                }
                break;
            }
        }
        (total, false)
    }

    /// The second of `day` at which `n` working seconds of the day have passed
    /// (`0 < n <= day_secs`); exactly at an interval's end when `n` ends there.
    fn at_worked(&self, day: i64, mut n: i64) -> u32 {
        let ivs = &self.secs[weekday_index(day)];
        for &(s, e) in ivs {
            let len = i64::from(e - s);
            if n <= len {
                return s + n as u32;
            }
            n -= len;
        }
        ivs.last().map_or(0, |iv| iv.1)
    }

    /// Normalises an interval-end landing that carries sub-seconds into working time.
    fn finish(&self, l: Local) -> Option<DateTime<Utc>> {
        let l = if l.nanos > 0 && !self.is_working_local(l) {
            Local {
                nanos: l.nanos,
                ..self.next_working_local(Local { nanos: 0, ..l })
            }
        } else {
            l
        };
        self.to_utc(l)
    }

    // ----- public arithmetic -------------------------------------------------------------

    /// Whether `t` is inside a working interval (`[start, end)`) of a working day.
    pub fn is_working(&self, t: DateTime<Utc>) -> bool {
        self.is_working_local(self.to_local(t))
    }

    /// `t` itself when it is working time, otherwise the start of the next working interval.
    pub fn next_working_instant(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let l = self.to_local(t);
        if self.is_working_local(l) {
            return t;
        }
        self.to_utc(self.next_working_local(l))
            .expect("next working instant out of range")
    }

    /// The due instant of a step started at `start` and allowed `d`.
    ///
    /// * `m`, `h`, `d`: clock time, added plainly (`1d` = 24 h).
    /// * `wm`, `wh`: only working time counts. A start outside working time counts from the next
    ///   working instant. When the time runs out exactly at the end of a working interval the
    ///   result is that end (e.g. 12:00 or 16:00), not the start of the next interval.
    /// * `wd` (working days), the SOP's "N hari kerja":
    ///   - started **during a working day's hours** (from its opening to its closing, breaks
    ///     included; e.g. Tuesday 10:00 or in the break at 12:30): due on the Nth working day
    ///     after that day at the same clock time, clamped to that day's working time — the
    ///     latest working moment at or before that clock time (in a break: the end of the
    ///     interval before it; after that day's closing: closing time), or the day's opening if
    ///     it opens later. Tuesday 10:00 + 1wd = Wednesday 10:00; Friday 15:00 + 1wd = Monday
    ///     15:00; Tuesday 12:30 + 1wd = Wednesday 12:00.
    ///   - started **before opening, after closing, or on a weekend or holiday**: the first N
    ///     working days from the next working day are allowed in full, so it is due at closing
    ///     time of the Nth working day counting that next working day as the first. Saturday +
    ///     1wd = Monday 16:00; Tuesday 06:00 + 1wd = Tuesday 16:00; Tuesday 17:00 + 1wd =
    ///     Wednesday 16:00.
    ///   - `0wd` (like `0wm`) is [`next_working_instant`](Self::next_working_instant).
    ///
    /// Panics only if the result is outside chrono's range (beyond year 262,000).
    pub fn add(&self, start: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
        self.checked_add(start, d)
            .expect("due instant out of range")
    }

    /// [`add`](Self::add), `None` if the result is outside chrono's range.
    pub fn checked_add(&self, start: DateTime<Utc>, d: Duration) -> Option<DateTime<Utc>> {
        match d {
            Duration::Minutes(n) => start.checked_add_signed(TimeDelta::minutes(i64::from(n))),
            Duration::Hours(n) => start.checked_add_signed(TimeDelta::hours(i64::from(n))),
            Duration::Days(n) => start.checked_add_signed(TimeDelta::days(i64::from(n))),
            Duration::WorkingMinutes(n) => self.add_working_secs(start, i64::from(n) * 60),
            Duration::WorkingHours(n) => self.add_working_secs(start, i64::from(n) * 3600),
            Duration::WorkingDays(n) => self.add_working_days(start, i64::from(n)),
        }
    }

    /// Adds `n` working seconds (`n >= 0`).
    pub fn add_working_seconds(&self, start: DateTime<Utc>, n: i64) -> DateTime<Utc> {
        self.add_working_secs(start, n.max(0))
            .expect("due instant out of range")
    }

    fn add_working_secs(&self, start: DateTime<Utc>, mut n: i64) -> Option<DateTime<Utc>> {
        let l = self.next_working_local(self.to_local(start));
        // The rest of the first day.
        for &(s, e) in &self.secs[weekday_index(l.day)] {
            if e <= l.sec {
                continue;
            }
            let from = s.max(l.sec);
            let len = i64::from(e - from);
            if n <= len {
                return self.finish(Local {
                    sec: from + n as u32,
                    ..l
                });
            }
            n -= len;
        }
        let mut day = l.day + 1;
        let mut hi = self.holiday_cursor(day);
        loop {
            if n > self.week_secs {
                let free_weeks = self.holidays.get(hi).map_or(i64::MAX, |h| (h - day) / 7);
                let k = free_weeks.min((n - 1) / self.week_secs);
                day += 7 * k;
                n -= k * self.week_secs;
            }
            if self.holidays.get(hi) == Some(&day) {
                hi += 1;
            } else {
                let ds = self.day_secs[weekday_index(day)];
                if n <= ds && ds > 0 {
                    return self.finish(Local {
                        day,
                        sec: self.at_worked(day, n),
                        nanos: l.nanos,
                    });
                }
                n -= ds;
            }
            day += 1;
        }
    }

    /// The `n`th working day after `day` (`n >= 1`), or `day` itself for `n == 0`.
    fn nth_working_day_after(&self, day: i64, mut n: i64) -> i64 {
        if n <= 0 {
            return day;
        }
        let mut day = day + 1;
        let mut hi = self.holiday_cursor(day);
        loop {
            if n > self.week_days {
                let free_weeks = self.holidays.get(hi).map_or(i64::MAX, |h| (h - day) / 7);
                let k = free_weeks.min((n - 1) / self.week_days);
                day += 7 * k;
                n -= k * self.week_days;
            }
            if self.holidays.get(hi) == Some(&day) {
                hi += 1;
            } else if self.day_secs[weekday_index(day)] > 0 {
                n -= 1;
                if n == 0 {
                    return day;
                }
            }
            day += 1;
        }
    }

    fn add_working_days(&self, start: DateTime<Utc>, n: i64) -> Option<DateTime<Utc>> {
        let l = self.to_local(start);
        if n == 0 {
            return self.to_utc(self.next_working_local(l));
        }
        let ivs = &self.secs[weekday_index(l.day)];
        // Arriving after the day's last interval counts like arriving before the next day opens.
        let started = !self.holiday_at(l.day)
            && ivs.first().is_some_and(|iv| iv.0 <= l.sec)
            && ivs.last().is_some_and(|iv| l.sec < iv.1);
        if started {
            let target = self.nth_working_day_after(l.day, n);
            let tivs = &self.secs[weekday_index(target)];
            let mut result = Local {
                day: target,
                sec: tivs[0].0,
                nanos: 0,
            };
            for &(s, e) in tivs {
                if s > l.sec {
                    break;
                }
                result = if l.sec < e {
                    Local { day: target, ..l }
                } else {
                    Local {
                        day: target,
                        sec: e,
                        nanos: 0,
                    }
                };
            }
            self.to_utc(result)
        } else {
            let first = self.next_working_local(l).day;
            let target = self.nth_working_day_after(first, n - 1);
            let end = self.secs[weekday_index(target)].last().map_or(0, |iv| iv.1);
            self.to_utc(Local {
                day: target,
                sec: end,
                nanos: 0,
            })
        }
    }

    /// Working time between `a` and `b`: positive when `a < b`, negative when `b < a`.
    /// Inverse of [`add`](Self::add) for working minutes and hours:
    /// `working_between(t, add(t, Nwm)) == N minutes`.
    pub fn working_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> TimeDelta {
        if b < a {
            return -self.working_between(b, a);
        }
        let la = self.to_local(a);
        let lb = self.to_local(b);
        let mut total = 0i64;
        let mut day = la.day;
        let mut hi = self.holiday_cursor(day);
        while day < lb.day {
            let free_weeks = self.holidays.get(hi).map_or(i64::MAX, |h| (h - day) / 7);
            let k = free_weeks.min((lb.day - day) / 7);
            if k > 0 {
                total += k * self.week_secs;
                day += 7 * k;
                continue;
            }
            if self.holidays.get(hi) == Some(&day) {
                hi += 1;
            } else {
                total += self.day_secs[weekday_index(day)];
            }
            day += 1;
        }
        let (wa, in_a) = self.worked_before(la.day, la.sec);
        let (wb, in_b) = self.worked_before(lb.day, lb.sec);
        let nanos =
            i64::from(if in_b { lb.nanos } else { 0 }) - i64::from(if in_a { la.nanos } else { 0 });
        TimeDelta::seconds(total - wa + wb) + TimeDelta::nanoseconds(nanos)
    }

    /// Working minutes between `a` and `b`, rounded toward zero.
    pub fn working_minutes_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        self.working_between(a, b).num_minutes()
    }

    /// Where an open item stands against its deadline: overdue once `due` has passed; due soon
    /// when less than one working hour, or less than a fifth of the working time it was given,
    /// is left.
    pub fn due_state(
        &self,
        given_at: DateTime<Utc>,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> DueState {
        if now >= due {
            return DueState::Overdue;
        }
        let left = self.working_minutes_between(now, due);
        let given = self.working_minutes_between(given_at, due).max(1);
        if left < 60 || left * 5 < given {
            DueState::DueSoon
        } else {
            DueState::OnTime
        }
    }
}

/// See [`WorkingCalendar::due_state`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueState {
    OnTime,
    DueSoon,
    Overdue,
}

impl DueState {
    pub fn as_str(self) -> &'static str {
        match self {
            DueState::OnTime => "on-time",
            DueState::DueSoon => "due-soon",
            DueState::Overdue => "overdue",
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            DueState::OnTime => "tepat waktu",
            DueState::DueSoon => "segera jatuh tempo",
            DueState::Overdue => "terlambat",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Holiday import
// ---------------------------------------------------------------------------------------------

/// Why a holiday file was refused; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ImportError {
    pub line: usize,
    pub message: String,
}

fn import_err(line: usize, message: impl Into<String>) -> ImportError {
    ImportError {
        line,
        message: message.into(),
    }
}

/// Splits one CSV record (RFC 4180 quoting, `""` inside quotes is a quote).
fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else {
            match c {
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    was_quoted = false;
                }
                '"' if field.trim().is_empty() && !was_quoted => {
                    field.clear();
                    quoted = true;
                    was_quoted = true;
                }
                '"' => return Err("stray quote in an unquoted field".into()),
                _ if was_quoted && !c.is_whitespace() => {
                    return Err("text after a closing quote".into());
                }
                _ => field.push(c),
            }
        }
    }
    if quoted {
        return Err("unterminated quote (a name may not span lines)".into());
    }
    fields.push(field);
    Ok(fields)
}

/// A holiday file in either format: iCalendar when it begins with `BEGIN:VCALENDAR`, else CSV
/// with the header `date,name`.
pub fn parse_holidays(text: &str) -> Result<Vec<(NaiveDate, String)>, ImportError> {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.len() >= 15 && head[..15].eq_ignore_ascii_case("BEGIN:VCALENDAR") {
        parse_holidays_ics(text)
    } else {
        parse_holidays_csv(text)
    }
}

/// Parses a holiday CSV: header `date,name`, then one `YYYY-MM-DD,name` per line; names may be
/// quoted (`"Idul Fitri, hari ke-1"`). Blank lines are skipped; a UTF-8 BOM is allowed.
pub fn parse_holidays_csv(text: &str) -> Result<Vec<(NaiveDate, String)>, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut header = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields = csv_fields(line).map_err(|m| import_err(line_no, m))?;
        if !header {
            let names: Vec<String> = fields
                .iter()
                .map(|f| f.trim().to_ascii_lowercase())
                .collect();
            if names != ["date", "name"] {
                return Err(import_err(
                    line_no,
                    format!("expected the header \"date,name\", found {line:?}"),
                ));
            }
            header = true;
            continue;
        }
        if fields.len() != 2 {
            return Err(import_err(
                line_no,
                format!("expected 2 fields (date,name), found {}", fields.len()),
            ));
        }
        let date_text = fields[0].trim();
        let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
            .ok()
            .filter(|_| date_text.len() == 10)
            .ok_or_else(|| {
                import_err(
                    line_no,
                    format!("bad date {date_text:?}: expected YYYY-MM-DD"),
                )
            })?;
        let name = fields[1].trim();
        if name.is_empty() {
            return Err(import_err(line_no, "empty name"));
        }
        out.push((date, name.to_string()));
    }
    if !header {
        return Err(import_err(
            1,
            "empty file: expected the header \"date,name\"",
        ));
    }
    Ok(out)
}

/// Unfolds RFC 5545 content lines: `(first physical line number, logical line)`.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if let Some(rest) = line.strip_prefix([' ', '\t'])
            && let Some(last) = out.last_mut()
        {
            last.1.push_str(rest);
            continue;
        }
        if !line.trim().is_empty() {
            out.push((i + 1, line.to_string()));
        }
    }
    out
}

/// Splits `NAME;PARAMS:VALUE` at the first colon outside quoted parameter values.
fn split_content_line(line: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some((&line[..i], &line[i + 1..])),
            _ => {}
        }
    }
    None
}

fn ics_date(value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    let date = v.get(..8)?;
    if !(v.len() == 8 || v.as_bytes().get(8) == Some(&b'T')) {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y%m%d").ok()
}

fn ics_unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push(' '),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// Longest event accepted, in days (a *cuti bersama* block is a week or two).
const MAX_EVENT_DAYS: i64 = 366;

/// Parses an iCalendar (.ics) holiday file: each `VEVENT` with `DTSTART;VALUE=DATE:YYYYMMDD`
/// (a date-time value counts by its date) and an optional exclusive `DTEND` gives one entry per
/// day, named by `SUMMARY`. Folded lines (RFC 5545 §3.1) and CRLF or LF line ends are accepted.
/// Recurring events (`RRULE`, `RDATE`) are refused rather than imported once.
pub fn parse_holidays_ics(text: &str) -> Result<Vec<(NaiveDate, String)>, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut saw_calendar = false;
    // (line of BEGIN:VEVENT, dtstart, dtend, summary)
    let mut event: Option<(usize, Option<NaiveDate>, Option<NaiveDate>, String)> = None;
    for (line_no, line) in unfold(text) {
        let (name_params, value) = split_content_line(&line)
            .ok_or_else(|| import_err(line_no, format!("not a content line: {line:?}")))?;
        let name = name_params
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_uppercase();
        let value_upper = value.trim().to_ascii_uppercase();
        match (name.as_str(), value_upper.as_str()) {
            ("BEGIN", "VCALENDAR") => saw_calendar = true,
            ("BEGIN", "VEVENT") => {
                if event.is_some() {
                    return Err(import_err(line_no, "BEGIN:VEVENT inside another VEVENT"));
                }
                event = Some((line_no, None, None, String::new()));
            }
            ("END", "VEVENT") => {
                let Some((begin, start, end, summary)) = event.take() else {
                    return Err(import_err(line_no, "END:VEVENT without BEGIN:VEVENT"));
                };
                let start = start.ok_or_else(|| import_err(begin, "VEVENT without DTSTART"))?;
                let end = end.unwrap_or(start + TimeDelta::days(1));
                let days = (end - start).num_days();
                if days < 1 {
                    return Err(import_err(
                        begin,
                        format!("DTEND {end} is not after DTSTART {start}"),
                    ));
                }
                if days > MAX_EVENT_DAYS {
                    return Err(import_err(
                        begin,
                        format!("event of {days} days is too long"),
                    ));
                }
                let summary = if summary.is_empty() {
                    "Libur".to_string()
                } else {
                    summary
                };
                for k in 0..days {
                    out.push((start + TimeDelta::days(k), summary.clone()));
                }
            }
            ("DTSTART" | "DTEND", _) if event.is_some() => {
                let date = ics_date(value).ok_or_else(|| {
                    import_err(
                        line_no,
                        format!("bad {name} {:?}: expected YYYYMMDD", value.trim()),
                    )
                })?;
                let ev = event.as_mut().expect("checked");
                if name == "DTSTART" {
                    ev.1 = Some(date)
                } else {
                    ev.2 = Some(date)
                }
            }
            ("RRULE" | "RDATE", _) if event.is_some() => {
                return Err(import_err(
                    line_no,
                    format!(
                        "{name}: recurring events are not supported; list each holiday as its own VEVENT"
                    ),
                ));
            }
            ("SUMMARY", _) if event.is_some() => {
                event.as_mut().expect("checked").3 = ics_unescape(value);
            }
            _ => {}
        }
    }
    if let Some((begin, ..)) = event {
        return Err(import_err(begin, "VEVENT without END:VEVENT"));
    }
    if !saw_calendar {
        return Err(import_err(1, "not an iCalendar file: no BEGIN:VCALENDAR"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
