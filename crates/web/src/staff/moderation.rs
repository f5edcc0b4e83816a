//! Moderation of the published cases (secretariat and admin): the list including withheld
//! cases, editing the published copy and withholding or restoring a case, with history. The
//! ticket's original text is never changed.

use crate::forms::see_other;

use crate::error::{ApiError, PageError};
use crate::public::cases::{CaseQuery, CaseRow};
use crate::request::{PageStaff, Staff};
use crate::state::AppState;
use crate::view::{Nav, format_time, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use store::publication::{CaseFilter, may_moderate};

fn require_moderator(staff: &Staff) -> Result<Nav, PageError> {
    if !may_moderate(&staff.access) {
        return Err(PageError(ApiError::Forbidden));
    }
    Ok(Nav::of(staff))
}

#[derive(Template)]
#[template(path = "staff/cases.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<CaseRow>,
    q: String,
    page: i64,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(query): Query<CaseQuery>,
) -> Result<Response, PageError> {
    let nav = require_moderator(&staff)?;
    let filter = CaseFilter {
        include_withheld: true,
        ..query.to_filter()?
    };
    let found = state.db().search_cases(&filter).await?;
    let tz = state.region_tz().await;
    Ok(render(&ListPage {
        nav,
        rows: found
            .items
            .iter()
            .map(|c| CaseRow::of(c, tz, true))
            .collect(),
        q: filter.q.clone().unwrap_or_default(),
        page: found.page,
        prev: (found.page > 1).then(|| format!("/staf/kasus{}", query.link(found.page - 1))),
        next: found
            .has_next
            .then(|| format!("/staf/kasus{}", query.link(found.page + 1))),
    }))
}

pub struct RevisionRow {
    pub actor: String,
    pub at: String,
    pub action: &'static str,
    pub reason: String,
    pub question_before: String,
    pub question_after: String,
    pub answer_before: String,
    pub answer_after: String,
    pub changed: bool,
}

#[derive(Template)]
#[template(path = "staff/case.html")]
struct DetailPage {
    nav: Nav,
    c: CaseRow,
    ticket_id: i64,
    question: String,
    answer: String,
    withheld: bool,
    withheld_reason: String,
    edited: bool,
    history: Vec<RevisionRow>,
    flash: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct DetailQuery {
    ok: Option<String>,
}

fn action_label(action: &str) -> &'static str {
    match action {
        "edit" => "Salinan publik diubah",
        "withhold" => "Ditahan dari publik",
        "restore" => "Ditampilkan kembali",
        "reanswer" => "Jawaban baru",
        _ => "Perubahan",
    }
}

pub async fn detail(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, PageError> {
    let nav = require_moderator(&staff)?;
    let (case, revisions) = state.db().case_for_moderation(&staff.access, id).await?;
    let tz = state.region_tz().await;
    let history = revisions
        .into_iter()
        .map(|r| RevisionRow {
            actor: r.actor_name.unwrap_or_else(|| "Sistem".into()),
            at: format_time(r.at, tz),
            action: action_label(&r.action),
            reason: r.reason,
            changed: r.question_before != r.question_after || r.answer_before != r.answer_after,
            question_before: r.question_before,
            question_after: r.question_after,
            answer_before: r.answer_before,
            answer_after: r.answer_after,
        })
        .collect();
    let flash = match q.ok.as_deref() {
        Some("ubah") => Some("Salinan publik disimpan."),
        Some("tahan") => Some("Kasus ditahan dari halaman publik."),
        Some("tampilkan") => Some("Kasus ditampilkan kembali."),
        _ => None,
    };
    Ok(render(&DetailPage {
        nav,
        c: CaseRow::of(&case, tz, false),
        ticket_id: case.ticket_id,
        question: case.question,
        answer: case.answer,
        withheld: case.withheld,
        withheld_reason: case.withheld_reason.unwrap_or_default(),
        edited: case.edited,
        history,
        flash,
    }))
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    question: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reason: String,
}

pub async fn edit(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> Result<Response, PageError> {
    require_moderator(&staff)?;
    // Browsers send CRLF line ends from a textarea; store plain LF.
    let question = form.question.replace("\r\n", "\n");
    let answer = form.answer.replace("\r\n", "\n");
    state
        .db()
        .edit_case(
            &staff.access,
            id,
            question.trim(),
            answer.trim(),
            &form.reason,
        )
        .await?;
    Ok(see_other(&format!("/staf/kasus/{id}?ok=ubah")))
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub async fn withhold(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, PageError> {
    require_moderator(&staff)?;
    state
        .db()
        .set_case_withheld(&staff.access, id, true, &form.reason)
        .await?;
    Ok(see_other(&format!("/staf/kasus/{id}?ok=tahan")))
}

pub async fn restore(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, PageError> {
    require_moderator(&staff)?;
    state
        .db()
        .set_case_withheld(&staff.access, id, false, &form.reason)
        .await?;
    Ok(see_other(&format!("/staf/kasus/{id}?ok=tampilkan")))
}
