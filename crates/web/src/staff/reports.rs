//! Reports (`/staf/laporan`): downloads of the monthly recap, the liaison officers' report and
//! the semester report as XLSX, PDF or CSV, scoped by role (agency roles get their agency only;
//! secretariat, admin and head of region everything), and the monthly submission of each
//! agency's recap to the secretariat by the 10th with its state per agency.

use super::urlencode;
use crate::forms::see_other;

use crate::error::{ApiError, PageError};
use crate::request::{PageStaff, Staff};
use crate::state::AppState;
use crate::view::{Nav, format_time, render};
use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use report::{Format, Kind, ReportError, Request};
use serde::Deserialize;
use store::reports::{Period, SubmissionState, submits_recap};

#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    /// `monthly`, `semester` or `liaison`.
    #[serde(default)]
    pub jenis: String,
    /// Agency code; empty: the user's agency (agency roles) or all (region roles).
    #[serde(default)]
    pub opd: String,
    /// `YYYY-MM` or `YYYY-S1`/`YYYY-S2`.
    #[serde(default)]
    pub periode: String,
    /// `xlsx`, `pdf` or `csv`.
    #[serde(default)]
    pub format: String,
    /// `kirim` after a submission.
    #[serde(default)]
    pub ok: String,
}

fn bad(message: impl Into<String>) -> PageError {
    PageError(ApiError::Unprocessable(message.into()))
}

fn report_error(err: ReportError) -> PageError {
    match err {
        ReportError::Store(e) => PageError(e.into()),
        ReportError::Invalid(m) => bad(m),
        ReportError::Render(m) => PageError(ApiError::Internal(m)),
    }
}

/// The month before the current one (region time): the recap being prepared.
fn last_month(tz: chrono_tz::Tz) -> Period {
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let day = today
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    Period::month_of(day)
}

/// The last semester that has ended (region time).
fn last_semester(tz: chrono_tz::Tz) -> Period {
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    if today.month() >= 7 {
        Period::Semester {
            year: today.year(),
            half: 1,
        }
    } else {
        Period::Semester {
            year: today.year() - 1,
            half: 2,
        }
    }
}

pub struct AgencyOption {
    pub code: String,
    pub name: String,
}

pub struct SubmissionRow {
    pub code: String,
    pub name: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub submitted: String,
    pub by: String,
    /// The user may submit this agency's recap now.
    pub can_submit: bool,
}

#[derive(Template)]
#[template(path = "staff/reports.html")]
struct ReportsPage {
    nav: Nav,
    month: String,
    month_label: String,
    semester: String,
    agencies: Vec<AgencyOption>,
    /// The user's own agency code (agency roles), preselected.
    own_agency: String,
    region_wide: bool,
    rows: Vec<SubmissionRow>,
    deadline: String,
    submitted_ok: bool,
}

/// Agencies the user may report on.
async fn agency_options(state: &AppState, staff: &Staff) -> Result<Vec<AgencyOption>, PageError> {
    Ok(state
        .db()
        .agencies()
        .await?
        .into_iter()
        .filter(|a| a.kind != "secretariat" && staff.access.sees(Some(domain::AgencyId(a.id))))
        .map(|a| AgencyOption {
            code: a.code,
            name: a.name,
        })
        .collect())
}

async fn own_agency_code(state: &AppState, staff: &Staff) -> Result<String, PageError> {
    if staff.access.visible_agencies().is_none() {
        return Ok(String::new());
    }
    let Some(id) = staff.user.agency_id else {
        return Ok(String::new());
    };
    Ok(state
        .db()
        .agencies()
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .map(|a| a.code)
        .unwrap_or_default())
}

pub async fn page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let tz = state.region_tz().await;
    let month = match q.periode.trim() {
        "" => last_month(tz),
        text => match text.parse::<Period>().map_err(bad)? {
            p @ Period::Month { .. } => p,
            Period::Semester { .. } => {
                return Err(bad("status pengiriman memakai bulan (TTTT-BB)"));
            }
        },
    };
    let now = store::now_ms();
    let submissions = state
        .db()
        .submissions(&staff.access, &month.to_string(), now)
        .await?;
    let (_, month_end) = month.bounds(tz);
    let may_submit = submits_recap(staff.access.role()) && now >= month_end;
    let rows = submissions
        .into_iter()
        .map(|s| SubmissionRow {
            can_submit: may_submit && s.submitted_at.is_none(),
            state: s.state.label_id(),
            state_code: s.state.as_str(),
            submitted: s
                .submitted_at
                .map(|at| format_time(at, tz))
                .unwrap_or_default(),
            by: s.submitted_by.unwrap_or_default(),
            code: s.agency_code,
            name: s.agency_name,
        })
        .collect();
    let deadline = month
        .submission_deadline(tz)
        .map(|d| format_time(d - 60_000, tz))
        .unwrap_or_default();
    let page = ReportsPage {
        nav: Nav::of(&staff),
        month: month.to_string(),
        month_label: month.label_id(),
        semester: last_semester(tz).to_string(),
        agencies: agency_options(&state, &staff).await?,
        own_agency: own_agency_code(&state, &staff).await?,
        region_wide: staff.access.visible_agencies().is_none(),
        rows,
        deadline,
        submitted_ok: q.ok == "kirim",
    };
    Ok(render(&page))
}

pub async fn download(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let kind: Kind = q.jenis.parse().map_err(bad)?;
    let format: Format = q.format.parse().map_err(bad)?;
    let period: Period = q.periode.parse().map_err(bad)?;
    let mut agency = Some(q.opd.trim().to_string()).filter(|a| !a.is_empty());
    if agency.is_none() && kind == Kind::Monthly {
        // An agency role's own agency; region roles must choose.
        agency = Some(own_agency_code(&state, &staff).await?).filter(|a| !a.is_empty());
    }
    let request = Request {
        kind,
        agency,
        period,
    };
    let built = report::build(state.db(), &staff.access, &request, store::now_ms())
        .await
        .map_err(report_error)?;
    let filename = built.file_name(format);
    // Typst layout is CPU work: keep it off the async workers.
    let bytes = tokio::task::spawn_blocking(move || built.render(format))
        .await
        .map_err(|e| PageError(ApiError::Internal(e.to_string())))?
        .map_err(report_error)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    opd: String,
    #[serde(default)]
    periode: String,
}

/// An agency submits its recap of a month to the secretariat.
pub async fn submit(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<SubmitForm>,
) -> Result<Response, PageError> {
    if !submits_recap(staff.access.role()) {
        return Err(PageError(ApiError::Forbidden));
    }
    let agency = state
        .db()
        .agency_ref(&form.opd)
        .await
        .map_err(|_| bad(format!("OPD {:?} tidak ditemukan", form.opd.trim())))?;
    let submission = state
        .db()
        .submit_recap(
            &staff.access,
            agency.id,
            form.periode.trim(),
            store::now_ms(),
        )
        .await?;
    debug_assert!(submission.state != SubmissionState::NotYet);
    Ok(see_other(&format!(
        "/staf/laporan?periode={}&ok=kirim",
        urlencode(&submission.period)
    )))
}
