//! Rows decode into domain enums: a value outside the closed set in the database is an error
//! where it is read, never a silent default. On SQLite and PostgreSQL.

use app::testing::{WorldBuilder, each_backend, web_ticket};

#[tokio::test]
async fn an_unknown_value_in_a_row_is_an_error_not_a_default() {
    for app in each_backend().await {
        let world = WorldBuilder::standard().build(&app).await;
        let id = web_ticket(&app, Some("DISHUB"), "Lampu jalan mati")
            .await
            .id;
        let admin = world.access(&app, "admin").await;
        assert!(app.ticket(&admin, id).await.is_ok());

        for (sql, what) in [
            (
                format!("UPDATE tickets SET status = 'lost' WHERE id = {id}"),
                "status",
            ),
            (
                format!("UPDATE tickets SET status = 'open', channel = 'fax' WHERE id = {id}"),
                "channel",
            ),
        ] {
            app.execute_raw(&sql).await.unwrap();
            let read = app.ticket_by_id(id).await;
            assert!(
                read.is_err(),
                "a ticket with an unknown {what} must not decode"
            );
            let handled = app
                .apply_action(
                    &world.access(&app, "penghubung.dishub").await,
                    id,
                    &store::tickets::ActionInput::Note {
                        body: "catatan".into(),
                    },
                )
                .await;
            assert!(handled.is_err(), "no command runs on an unknown {what}");
        }

        let user = world.user("kadishub");
        app.execute_raw(&format!("UPDATE users SET role = 'king' WHERE id = {user}"))
            .await
            .unwrap();
        assert!(
            app.user(user).await.is_err(),
            "an unknown role must not decode"
        );

        let agency = world.agency("DINKES");
        app.execute_raw(&format!(
            "UPDATE agencies SET kind = 'guild' WHERE id = {agency}"
        ))
        .await
        .unwrap();
        assert!(
            app.agencies().await.is_err(),
            "an unknown agency kind must not decode"
        );
    }
}
