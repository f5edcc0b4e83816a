//! SMS intake on SQLite and PostgreSQL.

use app::App as Db;
use app::testing::each_backend;
use domain::Role;
use store::sms::{InboundSms, SmsRules};
use store::tickets::ActionInput;

fn sms(id: &str, from: &str, text: &str) -> InboundSms {
    InboundSms {
        gateway: "kannel".into(),
        gateway_message_id: id.into(),
        sender: from.into(),
        receiver: "1708".into(),
        text: text.into(),
        coding: "0".into(),
        partial: false,
        received_at: store::now_ms(),
    }
}

async fn setup(db: &Db) -> i64 {
    let dishub = db
        .create_agency(&store::org::NewAgency {
            code: "DISHUB".into(),
            name: "Dinas Perhubungan".into(),
            kind: "agency".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    db.create_keyword("dishub", dishub, "Lalu lintas, angkutan")
        .await
        .unwrap();
    db.create_keyword("JALAN", dishub, "").await.unwrap();
    dishub
}

#[tokio::test]
async fn keyword_routes_to_the_agency_and_retries_change_nothing() {
    for db in each_backend().await {
        setup(&db).await;
        let rules = SmsRules::default();
        let first = db
            .receive_sms(
                &sms("k-1", "081234567890", "Dishub#lampu  mati di Jl. Merdeka"),
                &rules,
            )
            .await
            .unwrap();
        assert_eq!(first.outcome, "ticket");
        assert_eq!(first.replies.len(), 1);
        let retry = db
            .receive_sms(
                &sms("k-1", "081234567890", "Dishub#lampu  mati di Jl. Merdeka"),
                &rules,
            )
            .await
            .unwrap();
        assert_eq!(retry.outcome, "duplicate");
        assert_eq!(retry.ticket_id, first.ticket_id);
        assert_eq!(db.count_tickets().await.unwrap(), 1);

        let reader = store::Access::system(domain::UserId(0), Role::Admin);
        let ticket = db.ticket(&reader, first.ticket_id.unwrap()).await.unwrap();
        assert_eq!(ticket.agency_code.as_deref(), Some("DISHUB"));
        assert_eq!(ticket.channel, domain::Channel::Sms);
        assert_eq!(
            ticket.text, "Dishub#lampu  mati di Jl. Merdeka",
            "the SMS is kept exactly"
        );
        assert_eq!(ticket.reporter_phone.as_deref(), Some("+6281234567890"));
        let ack = &db.ticket_messages(ticket.id).await.unwrap()[0];
        assert_eq!(
            (
                ack.kind.as_str(),
                ack.gateway.as_deref(),
                ack.recipient.as_str()
            ),
            ("ack", Some("kannel"), "+6281234567890")
        );
        assert!(ack.body.contains(&ticket.tracking_code), "{}", ack.body);
        assert!(ack.body.contains(&ticket.register_number));

        // The answer goes back through the same gateway.
        let user = db
            .create_user(&store::org::NewUser {
                username: "penghubung".into(),
                password: "rahasia-sekali".into(),
                full_name: "Penghubung".into(),
                role: "liaison_officer".into(),
                agency_id: ticket.agency_id,
                ..Default::default()
            })
            .await
            .unwrap();
        let actor = db
            .access_for(&db.user(user).await.unwrap(), store::now_ms())
            .await
            .unwrap();
        db.apply_action(
            &actor,
            ticket.id,
            &ActionInput::Answer {
                body: "Lampu diperbaiki hari ini.".into(),
            },
        )
        .await
        .unwrap();
        let messages = db.ticket_messages(ticket.id).await.unwrap();
        let answer = messages.iter().find(|m| m.kind == "answer").unwrap();
        assert_eq!(
            (answer.channel.as_str(), answer.gateway.as_deref()),
            ("sms", Some("kannel"))
        );
        assert!(answer.body.contains("Lampu diperbaiki hari ini."));
    }
}

#[tokio::test]
async fn unknown_keywords_go_to_triage_with_an_autoreply_and_commands_answer() {
    for db in each_backend().await {
        setup(&db).await;
        let rules = SmsRules::default();
        let unknown = db
            .receive_sms(
                &sms("u-1", "+6281111111111", "halo pak jalan rusak"),
                &rules,
            )
            .await
            .unwrap();
        assert_eq!(unknown.outcome, "triage");
        let reply = &db.outbox(None, 10).await.unwrap()[0];
        assert_eq!(reply.kind, "autoreply");
        assert!(
            reply.body.contains("DISHUB") && reply.body.contains("JALAN"),
            "{}",
            reply.body
        );

        let code = unknown.tracking_code.unwrap();
        let status = db
            .receive_sms(
                &sms(
                    "u-2",
                    "+6281111111111",
                    &format!("cek {}", code.to_lowercase()),
                ),
                &rules,
            )
            .await
            .unwrap();
        assert_eq!(status.outcome, "status");
        let reply = &db.outbox(None, 10).await.unwrap()[0];
        assert!(
            reply.body.contains(&code) && reply.body.contains("Diterima"),
            "{}",
            reply.body
        );

        let help = db
            .receive_sms(&sms("u-3", "+6281111111111", "INFO"), &rules)
            .await
            .unwrap();
        assert_eq!(help.outcome, "help");
        let bad = db
            .receive_sms(&sms("u-4", "+6281111111111", "STATUS ZZZ"), &rules)
            .await
            .unwrap();
        assert_eq!(bad.outcome, "status");
        assert!(
            db.outbox(None, 1).await.unwrap()[0]
                .body
                .contains("tidak ditemukan")
        );
        assert_eq!(
            db.count_tickets().await.unwrap(),
            1,
            "commands create no tickets"
        );
    }
}

#[tokio::test]
async fn autoreplies_are_limited_and_floods_and_blocked_numbers_are_stored_only() {
    for db in each_backend().await {
        setup(&db).await;
        let rules = SmsRules {
            autoreplies_per_hour: 3,
            flood_per_hour: 5,
            ..SmsRules::default()
        };
        let mut replies = 0;
        for i in 0..7 {
            let outcome = db
                .receive_sms(
                    &sms(&format!("f-{i}"), "0812222222222", "DISHUB macet"),
                    &rules,
                )
                .await
                .unwrap();
            replies += outcome.replies.len();
            let expected = if i < 5 { "ticket" } else { "flood" };
            assert_eq!(outcome.outcome, expected, "message {i}");
        }
        assert_eq!(replies, 3, "autoreplies stop at the hourly limit");
        assert_eq!(db.count_tickets().await.unwrap(), 5);

        db.block_number("0813 3333 3333", "spam").await.unwrap();
        let blocked = db
            .receive_sms(&sms("b-1", "+6281333333333", "DISHUB iklan"), &rules)
            .await
            .unwrap();
        assert_eq!(
            (blocked.outcome.as_str(), blocked.replies.len()),
            ("blocked", 0)
        );
        assert_eq!(db.count_tickets().await.unwrap(), 5);
        let stored = db.inbound_messages(Some("081333333333"), 10).await.unwrap();
        assert_eq!(stored.len(), 1, "blocked messages are still stored");
        assert_eq!(db.inbound_messages(None, 100).await.unwrap().len(), 8);
    }
}

#[tokio::test]
async fn keywords_are_validated() {
    for db in each_backend().await {
        let agency = setup(&db).await;
        assert!(
            db.create_keyword("dishub", agency, "").await.is_err(),
            "duplicate, case-insensitively"
        );
        assert!(db.create_keyword("two words", agency, "").await.is_err());
        assert!(
            db.create_keyword("cek", agency, "").await.is_err(),
            "reserved"
        );
        let keywords = db.keywords().await.unwrap();
        assert_eq!(
            keywords
                .iter()
                .map(|k| k.keyword.as_str())
                .collect::<Vec<_>>(),
            ["DISHUB", "JALAN"]
        );
    }
}

#[tokio::test]
async fn a_reply_to_a_question_attaches_to_the_ticket() {
    for db in each_backend().await {
        let agency = setup(&db).await;
        let rules = SmsRules::default();
        let first = db
            .receive_sms(&sms("q-1", "081244445555", "DISHUB halte rusak"), &rules)
            .await
            .unwrap();
        let ticket_id = first.ticket_id.unwrap();
        let user = db
            .create_user(&store::org::NewUser {
                username: "petugas".into(),
                password: "rahasia-sekali".into(),
                full_name: "Petugas".into(),
                role: "liaison_officer".into(),
                agency_id: Some(agency),
                ..Default::default()
            })
            .await
            .unwrap();
        let actor = db
            .access_for(&db.user(user).await.unwrap(), store::now_ms())
            .await
            .unwrap();
        let question = ActionInput::Ask {
            question: "Halte yang mana, dekat nomor berapa?".into(),
        };
        db.apply_action(&actor, ticket_id, &question).await.unwrap();
        let asked = db.ticket_messages(ticket_id).await.unwrap();
        let sms_question = asked.iter().find(|m| m.kind == "question").unwrap();
        assert_eq!(
            (
                sms_question.channel.as_str(),
                sms_question.gateway.as_deref()
            ),
            ("sms", Some("kannel"))
        );

        // A command still gets its answer and does not count as the reply.
        let status = db
            .receive_sms(
                &sms(
                    "q-2",
                    "+6281244445555",
                    &format!("CEK {}", first.tracking_code.clone().unwrap()),
                ),
                &rules,
            )
            .await
            .unwrap();
        assert_eq!(status.outcome, "status");
        let reply = db
            .receive_sms(
                &sms("q-3", "+6281244445555", "Halte depan SD 3, Jl. Kenanga"),
                &rules,
            )
            .await
            .unwrap();
        assert_eq!(
            (reply.outcome.as_str(), reply.ticket_id),
            ("attached", Some(ticket_id))
        );
        assert_eq!(db.count_tickets().await.unwrap(), 1);
        let events = db.events(ticket_id).await.unwrap();
        let last = events.last().unwrap();
        assert_eq!(
            (last.kind.as_str(), last.body.as_str()),
            ("reporter_replied", "Halte depan SD 3, Jl. Kenanga")
        );
        assert!(db.verify_chains().await.unwrap().broken.is_empty());

        // Answered once: the next SMS is a new complaint.
        let next = db
            .receive_sms(&sms("q-4", "+6281244445555", "DISHUB lampu mati"), &rules)
            .await
            .unwrap();
        assert_eq!(next.outcome, "ticket");
        assert_eq!(db.count_tickets().await.unwrap(), 2);
    }
}

#[tokio::test]
async fn a_batch_gives_the_same_outcomes_as_one_message_at_a_time() {
    for db in each_backend().await {
        setup(&db).await;
        let rules = SmsRules {
            autoreplies_per_hour: 3,
            flood_per_hour: 5,
            ..SmsRules::default()
        };
        // Each run uses its own senders and ids so the two runs do not see each other.
        let messages = |run: &str| {
            let phone = |n: u32| format!("0812{run}{n:07}");
            let mut list = vec![
                sms(&format!("{run}-1"), &phone(1), "DISHUB lampu mati"),
                sms(&format!("{run}-2"), &phone(2), "halo pak ada jalan rusak"),
                sms(&format!("{run}-1"), &phone(1), "DISHUB lampu mati"),
                sms(&format!("{run}-3"), &phone(1), "INFO"),
                sms(&format!("{run}-4"), &phone(2), "STATUS ZZZZZZZZZZ"),
                sms(&format!("{run}-5"), &phone(9), "DISHUB iklan"),
            ];
            for i in 0..7 {
                list.push(sms(&format!("{run}-f{i}"), &phone(3), "JALAN berlubang"));
            }
            list
        };
        db.block_number(&format!("08129{:07}", 9), "spam")
            .await
            .unwrap();
        db.block_number(&format!("08128{:07}", 9), "spam")
            .await
            .unwrap();
        let mut one_by_one = Vec::new();
        for message in messages("8") {
            let o = db.receive_sms(&message, &rules).await.unwrap();
            one_by_one.push((o.outcome, o.replies.len(), o.ticket_id.is_some()));
        }
        let batch: Vec<_> = db
            .receive_sms_batch(&messages("9"), &rules)
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.outcome, o.replies.len(), o.ticket_id.is_some()))
            .collect();
        assert_eq!(batch, one_by_one);
        let kinds: Vec<&str> = batch.iter().map(|(o, _, _)| o.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "ticket",
                "triage",
                "duplicate",
                "help",
                "status",
                "blocked",
                "ticket",
                "ticket",
                "ticket",
                "ticket",
                "ticket",
                "flood",
                "flood"
            ]
        );
        // A retry of the whole batch changes nothing.
        let again = db.receive_sms_batch(&messages("9"), &rules).await.unwrap();
        assert!(again.iter().all(|o| o.outcome == "duplicate"));
        let report = db.verify_chains().await.unwrap();
        assert!(report.broken.is_empty(), "{:?}", report.broken);
        assert!(report.events > 0);
    }
}

#[tokio::test]
async fn stored_gateways_are_saved_renamed_and_deleted_with_a_revision() {
    for db in each_backend().await {
        let start = db.gateways_revision().await.unwrap();
        db.save_gateway(None, "hp-1", r#"{"name":"hp-1","kind":"dev"}"#, true)
            .await
            .unwrap();
        db.save_gateway(None, "hp-2", r#"{"name":"hp-2","kind":"dev"}"#, false)
            .await
            .unwrap();
        let names: Vec<_> = db
            .stored_gateways()
            .await
            .unwrap()
            .into_iter()
            .map(|g| (g.name, g.enabled))
            .collect();
        assert_eq!(names, [("hp-1".into(), true), ("hp-2".into(), false)]);
        assert!(matches!(
            db.save_gateway(Some("hp-1"), "hp-2", "{}", true).await,
            Err(ref e) if e.is_conflict()
        ));
        db.save_gateway(
            Some("hp-1"),
            "hp-3",
            r#"{"name":"hp-3","kind":"dev"}"#,
            true,
        )
        .await
        .unwrap();
        db.delete_gateway("hp-2").await.unwrap();
        assert!(matches!(
            db.delete_gateway("hp-2").await,
            Err(store::StoreError::NotFound)
        ));
        let stored = db.stored_gateways().await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].name, "hp-3");
        assert_eq!(db.gateways_revision().await.unwrap(), start + 4);
    }
}
