//! The citizen's site: the complaint form and the tracking page.

use crate::api::tickets::submit;
use crate::error::{ApiError, PageError};
use crate::request::ClientIp;
use crate::state::AppState;
use crate::view::{format_time, render, render_with};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use domain::{Channel, FieldError, IntakeInput, TrackingCode};
use serde::Deserialize;

pub(crate) mod agencies;
pub(crate) mod cases;
mod stats;
mod submitted;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kasus", get(cases::list))
        .route("/kasus/feed.atom", get(cases::feed))
        .route("/kasus/{id}", get(cases::detail))
        .route("/instansi", get(agencies::list))
        .route("/instansi/{code}", get(agencies::detail))
        .route("/statistik", get(stats::page))
        .route("/", get(form_page))
        .route("/aduan", axum::routing::post(submit_form))
        .route("/aduan/diterima/{code}", get(submitted::page))
        .route(
            "/aduan/diterima/{code}/sms",
            axum::routing::post(submitted::send_code),
        )
        .route("/lacak", get(track_lookup))
        .route("/lacak/{code}", get(track_page))
}

/// What the form posts. Everything arrives as text; numbers are parsed here so that a bad value
/// becomes a message next to its field.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct ComplaintForm {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub agency_code: String,
    #[serde(default)]
    pub reporter_name: String,
    #[serde(default)]
    pub reporter_phone: String,
    #[serde(default)]
    pub reporter_email: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub lat: String,
    #[serde(default)]
    pub long: String,
    /// `public`, `anonymous` or `confidential`.
    #[serde(default)]
    pub privacy: String,
    /// One-time token of this form: a double submit creates one ticket.
    #[serde(default)]
    pub form_token: String,
}

fn opt(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

impl ComplaintForm {
    fn to_input(&self) -> (IntakeInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut number = |field: &'static str, text: &str| -> Option<f64> {
            let text = text.trim().replace(',', ".");
            if text.is_empty() {
                return None;
            }
            text.parse()
                .map_err(|_| {
                    errors.push(FieldError {
                        field,
                        message: "harus berupa angka".into(),
                    })
                })
                .ok()
        };
        let lat = number("lat", &self.lat);
        let long = number("long", &self.long);
        let input = IntakeInput {
            category: opt(&self.category),
            text: Some(self.text.clone()),
            agency_code: opt(&self.agency_code),
            reporter_name: opt(&self.reporter_name),
            reporter_phone: opt(&self.reporter_phone),
            reporter_email: opt(&self.reporter_email),
            address: opt(&self.address),
            lat,
            long,
            anonymous: self.privacy == "anonymous",
            confidential: self.privacy == "confidential",
        };
        (input, errors)
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "public/form.html")]
struct FormPage {
    categories: Vec<Choice>,
    agencies: Vec<Choice>,
    form: ComplaintForm,
    errors: Vec<FieldError>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

async fn form_page_with(
    state: &AppState,
    form: ComplaintForm,
    errors: Vec<FieldError>,
) -> Result<FormPage, PageError> {
    let catalog = state.catalog().await?;
    Ok(FormPage {
        categories: catalog
            .categories
            .iter()
            .filter(|c| c.active)
            .map(|c| Choice {
                value: c.code.clone(),
                label: c.name.clone(),
            })
            .collect(),
        agencies: catalog
            .intake_agencies()
            .map(|a| Choice {
                value: a.code.clone(),
                label: a.name.clone(),
            })
            .collect(),
        form,
        errors,
    })
}

async fn form_page(State(state): State<AppState>) -> Result<Response, PageError> {
    let form = ComplaintForm {
        category: "pengaduan".into(),
        privacy: "public".into(),
        form_token: store::auth::random_token(),
        ..Default::default()
    };
    Ok(render(&form_page_with(&state, form, Vec::new()).await?))
}

async fn submit_form(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<ComplaintForm>,
) -> Result<Response, PageError> {
    let (input, mut errors) = form.to_input();
    if !errors.is_empty() {
        // Report the other fields' problems too, in one go.
        let catalog = state.catalog().await?;
        if let Err(more) = input.validate(
            |c| catalog.accepts_category(c),
            |a| catalog.accepts_agency(a),
        ) {
            errors.extend(more);
        }
    }
    let key = Some(form.form_token.trim())
        .filter(|t| (16..=128).contains(&t.len()))
        .map(|t| format!("form:{t}"));
    if errors.is_empty() && !state.intake_allowed(ip) {
        return Err(PageError(ApiError::TooManyRequests));
    }
    if errors.is_empty() {
        match submit(&state, input, Channel::Web, key, None).await {
            Ok(created) => {
                return Ok(
                    Redirect::to(&format!("/aduan/diterima/{}", created.tracking_code))
                        .into_response(),
                );
            }
            Err(ApiError::Invalid(field_errors)) => errors = field_errors,
            Err(other) => return Err(PageError(other)),
        }
    }
    let page = form_page_with(&state, form, errors).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Deserialize)]
struct LookupQuery {
    kode: Option<String>,
}

#[derive(Template)]
#[template(path = "public/lookup.html")]
struct LookupPage {
    code: String,
    not_found: bool,
}

async fn track_lookup(Query(q): Query<LookupQuery>) -> Response {
    match q.kode.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(code) => match TrackingCode::parse(code) {
            Some(code) => Redirect::to(&format!("/lacak/{code}")).into_response(),
            None => render_with(
                StatusCode::NOT_FOUND,
                &LookupPage {
                    code: code.to_string(),
                    not_found: true,
                },
            ),
        },
        None => render(&LookupPage {
            code: String::new(),
            not_found: false,
        }),
    }
}

pub struct TimelineRow {
    pub label: String,
    pub at: String,
    pub body: Option<String>,
    pub agency_name: Option<String>,
}

#[derive(Template)]
#[template(path = "public/track.html")]
struct TrackPage {
    just_submitted: bool,
    ticket: store::tickets::PublicTicket,
    received: String,
    timeline: Vec<TimelineRow>,
}

#[derive(Deserialize)]
struct TrackQuery {
    baru: Option<String>,
}

async fn track_page(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    Query(q): Query<TrackQuery>,
) -> Result<Response, PageError> {
    if !state.track_allowed(ip) {
        return Err(PageError(ApiError::TooManyRequests));
    }
    let not_found = || {
        render_with(
            StatusCode::NOT_FOUND,
            &LookupPage {
                code: code.clone(),
                not_found: true,
            },
        )
    };
    let Some(parsed) = TrackingCode::parse(&code) else {
        return Ok(not_found());
    };
    let ticket = match state.db().track(&parsed).await {
        Ok(t) => t,
        Err(store::StoreError::NotFound) => return Ok(not_found()),
        Err(e) => return Err(e.into()),
    };
    let tz = state.region_tz().await;
    let timeline = ticket
        .timeline
        .iter()
        .map(|e| TimelineRow {
            label: e.label.clone(),
            at: format_time(e.at, tz),
            body: e.body.clone(),
            agency_name: e.agency_name.clone(),
        })
        .collect();
    Ok(render(&TrackPage {
        just_submitted: q.baru.is_some(),
        received: format_time(ticket.received_at, tz),
        ticket,
        timeline,
    }))
}
