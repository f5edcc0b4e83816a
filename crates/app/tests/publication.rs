//! Publication of answered tickets, on SQLite and PostgreSQL: published in the answering
//! transaction with personal data masked, confidential never, anonymous without identity,
//! withheld and edited by moderators with history, searched with filters.

use app::App as Db;
use app::testing::{WorldBuilder, each_backend};
use domain::{Channel, IntakeInput, Role};
use store::publication::CaseFilter;
use store::tickets::{ActionInput, NewTicket};
use store::{Access, StoreError};

struct Org {
    secretariat: Access,
    liaison: Access,
}

async fn setup(db: &Db) -> Org {
    let w = WorldBuilder::empty()
        .full_names(|username| format!("Petugas {username}"))
        .agency("DISHUB", "Dinas Perhubungan")
        .agency("DINKES", "Dinas Kesehatan")
        .user("sekretariat", Role::Secretariat, None)
        .user("penghubung", Role::LiaisonOfficer, Some("DISHUB"))
        .build(db)
        .await;
    Org {
        liaison: w.access(db, "penghubung").await,
        secretariat: w.access(db, "sekretariat").await,
    }
}

struct Spec<'a> {
    text: &'a str,
    agency: &'a str,
    category: &'a str,
    name: Option<&'a str>,
    anonymous: bool,
    confidential: bool,
    received_at: i64,
}

impl Default for Spec<'_> {
    fn default() -> Self {
        Spec {
            text: "Lampu jalan mati",
            agency: "DISHUB",
            category: "pengaduan",
            name: Some("Budi Santoso"),
            anonymous: false,
            confidential: false,
            received_at: store::now_ms(),
        }
    }
}

async fn ticket(db: &Db, spec: Spec<'_>) -> i64 {
    let intake = IntakeInput {
        category: Some(spec.category.into()),
        text: Some(spec.text.into()),
        agency_code: Some(spec.agency.into()),
        reporter_name: spec.name.map(str::to_string),
        reporter_phone: Some("081234567890".into()),
        anonymous: spec.anonymous,
        confidential: spec.confidential,
        ..Default::default()
    }
    .validate(|_| true, |_| true)
    .unwrap();
    db.create_ticket(&NewTicket {
        intake,
        channel: Channel::Web,
        idempotency_key: None,
        received_at: spec.received_at,
    })
    .await
    .unwrap()
    .id
}

async fn answer(db: &Db, actor: &Access, id: i64, body: &str) {
    db.apply_action(actor, id, &ActionInput::Answer { body: body.into() })
        .await
        .unwrap();
}

fn all() -> CaseFilter {
    CaseFilter {
        page: 1,
        ..Default::default()
    }
}

fn search(q: &str) -> CaseFilter {
    CaseFilter {
        q: Some(q.into()),
        ..all()
    }
}

#[tokio::test]
async fn answered_ticket_is_published_masked_in_the_same_transaction() {
    for db in each_backend().await {
        let org = setup(&db).await;
        let text = "Saya Budi Santoso, NIK 3201234567890001, HP 0812-3456-7890, email budi@contoh.id: lampu jalan mati";
        let id = ticket(
            &db,
            Spec {
                text,
                ..Spec::default()
            },
        )
        .await;
        assert!(
            db.case_of_ticket(id).await.unwrap().is_none(),
            "not before the answer"
        );
        answer(
            &db,
            &org.liaison,
            id,
            "Yth. Bapak Budi, lampu sudah diganti. Info: 0215551234 / +62 811 222 3333",
        )
        .await;

        let case = db
            .case_of_ticket(id)
            .await
            .unwrap()
            .expect("published on answer");
        assert_eq!(
            case.question,
            "Saya [nama], NIK [NIK], HP [nomor telepon], email [email]: lampu jalan mati"
        );
        // Landlines are personal data too (issue 12): a published answer cannot tell an
        // office's number from a home's.
        assert_eq!(
            case.answer,
            "Yth. Bapak [nama], lampu sudah diganti. Info: [nomor telepon] / [nomor telepon]"
        );
        assert_eq!(case.reporter_label.as_deref(), Some("Budi S."));
        assert_eq!(case.agency_code.as_deref(), Some("DISHUB"));
        assert_eq!(case.category, "pengaduan");
        assert!(case.answer_ms >= 0 && case.answered_at >= case.received_at);
        assert_eq!(case.on_time, Some(true));
        // The citizen's own text is unchanged.
        let t = db.ticket(&org.secretariat, id).await.unwrap();
        assert_eq!(t.text, text);
        // The public sees it; the sweep finds nothing more to publish.
        assert_eq!(db.public_case(case.id).await.unwrap().ticket_id, id);
        assert_eq!(db.publish_pending(100).await.unwrap(), 0);
        assert_eq!(db.search_cases(&all()).await.unwrap().items.len(), 1);
    }
}

#[tokio::test]
async fn confidential_is_never_published_and_anonymous_has_no_identity() {
    for db in each_backend().await {
        let org = setup(&db).await;
        let secret = ticket(
            &db,
            Spec {
                text: "Pungutan liar di kantor",
                confidential: true,
                ..Spec::default()
            },
        )
        .await;
        let anonymous = ticket(
            &db,
            Spec {
                text: "Trotoar rusak, saya Budi",
                anonymous: true,
                ..Spec::default()
            },
        )
        .await;
        answer(&db, &org.liaison, secret, "Sudah ditindak").await;
        answer(&db, &org.liaison, anonymous, "Trotoar diperbaiki").await;
        assert!(db.case_of_ticket(secret).await.unwrap().is_none());
        assert_eq!(db.publish_pending(100).await.unwrap(), 0);
        assert!(db.case_of_ticket(secret).await.unwrap().is_none());
        assert!(
            db.search_cases(&search("Pungutan"))
                .await
                .unwrap()
                .items
                .is_empty()
        );

        let case = db.case_of_ticket(anonymous).await.unwrap().unwrap();
        assert_eq!(case.reporter_label, None);
        assert_eq!(case.question, "Trotoar rusak, saya [nama]");
    }
}

#[tokio::test]
async fn sweep_publishes_a_missed_ticket_once_and_reanswer_keeps_one_case() {
    for db in each_backend().await {
        let org = setup(&db).await;
        let id = ticket(&db, Spec::default()).await;
        answer(&db, &org.liaison, id, "Lampu diganti").await;
        // A ticket answered before publication existed (simulated by removing its case).
        db.execute_raw("DELETE FROM published_cases").await.unwrap();
        assert_eq!(db.publish_pending(1).await.unwrap(), 1);
        assert_eq!(db.publish_pending(1).await.unwrap(), 0);
        let case = db.case_of_ticket(id).await.unwrap().unwrap();
        assert_eq!(case.answer, "Lampu diganti");

        db.apply_action(
            &org.liaison,
            id,
            &ActionInput::Reopen {
                note: "belum".into(),
            },
        )
        .await
        .unwrap();
        answer(&db, &org.liaison, id, "Lampu diganti lagi").await;
        let again = db.case_of_ticket(id).await.unwrap().unwrap();
        assert_eq!(again.id, case.id);
        assert_eq!(again.answer, "Lampu diganti lagi");
        let (_, history) = db
            .case_for_moderation(&org.secretariat, case.id)
            .await
            .unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].action, "reanswer");
        assert_eq!(history[0].answer_before, "Lampu diganti");
        assert_eq!(db.search_cases(&all()).await.unwrap().items.len(), 1);
        // The ticket's timeline says so each time: on the answer, by the sweep, and when the
        // new answer replaced the published one.
        let published: Vec<_> = db
            .events(id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "published")
            .collect();
        assert_eq!(published.len(), 3);
        assert!(published[2].payload.contains("\"updated\":true"));
        assert!(db.verify_chains().await.unwrap().broken.is_empty());
    }
}

#[tokio::test]
async fn moderator_withholds_and_edits_with_history() {
    for db in each_backend().await {
        let org = setup(&db).await;
        let text = "Jalan berlubang di depan rumah Pak RT";
        let id = ticket(
            &db,
            Spec {
                text,
                ..Spec::default()
            },
        )
        .await;
        answer(&db, &org.liaison, id, "Jalan ditambal").await;
        let case = db.case_of_ticket(id).await.unwrap().unwrap();

        // Only the secretariat and the admin moderate.
        assert!(matches!(
            db.set_case_withheld(&org.liaison, case.id, true, "x").await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            db.edit_case(&org.liaison, case.id, "a", "b", "").await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            db.set_case_withheld(&org.secretariat, case.id, true, "  ")
                .await,
            Err(ref e) if e.is_invalid()
        ));

        let withheld = db
            .set_case_withheld(&org.secretariat, case.id, true, "menyebut alamat pribadi")
            .await
            .unwrap();
        assert!(withheld.withheld);
        assert_eq!(
            withheld.withheld_reason.as_deref(),
            Some("menyebut alamat pribadi")
        );
        assert!(matches!(
            db.public_case(case.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            db.search_cases(&search("berlubang"))
                .await
                .unwrap()
                .items
                .is_empty()
        );
        let moderation = CaseFilter {
            include_withheld: true,
            ..search("berlubang")
        };
        assert_eq!(db.search_cases(&moderation).await.unwrap().items.len(), 1);

        let edited = db
            .edit_case(
                &org.secretariat,
                case.id,
                "Jalan berlubang di depan rumah warga",
                "Jalan sudah ditambal",
                "alamat disamarkan",
            )
            .await
            .unwrap();
        assert!(edited.edited);
        db.set_case_withheld(&org.secretariat, case.id, false, "")
            .await
            .unwrap();
        assert_eq!(
            db.public_case(case.id).await.unwrap().question,
            "Jalan berlubang di depan rumah warga"
        );
        // The index follows the edit.
        assert_eq!(
            db.search_cases(&search("warga")).await.unwrap().items.len(),
            1
        );
        assert!(
            db.search_cases(&search("RT"))
                .await
                .unwrap()
                .items
                .is_empty()
        );

        let (_, history) = db
            .case_for_moderation(&org.secretariat, case.id)
            .await
            .unwrap();
        let actions: Vec<&str> = history.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["withhold", "edit", "restore"]);
        let edit = &history[1];
        assert_eq!(edit.question_before, text);
        assert_eq!(edit.question_after, "Jalan berlubang di depan rumah warga");
        assert_eq!(edit.answer_before, "Jalan ditambal");
        assert_eq!(edit.answer_after, "Jalan sudah ditambal");
        assert_eq!(edit.reason, "alamat disamarkan");
        assert_eq!(edit.actor_name.as_deref(), Some("Petugas sekretariat"));
        assert_eq!(history[0].reason, "menyebut alamat pribadi");
        // The ticket's timeline records each moderation inside the organisation only.
        let moderated: Vec<_> = db
            .events(id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "publication_moderated")
            .collect();
        assert_eq!(moderated.len(), 3);
        assert_eq!(moderated[0].body, "menyebut alamat pribadi");
        assert!(moderated[1].payload.contains("\"action\":\"edit\""));
        let code = db.ticket(&org.secretariat, id).await.unwrap().tracking_code;
        let public = db
            .track(&domain::TrackingCode::parse(&code).unwrap())
            .await
            .unwrap();
        let kinds: Vec<&str> = public.timeline.iter().map(|e| e.kind.as_str()).collect();
        assert!(kinds.contains(&"published"), "{kinds:?}");
        assert!(!kinds.contains(&"publication_moderated"), "{kinds:?}");
        // The ticket keeps the citizen's words; history cannot be rewritten.
        assert_eq!(db.ticket(&org.secretariat, id).await.unwrap().text, text);
        assert!(
            db.execute_raw("DELETE FROM published_case_revisions")
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn search_finds_words_and_respects_filters() {
    for db in each_backend().await {
        let org = setup(&db).await;
        // 2026-03-10 and 2026-04-10 (WIB).
        let march = 1_773_118_800_000;
        let april = 1_775_797_200_000;
        let specs = [
            (
                "Jembatan retak di Kali Malang",
                "DISHUB",
                "pengaduan",
                march,
            ),
            ("Jembatan penyeberangan kotor", "DISHUB", "saran", april),
            ("Antrian puskesmas panjang", "DINKES", "pengaduan", march),
            ("Vaksin habis di puskesmas", "DINKES", "pertanyaan", april),
        ];
        for (text, agency, category, at) in specs {
            let id = ticket(
                &db,
                Spec {
                    text,
                    agency,
                    category,
                    received_at: at,
                    ..Spec::default()
                },
            )
            .await;
            answer(&db, &org.secretariat, id, "Sudah ditindaklanjuti").await;
        }
        let texts = |page: store::publication::CasePage| -> Vec<String> {
            page.items.into_iter().map(|c| c.question).collect()
        };
        assert_eq!(
            texts(db.search_cases(&search("jembatan")).await.unwrap()),
            [
                "Jembatan penyeberangan kotor",
                "Jembatan retak di Kali Malang"
            ]
        );
        assert_eq!(
            texts(db.search_cases(&search("jembatan retak")).await.unwrap()),
            ["Jembatan retak di Kali Malang"]
        );
        // The answer is searched too.
        assert_eq!(
            db.search_cases(&search("ditindaklanjuti"))
                .await
                .unwrap()
                .items
                .len(),
            4
        );
        let filtered = |q: Option<&str>,
                        agency: Option<&str>,
                        category: Option<&str>,
                        month: Option<&str>| CaseFilter {
            q: q.map(str::to_string),
            agency_code: agency.map(str::to_string),
            category: category.map(str::to_string),
            month: month.map(str::to_string),
            page: 1,
            include_withheld: false,
        };
        assert_eq!(
            texts(
                db.search_cases(&filtered(
                    Some("puskesmas"),
                    Some("DINKES"),
                    None,
                    Some("2026-03")
                ))
                .await
                .unwrap()
            ),
            ["Antrian puskesmas panjang"]
        );
        assert_eq!(
            texts(
                db.search_cases(&filtered(None, None, Some("saran"), None))
                    .await
                    .unwrap()
            ),
            ["Jembatan penyeberangan kotor"]
        );
        assert_eq!(
            db.search_cases(&filtered(None, None, None, Some("2026-04")))
                .await
                .unwrap()
                .items
                .len(),
            2
        );
        assert!(
            db.search_cases(&filtered(Some("jembatan"), Some("DINKES"), None, None))
                .await
                .unwrap()
                .items
                .is_empty()
        );
        assert!(
            db.search_cases(&search("banjir"))
                .await
                .unwrap()
                .items
                .is_empty()
        );
        // Quotes and operators are plain words, not syntax.
        assert!(
            db.search_cases(&search("\"jembatan\" OR -"))
                .await
                .unwrap()
                .items
                .is_empty()
        );
        assert!(matches!(
            db.search_cases(&filtered(None, None, None, Some("2026-13")))
                .await,
            Err(ref e) if e.is_invalid()
        ));

        // Pagination: 20 per page.
        for k in 0..21 {
            let id = ticket(
                &db,
                Spec {
                    text: &format!("Sampah menumpuk blok {k}"),
                    ..Spec::default()
                },
            )
            .await;
            answer(&db, &org.secretariat, id, "Diangkut").await;
        }
        let first = db.search_cases(&search("sampah")).await.unwrap();
        assert_eq!((first.items.len(), first.has_next), (20, true));
        assert_eq!(first.items[0].question, "Sampah menumpuk blok 20");
        let second = db
            .search_cases(&CaseFilter {
                page: 2,
                ..search("sampah")
            })
            .await
            .unwrap();
        assert_eq!((second.items.len(), second.has_next), (1, false));
        assert_eq!(second.items[0].question, "Sampah menumpuk blok 0");

        let stats = db.public_stats(store::now_ms(), 12).await.unwrap();
        assert_eq!(stats.per_month.len(), 12);
        assert_eq!(stats.published, 25);
        assert!(stats.answered >= 21 && stats.median_answer_ms.is_some());
    }
}

#[tokio::test]
async fn seeded_answered_tickets_are_published_once_in_bulk() {
    for db in each_backend().await {
        let agencies = store::bulk::ensure_agencies(&db, 3).await.unwrap();
        store::bulk::seed_tickets_with(&db, 1_050, &agencies, 60, &["answered"], |_| {})
            .await
            .unwrap();
        store::bulk::seed_tickets_with(&db, 40, &agencies, 60, &["open"], |_| {})
            .await
            .unwrap();
        // Seeded tickets have no answer on their timeline: the real sweep leaves them alone.
        assert_eq!(db.publish_pending(500).await.unwrap(), 0);
        assert_eq!(db.publish_seeded(|_| {}).await.unwrap(), 1_050);
        assert_eq!(db.publish_seeded(|_| {}).await.unwrap(), 0);
        let page = db.search_cases(&search("nomor 7")).await.unwrap();
        assert_eq!(page.items.len(), 1);
        assert!(page.items[0].question.ends_with("nomor 7"));
        assert!(page.items[0].answer.starts_with("Terima kasih"));
        assert_eq!(
            db.public_stats(store::now_ms(), 12)
                .await
                .unwrap()
                .published,
            1_050
        );
    }
}
