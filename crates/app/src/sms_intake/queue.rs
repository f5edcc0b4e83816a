//! Group commit for SMS intake. Gateways push messages over many connections at once; each
//! request waits in a queue and a worker takes everything waiting (up to a limit) in one
//! transaction. Under light load a batch is one message; under heavy load the cost of a commit
//! is shared by many, so throughput grows with load. A request is answered only after its
//! batch is committed, so a 2xx still means "stored".

use crate::App;
use std::sync::Arc;
use store::sms::{InboundSms, SmsOutcome, SmsRules};
use store::{Db, Result, StoreError};
use tokio::sync::{Mutex, mpsc, oneshot};

/// Most messages in one transaction: bounds the time other writers wait for the database.
pub const MAX_BATCH: usize = 256;

type Job = (InboundSms, oneshot::Sender<Result<SmsOutcome>>);

#[derive(Clone)]
pub struct SmsIntake {
    queue: mpsc::Sender<Job>,
}

impl SmsIntake {
    /// Starts the workers on the current tokio runtime: one on SQLite (it has one writer), two
    /// on PostgreSQL (one batch commits while the next is built).
    pub fn start(app: App, rules: SmsRules) -> Self {
        let (queue, jobs) = mpsc::channel(MAX_BATCH * 16);
        let jobs = Arc::new(Mutex::new(jobs));
        let workers = match app.db() {
            Db::Sqlite { .. } => 1,
            Db::Pg(_) => 2,
        };
        for _ in 0..workers {
            tokio::spawn(work(app.clone(), rules.clone(), jobs.clone()));
        }
        Self { queue }
    }

    /// Takes in one SMS; returns once it is committed (see `App::receive_sms`).
    pub async fn receive(&self, sms: InboundSms) -> Result<SmsOutcome> {
        let (done, outcome) = oneshot::channel();
        self.queue
            .send((sms, done))
            .await
            .map_err(|_| StoreError::Stopped)?;
        outcome.await.map_err(|_| StoreError::Stopped)?
    }
}

async fn work(app: App, rules: SmsRules, jobs: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let mut taken: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    loop {
        if jobs.lock().await.recv_many(&mut taken, MAX_BATCH).await == 0 {
            return;
        }
        let (batch, waiting): (Vec<InboundSms>, Vec<_>) = taken.drain(..).unzip();
        metrics::histogram!("balai_sms_intake_batch_size").record(batch.len() as f64);
        match app.receive_sms_batch(&batch, &rules).await {
            Ok(outcomes) => {
                for (done, outcome) in waiting.into_iter().zip(outcomes) {
                    let _ = done.send(Ok(outcome));
                }
            }
            Err(err) if batch.len() > 1 => {
                // One bad message must not fail the others: take them one by one.
                tracing::warn!(
                    "SMS batch of {} failed, retrying singly: {err}",
                    batch.len()
                );
                for (sms, done) in batch.iter().zip(waiting) {
                    let _ = done.send(app.receive_sms(sms, &rules).await);
                }
            }
            Err(err) => {
                if let Some(done) = waiting.into_iter().next() {
                    let _ = done.send(Err(err));
                }
            }
        }
    }
}
