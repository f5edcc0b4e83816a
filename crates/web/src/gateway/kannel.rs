use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use sms::GatewayKind;
use sms::kannel::{dlr_outcome, parse_mo, raw_params};
use std::collections::HashMap;
use store::sms::InboundSms;

/// The Kannel gateway a request belongs to: `gateway=` names it, else the first Kannel gateway;
/// its token must match.
fn authorised(
    state: &AppState,
    params: &HashMap<String, Vec<u8>>,
) -> Result<sms::GatewayConfig, ApiError> {
    let text = |key: &str| {
        params
            .get(key)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    let gateways = state.gateways();
    let gateway = match text("gateway") {
        Some(name) => gateways
            .by_name(&name)
            .filter(|g| g.kind() == GatewayKind::Kannel),
        None => gateways.first_of_kind(GatewayKind::Kannel),
    }
    .cloned()
    .ok_or(ApiError::Unauthorized)?;
    match text("token") {
        Some(token) if gateway.token_matches(&token) => Ok(gateway),
        _ => Err(ApiError::Unauthorized),
    }
}

async fn receive(state: AppState, query: &[u8]) -> Result<(StatusCode, &'static str), ApiError> {
    let params = raw_params(query);
    let gateway = authorised(&state, &params)?;
    let mo = parse_mo(&params).map_err(ApiError::BadRequest)?;
    let inbound = InboundSms {
        gateway: gateway.name.clone(),
        gateway_message_id: mo.id,
        sender: mo.from,
        receiver: mo.to,
        text: mo.text,
        coding: mo.coding,
        partial: false,
        received_at: store::now_ms(),
    };
    state.sms_intake().receive(inbound).await?;
    // An empty body: the acknowledgement goes out through the outbox, not as Kannel's reply.
    Ok((StatusCode::OK, ""))
}

/// `GET /gateway/kannel/mo?from=%p&to=%P&text=%b&id=%I&…&token=…` (Kannel `get-url`).
pub async fn mo(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<(StatusCode, &'static str), ApiError> {
    receive(state, query.unwrap_or_default().as_bytes()).await
}

/// `POST` with the same parameters form-encoded in the body (Kannel `post-url` style) or in the query.
pub async fn mo_post(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<(StatusCode, &'static str), ApiError> {
    let mut all = query.unwrap_or_default().into_bytes();
    if !body.is_empty() {
        if !all.is_empty() {
            all.push(b'&');
        }
        all.extend_from_slice(&body);
    }
    receive(state, &all).await
}

/// `GET /gateway/kannel/dlr?gateway=NAME&ref=<outbox id>&status=%d&answer=%A&token=…`
pub async fn dlr(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<(StatusCode, &'static str), ApiError> {
    let params = raw_params(query.unwrap_or_default().as_bytes());
    authorised(&state, &params)?;
    let text = |key: &str| {
        params
            .get(key)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_default()
    };
    let id: i64 = text("ref")
        .parse()
        .map_err(|_| ApiError::BadRequest("parameter `ref` must be the outbox id".into()))?;
    let status = text("status");
    let detail = format!("dlr {status} {}", text("answer"))
        .trim()
        .to_string();
    state
        .db()
        .record_delivery_report(id, dlr_outcome(&status), &detail)
        .await?;
    Ok((StatusCode::OK, ""))
}
