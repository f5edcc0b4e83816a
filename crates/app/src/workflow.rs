//! Approval of answers in a ticket's workflow: drafts, approval (with edits), return, sending,
//! and steps completed by hand. The rules of each command are in `store::workflow`'s command
//! functions; this service holds the transaction and tells whoever the command names.

use crate::App;
use crate::tickets::{Reporter, deliver_answer};
use store::workflow::{self, Approved};
use store::{Access, Conn, Result, now_ms};

impl App {
    /// Drafts an answer for approval (only when the ticket's workflow has an approval step);
    /// the approvers learn that a draft waits for them.
    pub async fn draft_answer(&self, actor: &Access, ticket_id: i64, body: &str) -> Result<()> {
        self.draft_answer_at(actor, ticket_id, body, now_ms()).await
    }

    pub async fn draft_answer_at(
        &self,
        actor: &Access,
        ticket_id: i64,
        body: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let mut c = tx.c();
        let approvers = workflow::draft_answer(&mut c, actor, ticket_id, body, now).await?;
        crate::notices::ticket_reached(&mut c, &approvers, ticket_id, now).await?;
        tx.commit().await
    }

    /// Approves the pending draft, optionally edited by the approver (the edit is recorded and
    /// both versions kept). The approved answer goes to the reporter unless the workflow has a
    /// `send` step, which then sends it.
    pub async fn approve_answer(
        &self,
        actor: &Access,
        ticket_id: i64,
        edited: Option<&str>,
    ) -> Result<()> {
        self.approve_answer_at(actor, ticket_id, edited, now_ms())
            .await
    }

    pub async fn approve_answer_at(
        &self,
        actor: &Access,
        ticket_id: i64,
        edited: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let mut c = tx.c();
        if let Some(approved) =
            workflow::approve_answer(&mut c, actor, ticket_id, edited, now).await?
        {
            send(
                &mut c,
                self.public_url(),
                ticket_id,
                approved,
                actor.user().get(),
                now,
            )
            .await?;
        }
        tx.commit().await
    }

    /// Returns the pending draft to its author with comments; the draft step starts again.
    pub async fn return_answer(&self, actor: &Access, ticket_id: i64, comment: &str) -> Result<()> {
        self.return_answer_at(actor, ticket_id, comment, now_ms())
            .await
    }

    pub async fn return_answer_at(
        &self,
        actor: &Access,
        ticket_id: i64,
        comment: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let mut c = tx.c();
        if let Some(author) =
            workflow::return_answer(&mut c, actor, ticket_id, comment, now).await?
        {
            crate::notices::ticket_reached(&mut c, &[author], ticket_id, now).await?;
        }
        tx.commit().await
    }

    /// Sends the approved answer to the reporter (the workflow's `send` step).
    pub async fn send_approved_answer(&self, actor: &Access, ticket_id: i64) -> Result<()> {
        self.send_approved_answer_at(actor, ticket_id, now_ms())
            .await
    }

    pub async fn send_approved_answer_at(
        &self,
        actor: &Access,
        ticket_id: i64,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let mut c = tx.c();
        let approved = workflow::send_approved_answer(&mut c, actor, ticket_id).await?;
        send(
            &mut c,
            self.public_url(),
            ticket_id,
            approved,
            actor.user().get(),
            now,
        )
        .await?;
        tx.commit().await
    }

    /// Marks the current step done by hand (a `review` step: the review is finished).
    pub async fn complete_step(&self, actor: &Access, ticket_id: i64, note: &str) -> Result<()> {
        self.complete_step_at(actor, ticket_id, note, now_ms())
            .await
    }

    pub async fn complete_step_at(
        &self,
        actor: &Access,
        ticket_id: i64,
        note: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.db.begin().await?;
        workflow::complete_step(&mut tx.c(), actor, ticket_id, note, now).await?;
        tx.commit().await
    }
}

/// The approved version goes to the reporter: the ticket is answered and the workflow ends.
async fn send(
    c: &mut Conn<'_>,
    public_url: Option<&str>,
    ticket_id: i64,
    approved: Approved,
    actor_id: i64,
    now: i64,
) -> Result<()> {
    let (channel, email, phone, tracking_code) =
        store::tickets::mark_answered(c, ticket_id, now).await?;
    let reporter = Reporter {
        channel,
        email,
        phone,
        tracking_url: crate::texts::tracking_url(public_url, &tracking_code),
        tracking_code,
    };
    let payload = serde_json::json!({});
    deliver_answer(
        c,
        ticket_id,
        reporter,
        Some(actor_id),
        &approved.body,
        &payload,
        now,
    )
    .await?;
    workflow::approved_answer_sent(c, ticket_id, approved.version, actor_id, now).await
}
