//! Acting officials (Plt./Plh.) on staff pages: an official records their own delegation on
//! "Profil saya", an admin records anyone's on `/admin/delegasi`; either may end one early.
//! Also the admin's list of disposition instructions.

use crate::forms::{Errors, invalid, require_admin, see_other};

use crate::error::{ApiError, PageError};
use crate::public::Choice;
use crate::request::{PageStaff, Staff};
use crate::state::AppState;
use crate::view::{Nav, format_time, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use store::StoreError;
use store::delegations::{Delegation, NewDelegation};

pub struct DelegationRow {
    pub id: i64,
    pub delegator: String,
    pub delegate: String,
    pub label: String,
    pub from: String,
    pub until: String,
    pub state: &'static str,
    pub active: bool,
    pub can_end: bool,
    pub note: String,
    pub basis: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DelegationForm {
    /// Admin only; the official themselves otherwise.
    pub delegator_id: String,
    pub delegate_id: String,
    /// `plh` or `plt`.
    pub kind: String,
    /// `YYYY-MM-DD`, region time; the delegation runs from the start of `dari` to the end of
    /// `sampai`.
    pub dari: String,
    pub sampai: String,
    pub note: String,
    /// What the delegation rests on: the number of the surat perintah.
    pub dasar: String,
}

/// The delegation card of "Profil saya" and of the admin page.
pub struct DelegationBox {
    pub rows: Vec<DelegationRow>,
    pub delegators: Vec<Choice>,
    pub delegates: Vec<Choice>,
    pub form: DelegationForm,
    pub errors: Errors,
    pub action: &'static str,
    /// Where "end early" returns: `profil` or `admin`.
    pub back: &'static str,
}

impl DelegationBox {
    pub fn picked(&self, current: &str, value: &str) -> bool {
        current == value
    }
}

fn row(d: Delegation, staff: &Staff, tz: chrono_tz::Tz, now: i64) -> DelegationRow {
    // `ends_at` is exclusive: show the last day of the window.
    let until = format_time(d.ends_at - 1, tz);
    DelegationRow {
        id: d.id,
        label: d.label(),
        from: format_time(d.starts_at, tz),
        until,
        state: if d.ended_early_by.is_some() && d.ends_at <= d.starts_at {
            "dibatalkan"
        } else {
            d.state_label(now)
        },
        active: d.is_active(now),
        can_end: d.ends_at > now
            && (staff.access.is_admin()
                || staff.user.id == d.delegator_id
                || staff.user.id == d.delegate_id
                || (staff.access.role() == domain::Role::Operator
                    && d.agency_id.is_some()
                    && d.agency_id == staff.user.agency_id)),
        delegator: d.delegator_name,
        delegate: d.delegate_name,
        note: d.note,
        basis: d.basis,
    }
}

/// The card for `staff`: the delegations their access may list, or all of them for the admin
/// page.
pub(crate) async fn delegation_box(
    state: &AppState,
    staff: &Staff,
    admin: bool,
    form: DelegationForm,
    errors: Errors,
) -> Result<DelegationBox, PageError> {
    let tz = state.region_tz().await;
    let now = store::now_ms();
    // The admin page lists all; elsewhere what the request's access may see (an operator: the
    // agency's delegations).
    let list = if admin {
        state.db().delegations(None).await?
    } else {
        state.db().delegations_for(&staff.access).await?
    };
    let mut rows: Vec<DelegationRow> = list.into_iter().map(|d| row(d, staff, tz, now)).collect();
    // Running delegations first.
    rows.sort_by_key(|r| !r.active);
    let operator = staff.access.role() == domain::Role::Operator;
    let users = match (admin, staff.user.agency_id) {
        (false, Some(agency)) => state.db().users_of_agency(agency).await?,
        _ => state.db().users().await?,
    };
    let choices = |exclude: Option<i64>| -> Vec<Choice> {
        users
            .iter()
            .filter(|u| u.active && Some(u.id) != exclude && u.role != "reporter")
            .map(|u| Choice {
                value: u.id.to_string(),
                label: format!("{} ({})", u.full_name, u.username),
            })
            .collect()
    };
    Ok(DelegationBox {
        rows,
        // The operator of an agency records its officials' delegations (seed 001 §11.9).
        delegators: if admin || operator {
            choices(None)
        } else {
            Vec::new()
        },
        // Recording a delegation gives the recorder nothing.
        delegates: choices(Some(staff.user.id)),
        form,
        errors,
        action: if admin {
            "/admin/delegasi"
        } else {
            "/staf/profil/delegasi"
        },
        back: if admin { "admin" } else { "profil" },
    })
}

/// Parses the form into a delegation, or puts the messages on `errors`.
async fn parse(
    state: &AppState,
    delegator_id: Option<i64>,
    form: &DelegationForm,
    errors: &mut Errors,
) -> Option<NewDelegation> {
    let tz = state.region_tz().await;
    let day = |text: &str, field: &'static str, errors: &mut Errors| {
        let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        if date.is_none() {
            errors.add(field, "isi tanggal (tttt-bb-hh)");
        }
        date
    };
    let from = day(&form.dari, "dari", errors);
    let until = day(&form.sampai, "sampai", errors);
    let midnight = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map(|t| t.timestamp_millis())
    };
    let delegate_id = form.delegate_id.parse::<i64>().ok();
    if delegate_id.is_none() {
        errors.add("delegate_id", "pilih pejabat pengganti");
    }
    if delegator_id.is_none() {
        errors.add("delegator_id", "pilih pejabat yang digantikan");
    }
    let starts_at = from.and_then(midnight);
    // Inclusive last day: the window ends at the next midnight.
    let ends_at = until.and_then(|d| d.succ_opt()).and_then(midnight);
    Some(NewDelegation {
        delegator_id: delegator_id?,
        delegate_id: delegate_id?,
        kind: form.kind.trim().to_string(),
        starts_at: starts_at?,
        ends_at: ends_at?,
        note: form.note.clone(),
        basis: form.dasar.clone(),
    })
}

/// Store messages name their field (`ends_at: …`): put each on the form's field.
fn store_error(err: StoreError, errors: &mut Errors) -> Result<(), PageError> {
    match err {
        StoreError::Invalid(m) => {
            let field = match m.split_once(':').map(|(f, _)| f) {
                Some("ends_at") => "sampai",
                Some("starts_at") => "dari",
                Some("kind") => "kind",
                Some("delegator_id") => "delegator_id",
                _ => "delegate_id",
            };
            let text = m.split_once(": ").map(|(_, t)| t).unwrap_or(&m).to_string();
            errors.add(field, text);
            Ok(())
        }
        StoreError::Forbidden => Err(PageError(ApiError::Forbidden)),
        other => Err(other.into()),
    }
}

pub async fn create_own(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<DelegationForm>,
) -> Result<Response, PageError> {
    let mut errors = Errors::default();
    // An operator may record for an official of their agency; everyone else for themselves.
    let delegator = match form.delegator_id.trim() {
        "" => Some(staff.user.id),
        id if staff.access.role() == domain::Role::Operator => id.parse::<i64>().ok(),
        _ => Some(staff.user.id),
    };
    if let Some(new) = parse(&state, delegator, &form, &mut errors).await {
        match state.db().create_delegation(&staff.access, &new).await {
            Ok(_) => return Ok(see_other("/staf/profil?ok=delegasi")),
            Err(e) => store_error(e, &mut errors)?,
        }
    }
    let delegation = delegation_box(&state, &staff, false, form, errors).await?;
    super::profile::render_page(
        &state,
        &staff,
        delegation,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndForm {
    pub back: String,
}

pub async fn end(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(form): Form<EndForm>,
) -> Result<Response, PageError> {
    state
        .db()
        .end_delegation(&staff.access, id, store::now_ms())
        .await?;
    Ok(see_other(if form.back == "admin" {
        "/admin/delegasi?ok=akhiri"
    } else {
        "/staf/profil?ok=akhiri"
    }))
}

#[derive(Template)]
#[template(path = "admin/delegations.html")]
struct AdminPage {
    nav: Nav,
    delegation: DelegationBox,
    flash: Option<&'static str>,
    /// The admin menu shows form problems; the delegation card shows its own.
    errors: Errors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OkQuery {
    pub ok: String,
    pub ubah: String,
}

fn flash(ok: &str) -> Option<&'static str> {
    match ok {
        "delegasi" => Some("Delegasi dicatat."),
        "akhiri" => Some("Delegasi diakhiri."),
        _ => None,
    }
}

pub async fn admin_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<OkQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let form = DelegationForm {
        kind: "plh".into(),
        ..Default::default()
    };
    let delegation = delegation_box(&state, &staff, true, form, Errors::default()).await?;
    Ok(render(&AdminPage {
        nav,
        delegation,
        flash: flash(&q.ok),
        errors: Errors::default(),
    }))
}

pub async fn admin_create(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<DelegationForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let mut errors = Errors::default();
    let delegator = form.delegator_id.parse::<i64>().ok();
    if let Some(new) = parse(&state, delegator, &form, &mut errors).await {
        match state.db().create_delegation(&staff.access, &new).await {
            Ok(_) => return Ok(see_other("/admin/delegasi?ok=delegasi")),
            Err(e) => store_error(e, &mut errors)?,
        }
    }
    let delegation = delegation_box(&state, &staff, true, form, errors).await?;
    Ok(invalid(&AdminPage {
        nav,
        delegation,
        flash: None,
        errors: Errors::default(),
    }))
}
