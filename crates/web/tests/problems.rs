//! Snapshots of the API's problem+json bodies (RFC 9457), one per kind of error, on both
//! backends: the same request gets the same body everywhere.

mod common;

use common::spawn_apps;
use serde_json::{Value, json};

/// Status, content type and pretty body of a response.
async fn problem(response: reqwest::Response) -> String {
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body: Value = response.json().await.unwrap();
    format!(
        "{status} {kind}\n{}",
        serde_json::to_string_pretty(&body).unwrap()
    )
}

#[tokio::test]
async fn every_kind_of_error_has_its_problem_body() {
    for app in spawn_apps().await {
        let c = &app.client;
        let liaison = app.token("penghubung.dishub").await;
        let id = common::post_ticket_direct(app.db.db(), "warga@contoh.id")
            .await
            .id;
        let cases = [
            (
                "malformed_json",
                c.post(app.at("/api/v1/tickets"))
                    .header("content-type", "application/json")
                    .body("{\"text\": "),
            ),
            (
                "invalid_fields",
                c.post(app.at("/api/v1/tickets")).json(&json!({})),
            ),
            ("no_token", c.get(app.at("/api/v1/tickets"))),
            (
                "not_found",
                c.get(app.at("/api/v1/tickets/999999"))
                    .bearer_auth(&liaison),
            ),
            (
                "forbidden",
                c.put(app.at(&format!("/api/v1/tickets/{id}/lapor")))
                    .bearer_auth(&liaison)
                    .json(&json!({"lapor_number": "1234567"})),
            ),
            (
                "conflict",
                c.post(app.at(&format!("/api/v1/tickets/{id}/forward")))
                    .bearer_auth(&liaison)
                    .json(&json!({"agency_code": "DISHUB", "note": ""})),
            ),
            (
                "refused",
                c.post(app.at(&format!("/api/v1/tickets/{id}/answer")))
                    .bearer_auth(&liaison)
                    .json(&json!({"body": "  "})),
            ),
        ];
        for (name, request) in cases {
            let body = problem(request.send().await.unwrap()).await;
            insta::assert_snapshot!(name, body);
        }
    }
}
