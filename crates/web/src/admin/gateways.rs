//! Admin page of the SMS gateways: those of `balai.toml` (shown, not editable) and those the
//! admin adds, changes, switches off or deletes here. A saved change reaches the running
//! gateways at once on this node and within seconds on the others.

use crate::error::{ApiError, PageError};
use crate::forms::{Errors, invalid, require_admin, see_other};
use crate::request::PageStaff;
use crate::state::AppState;
use crate::view::{Nav, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use sms::{GatewayConfig, GatewayKind};
use store::gateways::StoredGateway;

const KINDS: [(&str, &str); 5] = [
    ("kannel", "Kannel"),
    ("smpp", "SMPP (SMSC operator)"),
    ("android", "Ponsel Android"),
    ("gammu", "Modem GSM (gammu-smsd)"),
    ("dev", "Simulasi (demo)"),
];

/// The kinds the admin may choose: the simulated handset's `dev` kind only under `balai demo`.
fn offered_kinds(state: &AppState) -> Vec<(&'static str, &'static str)> {
    KINDS
        .iter()
        .copied()
        .filter(|(code, _)| state.config().simulator || *code != "dev")
        .collect()
}

fn flash(ok: Option<&str>) -> Option<&'static str> {
    match ok? {
        "simpan" => Some("Gateway disimpan; perubahan langsung berlaku."),
        "hapus" => Some("Gateway dihapus."),
        _ => None,
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    ok: Option<String>,
    ubah: Option<String>,
}

pub struct Row {
    pub name: String,
    pub kind: &'static str,
    pub default: bool,
    pub from_file: bool,
    pub enabled: bool,
    /// e.g. "terhubung" for a bound SMPP session; "" when there is nothing to tell.
    pub state: &'static str,
    /// Address the gateway calls (Kannel get-url, Android webhook), with the token hidden.
    pub callback: String,
}

/// The form; numbers stay text until checked so a typo is shown back as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GatewayForm {
    pub original_name: String,
    pub name: String,
    pub kind: String,
    pub default: Option<String>,
    pub enabled: Option<String>,
    pub sendsms_url: String,
    pub username: String,
    pub password: String,
    pub token: String,
    pub dlr_base_url: String,
    pub smsc: String,
    pub source_addr: String,
    pub host: String,
    pub port: String,
    pub system_id: String,
    pub system_type: String,
    pub window: String,
    pub throughput_per_sec: String,
    pub database_url: String,
    pub poll_interval_ms: String,
}

impl GatewayForm {
    pub fn editing(&self) -> bool {
        !self.original_name.is_empty()
    }

    pub fn is_default(&self) -> bool {
        self.default.is_some()
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled.is_some()
    }

    pub fn kind_is(&self, kind: &str) -> bool {
        self.kind == kind
    }

    fn of(row: &StoredGateway, config: &GatewayConfig) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let number = |v: Option<String>| v.unwrap_or_default();
        Self {
            original_name: row.name.clone(),
            name: row.name.clone(),
            kind: kind_code(config.kind()).to_string(),
            default: config.default.then(|| "on".into()),
            enabled: row.enabled.then(|| "on".into()),
            sendsms_url: text(&config.sendsms_url),
            username: text(&config.username),
            // Secrets are never sent back to the browser: blank keeps the stored one.
            password: String::new(),
            token: String::new(),
            dlr_base_url: text(&config.dlr_base_url),
            smsc: text(&config.smsc),
            source_addr: text(&config.source_addr),
            host: text(&config.host),
            port: number(config.port.map(|p| p.to_string())),
            system_id: text(&config.system_id),
            system_type: text(&config.system_type),
            window: number(config.window.map(|w| w.to_string())),
            throughput_per_sec: number(config.throughput_per_sec.map(|t| t.to_string())),
            database_url: text(&config.database_url),
            poll_interval_ms: number(config.poll_interval_ms.map(|t| t.to_string())),
        }
    }

    /// The gateway this form describes, keeping stored secrets left blank; errors name fields.
    fn config(&self, stored: Option<&GatewayConfig>, errors: &mut Errors) -> GatewayConfig {
        let text = |v: &str| {
            let v = v.trim();
            (!v.is_empty()).then(|| v.to_string())
        };
        let kind = match self.kind.as_str() {
            "kannel" => Some(GatewayKind::Kannel),
            "smpp" => Some(GatewayKind::Smpp),
            "android" => Some(GatewayKind::Android),
            "gammu" => Some(GatewayKind::Gammu),
            "dev" => Some(GatewayKind::Dev),
            _ => {
                errors.add("kind", "pilih jenis gateway");
                None
            }
        };
        fn number<T: std::str::FromStr>(
            value: &str,
            field: &'static str,
            errors: &mut Errors,
        ) -> Option<T> {
            let value = value.trim();
            if value.is_empty() {
                return None;
            }
            let parsed = value.parse().ok();
            if parsed.is_none() {
                errors.add(field, "harus bilangan bulat positif");
            }
            parsed
        }
        let secret = |typed: &str, kept: Option<&Option<String>>| {
            text(typed).or_else(|| kept.and_then(|k| k.clone()))
        };
        GatewayConfig {
            name: self.name.trim().to_string(),
            kind,
            default: self.is_default(),
            sendsms_url: text(&self.sendsms_url),
            username: text(&self.username),
            password: secret(&self.password, stored.map(|s| &s.password)),
            token: secret(&self.token, stored.map(|s| &s.token)),
            dlr_base_url: text(&self.dlr_base_url),
            smsc: text(&self.smsc),
            source_addr: text(&self.source_addr),
            host: text(&self.host),
            port: number(&self.port, "port", errors),
            system_id: text(&self.system_id),
            system_type: text(&self.system_type),
            window: number(&self.window, "window", errors),
            throughput_per_sec: number(&self.throughput_per_sec, "throughput_per_sec", errors),
            database_url: text(&self.database_url),
            poll_interval_ms: number(&self.poll_interval_ms, "poll_interval_ms", errors),
        }
    }
}

fn kind_code(kind: GatewayKind) -> &'static str {
    match kind {
        GatewayKind::Kannel => "kannel",
        GatewayKind::Smpp => "smpp",
        GatewayKind::Android => "android",
        GatewayKind::Gammu => "gammu",
        GatewayKind::Dev => "dev",
    }
}

fn kind_label(kind: GatewayKind) -> &'static str {
    let code = kind_code(kind);
    KINDS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

/// Which key of a validation message belongs to which field of the form.
fn field_of(message: &str) -> &'static str {
    const FIELDS: [&str; 17] = [
        "sendsms_url",
        "username",
        "password",
        "token",
        "dlr_base_url",
        "smsc",
        "source_addr",
        "host",
        "port",
        "system_id",
        "system_type",
        "window",
        "throughput_per_sec",
        "database_url",
        "poll_interval_ms",
        "kind",
        "default",
    ];
    FIELDS
        .iter()
        .find(|f| message.contains(&format!("`{f}`")))
        .copied()
        .unwrap_or("name")
}

#[derive(Template)]
#[template(path = "sms/gateways.html")]
pub struct GatewaysPage {
    nav: Nav,
    rows: Vec<Row>,
    problems: Vec<String>,
    reloads: bool,
    form: GatewayForm,
    kinds: Vec<(&'static str, &'static str)>,
    errors: Errors,
    flash: Option<&'static str>,
}

/// The address the gateway must call. The token of a gateway made here is shown (the admin
/// needs it to set the gateway up); that of balai.toml is not.
fn callback(state: &AppState, config: &GatewayConfig, reveal: bool) -> String {
    let base = state.config().public_url.trim_end_matches('/');
    let name = &config.name;
    let token = match &config.token {
        Some(token) if reveal => token.as_str(),
        _ => "…",
    };
    match config.kind() {
        GatewayKind::Kannel => format!(
            "{base}/gateway/kannel/mo?gateway={name}&from=%p&to=%P&text=%b&id=%I&ts=%T&smsc=%i&coding=%c&charset=%C&udh=%u&token={token}"
        ),
        GatewayKind::Android => {
            format!("{base}/gateway/android/webhook?gateway={name}&token={token}")
        }
        _ => String::new(),
    }
}

async fn view(
    state: &AppState,
    nav: Nav,
    form: GatewayForm,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<GatewaysPage, PageError> {
    let live = state.live_gateways();
    let current = live.current();
    let stored = state.db().stored_gateways().await?;
    let status = |config: &GatewayConfig| match config.kind() {
        GatewayKind::Smpp => match current.smpp(&config.name) {
            Some(session) if session.is_bound() => "terhubung",
            Some(_) => "belum terhubung",
            None => "",
        },
        _ => "",
    };
    let mut rows: Vec<Row> = live
        .file_gateways()
        .iter()
        .map(|config| Row {
            name: config.name.clone(),
            kind: kind_label(config.kind()),
            default: config.default,
            from_file: true,
            enabled: true,
            state: status(config),
            callback: callback(state, config, false),
        })
        .collect();
    for row in &stored {
        let in_force = current.by_name(&row.name);
        let config = sms::live::parse_stored(row).ok();
        rows.push(Row {
            name: row.name.clone(),
            kind: config.as_ref().map(|c| kind_label(c.kind())).unwrap_or("?"),
            default: in_force.is_some_and(|c| c.default),
            from_file: false,
            enabled: row.enabled,
            state: in_force.map(status).unwrap_or(""),
            callback: config
                .map(|c| callback(state, &c, true))
                .unwrap_or_default(),
        });
    }
    Ok(GatewaysPage {
        nav,
        rows,
        problems: live.problems(),
        reloads: live.reloads(),
        form,
        kinds: offered_kinds(state),
        errors,
        flash,
    })
}

fn new_form() -> GatewayForm {
    GatewayForm {
        kind: "kannel".into(),
        enabled: Some("on".into()),
        ..Default::default()
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let form = match &q.ubah {
        Some(name) => {
            let stored = state.db().stored_gateways().await?;
            let row = stored
                .iter()
                .find(|g| &g.name == name)
                .ok_or(PageError(ApiError::NotFound))?;
            let config: GatewayConfig = serde_json::from_str(&row.settings)
                .map_err(|e| PageError(ApiError::Internal(e.to_string())))?;
            GatewayForm::of(row, &config)
        }
        None => new_form(),
    };
    let page = view(&state, nav, form, Errors::default(), flash(q.ok.as_deref())).await?;
    Ok(render(&page))
}

pub async fn save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(mut form): Form<GatewayForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    form.name = form.name.trim().to_string();
    let stored = state.db().stored_gateways().await?;
    let previous = stored
        .iter()
        .find(|g| form.editing() && g.name == form.original_name)
        .and_then(|row| serde_json::from_str::<GatewayConfig>(&row.settings).ok());
    if form.editing() && previous.is_none() {
        return Err(PageError(ApiError::NotFound));
    }
    let mut errors = Errors::default();
    let mut config = form.config(previous.as_ref(), &mut errors);
    if config.kind == Some(GatewayKind::Dev) && !state.config().simulator {
        errors.add("kind", "gateway simulasi hanya tersedia di balai demo");
    }
    // A new webhook gateway gets a random token when none is typed.
    if matches!(
        config.kind,
        Some(GatewayKind::Kannel | GatewayKind::Android)
    ) && config.token.is_none()
    {
        config.token = Some(store::auth::random_token());
    }
    if errors.is_empty()
        && let Err(message) = config.validate()
    {
        errors.add(field_of(&message), message);
    }
    let live = state.live_gateways();
    if live.file_gateways().iter().any(|g| g.name == config.name) {
        errors.add("name", "nama ini sudah dipakai gateway di balai.toml");
    }
    if config.default {
        let other_default = live.file_gateways().iter().any(|g| g.default)
            || stored.iter().any(|row| {
                row.name != form.original_name
                    && row.enabled
                    && sms::live::parse_stored(row).is_ok_and(|c| c.default)
            });
        if other_default {
            errors.add("default", "gateway lain sudah menjadi gateway utama");
        }
    }
    if errors.is_empty() {
        let settings = serde_json::to_string(&config)
            .map_err(|e| PageError(ApiError::Internal(e.to_string())))?;
        let previous_name = form.editing().then_some(form.original_name.as_str());
        match state
            .db()
            .save_gateway(previous_name, &config.name, &settings, form.is_enabled())
            .await
        {
            Ok(()) => {
                live.changed();
                return Ok(see_other("/admin/gateway-sms?ok=simpan"));
            }
            Err(e) => errors.store(e, "name")?,
        }
    }
    form.password.clear();
    form.token.clear();
    let page = view(&state, nav, form, errors, None).await?;
    Ok(invalid(&page))
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    name: String,
}

pub async fn delete(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<DeleteForm>,
) -> Result<Response, PageError> {
    require_admin(&staff)?;
    state.db().delete_gateway(form.name.trim()).await?;
    state.live_gateways().changed();
    Ok(see_other("/admin/gateway-sms?ok=hapus"))
}
