//! `due_at` computation: `WorkingCalendar::add` for a mix of SOP durations (30m–5wd) from
//! starts spread over two years, on a calendar with a year's worth of holidays and cuti
//! bersama. Target: at least 1,000,000 steps/s on one core.
//!
//! `cargo bench -p domain --bench due_at`

use std::hint::black_box;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::calendar::{Duration, WorkingCalendar};

const STEPS: usize = 4096;

fn calendar() -> WorkingCalendar {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let mut holidays = Vec::new();
    for year in [2025, 2026] {
        for md in [
            "01-01", "01-27", "01-29", "03-29", "04-18", "05-01", "05-12", "05-29", "06-01",
            "06-06",
        ] {
            holidays.push(d(&format!("{year}-{md}")));
        }
        for md in ["08-17", "09-05", "12-25", "12-26"] {
            holidays.push(d(&format!("{year}-{md}")));
        }
        // Lebaran: a block of cuti bersama.
        for k in 0..7 {
            holidays.push(d(&format!("{year}-03-28")) + TimeDelta::days(k));
        }
    }
    WorkingCalendar::default().with_holidays(holidays)
}

fn steps() -> Vec<(DateTime<Utc>, Duration)> {
    let mix = [
        Duration::Minutes(30),
        Duration::WorkingMinutes(30),
        Duration::WorkingHours(3),
        Duration::WorkingHours(5),
        Duration::WorkingDays(1),
        Duration::WorkingDays(2),
        Duration::WorkingDays(5),
    ];
    let base: DateTime<Utc> = "2025-01-01T00:00:00Z".parse().unwrap();
    // A simple LCG spreads the starts over two years without a dependency.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..STEPS)
        .map(|i| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let offset = (x >> 33) % (2 * 365 * 86_400);
            (base + TimeDelta::seconds(offset as i64), mix[i % mix.len()])
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let cal = calendar();
    let steps = steps();
    let mut group = c.benchmark_group("due_at");
    group.throughput(Throughput::Elements(STEPS as u64));
    group.bench_function("mix_30m_to_5wd", |b| {
        b.iter(|| {
            for (start, d) in &steps {
                black_box(cal.add(black_box(*start), black_box(*d)));
            }
        })
    });
    for d in [
        Duration::WorkingHours(3),
        Duration::WorkingDays(2),
        Duration::WorkingDays(20),
    ] {
        group.bench_function(d.to_string(), |b| {
            b.iter(|| {
                for (start, _) in &steps {
                    black_box(cal.add(black_box(*start), black_box(d)));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
