//! Balai's messages into gammu's `outbox` (and `outbox_multipart`).

use super::{CREATOR_ID, GammuDb, id_param};
use crate::config::GatewayConfig;
use crate::sender::{SendError, Sent};
use crate::sink::OutboundSms;
use domain::sms::{ConcatReference, Encoding, split_for_submit};
use sqlx::AssertSqlSafe;

/// gammu's `Coding` for a text: GSM 03.38 when every character is in it, otherwise UCS-2.
pub fn coding_for(text: &str) -> &'static str {
    match Encoding::detect(text) {
        Encoding::Gsm7 => "Default_No_Compression",
        Encoding::Ucs2 => "Unicode_No_Compression",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coding_follows_the_alphabet() {
        assert_eq!(coding_for("DISHUB jalan rusak"), "Default_No_Compression");
        assert_eq!(coding_for("Harga €5 {ok}"), "Default_No_Compression");
        assert_eq!(coding_for("Terima kasih ✓"), "Unicode_No_Compression");
        assert_eq!(coding_for("سلام"), "Unicode_No_Compression");
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
}
