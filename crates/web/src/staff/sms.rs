//! SMS channel pages. Admin only: keywords (several per agency, enable/disable), the reply
//! templates and the blocked numbers. Any staff: the outbox with filters and "resend" (scoped to
//! the tickets the staff member may see) and, for admin and secretariat, the inbound SMS.

use crate::error::{ApiError, PageError};
use crate::forms::see_other;
use crate::public::Choice;
use crate::request::parse_when;
use crate::request::{PageStaff, Staff};
use crate::state::AppState;
use crate::view::{Nav, format_time, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::sms::Encoding;
use serde::Deserialize;
use store::messages::OutboxFilter;

const PAGE_SIZE: i64 = 50;
const INBOUND_LIMIT: i64 = 100;

fn flash(ok: Option<&str>) -> Option<&'static str> {
    match ok? {
        "kirim-ulang" => Some("Pesan dimasukkan kembali ke antrean kirim."),
        _ => None,
    }
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
// Outbox and inbound SMS (any staff)

const STATUSES: [(&str, &str); 4] = [
    ("pending", "Menunggu"),
    ("sent", "Terkirim ke gateway"),
    ("delivered", "Diterima ponsel"),
    ("failed", "Gagal"),
];

const CHANNELS: [(&str, &str); 3] = [("sms", "SMS"), ("email", "Email"), ("semua", "Semua")];

fn status_label(status: domain::MessageStatus) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _)| *s == status.as_str())
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
    let tz = state.region_tz().await;
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
                channel: m.channel.to_string(),
                gateway: m.gateway.unwrap_or_default(),
                recipient: if show_identity {
                    m.recipient
                } else {
                    "(disembunyikan)".into()
                },
                body: excerpt(&m.body, 200),
                status_label: status_label(m.status),
                can_resend: may_handle && m.status == domain::MessageStatus::Failed,
                status: m.status.to_string(),
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
    if entry.message.status != domain::MessageStatus::Failed {
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
}
