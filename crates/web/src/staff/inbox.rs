use crate::api::tickets::ListQuery;
use crate::error::{ApiError, PageError};
use crate::public::Choice;
use crate::request::PageStaff;
use crate::state::AppState;
use crate::view::{Nav, format_time, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

pub struct Row {
    pub id: i64,
    pub register_number: String,
    pub received: String,
    pub agency: String,
    pub category: String,
    pub channel: &'static str,
    pub status: String,
    pub status_label: &'static str,
    pub excerpt: String,
    pub assignee: String,
    /// Deadline of an open ticket and where it stands (`on-time`, `due-soon`, `overdue`).
    pub due: String,
    pub due_state: &'static str,
    pub due_label: &'static str,
}

#[derive(Template)]
#[template(path = "staff/inbox.html")]
struct InboxPage {
    nav: Nav,
    sees_region: bool,
    q: ListQuery,
    rows: Vec<Row>,
    next_url: Option<String>,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    channels: Vec<Choice>,
    agencies: Vec<Choice>,
    /// Region-wide staff: open and overdue tickets per agency.
    deadlines: Vec<store::calendar::AgencyDeadlines>,
}

impl InboxPage {
    fn selected(&self, current: &Option<String>, value: &str) -> bool {
        current.as_deref() == Some(value)
    }
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(140).collect();
    if text.chars().count() > 140 {
        out.push('…');
    }
    out
}

/// The current query string with a new cursor, for the "next page" link.
fn next_url(q: &ListQuery, cursor: &str) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let fields: [(&str, &Option<String>); 8] = [
        ("status", &q.status),
        ("agency", &q.agency),
        ("category", &q.category),
        ("channel", &q.channel),
        ("q", &q.q),
        ("from", &q.from),
        ("to", &q.to),
        ("sort", &q.sort),
    ];
    for (k, v) in fields {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            pairs.push((k, v.to_string()));
        }
    }
    if q.overdue == Some(true) {
        pairs.push(("overdue", "true".into()));
    }
    if q.triage == Some(true) {
        pairs.push(("triage", "true".into()));
    }
    pairs.push(("cursor", cursor.to_string()));
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    format!("/staf?{}", query.join("&"))
}

pub(crate) fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let Query(mut q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    // Checkbox form fields arrive as "on"/"true"; empty selects as "".
    if q.limit.is_none() {
        q.limit = Some(25);
    }
    let tz = state.region_tz().await;
    let filter = q.to_filter(tz).map_err(PageError)?;
    let page = state.db().list_tickets(&staff.access, &filter).await?;
    let now = store::now_ms();
    let calendar = state.db().deadlines().await?.calendar;
    let instant = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    let rows = page
        .items
        .into_iter()
        .map(|t| {
            let status = t.status();
            let due_state = t
                .due_at
                .filter(|_| !status.is_final() && status != domain::TicketStatus::Answered)
                .map(|due| calendar.due_state(instant(t.received_at), instant(due), instant(now)));
            let (due_state, due_label) = match (due_state, t.sla_paused_at) {
                (Some(_), Some(_)) => ("paused", "menunggu pelapor"),
                (Some(state), None) => (state.as_str(), state.label_id()),
                (None, _) => ("", ""),
            };
            Row {
                id: t.id,
                due: t.due_at.map(|d| format_time(d, tz)).unwrap_or_default(),
                due_state,
                due_label,
                register_number: t.register_number,
                received: format_time(t.received_at, tz),
                agency: t.agency_name.unwrap_or_else(|| "— triase —".into()),
                category: t.category,
                channel: domain::Channel::parse(&t.channel)
                    .map(|c| c.label_id())
                    .unwrap_or("?"),
                status: t.status,
                status_label: status.label_id(),
                excerpt: excerpt(&t.text),
                assignee: t.assignee_name.unwrap_or_default(),
            }
        })
        .collect();
    let catalog = state.catalog().await?;
    let sees_region = staff.access.visible_agencies().is_none();
    let deadlines = if sees_region {
        state.db().deadlines_by_agency(now).await?
    } else {
        Vec::new()
    };
    let inbox = InboxPage {
        deadlines,
        nav: Nav::of(&staff),
        sees_region,
        next_url: page.next_cursor.map(|c| next_url(&q, &c.encode())),
        rows,
        statuses: domain::TicketStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().into(),
                label: s.label_id().into(),
            })
            .collect(),
        categories: catalog
            .categories
            .iter()
            .map(|c| Choice {
                value: c.code.clone(),
                label: c.name.clone(),
            })
            .collect(),
        channels: domain::Channel::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().into(),
                label: c.label_id().into(),
            })
            .collect(),
        agencies: catalog
            .intake_agencies()
            .map(|a| Choice {
                value: a.code.clone(),
                label: a.name.clone(),
            })
            .collect(),
        q,
    };
    Ok(render(&inbox))
}
