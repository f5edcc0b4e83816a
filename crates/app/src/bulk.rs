//! Bulk synthetic data for benchmarks and the demo: the seeded tickets (`store::bulk`) and
//! their publication.

use crate::App;
use store::bulk::{ROWS_PER_BULK_STATEMENT, synthetic_answer};
use store::publication::{self, NewCase};
use store::{Result, now_ms, settings};

impl App {
    /// Publishes seeded answered tickets, which have no answer on their timeline, with a
    /// generated answer (benchmarks only; real tickets are published when answered, or by
    /// `Db::publish_pending`). Idempotent. Calls `progress(published)` after each transaction.
    pub async fn publish_seeded(&self, mut progress: impl FnMut(u64)) -> Result<u64> {
        const BATCH: i64 = 20_000;
        let mut after = 0i64;
        let mut total = 0u64;
        loop {
            let mut tx = self.db.begin().await?;
            let mut c = tx.c();
            let zone = settings::region_zone(&mut c).await?;
            let redaction = publication::redaction_settings(&mut c).await?;
            let rows = publication::unpublished_answered(&mut c, after, BATCH).await?;
            let Some(last) = rows.last() else {
                break;
            };
            after = last.id;
            let cases: Vec<NewCase> = rows
                .iter()
                .filter_map(|src| {
                    NewCase::of(src, &synthetic_answer(), src.answered_at?, zone, redaction)
                })
                .collect();
            let now = now_ms();
            for chunk in cases.chunks(ROWS_PER_BULK_STATEMENT) {
                // Synthetic tickets: no timeline event for the publication, unlike real ones.
                total += publication::insert_cases(&mut c, chunk, now).await?.len() as u64;
            }
            tx.commit().await?;
            progress(total);
            if (rows.len() as i64) < BATCH {
                break;
            }
        }
        Ok(total)
    }
}
