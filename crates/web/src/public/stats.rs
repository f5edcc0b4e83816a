//! Public statistics with server-rendered SVG charts: tickets per month and per agency, the
//! share answered on time and the median time to answer.

use crate::error::PageError;
use crate::public::cases::{format_duration, month_label};
use crate::state::AppState;
use crate::view::render;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use charts::Bar;

/// Agencies below this share of answers on time are drawn in the alert colour.
const ON_TIME_TARGET: f64 = 80.0;

#[derive(Template)]
#[template(path = "public/stats.html")]
struct StatsPage {
    received: i64,
    answered: i64,
    published: i64,
    on_time: String,
    median: String,
    per_month_svg: String,
    per_agency_svg: String,
    on_time_svg: String,
    answers_svg: String,
}

pub async fn page(State(state): State<AppState>) -> Result<Response, PageError> {
    let stats = state.public_stats().await?;
    let per_month: Vec<Bar> = stats
        .per_month
        .iter()
        .map(|(m, n)| Bar::new(month_label(m), *n as f64))
        .collect();
    let per_agency: Vec<Bar> = stats
        .agencies
        .iter()
        .map(|a| Bar::new(a.name.clone(), a.received as f64))
        .collect();
    let on_time: Vec<Bar> = stats
        .agencies
        .iter()
        .filter(|a| a.answered_with_deadline > 0)
        .map(|a| {
            let pct = 100.0 * a.answered_on_time as f64 / a.answered_with_deadline as f64;
            Bar::new(a.name.clone(), (pct * 10.0).round() / 10.0).alert(pct < ON_TIME_TARGET)
        })
        .collect();
    let late = stats.answered_with_deadline - stats.answered_on_time;
    let answers = [
        Bar::new("Tepat waktu", stats.answered_on_time as f64),
        Bar::new("Terlambat", late as f64),
        Bar::new("Belum dijawab", (stats.received - stats.answered) as f64),
    ];
    Ok(render(&StatsPage {
        received: stats.received,
        answered: stats.answered,
        published: stats.published,
        on_time: stats
            .on_time_percent()
            .map(|p| format!("{}%", charts::format_value((p * 10.0).round() / 10.0)))
            .unwrap_or_else(|| "–".into()),
        median: stats
            .median_answer_ms
            .map(format_duration)
            .unwrap_or_else(|| "–".into()),
        per_month_svg: charts::columns("Aduan masuk per bulan", &per_month),
        per_agency_svg: charts::horizontal_bars("Aduan masuk per OPD", &per_agency, "", None),
        on_time_svg: charts::horizontal_bars(
            "Dijawab tepat waktu per OPD",
            &on_time,
            "%",
            Some(100.0),
        ),
        answers_svg: charts::shares("Status jawaban", &answers),
    }))
}
