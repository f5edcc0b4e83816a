//! Dispositions: the rules of sending and reporting are in `store::dispositions`' command
//! functions (authority, the position tree); this service holds the transaction, tells the
//! people named and whoever stands in for them, and moves the workflow on.

use crate::App;
use store::dispositions::{self, Disposition, NewDisposition, Notice};
use store::{Access, Conn, Result, delegations, notify, now_ms, settings, workflow};

impl App {
    pub async fn dispose(
        &self,
        actor: &Access,
        ticket_id: i64,
        new: &NewDisposition,
    ) -> Result<Vec<Disposition>> {
        self.dispose_at(actor, ticket_id, new, now_ms()).await
    }

    /// Sends the ticket to the recipients; one timeline event and one notice per recipient
    /// (and whoever stands in for them), all in one transaction.
    pub async fn dispose_at(
        &self,
        actor: &Access,
        ticket_id: i64,
        new: &NewDisposition,
        now: i64,
    ) -> Result<Vec<Disposition>> {
        let mut tx = self.db.begin().await?;
        let mut c = tx.c();
        let (made, notice) = dispositions::dispose(&mut c, actor, ticket_id, new, now).await?;
        tell(&mut c, ticket_id, &notice, now).await?;
        // The workflow's "head disposes" step (SOP Wadul) is done once the ticket is disposed.
        workflow::ticket_disposed(&mut c, ticket_id, Some(actor.user().get()), now).await?;
        tx.commit().await?;
        Ok(made)
    }

    pub async fn report_disposition(
        &self,
        actor: &Access,
        id: i64,
        report: &str,
    ) -> Result<Disposition> {
        self.report_disposition_at(actor, id, report, now_ms())
            .await
    }

    /// The recipient's report back: kept on the disposition and on the internal timeline; the
    /// one who sent it (and the official they acted for) hears of it.
    pub async fn report_disposition_at(
        &self,
        actor: &Access,
        id: i64,
        report: &str,
        now: i64,
    ) -> Result<Disposition> {
        let mut tx = self.db.begin().await?;
        let mut c = tx.c();
        let (d, notice) = dispositions::report_disposition(&mut c, actor, id, report, now).await?;
        tell(&mut c, d.ticket_id, &notice, now).await?;
        tx.commit().await?;
        Ok(d)
    }
}

async fn tell(c: &mut Conn<'_>, ticket_id: i64, notice: &Notice, now: i64) -> Result<usize> {
    let reached = delegations::with_delegates(c, &notice.users, now).await?;
    let register = &notice.register;
    let (subject, body) = if notice.kind == "disposed" {
        let zone = settings::region_zone(c).await?;
        let body = settings::fill(
            &settings::template(c, "disposed").await?,
            &[
                ("register", register),
                ("instruction", &notice.instruction),
                ("due", &dispositions::format_due(zone, notice.due_at)),
            ],
        );
        (format!("Disposisi aduan {register} untuk Anda"), body)
    } else {
        let excerpt: String = notice.instruction.chars().take(120).collect();
        let body = format!(
            "Balai: laporan disposisi aduan {register} dari {}: {excerpt}",
            notice.reporter
        );
        (format!("Laporan disposisi aduan {register}"), body)
    };
    notify::notify_users(c, &reached, ticket_id, &subject, &body, notice.kind, now).await
}
