//! SMS channel pages. Admin only: keywords (several per agency, enable/disable), the reply
//! templates and the blocked numbers. Any staff: the outbox with filters and "resend" (scoped to
//! the tickets the staff member may see) and, for admin and secretariat, the inbound SMS.

use super::forms::{Errors, invalid, require_admin, see_other};
use crate::api::tickets::{parse_when, region_tz};
use crate::error::{ApiError, PageError};
use crate::extract::{PageStaff, Staff};
use crate::public::Choice;
use crate::state::AppState;
use crate::view::{Nav, format_time, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::PhoneNumber;
use domain::sms::Encoding;
use serde::Deserialize;
use store::messages::OutboxFilter;
use store::org::Agency;
use store::sms::Keyword;

const PAGE_SIZE: i64 = 50;
const INBOUND_LIMIT: i64 = 100;

fn flash(ok: Option<&str>) -> Option<&'static str> {
    match ok? {
        "kata-kunci-baru" => Some("Kata kunci ditambahkan."),
        "kata-kunci" => Some("Perubahan kata kunci disimpan."),
        "templat" => Some("Templat SMS disimpan."),
        "blokir" => Some("Nomor diblokir."),
        "buka-blokir" => Some("Blokir nomor dicabut."),
        "kirim-ulang" => Some("Pesan dimasukkan kembali ke antrean kirim."),
        _ => None,
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    ok: Option<String>,
    /// Keywords: the id being edited.
    ubah: Option<i64>,
}

/// What a live composer shows for `text`, e.g. `45 karakter · 1 SMS (GSM-7) · 115 tersisa`.
pub fn counter_text(text: &str) -> String {
    let count = domain::sms::count(text);
    let encoding = match count.encoding {
        Encoding::Gsm7 => "GSM-7",
        Encoding::Ucs2 => "UCS-2",
    };
    format!(
        "{} karakter · {} SMS ({encoding}) · {} tersisa",
        text.chars().count(),
        count.segments,
        count.remaining_in_segment
    )
}

// ---------------------------------------------------------------------------------------------
// Keywords (kata kunci)

#[derive(Debug, Default, Deserialize)]
pub struct KeywordForm {
    #[serde(default)]
    keyword: String,
    #[serde(default)]
    agency_id: String,
    #[serde(default)]
    description: String,
    /// A checkbox on the edit form: "on" when ticked.
    #[serde(default)]
    active: String,
}

impl KeywordForm {
    pub fn is_active(&self) -> bool {
        !self.active.is_empty()
    }

    pub fn agency_is(&self, value: &str) -> bool {
        self.agency_id == value
    }

    fn of(k: &Keyword) -> Self {
        KeywordForm {
            keyword: k.keyword.clone(),
            agency_id: k.agency_id.to_string(),
            description: k.description.clone(),
            active: if k.active { "on".into() } else { String::new() },
        }
    }

    /// Normalises the form and checks the agency and description; the keyword itself is
    /// checked by the store.
    fn check(&mut self, agencies: &[Agency], current_agency: Option<i64>) -> (i64, Errors) {
        self.keyword = self.keyword.trim().to_uppercase();
        self.description = self.description.trim().to_string();
        self.agency_id = self.agency_id.trim().to_string();
        let mut errors = Errors::default();
        let agency = self
            .agency_id
            .parse::<i64>()
            .ok()
            .and_then(|id| agencies.iter().find(|a| a.id == id));
        let agency_id = match agency {
            Some(a) if a.active || Some(a.id) == current_agency => a.id,
            Some(_) => {
                errors.add("agency_id", "OPD ini nonaktif");
                0
            }
            None => {
                errors.add("agency_id", "pilih OPD tujuan");
                0
            }
        };
        if self.keyword.chars().count() > 30 {
            errors.add("keyword", "kata kunci paling banyak 30 karakter");
        }
        if self.description.chars().count() > 200 {
            errors.add("description", "keterangan paling banyak 200 karakter");
        }
        (agency_id, errors)
    }
}

#[derive(Template)]
#[template(path = "sms/keywords.html")]
struct KeywordsPage {
    nav: Nav,
    rows: Vec<Keyword>,
    agencies: Vec<Choice>,
    /// The create form.
    form: KeywordForm,
    /// The keyword being edited, with its form.
    editing: Option<(i64, KeywordForm)>,
    errors: Errors,
    flash: Option<&'static str>,
}

/// Active agencies as options, plus `keep` (the current agency of an edited keyword).
fn agency_choices(agencies: &[Agency], keep: Option<i64>) -> Vec<Choice> {
    agencies
        .iter()
        .filter(|a| a.active || Some(a.id) == keep)
        .map(|a| Choice {
            value: a.id.to_string(),
            label: format!(
                "{} ({}){}",
                a.name,
                a.code,
                if a.active { "" } else { " — nonaktif" }
            ),
        })
        .collect()
}

async fn keywords_view(
    state: &AppState,
    nav: Nav,
    form: KeywordForm,
    editing: Option<(i64, KeywordForm)>,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<KeywordsPage, PageError> {
    let rows = state.db().keywords().await?;
    let agencies = state.db().agencies().await?;
    let keep = editing
        .as_ref()
        .and_then(|(id, _)| rows.iter().find(|k| k.id == *id))
        .map(|k| k.agency_id);
    Ok(KeywordsPage {
        nav,
        rows,
        agencies: agency_choices(&agencies, keep),
        form,
        editing,
        errors,
        flash,
    })
}

pub async fn keywords_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let editing = match q.ubah {
        Some(id) => {
            let rows = state.db().keywords().await?;
            let k = rows
                .iter()
                .find(|k| k.id == id)
                .ok_or(PageError(ApiError::NotFound))?;
            Some((id, KeywordForm::of(k)))
        }
        None => None,
    };
    let page = keywords_view(
        &state,
        nav,
        KeywordForm::default(),
        editing,
        Errors::default(),
        flash(q.ok.as_deref()),
    )
    .await?;
    Ok(render(&page))
}

pub async fn keyword_create(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(mut form): Form<KeywordForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    let (agency_id, mut errors) = form.check(&agencies, None);
    if form.keyword.is_empty() {
        errors.add("keyword", "kata kunci wajib diisi");
    }
    if errors.is_empty() {
        match state
            .db()
            .create_keyword(&form.keyword, agency_id, &form.description)
            .await
        {
            Ok(_) => return Ok(see_other("/admin/kata-kunci?ok=kata-kunci-baru")),
            Err(e) => errors.store(e, "keyword")?,
        }
    }
    let page = keywords_view(&state, nav, form, None, errors, None).await?;
    Ok(invalid(&page))
}

pub async fn keyword_save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(mut form): Form<KeywordForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let existing = state
        .db()
        .keywords()
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or(PageError(ApiError::NotFound))?;
    // The keyword itself is fixed; the form shows it read-only.
    form.keyword = existing.keyword.clone();
    let agencies = state.db().agencies().await?;
    let (agency_id, mut errors) = form.check(&agencies, Some(existing.agency_id));
    if errors.is_empty() {
        match state
            .db()
            .update_keyword(id, agency_id, &form.description, form.is_active())
            .await
        {
            Ok(()) => return Ok(see_other("/admin/kata-kunci?ok=kata-kunci")),
            Err(e) => errors.store(e, "description")?,
        }
    }
    let page = keywords_view(
        &state,
        nav,
        KeywordForm::default(),
        Some((id, form)),
        errors,
        None,
    )
    .await?;
    Ok(invalid(&page))
}

// ---------------------------------------------------------------------------------------------
// Templates (templat SMS)

/// Placeholders and what they are replaced with.
const PLACEHOLDERS: [(&str, &str); 7] = [
    ("code", "kode lacak aduan"),
    ("register", "nomor register aduan"),
    ("due", "batas waktu jawaban, mis. \"3 jam kerja\""),
    ("keywords", "daftar kata kunci yang aktif"),
    ("region", "nama wilayah"),
    ("status", "status aduan"),
    ("answer", "teks jawaban petugas"),
];

/// What each template is for and the placeholders it can use.
fn template_info(code: &str) -> (&'static str, &'static [&'static str]) {
    match code {
        "ack" => (
            "Tanda terima aduan yang kata kuncinya dikenal",
            &["register", "code", "due"],
        ),
        "unknown_keyword" => (
            "Balasan untuk kata kunci yang tidak dikenal (aduan masuk triase)",
            &["code", "register", "keywords"],
        ),
        "help" => ("Balasan untuk BANTUAN/INFO", &["keywords", "region"]),
        "status" => (
            "Balasan cek status (CEK kode)",
            &["code", "status", "answer"],
        ),
        "status_unknown" => ("Balasan cek status untuk kode yang tidak ditemukan", &[]),
        "answer" => ("Jawaban petugas kepada pelapor SMS", &["code", "answer"]),
        "question" => (
            "Pertanyaan petugas kepada pelapor SMS",
            &["code", "question"],
        ),
        "reply_received" => ("Tanda terima tanggapan pelapor", &["code"]),
        "digest_hourly" => (
            "Ringkasan per jam untuk pejabat (aduan baru)",
            &["count", "inbox", "categories", "link"],
        ),
        "digest_daily" => (
            "Ringkasan harian untuk pejabat (belum dijawab)",
            &["count", "overdue", "oldest", "inbox", "link"],
        ),
        "forwarded" => (
            "Pemberitahuan aduan yang diteruskan/ditugaskan",
            &["register", "category"],
        ),
        "disposed" => (
            "Pemberitahuan disposisi kepada penerimanya",
            &["register", "instruction", "due"],
        ),
        _ => ("Templat SMS", &[]),
    }
}

/// `{name}` placeholders in a text that the template cannot fill.
fn unknown_placeholders(body: &str, allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find('{') {
        rest = &rest[start + 1..];
        let Some(end) = rest.find('}') else { break };
        let name = &rest[..end];
        if !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !allowed.contains(&name)
            && !found.iter().any(|f: &String| f == name)
        {
            found.push(name.to_string());
        }
    }
    found
}

pub struct PlaceholderDoc {
    pub name: String,
    pub meaning: &'static str,
}

pub struct TemplateRow {
    pub code: String,
    pub purpose: &'static str,
    pub placeholders: Vec<PlaceholderDoc>,
    pub body: String,
    pub counter: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "sms/templates.html")]
struct TemplatesPage {
    nav: Nav,
    rows: Vec<TemplateRow>,
    errors: Errors,
    flash: Option<&'static str>,
}

fn template_row(code: String, body: String, error: String) -> TemplateRow {
    let (purpose, names) = template_info(&code);
    TemplateRow {
        purpose,
        placeholders: names
            .iter()
            .map(|n| PlaceholderDoc {
                name: format!("{{{n}}}"),
                meaning: PLACEHOLDERS
                    .iter()
                    .find(|(p, _)| p == n)
                    .map(|(_, m)| *m)
                    .unwrap_or_default(),
            })
            .collect(),
        counter: counter_text(&body),
        code,
        body,
        error,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    body: String,
}

pub async fn templates_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let rows = state
        .db()
        .sms_templates()
        .await?
        .into_iter()
        .map(|(code, body)| template_row(code, body, String::new()))
        .collect();
    Ok(render(&TemplatesPage {
        nav,
        rows,
        errors: Errors::default(),
        flash: flash(q.ok.as_deref()),
    }))
}

pub async fn template_save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<TemplateForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let templates = state.db().sms_templates().await?;
    if !templates.iter().any(|(code, _)| *code == form.code) {
        return Err(PageError(ApiError::NotFound));
    }
    // Browsers send CRLF line ends; an SMS carries LF.
    let body = form.body.replace("\r\n", "\n").trim().to_string();
    let mut errors = Errors::default();
    let (_, allowed) = template_info(&form.code);
    let unknown = unknown_placeholders(&body, allowed);
    if body.is_empty() {
        errors.add("body", "teks templat wajib diisi");
    } else if body.chars().count() > 1000 {
        errors.add("body", "teks templat paling banyak 1000 karakter");
    } else if !unknown.is_empty() {
        let names: Vec<String> = unknown.iter().map(|n| format!("{{{n}}}")).collect();
        errors.add(
            "body",
            format!(
                "penanda {} tidak dikenal untuk templat ini",
                names.join(", ")
            ),
        );
    }
    if errors.is_empty() {
        match state.db().update_sms_template(&form.code, &body).await {
            Ok(()) => return Ok(see_other("/admin/templat-sms?ok=templat")),
            Err(e) => errors.store(e, "body")?,
        }
    }
    let message = errors.get("body").to_string();
    let rows = templates
        .into_iter()
        .map(|(code, stored)| {
            if code == form.code {
                template_row(code, body.clone(), message.clone())
            } else {
                template_row(code, stored, String::new())
            }
        })
        .collect();
    Ok(invalid(&TemplatesPage {
        nav,
        rows,
        errors,
        flash: None,
    }))
}

// ---------------------------------------------------------------------------------------------
// Blocked numbers (nomor diblokir)

#[derive(Debug, Default, Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    reason: String,
}

pub struct BlockedRow {
    pub phone: String,
    pub reason: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "sms/blocked.html")]
struct BlockedPage {
    nav: Nav,
    rows: Vec<BlockedRow>,
    form: BlockForm,
    errors: Errors,
    flash: Option<&'static str>,
}

async fn blocked_view(
    state: &AppState,
    nav: Nav,
    form: BlockForm,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<BlockedPage, PageError> {
    let tz = region_tz(state).await;
    let rows = state
        .db()
        .blocked_numbers()
        .await?
        .into_iter()
        .map(|(phone, reason, at)| BlockedRow {
            phone,
            reason,
            since: format_time(at, tz),
        })
        .collect();
    Ok(BlockedPage {
        nav,
        rows,
        form,
        errors,
        flash,
    })
}

pub async fn blocked_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let page = blocked_view(
        &state,
        nav,
        BlockForm::default(),
        Errors::default(),
        flash(q.ok.as_deref()),
    )
    .await?;
    Ok(render(&page))
}

pub async fn block(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(mut form): Form<BlockForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    form.phone = form.phone.trim().to_string();
    form.reason = form.reason.trim().to_string();
    let mut errors = Errors::default();
    if form.phone.is_empty() {
        errors.add("phone", "nomor telepon wajib diisi");
    } else if let Err(e) = PhoneNumber::parse(&form.phone) {
        errors.add("phone", e.to_string());
    }
    if form.reason.chars().count() > 200 {
        errors.add("reason", "alasan paling banyak 200 karakter");
    }
    if errors.is_empty() {
        match state.db().block_number(&form.phone, &form.reason).await {
            Ok(()) => return Ok(see_other("/admin/nomor-diblokir?ok=blokir")),
            Err(e) => errors.store(e, "phone")?,
        }
    }
    let page = blocked_view(&state, nav, form, errors, None).await?;
    Ok(invalid(&page))
}

#[derive(Debug, Default, Deserialize)]
pub struct UnblockForm {
    #[serde(default)]
    phone: String,
}

pub async fn unblock(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<UnblockForm>,
) -> Result<Response, PageError> {
    require_admin(&staff)?;
    if form.phone.trim().is_empty() {
        return Err(PageError(ApiError::Unprocessable(
            "nomor telepon wajib diisi".into(),
        )));
    }
    state.db().unblock_number(&form.phone).await?;
    Ok(see_other("/admin/nomor-diblokir?ok=buka-blokir"))
}

// ---------------------------------------------------------------------------------------------
// Outbox and inbound SMS (any staff)

const STATUSES: [(&str, &str); 4] = [
    ("pending", "Menunggu"),
    ("sent", "Terkirim ke gateway"),
    ("delivered", "Diterima ponsel"),
    ("failed", "Gagal"),
];

const CHANNELS: [(&str, &str); 3] = [("sms", "SMS"), ("email", "Email"), ("semua", "Semua")];

fn status_label(status: &str) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map(|(_, l)| *l)
        .unwrap_or("?")
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "answer" => "jawaban",
        "ack" => "tanda terima",
        "autoreply" => "balasan otomatis",
        "help" => "bantuan",
        "status" => "cek status",
        _ => "lainnya",
    }
}

fn outcome_label(outcome: &str) -> &'static str {
    match outcome {
        "ticket" => "aduan dibuat",
        "triage" => "aduan masuk triase",
        "status" => "cek status",
        "help" => "bantuan",
        "blocked" => "nomor diblokir",
        "flood" => "terlalu banyak pesan",
        "pending" => "diproses",
        _ => "lainnya",
    }
}

fn choices(items: &[(&str, &str)]) -> Vec<Choice> {
    items
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).into(),
            label: (*label).into(),
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct OutboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    gateway: String,
    /// `sms` (default), `email` or `semua`.
    #[serde(default)]
    kanal: String,
    /// Dates `YYYY-MM-DD` in the region's zone.
    #[serde(default)]
    dari: String,
    #[serde(default)]
    sampai: String,
    /// One ticket's messages (linked from the ticket page).
    #[serde(default)]
    aduan: String,
    /// Cursor: show messages older than this id.
    #[serde(default)]
    sebelum: String,
    /// `masuk`: the inbound SMS tab.
    #[serde(default)]
    tab: String,
    /// Inbound tab: one sender.
    #[serde(default)]
    pengirim: String,
    ok: Option<String>,
}

impl OutboxQuery {
    /// The query string for the next page.
    fn next_url(&self, before: i64) -> String {
        let mut pairs: Vec<String> = Vec::new();
        for (k, v) in [
            ("status", &self.status),
            ("gateway", &self.gateway),
            ("kanal", &self.kanal),
            ("aduan", &self.aduan),
            ("dari", &self.dari),
            ("sampai", &self.sampai),
        ] {
            if !v.is_empty() {
                pairs.push(format!("{k}={}", super::urlencode(v)));
            }
        }
        pairs.push(format!("sebelum={before}"));
        format!("/staf/sms?{}", pairs.join("&"))
    }
}

pub struct OutboxRow {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub register_number: String,
    pub kind: &'static str,
    pub channel: String,
    pub gateway: String,
    pub recipient: String,
    pub body: String,
    pub status: String,
    pub status_label: &'static str,
    pub attempts: i64,
    pub segments: i64,
    pub last_error: String,
    pub dlr_status: String,
    pub created: String,
    pub sent: String,
    pub can_resend: bool,
}

pub struct InboundRow {
    pub received: String,
    pub gateway: String,
    pub sender: String,
    pub text: String,
    pub partial: bool,
    pub outcome: &'static str,
    pub ticket_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "sms/outbox.html")]
struct OutboxPage {
    nav: Nav,
    q: OutboxQuery,
    /// Admin and secretariat also see the inbound tab.
    sees_inbound: bool,
    inbound_tab: bool,
    rows: Vec<OutboxRow>,
    inbound: Vec<InboundRow>,
    next_url: Option<String>,
    statuses: Vec<Choice>,
    channels: Vec<Choice>,
    gateways: Vec<String>,
    flash: Option<&'static str>,
}

fn excerpt(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

fn sees_inbound(staff: &Staff) -> bool {
    staff.access.can_region_wide(domain::Capability::Triage)
}

pub async fn outbox_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    query: Result<Query<OutboxQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let Query(mut q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    for field in [
        &mut q.status,
        &mut q.gateway,
        &mut q.kanal,
        &mut q.dari,
        &mut q.sampai,
        &mut q.sebelum,
        &mut q.aduan,
        &mut q.pengirim,
    ] {
        *field = field.trim().to_string();
    }
    let tz = region_tz(&state).await;
    let inbound_tab = q.tab == "masuk";
    let mut page = OutboxPage {
        nav: Nav::of(&staff),
        sees_inbound: sees_inbound(&staff),
        inbound_tab,
        rows: Vec::new(),
        inbound: Vec::new(),
        next_url: None,
        statuses: choices(&STATUSES),
        channels: choices(&CHANNELS),
        gateways: Vec::new(),
        flash: flash(q.ok.as_deref()),
        q: OutboxQuery::default(),
    };
    if inbound_tab {
        if !page.sees_inbound {
            return Err(PageError(ApiError::Forbidden));
        }
        let sender = Some(q.pengirim.as_str()).filter(|s| !s.is_empty());
        page.inbound = state
            .db()
            .inbound_messages(sender, INBOUND_LIMIT)
            .await?
            .into_iter()
            .map(|m| InboundRow {
                received: format_time(m.received_at, tz),
                gateway: m.gateway,
                sender: m.sender,
                text: m.text,
                partial: m.partial,
                outcome: outcome_label(&m.outcome),
                ticket_id: m.ticket_id,
            })
            .collect();
        page.q = q;
        return Ok(render(&page));
    }

    let bad = |message: &str| PageError(ApiError::Unprocessable(message.to_string()));
    if !q.status.is_empty() && !STATUSES.iter().any(|(s, _)| *s == q.status) {
        return Err(bad("status tidak dikenal"));
    }
    if !q.kanal.is_empty() && !CHANNELS.iter().any(|(c, _)| *c == q.kanal) {
        return Err(bad("kanal tidak dikenal"));
    }
    let when = |text: &str, end: bool| -> Result<Option<i64>, PageError> {
        if text.is_empty() {
            return Ok(None);
        }
        parse_when(text, tz, end)
            .map(Some)
            .ok_or_else(|| bad("tanggal harus berformat TTTT-BB-HH"))
    };
    let from_ms = when(&q.dari, false)?;
    let to_ms = when(&q.sampai, true)?;
    let before_id = if q.sebelum.is_empty() {
        None
    } else {
        Some(
            q.sebelum
                .parse::<i64>()
                .map_err(|_| bad("halaman tidak valid"))?,
        )
    };
    let ticket_id = if q.aduan.is_empty() {
        None
    } else {
        Some(
            q.aduan
                .parse::<i64>()
                .map_err(|_| bad("nomor aduan tidak valid"))?,
        )
    };
    let filter = OutboxFilter {
        ticket_id,
        status: Some(q.status.clone()).filter(|s| !s.is_empty()),
        channel: match q.kanal.as_str() {
            "" => Some("sms".into()),
            "semua" => None,
            other => Some(other.to_string()),
        },
        gateway: Some(q.gateway.clone()).filter(|g| !g.is_empty()),
        from_ms,
        to_ms,
        agency_scope: store::visible_ids(&staff.access),
        before_id,
        limit: PAGE_SIZE,
    };
    let result = state.db().outbox_page(&filter).await?;

    page.rows = result
        .items
        .into_iter()
        .map(|e| {
            let agency = e.agency_id.map(domain::AgencyId);
            let show_identity = staff
                .access
                .can(domain::Capability::SeeReporterIdentity, agency);
            let may_handle = staff.access.can(domain::Capability::Handle, agency);
            let m = e.message;
            OutboxRow {
                id: m.id,
                ticket_id: m.ticket_id,
                register_number: e.register_number.unwrap_or_default(),
                kind: kind_label(&m.kind),
                channel: m.channel,
                gateway: m.gateway.unwrap_or_default(),
                recipient: if show_identity {
                    m.recipient
                } else {
                    "(disembunyikan)".into()
                },
                body: excerpt(&m.body, 200),
                status_label: status_label(&m.status),
                can_resend: may_handle && m.status == "failed",
                status: m.status,
                attempts: m.attempts,
                segments: m.segments,
                last_error: m.last_error.unwrap_or_default(),
                dlr_status: m.dlr_status.unwrap_or_default(),
                created: format_time(m.created_at, tz),
                sent: m.sent_at.map(|s| format_time(s, tz)).unwrap_or_default(),
            }
        })
        .collect();
    page.next_url = result.next_before.map(|b| q.next_url(b));
    page.gateways = state.db().outbox_gateways().await?;
    page.q = q;
    Ok(render(&page))
}

/// "Kirim ulang": puts a failed message the staff member may see back in the queue.
pub async fn resend(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let entry = state
        .db()
        .outbox_entry(id)
        .await?
        .filter(|e| staff.access.sees(e.agency_id.map(domain::AgencyId)))
        .ok_or(PageError(ApiError::NotFound))?;
    if !staff.access.can(
        domain::Capability::Handle,
        entry.agency_id.map(domain::AgencyId),
    ) {
        return Err(PageError(ApiError::Forbidden));
    }
    if entry.message.status != "failed" {
        return Err(PageError(ApiError::Conflict(
            "hanya pesan berstatus gagal yang dapat dikirim ulang".into(),
        )));
    }
    state.db().retry_message(id).await?;
    Ok(see_other("/staf/sms?ok=kirim-ulang"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_text_mirrors_the_segment_rules() {
        assert_eq!(counter_text(""), "0 karakter · 1 SMS (GSM-7) · 160 tersisa");
        assert_eq!(
            counter_text(&"a".repeat(161)),
            "161 karakter · 2 SMS (GSM-7) · 145 tersisa"
        );
        assert_eq!(
            counter_text("{}"),
            "2 karakter · 1 SMS (GSM-7) · 156 tersisa"
        );
        assert_eq!(
            counter_text("Jalan rusak 🙏"),
            "13 karakter · 1 SMS (UCS-2) · 56 tersisa"
        );
    }

    /// The same cases as the counter script in static/sms-counter.js gives (checked with
    /// node): the page and the server must agree.
    #[test]
    fn counter_text_agrees_with_the_page_script() {
        let cases = [
            ("a".repeat(160), "160 karakter · 1 SMS (GSM-7) · 0 tersisa"),
            ("€".repeat(80), "80 karakter · 1 SMS (GSM-7) · 0 tersisa"),
            (
                format!("{}€{}", "a".repeat(152), "a".repeat(10)),
                "163 karakter · 2 SMS (GSM-7) · 141 tersisa",
            ),
            ("é".repeat(70), "70 karakter · 1 SMS (GSM-7) · 90 tersisa"),
            ("ç".repeat(71), "71 karakter · 2 SMS (UCS-2) · 63 tersisa"),
            (
                format!("{}🙏", "x".repeat(67)),
                "68 karakter · 1 SMS (UCS-2) · 1 tersisa",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(counter_text(&text), expected);
        }
    }

    #[test]
    fn placeholders_outside_the_template_are_found() {
        assert!(unknown_placeholders("Aduan {code}: {answer}", &["code", "answer"]).is_empty());
        assert_eq!(
            unknown_placeholders("{code} {kode} {kode} {} {a b}", &["code"]),
            ["kode"]
        );
    }
}
