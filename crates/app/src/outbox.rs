//! Messages to reporters: every channel they gave, never to a blocked number, within the daily
//! limit for the kinds the public can trigger.

use store::messages::{OutgoingMessage, enqueue_kind};
use store::{Conn, Result, reach, tickets};

/// Queues messages to a ticket's reporter; SMS leave through the gateway the citizen wrote to
/// (the default gateway for web and app tickets).
pub(crate) async fn to_reporter(
    c: &mut Conn<'_>,
    ticket_id: i64,
    messages: Vec<OutgoingMessage>,
    kind: &str,
    per_day: Option<i64>,
    now: i64,
) -> Result<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let gateway = tickets::reporter_gateway(c, ticket_id).await?;
    for message in messages {
        if reach::withheld(c, &message, kind, per_day, now)
            .await?
            .is_none()
        {
            enqueue_kind(c, Some(ticket_id), &message, kind, gateway.as_deref(), now).await?;
        }
    }
    Ok(())
}
