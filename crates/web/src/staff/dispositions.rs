//! Dispositions on staff pages: the tree and the form on the ticket page, and "Disposisi saya"
//! (the dispositions a user received, or receives as acting official) with read and report.

use crate::forms::see_other;

use crate::error::{ApiError, PageError};
use crate::public::Choice;
use crate::request::{PageStaff, Staff};
use crate::state::AppState;
use crate::view::{Nav, format_time, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;
use store::dispositions::{Disposition, MineCursor, MineFilter, NewDisposition};

/// Rows per page of "Disposisi saya".
const PAGE_SIZE: i64 = 20;

/// One disposition of a ticket, indented under the one it continues.
pub struct TreeRow {
    pub depth: usize,
    pub from: String,
    pub to: String,
    pub instruction: String,
    pub note: String,
    pub due: String,
    pub overdue: bool,
    pub state: &'static str,
    pub state_label: &'static str,
    pub report: String,
    pub reported: String,
}

/// The ticket page's disposition card: the tree and, for those who may dispose, the form.
pub struct DispositionBox {
    pub rows: Vec<TreeRow>,
    pub form: Option<DisposeForm>,
}

pub struct DisposeForm {
    /// `Plh. Kepala Dinas …` when the user would dispose as acting official.
    pub acting_as: String,
    pub users: Vec<Choice>,
    pub positions: Vec<Choice>,
    pub instructions: Vec<Choice>,
}

fn sender(d: &Disposition) -> String {
    match &d.acting_as {
        Some(label) => format!("{} ({label})", d.from_name),
        None => d.from_name.clone(),
    }
}

/// The dispositions in tree order (each after its parent), with depths.
fn tree(items: Vec<Disposition>) -> Vec<(usize, Disposition)> {
    let mut children: HashMap<Option<i64>, Vec<Disposition>> = HashMap::new();
    let ids: Vec<i64> = items.iter().map(|d| d.id).collect();
    for d in items {
        // A parent outside the list (not expected) puts the row at the top.
        let parent = d.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(d);
    }
    let mut out = Vec::new();
    let mut stack: Vec<(usize, Disposition)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|d| (0, d))
        .collect();
    while let Some((depth, d)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(d.id)) {
            stack.extend(kids.into_iter().rev().map(|k| (depth + 1, k)));
        }
        out.push((depth, d));
    }
    out
}

pub(crate) async fn ticket_box(
    state: &AppState,
    staff: &Staff,
    ticket: &store::tickets::Ticket,
    tz: chrono_tz::Tz,
) -> Result<DispositionBox, PageError> {
    let now = store::now_ms();
    let items = state
        .db()
        .ticket_dispositions(&staff.access, ticket.id)
        .await?;
    let rows = tree(items)
        .into_iter()
        .map(|(depth, d)| TreeRow {
            depth,
            from: sender(&d),
            to: d.recipient_name.clone(),
            instruction: d.instruction_label.clone(),
            note: d.note.clone(),
            due: format_time(d.due_at, tz),
            overdue: d.is_overdue(now),
            state: d.state(),
            state_label: d.state_label(),
            report: d.report.clone().unwrap_or_default(),
            reported: d
                .reported_at
                .map(|at| format_time(at, tz))
                .unwrap_or_default(),
        })
        .collect();
    let form = match state
        .db()
        .disposition_choices(&staff.access, ticket.id)
        .await?
    {
        Some(choices) => {
            let authority = choices.authority;
            let choice = |(id, label): (i64, String)| Choice {
                value: id.to_string(),
                label,
            };
            let users = choices.users.into_iter().map(choice).collect();
            let positions = choices.positions.into_iter().map(choice).collect();
            let instructions = state
                .db()
                .disposition_instructions()
                .await?
                .into_iter()
                .filter(|i| i.active)
                .map(|i| Choice {
                    value: i.code,
                    label: format!("{} (tenggat bawaan {})", i.label, i.due_within),
                })
                .collect();
            Some(DisposeForm {
                acting_as: authority.acting_as.unwrap_or_default(),
                users,
                positions,
                instructions,
            })
        }
        None => None,
    };
    Ok(DispositionBox { rows, form })
}

/// The disposition form: `penerima_<user id>` and `jabatan_<position id>` checkboxes,
/// `instruction`, `note` and an optional due date `due` (`YYYY-MM-DD`, end of that working day
/// at 16:00 region time).
pub async fn dispose(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let ids = |prefix: &str| -> Vec<i64> {
        let mut ids: Vec<i64> = form
            .keys()
            .filter_map(|k| k.strip_prefix(prefix))
            .filter_map(|v| v.parse().ok())
            .collect();
        ids.sort_unstable();
        ids
    };
    let field = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let due = field("due");
    let due_at = if due.is_empty() {
        None
    } else {
        let date = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").map_err(|_| {
            ApiError::Unprocessable("tenggat: tulis tanggal seperti 2026-12-31".into())
        })?;
        let tz = state.region_tz().await;
        let local = date
            .and_hms_opt(16, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).single())
            .ok_or_else(|| ApiError::Unprocessable("tenggat tidak valid".into()))?;
        Some(local.timestamp_millis())
    };
    let new = NewDisposition {
        recipients: ids("penerima_"),
        positions: ids("jabatan_"),
        instruction: field("instruction"),
        note: field("note"),
        due_at,
        parent_id: None,
    };
    state.db().dispose(&staff.access, id, &new).await?;
    Ok(see_other(&format!("/staf/aduan/{id}?ok=disposisi")))
}

pub struct MineRow {
    pub id: i64,
    pub ticket_id: i64,
    pub register_number: String,
    pub from: String,
    /// Set when the disposition is addressed to someone the user stands in for.
    pub for_whom: String,
    pub instruction: String,
    pub note: String,
    pub received: String,
    pub due: String,
    pub overdue: bool,
    pub state: &'static str,
    pub state_label: &'static str,
    pub report: String,
}

#[derive(Template)]
#[template(path = "staff/dispositions.html")]
struct MinePage {
    nav: Nav,
    rows: Vec<MineRow>,
    filter: String,
    next_url: Option<String>,
    acting: Vec<String>,
    flash: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MineQuery {
    /// `semua`, `belum` (not reported), `baru` (unread) or `dilaporkan`.
    pub status: String,
    pub cursor: String,
    pub ok: String,
}

pub async fn mine(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    query: Result<Query<MineQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let filter = MineFilter::parse(&q.status)
        .ok_or_else(|| ApiError::BadRequest(format!("status tidak dikenal: {}", q.status)))?;
    let cursor = if q.cursor.is_empty() {
        None
    } else {
        Some(
            MineCursor::decode(&q.cursor)
                .ok_or_else(|| ApiError::BadRequest("cursor tidak valid".into()))?,
        )
    };
    let tz = state.region_tz().await;
    let now = store::now_ms();
    let page = state
        .db()
        .my_dispositions(&staff.access, filter, cursor, PAGE_SIZE)
        .await?;
    let acting = state
        .db()
        .acting_delegations(staff.user.id, now)
        .await?
        .into_iter()
        .map(|d| format!("{} (menggantikan {})", d.label(), d.delegator_name))
        .collect();
    let rows = page
        .items
        .into_iter()
        .map(|d| MineRow {
            id: d.id,
            ticket_id: d.ticket_id,
            register_number: d.register_number.clone(),
            from: sender(&d),
            for_whom: if d.recipient_id == staff.user.id {
                String::new()
            } else {
                d.recipient_name.clone()
            },
            instruction: d.instruction_label.clone(),
            note: d.note.clone(),
            received: format_time(d.created_at, tz),
            due: format_time(d.due_at, tz),
            overdue: d.is_overdue(now),
            state: d.state(),
            state_label: d.state_label(),
            report: d.report.clone().unwrap_or_default(),
        })
        .collect();
    let status = if q.status.is_empty() {
        "semua".to_string()
    } else {
        q.status.clone()
    };
    Ok(render(&MinePage {
        nav: Nav::of(&staff),
        rows,
        next_url: page.next_cursor.map(|c| {
            format!(
                "/staf/disposisi?status={}&cursor={}",
                super::urlencode(&status),
                c.encode()
            )
        }),
        filter: status,
        acting,
        flash: match q.ok.as_str() {
            "baca" => Some("Disposisi ditandai sudah dibaca."),
            "lapor" => Some("Laporan disposisi dikirim."),
            _ => None,
        },
    }))
}

pub async fn read(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    state.db().read_disposition(&staff.access, id).await?;
    Ok(see_other("/staf/disposisi?ok=baca"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub report: String,
}

pub async fn report(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(form): Form<ReportForm>,
) -> Result<Response, PageError> {
    state
        .db()
        .report_disposition(&staff.access, id, &form.report)
        .await?;
    Ok(see_other("/staf/disposisi?ok=lapor"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: i64, parent: Option<i64>) -> Disposition {
        Disposition {
            id,
            ticket_id: 1,
            register_number: String::new(),
            ticket_agency_id: None,
            parent_id: parent,
            from_user_id: 1,
            from_name: String::new(),
            acting_as: None,
            on_behalf_of: None,
            recipient_id: 2,
            recipient_name: String::new(),
            instruction: String::new(),
            instruction_label: String::new(),
            note: String::new(),
            due_at: 0,
            created_at: 0,
            read_at: None,
            reported_at: None,
            report: None,
            reported_by: None,
            report_acting_as: None,
            escalated_at: None,
        }
    }

    #[test]
    fn tree_puts_children_under_their_parent() {
        let rows = tree(vec![
            d(1, None),
            d(2, None),
            d(3, Some(1)),
            d(4, Some(3)),
            d(5, Some(2)),
        ]);
        let order: Vec<(usize, i64)> = rows.iter().map(|(depth, d)| (*depth, d.id)).collect();
        assert_eq!(order, vec![(0, 1), (1, 3), (2, 4), (0, 2), (1, 5)]);
    }
}
