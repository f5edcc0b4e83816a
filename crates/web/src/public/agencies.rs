//! Each agency's public page (SIK §11.1, MISSION E2): its handling officers (names and
//! positions, no private contact) and its complaint mechanism.

use crate::error::{ApiError, PageError};
use crate::public::cases::CaseRow;
use crate::state::AppState;
use crate::view::render;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use store::publication::CaseFilter;

pub struct AgencyRow {
    pub code: String,
    pub name: String,
    pub published: i64,
}

#[derive(Template)]
#[template(path = "public/agencies.html")]
struct ListPage {
    agencies: Vec<AgencyRow>,
}

pub async fn list(State(state): State<AppState>) -> Result<Response, PageError> {
    let catalog = state.catalog().await?;
    let counts = state.db().published_per_agency().await?;
    let agencies = catalog
        .intake_agencies()
        .map(|a| AgencyRow {
            code: a.code.clone(),
            name: a.name.clone(),
            published: counts.get(&a.id).copied().unwrap_or(0),
        })
        .collect();
    Ok(render(&ListPage { agencies }))
}

pub struct OfficerRow {
    pub name: String,
    pub position: String,
    pub role: &'static str,
}

#[derive(Template)]
#[template(path = "public/agency.html")]
struct DetailPage {
    code: String,
    name: String,
    mechanism: String,
    officers: Vec<OfficerRow>,
    published: i64,
    recent: Vec<CaseRow>,
}

pub async fn detail(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let catalog = state.catalog().await?;
    let agency = catalog
        .intake_agencies()
        .find(|a| a.code.eq_ignore_ascii_case(code.trim()))
        .cloned()
        .ok_or(ApiError::NotFound)?;
    let officers = state
        .db()
        .agency_officers(agency.id)
        .await?
        .into_iter()
        .map(|o| OfficerRow {
            name: o.full_name,
            position: o.position.unwrap_or_default(),
            role: o.role.label_id(),
        })
        .collect();
    let published = state
        .db()
        .published_per_agency()
        .await?
        .get(&agency.id)
        .copied()
        .unwrap_or(0);
    let tz = state.region_tz().await;
    let recent = state
        .db()
        .search_cases(&CaseFilter {
            agency_code: Some(agency.code.clone()),
            page: 1,
            ..CaseFilter::default()
        })
        .await?
        .items
        .iter()
        .take(5)
        .map(|c| CaseRow::of(c, tz, true))
        .collect();
    Ok(render(&DetailPage {
        code: agency.code,
        name: agency.name,
        mechanism: agency.mechanism,
        officers,
        published,
        recent,
    }))
}
