//! Bulk synthetic data for benchmarks (`balai seed`): multi-row inserts in large transactions.

use crate::db::run;
use crate::{Db, Result};
use domain::timeline::EventContent;
use rand::Rng;
use rand::seq::IndexedRandom;

const ROWS_PER_STATEMENT: usize = 400;
const ROWS_PER_TRANSACTION: usize = 20_000;

const WORDS: &[&str] = &[
    "jalan",
    "rusak",
    "lampu",
    "mati",
    "sampah",
    "menumpuk",
    "banjir",
    "saluran",
    "tersumbat",
    "air",
    "bersih",
    "puskesmas",
    "antrian",
    "sekolah",
    "guru",
    "izin",
    "pelayanan",
    "lambat",
    "parkir",
    "liar",
    "pasar",
    "bau",
    "kemacetan",
    "angkot",
    "trotoar",
    "pohon",
    "tumbang",
    "listrik",
    "jembatan",
    "retak",
    "KTP",
    "akta",
    "bantuan",
    "sosial",
    "beasiswa",
    "rumah",
    "sakit",
    "obat",
    "vaksin",
    "demam",
];
const STATUSES: &[&str] = &[
    "received", "open", "open", "answered", "answered", "answered", "declined", "closed",
];
const CATEGORIES: &[&str] = &["informasi", "pengaduan", "pengaduan", "pertanyaan", "saran"];
const CHANNELS: &[&str] = &["web", "sms", "sms", "app"];

/// Makes sure `count` synthetic agencies `OPD001…` exist; returns (id, code) of all agencies
/// that take tickets.
pub async fn ensure_agencies(db: &Db, count: usize) -> Result<Vec<(i64, String)>> {
    let existing = db.agencies().await?;
    for i in 1..=count {
        let code = format!("OPD{i:03}");
        if !existing.iter().any(|a| a.code == code) {
            let agency = crate::org::NewAgency {
                code,
                name: format!("Dinas Sintetis {i}"),
                kind: "agency".into(),
                ..Default::default()
            };
            db.create_agency(&agency).await?;
        }
    }
    Ok(db
        .agencies()
        .await?
        .into_iter()
        .filter(|a| a.kind != "secretariat")
        .map(|a| (a.id, a.code))
        .collect())
}

/// Inserts `count` tickets with a `received` event each, spread over the last `days` days.
/// Calls `progress(done)` after each transaction.
pub async fn seed_tickets(
    db: &Db,
    count: usize,
    agencies: &[(i64, String)],
    days: i64,
    mut progress: impl FnMut(usize),
) -> Result<()> {
    let now = crate::now_ms();
    let run_tag: String = domain::TrackingCode::generate().to_string()[..4].to_string();
    let mut done = 0usize;
    let mut rng = rand::rng();
    while done < count {
        let in_tx = ROWS_PER_TRANSACTION.min(count - done);
        let mut tx = db.begin().await?;
        let mut c = tx.c();
        // Writers are serialised inside the transaction, so this batch's ids all lie above it.
        let before: i64 = run!(&mut c, x => sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) FROM tickets")
            .fetch_one(x).await?);
        let mut written = 0;
        while written < in_tx {
            let rows = ROWS_PER_STATEMENT.min(in_tx - written);
            let mut sql = String::from(
                "INSERT INTO tickets (tracking_code, register_number, agency_id, category, channel, status, text,
                 reporter_name, reporter_phone, anonymous, confidential, received_at, updated_at, answered_at, due_at,
                 last_seq, last_hash) VALUES ",
            );
            let mut tickets = Vec::with_capacity(rows);
            for r in 0..rows {
                let n = done + written + r;
                let (agency_id, code) = agencies
                    .choose(&mut rng)
                    .cloned()
                    .unwrap_or((0, "SETDA".into()));
                let status = *STATUSES.choose(&mut rng).unwrap_or(&"open");
                let received = now - rng.random_range(0..days.max(1) * 86_400_000);
                let words: Vec<&str> = (0..rng.random_range(6..20))
                    .map(|_| *WORDS.choose(&mut rng).unwrap_or(&"aduan"))
                    .collect();
                let text = format!("{} nomor {n}", words.join(" "));
                let tracking = format!("S{run_tag}{n:09}");
                let register = format!("{code}/SEED{run_tag}/{n:09}");
                let answered = matches!(status, "answered" | "closed")
                    .then(|| received + rng.random_range(3_600_000..432_000_000));
                let hash = domain::event_hash(
                    "",
                    &EventContent {
                        ticket_id: 0,
                        seq: 1,
                        kind: "received",
                        actor_id: None,
                        at_ms: received,
                        body: "",
                        payload: "{}",
                    },
                );
                if r > 0 {
                    sql.push(',');
                }
                let b = r * 16;
                sql.push_str(&format!(
                    "(${},${},${},${},${},${},${},${},${},FALSE,FALSE,${},${},${},${},1,${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10,
                    b + 11,
                    b + 12,
                    b + 13,
                    b + 14
                ));
                let phone = format!("+62812{:08}", rng.random_range(0..100_000_000));
                tickets.push((
                    tracking, register, agency_id, status, text, phone, received, answered, hash, n,
                ));
            }
            // Placeholders above use 14 per row; renumber to a dense sequence.
            let sql = renumber(&sql, rows, 16, 14);
            run!(&mut c, x => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (tracking, register, agency_id, status, text, phone, received, answered, hash, n) in &tickets {
                    q = q.bind(tracking.clone()).bind(register.clone()).bind(*agency_id)
                        .bind(CATEGORIES[n % CATEGORIES.len()]).bind(CHANNELS[n % CHANNELS.len()])
                        .bind(*status).bind(text.clone()).bind(format!("Warga {n}")).bind(phone.clone())
                        .bind(*received).bind(*received).bind(*answered).bind(*received + crate::tickets::DEFAULT_DUE_MS)
                        .bind(hash.clone());
                }
                q.execute(x).await?.rows_affected()
            });
            written += rows;
        }
        // The chain's first hash covers the real ticket id: fix hashes and add the events.
        let rows: Vec<(i64, i64)> = run!(&mut c, x => sqlx::query_as(
            "SELECT id, received_at FROM tickets WHERE id > $1 ORDER BY id"
        ).bind(before).fetch_all(x).await?);
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut sql = String::from(
                "INSERT INTO ticket_events (ticket_id, seq, kind, actor_id, public, body, payload, at, prev_hash, hash) VALUES ",
            );
            let mut hashes = Vec::with_capacity(chunk.len());
            for (i, (id, at)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${}, 1, 'received', NULL, TRUE, '', '{{}}', ${}, '', ${})",
                    i * 3 + 1,
                    i * 3 + 2,
                    i * 3 + 3
                ));
                hashes.push(domain::event_hash(
                    "",
                    &EventContent {
                        ticket_id: *id,
                        seq: 1,
                        kind: "received",
                        actor_id: None,
                        at_ms: *at,
                        body: "",
                        payload: "{}",
                    },
                ));
            }
            run!(&mut c, x => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for ((id, at), hash) in chunk.iter().zip(&hashes) {
                    q = q.bind(*id).bind(*at).bind(hash.clone());
                }
                q.execute(x).await?.rows_affected()
            });
            let mut update = String::from("UPDATE tickets SET last_hash = CASE id ");
            for (i, _) in chunk.iter().enumerate() {
                update.push_str(&format!("WHEN ${} THEN ${} ", i * 2 + 1, i * 2 + 2));
            }
            let ids: Vec<String> = chunk.iter().map(|(id, _)| id.to_string()).collect();
            update.push_str(&format!("END WHERE id IN ({})", ids.join(",")));
            run!(&mut c, x => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(update));
                for ((id, _), hash) in chunk.iter().zip(&hashes) {
                    q = q.bind(*id).bind(hash.clone());
                }
                q.execute(x).await?.rows_affected()
            });
        }
        tx.commit().await?;
        done += in_tx;
        progress(done);
    }
    Ok(())
}

/// Rewrites `$k` placeholders laid out with `stride` slots per row into a dense numbering with
/// `used` placeholders per row.
fn renumber(sql: &str, rows: usize, stride: usize, used: usize) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.char_indices().peekable();
    while let Some((_, ch)) = chars.next() {
        if ch != '$' {
            out.push(ch);
            continue;
        }
        let mut digits = String::new();
        while let Some((_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        let n: usize = digits.parse().unwrap_or(1);
        let (row, slot) = ((n - 1) / stride, (n - 1) % stride);
        debug_assert!(row < rows && slot < used);
        out.push_str(&format!("${}", row * used + slot + 1));
    }
    out
}
