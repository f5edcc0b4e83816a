use crate::error::ApiError;
use crate::request::json_body;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use sms::GatewayKind;
use sms::android::{Event, Webhook, interpret};
use store::sms::InboundSms;

#[derive(Deserialize)]
pub struct HookQuery {
    gateway: Option<String>,
    token: Option<String>,
}

/// `POST /gateway/android/webhook?gateway=NAME&token=SECRET`: the phone app's webhook. The
/// token is part of the webhook URL registered in the app.
pub async fn webhook(
    State(state): State<AppState>,
    Query(q): Query<HookQuery>,
    body: Result<Json<Webhook>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let gateways = state.gateways();
    let gateway = match &q.gateway {
        Some(name) => gateways
            .by_name(name)
            .filter(|g| g.kind() == GatewayKind::Android),
        None => gateways.first_of_kind(GatewayKind::Android),
    }
    .filter(|g| q.token.as_deref().is_some_and(|t| g.token_matches(t)))
    .ok_or(ApiError::Unauthorized)?;
    let hook = json_body(body)?;
    match interpret(&hook).map_err(ApiError::Unprocessable)? {
        Event::Received { id, from, text } => {
            let sms = InboundSms {
                gateway: gateway.name.clone(),
                gateway_message_id: id,
                sender: from,
                receiver: String::new(),
                text,
                coding: String::new(),
                partial: false,
                received_at: store::now_ms(),
            };
            state.sms_intake().receive(sms).await?;
        }
        Event::Delivery {
            outbox_id,
            delivered,
            detail,
        } => {
            state
                .db()
                .record_delivery_report(outbox_id, delivered, &detail)
                .await?;
        }
        Event::Ignored(reason) => tracing::debug!("android webhook ignored: {reason}"),
    }
    Ok(StatusCode::OK)
}
