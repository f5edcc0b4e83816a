//! "Profil saya": each official's own contact and how they are notified (channels, quiet
//! hours) for the digests, escalations and forwarded tickets.

use crate::error::PageError;
use crate::forms::{Errors, invalid, see_other};
use crate::request::PageStaff;
use crate::state::AppState;
use crate::view::Nav;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use store::StoreError;
use store::notify::Preferences;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub email: String,
    pub phone: String,
    pub sms: Option<String>,
    pub email_on: Option<String>,
    pub quiet_from: String,
    pub quiet_to: String,
}

impl ProfileForm {
    fn of(p: &Preferences) -> Self {
        let (from, to) = p
            .quiet_hours
            .as_deref()
            .and_then(|q| q.split_once('-'))
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .unwrap_or_default();
        let on = |c: &str| {
            p.notify_channels
                .split(',')
                .any(|x| x == c)
                .then(|| "on".into())
        };
        Self {
            email: p.email.clone().unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            sms: on("sms"),
            email_on: on("email"),
            quiet_from: from,
            quiet_to: to,
        }
    }

    pub fn sms_on(&self) -> bool {
        self.sms.is_some()
    }

    pub fn mail_on(&self) -> bool {
        self.email_on.is_some()
    }
}

#[derive(Template)]
#[template(path = "staff/profile.html")]
pub struct ProfilePage {
    nav: Nav,
    form: ProfileForm,
    errors: Errors,
    flash: Option<&'static str>,
    /// Plt./Plh.: the official's own delegations and the form to record one.
    delegation: super::delegations::DelegationBox,
}

#[derive(Deserialize)]
pub struct PageQuery {
    ok: Option<String>,
}

/// The profile page with a given delegation card (re-shown with its errors after a refusal).
pub(crate) async fn render_page(
    state: &AppState,
    staff: &crate::request::Staff,
    delegation: super::delegations::DelegationBox,
    flash: Option<&'static str>,
    status: axum::http::StatusCode,
) -> Result<Response, PageError> {
    let preferences = state.db().preferences(staff.user.id).await?;
    Ok(crate::view::render_with(
        status,
        &ProfilePage {
            nav: Nav::of(staff),
            form: ProfileForm::of(&preferences),
            errors: Errors::default(),
            flash,
            delegation,
        },
    ))
}

fn own_delegation_form() -> super::delegations::DelegationForm {
    super::delegations::DelegationForm {
        kind: "plh".into(),
        ..Default::default()
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let flash = match q.ok.as_deref() {
        None => None,
        Some("delegasi") => Some("Delegasi dicatat."),
        Some("akhiri") => Some("Delegasi diakhiri."),
        Some(_) => Some("Profil disimpan."),
    };
    let delegation = super::delegations::delegation_box(
        &state,
        &staff,
        false,
        own_delegation_form(),
        Errors::default(),
    )
    .await?;
    render_page(
        &state,
        &staff,
        delegation,
        flash,
        axum::http::StatusCode::OK,
    )
    .await
}

pub async fn save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<ProfileForm>,
) -> Result<Response, PageError> {
    let text = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    let channels = match (form.sms_on(), form.mail_on()) {
        (true, true) => "sms,email",
        (true, false) => "sms",
        (false, true) => "email",
        (false, false) => "none",
    };
    let quiet = match (text(&form.quiet_from), text(&form.quiet_to)) {
        (Some(from), Some(to)) => Some(format!("{from}-{to}")),
        _ => None,
    };
    let preferences = Preferences {
        email: text(&form.email),
        phone: text(&form.phone),
        notify_channels: channels.into(),
        quiet_hours: quiet,
    };
    let mut errors = Errors::default();
    match state
        .db()
        .update_preferences(staff.user.id, &preferences)
        .await
    {
        Ok(()) => return Ok(see_other("/staf/profil?ok=1")),
        Err(StoreError::Invalid(message)) => {
            let field = ["email", "phone", "quiet_hours", "notify_channels"]
                .into_iter()
                .find(|f| message.starts_with(&format!("{f}:")))
                .unwrap_or("email");
            errors.add(field, message);
        }
        Err(e) => return Err(e.into()),
    }
    let delegation = super::delegations::delegation_box(
        &state,
        &staff,
        false,
        own_delegation_form(),
        Errors::default(),
    )
    .await?;
    Ok(invalid(&ProfilePage {
        nav: Nav::of(&staff),
        form,
        errors,
        flash: None,
        delegation,
    }))
}
