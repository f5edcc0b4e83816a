use crate::api::tickets::decline_input;
use crate::error::{ApiError, PageError};
use crate::public::Choice;
use crate::request::PageStaff;
use crate::state::AppState;
use crate::view::{Nav, format_time, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::DraftStatus;
use domain::{Action, DeclineReason, TicketStatus};
use serde::Deserialize;
use store::tickets::ActionInput;

pub struct EventRow {
    pub label: &'static str,
    pub actor: String,
    pub at: String,
    pub body: String,
    pub detail: String,
    pub public: bool,
}

pub struct MessageRow {
    pub channel: String,
    pub recipient: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
    pub created: String,
    pub kind: String,
    pub gateway: String,
    pub segments: i64,
    pub dlr: String,
}

#[derive(Template)]
#[template(path = "staff/ticket.html")]
struct TicketPage {
    nav: Nav,
    t: store::tickets::Ticket,
    status_label: &'static str,
    received: String,
    due: String,
    overdue: bool,
    show_identity: bool,
    events: Vec<EventRow>,
    messages: Vec<MessageRow>,
    /// Where the answer went and its status (answered tickets only).
    answer_reach: Option<String>,
    /// The reporter left a phone or email that answers and questions can go to.
    reporter_reachable: bool,
    agencies: Vec<Choice>,
    colleagues: Vec<Choice>,
    reasons: Vec<Choice>,
    can: Vec<&'static str>,
    flash: Option<String>,
    /// LAPOR! SP4N number box (secretariat and admin only).
    lapor: Option<super::lapor::LaporBox>,
    /// The published copy: (case id, withheld).
    published: Option<(i64, bool)>,
    /// Secretariat and admin moderate published cases.
    moderates: bool,
    disposition: super::dispositions::DispositionBox,
    /// The ticket's workflow steps and drafted answers (empty without a template).
    flow: FlowBox,
}

pub struct StepRow {
    pub name: String,
    pub role: &'static str,
    pub duration: String,
    /// `done`, `current` or `todo`.
    pub state: &'static str,
    pub due: String,
    pub due_state: &'static str,
    pub due_label: &'static str,
    pub done: String,
    pub breached: bool,
}

pub struct DraftRow {
    pub version: i64,
    pub author: String,
    pub created: String,
    pub status: &'static str,
    pub body: String,
    pub comment: String,
    pub reviewer: String,
}

#[derive(Default)]
pub struct FlowBox {
    pub template: String,
    pub steps: Vec<StepRow>,
    pub drafts: Vec<DraftRow>,
    /// The draft waiting for approval, shown in the approver's editable box.
    pub pending: String,
    pub approver: &'static str,
    pub needs_approval: bool,
    pub blocks_direct_answer: bool,
    pub can_draft: bool,
    pub can_review: bool,
    pub can_send: bool,
    pub can_complete: bool,
}

fn draft_status(status: DraftStatus) -> &'static str {
    match status {
        DraftStatus::Pending => "menunggu persetujuan",
        DraftStatus::Returned => "dikembalikan",
        DraftStatus::Edited => "diubah penyetuju",
        DraftStatus::Approved => "disetujui, menunggu dikirim",
        DraftStatus::Sent => "dikirim",
    }
}

async fn flow_box(
    state: &AppState,
    staff: &crate::request::Staff,
    t: &store::tickets::Ticket,
    tz: chrono_tz::Tz,
) -> Result<FlowBox, PageError> {
    let flow = state.db().ticket_workflow(t.id).await?;
    let Some(template) = flow.template.clone() else {
        return Ok(FlowBox::default());
    };
    let drafts = state.db().answer_drafts(t.id).await?;
    let calendar = state.db().deadlines().await?.calendar;
    let now = store::now_ms();
    let instant = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    let steps = flow
        .steps
        .iter()
        .map(|s| {
            let state_name = s.state(flow.current);
            let due_state = match (state_name, s.started_at, s.due_at) {
                ("current", _, _) if t.sla_paused_at.is_some() => None,
                ("current", Some(start), Some(due)) => {
                    Some(calendar.due_state(instant(start), instant(due), instant(now)))
                }
                _ => None,
            };
            StepRow {
                name: s.name.clone(),
                role: s.role.label_id(),
                duration: s.duration.clone(),
                state: state_name,
                due: s.due_at.map(|d| format_time(d, tz)).unwrap_or_default(),
                due_state: due_state.map(|d| d.as_str()).unwrap_or(""),
                due_label: due_state.map(|d| d.label_id()).unwrap_or(""),
                done: s.done_at.map(|d| format_time(d, tz)).unwrap_or_default(),
                breached: s.breached_at.is_some(),
            }
        })
        .collect();
    let latest = drafts.last().map(|d| d.status);
    let step_role = |kind: domain::workflow::StepKind| {
        flow.steps
            .iter()
            .find(|s| s.kind == kind && s.done_at.is_none())
            .map(|s| (s.role, s.position_id))
    };
    let agency = t.agency_id.map(domain::AgencyId);
    let acts_as = |r: Option<(domain::Role, Option<i64>)>| {
        r.is_some_and(|(r, position)| {
            staff
                .access
                .step_authority(agency, r, position.map(domain::PositionId))
                .is_some()
        })
    };
    let open =
        t.status == TicketStatus::Open && staff.access.can(domain::Capability::Handle, agency);
    let approver = flow
        .steps
        .iter()
        .find(|s| s.kind == domain::workflow::StepKind::Approve)
        .map(|s| s.role.label_id())
        .unwrap_or("");
    let current_kind = flow.current_step().map(|s| s.kind);
    Ok(FlowBox {
        template,
        steps,
        pending: drafts
            .last()
            .filter(|d| d.status == DraftStatus::Pending)
            .map(|d| d.body.clone())
            .unwrap_or_default(),
        approver,
        needs_approval: flow.needs_approval(),
        blocks_direct_answer: flow.blocks_direct_answer(),
        can_draft: open
            && flow.needs_approval()
            && !matches!(latest, Some(DraftStatus::Pending | DraftStatus::Approved)),
        can_review: open
            && latest == Some(DraftStatus::Pending)
            && acts_as(step_role(domain::workflow::StepKind::Approve)),
        can_send: open
            && latest == Some(DraftStatus::Approved)
            && acts_as(step_role(domain::workflow::StepKind::Send)),
        can_complete: open && current_kind == Some(domain::workflow::StepKind::Review),
        drafts: drafts
            .into_iter()
            .map(|d| DraftRow {
                version: d.version,
                author: d.author_name.unwrap_or_default(),
                created: format_time(d.created_at, tz),
                status: draft_status(d.status),
                body: d.body,
                comment: d.comment,
                reviewer: d.reviewer_name.unwrap_or_default(),
            })
            .collect(),
    })
}

impl TicketPage {
    fn can(&self, action: &str) -> bool {
        self.can.contains(&action)
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    ok: Option<String>,
}

fn allowed(status: TicketStatus, may_handle: bool) -> Vec<&'static str> {
    if !may_handle {
        return Vec::new();
    }
    [
        (Action::Forward, "forward"),
        (Action::Note, "note"),
        (Action::Assign, "assign"),
        (Action::Answer, "answer"),
        (Action::Decline, "decline"),
        (Action::Close, "close"),
        (Action::Reopen, "reopen"),
        (Action::Ask, "ask"),
    ]
    .into_iter()
    .filter(|(action, _)| action.apply(status).is_ok())
    .map(|(_, name)| name)
    .collect()
}

fn event_detail(kind: &str, payload: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    let text = |k: &str| {
        value
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    match kind {
        "forwarded" => format!("ke {}", text("agency_name")),
        "assigned" => format!("kepada {}", text("name")),
        "received" => format!("melalui {}", text("channel")),
        "answer_drafted" | "answer_approved" | "answer_returned" => value
            .get("version")
            .and_then(|v| v.as_i64())
            .map(|v| format!("versi {v}"))
            .unwrap_or_default(),
        "answer_edited" => format!(
            "versi {} menjadi versi {}; sebelumnya: \"{}\"",
            value
                .get("from_version")
                .and_then(|v| v.as_i64())
                .unwrap_or(0),
            value
                .get("to_version")
                .and_then(|v| v.as_i64())
                .unwrap_or(0),
            text("previous")
        ),
        "step_completed" => format!("langkah \"{}\"", text("step")),
        "published" if value.get("updated").and_then(|v| v.as_bool()) == Some(true) => {
            "jawaban di situs publik diperbarui".into()
        }
        "publication_moderated" => match text("action").as_str() {
            "withhold" => "ditahan dari situs publik".into(),
            "restore" => "ditampilkan kembali di situs publik".into(),
            _ => "salinan publik diubah".into(),
        },
        "sla_breached" if !text("step").is_empty() => format!("pada langkah \"{}\"", text("step")),
        "lapor_recorded" if !text("previous").is_empty() => {
            format!("menggantikan {}", text("previous"))
        }
        "disposed" => {
            let names: Vec<&str> = value
                .get("recipients")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|n| n.as_str()).collect())
                .unwrap_or_default();
            format!("kepada {}: {}", names.join(", "), text("instruction_label"))
        }
        "disposition_reported" => format!("kepada {}", text("to")),
        "disposition_overdue" => format!("disposisi kepada {}", text("recipient")),
        _ => String::new(),
    }
}

/// The actor's name, with `Plh. <position>` when they acted for another official.
fn acting_actor(name: Option<String>, payload: &str) -> String {
    let name = name.unwrap_or_else(|| "Sistem".into());
    let value: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    match value.get("acting_as").and_then(|v| v.as_str()) {
        Some(label) => format!("{name} selaku {label}"),
        None => name,
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let t = state.db().ticket(&staff.access, id).await?;
    let tz = state.region_tz().await;
    let events = state.db().events(id).await?;
    let last_question_at = events
        .iter()
        .filter(|e| e.kind == "asked_reporter")
        .map(|e| e.at)
        .max();
    let events = events
        .into_iter()
        .map(|e| EventRow {
            label: domain::EventKind::label_id(&e.kind),
            actor: acting_actor(e.actor_name, &e.payload),
            at: format_time(e.at, tz),
            detail: event_detail(&e.kind, &e.payload),
            body: e.body,
            public: e.public,
        })
        .collect();
    let show_identity = staff.access.can(
        domain::Capability::SeeReporterIdentity,
        t.agency_id.map(domain::AgencyId),
    );
    let messages = state
        .db()
        .ticket_messages(id)
        .await?
        .into_iter()
        .map(|m| MessageRow {
            channel: m.channel.to_string(),
            recipient: if show_identity {
                m.recipient
            } else {
                "(disembunyikan)".into()
            },
            status: m.status.to_string(),
            attempts: m.attempts,
            last_error: m.last_error.unwrap_or_default(),
            created: format_time(m.created_at, tz),
            kind: m.kind,
            gateway: m.gateway.unwrap_or_default(),
            segments: m.segments,
            dlr: m.dlr_status.unwrap_or_default(),
        })
        .collect();
    let catalog = state.catalog().await?;
    let colleagues = match t.agency_id {
        Some(agency) => state.db().users_of_agency(agency).await?,
        None => Vec::new(),
    };
    let mut flash = match q.ok.as_deref() {
        Some("forward") => Some("Aduan diteruskan."),
        Some("note") => Some("Catatan disimpan."),
        Some("assign") => Some("Aduan ditugaskan."),
        Some("answer") => Some("Jawaban disimpan."),
        Some("decline") => Some("Aduan ditolak."),
        Some("close") => Some("Aduan ditutup."),
        Some("reopen") => Some("Aduan dibuka kembali."),
        Some("lapor") => Some("Nomor LAPOR! disimpan."),
        Some("disposisi") => Some("Disposisi dikirim."),
        Some("draft") => Some("Draf jawaban diajukan untuk disetujui."),
        Some("approve") => Some("Jawaban disetujui."),
        Some("return") => Some("Draf jawaban dikembalikan dengan catatan."),
        Some("send") => Some("Jawaban yang disetujui disimpan."),
        Some("step") => Some("Langkah ditandai selesai."),
        _ => None,
    }
    .map(str::to_string);
    // What the outbox holds for the newest question: "sent" only when something was queued.
    if let (Some("ask"), Some(asked)) = (q.ok.as_deref(), last_question_at) {
        let reach = state.db().message_reach(id, "question", asked).await?;
        flash = Some(super::reach::question_summary(&reach));
    }
    let lapor = super::lapor::ticket_box(&state, &staff, id, tz).await?;
    let published = state
        .db()
        .case_of_ticket(id)
        .await?
        .map(|c| (c.id, c.withheld));
    let moderates = staff.reports_to_lapor();
    let disposition = super::dispositions::ticket_box(&state, &staff, &t, tz).await?;
    let flow = flow_box(&state, &staff, &t, tz).await?;
    let status = t.status;
    let now = store::now_ms();
    let answer_reach = match t.answered_at {
        Some(_) => Some(super::reach::answer_summary(
            &state.db().answer_reach(id).await?,
        )),
        None => None,
    };
    let nobody = store::messages::ReporterText {
        sms: String::new(),
        email_subject: String::new(),
        email_body: String::new(),
    };
    let reporter_reachable = !store::messages::to_reporter(
        t.channel,
        t.reporter_email.clone(),
        t.reporter_phone.clone(),
        nobody,
    )
    .is_empty();
    let page = TicketPage {
        answer_reach,
        reporter_reachable,
        nav: Nav::of(&staff),
        status_label: status.label_id(),
        received: format_time(t.received_at, tz),
        due: t.due_at.map(|d| format_time(d, tz)).unwrap_or_default(),
        overdue: t.is_overdue(now),
        show_identity,
        events,
        messages,
        agencies: catalog
            .intake_agencies()
            .filter(|a| Some(a.id) != t.agency_id)
            .map(|a| Choice {
                value: a.code.clone(),
                label: a.name.clone(),
            })
            .collect(),
        colleagues: colleagues
            .into_iter()
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.full_name,
            })
            .collect(),
        reasons: DeclineReason::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str().into(),
                label: r.label_id().into(),
            })
            .collect(),
        can: allowed(
            status,
            staff.access.can(
                domain::Capability::Handle,
                t.agency_id.map(domain::AgencyId),
            ),
        )
        .into_iter()
        .filter(|a| *a != "answer" || !flow.blocks_direct_answer)
        .collect(),
        flow,
        flash,
        lapor,
        published,
        moderates,
        disposition,
        t,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    agency_code: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    duplicate_of: String,
}

pub async fn act(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    // Workflow and answer approval.
    let db = state.db();
    let flow_done = match action.as_str() {
        "draft" => Some(db.draft_answer(&staff.access, id, &form.body).await),
        "approve" => Some(
            db.approve_answer(&staff.access, id, Some(form.body.as_str()))
                .await,
        ),
        "return" => Some(db.return_answer(&staff.access, id, &form.note).await),
        "send" => Some(db.send_approved_answer(&staff.access, id).await),
        "step" => Some(db.complete_step(&staff.access, id, &form.note).await),
        _ => None,
    };
    if let Some(done) = flow_done {
        done?;
        return Ok(Redirect::to(&format!("/staf/aduan/{id}?ok={action}")).into_response());
    }
    let input = match action.as_str() {
        "forward" => ActionInput::Forward {
            agency_code: form.agency_code,
            note: form.note,
        },
        "note" => ActionInput::Note { body: form.body },
        "assign" => ActionInput::Assign {
            user_id: form
                .user_id
                .parse()
                .map_err(|_| ApiError::Unprocessable("pilih petugas".into()))?,
        },
        "answer" => ActionInput::Answer { body: form.body },
        "decline" => decline_input(
            &form.reason,
            form.detail,
            Some(form.duplicate_of).filter(|d| !d.trim().is_empty()),
        )?,
        "close" => ActionInput::Close { note: form.note },
        "reopen" => ActionInput::Reopen { note: form.note },
        "ask" => ActionInput::Ask {
            question: form.body,
        },
        _ => return Err(PageError(ApiError::NotFound)),
    };
    let ticket = state.db().apply_action(&staff.access, id, &input).await?;
    // After forwarding out of one's own agency the ticket is no longer visible: go to the inbox.
    let target = if staff.access.sees(ticket.agency_id.map(domain::AgencyId)) {
        format!("/staf/aduan/{id}?ok={action}")
    } else {
        "/staf".to_string()
    };
    Ok(Redirect::to(&target).into_response())
}
