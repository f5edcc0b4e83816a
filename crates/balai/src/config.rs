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
    /// `[[gateway]]` tables: the SMS gateways.
    pub gateway: Vec<sms::GatewayConfig>,
    pub sms: SmsConfig,
}

/// Rules of SMS intake (`[sms]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsConfig {
    /// Automatic replies per sender per hour (breaks loops with other robots).
    pub autoreplies_per_hour: i64,
    /// Messages per sender per hour beyond which they are stored but flagged, not ticketed.
    pub flood_per_hour: i64,
    /// Promised answer time shown in the acknowledgement.
    pub answer_time_text: String,
    pub status_words: Vec<String>,
    pub help_words: Vec<String>,
    /// An SMS from a reporter asked a question within this many hours attaches to that ticket;
    /// 0 switches the rule off.
    pub attach_replies_within_hours: i64,
    /// SMS and email the public can trigger from the web form or the app (acknowledgements,
    /// "send my code by SMS") per destination per day.
    pub web_intake_per_day: i64,
}

impl Default for SmsConfig {
    fn default() -> Self {
        let reserved = domain::sms::ReservedWords::default();
        Self {
            autoreplies_per_hour: 5,
            flood_per_hour: 30,
            answer_time_text: "3 jam kerja".into(),
            status_words: reserved.status,
            help_words: reserved.help,
            attach_replies_within_hours: 72,
            web_intake_per_day: 3,
        }
    }
}

impl SmsConfig {
    pub fn rules(&self, region_name: &str) -> store::sms::SmsRules {
        store::sms::SmsRules {
            reserved: domain::sms::ReservedWords {
                status: self.status_words.clone(),
                help: self.help_words.clone(),
            },
            autoreplies_per_hour: self.autoreplies_per_hour,
            flood_per_hour: self.flood_per_hour,
            answer_time_text: self.answer_time_text.clone(),
            region_name: region_name.to_string(),
            attach_replies_within_ms: (self.attach_replies_within_hours > 0)
                .then(|| self.attach_replies_within_hours * 3_600_000),
            web_intake_per_day: self.web_intake_per_day.max(0),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkersConfig {
    /// Send queued email (needs `[smtp]`).
    pub mail: bool,
    pub mail_interval_secs: u64,
    /// Send queued SMS through the gateways.
    pub sms: bool,
    pub sms_interval_ms: u64,
    /// Escalate tickets past their deadline and restart clocks paused too long.
    pub deadlines: bool,
    pub deadlines_interval_secs: u64,
    /// Hourly and daily digests to officials (checked every `deadlines_interval_secs`).
    pub notifications: bool,
}

impl Default for WorkersConfig {
    fn default() -> Self {
        Self {
            mail: true,
            mail_interval_secs: 5,
            sms: true,
            sms_interval_ms: 500,
            deadlines: true,
            deadlines_interval_secs: 60,
            notifications: true,
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
            gateway: Vec::new(),
            sms: SmsConfig::default(),
        }
    }
}

const KNOWN_ENV: &[&str] = &[
    "DATABASE_URL",
    "BIND",
    "WEB",
    "SMTP",
    "WORKERS",
    "SMS",
    "CONFIG",
];

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
        sms::config::validate_all(&self.gateway)
            .map_err(|e| format!("invalid configuration key `gateway`: {e}"))?;
        if self.sms.autoreplies_per_hour < 0 || self.sms.flood_per_hour < 1 {
            return Err("invalid configuration key `sms.flood_per_hour`: must be at least 1 (and autoreplies_per_hour not negative)".into());
        }
        if let Some(smtp) = &self.smtp {
            smtp.validate()
                .map_err(|e| format!("invalid configuration: {e}"))?;
        }
        Ok(())
    }
}
