//! Workflow templates and answer approval, on SQLite and on PostgreSQL.

use app::App as Db;
use app::testing::{WorldBuilder, each_backend};
use domain::workflow::{Step, StepKind};
use domain::{Channel, IntakeInput, Role};
use store::tickets::{ActionInput, NewTicket};
use store::workflow::TemplateInput;
use store::{Access, StoreError};

fn at(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .timestamp_millis()
}

fn wib(s: &str) -> i64 {
    at(&format!("{s}:00+07:00"))
}

fn ticket(text: &str, agency: Option<&str>, category: &str, received: &str) -> NewTicket {
    NewTicket {
        intake: IntakeInput {
            category: Some(category.into()),
            text: Some(text.into()),
            agency_code: agency.map(str::to_string),
            reporter_email: Some("warga@contoh.id".into()),
            ..Default::default()
        }
        .validate(|_| true, |_| true)
        .unwrap(),
        channel: Channel::Web,
        idempotency_key: None,
        received_at: wib(received),
    }
}

fn step(name: &str, role: Role, kind: StepKind, d: &str) -> Step {
    Step {
        name: name.into(),
        role,
        kind,
        duration: d.parse().unwrap(),
        position_id: None,
    }
}

struct World {
    secretariat: Access,
    head: Access,
    liaison: Access,
    dishub: i64,
}

async fn world(db: &Db) -> World {
    let w = WorldBuilder::empty()
        .agency("DISHUB", "Dinas Perhubungan")
        .user("sekretariat", Role::Secretariat, None)
        .email("sekretariat@contoh.go.id")
        .user("kadishub", Role::HeadOfAgency, Some("DISHUB"))
        .email("kadishub@contoh.go.id")
        .user("penghubung", Role::LiaisonOfficer, Some("DISHUB"))
        .email("penghubung@contoh.go.id")
        .build(db)
        .await;
    World {
        secretariat: w.access(db, "sekretariat").await,
        head: w.access(db, "kadishub").await,
        liaison: w.access(db, "penghubung").await,
        dishub: w.agency("DISHUB"),
    }
}

/// Makes the shipped *SOP Wadul* the region default; returns the templates by name.
async fn templates(db: &Db, w: &World) -> (i64, i64) {
    let all = db.workflow_templates().await.unwrap();
    let names: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["SMS Center", "SOP Wadul"]);
    let sms_center = &all[0];
    assert_eq!(sms_center.steps.len(), 1);
    assert_eq!(sms_center.steps[0].duration.to_string(), "3wh");
    let sop = all[1].clone();
    assert_eq!(sop.steps, domain::workflow::sop_wadul());
    db.update_workflow_template(
        sop.id,
        &TemplateInput {
            name: sop.name.clone(),
            is_default: true,
            steps: sop.steps.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let specific = db
        .create_workflow_template(&TemplateInput {
            name: "Pengaduan Dishub".into(),
            agency_id: Some(w.dishub),
            category: Some("pengaduan".into()),
            is_default: false,
            steps: vec![
                step(
                    "Telaah dan draf",
                    Role::LiaisonOfficer,
                    StepKind::Draft,
                    "2wd",
                ),
                step(
                    "Persetujuan Kadis",
                    Role::HeadOfAgency,
                    StepKind::Approve,
                    "1wd",
                ),
            ],
        })
        .await
        .unwrap();
    // The SMS Center template for everything else of DISHUB.
    db.update_workflow_template(
        sms_center.id,
        &TemplateInput {
            name: "SMS Center".into(),
            agency_id: Some(w.dishub),
            steps: sms_center.steps.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (sop.id, specific)
}

#[tokio::test]
async fn templates_are_chosen_most_specific_first_and_checked() {
    for db in each_backend().await {
        let w = world(&db).await;
        // No template applies until the admin assigns one.
        let id = db
            .create_ticket(&ticket(
                "Jalan rusak",
                Some("DISHUB"),
                "pengaduan",
                "2026-11-27T15:00",
            ))
            .await
            .unwrap()
            .id;
        let flow = db.ticket_workflow(id).await.unwrap();
        assert!(flow.template.is_none() && flow.steps.is_empty());

        let (sop, specific) = templates(&db, &w).await;
        let chosen = |agency: Option<&'static str>, category: &'static str| {
            let db = db.clone();
            async move {
                let id = db
                    .create_ticket(&ticket("Aduan", agency, category, "2026-11-27T15:00"))
                    .await
                    .unwrap()
                    .id;
                db.ticket_workflow(id).await.unwrap()
            }
        };
        let flow = chosen(Some("DISHUB"), "pengaduan").await;
        assert_eq!(flow.template.as_deref(), Some("Pengaduan Dishub"));
        assert_eq!(flow.current, Some(0));
        // 2 working days from Friday 15:00.
        assert_eq!(flow.current_due_at, Some(wib("2026-12-01T15:00")));
        let flow = chosen(Some("DISHUB"), "saran").await;
        assert_eq!(flow.template.as_deref(), Some("SMS Center"));
        assert_eq!(flow.current_due_at, Some(wib("2026-11-30T09:30")), "3wh");
        let flow = chosen(None, "saran").await;
        assert_eq!(flow.template.as_deref(), Some("SOP Wadul"));
        assert_eq!(flow.steps.len(), 6);
        assert_eq!(flow.current, Some(0), "the secretariat forwards first");

        // A second template for the same agency and category, bad steps, a taken name.
        let err = db
            .create_workflow_template(&TemplateInput {
                name: "Lain".into(),
                agency_id: Some(w.dishub),
                category: Some("pengaduan".into()),
                steps: vec![step("Jawab", Role::LiaisonOfficer, StepKind::Answer, "1wd")],
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(err.is_conflict(), "{err}");
        let err = db
            .create_workflow_template(&TemplateInput {
                name: "Tanpa draf".into(),
                steps: vec![step("Setuju", Role::HeadOfAgency, StepKind::Approve, "1wd")],
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("draf"), "{err}");
        let err = db
            .create_workflow_template(&TemplateInput {
                name: "SOP Wadul".into(),
                steps: vec![step("Jawab", Role::LiaisonOfficer, StepKind::Answer, "1wd")],
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(err.is_conflict(), "{err}");

        // Deleting a template leaves tickets in flight with their copy of the steps.
        let in_flight = chosen(Some("DISHUB"), "pengaduan").await;
        db.delete_workflow_template(specific).await.unwrap();
        let flow = chosen(Some("DISHUB"), "pengaduan").await;
        assert_eq!(flow.template.as_deref(), Some("SMS Center"));
        assert_eq!(in_flight.steps.len(), 2);
        assert!(db.workflow_template(sop).await.unwrap().is_default);
        assert!(matches!(
            db.delete_workflow_template(specific).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn sop_wadul_steps_progress_and_the_answer_waits_for_approval() {
    for db in each_backend().await {
        let w = world(&db).await;
        templates(&db, &w).await;
        let id = db
            .create_ticket(&ticket(
                "Lampu jalan mati",
                None,
                "saran",
                "2026-11-27T15:00",
            ))
            .await
            .unwrap()
            .id;
        let flow = db.ticket_workflow(id).await.unwrap();
        assert_eq!(flow.current_due_at, Some(wib("2026-11-30T15:00")), "1wd");

        let forward = ActionInput::Forward {
            agency_code: "DISHUB".into(),
            note: String::new(),
        };
        db.apply_action_at(&w.secretariat, id, &forward, wib("2026-11-30T08:00"))
            .await
            .unwrap();
        let flow = db.ticket_workflow(id).await.unwrap();
        assert_eq!(flow.current, Some(1));
        assert_eq!(flow.current_due_at, Some(wib("2026-11-30T08:30")), "30wm");
        assert_eq!(flow.steps[0].state(flow.current), "done");
        assert_eq!(flow.steps[1].state(flow.current), "current");
        assert_eq!(flow.steps[2].state(flow.current), "todo");

        // The head disposes to the liaison officer (an assignment, until dispositions).
        let assign = ActionInput::Assign {
            user_id: w.liaison.user().get(),
        };
        db.apply_action_at(&w.head, id, &assign, wib("2026-11-30T08:20"))
            .await
            .unwrap();
        let flow = db.ticket_workflow(id).await.unwrap();
        assert_eq!(flow.current, Some(2));
        assert_eq!(flow.current_due_at, Some(wib("2026-12-02T08:20")), "2wd");

        // A direct answer is refused: this workflow needs an approval.
        let answer = ActionInput::Answer {
            body: "Sudah diperbaiki".into(),
        };
        let err = db
            .apply_action_at(&w.liaison, id, &answer, wib("2026-12-01T09:00"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Refused(domain::Refusal::ApprovalRequired)),
            "{err}"
        );

        db.complete_step_at(
            &w.liaison,
            id,
            "Sudah dicek ke lapangan",
            wib("2026-12-01T10:00"),
        )
        .await
        .unwrap();
        let flow = db.ticket_workflow(id).await.unwrap();
        assert_eq!(flow.current, Some(3));
        assert_eq!(flow.current_due_at, Some(wib("2026-12-02T10:00")), "1wd");
        // Only a review step is completed by hand.
        assert!(matches!(
            db.complete_step_at(&w.liaison, id, "", wib("2026-12-01T10:01"))
                .await,
            Err(ref e) if e.is_conflict()
        ));

        db.draft_answer_at(
            &w.liaison,
            id,
            "Lampu sudah diganti.",
            wib("2026-12-01T11:00"),
        )
        .await
        .unwrap();
        let flow = db.ticket_workflow(id).await.unwrap();
        assert_eq!(flow.current, Some(4));
        assert_eq!(flow.current_due_at, Some(wib("2026-12-02T11:00")));
        let answers = |db: &Db| {
            let db = db.clone();
            async move {
                db.ticket_messages(id)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|m| m.kind == "answer")
                    .count()
            }
        };
        assert_eq!(answers(&db).await, 0, "not sent before approval");
        assert_eq!(
            db.ticket(&w.head, id).await.unwrap().status,
            domain::TicketStatus::Open,
            "still open"
        );
        // A second draft while one waits, and approval by the wrong role, are refused.
        assert!(matches!(
            db.draft_answer_at(&w.liaison, id, "Lagi", wib("2026-12-01T11:01"))
                .await,
            Err(ref e) if e.is_conflict()
        ));
        assert!(matches!(
            db.approve_answer_at(&w.liaison, id, None, wib("2026-12-01T11:02"))
                .await,
            Err(StoreError::Forbidden)
        ));

        db.return_answer_at(&w.head, id, "Sebutkan lokasinya.", wib("2026-12-01T13:00"))
            .await
            .unwrap();
        let flow = db.ticket_workflow(id).await.unwrap();
        assert_eq!(flow.current, Some(3), "back to the draft");
        assert_eq!(flow.current_due_at, Some(wib("2026-12-02T13:00")));
        assert_eq!(flow.steps[4].state(flow.current), "todo");
        db.draft_answer_at(
            &w.liaison,
            id,
            "Lampu di Jl. Merdeka sudah diganti.",
            wib("2026-12-01T13:30"),
        )
        .await
        .unwrap();
        db.approve_answer_at(
            &w.head,
            id,
            Some("Lampu di Jl. Merdeka sudah diganti. Terima kasih."),
            wib("2026-12-01T14:00"),
        )
        .await
        .unwrap();
        let drafts = db.answer_drafts(id).await.unwrap();
        let states: Vec<(i64, &str)> = drafts
            .iter()
            .map(|d| (d.version, d.status.as_str()))
            .collect();
        assert_eq!(states, [(1, "returned"), (2, "edited"), (3, "approved")]);
        assert_eq!(drafts[0].comment, "Sebutkan lokasinya.");
        assert_eq!(drafts[1].body, "Lampu di Jl. Merdeka sudah diganti.");
        let events = db.events(id).await.unwrap();
        let edited = events.iter().find(|e| e.kind == "answer_edited").unwrap();
        assert!(
            edited
                .payload
                .contains("Lampu di Jl. Merdeka sudah diganti.")
        );
        assert_eq!(
            edited.body,
            "Lampu di Jl. Merdeka sudah diganti. Terima kasih."
        );
        // SOP Wadul: the secretariat sends the approved answer.
        assert_eq!(answers(&db).await, 0);
        // Nor can anyone answer around the approved text before it is sent.
        assert!(matches!(
            db.apply_action_at(&w.liaison, id, &answer, wib("2026-12-01T14:05"))
                .await,
            Err(ref e) if e.is_conflict()
        ));
        let flow = db.ticket_workflow(id).await.unwrap();
        assert_eq!(flow.current, Some(5));
        assert!(matches!(
            db.send_approved_answer_at(&w.liaison, id, wib("2026-12-01T14:10"))
                .await,
            Err(StoreError::Forbidden)
        ));
        db.send_approved_answer_at(&w.secretariat, id, wib("2026-12-01T14:30"))
            .await
            .unwrap();
        let t = db.ticket(&w.head, id).await.unwrap();
        assert_eq!(t.status, domain::TicketStatus::Answered);
        let sent: Vec<_> = db
            .ticket_messages(id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == "answer")
            .collect();
        assert_eq!(sent.len(), 1);
        assert!(sent[0].body.contains("Terima kasih."), "{}", sent[0].body);
        let flow = db.ticket_workflow(id).await.unwrap();
        assert_eq!(flow.current, None);
        assert!(flow.steps.iter().all(|s| s.done_at.is_some()));
        let public = db
            .track(&domain::TrackingCode::parse(&t.tracking_code).unwrap())
            .await
            .unwrap();
        let kinds: Vec<&str> = public.timeline.iter().map(|e| e.kind.as_str()).collect();
        assert!(!kinds.iter().any(|k| k.starts_with("answer_")), "{kinds:?}");
        assert_eq!(
            public
                .timeline
                .iter()
                .find(|e| e.kind == "answered")
                .and_then(|e| e.body.as_deref()),
            Some("Lampu di Jl. Merdeka sudah diganti. Terima kasih.")
        );

        // Reopened (the lamp failed again): the workflow runs again from the head's
        // disposition with fresh deadlines, and the new answer needs approval again.
        let reopen = ActionInput::Reopen {
            note: "Lampu mati lagi".into(),
        };
        db.apply_action_at(&w.secretariat, id, &reopen, wib("2026-12-03T09:00"))
            .await
            .unwrap();
        let flow = db.ticket_workflow(id).await.unwrap();
        assert_eq!(flow.current, Some(1), "the forward stays done");
        assert_eq!(flow.current_due_at, Some(wib("2026-12-03T09:30")), "30wm");
        assert_eq!(flow.steps[0].state(flow.current), "done");
        assert!(
            flow.steps[2..]
                .iter()
                .all(|s| s.done_at.is_none() && s.due_at.is_none())
        );
        assert!(matches!(
            db.apply_action_at(&w.liaison, id, &answer, wib("2026-12-03T09:10"))
                .await,
            Err(ref e) if e.is_conflict()
        ));
        db.apply_action_at(&w.head, id, &assign, wib("2026-12-03T09:20"))
            .await
            .unwrap();
        assert_eq!(db.ticket_workflow(id).await.unwrap().current, Some(2));
        assert!(db.verify_chains().await.unwrap().broken.is_empty());
    }
}

#[tokio::test]
async fn direct_answers_still_work_and_overdue_steps_are_counted_and_escalated() {
    for db in each_backend().await {
        let w = world(&db).await;
        templates(&db, &w).await;
        // SMS Center: no approval step, the answer goes out directly.
        let quick = db
            .create_ticket(&ticket(
                "Bus terlambat",
                Some("DISHUB"),
                "saran",
                "2026-11-27T15:00",
            ))
            .await
            .unwrap()
            .id;
        assert!(matches!(
            db.draft_answer_at(&w.liaison, quick, "x", wib("2026-11-30T08:00"))
                .await,
            Err(ref e) if e.is_conflict()
        ));
        // Without approval step, the approval action has no draft.
        assert!(matches!(
            db.approve_answer_at(&w.head, quick, None, wib("2026-11-30T08:00"))
                .await,
            Err(ref e) if e.is_conflict()
        ));
        let answer = ActionInput::Answer {
            body: "Terima kasih, sudah kami teruskan.".into(),
        };
        db.apply_action_at(&w.liaison, quick, &answer, wib("2026-11-30T08:00"))
            .await
            .unwrap();
        assert_eq!(
            db.ticket(&w.liaison, quick).await.unwrap().status,
            domain::TicketStatus::Answered
        );
        assert_eq!(db.ticket_workflow(quick).await.unwrap().current, None);

        // Two tickets waiting on the liaison's draft (2wd, due Tuesday 15:00), one in
        // triage under SOP Wadul (forward, 1wd, due Monday 15:00).
        for text in ["Halte rusak", "Rambu hilang"] {
            db.create_ticket(&ticket(
                text,
                Some("DISHUB"),
                "pengaduan",
                "2026-11-27T15:00",
            ))
            .await
            .unwrap();
        }
        let triage = db
            .create_ticket(&ticket("Banjir", None, "informasi", "2026-11-27T15:00"))
            .await
            .unwrap()
            .id;
        let now = wib("2026-11-30T16:00");
        let counts = db.overdue_by_agency_and_step(now).await.unwrap();
        assert_eq!(counts.len(), 1, "{counts:?}");
        assert_eq!(counts[0].agency_code, None);
        assert_eq!(counts[0].step_name, "Sekretariat meneruskan ke OPD");
        assert_eq!(counts[0].overdue, 1);
        let now = wib("2026-12-02T08:00");
        let mut counts = db.overdue_by_agency_and_step(now).await.unwrap();
        counts.sort_by_key(|c| c.agency_code.clone());
        assert_eq!(counts.len(), 2, "{counts:?}");
        assert_eq!(counts[1].agency_code.as_deref(), Some("DISHUB"));
        assert_eq!(counts[1].step_name, "Telaah dan draf");
        assert_eq!(counts[1].overdue, 2);

        // The sweep escalates on the current step's deadline and names the step; a new
        // step may be escalated again.
        let base = "https://lapor.contoh.go.id";
        let report = db
            .sweep_deadlines(wib("2026-11-30T16:00"), base)
            .await
            .unwrap();
        assert_eq!(report.breached, 1, "only the triage ticket's step is late");
        let breach = db
            .events(triage)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.kind == "sla_breached")
            .unwrap();
        assert!(
            breach.payload.contains("Sekretariat meneruskan ke OPD"),
            "{}",
            breach.payload
        );
        let flow = db.ticket_workflow(triage).await.unwrap();
        assert!(flow.steps[0].breached_at.is_some());
        let forward = ActionInput::Forward {
            agency_code: "DISHUB".into(),
            note: String::new(),
        };
        db.apply_action_at(&w.secretariat, triage, &forward, wib("2026-12-01T08:00"))
            .await
            .unwrap();
        // The disposal (30 working minutes) is late at 09:00, the drafts at Wednesday 08:00.
        let report = db
            .sweep_deadlines(wib("2026-12-02T08:00"), base)
            .await
            .unwrap();
        assert_eq!(report.breached, 3);
        let escalations: Vec<_> = db
            .ticket_messages(triage)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == "escalation")
            .collect();
        assert_eq!(escalations.len(), 2, "the secretariat, then the head");
        assert_eq!(escalations[1].recipient, "kadishub@contoh.go.id");
        assert!(
            escalations[1].body.contains("mendisposisi"),
            "{}",
            escalations[1].body
        );
        let again = db
            .sweep_deadlines(wib("2026-12-02T09:00"), base)
            .await
            .unwrap();
        assert_eq!(again.breached, 0, "once per step");

        // The semester report's SLA per agency and step (tickets now all in DISHUB).
        let data = db
            .semester_data(
                &w.secretariat,
                None,
                wib("2026-11-01T00:00"),
                wib("2027-01-01T00:00"),
            )
            .await
            .unwrap();
        let step = |name: &str| {
            data.steps
                .iter()
                .find(|s| s.step == name)
                .unwrap_or_else(|| panic!("{name}: {:?}", data.steps))
        };
        assert!(data.steps.iter().all(|s| s.agency_id == Some(w.dishub)));
        let answered = step("Pejabat penghubung menjawab");
        assert_eq!((answered.total, answered.on_time, answered.late), (1, 1, 0));
        let forwarded = step("Sekretariat meneruskan ke OPD");
        assert_eq!(
            (forwarded.total, forwarded.on_time, forwarded.late),
            (1, 0, 1)
        );
        let drafts = step("Telaah dan draf");
        assert_eq!((drafts.total, drafts.on_time), (2, 0));
    }
}

#[tokio::test]
async fn an_approval_step_may_name_the_approving_position() {
    for db in each_backend().await {
        let w = world(&db).await;
        let kadis = db
            .create_position(w.dishub, "Kepala Dinas Perhubungan", None)
            .await
            .unwrap();
        let holder = db
            .create_user(&store::org::NewUser {
                username: "kadis.definitif".into(),
                password: "rahasia-sekali".into(),
                full_name: "Kadis".into(),
                role: Role::HeadOfAgency.as_str().into(),
                agency_id: Some(w.dishub),
                position_id: Some(kadis),
                ..Default::default()
            })
            .await
            .unwrap();
        let holder = db
            .access_for(&db.user(holder).await.unwrap(), store::now_ms())
            .await
            .unwrap();
        let mut approve = step(
            "Persetujuan Kadis",
            Role::HeadOfAgency,
            StepKind::Approve,
            "1wd",
        );
        approve.position_id = Some(kadis);
        db.create_workflow_template(&TemplateInput {
            name: "Dishub".into(),
            agency_id: Some(w.dishub),
            steps: vec![
                step("Draf", Role::LiaisonOfficer, StepKind::Draft, "2wd"),
                approve,
            ],
            ..Default::default()
        })
        .await
        .unwrap();
        let stored = db.workflow_templates().await.unwrap();
        assert_eq!(stored[0].steps[1].position_id, Some(kadis));
        let id = db
            .create_ticket(&ticket(
                "Parkir liar",
                Some("DISHUB"),
                "pengaduan",
                "2026-11-27T15:00",
            ))
            .await
            .unwrap()
            .id;
        db.draft_answer_at(&w.liaison, id, "Akan ditertibkan.", wib("2026-11-30T08:00"))
            .await
            .unwrap();
        // Another head of the agency does not hold the position.
        assert!(matches!(
            db.approve_answer_at(&w.head, id, None, wib("2026-11-30T09:00"))
                .await,
            Err(StoreError::Forbidden)
        ));
        db.approve_answer_at(&holder, id, None, wib("2026-11-30T09:00"))
            .await
            .unwrap();
        assert_eq!(
            db.ticket(&holder, id).await.unwrap().status,
            domain::TicketStatus::Answered
        );
    }
}
