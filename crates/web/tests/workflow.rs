//! Workflow templates and answer approval over real HTTP, on SQLite and PostgreSQL: the admin
//! edits a template, the liaison officer drafts, the head returns, the liaison redrafts, the
//! head approves with an edit and the reporter reads the answer on the tracking page.

mod common;

use common::{get, get_html, login, post, post_invalid, post_ok, post_ticket_direct, spawn_apps};
use serde_json::{Value, json};

fn step_rows<'a>(rows: &[[&'a str; 4]]) -> Vec<(&'static str, &'a str)> {
    let mut form = Vec::new();
    for [name, role, kind, duration] in rows {
        form.push(("step_name", *name));
        form.push(("step_role", *role));
        form.push(("step_kind", *kind));
        form.push(("step_duration", *duration));
    }
    form
}

#[tokio::test]
async fn admin_edits_a_template_and_the_answer_waits_for_the_head() {
    for app in spawn_apps().await {
        let admin = login(&app, "admin").await;
        let list = get_html(&app, &admin, "/admin/alur").await;
        assert!(
            list.contains("SOP Wadul") && list.contains("SMS Center"),
            "{list}"
        );
        let dishub = app
            .db
            .agency_by_code("DISHUB")
            .await
            .unwrap()
            .id
            .to_string();

        // Cross-site posts are refused (CSRF).
        let forged = app
            .client
            .post(app.at("/admin/alur"))
            .header("cookie", &admin)
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://jahat.example")
            .form(&[("name", "Palsu")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
        // Other staff may not edit templates.
        let head = login(&app, "kadishub").await;
        let refused = post(&app, &head, "/admin/alur", &[("name", "X")]).await;
        assert_eq!(refused.status(), 403);

        // An approval without a draft step is refused with a message.
        let mut form = vec![("name", "Alur Dishub"), ("agency_id", dishub.as_str())];
        form.extend(step_rows(&[[
            "Persetujuan",
            "head_of_agency",
            "approve",
            "1wd",
        ]]));
        let page = post_invalid(&app, &admin, "/admin/alur", &form).await;
        assert!(page.contains("didahului langkah draf"), "{page}");
        let mut form = vec![("name", "Alur Dishub"), ("agency_id", dishub.as_str())];
        form.extend(step_rows(&[
            ["Telaah dan draf", "liaison_officer", "draft", "3jam"],
            ["Persetujuan", "head_of_agency", "approve", "1wd"],
        ]));
        let page = post_invalid(&app, &admin, "/admin/alur", &form).await;
        assert!(
            page.contains("langkah 1") && page.contains("3jam"),
            "{page}"
        );

        // Created, then edited.
        let mut form = vec![("name", "Alur Dishub"), ("agency_id", dishub.as_str())];
        form.extend(step_rows(&[
            ["Telaah dan draf", "liaison_officer", "draft", "2wd"],
            ["Persetujuan", "head_of_agency", "approve", "1wd"],
            ["", "liaison_officer", "review", ""],
        ]));
        let response = post(&app, &admin, "/admin/alur", &form).await;
        assert_eq!(response.status(), 303);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let path = location.split('?').next().unwrap().to_string();
        let mut form = vec![
            ("name", "Alur Dishub"),
            ("agency_id", dishub.as_str()),
            ("category", ""),
        ];
        form.extend(step_rows(&[
            [
                "Telaah dan susun jawaban",
                "liaison_officer",
                "draft",
                "3wd",
            ],
            [
                "Persetujuan Kepala Dinas",
                "head_of_agency",
                "approve",
                "1wd",
            ],
        ]));
        post_ok(&app, &admin, &path, &form, &format!("{path}?ok=simpan")).await;
        let page = get_html(&app, &admin, &path).await;
        assert!(
            page.contains("Telaah dan susun jawaban") && page.contains("value=\"3wd\""),
            "{page}"
        );

        // Deleting asks for a confirmation.
        let mut form = vec![("name", "Sementara")];
        form.extend(step_rows(&[["Jawab", "liaison_officer", "answer", "3wh"]]));
        let response = post(&app, &admin, "/admin/alur", &form).await;
        let temp = response.headers()["location"]
            .to_str()
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let confirm = get_html(&app, &admin, &format!("{temp}/hapus")).await;
        assert!(
            confirm.contains("Hapus templat \"Sementara\"?"),
            "{confirm}"
        );
        let response = post(&app, &admin, &format!("{temp}/hapus"), &[]).await;
        assert_eq!(response.status(), 422);
        post_ok(
            &app,
            &admin,
            &format!("{temp}/hapus"),
            &[("confirm", "ya")],
            "/admin/alur?ok=hapus",
        )
        .await;
        assert!(
            !get_html(&app, &admin, "/admin/alur")
                .await
                .contains("Sementara")
        );

        // A DISHUB ticket follows "Alur Dishub".
        let created = post_ticket_direct(&app.db, "warga@contoh.id").await;
        let id = created.id;
        let ticket_path = format!("/staf/aduan/{id}");
        let liaison = login(&app, "penghubung.dishub").await;
        let page = get_html(&app, &liaison, &ticket_path).await;
        assert!(page.contains("Alur kerja: Alur Dishub"), "{page}");
        assert!(page.contains("data-state=\"current\""));
        assert!(page.contains("Ajukan draf jawaban"));
        assert!(!page.contains("id=\"answer-submit\""), "no direct answer");
        let direct = post(
            &app,
            &liaison,
            &format!("{ticket_path}/answer"),
            &[("body", "Langsung")],
        )
        .await;
        assert_eq!(direct.status(), 409);

        post_ok(
            &app,
            &liaison,
            &format!("{ticket_path}/draft"),
            &[("body", "Lampu akan diganti minggu ini.")],
            &format!("{ticket_path}?ok=draft"),
        )
        .await;
        let tracking = format!("/lacak/{}", created.tracking_code);
        let public = get_html(&app, "", &tracking).await;
        assert!(
            !public.contains("Lampu akan diganti"),
            "a draft is not public"
        );
        // The liaison officer cannot approve their own draft.
        let response = post(
            &app,
            &liaison,
            &format!("{ticket_path}/approve"),
            &[("body", "x")],
        )
        .await;
        assert_eq!(response.status(), 403);

        let page = get_html(&app, &head, &ticket_path).await;
        assert!(page.contains("Setujui atau kembalikan draf"), "{page}");
        assert!(page.contains(">Lampu akan diganti minggu ini.</textarea>"));
        post_ok(
            &app,
            &head,
            &format!("{ticket_path}/return"),
            &[("note", "Sebutkan hari penggantiannya.")],
            &format!("{ticket_path}?ok=return"),
        )
        .await;
        let page = get_html(&app, &liaison, &ticket_path).await;
        assert!(page.contains("Sebutkan hari penggantiannya."));
        assert!(page.contains("dikembalikan"));
        post_ok(
            &app,
            &liaison,
            &format!("{ticket_path}/draft"),
            &[("body", "Lampu akan diganti hari Kamis.")],
            &format!("{ticket_path}?ok=draft"),
        )
        .await;
        assert_eq!(
            app.db
                .ticket_messages(id)
                .await
                .unwrap()
                .iter()
                .filter(|m| m.kind == "answer")
                .count(),
            0,
            "nothing sent before approval"
        );
        post_ok(
            &app,
            &head,
            &format!("{ticket_path}/approve"),
            &[(
                "body",
                "Lampu akan diganti hari Kamis. Terima kasih atas laporannya.",
            )],
            &format!("{ticket_path}?ok=approve"),
        )
        .await;

        let public = get_html(&app, "", &tracking).await;
        assert!(
            public.contains("Lampu akan diganti hari Kamis. Terima kasih atas laporannya."),
            "{public}"
        );
        assert!(!public.contains("Sebutkan hari"), "comments stay internal");
        let page = get_html(&app, &head, &ticket_path).await;
        assert!(page.contains("Draf jawaban diubah penyetuju"), "{page}");
        assert!(
            page.contains("sebelumnya: &#34;Lampu akan diganti hari Kamis.&#34;")
                || page.contains("sebelumnya: &quot;Lampu akan diganti hari Kamis.&quot;"),
            "{page}"
        );
        let sent: Vec<_> = app
            .db
            .ticket_messages(id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == "answer")
            .collect();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].recipient, "warga@contoh.id");
        assert!(sent[0].body.contains("Terima kasih atas laporannya."));
        let _ = get(&app, &admin, "/admin/alur").await;
    }
}

#[tokio::test]
async fn the_api_lists_templates_and_drafts_and_approves_answers() {
    for app in spawn_apps().await.into_iter().take(2) {
        let dishub = app.db.agency_by_code("DISHUB").await.unwrap().id;
        app.db
            .create_workflow_template(&store::workflow::TemplateInput {
                name: "Alur Dishub".into(),
                agency_id: Some(dishub),
                steps: vec![
                    domain::workflow::Step {
                        name: "Draf".into(),
                        role: domain::Role::LiaisonOfficer,
                        kind: domain::workflow::StepKind::Draft,
                        duration: "2wd".parse().unwrap(),
                        position_id: None,
                    },
                    domain::workflow::Step {
                        name: "Setuju".into(),
                        role: domain::Role::HeadOfAgency,
                        kind: domain::workflow::StepKind::Approve,
                        duration: "1wd".parse().unwrap(),
                        position_id: None,
                    },
                ],
                ..Default::default()
            })
            .await
            .unwrap();
        let liaison = app.token("penghubung.dishub").await;
        let head = app.token("kadishub").await;
        let list: Value = app
            .client
            .get(app.at("/api/v1/workflows"))
            .bearer_auth(&liaison)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Alur Dishub", "SMS Center", "SOP Wadul"]);
        let id = post_ticket_direct(&app.db, "warga@contoh.id").await.id;
        let call = |path: String, token: String, body: Value| {
            let app = &app;
            async move {
                app.client
                    .post(app.at(&path))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let answer = call(
            format!("/api/v1/tickets/{id}/answer"),
            liaison.clone(),
            json!({ "body": "x" }),
        )
        .await;
        assert_eq!(answer.status(), 409);
        let drafted = call(
            format!("/api/v1/tickets/{id}/answer-drafts"),
            liaison.clone(),
            json!({ "body": "Sudah kami tangani." }),
        )
        .await;
        assert_eq!(drafted.status(), 200);
        let flow: Value = drafted.json().await.unwrap();
        assert_eq!(flow["needs_approval"], true);
        assert_eq!(flow["steps"][1]["state"], "current");
        assert_eq!(flow["drafts"][0]["status"], "pending");
        let refused = call(
            format!("/api/v1/tickets/{id}/answer-drafts/approve"),
            liaison.clone(),
            json!({}),
        )
        .await;
        assert_eq!(refused.status(), 403);
        let returned = call(
            format!("/api/v1/tickets/{id}/answer-drafts/return"),
            head.clone(),
            json!({ "comment": "" }),
        )
        .await;
        assert_eq!(returned.status(), 422);
        let approved = call(
            format!("/api/v1/tickets/{id}/answer-drafts/approve"),
            head.clone(),
            json!({}),
        )
        .await;
        assert_eq!(approved.status(), 200);
        let flow: Value = approved.json().await.unwrap();
        assert_eq!(flow["drafts"][0]["status"], "sent");
        assert_eq!(flow["current_step"], Value::Null);
        let detail: Value = app
            .client
            .get(app.at(&format!("/api/v1/tickets/{id}")))
            .bearer_auth(&head)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(detail["ticket"]["status"], "answered");

        let doc: Value = app
            .client
            .get(app.at("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for path in [
            "/workflows",
            "/tickets/{id}/workflow",
            "/tickets/{id}/answer-drafts",
            "/tickets/{id}/answer-drafts/approve",
            "/tickets/{id}/answer-drafts/return",
            "/tickets/{id}/answer-drafts/send",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} not documented");
        }
    }
}
