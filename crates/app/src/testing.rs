//! Test support for this crate and the crates above it: a fresh, migrated application on each
//! backend, the test world of `store::testing::world`, and tickets in any state made through the
//! application's own commands (so a test's ticket is one a user could have made).

use crate::App;
use domain::{Channel, DeclineReason, IntakeInput};
use store::tickets::{ActionInput, Created, NewTicket};

pub use store::testing::world::{PASSWORD, World, WorldBuilder};

/// SQLite and PostgreSQL (see `store::testing`).
pub async fn each_backend() -> Vec<App> {
    store::testing::each_backend()
        .await
        .into_iter()
        .map(App::new)
        .collect()
}

/// A web complaint with a reporter email, received now, for `agency` (a code) or, with `None`,
/// for the secretariat's triage queue.
pub async fn web_ticket(app: &App, agency: Option<&str>, text: &str) -> Created {
    let intake = IntakeInput {
        category: Some("pengaduan".into()),
        text: Some(text.into()),
        agency_code: agency.map(str::to_string),
        reporter_email: Some("warga@contoh.id".into()),
        ..Default::default()
    }
    .validate(|_| true, |_| true)
    .expect("a valid complaint");
    let new = NewTicket {
        intake,
        channel: Channel::Web,
        idempotency_key: None,
        received_at: store::now_ms(),
    };
    app.create_ticket(&new).await.expect("create ticket")
}

/// Where a ticket made by `ticket_in` stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketState {
    /// Received, waiting for the secretariat (no agency).
    Triage,
    /// Open in the agency's inbox.
    Open,
    /// Answered by the agency.
    Answered,
    /// Declined by the agency (out of scope).
    Declined,
    /// Answered, then closed.
    Closed,
}

/// A web complaint for `agency` brought to `state` by `handler` (a username of the world who
/// may handle the agency's tickets); returns its id.
pub async fn ticket_in(
    app: &App,
    world: &World,
    state: TicketState,
    agency: &str,
    handler: &str,
) -> i64 {
    let text = "Lampu jalan di depan pasar mati sejak seminggu";
    if state == TicketState::Triage {
        return web_ticket(app, None, text).await.id;
    }
    let id = web_ticket(app, Some(agency), text).await.id;
    let actor = world.access(app, handler).await;
    let steps: &[ActionInput] = match state {
        TicketState::Triage | TicketState::Open => &[],
        TicketState::Answered => &[answer()],
        TicketState::Declined => &[ActionInput::Decline {
            reason: DeclineReason::OutOfScope,
            detail: "Bukan kewenangan dinas ini".into(),
            duplicate_of: None,
        }],
        TicketState::Closed => &[
            answer(),
            ActionInput::Close {
                note: "Selesai".into(),
            },
        ],
    };
    for step in steps {
        app.apply_action(&actor, id, step)
            .await
            .unwrap_or_else(|e| panic!("{:?} by {handler}: {e}", step.action()));
    }
    id
}

fn answer() -> ActionInput {
    ActionInput::Answer {
        body: "Lampu sudah diganti oleh petugas kami.".into(),
    }
}
