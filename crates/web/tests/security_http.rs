//! Slow clients, response headers and `/metrics`, over raw TCP where the client library
//! would hide what the server does.

mod common;

use common::*;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use web::WebConfig;

async fn app_with(config: WebConfig) -> TestApp {
    let db = store::testing::migrated(&store::testing::sqlite_url()).await;
    seed_org(&db).await;
    spawn_app_with(db, config).await
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.url.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes; what it sent, or `None` if it kept the connection open.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&received).into()),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

fn slow_config() -> WebConfig {
    WebConfig {
        header_read_timeout_secs: 1,
        request_timeout_secs: 1,
        ..test_config()
    }
}

#[tokio::test]
async fn an_idle_connection_is_closed() {
    let app = app_with(slow_config()).await;
    let mut idle = connect(&app).await;
    let started = Instant::now();
    assert!(
        read_until_closed(&mut idle, Duration::from_secs(5))
            .await
            .is_some(),
        "an idle connection is held open"
    );
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off() {
    let app = app_with(slow_config()).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut closed = false;
    for n in 0..40 {
        // One header byte every 100 ms: never a complete request.
        if stream.write_all(b"X").await.is_err() {
            closed = true;
            break;
        }
        if n % 5 == 4
            && let Ok(Ok(0) | Err(_)) =
                tokio::time::timeout(Duration::from_millis(1), stream.read(&mut [0u8; 64])).await
        {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(closed, "the trickling connection is still open");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_client_trickling_its_body_gets_408() {
    let app = app_with(slow_config()).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(
            b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
        )
        .await
        .unwrap();
    let writer = tokio::spawn(async move {
        for _ in 0..30 {
            if stream.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        stream
    });
    let mut stream = writer.await.unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(3))
        .await
        .unwrap_or_default();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let app = app_with(WebConfig {
        max_connections: 1,
        header_read_timeout_secs: 2,
        ..test_config()
    })
    .await;
    let _holding_the_only_slot = connect(&app).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let response = app.client.get(app.at("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "served only once the idle connection was closed: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn cookies_are_secure_when_the_public_address_is_https() {
    for (public_url, secure) in [
        ("https://lapor.contoh.go.id", true),
        ("http://127.0.0.1:8080", false),
    ] {
        let app = app_with(WebConfig {
            public_url: public_url.into(),
            ..test_config()
        })
        .await;
        let response = app
            .client
            .post(app.at("/masuk"))
            .form(&[("username", "admin"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(
            cookie.contains("; Secure"),
            secure,
            "{public_url}: {cookie}"
        );
    }
}

#[tokio::test]
async fn pages_carry_a_content_security_policy() {
    let app = app_with(test_config()).await;
    for path in ["/", "/kasus", "/masuk", "/api/v1/cases"] {
        let response = app.client.get(app.at(path)).send().await.unwrap();
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap();
        assert!(csp.starts_with("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("https://tile.openstreetmap.org"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    }
}

async fn metrics_status(app: &TestApp, headers: &[(&str, &str)]) -> u16 {
    let mut request = app.client.get(app.at("/metrics"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn metrics_are_open_only_to_allowed_addresses_or_the_token() {
    let local = app_with(test_config()).await;
    assert_eq!(
        metrics_status(&local, &[]).await,
        200,
        "loopback by default"
    );
    // Through a local proxy that is not trusted, the client is unknown: refused.
    let forwarded = [("x-forwarded-for", "203.0.113.9")];
    assert_eq!(metrics_status(&local, &forwarded).await, 403);

    let closed = app_with(WebConfig {
        metrics_allow: vec!["10.0.0.0/8".parse().unwrap()],
        metrics_token: Some("metrik-rahasia-123".into()),
        ..test_config()
    })
    .await;
    assert_eq!(metrics_status(&closed, &[]).await, 403);
    let wrong = [("authorization", "Bearer metrik-salah-000")];
    assert_eq!(metrics_status(&closed, &wrong).await, 403);
    let right = [("authorization", "Bearer metrik-rahasia-123")];
    assert_eq!(metrics_status(&closed, &right).await, 200);

    let behind_proxy = app_with(WebConfig {
        trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
        metrics_allow: vec!["10.1.0.0/16".parse().unwrap()],
        ..test_config()
    })
    .await;
    let monitor = [("x-forwarded-for", "10.1.2.3")];
    assert_eq!(metrics_status(&behind_proxy, &monitor).await, 200);
    assert_eq!(metrics_status(&behind_proxy, &forwarded).await, 403);
}
