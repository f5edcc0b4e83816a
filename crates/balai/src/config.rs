//! Configuration: defaults, then `balai.toml` (or `--config`), then `BALAI_*` variables, then flags.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::Path;
use web::{SmtpConfig, WebConfig};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://PATH` (created when missing) or `postgres://user:pass@host/db`.
    pub database_url: String,
    pub bind: String,
    pub web: WebConfig,
    pub smtp: Option<SmtpConfig>,
    pub workers: WorkersConfig,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkersConfig {
    /// Send queued email (needs `[smtp]`).
    pub mail: bool,
    pub mail_interval_secs: u64,
}

impl Default for WorkersConfig {
    fn default() -> Self {
        Self {
            mail: true,
            mail_interval_secs: 5,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://balai.db".into(),
            bind: "127.0.0.1:8080".into(),
            web: WebConfig::default(),
            smtp: None,
            workers: WorkersConfig::default(),
        }
    }
}

const KNOWN_ENV: &[&str] = &["DATABASE_URL", "BIND", "WEB", "SMTP", "WORKERS", "CONFIG"];

impl Config {
    /// Loads the configuration. A missing default `balai.toml` is fine; a named file must exist.
    pub fn load(file: Option<&Path>) -> Result<Config, String> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(format!(
                    "configuration file {} does not exist",
                    path.display()
                ));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("balai.toml").exists() => {
                figment = figment.merge(Toml::file_exact("balai.toml"))
            }
            None => {}
        }
        for (key, _) in std::env::vars() {
            if let Some(rest) = key.strip_prefix("BALAI_") {
                let top = rest.split("__").next().unwrap_or_default();
                if !KNOWN_ENV.contains(&top) && !rest.starts_with("TEST_") {
                    eprintln!("warning: unknown environment variable {key} is ignored");
                }
            }
        }
        let figment = figment.merge(
            Env::prefixed("BALAI_")
                .filter(|key| {
                    let top = key.as_str().split("__").next().unwrap_or_default();
                    KNOWN_ENV
                        .iter()
                        .any(|known| known.eq_ignore_ascii_case(top))
                        && !top.eq_ignore_ascii_case("CONFIG")
                })
                .split("__"),
        );
        let config: Config = figment.extract().map_err(|e| {
            let key = e.path.join(".");
            if key.is_empty() {
                format!("invalid configuration: {e}")
            } else {
                format!("invalid configuration key `{key}`: {e}")
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), String> {
        let url = &self.database_url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(format!(
                "invalid configuration key `database_url`: must start with sqlite:// or postgres:// (got {url:?})"
            ));
        }
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(format!(
                "invalid configuration key `bind`: expected ADDRESS:PORT such as 127.0.0.1:8080 (got {:?})",
                self.bind
            ));
        }
        if self.web.session_ttl_hours <= 0 || self.web.token_ttl_hours <= 0 {
            return Err("invalid configuration key `web.session_ttl_hours`/`web.token_ttl_hours`: must be positive".into());
        }
        if let Some(smtp) = &self.smtp {
            smtp.validate()
                .map_err(|e| format!("invalid configuration: {e}"))?;
        }
        Ok(())
    }
}
