//! The test world itself: the standard region and tickets in each state, on both backends.

use app::testing::{TicketState, WorldBuilder, each_backend, ticket_in};
use domain::{Role, TicketStatus};

#[tokio::test]
async fn the_standard_world_and_tickets_in_every_state() {
    for app in each_backend().await {
        let world = WorldBuilder::standard()
            .position("kadis", "DINKES", "Kepala Dinas Kesehatan", None)
            .user("kadinkes", Role::HeadOfAgency, Some("DINKES"))
            .in_position("kadis")
            .email("kadinkes@contoh.go.id")
            .keyword("SEHAT", "DINKES")
            .build(&app)
            .await;
        let head = app.user(world.user("kadinkes")).await.unwrap();
        assert_eq!(head.agency_id, Some(world.agency("DINKES")));
        assert_eq!(head.position_id, Some(world.position("kadis")));
        assert_eq!(head.email.as_deref(), Some("kadinkes@contoh.go.id"));
        assert_eq!(
            app.agencies().await.unwrap().len(),
            2 + 1,
            "two agencies and the secretariat"
        );
        for (state, status) in [
            (TicketState::Triage, TicketStatus::Received),
            (TicketState::Open, TicketStatus::Open),
            (TicketState::Answered, TicketStatus::Answered),
            (TicketState::Declined, TicketStatus::Declined),
            (TicketState::Closed, TicketStatus::Closed),
        ] {
            let id = ticket_in(&app, &world, state, "DISHUB", "penghubung.dishub").await;
            let admin = world.access(&app, "admin").await;
            let ticket = app.ticket(&admin, id).await.unwrap();
            assert_eq!(ticket.status, status, "{state:?}");
            if state != TicketState::Triage {
                assert_eq!(ticket.agency_code.as_deref(), Some("DISHUB"), "{state:?}");
            }
        }
    }
}
