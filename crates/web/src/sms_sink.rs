//! The SMS gateways' sink on Balai's database: what the `sms` crate receives goes to SMS intake
//! in the application layer (`app::sms_intake`), which applies the rules of the region
//! (keywords, floods, blocked numbers, autoreplies), so the gateways never see them; what they
//! learn of sending goes to the store.

use app::App;
use sms::sink::{
    DeliveryReport, InboundSms, OutboundSms, Received, SentMark, SinkFuture, StoredGateway,
};
use sms::{Sink, SinkError, SmsSink};
use std::sync::Arc;
use std::time::Duration;
use store::StoreError;
use store::messages::{LEASE_MS, Message};
use store::sms::SmsRules;

pub struct StoreSink {
    db: App,
    rules: SmsRules,
}

impl StoreSink {
    /// A sink for the gateways of one process, on the database (`Db`) or the application.
    pub fn shared(db: impl Into<App>, rules: SmsRules) -> Sink {
        Arc::new(Self {
            db: db.into(),
            rules,
        })
    }
}

fn failed(err: StoreError) -> SinkError {
    match err {
        StoreError::Stopped => SinkError::Stopped,
        other => SinkError::Failed(other.to_string()),
    }
}

fn outbound(message: Message) -> OutboundSms {
    OutboundSms {
        id: message.id,
        recipient: message.recipient,
        body: message.body,
        gateway: message.gateway,
        segments: message.segments,
    }
}

fn received(outcome: store::sms::SmsOutcome) -> Received {
    Received {
        inbound_id: outcome.inbound_id,
        outcome: outcome.outcome,
    }
}

impl SmsSink for StoreSink {
    fn receive(&self, sms: InboundSms) -> SinkFuture<'_, Received> {
        Box::pin(async move {
            let outcome = self.db.receive_sms(&sms, &self.rules).await;
            outcome.map(received).map_err(failed)
        })
    }

    fn receive_batch(&self, batch: Vec<InboundSms>) -> SinkFuture<'_, Vec<Received>> {
        Box::pin(async move {
            let outcomes = self.db.receive_sms_batch(&batch, &self.rules).await;
            outcomes
                .map(|o| o.into_iter().map(received).collect())
                .map_err(failed)
        })
    }

    fn lease_due(&self, limit: usize) -> SinkFuture<'_, Vec<OutboundSms>> {
        Box::pin(async move {
            let leased = self.db.lease_due_messages("sms", limit as i64).await;
            leased
                .map(|m| m.into_iter().map(outbound).collect())
                .map_err(failed)
        })
    }

    fn lease_time(&self) -> Duration {
        Duration::from_millis(LEASE_MS as u64)
    }

    fn mark_sent<'a>(&'a self, marks: &'a [SentMark]) -> SinkFuture<'a, ()> {
        Box::pin(async move { self.db.mark_sms_sent_many(marks).await.map_err(failed) })
    }

    fn record_reports<'a>(
        &'a self,
        gateway: &'a str,
        reports: &'a [DeliveryReport],
    ) -> SinkFuture<'a, Vec<String>> {
        Box::pin(async move {
            let missing = self
                .db
                .record_delivery_reports_by_ref(gateway, reports)
                .await;
            missing.map_err(failed)
        })
    }

    fn mark_failed<'a>(&'a self, id: i64, reason: &'a str) -> SinkFuture<'a, ()> {
        Box::pin(async move {
            self.db
                .mark_message_failed(id, reason)
                .await
                .map_err(failed)
        })
    }

    fn mark_attempt_failed<'a>(&'a self, id: i64, reason: &'a str) -> SinkFuture<'a, ()> {
        Box::pin(async move {
            let marked = self.db.mark_message_attempt_failed(id, reason).await;
            marked.map_err(failed)
        })
    }

    fn stored_gateways(&self) -> SinkFuture<'_, Vec<StoredGateway>> {
        Box::pin(async move { self.db.stored_gateways().await.map_err(failed) })
    }

    fn gateways_revision(&self) -> SinkFuture<'_, i64> {
        Box::pin(async move { self.db.gateways_revision().await.map_err(failed) })
    }
}
