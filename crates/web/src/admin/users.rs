//! Users and their roles.

use super::agencies::agency_choices;
use super::positions::{PositionGroup, position_groups};
use super::{PageQuery, checked, flash, opt, parse_id};
use crate::error::PageError;
use crate::forms::{Errors, invalid, require_admin, see_other};
use crate::public::Choice;
use crate::request::PageStaff;
use crate::state::AppState;
use crate::view::{Nav, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::{PhoneNumber, Role};
use serde::Deserialize;
use store::org::{Agency, NewUser, Position};

// Users (pengguna)

#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    agency_id: String,
    #[serde(default)]
    position_id: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    /// Never rendered back into the page.
    #[serde(default)]
    password: String,
    #[serde(default)]
    active: String,
}

impl UserForm {
    pub fn is_active(&self) -> bool {
        checked(&self.active)
    }

    fn of(user: &store::org::User) -> Self {
        UserForm {
            username: user.username.clone(),
            full_name: user.full_name.clone(),
            role: user.role.as_str().to_string(),
            agency_id: user.agency_id.map(|a| a.to_string()).unwrap_or_default(),
            position_id: user.position_id.map(|p| p.to_string()).unwrap_or_default(),
            email: user.email.clone().unwrap_or_default(),
            phone: user.phone.clone().unwrap_or_default(),
            password: String::new(),
            active: if user.active {
                "on".into()
            } else {
                String::new()
            },
        }
    }

    /// Normalises the form in place and checks it; on an edit the password may stay empty.
    fn check(
        &mut self,
        creating: bool,
        agencies: &[Agency],
        positions: &[Position],
    ) -> (NewUser, Errors) {
        let mut errors = Errors::default();
        self.username = self.username.trim().to_string();
        self.full_name = self.full_name.trim().to_string();
        self.email = self.email.trim().to_string();
        self.phone = self.phone.trim().to_string();
        if creating && !valid_username(&self.username) {
            errors.add(
                "username",
                "nama pengguna 3–40 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung",
            );
        }
        if self.full_name.is_empty() {
            errors.add("full_name", "nama lengkap wajib diisi");
        } else if self.full_name.chars().count() > 120 {
            errors.add("full_name", "nama lengkap paling banyak 120 karakter");
        }
        let role = Role::parse(&self.role);
        if role.is_none() {
            errors.add("role", "pilih peran");
        }
        let agency_id = if self.agency_id.trim().is_empty() {
            None
        } else {
            let found = parse_id(&self.agency_id).filter(|id| agencies.iter().any(|a| a.id == *id));
            if found.is_none() {
                errors.add("agency_id", "OPD tidak ditemukan");
            }
            found
        };
        if role.is_some_and(|r| !r.sees_whole_region())
            && agency_id.is_none()
            && errors.get("agency_id").is_empty()
        {
            errors.add("agency_id", "peran ini wajib memilih OPD");
        }
        let position_id = if self.position_id.trim().is_empty() {
            None
        } else {
            match parse_id(&self.position_id).and_then(|id| positions.iter().find(|p| p.id == id)) {
                Some(p) if Some(p.agency_id) == agency_id => Some(p.id),
                Some(_) => {
                    errors.add("position_id", "jabatan harus dari OPD yang dipilih");
                    None
                }
                None => {
                    errors.add("position_id", "jabatan tidak ditemukan");
                    None
                }
            }
        };
        let email = opt(&self.email);
        if email
            .as_deref()
            .is_some_and(|e| !domain::intake::is_plausible_email(e))
        {
            errors.add("email", "alamat email tidak valid");
        }
        let phone = match opt(&self.phone) {
            None => None,
            Some(p) => match PhoneNumber::parse(&p) {
                Ok(p) => Some(p.as_str().to_string()),
                Err(e) => {
                    errors.add("phone", e.to_string());
                    None
                }
            },
        };
        let password_len = self.password.chars().count();
        if (creating || password_len > 0) && password_len < 8 {
            errors.add("password", "kata sandi minimal 8 karakter");
        } else if password_len > 200 {
            errors.add("password", "kata sandi paling banyak 200 karakter");
        }
        let user = NewUser {
            username: self.username.clone(),
            password: std::mem::take(&mut self.password),
            full_name: self.full_name.clone(),
            role: self.role.clone(),
            agency_id,
            position_id,
            email,
            phone,
        };
        (user, errors)
    }
}

/// Lowercase ASCII letters, digits, `.`, `_` and `-`, 3 to 40 characters.
pub fn valid_username(name: &str) -> bool {
    (3..=40).contains(&name.len())
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

fn roles() -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str().into(),
            label: r.label_id().into(),
        })
        .collect()
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: &'static str,
    pub agency: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    nav: Nav,
    rows: Vec<UserRow>,
    q: String,
    form: UserForm,
    roles: Vec<Choice>,
    agencies: Vec<Choice>,
    groups: Vec<PositionGroup>,
    errors: Errors,
    flash: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    nav: Nav,
    id: i64,
    is_self: bool,
    form: UserForm,
    roles: Vec<Choice>,
    agencies: Vec<Choice>,
    groups: Vec<PositionGroup>,
    errors: Errors,
    flash: Option<&'static str>,
}

/// The users list page, filtered by `q` (username, name, role or agency, ignoring case).
async fn users_view(
    state: &AppState,
    nav: Nav,
    q: String,
    form: UserForm,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<UsersPage, PageError> {
    let agencies = state.db().agencies().await?;
    let positions = state.db().positions().await?;
    let needle = q.trim().to_lowercase();
    let rows = state
        .db()
        .users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            role: u.role.label_id(),
            agency: u
                .agency_id
                .and_then(|id| agencies.iter().find(|a| a.id == id))
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            username: u.username,
            full_name: u.full_name,
            active: u.active,
        })
        .filter(|r| {
            needle.is_empty()
                || [r.username.as_str(), &r.full_name, r.role, &r.agency]
                    .iter()
                    .any(|field| field.to_lowercase().contains(&needle))
        })
        .collect();
    Ok(UsersPage {
        nav,
        rows,
        q,
        form,
        roles: roles(),
        agencies: agency_choices(&agencies, &[]),
        groups: position_groups(&agencies, &positions),
        errors,
        flash,
    })
}

pub async fn users_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let form = UserForm {
        role: Role::Staff.as_str().into(),
        ..Default::default()
    };
    let page = users_view(
        &state,
        nav,
        q.q.unwrap_or_default(),
        form,
        Errors::default(),
        flash(q.ok.as_deref()),
    )
    .await?;
    Ok(render(&page))
}

pub async fn user_create(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(mut form): Form<UserForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    let positions = state.db().positions().await?;
    let (user, mut errors) = form.check(true, &agencies, &positions);
    if errors.is_empty() {
        match state.db().create_user(&user).await {
            Ok(_) => return Ok(see_other("/admin/pengguna?ok=pengguna-baru")),
            Err(e) => errors.store(e, "username")?,
        }
    }
    let page = users_view(&state, nav, String::new(), form, errors, None).await?;
    Ok(invalid(&page))
}

pub async fn user_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let user = state.db().user(id).await?;
    let agencies = state.db().agencies().await?;
    let positions = state.db().positions().await?;
    Ok(render(&UserPage {
        nav,
        id,
        is_self: id == staff.user.id,
        form: UserForm::of(&user),
        roles: roles(),
        agencies: agency_choices(&agencies, &[]),
        groups: position_groups(&agencies, &positions),
        errors: Errors::default(),
        flash: None,
    }))
}

pub async fn user_save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(mut form): Form<UserForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let existing = state.db().user(id).await?;
    let agencies = state.db().agencies().await?;
    let positions = state.db().positions().await?;
    // The username is fixed; the form shows it read-only.
    form.username = existing.username.clone();
    let (user, mut errors) = form.check(false, &agencies, &positions);
    let is_self = id == staff.user.id;
    if is_self && !form.is_active() {
        errors.add("active", "Anda tidak dapat menonaktifkan akun sendiri");
    }
    if is_self && Role::parse(&user.role) != Some(existing.role) {
        errors.add("role", "Anda tidak dapat mengubah peran akun sendiri");
    }
    if errors.is_empty() {
        let keep_own_session = is_self.then_some(staff.token.as_str());
        match state
            .db()
            .update_user(id, &user, form.is_active(), keep_own_session)
            .await
        {
            Ok(()) => return Ok(see_other("/admin/pengguna?ok=pengguna")),
            Err(e) => errors.store(e, "full_name")?,
        }
    }
    Ok(invalid(&UserPage {
        nav,
        id,
        is_self,
        form,
        roles: roles(),
        agencies: agency_choices(&agencies, &[]),
        groups: position_groups(&agencies, &positions),
        errors,
        flash: None,
    }))
}

// ---------------------------------------------------------------------------------------------
