//! "SMS Gateway for Android" (an app that turns a phone into a gateway): MO and delivery
//! states arrive as webhooks (`sms:received`, `sms:sent`, `sms:delivered`, `sms:failed`) at
//! `/gateway/android/webhook`; MT goes out by the app's REST API, `POST {sendsms_url}/message`
//! with basic authentication. Our outbox id travels as the app's message id (`balai-<id>`), so
//! its delivery webhooks find the message again.

use crate::config::GatewayConfig;
use crate::sender::{SendError, Sent};
use crate::sink::OutboundSms;
use serde::Deserialize;

pub const ID_PREFIX: &str = "balai-";

/// A webhook as the app posts it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub event: String,
    /// Unique per event; retries of a delivery carry the same id.
    pub id: Option<String>,
    pub device_id: Option<String>,
    pub payload: WebhookPayload,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookPayload {
    pub message_id: Option<String>,
    pub message: Option<String>,
    pub phone_number: Option<String>,
    pub sim_number: Option<serde_json::Value>,
    pub received_at: Option<String>,
    pub reason: Option<String>,
}

/// What a webhook means for Balai.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Received {
        id: String,
        from: String,
        text: String,
    },
    /// A delivery state of one of our messages: `Some(true)` delivered, `Some(false)` failed,
    /// `None` sent (no change beyond the record).
    Delivery {
        outbox_id: i64,
        delivered: Option<bool>,
        detail: String,
    },
    Ignored(String),
}

pub fn interpret(hook: &Webhook) -> Result<Event, String> {
    let p = &hook.payload;
    match hook.event.as_str() {
        "sms:received" => {
            let from = p
                .phone_number
                .clone()
                .filter(|v| !v.is_empty())
                .ok_or("payload.phoneNumber is required")?;
            let text = p.message.clone().ok_or("payload.message is required")?;
            // The app's messageId is derived from the content and may repeat; the event id is
            // what identifies this delivery (and its retries).
            let id = hook
                .id
                .clone()
                .or_else(|| {
                    Some(format!(
                        "{}@{}",
                        p.message_id.clone()?,
                        p.received_at.clone().unwrap_or_default()
                    ))
                })
                .ok_or("event id is required")?;
            Ok(Event::Received { id, from, text })
        }
        "sms:sent" | "sms:delivered" | "sms:failed" => {
            let message_id = p.message_id.clone().unwrap_or_default();
            let Some(outbox_id) = message_id
                .strip_prefix(ID_PREFIX)
                .and_then(|n| n.parse().ok())
            else {
                return Ok(Event::Ignored(format!(
                    "message {message_id} was not sent by Balai"
                )));
            };
            let delivered = match hook.event.as_str() {
                "sms:delivered" => Some(true),
                "sms:failed" => Some(false),
                _ => None,
            };
            let detail = format!("{} {}", hook.event, p.reason.clone().unwrap_or_default())
                .trim()
                .to_string();
            Ok(Event::Delivery {
                outbox_id,
                delivered,
                detail,
            })
        }
        other => Ok(Event::Ignored(format!("event {other} is not used"))),
    }
}

/// Sends one message through the phone's local (or cloud) API.
pub async fn send(
    http: &reqwest::Client,
    gateway: &GatewayConfig,
    message: &OutboundSms,
) -> Result<Sent, SendError> {
    let base = gateway
        .sendsms_url
        .as_deref()
        .unwrap_or_default()
        .trim_end_matches('/');
    let id = format!("{ID_PREFIX}{}", message.id);
    let body = serde_json::json!({
        "id": id,
        "message": message.body,
        "phoneNumbers": [message.recipient],
        "withDeliveryReport": true,
    });
    let mut request = http.post(format!("{base}/message")).json(&body);
    if let Some(user) = &gateway.username {
        request = request.basic_auth(user, gateway.password.as_deref());
    }
    let response = request
        .send()
        .await
        .map_err(|e| SendError::Unavailable(format!("ponsel gateway tidak terjangkau: {e}")))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    match status.as_u16() {
        200..=299 => Ok(Sent {
            reference: Some(id),
        }),
        400 | 422 => Err(SendError::Rejected(format!(
            "ponsel gateway {status}: {}",
            text.trim()
        ))),
        _ => Err(SendError::Unavailable(format!(
            "ponsel gateway {status}: {}",
            text.trim()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(json: &str) -> Webhook {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn received_uses_the_event_id() {
        let h = hook(
            r#"{"deviceId":"ffffffffceb0b1db0000018e937c815b","event":"sms:received","id":"Ey6ECgOkVVFjz3CL48B8C",
            "payload":{"messageId":"abc","message":"DISHUB lampu mati","phoneNumber":"6281234567890","simNumber":1,
            "receivedAt":"2026-11-25T13:01:02.000+07:00"},"webhookId":"LreFUt-Z3sSq0JufY9uWB"}"#,
        );
        assert_eq!(
            interpret(&h).unwrap(),
            Event::Received {
                id: "Ey6ECgOkVVFjz3CL48B8C".into(),
                from: "6281234567890".into(),
                text: "DISHUB lampu mati".into()
            }
        );
    }

    #[test]
    fn delivery_states_map_to_our_outbox() {
        let h = hook(
            r#"{"event":"sms:delivered","id":"x","payload":{"messageId":"balai-42","phoneNumber":"+62812"}}"#,
        );
        assert_eq!(
            interpret(&h).unwrap(),
            Event::Delivery {
                outbox_id: 42,
                delivered: Some(true),
                detail: "sms:delivered".into()
            }
        );
        let h = hook(
            r#"{"event":"sms:failed","id":"y","payload":{"messageId":"balai-7","reason":"RESULT_ERROR_GENERIC_FAILURE"}}"#,
        );
        assert!(matches!(
            interpret(&h).unwrap(),
            Event::Delivery {
                outbox_id: 7,
                delivered: Some(false),
                ..
            }
        ));
        let h = hook(r#"{"event":"sms:sent","id":"z","payload":{"messageId":"other-1"}}"#);
        assert!(matches!(interpret(&h).unwrap(), Event::Ignored(_)));
    }

    #[test]
    fn missing_fields_are_named() {
        let h = hook(r#"{"event":"sms:received","id":"a","payload":{"message":"x"}}"#);
        assert!(interpret(&h).unwrap_err().contains("phoneNumber"));
    }
}
