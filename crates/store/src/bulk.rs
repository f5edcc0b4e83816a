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
/// The status mix of `balai seed`.
pub const STATUSES: &[&str] = &[
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
            let agency = crate::rows::NewAgency {
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
        .filter(|a| a.kind.takes_intake())
        .map(|a| (a.id, a.code))
        .collect())
}

/// SQLite's lookup of a numbered parameter's name is linear, which makes `$N` quadratic in a
/// statement with thousands of parameters; anonymous `?` are bound in order instead.
fn placeholder(sqlite: bool, n: usize) -> String {
    if sqlite {
        "?".to_string()
    } else {
        format!("${n}")
    }
}

/// A valid, unique tracking code for the `n`-th seeded ticket of a run: three random characters
/// for the run, seven for the counter.
fn seeded_tracking_code(run_tag: &str, n: usize) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut code = run_tag.to_string();
    let mut rest = n;
    let mut digits = [b'2'; 7];
    for digit in digits.iter_mut().rev() {
        *digit = ALPHABET[rest % ALPHABET.len()];
        rest /= ALPHABET.len();
    }
    code.push_str(std::str::from_utf8(&digits).unwrap_or("2222222"));
    code
}

/// Inserts `count` tickets with a `received` event each, spread over the last `days` days.
/// Calls `progress(done)` after each transaction. Ids are assigned here (the batch runs inside
/// one write transaction) so that each event's hash covers its real ticket id in one pass.
pub async fn seed_tickets(
    db: &Db,
    count: usize,
    agencies: &[(i64, String)],
    days: i64,
    progress: impl FnMut(usize),
) -> Result<()> {
    seed_tickets_with(db, count, agencies, days, STATUSES, progress).await
}

/// `seed_tickets` with the statuses to draw from (e.g. only `answered`, to benchmark the
/// publication of a million answered cases).
pub async fn seed_tickets_with(
    db: &Db,
    count: usize,
    agencies: &[(i64, String)],
    days: i64,
    statuses: &[&str],
    mut progress: impl FnMut(usize),
) -> Result<()> {
    let now = crate::now_ms();
    let run_tag: String = domain::TrackingCode::generate().to_string()[..3].to_string();
    let mut done = 0usize;
    let mut rng = rand::rng();
    let sqlite = matches!(db, Db::Sqlite { .. });
    while done < count {
        let in_tx = ROWS_PER_TRANSACTION.min(count - done);
        let mut tx = db.begin().await?;
        let mut c = tx.c();
        if let Db::Pg(_) = db {
            // Ids are taken from the table's maximum: keep concurrent writers out meanwhile.
            run!(&mut c, x => sqlx::query("LOCK TABLE tickets IN SHARE ROW EXCLUSIVE MODE").execute(x).await?.rows_affected());
        }
        let before: i64 = run!(&mut c, x => sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) FROM tickets")
            .fetch_one(x).await?);
        let mut written = 0;
        while written < in_tx {
            let rows = ROWS_PER_STATEMENT.min(in_tx - written);
            let mut ticket_sql = String::from(
                "INSERT INTO tickets (id, tracking_code, register_number, agency_id, category, channel, status, text,
                 reporter_name, reporter_phone, anonymous, confidential, received_at, updated_at, answered_at, due_at,
                 last_seq, last_hash) VALUES ",
            );
            let mut event_sql = String::from(
                "INSERT INTO ticket_events (ticket_id, seq, kind, actor_id, public, body, payload, at, prev_hash, hash) VALUES ",
            );
            let mut tickets = Vec::with_capacity(rows);
            for r in 0..rows {
                let n = done + written + r;
                let id = before + (written + r) as i64 + 1;
                let (agency_id, code) = agencies
                    .choose(&mut rng)
                    .cloned()
                    .unwrap_or((0, "SETDA".into()));
                let status = *statuses.choose(&mut rng).unwrap_or(&"open");
                let received = now - rng.random_range(0..days.max(1) * 86_400_000);
                let words: Vec<&str> = (0..rng.random_range(6..20))
                    .map(|_| *WORDS.choose(&mut rng).unwrap_or(&"aduan"))
                    .collect();
                let text = format!("{} nomor {n}", words.join(" "));
                let tracking = seeded_tracking_code(&run_tag, n);
                let register = format!("{code}/SEED-{run_tag}/{n:09}");
                let answered = matches!(status, "answered" | "closed")
                    .then(|| received + rng.random_range(3_600_000..432_000_000));
                let hash = domain::event_hash(
                    "",
                    &EventContent {
                        ticket_id: id,
                        seq: 1,
                        kind: "received",
                        actor_id: None,
                        at_ms: received,
                        body: "",
                        payload: "{}",
                    },
                );
                if r > 0 {
                    ticket_sql.push(',');
                    event_sql.push(',');
                }
                let b = r * 15;
                let p: Vec<String> = (1..=15).map(|k| placeholder(sqlite, b + k)).collect();
                ticket_sql.push_str(&format!(
                    "({},FALSE,FALSE,{},1,{})",
                    p[..10].join(","),
                    p[10..14].join(","),
                    p[14]
                ));
                let e: Vec<String> = (1..=3).map(|k| placeholder(sqlite, r * 3 + k)).collect();
                event_sql.push_str(&format!(
                    "({}, 1, 'received', NULL, TRUE, '', '{{}}', {}, '', {})",
                    e[0], e[1], e[2]
                ));
                let phone = format!("+62812{:08}", rng.random_range(0..100_000_000));
                tickets.push((
                    id, tracking, register, agency_id, status, text, phone, received, answered,
                    hash, n,
                ));
            }
            run!(&mut c, x => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(ticket_sql));
                for (id, tracking, register, agency_id, status, text, phone, received, answered, hash, n) in &tickets {
                    q = q.bind(*id).bind(tracking.clone()).bind(register.clone()).bind(*agency_id)
                        .bind(CATEGORIES[n % CATEGORIES.len()]).bind(CHANNELS[n % CHANNELS.len()])
                        .bind(*status).bind(text.clone()).bind(format!("Warga {n}")).bind(phone.clone())
                        .bind(*received).bind(*received).bind(*answered).bind(*received + crate::rows::DEFAULT_DUE_MS)
                        .bind(hash.clone());
                }
                q.execute(x).await?.rows_affected()
            });
            run!(&mut c, x => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(event_sql));
                for (id, _, _, _, _, _, _, received, _, hash, _) in &tickets {
                    q = q.bind(*id).bind(*received).bind(hash.clone());
                }
                q.execute(x).await?.rows_affected()
            });
            written += rows;
        }
        if let Db::Pg(_) = db {
            run!(&mut c, x => sqlx::query("SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT MAX(id) FROM tickets))")
                .execute(x).await?.rows_affected());
        }
        tx.commit().await?;
        done += in_tx;
        progress(done);
    }
    Ok(())
}

/// Statements of at most this many rows for the multi-row inserts of bulk data.
pub const ROWS_PER_BULK_STATEMENT: usize = ROWS_PER_STATEMENT;

/// A generated answer for a seeded ticket (benchmarks only).
pub fn synthetic_answer() -> String {
    let mut rng = rand::rng();
    let words: Vec<&str> = (0..rng.random_range(4..10))
        .map(|_| *WORDS.choose(&mut rng).unwrap_or(&"aduan"))
        .collect();
    format!(
        "Terima kasih atas laporan Anda. Sudah kami tindak lanjuti: {}.",
        words.join(" ")
    )
}
