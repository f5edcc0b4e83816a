//! The API does what its document says: schemathesis (PyPI, installed by scripts/test.sh into
//! `.tools/py`) reads `/api/v1/openapi.json` from a running server over a seeded region and
//! sends what the document allows and what it forbids, authenticated as the administrator,
//! with every check on, a fixed seed and a bounded number of examples. It must find nothing.

mod common;

use common::{TestApp, seed_org, spawn_app_with, test_config};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

/// The pinned version: scripts/test.sh installs exactly this one.
const VERSION: &str = "4.32.5";

fn python_path() -> String {
    std::env::var("BALAI_TEST_SCHEMATHESIS")
        .or_else(|_| std::env::var("BALAI_TEST_PYTHONPATH"))
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../.tools/py")
                .display()
                .to_string()
        })
}

/// A region with tickets in each state, so that ids 1 to 8 exist.
async fn seed(app: &TestApp, admin: &str) {
    for (i, text) in [
        "Lampu jalan mati di Jalan Merdeka",
        "Jalan berlubang dekat pasar",
        "Puskesmas tutup pada jam kerja",
        "Saran: perbanyak halte bus",
        "Bagaimana cara mengurus izin trayek?",
        "Sampah menumpuk di selokan",
        "Antrean di dinas terlalu lama",
        "Papan nama jalan hilang",
    ]
    .into_iter()
    .enumerate()
    {
        let agency = if i % 3 == 2 { "DINKES" } else { "DISHUB" };
        let body = json!({
            "category": if i == 3 { "saran" } else { "pengaduan" },
            "text": text,
            "agency_code": if i == 7 { Value::Null } else { json!(agency) },
            "reporter_name": "Budi Santoso",
            "reporter_phone": "081234567890",
            "reporter_email": "budi@contoh.id",
        });
        let created = app
            .client
            .post(app.at("/api/v1/tickets"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201, "seed ticket {i}");
    }
    let act = |path: String, body: Value| {
        let request = app
            .client
            .post(app.at(&path))
            .bearer_auth(admin)
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
        }
    };
    act(
        "/api/v1/tickets/1/answer".into(),
        json!({ "body": "Lampu sudah diganti." }),
    )
    .await;
    act(
        "/api/v1/tickets/2/notes".into(),
        json!({ "body": "Dicek besok." }),
    )
    .await;
    act(
        "/api/v1/tickets/4/answer".into(),
        json!({ "body": "Terima kasih." }),
    )
    .await;
    act("/api/v1/tickets/4/close".into(), json!({})).await;
    act(
        "/api/v1/tickets/6/decline".into(),
        json!({ "reason": "out_of_scope", "detail": "Bukan wewenang daerah." }),
    )
    .await;
}

fn schemathesis(url: &str, token: &str, workdir: &Path) -> std::process::Output {
    let python_path = python_path();
    let version = Command::new("python3")
        .args(["-c", "import schemathesis; print(schemathesis.__version__)"])
        .env("PYTHONPATH", &python_path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}); run ./scripts/test.sh"));
    let found = String::from_utf8_lossy(&version.stdout).trim().to_string();
    assert_eq!(
        found,
        VERSION,
        "schemathesis {VERSION} is not installed in {python_path} ({}); run ./scripts/test.sh",
        String::from_utf8_lossy(&version.stderr).trim()
    );
    Command::new("python3")
        .args([
            "-c",
            "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'st'; sys.exit(schemathesis())",
            "--config-file",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis.toml"),
            "run",
            &format!("{url}/api/v1/openapi.json"),
            "--checks",
            "all",
            "--seed",
            "1",
            "--max-examples",
            "20",
            // One worker: CPython 3.11 can fail to parse hypothesis' lambdas from two threads.
            "--workers",
            "1",
            "--generation-database",
            "none",
            // Revoking the token would end the run's authentication.
            "--exclude-operation-id",
            "revoke_token",
            "--header",
            &format!("Authorization: Bearer {token}"),
            "--no-color",
            "--request-timeout",
            "20",
        ])
        .env("PYTHONPATH", &python_path)
        .env("SCHEMATHESIS_HOOKS", "")
        .current_dir(workdir)
        .output()
        .unwrap_or_else(|e| panic!("cannot start schemathesis ({e}); run ./scripts/test.sh"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failure_on_either_backend() {
    for db in store::testing::each_backend().await {
        let backend = db.backend().as_str();
        seed_org(&db).await;
        let app = spawn_app_with(db, test_config()).await;
        let admin = app.token("admin").await;
        seed(&app, &admin).await;
        let workdir = std::env::temp_dir().join(format!(
            "balai-schemathesis-{}-{backend}",
            std::process::id()
        ));
        std::fs::create_dir_all(&workdir).unwrap();
        let url = app.url.clone();
        let dir = workdir.clone();
        let output = tokio::task::spawn_blocking(move || schemathesis(&url, &admin, &dir))
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let _ = std::fs::remove_dir_all(&workdir);
        let report =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("schemathesis-{backend}.txt"));
        let _ = std::fs::write(&report, stdout.as_bytes());
        assert!(
            output.status.success(),
            "schemathesis found failures on {backend} (all of it in {}):\n{stdout}\n{}",
            report.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        println!("{backend}: {}", stdout.lines().last().unwrap_or(""));
    }
}

/// Under `/api/v1`, an unknown path is a 404 problem and a method a path does not take is a
/// 405 problem with `Allow`, as the document's description says.
#[tokio::test]
async fn unknown_paths_and_methods_answer_problems() {
    for db in store::testing::each_backend().await.into_iter().take(1) {
        let app = spawn_app_with(db, test_config()).await;
        let missing = app
            .client
            .get(app.at("/api/v1/tidak-ada"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
        assert_eq!(
            missing.headers()["content-type"],
            "application/problem+json"
        );
        let body: Value = missing.json().await.unwrap();
        assert_eq!(body["status"], 404);
        let wrong = app
            .client
            .patch(app.at("/api/v1/tickets"))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 405);
        let allow = wrong.headers()["allow"].to_str().unwrap().to_string();
        for method in ["GET", "POST"] {
            assert!(allow.contains(method), "Allow: {allow}");
        }
        assert_eq!(wrong.headers()["content-type"], "application/problem+json");
        let body: Value = wrong.json().await.unwrap();
        assert_eq!(body["status"], 405);
        let bad_id = app
            .client
            .get(app.at("/api/v1/cases/abc"))
            .send()
            .await
            .unwrap();
        assert_eq!(bad_id.status(), 400);
        assert_eq!(bad_id.headers()["content-type"], "application/problem+json");
    }
}
