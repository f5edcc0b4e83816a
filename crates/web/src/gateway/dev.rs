//! The dev gateway's simulated handset: type an SMS "from" a phone and read the replies.
//! Mounted only under `balai demo`, and answers only when a gateway of kind `dev` is configured.

use crate::error::{ApiError, PageError};
use crate::state::AppState;
use crate::view::{format_time, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use sms::GatewayKind;
use store::sms::InboundSms;

#[derive(Deserialize, Default)]
pub struct HandsetQuery {
    #[serde(default)]
    nomor: String,
}

#[derive(Serialize)]
pub struct Bubble {
    pub incoming: bool,
    pub text: String,
    pub at: String,
    pub status: String,
    at_ms: i64,
}

#[derive(Template)]
#[template(path = "public/handset.html")]
struct HandsetPage {
    phone: String,
    bubbles: Vec<Bubble>,
    keywords: Vec<(String, String)>,
}

fn dev_gateway(state: &AppState) -> Result<String, PageError> {
    state
        .gateways()
        .first_of_kind(GatewayKind::Dev)
        .map(|g| g.name.clone())
        .ok_or(PageError(ApiError::NotFound))
}

fn phone_of(raw: &str) -> String {
    domain::PhoneNumber::parse(raw)
        .map(|p| p.to_string())
        .unwrap_or_else(|_| "+6281200000001".into())
}

async fn conversation(state: &AppState, phone: &str) -> Result<Vec<Bubble>, PageError> {
    let tz = state.region_tz().await;
    let mut bubbles: Vec<Bubble> = state
        .db()
        .inbound_messages(Some(phone), 50)
        .await?
        .into_iter()
        .map(|m| Bubble {
            incoming: false,
            at: format_time(m.received_at, tz),
            at_ms: m.received_at,
            text: m.text,
            status: m.outcome,
        })
        .collect();
    bubbles.extend(
        state
            .db()
            .messages_to(phone, 50)
            .await?
            .into_iter()
            .filter(|m| m.channel == domain::MessageChannel::Sms)
            .map(|m| Bubble {
                incoming: true,
                at: format_time(m.created_at, tz),
                at_ms: m.created_at,
                text: m.body,
                status: m.status.to_string(),
            }),
    );
    bubbles.sort_by_key(|b| b.at_ms);
    Ok(bubbles)
}

pub async fn page(
    State(state): State<AppState>,
    Query(q): Query<HandsetQuery>,
) -> Result<Response, PageError> {
    dev_gateway(&state)?;
    let phone = phone_of(&q.nomor);
    let keywords = state
        .db()
        .keywords()
        .await?
        .into_iter()
        .filter(|k| k.active)
        .map(|k| (k.keyword, k.agency_name))
        .collect();
    Ok(render(&HandsetPage {
        bubbles: conversation(&state, &phone).await?,
        phone,
        keywords,
    }))
}

pub async fn messages(
    State(state): State<AppState>,
    Query(q): Query<HandsetQuery>,
) -> Result<Json<Vec<Bubble>>, PageError> {
    dev_gateway(&state)?;
    Ok(Json(conversation(&state, &phone_of(&q.nomor)).await?))
}

#[derive(Deserialize)]
pub struct HandsetForm {
    #[serde(default)]
    nomor: String,
    #[serde(default)]
    text: String,
}

pub async fn send(
    State(state): State<AppState>,
    Form(form): Form<HandsetForm>,
) -> Result<Response, PageError> {
    let gateway = dev_gateway(&state)?;
    let phone = phone_of(&form.nomor);
    if !form.text.trim().is_empty() {
        let sms = InboundSms {
            gateway,
            gateway_message_id: store::auth::random_token(),
            sender: phone.clone(),
            receiver: "1708".into(),
            text: form.text,
            coding: "0".into(),
            partial: false,
            received_at: store::now_ms(),
        };
        state.sms_intake().receive(sms).await?;
        // The dev gateway "delivers" at once so the reply shows without waiting for the worker.
        state
            .gateways()
            .send_due(state.sms_sink())
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    Ok(Redirect::to(&format!(
        "/simulasi-sms?nomor={}",
        crate::staff::urlencode(&phone)
    ))
    .into_response())
}
