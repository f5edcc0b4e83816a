use crate::error::ApiError;
use crate::request::{ApiPath, ApiStaff, ClientIp, Staff, json_body, parse_when};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use domain::{Channel, DeclineReason, IntakeInput, TrackingCode};
use serde::{Deserialize, Serialize};
use store::tickets::{ActionInput, Created, Cursor, NewTicket, Ticket, TicketFilter};
use utoipa::{IntoParams, ToSchema};

/// A complaint, question, information or suggestion from a citizen.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketInput {
    /// `informasi`, `pengaduan`, `pertanyaan` or `saran` (or another active category code).
    pub category: Option<String>,
    /// The citizen's words, 1 to 5,000 characters, stored exactly as sent.
    pub text: Option<String>,
    pub agency_code: Option<String>,
    pub reporter_name: Option<String>,
    /// Indonesian number in any usual form (0812…, 62812…, +62812…).
    pub reporter_phone: Option<String>,
    pub reporter_email: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    /// Published without the reporter's identity.
    #[serde(default)]
    pub anonymous: bool,
    /// Never published.
    #[serde(default)]
    pub confidential: bool,
}

impl From<TicketInput> for IntakeInput {
    fn from(t: TicketInput) -> Self {
        IntakeInput {
            category: t.category,
            text: t.text,
            agency_code: t.agency_code,
            reporter_name: t.reporter_name,
            reporter_phone: t.reporter_phone,
            reporter_email: t.reporter_email,
            address: t.address,
            lat: t.lat,
            long: t.long,
            anonymous: t.anonymous,
            confidential: t.confidential,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedTicket {
    pub tracking_code: String,
    pub register_number: String,
    pub status: String,
    /// Where the citizen follows the ticket.
    pub tracking_url: String,
}

/// Validates and stores a submission from the public (web form, app or API). With `request`
/// (what the client sent, canonically), a reused key must come with the same request.
pub(crate) async fn submit(
    state: &AppState,
    input: IntakeInput,
    channel: Channel,
    idempotency_key: Option<String>,
    request: Option<&str>,
) -> Result<Created, ApiError> {
    let catalog = state.catalog().await?;
    let valid = input
        .validate(
            |c| catalog.accepts_category(c),
            |a| catalog.accepts_agency(a),
        )
        .map_err(ApiError::Invalid)?;
    let new = NewTicket {
        intake: valid,
        channel,
        idempotency_key,
        received_at: store::now_ms(),
    };
    Ok(state
        .db()
        .create_ticket_acknowledged(&new, state.sms_rules(), request)
        .await?)
}

/// The client's `Idempotency-Key`, scoped to who sends it (their bearer token if any, else
/// their address), so that one client's key never reaches another client's ticket.
fn scoped_idempotency_key(headers: &HeaderMap, ip: std::net::IpAddr) -> Option<String> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)?;
    let client = match headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(authorization) => format!("auth:{authorization}"),
        None => format!("ip:{ip}"),
    };
    let client = store::auth::digest(&client);
    Some(format!("api:{}:{key}", &client[..32]))
}

/// Public intake. Send an `Idempotency-Key` header to make retries safe: the same key with the
/// same body, from the same client, always answers with the same ticket.
#[utoipa::path(post, path = "/tickets", request_body = TicketInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "client-chosen key (at most 200 characters), scoped to the client; retries with the same key and body create one ticket")),
    responses((status = 201, body = CreatedTicket), (status = 400, description = "malformed JSON"),
              (status = 422, description = "problem+json naming each invalid field, or an Idempotency-Key already used with a different body"),
              (status = 429)))]
pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Json<TicketInput>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedTicket>), ApiError> {
    let input = json_body(body)?;
    let key = scoped_idempotency_key(&headers, ip);
    if !state.intake_allowed(ip) {
        return Err(ApiError::TooManyRequests);
    }
    let request = serde_json::to_string(&input).map_err(|e| ApiError::Internal(e.to_string()))?;
    let created = submit(&state, input.into(), Channel::Api, key, Some(&request)).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTicket {
            tracking_url: format!("/lacak/{}", created.tracking_code),
            tracking_code: created.tracking_code,
            register_number: created.register_number,
            status: created.status,
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct PublicTimelineEntry {
    pub kind: String,
    pub label: String,
    pub at: i64,
    pub body: Option<String>,
    pub agency_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicTicketView {
    pub tracking_code: String,
    pub register_number: String,
    pub status: String,
    pub status_label: String,
    pub category: String,
    pub channel: String,
    pub agency_name: Option<String>,
    pub received_at: i64,
    pub answered_at: Option<i64>,
    pub timeline: Vec<PublicTimelineEntry>,
}

/// Public status and timeline of a ticket: no staff names, no internal notes. Lookups are
/// limited per client (`web.track_per_minute`), so codes cannot be guessed in bulk.
#[utoipa::path(get, path = "/track/{code}", params(("code" = String, Path)),
    responses((status = 200, body = PublicTicketView), (status = 404),
              (status = 429, description = "too many lookups from this client; problem+json")))]
pub async fn track(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<PublicTicketView>, ApiError> {
    if !state.track_allowed(ip) {
        return Err(ApiError::TooManyRequests);
    }
    let code = TrackingCode::parse(&code).ok_or(ApiError::NotFound)?;
    let t = state.db().track(&code).await?;
    Ok(Json(PublicTicketView {
        tracking_code: t.tracking_code,
        register_number: t.register_number,
        status: t.status.to_string(),
        status_label: t.status_label,
        category: t.category,
        channel: t.channel.to_string(),
        agency_name: t.agency_name,
        received_at: t.received_at,
        answered_at: t.answered_at,
        timeline: t
            .timeline
            .into_iter()
            .map(|e| PublicTimelineEntry {
                kind: e.kind,
                label: e.label,
                at: e.at,
                body: e.body,
                agency_name: e.agency_name,
            })
            .collect(),
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub status: Option<String>,
    /// Agency code.
    pub agency: Option<String>,
    pub category: Option<String>,
    pub channel: Option<String>,
    /// Full-text search over the ticket text.
    pub q: Option<String>,
    /// Received on or after this date (`YYYY-MM-DD`, region time zone) or instant (RFC 3339).
    pub from: Option<String>,
    /// Received before the end of this date, or before this instant.
    pub to: Option<String>,
    pub overdue: Option<bool>,
    /// Only the secretariat's triage queue (no agency yet).
    pub triage: Option<bool>,
    /// `newest` (default), `oldest`, or `due`: open tickets (received, open), the earliest
    /// deadline first.
    pub sort: Option<String>,
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// An enum-like value: exactly one of its words, or empty for "any" (as a form's select sends).
fn empty_to_none(v: &Option<String>) -> Option<String> {
    v.as_deref().filter(|s| !s.is_empty()).map(str::to_string)
}

fn blank_to_none(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl ListQuery {
    pub(crate) fn to_filter(&self, tz: chrono_tz::Tz) -> Result<TicketFilter, ApiError> {
        let bad = |field: &'static str, message: &str| {
            ApiError::Invalid(vec![domain::FieldError {
                field,
                message: message.to_string(),
            }])
        };
        let status = empty_to_none(&self.status);
        if status
            .as_deref()
            .is_some_and(|s| domain::TicketStatus::parse(s).is_none())
        {
            return Err(bad(
                "status",
                "status tidak dikenal (received, open, answered, declined, closed)",
            ));
        }
        let channel = empty_to_none(&self.channel);
        if channel
            .as_deref()
            .is_some_and(|c| Channel::parse(c).is_none())
        {
            return Err(bad("channel", "kanal tidak dikenal (web, sms, app, api)"));
        }
        let from_ms = match blank_to_none(&self.from) {
            Some(f) => Some(
                parse_when(&f, tz, false)
                    .ok_or_else(|| bad("from", "tanggal tidak valid (YYYY-MM-DD)"))?,
            ),
            None => None,
        };
        let to_ms = match blank_to_none(&self.to) {
            Some(t) => Some(
                parse_when(&t, tz, true)
                    .ok_or_else(|| bad("to", "tanggal tidak valid (YYYY-MM-DD)"))?,
            ),
            None => None,
        };
        let (oldest_first, due_first) = match self.sort.as_deref().unwrap_or("newest") {
            "newest" | "" => (false, false),
            "oldest" => (true, false),
            "due" => (false, true),
            _ => return Err(bad("sort", "urutan harus newest, oldest atau due")),
        };
        let cursor = match blank_to_none(&self.cursor) {
            Some(c) => Some(Cursor::decode(&c).ok_or_else(|| bad("cursor", "cursor tidak valid"))?),
            None => None,
        };
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(bad("limit", "limit harus 1 sampai 200"));
        }
        Ok(TicketFilter {
            status,
            agency_code: blank_to_none(&self.agency),
            category: blank_to_none(&self.category),
            channel,
            q: blank_to_none(&self.q),
            from_ms,
            to_ms,
            overdue: self.overdue.unwrap_or(false),
            triage: self.triage.unwrap_or(false),
            assignee_id: None,
            oldest_first,
            due_first,
            cursor,
            limit,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct TicketItem {
    pub id: i64,
    pub tracking_code: String,
    pub register_number: String,
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    pub category: String,
    pub channel: String,
    pub status: String,
    pub text: String,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_email: Option<String>,
    pub anonymous: bool,
    pub confidential: bool,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub received_at: i64,
    pub updated_at: i64,
    pub answered_at: Option<i64>,
    pub due_at: Option<i64>,
    pub overdue: bool,
    pub decline_reason: Option<String>,
}

/// Whether the staff member may read this ticket's reporter identity (by the inbox it is in).
pub(crate) fn sees_identity(staff: &Staff, t: &Ticket) -> bool {
    staff.access.can(
        domain::Capability::SeeReporterIdentity,
        t.agency_id.map(domain::AgencyId),
    )
}

pub(crate) fn item(t: Ticket, staff: &Staff) -> TicketItem {
    let identity = sees_identity(staff, &t);
    let overdue = t.is_overdue(store::now_ms());
    TicketItem {
        id: t.id,
        tracking_code: t.tracking_code,
        register_number: t.register_number,
        agency_code: t.agency_code,
        agency_name: t.agency_name,
        category: t.category,
        channel: t.channel.to_string(),
        status: t.status.to_string(),
        text: t.text,
        reporter_name: t.reporter_name.filter(|_| identity),
        reporter_phone: t.reporter_phone.filter(|_| identity),
        reporter_email: t.reporter_email.filter(|_| identity),
        anonymous: t.anonymous,
        confidential: t.confidential,
        address: t.address,
        lat: t.lat,
        long: t.long,
        assignee_id: t.assignee_id,
        assignee_name: t.assignee_name,
        received_at: t.received_at,
        updated_at: t.updated_at,
        answered_at: t.answered_at,
        due_at: t.due_at,
        overdue,
        decline_reason: t.decline_reason,
    }
}

#[derive(Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<TicketItem>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Tickets in the caller's scope, newest first, with filters and cursor pagination.
#[utoipa::path(get, path = "/tickets", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = TicketPage),
              (status = 400, description = "control characters in the query string; problem+json"),
              (status = 401), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<TicketPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let filter = query.to_filter(state.region_tz().await)?;
    let page = state.db().list_tickets(&staff.access, &filter).await?;
    Ok(Json(TicketPage {
        next_cursor: page.next_cursor.map(|c| c.encode()),
        items: page.items.into_iter().map(|t| item(t, &staff)).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    pub seq: i64,
    pub kind: String,
    pub label: String,
    pub actor_name: Option<String>,
    pub public: bool,
    pub body: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub at: i64,
    pub hash: String,
}

#[derive(Serialize, ToSchema)]
pub struct MessageView {
    pub id: i64,
    pub direction: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// `pending`, `sent`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TicketDetail {
    pub ticket: TicketItem,
    pub timeline: Vec<TimelineEntry>,
    pub messages: Vec<MessageView>,
}

pub(crate) async fn detail_of(
    state: &AppState,
    staff: &Staff,
    ticket: Ticket,
) -> Result<TicketDetail, ApiError> {
    let identity = sees_identity(staff, &ticket);
    let events = state.db().events(ticket.id).await?;
    let messages = state.db().ticket_messages(ticket.id).await?;
    Ok(TicketDetail {
        timeline: events
            .into_iter()
            .map(|e| TimelineEntry {
                seq: e.seq,
                label: domain::EventKind::label_id(&e.kind).to_string(),
                kind: e.kind,
                actor_name: e.actor_name,
                public: e.public,
                body: e.body,
                payload: serde_json::from_str(&e.payload).unwrap_or_default(),
                at: e.at,
                hash: e.hash,
            })
            .collect(),
        messages: messages
            .into_iter()
            .map(|m| MessageView {
                id: m.id,
                direction: m.direction,
                channel: m.channel.to_string(),
                recipient: if identity {
                    m.recipient
                } else {
                    "(disembunyikan)".into()
                },
                subject: m.subject,
                body: m.body,
                status: m.status.to_string(),
                attempts: m.attempts,
                last_error: m.last_error,
                created_at: m.created_at,
                sent_at: m.sent_at,
            })
            .collect(),
        ticket: item(ticket, staff),
    })
}

/// One ticket with its full timeline (including internal notes) and its messages.
#[utoipa::path(get, path = "/tickets/{id}", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 401), (status = 403), (status = 404)))]
pub async fn detail(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TicketDetail>, ApiError> {
    let ticket = state.db().ticket(&staff.access, id).await?;
    Ok(Json(detail_of(&state, &staff, ticket).await?))
}

pub(crate) fn decline_input(
    reason: &str,
    detail: String,
    duplicate_of: Option<String>,
) -> Result<ActionInput, ApiError> {
    let reason = DeclineReason::parse(reason).ok_or_else(|| {
        ApiError::Invalid(vec![domain::FieldError {
            field: "reason",
            message: "alasan harus sara, unethical, out_of_scope, duplicate atau other".into(),
        }])
    })?;
    Ok(ActionInput::Decline {
        reason,
        detail,
        duplicate_of,
    })
}
