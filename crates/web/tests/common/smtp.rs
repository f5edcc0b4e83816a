//! A real SMTP server for the tests: aiosmtpd from PyPI (installed by scripts/test.sh into
//! `.tools/py`), writing what it receives into a maildir.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;
use store::testing::free_port;
use web::SmtpConfig;

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    maildir: PathBuf,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    /// Waits up to 5 s for a received message that `matches`; returns whether one came.
    pub async fn wait_for(&self, matches: impl Fn(&str) -> bool) -> bool {
        for _ in 0..50 {
            if let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) {
                for entry in entries.flatten() {
                    if matches(&std::fs::read_to_string(entry.path()).unwrap_or_default()) {
                        return true;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }
}

pub async fn start_smtp() -> SmtpServer {
    let python_path = std::env::var("BALAI_TEST_PYTHONPATH").unwrap_or_else(|_| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../.tools/py")
            .display()
            .to_string()
    });
    let port = free_port();
    let maildir = std::env::temp_dir().join(format!("balai-mail-{port}-{}", std::process::id()));
    let child = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir)
        .env("PYTHONPATH", &python_path)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start python3 -m aiosmtpd ({e}); run ./scripts/test.sh")
        });
    let server = SmtpServer {
        child,
        port,
        maildir,
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "aiosmtpd did not start on port {port} (PYTHONPATH={python_path}); run ./scripts/test.sh"
    );
}

pub fn smtp_config(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        username: None,
        password: None,
        from: "Balai <balai@kotacontoh.go.id>".into(),
        tls: "none".into(),
    }
}
