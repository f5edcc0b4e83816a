//! Administration pages (role admin only): region settings, the organisation tree (agencies and
//! positions), users and roles, and categories. Invalid input is shown on the form with 422.

use super::forms::{Errors, invalid, require_admin, see_other};
use crate::error::{ApiError, PageError};
use crate::extract::PageStaff;
use crate::public::Choice;
use crate::state::AppState;
use crate::view::{Nav, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::{PhoneNumber, Role};
use serde::Deserialize;
use std::collections::HashSet;
use store::org::{AGENCY_KINDS, Agency, Category, NewAgency, NewUser, Position, RegionSettings};

/// The time zones of Indonesia, by their IANA name.
const ZONES: [(&str, &str); 3] = [
    ("Asia/Jakarta", "WIB — Waktu Indonesia Barat"),
    ("Asia/Makassar", "WITA — Waktu Indonesia Tengah"),
    ("Asia/Jayapura", "WIT — Waktu Indonesia Timur"),
];

fn opt(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// The message shown after a successful save (`?ok=…`).
fn flash(ok: Option<&str>) -> Option<&'static str> {
    match ok? {
        "wilayah" => Some("Pengaturan wilayah disimpan."),
        "opd-baru" => Some("OPD ditambahkan."),
        "opd" => Some("Perubahan OPD disimpan."),
        "jabatan" => Some("Jabatan ditambahkan."),
        "pengguna-baru" => Some("Pengguna ditambahkan."),
        "pengguna" => Some("Perubahan pengguna disimpan."),
        "kategori" => Some("Kategori disimpan."),
        _ => None,
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    ok: Option<String>,
    /// Users: text filter.
    q: Option<String>,
    /// Positions: the agency preselected in the form.
    opd: Option<String>,
    /// Categories: the code being edited.
    ubah: Option<String>,
}

/// Items in tree order (each parent before its children) with their depth. Items whose parent
/// is not among `items` are roots; any left over (a cycle in bad data) come last at depth 0.
fn tree_order<T>(
    items: &[T],
    id: impl Fn(&T) -> i64,
    parent: impl Fn(&T) -> Option<i64>,
) -> Vec<(usize, &T)> {
    let ids: HashSet<i64> = items.iter().map(&id).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    let mut stack: Vec<(usize, &T)> = items
        .iter()
        .filter(|t| parent(t).is_none_or(|p| !ids.contains(&p)))
        .rev()
        .map(|t| (0, t))
        .collect();
    loop {
        while let Some((depth, item)) = stack.pop() {
            if !seen.insert(id(item)) {
                continue;
            }
            out.push((depth, item));
            let me = id(item);
            stack.extend(
                items
                    .iter()
                    .filter(|c| parent(c) == Some(me))
                    .rev()
                    .map(|c| (depth + 1, c)),
            );
        }
        match items.iter().find(|t| !seen.contains(&id(t))) {
            Some(t) => stack.push((0, t)),
            None => break,
        }
    }
    out
}

/// The deepest level `app.css` indents (`tree-1` … `tree-8`); deeper rows stay at it.
const MAX_INDENT: usize = 8;

fn indent_label(depth: usize, label: &str) -> String {
    format!("{}{label}", "— ".repeat(depth))
}

fn checked(value: &str) -> bool {
    !value.is_empty()
}

fn parse_id(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

// ---------------------------------------------------------------------------------------------
// Region settings

#[derive(Debug, Default, Deserialize)]
pub struct RegionForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    logo_url: String,
}

#[derive(Template)]
#[template(path = "admin/region.html")]
struct RegionPage {
    nav: Nav,
    form: RegionForm,
    zones: Vec<Choice>,
    errors: Errors,
    flash: Option<&'static str>,
}

fn zones() -> Vec<Choice> {
    ZONES
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).into(),
            label: (*label).into(),
        })
        .collect()
}

/// An absolute http(s) URL without spaces, or nothing.
pub fn valid_logo_url(url: &str) -> bool {
    if url.is_empty() {
        return true;
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !r.chars().any(|c| c.is_whitespace() || c.is_control())
    }) && url.len() <= 500
}

pub async fn region_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let region = state.db().region().await?;
    Ok(render(&RegionPage {
        nav,
        form: RegionForm {
            name: region.name,
            timezone: region.timezone,
            logo_url: region.logo_url.unwrap_or_default(),
        },
        zones: zones(),
        errors: Errors::default(),
        flash: flash(q.ok.as_deref()),
    }))
}

pub async fn region_save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<RegionForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let form = RegionForm {
        name: form.name.trim().to_string(),
        timezone: form.timezone.trim().to_string(),
        logo_url: form.logo_url.trim().to_string(),
    };
    let mut errors = Errors::default();
    if form.name.is_empty() {
        errors.add("name", "nama wilayah wajib diisi");
    } else if form.name.chars().count() > 120 {
        errors.add("name", "nama wilayah paling banyak 120 karakter");
    }
    if !ZONES.iter().any(|(z, _)| *z == form.timezone) {
        errors.add("timezone", "pilih zona waktu WIB, WITA atau WIT");
    }
    if !valid_logo_url(&form.logo_url) {
        errors.add(
            "logo_url",
            "URL logo harus diawali http:// atau https:// (atau dikosongkan)",
        );
    }
    if !errors.is_empty() {
        return Ok(invalid(&RegionPage {
            nav,
            form,
            zones: zones(),
            errors,
            flash: None,
        }));
    }
    let settings = RegionSettings {
        logo_url: opt(&form.logo_url),
        name: form.name,
        timezone: form.timezone,
    };
    state.db().update_region(&settings).await?;
    Ok(see_other("/admin?ok=wilayah"))
}

// ---------------------------------------------------------------------------------------------
// Agencies (OPD)

#[derive(Debug, Default, Deserialize)]
pub struct AgencyForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    mechanism: String,
    /// A checkbox: "on" when ticked, absent otherwise.
    #[serde(default)]
    active: String,
}

impl AgencyForm {
    pub fn is_active(&self) -> bool {
        checked(&self.active)
    }

    fn of(agency: &Agency) -> Self {
        AgencyForm {
            code: agency.code.clone(),
            name: agency.name.clone(),
            kind: agency.kind.clone(),
            parent_id: agency.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            mechanism: agency.mechanism.clone(),
            active: if agency.active {
                "on".into()
            } else {
                String::new()
            },
        }
    }

    /// Normalises the form in place and checks it. `excluded` are the agencies that may not be
    /// the parent (the agency being edited and everything below it).
    fn check(&mut self, agencies: &[Agency], excluded: &[i64]) -> (NewAgency, Errors) {
        self.code = self.code.trim().to_uppercase();
        self.name = self.name.trim().to_string();
        self.kind = self.kind.trim().to_string();
        self.parent_id = self.parent_id.trim().to_string();
        let mut errors = Errors::default();
        if !valid_agency_code(&self.code) {
            errors.add(
                "code",
                "kode OPD 2–20 karakter: huruf besar, angka atau tanda hubung",
            );
        }
        if self.name.is_empty() {
            errors.add("name", "nama OPD wajib diisi");
        } else if self.name.chars().count() > 200 {
            errors.add("name", "nama OPD paling banyak 200 karakter");
        }
        if !AGENCY_KINDS.iter().any(|(k, _)| *k == self.kind) {
            errors.add("kind", "pilih jenis OPD");
        }
        let parent_id = if self.parent_id.is_empty() {
            None
        } else {
            match parse_id(&self.parent_id) {
                Some(p) if excluded.contains(&p) => {
                    errors.add(
                        "parent_id",
                        "induk tidak boleh OPD ini sendiri atau OPD di bawahnya",
                    );
                    None
                }
                Some(p) if agencies.iter().any(|a| a.id == p) => Some(p),
                _ => {
                    errors.add("parent_id", "OPD induk tidak ditemukan");
                    None
                }
            }
        };
        if self.mechanism.chars().count() > 5000 {
            errors.add("mechanism", "mekanisme paling banyak 5000 karakter");
        }
        let agency = NewAgency {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            parent_id,
            mechanism: self.mechanism.trim().to_string(),
        };
        (agency, errors)
    }
}

/// Uppercase ASCII letters, digits and dashes, 2 to 20 characters.
pub fn valid_agency_code(code: &str) -> bool {
    (2..=20).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

fn kind_label(kind: &str) -> &'static str {
    AGENCY_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, label)| *label)
        .unwrap_or("Lainnya")
}

fn kinds() -> Vec<Choice> {
    AGENCY_KINDS
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).into(),
            label: (*label).into(),
        })
        .collect()
}

/// Agencies as select options in tree order, leaving out `excluded`.
fn agency_choices(agencies: &[Agency], excluded: &[i64]) -> Vec<Choice> {
    tree_order(agencies, |a| a.id, |a| a.parent_id)
        .into_iter()
        .filter(|(_, a)| !excluded.contains(&a.id))
        .map(|(depth, a)| Choice {
            value: a.id.to_string(),
            label: indent_label(
                depth,
                &format!(
                    "{} ({}){}",
                    a.name,
                    a.code,
                    if a.active { "" } else { " — nonaktif" }
                ),
            ),
        })
        .collect()
}

pub struct AgencyRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub parent: String,
    /// The depth in the tree, for the stylesheet's `tree-N` class (capped at `MAX_INDENT`).
    pub indent: usize,
    pub active: bool,
}

fn agency_rows(agencies: &[Agency]) -> Vec<AgencyRow> {
    tree_order(agencies, |a| a.id, |a| a.parent_id)
        .into_iter()
        .map(|(depth, a)| AgencyRow {
            id: a.id,
            code: a.code.clone(),
            name: a.name.clone(),
            kind: kind_label(&a.kind),
            parent: a
                .parent_id
                .and_then(|p| agencies.iter().find(|x| x.id == p))
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            indent: depth.min(MAX_INDENT),
            active: a.active,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/agencies.html")]
struct AgenciesPage {
    nav: Nav,
    rows: Vec<AgencyRow>,
    form: AgencyForm,
    kinds: Vec<Choice>,
    parents: Vec<Choice>,
    errors: Errors,
    flash: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "admin/agency.html")]
struct AgencyPage {
    nav: Nav,
    id: i64,
    form: AgencyForm,
    kinds: Vec<Choice>,
    parents: Vec<Choice>,
    errors: Errors,
    flash: Option<&'static str>,
}

pub async fn agencies_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    Ok(render(&AgenciesPage {
        nav,
        rows: agency_rows(&agencies),
        parents: agency_choices(&agencies, &[]),
        form: AgencyForm {
            kind: "agency".into(),
            ..Default::default()
        },
        kinds: kinds(),
        errors: Errors::default(),
        flash: flash(q.ok.as_deref()),
    }))
}

pub async fn agency_create(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(mut form): Form<AgencyForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    let (agency, mut errors) = form.check(&agencies, &[]);
    if errors.is_empty() {
        match state.db().create_agency(&agency).await {
            Ok(_) => {
                state.invalidate_catalog();
                return Ok(see_other("/admin/opd?ok=opd-baru"));
            }
            Err(e) => errors.store(e, "code")?,
        }
    }
    Ok(invalid(&AgenciesPage {
        nav,
        rows: agency_rows(&agencies),
        parents: agency_choices(&agencies, &[]),
        form,
        kinds: kinds(),
        errors,
        flash: None,
    }))
}

pub async fn agency_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    let agency = agencies
        .iter()
        .find(|a| a.id == id)
        .ok_or(ApiError::NotFound)?;
    let excluded = state.db().agency_subtree(id).await?;
    Ok(render(&AgencyPage {
        nav,
        id,
        form: AgencyForm::of(agency),
        kinds: kinds(),
        parents: agency_choices(&agencies, &excluded),
        errors: Errors::default(),
        flash: None,
    }))
}

pub async fn agency_save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(mut form): Form<AgencyForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    if !agencies.iter().any(|a| a.id == id) {
        return Err(PageError(ApiError::NotFound));
    }
    let excluded = state.db().agency_subtree(id).await?;
    let (agency, mut errors) = form.check(&agencies, &excluded);
    if errors.is_empty() {
        match state
            .db()
            .update_agency(id, &agency, form.is_active())
            .await
        {
            Ok(()) => {
                state.invalidate_catalog();
                return Ok(see_other("/admin/opd?ok=opd"));
            }
            Err(e) => errors.store(e, "code")?,
        }
    }
    Ok(invalid(&AgencyPage {
        nav,
        id,
        form,
        kinds: kinds(),
        parents: agency_choices(&agencies, &excluded),
        errors,
        flash: None,
    }))
}

// ---------------------------------------------------------------------------------------------
// Positions (jabatan)

pub struct PositionRow {
    pub id: i64,
    pub name: String,
    pub label: String,
    pub parent: String,
    /// As `AgencyRow::indent`.
    pub indent: usize,
}

pub struct PositionGroup {
    pub agency_id: i64,
    pub agency: String,
    pub rows: Vec<PositionRow>,
}

/// Every agency (in tree order) with its positions (in tree order).
fn position_groups(agencies: &[Agency], positions: &[Position]) -> Vec<PositionGroup> {
    tree_order(agencies, |a| a.id, |a| a.parent_id)
        .into_iter()
        .map(|(_, a)| {
            let own: Vec<Position> = positions
                .iter()
                .filter(|p| p.agency_id == a.id)
                .cloned()
                .collect();
            let rows = tree_order(&own, |p| p.id, |p| p.parent_id)
                .into_iter()
                .map(|(depth, p)| PositionRow {
                    id: p.id,
                    name: p.name.clone(),
                    label: indent_label(depth, &p.name),
                    parent: p
                        .parent_id
                        .and_then(|id| own.iter().find(|x| x.id == id))
                        .map(|x| x.name.clone())
                        .unwrap_or_default(),
                    indent: depth.min(MAX_INDENT),
                })
                .collect();
            PositionGroup {
                agency_id: a.id,
                agency: format!("{} ({})", a.name, a.code),
                rows,
            }
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct PositionForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    agency_id: String,
    #[serde(default)]
    parent_id: String,
}

#[derive(Template)]
#[template(path = "admin/positions.html")]
struct PositionsPage {
    nav: Nav,
    groups: Vec<PositionGroup>,
    agencies: Vec<Choice>,
    form: PositionForm,
    errors: Errors,
    flash: Option<&'static str>,
}

impl PositionsPage {
    fn empty(&self) -> bool {
        self.groups.iter().all(|g| g.rows.is_empty())
    }
}

pub async fn positions_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    let positions = state.db().positions().await?;
    Ok(render(&PositionsPage {
        nav,
        groups: position_groups(&agencies, &positions),
        agencies: agency_choices(&agencies, &[]),
        form: PositionForm {
            agency_id: q.opd.unwrap_or_default(),
            ..Default::default()
        },
        errors: Errors::default(),
        flash: flash(q.ok.as_deref()),
    }))
}

pub async fn position_create(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(mut form): Form<PositionForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    let positions = state.db().positions().await?;
    form.name = form.name.trim().to_string();
    let mut errors = Errors::default();
    if form.name.is_empty() {
        errors.add("name", "nama jabatan wajib diisi");
    } else if form.name.chars().count() > 200 {
        errors.add("name", "nama jabatan paling banyak 200 karakter");
    }
    let agency_id = parse_id(&form.agency_id).filter(|id| agencies.iter().any(|a| a.id == *id));
    if agency_id.is_none() {
        errors.add("agency_id", "pilih OPD");
    }
    let parent_id = if form.parent_id.trim().is_empty() {
        None
    } else {
        let parent = parse_id(&form.parent_id).and_then(|id| positions.iter().find(|p| p.id == id));
        match parent {
            Some(p) if Some(p.agency_id) == agency_id => Some(p.id),
            Some(_) => {
                errors.add("parent_id", "jabatan atasan harus dari OPD yang sama");
                None
            }
            None => {
                errors.add("parent_id", "jabatan atasan tidak ditemukan");
                None
            }
        }
    };
    if let (true, Some(agency_id)) = (errors.is_empty(), agency_id) {
        match state
            .db()
            .create_position(agency_id, &form.name, parent_id)
            .await
        {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/admin/jabatan?ok=jabatan&opd={agency_id}"
                )));
            }
            Err(e) => errors.store(e, "name")?,
        }
    }
    Ok(invalid(&PositionsPage {
        nav,
        groups: position_groups(&agencies, &positions),
        agencies: agency_choices(&agencies, &[]),
        form,
        errors,
        flash: None,
    }))
}

// ---------------------------------------------------------------------------------------------
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
            role: user.role.clone(),
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

fn role_label(role: &str) -> &'static str {
    Role::parse(role).map(Role::label_id).unwrap_or("?")
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
            role: role_label(&u.role),
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
    if is_self && user.role != existing.role {
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
// Categories (kategori)

#[derive(Debug, Default, Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    active: String,
    #[serde(default)]
    sort_order: String,
    /// `ubah` when editing an existing category; otherwise a new one is added.
    #[serde(default)]
    mode: String,
}

impl CategoryForm {
    pub fn is_active(&self) -> bool {
        checked(&self.active)
    }

    pub fn editing(&self) -> bool {
        self.mode == "ubah"
    }
}

/// Lowercase ASCII letters, 2 to 30 characters.
pub fn valid_category_code(code: &str) -> bool {
    (2..=30).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
}

#[derive(Template)]
#[template(path = "admin/categories.html")]
struct CategoriesPage {
    nav: Nav,
    rows: Vec<Category>,
    form: CategoryForm,
    errors: Errors,
    flash: Option<&'static str>,
}

pub async fn categories_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let rows = state.db().categories().await?;
    let editing = q
        .ubah
        .as_deref()
        .and_then(|code| rows.iter().find(|c| c.code == code));
    let form = match editing {
        Some(c) => CategoryForm {
            code: c.code.clone(),
            name: c.name.clone(),
            active: if c.active { "on".into() } else { String::new() },
            sort_order: c.sort_order.to_string(),
            mode: "ubah".into(),
        },
        None => CategoryForm {
            active: "on".into(),
            sort_order: (rows.iter().map(|c| c.sort_order).max().unwrap_or(0) + 1).to_string(),
            ..Default::default()
        },
    };
    Ok(render(&CategoriesPage {
        nav,
        rows,
        form,
        errors: Errors::default(),
        flash: flash(q.ok.as_deref()),
    }))
}

pub async fn category_save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(mut form): Form<CategoryForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let rows = state.db().categories().await?;
    form.code = form.code.trim().to_string();
    form.name = form.name.trim().to_string();
    form.sort_order = form.sort_order.trim().to_string();
    let mut errors = Errors::default();
    let exists = rows.iter().any(|c| c.code == form.code);
    if !valid_category_code(&form.code) {
        errors.add("code", "kode kategori 2–30 huruf kecil tanpa spasi");
    } else if form.editing() && !exists {
        errors.add("code", "kategori tidak ditemukan");
    } else if !form.editing() && exists {
        errors.add("code", "kode kategori sudah ada");
    }
    if form.name.is_empty() {
        errors.add("name", "nama kategori wajib diisi");
    } else if form.name.chars().count() > 100 {
        errors.add("name", "nama kategori paling banyak 100 karakter");
    }
    let sort_order = if form.sort_order.is_empty() {
        Some(0)
    } else {
        form.sort_order
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=9999).contains(n))
    };
    if sort_order.is_none() {
        errors.add("sort_order", "urutan harus angka 0–9999");
    }
    if let (true, Some(sort_order)) = (errors.is_empty(), sort_order) {
        match state
            .db()
            .upsert_category(&form.code, &form.name, form.is_active(), sort_order)
            .await
        {
            Ok(()) => {
                state.invalidate_catalog();
                return Ok(see_other("/admin/kategori?ok=kategori"));
            }
            Err(e) => errors.store(e, "code")?,
        }
    }
    Ok(invalid(&CategoriesPage {
        nav,
        rows,
        form,
        errors,
        flash: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_urls() {
        assert!(valid_agency_code("DISHUB"));
        assert!(valid_agency_code("KEC-01"));
        assert!(!valid_agency_code("D"));
        assert!(!valid_agency_code("dishub"));
        assert!(!valid_agency_code("DIS HUB"));
        assert!(valid_category_code("pengaduan"));
        assert!(!valid_category_code("Pengaduan"));
        assert!(!valid_category_code("peng_aduan"));
        assert!(valid_username("penghubung.dishub"));
        assert!(!valid_username("Budi"));
        assert!(valid_logo_url(""));
        assert!(valid_logo_url("https://contoh.go.id/logo.png"));
        assert!(!valid_logo_url("javascript:alert(1)"));
        assert!(!valid_logo_url("https://"));
        assert!(!valid_logo_url("https://contoh.go.id/a b.png"));
    }

    #[test]
    fn tree_order_puts_children_under_parents_and_survives_cycles() {
        let items = [
            (1, None),
            (2, Some(3)),
            (3, Some(1)),
            (4, None),
            (5, Some(6)),
            (6, Some(5)),
        ];
        let order: Vec<(usize, i64)> = tree_order(&items, |t| t.0, |t| t.1)
            .into_iter()
            .map(|(d, t)| (d, t.0))
            .collect();
        assert_eq!(order, [(0, 1), (1, 3), (2, 2), (0, 4), (0, 5), (1, 6)]);
    }
}
