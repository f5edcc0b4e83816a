//! Notices to officials about one ticket, on the caller's transaction: whoever stands in for
//! them (Plt./Plh.) is told too.

use crate::texts;
use store::settings::{fill, template};
use store::{Conn, Result, delegations, notify};

/// Tells officials that a ticket reached them (forwarded to their agency, assigned to them).
pub(crate) async fn ticket_reached(
    c: &mut Conn<'_>,
    user_ids: &[i64],
    ticket_id: i64,
    now: i64,
) -> Result<()> {
    if user_ids.is_empty() {
        return Ok(());
    }
    let (register, category) = notify::ticket_heading(c, ticket_id).await?;
    let body = fill(
        &template(c, "forwarded").await?,
        &[("register", &register), ("category", &category)],
    );
    let users = delegations::with_delegates(c, user_ids, now).await?;
    let subject = texts::ticket_reached(&register);
    notify::notify_users(c, &users, ticket_id, &subject, &body, "forwarded", now).await?;
    Ok(())
}
