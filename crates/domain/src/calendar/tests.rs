use super::*;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A local wall-clock time `YYYY-MM-DD HH:MM[:SS]` in the calendar's zone, as UTC.
fn at(cal: &WorkingCalendar, s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .unwrap();
    cal.zone()
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn local(cal: &WorkingCalendar, t: DateTime<Utc>) -> String {
    t.with_timezone(&cal.zone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn due(cal: &WorkingCalendar, start: &str, d: &str) -> String {
    local(cal, cal.add(at(cal, start), d.parse().unwrap()))
}

// 2025-01-06 is a Monday.

#[test]
fn default_calendar_is_as_documented() {
    let cal = WorkingCalendar::default();
    assert_eq!(cal.zone(), chrono_tz::Asia::Jakarta);
    assert_eq!(
        format_week(cal.week()),
        "mon 07:30-12:00 13:00-16:00; tue 07:30-12:00 13:00-16:00; wed 07:30-12:00 13:00-16:00; \
         thu 07:30-12:00 13:00-16:00; fri 07:30-11:30 13:00-16:00"
    );
    // 4 × 7.5 h + 7 h
    assert_eq!(cal.minutes_per_week(), 4 * 450 + 420);
}

#[test]
fn week_spec_round_trips_and_accepts_indonesian_days() {
    let week = parse_week("sen-kam 07:30-12:00,13:00-16:00; jum 07:30-11:30 13:00-16:00").unwrap();
    assert_eq!(week, default_week());
    assert_eq!(parse_week(&format_week(&week)).unwrap(), week);
    let sat = parse_week("mon-sat 08:00-14:00").unwrap();
    assert_eq!(sat[5], vec![Interval::hm(8, 0, 14, 0)]);
    assert!(sat[6].is_empty());
    assert!(matches!(
        parse_week("mon 8-12"),
        Err(CalendarError::BadIntervalText(_))
    ));
    assert!(matches!(
        parse_week("xyz 08:00-12:00"),
        Err(CalendarError::BadWeekSpec(_))
    ));
}

#[test]
fn constructor_rejects_bad_intervals_naming_the_day() {
    let mut week = default_week();
    week[2] = vec![Interval::hm(13, 0, 16, 0), Interval::hm(7, 30, 12, 0)];
    let err = WorkingCalendar::new(chrono_tz::Asia::Jakarta, week, []).unwrap_err();
    assert_eq!(
        err.to_string(),
        "wed: intervals 13:00-16:00 and 07:30-12:00 overlap or are out of order"
    );

    let mut week = default_week();
    week[0] = vec![Interval::hm(9, 0, 9, 0)];
    let err = WorkingCalendar::new(chrono_tz::Asia::Jakarta, week, []).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("mon: interval 09:00-09:00 is empty"),
        "{err}"
    );

    let mut week = default_week();
    week[4] = vec![Interval::new(1400, 1500)];
    let err = WorkingCalendar::new(chrono_tz::Asia::Jakarta, week, []).unwrap_err();
    assert_eq!(
        err,
        CalendarError::PastMidnight {
            day: "fri",
            interval: Interval::new(1400, 1500)
        }
    );

    let err = WorkingCalendar::new(chrono_tz::Asia::Jakarta, Default::default(), []).unwrap_err();
    assert_eq!(err, CalendarError::NoWorkingTime);

    // Touching intervals and an interval up to 24:00 are fine.
    let mut week: [Vec<Interval>; 7] = Default::default();
    week[0] = vec![Interval::hm(8, 0, 12, 0), Interval::hm(12, 0, 24, 0)];
    assert!(WorkingCalendar::new(chrono_tz::Asia::Jakarta, week, []).is_ok());
}

#[test]
fn zone_names() {
    assert_eq!(
        parse_zone("Asia/Makassar").unwrap(),
        chrono_tz::Asia::Makassar
    );
    assert!(matches!(
        parse_zone("Asia/Bandung"),
        Err(CalendarError::UnknownZone(_))
    ));
}

#[test]
fn durations_parse_and_round_trip() {
    for (text, d) in [
        ("30m", Duration::Minutes(30)),
        ("3h", Duration::Hours(3)),
        ("1d", Duration::Days(1)),
        ("90wm", Duration::WorkingMinutes(90)),
        ("5wh", Duration::WorkingHours(5)),
        ("2wd", Duration::WorkingDays(2)),
        ("0wd", Duration::WorkingDays(0)),
    ] {
        assert_eq!(text.parse::<Duration>().unwrap(), d);
        assert_eq!(d.to_string(), text);
    }
    assert_eq!(
        " 2WD ".parse::<Duration>().unwrap(),
        Duration::WorkingDays(2)
    );
    assert_eq!("".parse::<Duration>(), Err(DurationError::Empty));
    assert!(matches!(
        "wd".parse::<Duration>(),
        Err(DurationError::NoNumber(_))
    ));
    assert!(matches!(
        "-3h".parse::<Duration>(),
        Err(DurationError::NoNumber(_))
    ));
    assert!(matches!(
        "3".parse::<Duration>(),
        Err(DurationError::BadUnit { .. })
    ));
    assert!(matches!(
        "3w".parse::<Duration>(),
        Err(DurationError::BadUnit { .. })
    ));
    assert!(matches!(
        "3.5h".parse::<Duration>(),
        Err(DurationError::BadUnit { .. })
    ));
    assert!(matches!(
        "99999999999m".parse::<Duration>(),
        Err(DurationError::TooLarge(_))
    ));
    assert!(matches!(
        "1000001wd".parse::<Duration>(),
        Err(DurationError::TooLarge(_))
    ));
    let json = serde_json::to_string(&Duration::WorkingHours(5)).unwrap();
    assert_eq!(json, "\"5wh\"");
    assert_eq!(
        serde_json::from_str::<Duration>(&json).unwrap(),
        Duration::WorkingHours(5)
    );
    assert!(serde_json::from_str::<Duration>("\"5x\"").is_err());
}

#[test]
fn clock_durations_add_plainly() {
    let cal = WorkingCalendar::default();
    assert_eq!(due(&cal, "2025-01-11 23:50", "30m"), "2025-01-12 00:20");
    assert_eq!(due(&cal, "2025-01-10 15:00", "3h"), "2025-01-10 18:00");
    assert_eq!(due(&cal, "2025-01-10 15:00", "1d"), "2025-01-11 15:00");
}

#[test]
fn working_minutes_table() {
    let cal = WorkingCalendar::default();
    for (start, d, expected) in [
        // inside an interval
        ("2025-01-07 10:00", "30wm", "2025-01-07 10:30"),
        // across the lunch break
        ("2025-01-07 11:45", "30wm", "2025-01-07 13:15"),
        // ends exactly at the break: the end of the interval
        ("2025-01-07 11:30", "30wm", "2025-01-07 12:00"),
        // start inside the break counts from 13:00
        ("2025-01-07 12:15", "30wm", "2025-01-07 13:30"),
        // before opening, just after midnight
        ("2025-01-07 00:01", "1wh", "2025-01-07 08:30"),
        // after closing, to the next morning
        ("2025-01-07 15:50", "30wm", "2025-01-08 07:50"),
        ("2025-01-07 23:59", "30wm", "2025-01-08 08:00"),
        // ends exactly at closing
        ("2025-01-07 15:00", "1wh", "2025-01-07 16:00"),
        // Friday: short morning, then the weekend
        ("2025-01-10 11:00", "1wh", "2025-01-10 13:30"),
        ("2025-01-10 15:30", "1wh", "2025-01-13 08:00"),
        // weekend start
        ("2025-01-11 10:00", "3wh", "2025-01-13 10:30"),
        ("2025-01-12 23:59", "30wm", "2025-01-13 08:00"),
        // SMS Center: 3 working hours
        ("2025-01-07 14:00", "3wh", "2025-01-08 08:30"),
        // a full week of working time from Monday opening lands on Friday closing
        ("2025-01-06 07:30", "37wh", "2025-01-10 16:00"),
        ("2025-01-06 07:30", "2220wm", "2025-01-10 16:00"),
        // exactly two weeks of working time after the first day's hour
        ("2025-01-10 15:00", "75wh", "2025-01-24 16:00"),
        ("2025-01-10 15:00", "76wh", "2025-01-27 08:30"),
        // zero: the next working instant
        ("2025-01-07 10:00", "0wm", "2025-01-07 10:00"),
        ("2025-01-11 10:00", "0wm", "2025-01-13 07:30"),
    ] {
        assert_eq!(due(&cal, start, d), expected, "{start} + {d}");
    }
}

#[test]
fn working_days_table() {
    let cal = WorkingCalendar::default();
    for (start, d, expected) in [
        ("2025-01-07 10:00", "1wd", "2025-01-08 10:00"),
        ("2025-01-07 10:00", "2wd", "2025-01-09 10:00"),
        ("2025-01-10 15:00", "1wd", "2025-01-13 15:00"),
        ("2025-01-10 07:30", "1wd", "2025-01-13 07:30"),
        // Saturday: all of Monday
        ("2025-01-11 09:00", "1wd", "2025-01-13 16:00"),
        ("2025-01-12 23:00", "2wd", "2025-01-14 16:00"),
        // before opening: that whole day counts
        ("2025-01-07 06:00", "1wd", "2025-01-07 16:00"),
        ("2025-01-07 00:00", "2wd", "2025-01-08 16:00"),
        // after closing: closing time N days on
        ("2025-01-07 17:00", "1wd", "2025-01-08 16:00"),
        ("2025-01-09 22:00", "1wd", "2025-01-10 16:00"),
        // in the break: end of the morning
        ("2025-01-07 12:30", "1wd", "2025-01-08 12:00"),
        // Thursday 11:45 falls in Friday's longer break: Friday 11:30
        ("2025-01-09 11:45", "1wd", "2025-01-10 11:30"),
        // a whole working week
        ("2025-01-07 10:00", "5wd", "2025-01-14 10:00"),
        ("2025-01-07 10:00", "10wd", "2025-01-21 10:00"),
        ("2025-01-07 10:00", "0wd", "2025-01-07 10:00"),
        ("2025-01-11 10:00", "0wd", "2025-01-13 07:30"),
    ] {
        assert_eq!(due(&cal, start, d), expected, "{start} + {d}");
    }
}

#[test]
fn holidays_are_skipped() {
    // Monday 2025-01-13 is a holiday; cuti bersama Wed 2025-01-29 .. Fri 2025-01-31.
    let cal = WorkingCalendar::default().with_holidays([
        date("2025-01-13"),
        date("2025-01-29"),
        date("2025-01-30"),
        date("2025-01-31"),
    ]);
    assert!(cal.is_holiday(date("2025-01-13")));
    assert!(!cal.is_working_day(date("2025-01-13")));
    assert!(cal.is_working_day(date("2025-01-14")));
    assert!(!cal.is_working(at(&cal, "2025-01-13 09:00")));
    for (start, d, expected) in [
        ("2025-01-10 15:00", "1wd", "2025-01-14 15:00"),
        ("2025-01-10 15:30", "1wh", "2025-01-14 08:00"),
        ("2025-01-11 09:00", "1wd", "2025-01-14 16:00"),
        // start on the holiday itself
        ("2025-01-13 10:00", "30wm", "2025-01-14 08:00"),
        ("2025-01-13 10:00", "1wd", "2025-01-14 16:00"),
        // consecutive cuti bersama then the weekend
        ("2025-01-28 15:30", "1wh", "2025-02-03 08:00"),
        ("2025-01-28 10:00", "1wd", "2025-02-03 10:00"),
        ("2025-01-27 10:00", "3wd", "2025-02-04 10:00"),
        // long durations skip weeks but not holidays
        ("2025-01-06 07:30", "20wd", "2025-02-07 07:30"),
        ("2025-01-05 07:30", "20wd", "2025-02-06 16:00"),
    ] {
        assert_eq!(due(&cal, start, d), expected, "{start} + {d}");
    }
    assert_eq!(
        local(&cal, cal.next_working_instant(at(&cal, "2025-01-28 16:00"))),
        "2025-02-03 07:30"
    );
    assert_eq!(
        cal.working_between(at(&cal, "2025-01-10 07:30"), at(&cal, "2025-01-14 07:30")),
        TimeDelta::minutes(420)
    );
}

#[test]
fn wita_and_wit_zones() {
    let wita = WorkingCalendar::new(chrono_tz::Asia::Makassar, default_week(), []).unwrap();
    let wit = WorkingCalendar::new(chrono_tz::Asia::Jayapura, default_week(), []).unwrap();
    let wib = WorkingCalendar::default();
    // 2025-01-07 00:30 UTC is 07:30 WIB, 08:30 WITA, 09:30 WIT.
    let t: DateTime<Utc> = "2025-01-07T00:30:00Z".parse().unwrap();
    assert_eq!(
        wib.working_between(t, t + TimeDelta::hours(1)),
        TimeDelta::hours(1)
    );
    assert_eq!(local(&wita, t), "2025-01-07 08:30");
    assert_eq!(
        wita.add(t, Duration::WorkingMinutes(30)),
        t + TimeDelta::minutes(30)
    );
    // 23:00 UTC Monday is Tuesday 06:00 WIB (before opening) but 08:00 WIT (working).
    let late: DateTime<Utc> = "2025-01-06T23:00:00Z".parse().unwrap();
    assert!(!wib.is_working(late));
    assert!(!wita.is_working(late));
    assert!(wit.is_working(late));
    assert_eq!(
        local(&wit, wit.add(late, Duration::WorkingDays(1))),
        "2025-01-08 08:00"
    );
    assert_eq!(
        local(&wita, wita.add(late, Duration::WorkingDays(1))),
        "2025-01-07 16:00"
    );
    assert_eq!(
        wita.add(late, Duration::WorkingDays(1)).to_rfc3339(),
        "2025-01-07T08:00:00+00:00"
    );
    // Same local rule, different instants.
    assert_eq!(due(&wit, "2025-01-10 15:30", "1wh"), "2025-01-13 08:00");
}

#[test]
fn leap_day_and_year_end() {
    // 2024-02-29 is a Thursday.
    let cal = WorkingCalendar::default();
    assert_eq!(due(&cal, "2024-02-28 10:00", "1wd"), "2024-02-29 10:00");
    assert_eq!(due(&cal, "2024-02-29 15:30", "1wh"), "2024-03-01 08:00");
    assert_eq!(due(&cal, "2024-02-29 10:00", "1wd"), "2024-03-01 10:00");
    // Year end: Tue 2024-12-31 → with 2025-01-01 a holiday → Thu 2025-01-02.
    let cal = cal.with_holidays([date("2025-01-01")]);
    assert_eq!(due(&cal, "2024-12-31 15:00", "1wd"), "2025-01-02 15:00");
    assert_eq!(due(&cal, "2024-12-31 15:30", "1wh"), "2025-01-02 08:00");
    assert_eq!(due(&cal, "2024-12-31 23:59", "30m"), "2025-01-01 00:29");
}

#[test]
fn saturday_working_and_midnight_intervals() {
    let week = parse_week("mon-fri 07:30-15:00; sat 08:00-12:00").unwrap();
    let cal = WorkingCalendar::new(chrono_tz::Asia::Jakarta, week, []).unwrap();
    assert_eq!(due(&cal, "2025-01-10 14:00", "2wh"), "2025-01-11 09:00");
    assert_eq!(due(&cal, "2025-01-10 14:00", "1wd"), "2025-01-11 12:00");
    assert_eq!(due(&cal, "2025-01-11 10:00", "1wd"), "2025-01-13 10:00");
    // A night shift up to 24:00 then from 00:00.
    let week = parse_week("mon-sun 00:00-06:00 18:00-24:00").unwrap();
    let cal = WorkingCalendar::new(chrono_tz::Asia::Jakarta, week, []).unwrap();
    assert_eq!(due(&cal, "2025-01-07 23:00", "1wh"), "2025-01-08 00:00");
    assert_eq!(due(&cal, "2025-01-07 23:00", "2wh"), "2025-01-08 01:00");
    assert_eq!(due(&cal, "2025-01-07 05:00", "2wh"), "2025-01-07 19:00");
    assert!(cal.is_working(at(&cal, "2025-01-08 00:00")));
    assert!(!cal.is_working(at(&cal, "2025-01-08 06:00")));
}

#[test]
fn working_between_measures_working_time() {
    let cal = WorkingCalendar::default();
    let m = |a: &str, b: &str| cal.working_minutes_between(at(&cal, a), at(&cal, b));
    assert_eq!(m("2025-01-07 10:00", "2025-01-07 10:30"), 30);
    assert_eq!(m("2025-01-07 11:45", "2025-01-07 13:15"), 30);
    assert_eq!(m("2025-01-07 12:10", "2025-01-07 12:50"), 0);
    assert_eq!(m("2025-01-10 16:00", "2025-01-13 07:30"), 0);
    assert_eq!(m("2025-01-06 00:00", "2025-01-13 00:00"), 2220);
    assert_eq!(m("2025-01-06 00:00", "2025-03-03 00:00"), 8 * 2220);
    assert_eq!(m("2025-01-07 10:30", "2025-01-07 10:00"), -30);
    // Sub-second starts keep their fraction.
    let t = at(&cal, "2025-01-07 11:59:59") + TimeDelta::milliseconds(500);
    let d = cal.add(t, Duration::WorkingMinutes(1));
    assert_eq!(
        d,
        at(&cal, "2025-01-07 13:00:59") + TimeDelta::milliseconds(500)
    );
    assert_eq!(cal.working_between(t, d), TimeDelta::minutes(1));
    let d = cal.add_working_seconds(t, 1);
    assert_eq!(
        d,
        at(&cal, "2025-01-07 13:00:00") + TimeDelta::milliseconds(500)
    );
    assert_eq!(cal.working_between(t, d), TimeDelta::seconds(1));
}

#[test]
fn csv_import() {
    let text = "\u{feff}date,name\r\n2025-01-01,Tahun Baru 2025 Masehi\r\n\r\n\
                2025-03-31,\"Idul Fitri 1446 H, hari ke-1\"\n2025-04-01,\"Idul Fitri \"\"1446\"\" H\"\n";
    let rows = parse_holidays_csv(text).unwrap();
    assert_eq!(
        rows,
        vec![
            (date("2025-01-01"), "Tahun Baru 2025 Masehi".to_string()),
            (
                date("2025-03-31"),
                "Idul Fitri 1446 H, hari ke-1".to_string()
            ),
            (date("2025-04-01"), "Idul Fitri \"1446\" H".to_string()),
        ]
    );
    let err = |t: &str| parse_holidays_csv(t).unwrap_err().to_string();
    assert_eq!(
        err("tanggal,nama\n"),
        "line 1: expected the header \"date,name\", found \"tanggal,nama\""
    );
    assert_eq!(
        err(""),
        "line 1: empty file: expected the header \"date,name\""
    );
    assert_eq!(
        err("date,name\n2025-01-01,A\n2025-13-01,B\n"),
        "line 3: bad date \"2025-13-01\": expected YYYY-MM-DD"
    );
    assert_eq!(
        err("date,name\n01/01/2025,A\n"),
        "line 2: bad date \"01/01/2025\": expected YYYY-MM-DD"
    );
    assert_eq!(
        err("date,name\n2025-01-01,A,B\n"),
        "line 2: expected 2 fields (date,name), found 3"
    );
    assert_eq!(
        err("date,name\n2025-01-01,\"A\n"),
        "line 2: unterminated quote (a name may not span lines)"
    );
    assert_eq!(err("date,name\n2025-01-01, \n"), "line 2: empty name");
    assert_eq!(
        err("date,name\n2025-01-01,\"A\"x\n"),
        "line 2: text after a closing quote"
    );
}

#[test]
fn ics_import() {
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
        BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20250101\r\nSUMMARY:Tahun Baru\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20250402\r\nDTEND;VALUE=DATE:20250405\r\n\
        SUMMARY:Cuti Bersama Idul Fitri\\, 1446 H (panjang sekali sehingga dilip\r\n at)\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\nDTSTART:20251225T000000\nSUMMARY:Natal\nEND:VEVENT\n\
        END:VCALENDAR\r\n";
    let rows = parse_holidays_ics(text).unwrap();
    let name = "Cuti Bersama Idul Fitri, 1446 H (panjang sekali sehingga dilipat)";
    assert_eq!(
        rows,
        vec![
            (date("2025-01-01"), "Tahun Baru".to_string()),
            (date("2025-04-02"), name.to_string()),
            (date("2025-04-03"), name.to_string()),
            (date("2025-04-04"), name.to_string()),
            (date("2025-12-25"), "Natal".to_string()),
        ]
    );
    let err = |t: &str| parse_holidays_ics(t).unwrap_err().to_string();
    assert_eq!(
        err("date,name\n"),
        "line 1: not a content line: \"date,name\""
    );
    assert_eq!(
        err("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n"),
        "line 2: VEVENT without DTSTART"
    );
    assert_eq!(
        err("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:2025011\nEND:VEVENT\n"),
        "line 3: bad DTSTART \"2025011\": expected YYYYMMDD"
    );
    assert_eq!(
        err(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20250102\nDTEND;VALUE=DATE:20250101\nEND:VEVENT\n"
        ),
        "line 2: DTEND 2025-01-01 is not after DTSTART 2025-01-02"
    );
    assert_eq!(
        err("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20250101\n"),
        "line 2: VEVENT without END:VEVENT"
    );
    assert_eq!(
        err("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20250101\nRRULE:FREQ=YEARLY\nEND:VEVENT\n"),
        "line 4: RRULE: recurring events are not supported; list each holiday as its own VEVENT"
    );
    assert_eq!(
        err("VERSION:2.0\n"),
        "line 1: not an iCalendar file: no BEGIN:VCALENDAR"
    );
    // Imported rows feed a calendar.
    let cal = WorkingCalendar::default().with_holidays(rows.iter().map(|(d, _)| *d));
    assert!(cal.is_holiday(date("2025-04-03")));
}

#[test]
fn due_state_marks_the_last_working_hour_and_the_last_fifth() {
    let cal = WorkingCalendar::default();
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&Utc)
    };
    // 3 working hours from Tuesday 08:00 WIB: due 11:00.
    let given = at("2026-11-24T08:00:00+07:00");
    let due = at("2026-11-24T11:00:00+07:00");
    let state = |now: &str| cal.due_state(given, due, at(now));
    assert_eq!(state("2026-11-24T09:00:00+07:00"), DueState::OnTime);
    assert_eq!(state("2026-11-24T10:15:00+07:00"), DueState::DueSoon);
    assert_eq!(state("2026-11-24T11:00:00+07:00"), DueState::Overdue);
    // 5 working days: the last fifth (one working day) is "due soon".
    let due = cal.add(given, "5wd".parse().unwrap());
    assert_eq!(
        state_of(&cal, given, due, "2026-11-28T10:00:00+07:00"),
        DueState::OnTime
    );
    assert_eq!(
        state_of(&cal, given, due, "2026-11-30T10:00:00+07:00"),
        DueState::DueSoon
    );
}

fn state_of(
    cal: &WorkingCalendar,
    given: chrono::DateTime<Utc>,
    due: chrono::DateTime<Utc>,
    now: &str,
) -> DueState {
    let now = chrono::DateTime::parse_from_rfc3339(now)
        .unwrap()
        .with_timezone(&Utc);
    cal.due_state(given, due, now)
}
