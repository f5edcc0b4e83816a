//! The poller of one gammu gateway: MO from gammu's `inbox` to the sink, and the fate of
//! Balai's messages from `sentitems` as delivery reports.

use super::inbox::{InboundBatchItem, InboxRow, PartKey, assemble_inbox};
use super::{CREATOR_ID, DEFAULT_POLL_INTERVAL, GammuDb, id_param};
use crate::config::GatewayConfig;
use crate::sink::{DeliveryReport, InboundSms, Sink, SinkError, now_ms};
use sqlx::AssertSqlSafe;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How long the parts of a concatenated MO message may stay incomplete in gammu's inbox before
/// Balai takes what arrived. gammu-smsd links the parts itself (`MultipartTimeout`) and writes
/// them together, so a gap longer than a few polls means gammu gave up on the rest.
const MULTIPART_GRACE: Duration = Duration::from_secs(30);

/// What a `sentitems.Status` means for Balai: `Some(true)` delivered, `Some(false)` failed,
/// `None` handed to the network with no final word yet.
pub fn status_outcome(status: &str) -> Option<bool> {
    match status {
        "DeliveryOK" => Some(true),
        "SendingError" | "DeliveryFailed" | "Error" => Some(false),
        // SendingOK (report awaited), SendingOKNoReport, DeliveryPending, DeliveryUnknown.
        _ => None,
    }
}

/// The outcome of a message from the statuses of its parts: failed as soon as one part failed,
/// delivered when every part was; the detail names the gammu status that decided.
pub fn message_outcome(part_statuses: &[&str]) -> (Option<bool>, String) {
    if let Some(failed) = part_statuses
        .iter()
        .find(|s| status_outcome(s) == Some(false))
    {
        return (Some(false), format!("gammu {failed}"));
    }
    if !part_statuses.is_empty()
        && part_statuses
            .iter()
            .all(|s| status_outcome(s) == Some(true))
    {
        return (Some(true), "gammu DeliveryOK".into());
    }
    let pending = part_statuses
        .iter()
        .find(|s| status_outcome(s).is_none())
        .copied()
        .unwrap_or("SendingOK");
    (None, format!("gammu {pending}"))
}

/// The poller's memory between polls.
#[derive(Default)]
struct PollState {
    /// Incomplete concatenated messages and when they were first seen.
    waiting_since: HashMap<PartKey, Instant>,
    /// gammu ID → the part statuses last reported for it.
    reported: HashMap<i64, String>,
}

/// Reads gammu's inbox and sent items every poll interval until `shutdown` turns true.
pub async fn run_poller(gateway: GatewayConfig, sink: Sink, mut shutdown: watch::Receiver<bool>) {
    let interval = gateway
        .poll_interval_ms
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_POLL_INTERVAL);
    let mut state = PollState::default();
    tracing::info!(gateway = %gateway.name, "gammu poller started");
    loop {
        if *shutdown.borrow() {
            break;
        }
        match GammuDb::for_gateway(&gateway) {
            Ok(gammu) => {
                if let Err(e) = poll_inbox(&gateway, &gammu, &sink, &mut state).await {
                    tracing::warn!(gateway = %gateway.name, "gammu inbox: {e}");
                    metrics::counter!("balai_sms_gateway_errors_total", "gateway" => gateway.name.clone()).increment(1);
                }
                if let Err(e) = poll_sentitems(&gateway, &gammu, &sink, &mut state).await {
                    tracing::warn!(gateway = %gateway.name, "gammu sentitems: {e}");
                    metrics::counter!("balai_sms_gateway_errors_total", "gateway" => gateway.name.clone()).increment(1);
                }
            }
            Err(e) => tracing::error!("{e}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => {}
        }
    }
    tracing::info!(gateway = %gateway.name, "gammu poller stopped");
}

#[derive(Debug, thiserror::Error)]
enum PollError {
    #[error("gammu database: {0}")]
    Gammu(#[from] sqlx::Error),
    #[error("Balai database: {0}")]
    Sink(#[from] SinkError),
}

type InboxTuple = (i64, String, String, String, String, String, String, String);

async fn poll_inbox(
    gateway: &GatewayConfig,
    gammu: &GammuDb,
    sink: &Sink,
    state: &mut PollState,
) -> Result<(), PollError> {
    let select = r#"SELECT CAST("ID" AS BIGINT), "SenderNumber", COALESCE("RecipientID", ''),
            COALESCE("SMSCNumber", ''), COALESCE("TextDecoded", ''), "Coding", COALESCE("UDH", ''),
            COALESCE("Text", '')
        FROM inbox WHERE "Processed" = 'false' ORDER BY "ID" LIMIT 500"#;
    let rows: Vec<InboxTuple> =
        on_db!(gammu, pool => sqlx::query_as(select).fetch_all(pool).await?);
    let rows: Vec<InboxRow> = rows
        .into_iter()
        .map(
            |(id, sender, recipient_id, smsc, text, coding, udh, raw_text)| InboxRow {
                id,
                sender,
                recipient_id,
                smsc,
                text,
                coding,
                udh,
                raw_text,
            },
        )
        .collect();
    let now = Instant::now();
    let (items, waiting) = assemble_inbox(&rows, |key| {
        state
            .waiting_since
            .get(key)
            .is_some_and(|since| now.duration_since(*since) >= MULTIPART_GRACE)
    });
    let waiting: HashSet<PartKey> = waiting.into_iter().collect();
    state.waiting_since.retain(|key, _| waiting.contains(key));
    for key in waiting {
        state.waiting_since.entry(key).or_insert(now);
    }
    if items.is_empty() {
        return Ok(());
    }
    let received_at = now_ms();
    let messages: Vec<InboundSms> = items
        .iter()
        .map(|item| InboundSms {
            gateway: gateway.name.clone(),
            gateway_message_id: format!("gammu-inbox-{}", item.row_ids[0]),
            sender: item.sender.clone(),
            receiver: item.receiver.clone(),
            text: item.text.clone(),
            coding: item.coding.clone(),
            partial: item.partial,
            received_at,
        })
        .collect();
    // Stored first, marked processed after: a crash in between only repeats an idempotent
    // receive. All of a poll in one commit; when that fails, one by one, so that one bad
    // message does not hold up the others.
    let stored: Vec<&InboundBatchItem> = match sink.receive_batch(messages.clone()).await {
        Ok(_) => items.iter().collect(),
        Err(e) if items.len() > 1 => {
            tracing::warn!(gateway = %gateway.name, "storing {} SMS at once failed, one by one: {e}", items.len());
            let mut stored = Vec::new();
            for (item, sms) in items.iter().zip(messages) {
                match sink.receive(sms).await {
                    Ok(_) => stored.push(item),
                    Err(e) => {
                        tracing::error!(gateway = %gateway.name, inbox_id = item.row_ids[0], "storing SMS: {e}")
                    }
                }
            }
            stored
        }
        Err(e) => {
            tracing::error!(gateway = %gateway.name, inbox_id = items[0].row_ids[0], "storing SMS: {e}");
            Vec::new()
        }
    };
    let row_ids: Vec<i64> = stored
        .iter()
        .flat_map(|item| item.row_ids.iter().copied())
        .collect();
    mark_processed(gammu, &row_ids).await?;
    Ok(())
}

async fn mark_processed(gammu: &GammuDb, ids: &[i64]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let update = r#"UPDATE inbox SET "Processed" = 'true' WHERE "ID" = $1"#;
    on_db!(gammu, pool => {
        let mut tx = pool.begin().await?;
        for id in ids {
            sqlx::query(update).bind(id_param(*id)).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

async fn poll_sentitems(
    gateway: &GatewayConfig,
    gammu: &GammuDb,
    sink: &Sink,
    state: &mut PollState,
) -> Result<(), PollError> {
    let select = format!(
        r#"SELECT CAST("ID" AS BIGINT), CAST("SequencePosition" AS BIGINT), "Status" FROM sentitems
           WHERE "CreatorID" = $1 AND "UpdatedInDB" >= {}
           ORDER BY "ID", "SequencePosition""#,
        gammu.sentitems_since_expr()
    );
    let rows: Vec<(i64, i64, String)> = on_db!(gammu, pool => sqlx::query_as(AssertSqlSafe(select.clone()))
        .bind(CREATOR_ID)
        .fetch_all(pool)
        .await?);
    let mut messages: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (id, _sequence, status) in rows {
        messages.entry(id).or_default().push(status);
    }
    // Forget what fell out of the window; it will not change any more.
    state.reported.retain(|id, _| messages.contains_key(id));
    // The messages whose statuses changed since they were last reported.
    let mut changed: Vec<(i64, String)> = Vec::new();
    let mut reports: Vec<DeliveryReport> = Vec::new();
    for (gammu_id, statuses) in messages {
        let signature = statuses.join(",");
        if state.reported.get(&gammu_id) == Some(&signature) {
            continue;
        }
        let parts: Vec<&str> = statuses.iter().map(String::as_str).collect();
        let (delivered, detail) = message_outcome(&parts);
        reports.push(DeliveryReport {
            reference: gammu_id.to_string(),
            delivered,
            detail,
        });
        changed.push((gammu_id, signature));
    }
    if reports.is_empty() {
        return Ok(());
    }
    // Unmatched: not ours under this gateway name, or Balai has not recorded the hand-over yet
    // (gammu can be faster than the commit): looked up again next poll.
    let missing: HashSet<String> = sink
        .record_reports(&gateway.name, &reports)
        .await?
        .into_iter()
        .collect();
    for ((gammu_id, signature), report) in changed.into_iter().zip(&reports) {
        if missing.contains(&report.reference) {
            continue;
        }
        if report.delivered == Some(false) {
            tracing::warn!(gateway = %gateway.name, gammu_id, "SMS failed: {}", report.detail);
        }
        state.reported.insert(gammu_id, signature);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_outcomes() {
        assert_eq!(status_outcome("DeliveryOK"), Some(true));
        for failed in ["SendingError", "DeliveryFailed", "Error"] {
            assert_eq!(status_outcome(failed), Some(false), "{failed}");
        }
        for open in [
            "SendingOK",
            "SendingOKNoReport",
            "DeliveryPending",
            "DeliveryUnknown",
        ] {
            assert_eq!(status_outcome(open), None, "{open}");
        }
        assert_eq!(
            message_outcome(&["DeliveryOK", "DeliveryOK"]),
            (Some(true), "gammu DeliveryOK".into())
        );
        assert_eq!(
            message_outcome(&["DeliveryOK", "SendingOK"]),
            (None, "gammu SendingOK".into())
        );
        assert_eq!(
            message_outcome(&["DeliveryOK", "DeliveryFailed"]),
            (Some(false), "gammu DeliveryFailed".into())
        );
        assert_eq!(
            message_outcome(&["SendingError"]),
            (Some(false), "gammu SendingError".into())
        );
        assert_eq!(
            message_outcome(&["SendingOKNoReport"]),
            (None, "gammu SendingOKNoReport".into())
        );
    }
}
