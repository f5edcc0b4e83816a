//! Admin page of the working-time calendar: working hours per weekday, answer deadlines, the
//! holidays (added one by one or imported from CSV / iCalendar), and a deadline checker.

use crate::error::PageError;
use crate::forms::{Errors, invalid, require_admin, see_other};
use crate::request::PageStaff;
use crate::state::AppState;
use crate::view::{Nav, format_time, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use store::StoreError;
use store::calendar::{CalendarSettings, Holiday};

fn flash(ok: Option<&str>) -> Option<&'static str> {
    match ok? {
        "jam-kerja" => Some("Jam kerja dan batas waktu disimpan."),
        "libur" => Some("Hari libur disimpan."),
        "hapus" => Some("Hari libur dihapus."),
        _ => None,
    }
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    ok: Option<String>,
    impor: Option<usize>,
    baru: Option<usize>,
    /// Deadline checker: a local date-time (`2026-11-27T15:00`) and a duration.
    mulai: Option<String>,
    tambah: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub working_week: String,
    pub answer_within_sms: String,
    pub answer_within: String,
    pub ask_pause_limit: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HolidayForm {
    pub day: String,
    pub name: String,
    /// A whole CSV or iCalendar file, pasted or read by the page's file picker.
    pub file: String,
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
pub struct CalendarPage {
    nav: Nav,
    zone_label: &'static str,
    settings: SettingsForm,
    holiday: HolidayForm,
    holidays: Vec<Holiday>,
    check_start: String,
    check_add: String,
    check_result: String,
    errors: Errors,
    flash: Option<String>,
}

fn zone_label(zone: &str) -> &'static str {
    match zone {
        "Asia/Makassar" => "WITA (Asia/Makassar)",
        "Asia/Jayapura" => "WIT (Asia/Jayapura)",
        _ => "WIB (Asia/Jakarta)",
    }
}

async fn view(
    state: &AppState,
    nav: Nav,
    settings: Option<SettingsForm>,
    holiday: HolidayForm,
    mut errors: Errors,
    query: &PageQuery,
) -> Result<CalendarPage, PageError> {
    let stored = state.db().calendar_settings().await?;
    let settings = settings.unwrap_or_else(|| SettingsForm {
        working_week: stored.working_week.clone(),
        answer_within_sms: stored.answer_within_sms.clone(),
        answer_within: stored.answer_within.clone(),
        ask_pause_limit: stored.ask_pause_limit.clone(),
    });
    let mut flash = flash(query.ok.as_deref()).map(str::to_string);
    if let (Some(read), Some(new)) = (query.impor, query.baru) {
        flash = Some(format!("{read} hari libur dibaca dari berkas, {new} baru."));
    }
    let check_start = query.mulai.clone().unwrap_or_default();
    let check_add = query.tambah.clone().unwrap_or_else(|| "3wh".into());
    let mut check_result = String::new();
    if !check_start.is_empty() {
        let deadlines = state.db().deadlines().await?;
        let zone = deadlines.calendar.zone();
        let start = chrono::NaiveDateTime::parse_from_str(&check_start, "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|local| local.and_local_timezone(zone).earliest());
        match (start, check_add.parse::<domain::calendar::Duration>()) {
            (None, _) => errors.add("mulai", "isi tanggal dan jam mulai"),
            (_, Err(e)) => errors.add("tambah", e.to_string()),
            (Some(start), Ok(duration)) => {
                match deadlines
                    .calendar
                    .checked_add(start.with_timezone(&chrono::Utc), duration)
                {
                    Some(due) => check_result = format_time(due.timestamp_millis(), zone),
                    None => errors.add("tambah", "di luar rentang waktu"),
                }
            }
        }
    }
    Ok(CalendarPage {
        nav,
        zone_label: zone_label(&stored.timezone),
        settings,
        holiday,
        holidays: state.db().holidays().await?,
        check_start,
        check_add,
        check_result,
        errors,
        flash,
    })
}

pub async fn page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let page = view(
        &state,
        nav,
        None,
        HolidayForm::default(),
        Errors::default(),
        &query,
    )
    .await?;
    Ok(render(&page))
}

pub async fn save_settings(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<SettingsForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let stored = state.db().calendar_settings().await?;
    let settings = CalendarSettings {
        timezone: stored.timezone,
        working_week: form.working_week.trim().to_string(),
        answer_within_sms: form.answer_within_sms.trim().to_string(),
        answer_within: form.answer_within.trim().to_string(),
        ask_pause_limit: match form.ask_pause_limit.trim() {
            "" => stored.ask_pause_limit,
            limit => limit.to_string(),
        },
    };
    let mut errors = Errors::default();
    match state.db().update_calendar_settings(&settings).await {
        Ok(()) => return Ok(see_other("/admin/kalender?ok=jam-kerja")),
        Err(StoreError::Invalid(message)) => {
            let field = [
                "working_week",
                "answer_within_sms",
                "answer_within",
                "ask_pause_limit",
            ]
            .into_iter()
            .find(|f| message.starts_with(&format!("{f}:")))
            .unwrap_or("working_week");
            errors.add(field, message);
        }
        Err(e) => return Err(e.into()),
    }
    let page = view(
        &state,
        nav,
        Some(form),
        HolidayForm::default(),
        errors,
        &PageQuery::default(),
    )
    .await?;
    Ok(invalid(&page))
}

pub async fn add_holidays(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<HolidayForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let mut errors = Errors::default();
    let mut days: Vec<(NaiveDate, String)> = Vec::new();
    if !form.file.trim().is_empty() {
        match domain::calendar::parse_holidays(&form.file) {
            Ok(parsed) if parsed.is_empty() => errors.add("file", "berkas tidak berisi hari libur"),
            Ok(parsed) => days = parsed,
            Err(e) => errors.add("file", e.to_string()),
        }
    } else {
        match NaiveDate::parse_from_str(form.day.trim(), "%Y-%m-%d") {
            Ok(day) => days.push((day, form.name.trim().to_string())),
            Err(_) => errors.add("day", "isi tanggal (TTTT-BB-HH)"),
        }
        if form.name.trim().is_empty() {
            errors.add("name", "isi nama hari libur");
        } else if form.name.chars().count() > 100 {
            errors.add("name", "nama paling banyak 100 karakter");
        }
    }
    if errors.is_empty() {
        let new = state.db().add_holidays(&days).await?;
        let target = if form.file.trim().is_empty() {
            "/admin/kalender?ok=libur".to_string()
        } else {
            format!("/admin/kalender?impor={}&baru={new}", days.len())
        };
        return Ok(see_other(&target));
    }
    let page = view(&state, nav, None, form, errors, &PageQuery::default()).await?;
    Ok(invalid(&page))
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    day: String,
}

pub async fn delete_holiday(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<DeleteForm>,
) -> Result<Response, PageError> {
    require_admin(&staff)?;
    let day = NaiveDate::parse_from_str(form.day.trim(), "%Y-%m-%d").map_err(|_| {
        PageError(crate::error::ApiError::Unprocessable(
            "tanggal tidak valid".into(),
        ))
    })?;
    state.db().delete_holiday(day).await?;
    Ok(see_other("/admin/kalender?ok=hapus"))
}
