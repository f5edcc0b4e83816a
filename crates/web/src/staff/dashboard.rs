//! The dashboard (`/staf/dasbor`): the region's numbers for the secretariat, admin and head of
//! region, an agency's own numbers and overdue list for agency staff. Charts are SVG drawn on
//! the server by `charts`; the map is Leaflet (vendored) over a configurable tile server.

use crate::error::{ApiError, PageError};
use crate::request::PageStaff;
use crate::request::parse_when;
use crate::state::AppState;
use crate::view::{Nav, channel_label, format_time, render};
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use charts::Bar;
use serde::{Deserialize, Serialize};
use store::dashboard::Dashboard;

/// The default period: the last 30 days including today.
const DEFAULT_DAYS: i64 = 30;
/// The longest period one page may cover.
const MAX_DAYS: i64 = 366;

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    /// `YYYY-MM-DD`; default: 29 days before `sampai`.
    #[serde(default)]
    pub dari: String,
    /// `YYYY-MM-DD`, inclusive; default: today.
    #[serde(default)]
    pub sampai: String,
}

/// The period as instants, after filling in the defaults and checking the dates.
fn period(q: &mut DashboardQuery, tz: chrono_tz::Tz) -> Result<(i64, i64), PageError> {
    let bad = |message: &str| PageError(ApiError::Unprocessable(message.to_string()));
    let parse = |text: &str| {
        chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| bad("tanggal harus berformat TTTT-BB-HH"))
    };
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let until = if q.sampai.trim().is_empty() {
        today
    } else {
        parse(&q.sampai)?
    };
    let from = if q.dari.trim().is_empty() {
        until - chrono::TimeDelta::days(DEFAULT_DAYS - 1)
    } else {
        parse(&q.dari)?
    };
    if from > until {
        return Err(bad("tanggal awal harus sebelum tanggal akhir"));
    }
    if (until - from).num_days() >= MAX_DAYS {
        return Err(bad("rentang paling lama 366 hari"));
    }
    q.dari = from.format("%Y-%m-%d").to_string();
    q.sampai = until.format("%Y-%m-%d").to_string();
    let from_ms = parse_when(&q.dari, tz, false).ok_or_else(|| bad("tanggal tidak valid"))?;
    let to_ms = parse_when(&q.sampai, tz, true).ok_or_else(|| bad("tanggal tidak valid"))?;
    Ok((from_ms, to_ms))
}

pub struct AgencyRow {
    pub name: String,
    pub received: i64,
    pub answered: i64,
    pub on_time: String,
    pub open: i64,
    pub overdue: i64,
}

pub struct OverdueRow {
    pub id: i64,
    pub register_number: String,
    pub agency: String,
    pub category: String,
    pub received: String,
    pub due: String,
}

/// A marker on the map, as JSON for the page's map script.
#[derive(Serialize)]
struct Marker<'a> {
    id: i64,
    lat: f64,
    long: f64,
    label: String,
    status: &'a str,
}

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage {
    nav: Nav,
    q: DashboardQuery,
    region_wide: bool,
    per_day_svg: String,
    backlog_svg: String,
    on_time_svg: String,
    channels_svg: String,
    categories_svg: String,
    agencies: Vec<AgencyRow>,
    totals: AgencyRow,
    overdue: Vec<OverdueRow>,
    overdue_more: bool,
    by_step_svg: String,
    by_step_count: usize,
    markers_json: String,
    marker_count: usize,
    tile_url: String,
    attribution: String,
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(
        || "–".into(),
        |p| format!("{}%", charts::format_value(p.round())),
    )
}

fn agency_row(a: &store::dashboard::AgencyNumbers) -> AgencyRow {
    AgencyRow {
        name: a.name.clone(),
        received: a.received,
        answered: a.answered,
        on_time: percent(a.on_time_percent()),
        open: a.open,
        overdue: a.overdue,
    }
}

/// JSON that is safe inside `<script type="application/json">`: no `</script>` can close it.
fn script_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The charts of a dashboard, in page order.
struct Charts {
    per_day: String,
    by_step: String,
    backlog: String,
    on_time: String,
    channels: String,
    categories: String,
}

fn charts_of(board: &Dashboard, category_name: impl Fn(&str) -> String) -> Charts {
    let per_day: Vec<Bar> = board
        .per_day
        .iter()
        .map(|d| Bar::new(d.date.format("%d/%m").to_string(), d.count as f64))
        .collect();
    let backlog: Vec<Bar> = board
        .agencies
        .iter()
        .filter(|a| a.open > 0)
        .flat_map(|a| {
            [
                Bar::new(format!("{} · terbuka", a.name), a.open as f64),
                Bar::new(format!("{} · terlambat", a.name), a.overdue as f64).alert(true),
            ]
        })
        .collect();
    let on_time: Vec<Bar> = board
        .agencies
        .iter()
        .filter_map(|a| {
            a.on_time_percent()
                .map(|p| Bar::new(a.name.clone(), p.round()).alert(p < 80.0))
        })
        .collect();
    let channels: Vec<Bar> = board
        .channels
        .iter()
        .map(|(code, n)| Bar::new(channel_label(code), *n as f64))
        .collect();
    let categories: Vec<Bar> = board
        .categories
        .iter()
        .map(|(code, n)| Bar::new(category_name(code), *n as f64))
        .collect();
    let by_step: Vec<Bar> = board
        .overdue_by_step
        .iter()
        .map(|s| {
            let agency = s.agency_name.as_deref().unwrap_or("Antrian triase");
            Bar::new(format!("{agency} · {}", s.step_name), s.overdue as f64).alert(true)
        })
        .collect();
    Charts {
        per_day: charts::columns("Aduan masuk per hari", &per_day),
        by_step: charts::horizontal_bars(
            "Terlambat per OPD dan langkah alur kerja",
            &by_step,
            "",
            None,
        ),
        backlog: charts::horizontal_bars("Aduan terbuka dan terlambat per OPD", &backlog, "", None),
        on_time: charts::horizontal_bars(
            "Dijawab tepat waktu per OPD (target 80%)",
            &on_time,
            "%",
            Some(100.0),
        ),
        channels: charts::shares("Kanal aduan", &channels),
        categories: charts::shares("Kategori aduan", &categories),
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(mut q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let tz = state.region_tz().await;
    let (from_ms, to_ms) = period(&mut q, tz)?;
    let board = state
        .db()
        .dashboard(&staff.access, from_ms, to_ms, store::now_ms())
        .await?;
    let catalog = state.catalog().await?;
    let category_name = |code: &str| {
        catalog
            .categories
            .iter()
            .find(|c| c.code == code)
            .map_or_else(|| code.to_string(), |c| c.name.clone())
    };
    let charts = charts_of(&board, category_name);
    let markers: Vec<Marker> = board
        .located
        .iter()
        .map(|t| Marker {
            id: t.id,
            lat: t.lat,
            long: t.long,
            label: format!("{} · {}", t.register_number, category_name(&t.category)),
            status: t.status.label_id(),
        })
        .collect();
    let page = DashboardPage {
        nav: Nav::of(&staff),
        region_wide: staff.access.visible_agencies().is_none(),
        per_day_svg: charts.per_day,
        backlog_svg: charts.backlog,
        on_time_svg: charts.on_time,
        channels_svg: charts.channels,
        categories_svg: charts.categories,
        agencies: board.agencies.iter().map(agency_row).collect(),
        totals: agency_row(&board.totals),
        by_step_svg: charts.by_step,
        by_step_count: board.overdue_by_step.len(),
        overdue_more: board.overdue.len() as i64 >= store::dashboard::OVERDUE_LIMIT,
        overdue: board
            .overdue
            .iter()
            .map(|t| OverdueRow {
                id: t.id,
                register_number: t.register_number.clone(),
                agency: t
                    .agency_name
                    .clone()
                    .unwrap_or_else(|| "Antrian triase".into()),
                category: category_name(&t.category),
                received: format_time(t.received_at, tz),
                due: format_time(t.due_at, tz),
            })
            .collect(),
        marker_count: markers.len(),
        markers_json: script_json(&markers),
        tile_url: state.config().map_tile_url.clone(),
        attribution: state.config().map_attribution.clone(),
        q,
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script() {
        let text = script_json(&vec!["</script><script>alert(1)</script>&"]);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>&");
    }

    #[test]
    fn period_defaults_to_thirty_days_and_checks_dates() {
        let tz = chrono_tz::Asia::Jakarta;
        let mut q = DashboardQuery {
            dari: String::new(),
            sampai: "2026-11-30".into(),
        };
        let (from, to) = period(&mut q, tz).unwrap();
        assert_eq!(q.dari, "2026-11-01");
        assert_eq!(to - from, 30 * 86_400_000);
        let mut bad = DashboardQuery {
            dari: "2026-12-01".into(),
            sampai: "2026-11-30".into(),
        };
        assert!(period(&mut bad, tz).is_err());
        let mut long = DashboardQuery {
            dari: "2024-01-01".into(),
            sampai: "2026-11-30".into(),
        };
        assert!(period(&mut long, tz).is_err());
        let mut wrong = DashboardQuery {
            dari: "30-11-2026".into(),
            sampai: String::new(),
        };
        assert!(period(&mut wrong, tz).is_err());
    }
}
