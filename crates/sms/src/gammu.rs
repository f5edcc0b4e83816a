//! gammu-smsd with its SQL service (`service = sql`): Balai writes MT messages into gammu's
//! `outbox` (and `outbox_multipart`), and a poller reads MO messages from `inbox` and the fate of
//! Balai's messages from `sentitems`. gammu's schema is used as shipped (`sqlite.sql`,
//! `pgsql.sql`, version 17); Balai adds nothing to it.
//!
//! Rows Balai writes carry `CreatorID = 'balai'`; the reference Balai keeps for a message is
//! gammu's outbox `ID`, which gammu copies into `sentitems`.

use crate::config::GatewayConfig;
use crate::sender::{SendError, Sent};
use crate::sink::{DeliveryReport, InboundSms, OutboundSms, Sink, SinkError, now_ms};
use domain::sms::reassembly::MISSING_MARKER;
use domain::sms::udh::parse_udh;
use domain::sms::{ConcatReference, Encoding, split_for_submit};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, PgPool, SqlitePool};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// `CreatorID` of the rows Balai puts in gammu's outbox; sent items are matched on it.
pub const CREATOR_ID: &str = "balai";

/// Default time between two polls of gammu's tables.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// How long the parts of a concatenated MO message may stay incomplete in gammu's inbox before
/// Balai takes what arrived. gammu-smsd links the parts itself (`MultipartTimeout`) and writes
/// them together, so a gap longer than a few polls means gammu gave up on the rest.
const MULTIPART_GRACE: Duration = Duration::from_secs(30);

/// Sent items updated within this window are read on every poll. gammu writes local times
/// (`datetime('now', 'localtime')`, `LOCALTIMESTAMP`) and its triggers UTC ones on SQLite, so
/// the window is wide enough to cover any time zone offset as well as delivery-report latency.
const SENTITEMS_WINDOW: &str = "1 day";

/// A connection pool to one gammu-smsd database.
#[derive(Clone, Debug)]
pub enum GammuDb {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// One pool per database URL, created on first use and shared by the sender and the poller.
/// Pools connect lazily; PostgreSQL connections belong to the Tokio runtime that opened them,
/// which in `balai serve` is the only one.
static POOLS: LazyLock<Mutex<HashMap<String, GammuDb>>> = LazyLock::new(Default::default);

impl GammuDb {
    /// The pool for the gateway's `database_url`.
    pub fn for_gateway(gateway: &GatewayConfig) -> Result<GammuDb, String> {
        let url = gateway
            .database_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| format!("gateway {}: `database_url` is not set", gateway.name))?;
        let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pool) = pools.get(url) {
            return Ok(pool.clone());
        }
        let pool = Self::connect_lazy(url)
            .map_err(|e| format!("gateway {}: database_url: {e}", gateway.name))?;
        pools.insert(url.to_string(), pool.clone());
        Ok(pool)
    }

    fn connect_lazy(url: &str) -> Result<GammuDb, sqlx::Error> {
        if url.starts_with("sqlite:") {
            // gammu-smsd creates and owns the file: never create it, never change its journal
            // mode, and wait for gammu's locks rather than fail.
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(false)
                .foreign_keys(false)
                .busy_timeout(Duration::from_secs(10));
            Ok(GammuDb::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(Duration::from_secs(15))
                    .connect_lazy_with(options),
            ))
        } else {
            let options = PgConnectOptions::from_str(url)?;
            Ok(GammuDb::Pg(
                PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(15))
                    .connect_lazy_with(options),
            ))
        }
    }

    /// A point in time that gammu sees as "now or earlier", for `SendingDateTime` and
    /// `SendingTimeOut`. SQLite: exactly gammu's own `datetime('now', 'localtime')` (same host,
    /// same time zone). PostgreSQL: sqlx sessions run in UTC while gammu's run in the server's
    /// zone, so a day earlier — "send now" whatever the offset.
    fn now_expr(&self) -> &'static str {
        match self {
            GammuDb::Sqlite(_) => "datetime('now', 'localtime')",
            GammuDb::Pg(_) => "LOCALTIMESTAMP(0) - interval '1 day'",
        }
    }

    fn sentitems_since_expr(&self) -> String {
        match self {
            GammuDb::Sqlite(_) => format!("datetime('now', '-{SENTITEMS_WINDOW}')"),
            GammuDb::Pg(_) => format!("LOCALTIMESTAMP(0) - interval '{SENTITEMS_WINDOW}'"),
        }
    }
}

/// Runs the same sqlx code on whichever pool (or transaction) a [`GammuDb`] holds.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            GammuDb::Sqlite($pool) => $body,
            GammuDb::Pg($pool) => $body,
        }
    };
}

/// gammu's `Coding` for a text: GSM 03.38 when every character is in it, otherwise UCS-2.
pub fn coding_for(text: &str) -> &'static str {
    match Encoding::detect(text) {
        Encoding::Gsm7 => "Default_No_Compression",
        Encoding::Ucs2 => "Unicode_No_Compression",
    }
}

/// Balai's `coding` of an inbound message (as Kannel numbers them) from gammu's `Coding`.
pub fn inbound_coding(gammu_coding: &str) -> &'static str {
    match gammu_coding {
        "Unicode_No_Compression" | "Unicode_Compression" => "2",
        "8bit" => "1",
        _ => "0",
    }
}

/// One row to write: the outbox row (`sequence` 1) or an `outbox_multipart` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxPart {
    pub sequence: i64,
    pub text: String,
    pub coding: &'static str,
    /// Upper-case hex of the UDH with its length octet, as gammu stores it; `None` for a
    /// single message.
    pub udh: Option<String>,
}

/// Splits a text into the rows gammu expects: one row when it fits in one SMS, otherwise one per
/// part, each with a concatenation UDH (8-bit `reference`) that gammu sends as given.
pub fn outbox_parts(text: &str, reference: u8) -> Result<Vec<OutboxPart>, String> {
    let coding = coding_for(text);
    let parts =
        split_for_submit(text, ConcatReference::Bits8(reference)).map_err(|e| e.to_string())?;
    if parts.len() <= 1 {
        return Ok(vec![OutboxPart {
            sequence: 1,
            text: text.to_string(),
            coding,
            udh: None,
        }]);
    }
    Ok(parts
        .into_iter()
        .zip(1..)
        .map(|(part, sequence)| OutboxPart {
            sequence,
            text: part.text,
            coding,
            udh: part.udh.as_deref().map(hex_upper),
        })
        .collect())
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Puts one message into gammu's outbox; the reference is gammu's outbox `ID`. The outbox row
/// and its `outbox_multipart` rows are written in one transaction, so gammu never picks up a
/// message with parts missing.
pub async fn send(gateway: &GatewayConfig, message: &OutboundSms) -> Result<Sent, SendError> {
    let db = GammuDb::for_gateway(gateway).map_err(SendError::Unavailable)?;
    if message.recipient.trim().is_empty() {
        return Err(SendError::Rejected("nomor tujuan kosong".into()));
    }
    // Any 8-bit value will do as long as consecutive messages to one number differ.
    let reference = (message.id.rem_euclid(256)) as u8;
    let parts = outbox_parts(&message.body, reference).map_err(SendError::Rejected)?;
    let id = insert_outbox(&db, &message.recipient, &parts)
        .await
        .map_err(|e| SendError::Unavailable(format!("gammu database: {e}")))?;
    Ok(Sent {
        reference: Some(id.to_string()),
    })
}

async fn insert_outbox(
    db: &GammuDb,
    destination: &str,
    parts: &[OutboxPart],
) -> Result<i64, sqlx::Error> {
    let Some((first, rest)) = parts.split_first() else {
        return Err(sqlx::Error::Protocol("empty message".into()));
    };
    let now = db.now_expr();
    let multipart = if rest.is_empty() { "false" } else { "true" };
    let insert_outbox = format!(
        r#"INSERT INTO outbox ("DestinationNumber", "TextDecoded", "Coding", "UDH", "CreatorID",
             "DeliveryReport", "MultiPart", "SendingDateTime", "SendingTimeOut")
           VALUES ($1, $2, $3, $4, '{CREATOR_ID}', 'yes', '{multipart}', {now}, {now})
           RETURNING CAST("ID" AS BIGINT)"#
    );
    let insert_part = r#"INSERT INTO outbox_multipart ("ID", "SequencePosition", "TextDecoded", "Coding", "UDH")
           VALUES ($1, $2, $3, $4, $5)"#;
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(AssertSqlSafe(insert_outbox))
            .bind(destination)
            .bind(&first.text)
            .bind(first.coding)
            .bind(first.udh.as_deref())
            .fetch_one(&mut *tx)
            .await?;
        for part in rest {
            sqlx::query(insert_part)
                .bind(id_param(id))
                .bind(part.sequence as i32)
                .bind(&part.text)
                .bind(part.coding)
                .bind(part.udh.as_deref())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

/// gammu's `ID` columns are `integer`/`serial`: 32-bit on PostgreSQL.
fn id_param(id: i64) -> i32 {
    i32::try_from(id).unwrap_or(i32::MAX)
}

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

/// An unprocessed row of gammu's `inbox`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRow {
    pub id: i64,
    pub sender: String,
    pub recipient_id: String,
    pub smsc: String,
    pub text: String,
    pub coding: String,
    pub udh: String,
    pub raw_text: String,
}

impl InboxRow {
    fn decoded_text(&self) -> String {
        if self.coding == "8bit" {
            let bytes = hex_decode(&self.raw_text).unwrap_or_default();
            return match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => domain::sms::encoding::decode_latin1(e.as_bytes()),
            };
        }
        self.text.clone()
    }

    fn receiver(&self) -> String {
        if self.recipient_id.trim().is_empty() {
            self.smsc.clone()
        } else {
            self.recipient_id.clone()
        }
    }
}

/// Inbound messages assembled from inbox rows, with the rows each one consumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundBatchItem {
    /// gammu inbox IDs, lowest first; the first names the message.
    pub row_ids: Vec<i64>,
    pub sender: String,
    pub receiver: String,
    pub text: String,
    pub coding: String,
    pub partial: bool,
}

type PartKey = (String, u16, u8);

/// Joins the parts of concatenated messages (by their UDH) and passes single messages through.
/// An incomplete message waits until `expired(key)` says its parts will not come any more.
pub fn assemble_inbox(
    rows: &[InboxRow],
    mut expired: impl FnMut(&PartKey) -> bool,
) -> (Vec<InboundBatchItem>, Vec<PartKey>) {
    let mut items = Vec::new();
    let mut groups: BTreeMap<PartKey, Vec<(u8, &InboxRow)>> = BTreeMap::new();
    for row in rows {
        let concat = hex_decode(&row.udh)
            .filter(|udh| !udh.is_empty())
            .and_then(|udh| parse_udh(&udh).ok().flatten());
        match concat {
            Some(info) if info.total > 1 => groups
                .entry((row.sender.clone(), info.reference, info.total))
                .or_default()
                .push((info.sequence, row)),
            _ => items.push(InboundBatchItem {
                row_ids: vec![row.id],
                sender: row.sender.clone(),
                receiver: row.receiver(),
                text: row.decoded_text(),
                coding: inbound_coding(&row.coding).to_string(),
                partial: false,
            }),
        }
    }
    let mut waiting = Vec::new();
    for (key, mut parts) in groups {
        parts.sort_by_key(|(sequence, row)| (*sequence, row.id));
        let present: HashSet<u8> = parts.iter().map(|(s, _)| *s).collect();
        let complete = (1..=key.2).all(|s| present.contains(&s));
        if !complete && !expired(&key) {
            waiting.push(key);
            continue;
        }
        let mut text = String::new();
        let mut coding = "0";
        for sequence in 1..=key.2 {
            match parts.iter().find(|(s, _)| *s == sequence) {
                Some((_, row)) => {
                    text.push_str(&row.decoded_text());
                    if inbound_coding(&row.coding) != "0" {
                        coding = inbound_coding(&row.coding);
                    }
                }
                None => text.push_str(MISSING_MARKER),
            }
        }
        let mut row_ids: Vec<i64> = parts.iter().map(|(_, row)| row.id).collect();
        row_ids.sort_unstable();
        items.push(InboundBatchItem {
            row_ids,
            sender: key.0.clone(),
            receiver: parts[0].1.receiver(),
            text,
            coding: coding.to_string(),
            partial: !complete,
        });
    }
    items.sort_by_key(|item| item.row_ids[0]);
    (items, waiting)
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
    fn coding_follows_the_alphabet() {
        assert_eq!(coding_for("DISHUB jalan rusak"), "Default_No_Compression");
        assert_eq!(coding_for("Harga €5 {ok}"), "Default_No_Compression");
        assert_eq!(coding_for("Terima kasih ✓"), "Unicode_No_Compression");
        assert_eq!(coding_for("سلام"), "Unicode_No_Compression");
        assert_eq!(inbound_coding("Default_No_Compression"), "0");
        assert_eq!(inbound_coding("Unicode_No_Compression"), "2");
        assert_eq!(inbound_coding("8bit"), "1");
    }

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

    #[test]
    fn short_texts_are_one_row_long_ones_carry_udh() {
        let single = outbox_parts("DISHUB: aduan diterima", 7).unwrap();
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].udh, None);
        assert_eq!(single[0].coding, "Default_No_Compression");

        let long = "Aduan Anda sudah kami terima dan diteruskan ke dinas terkait ✓ ".repeat(3);
        let parts = outbox_parts(&long, 0xAB).unwrap();
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.coding == "Unicode_No_Compression"));
        assert_eq!(parts[0].udh.as_deref(), Some("050003AB0301"));
        assert_eq!(parts[2].udh.as_deref(), Some("050003AB0303"));
        assert_eq!(
            parts.iter().map(|p| p.sequence).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(
            parts.iter().map(|p| p.text.as_str()).collect::<String>(),
            long
        );
        assert!(parts.iter().all(|p| p.text.encode_utf16().count() <= 67));
    }

    fn row(id: i64, udh: &str, text: &str) -> InboxRow {
        InboxRow {
            id,
            sender: "+6281234567890".into(),
            recipient_id: "modem1".into(),
            smsc: "+6281100000".into(),
            text: text.into(),
            coding: "Default_No_Compression".into(),
            udh: udh.into(),
            raw_text: String::new(),
        }
    }

    #[test]
    fn inbox_parts_are_joined_in_order() {
        let rows = [
            row(10, "", "DISHUB satu"),
            row(11, "050003110202", " bagian dua"),
            row(12, "050003110201", "DISHUB bagian satu"),
            row(13, "050003220201", "menunggu"),
        ];
        let (items, waiting) = assemble_inbox(&rows, |_| false);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].row_ids, [10]);
        assert_eq!(items[0].receiver, "modem1");
        assert_eq!(items[1].row_ids, [11, 12]);
        assert_eq!(items[1].text, "DISHUB bagian satu bagian dua");
        assert!(!items[1].partial);
        assert_eq!(waiting, [("+6281234567890".to_string(), 0x22, 2)]);

        let (items, waiting) = assemble_inbox(&rows[3..], |_| true);
        assert!(waiting.is_empty());
        assert_eq!(items[0].text, format!("menunggu{MISSING_MARKER}"));
        assert!(items[0].partial);
    }

    #[test]
    fn eight_bit_text_comes_from_hex() {
        let mut r = row(1, "", "");
        r.coding = "8bit".into();
        r.raw_text = "444953485542".into();
        assert_eq!(r.decoded_text(), "DISHUB");
        r.recipient_id = String::new();
        assert_eq!(r.receiver(), "+6281100000");
    }
}
