//! LAPOR! SP4N (secretariat and admin): the list of answered and closed tickets to report to the
//! national complaint system, its CSV and JSON downloads, and the form on the ticket page that
//! records the tracking number LAPOR! gives back.

use crate::api::lapor::{LaporExport, LaporItem};
use crate::error::{ApiError, PageError};
use crate::forms::{Errors, invalid, see_other};
use crate::request::parse_when;
use crate::request::{PageStaff, Staff};
use crate::state::AppState;
use crate::view::{Nav, format_time, render};
use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;
use store::lapor::{LaporFilter, LaporRow};
use store::tickets::Cursor;

/// Rows per page on `/staf/lapor`.
const PAGE_SIZE: i64 = 100;
/// Most rows in one download; a wider range is refused rather than cut short.
const EXPORT_MAX: i64 = 20_000;

fn require_lapor(staff: &Staff) -> Result<Nav, PageError> {
    if !staff.reports_to_lapor() {
        return Err(PageError(ApiError::Forbidden));
    }
    Ok(Nav::of(staff))
}

#[derive(Debug, Default, Deserialize)]
pub struct LaporQuery {
    /// `YYYY-MM-DD`; default: the first day of the current month.
    #[serde(default)]
    pub dari: String,
    /// `YYYY-MM-DD`, inclusive; default: today.
    #[serde(default)]
    pub sampai: String,
    /// A checkbox: "on" for only the tickets without a LAPOR! number.
    #[serde(default)]
    pub belum: String,
    /// Page cursor.
    #[serde(default)]
    pub setelah: String,
}

impl LaporQuery {
    pub fn only_unreported(&self) -> bool {
        !self.belum.is_empty()
    }

    /// The filter part of the query string, for the download links and the next page.
    pub fn query_string(&self) -> String {
        let mut text = format!(
            "dari={}&sampai={}",
            super::urlencode(&self.dari),
            super::urlencode(&self.sampai)
        );
        if self.only_unreported() {
            text.push_str("&belum=on");
        }
        text
    }
}

/// Fills in the default range and checks the dates; the filter without cursor and limit.
fn resolve(q: &mut LaporQuery, tz: chrono_tz::Tz) -> Result<LaporFilter, PageError> {
    let bad = |message: &str| PageError(ApiError::Unprocessable(message.to_string()));
    q.dari = q.dari.trim().to_string();
    q.sampai = q.sampai.trim().to_string();
    q.belum = q.belum.trim().to_string();
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    if q.dari.is_empty() {
        q.dari = today
            .with_day(1)
            .unwrap_or(today)
            .format("%Y-%m-%d")
            .to_string();
    }
    if q.sampai.is_empty() {
        q.sampai = today.format("%Y-%m-%d").to_string();
    }
    let date = |text: &str, end: bool| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|_| parse_when(text, tz, end))
            .ok_or_else(|| bad("tanggal harus berformat TTTT-BB-HH"))
    };
    let from_ms = date(&q.dari, false)?;
    let to_ms = date(&q.sampai, true)?;
    if from_ms >= to_ms {
        return Err(bad("tanggal awal harus sebelum tanggal akhir"));
    }
    Ok(LaporFilter {
        from_ms,
        to_ms,
        only_unreported: q.only_unreported(),
        after: None,
        limit: None,
    })
}

pub struct Row {
    pub id: i64,
    pub register_number: String,
    pub tracking_code: String,
    pub status: &'static str,
    pub received: String,
    pub answered: String,
    pub agency: String,
    pub category: String,
    pub channel: String,
    pub reporter: String,
    pub text: String,
    pub answer: String,
    pub lapor_number: String,
}

fn excerpt(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

fn reporter_label(r: &LaporRow) -> String {
    if r.confidential {
        "(rahasia)".into()
    } else if r.anonymous {
        "(anonim)".into()
    } else {
        r.reporter_name
            .clone()
            .or_else(|| r.reporter_phone.clone())
            .or_else(|| r.reporter_email.clone())
            .unwrap_or_else(|| "-".into())
    }
}

#[derive(Template)]
#[template(path = "staff/lapor.html")]
struct LaporPage {
    nav: Nav,
    q: LaporQuery,
    rows: Vec<Row>,
    filter_query: String,
    next_url: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    query: Result<Query<LaporQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let nav = require_lapor(&staff)?;
    let Query(mut q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let tz = state.region_tz().await;
    let mut filter = resolve(&mut q, tz)?;
    let cursor = q.setelah.trim();
    if !cursor.is_empty() {
        filter.after = Some(
            Cursor::decode(cursor)
                .ok_or_else(|| PageError(ApiError::Unprocessable("halaman tidak valid".into())))?,
        );
    }
    filter.limit = Some(PAGE_SIZE);
    let (rows, next) = state.db().lapor_page(&staff.access, &filter).await?;
    let filter_query = q.query_string();
    let page = LaporPage {
        nav,
        rows: rows
            .into_iter()
            .map(|r| Row {
                reporter: reporter_label(&r),
                status: r.status.label_id(),
                received: format_time(r.received_at, tz),
                answered: r
                    .answered_at
                    .map(|a| format_time(a, tz))
                    .unwrap_or_default(),
                agency: r.agency_name.unwrap_or_default(),
                category: r.category_name.unwrap_or(r.category),
                channel: r.channel.label_id().to_string(),
                text: excerpt(&r.text, 160),
                answer: excerpt(r.answer.as_deref().unwrap_or_default(), 160),
                lapor_number: r.lapor_number.unwrap_or_default(),
                id: r.id,
                register_number: r.register_number,
                tracking_code: r.tracking_code,
            })
            .collect(),
        next_url: next.map(|c| format!("/staf/lapor?{filter_query}&setelah={}", c.encode())),
        filter_query,
        q,
    };
    Ok(render(&page))
}

/// Every row of the range for a download; a range with more than `EXPORT_MAX` rows is refused.
async fn export_rows(
    state: &AppState,
    staff: &Staff,
    q: &mut LaporQuery,
    tz: chrono_tz::Tz,
) -> Result<Vec<LaporRow>, PageError> {
    let mut filter = resolve(q, tz)?;
    filter.limit = Some(EXPORT_MAX);
    let (rows, next) = state.db().lapor_page(&staff.access, &filter).await?;
    if next.is_some() {
        return Err(PageError(ApiError::Unprocessable(format!(
            "lebih dari {EXPORT_MAX} aduan; persempit rentang tanggal"
        ))));
    }
    Ok(rows)
}

fn attachment(body: String, content_type: &'static str, q: &LaporQuery, ext: &str) -> Response {
    let safe = |text: &str| -> String {
        text.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect()
    };
    let filename = format!("lapor-{}-{}.{ext}", safe(&q.dari), safe(&q.sampai));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// One CSV field (RFC 4180): quoted when it holds a comma, quote, line break or edge space.
pub fn csv_field(value: &str) -> String {
    let needs_quotes = value.contains([',', '"', '\n', '\r', ';'])
        || value.starts_with(' ')
        || value.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// Free text a spreadsheet must not run as a formula: a leading `=`, `+`, `-`, `@`, tab or
/// carriage return gets an apostrophe in front (the stored text is unchanged).
pub fn csv_text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        csv_field(&format!("'{value}"))
    } else {
        csv_field(value)
    }
}

fn csv_line(out: &mut String, fields: &[String]) {
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

const CSV_HEADER: [&str; 18] = [
    "No. Register",
    "Kode Lacak",
    "Status",
    "Diterima",
    "Dijawab",
    "Ditutup",
    "OPD",
    "Kategori",
    "Kanal",
    "Anonim",
    "Rahasia",
    "Nama Pelapor",
    "Telepon Pelapor",
    "Email Pelapor",
    "Isi Aduan",
    "Jawaban",
    "Nomor LAPOR!",
    "Dicatat di LAPOR!",
];

/// The rows as CSV: UTF-8 with a byte order mark (so spreadsheets read it as UTF-8), a header
/// row, CRLF line ends; times in the region's zone as `YYYY-MM-DD HH:MM`.
pub fn to_csv(rows: &[LaporRow], tz: chrono_tz::Tz) -> String {
    let time = |ms: Option<i64>| -> String {
        ms.and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let yes_no = |b: bool| if b { "ya" } else { "tidak" }.to_string();
    let opt = |v: &Option<String>| csv_text(v.as_deref().unwrap_or_default());
    let mut out = String::from("\u{feff}");
    csv_line(
        &mut out,
        &CSV_HEADER.iter().map(|h| csv_field(h)).collect::<Vec<_>>(),
    );
    for r in rows {
        csv_line(
            &mut out,
            &[
                csv_field(&r.register_number),
                csv_field(&r.tracking_code),
                csv_field(r.status.label_id()),
                time(Some(r.received_at)),
                time(r.answered_at),
                time(r.closed_at),
                opt(&r.agency_name),
                csv_text(r.category_name.as_deref().unwrap_or(&r.category)),
                csv_field(r.channel.as_str()),
                yes_no(r.anonymous),
                yes_no(r.confidential),
                opt(&r.reporter_name),
                opt(&r.reporter_phone),
                opt(&r.reporter_email),
                csv_text(&r.text),
                opt(&r.answer),
                opt(&r.lapor_number),
                time(r.lapor_recorded_at),
            ],
        );
    }
    out
}

pub async fn download_csv(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    query: Result<Query<LaporQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    require_lapor(&staff)?;
    let Query(mut q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let tz = state.region_tz().await;
    let rows = export_rows(&state, &staff, &mut q, tz).await?;
    Ok(attachment(
        to_csv(&rows, tz),
        "text/csv; charset=utf-8",
        &q,
        "csv",
    ))
}

pub async fn download_json(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    query: Result<Query<LaporQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    require_lapor(&staff)?;
    let Query(mut q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let tz = state.region_tz().await;
    let rows = export_rows(&state, &staff, &mut q, tz).await?;
    let export = LaporExport {
        items: rows.into_iter().map(LaporItem::from).collect(),
        next_cursor: None,
    };
    let body = serde_json::to_string_pretty(&export)
        .map_err(|e| PageError(ApiError::Internal(e.to_string())))?;
    Ok(attachment(body, "application/json", &q, "json"))
}

// ---------------------------------------------------------------------------------------------
// The number on the ticket page

/// What the ticket page shows in its "Nomor LAPOR!" box.
pub struct LaporBox {
    pub number: String,
    pub recorded: String,
}

/// The box for secretariat and admin; `None` for the other roles.
pub(crate) async fn ticket_box(
    state: &AppState,
    staff: &Staff,
    ticket_id: i64,
    tz: chrono_tz::Tz,
) -> Result<Option<LaporBox>, PageError> {
    if !staff.reports_to_lapor() {
        return Ok(None);
    }
    let status = state.db().lapor_status(&staff.access, ticket_id).await?;
    Ok(Some(LaporBox {
        number: status.lapor_number.unwrap_or_default(),
        recorded: status
            .lapor_recorded_at
            .map(|at| format_time(at, tz))
            .unwrap_or_default(),
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct NumberForm {
    #[serde(default)]
    lapor_number: String,
}

#[derive(Template)]
#[template(path = "staff/lapor_number.html")]
struct NumberPage {
    nav: Nav,
    ticket_id: i64,
    register_number: String,
    current: String,
    value: String,
    errors: Errors,
}

pub async fn record(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(form): Form<NumberForm>,
) -> Result<Response, PageError> {
    let nav = require_lapor(&staff)?;
    match state
        .db()
        .record_lapor_number(&staff.access, id, &form.lapor_number)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/staf/aduan/{id}?ok=lapor"))),
        Err(err) => {
            let mut errors = Errors::default();
            errors.store(err, "lapor_number")?;
            let ticket = state.db().ticket(&staff.access, id).await?;
            let current = state
                .db()
                .lapor_status(&staff.access, id)
                .await?
                .lapor_number
                .unwrap_or_default();
            Ok(invalid(&NumberPage {
                nav,
                ticket_id: id,
                register_number: ticket.register_number,
                current,
                value: form.lapor_number,
                errors,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{csv_field, csv_text};

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("biasa"), "biasa");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("kata \"itu\""), "\"kata \"\"itu\"\"\"");
        assert_eq!(csv_field("baris\nbaru"), "\"baris\nbaru\"");
        assert_eq!(csv_field(" spasi"), "\" spasi\"");
        assert_eq!(csv_field("jalan rusak ☹"), "jalan rusak ☹");
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_text("+62812"), "'+62812");
    }
}
