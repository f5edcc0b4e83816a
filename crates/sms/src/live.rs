//! The gateways in force, reloaded while Balai runs: those of `balai.toml` plus those the admin
//! manages in the web UI (stored in the database). Every node checks the stored revision every
//! few seconds (at once on the node where the admin saved), builds the new set, starts its
//! sessions (SMPP binds, gammu pollers), swaps it in and stops the old set's sessions.

use crate::config::{GatewayConfig, validate_all};
use crate::sender::Gateways;
use crate::sink::{Sink, StoredGateway};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// How often a node looks for gateway changes made on another node.
pub const RELOAD_EVERY: Duration = Duration::from_secs(5);

/// The gateways of the configuration file and the enabled stored ones, with the problems that
/// kept a stored gateway out (shown to the admin).
pub fn merge(
    file: &[GatewayConfig],
    stored: &[StoredGateway],
) -> (Vec<GatewayConfig>, Vec<String>) {
    let mut configs = file.to_vec();
    let mut problems = Vec::new();
    for row in stored.iter().filter(|g| g.enabled) {
        match parse_stored(row) {
            Ok(config) if configs.iter().any(|c| c.name == config.name) => problems.push(format!(
                "gateway {}: the name is already used in balai.toml",
                config.name
            )),
            Ok(mut config) => {
                if config.default && configs.iter().any(|c| c.default) {
                    problems.push(format!(
                        "gateway {}: another gateway is already the default",
                        config.name
                    ));
                    config.default = false;
                }
                configs.push(config);
            }
            Err(problem) => problems.push(problem),
        }
    }
    (configs, problems)
}

/// A stored gateway's settings, checked as a `[[gateway]]` table would be.
pub fn parse_stored(row: &StoredGateway) -> Result<GatewayConfig, String> {
    let mut config: GatewayConfig = serde_json::from_str(&row.settings)
        .map_err(|e| format!("gateway {}: stored settings unreadable: {e}", row.name))?;
    config.name = row.name.clone();
    config.validate()?;
    Ok(config)
}

/// The current set of gateways, swapped as a whole when the admin changes one.
pub struct LiveGateways {
    file: Vec<GatewayConfig>,
    current: RwLock<Arc<Gateways>>,
    problems: RwLock<Vec<String>>,
    changed: Notify,
    /// False for a fixed set (tests, or a server started without the supervisor).
    reloads: bool,
    /// The sessions of the current set, handed to `supervise`.
    running: std::sync::Mutex<Option<Running>>,
}

struct Running {
    stop: watch::Sender<bool>,
    pollers: Vec<JoinHandle<()>>,
    gateways: Arc<Gateways>,
}

impl LiveGateways {
    /// A set that never changes.
    pub fn fixed(gateways: Arc<Gateways>) -> Arc<Self> {
        Arc::new(Self {
            file: gateways.configs().to_vec(),
            current: RwLock::new(gateways),
            problems: RwLock::new(Vec::new()),
            changed: Notify::new(),
            reloads: false,
            running: std::sync::Mutex::new(None),
        })
    }

    /// The file's gateways (checked; an error names the bad key) plus the stored ones, with
    /// their sessions started (SMPP binds, gammu pollers), so that nothing is sent through a
    /// gateway whose session is not running. Call inside the runtime; then run `supervise`.
    pub async fn start(sink: &Sink, file: Vec<GatewayConfig>) -> Result<Arc<Self>, String> {
        validate_all(&file)?;
        let live = Arc::new(Self {
            file,
            current: RwLock::new(Arc::new(Gateways::none())),
            problems: RwLock::new(Vec::new()),
            changed: Notify::new(),
            reloads: true,
            running: std::sync::Mutex::new(None),
        });
        let (configs, problems) = live.merged(sink).await?;
        let running = live.start_set(sink, configs)?;
        live.set(running.gateways.clone(), problems);
        if let Ok(mut slot) = live.running.lock() {
            *slot = Some(running);
        }
        Ok(live)
    }

    pub fn current(&self) -> Arc<Gateways> {
        self.current
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Gateways of `balai.toml`: shown to the admin, not editable in the UI.
    pub fn file_gateways(&self) -> &[GatewayConfig] {
        &self.file
    }

    /// Why stored gateways were left out at the last reload.
    pub fn problems(&self) -> Vec<String> {
        self.problems.read().map(|p| p.clone()).unwrap_or_default()
    }

    pub fn reloads(&self) -> bool {
        self.reloads
    }

    /// The admin changed a gateway on this node: reload now rather than at the next check.
    pub fn changed(&self) {
        self.changed.notify_one();
    }

    fn set(&self, gateways: Arc<Gateways>, problems: Vec<String>) {
        if let Ok(mut current) = self.current.write() {
            *current = gateways;
        }
        if let Ok(mut p) = self.problems.write() {
            *p = problems;
        }
    }

    async fn merged(&self, sink: &Sink) -> Result<(Vec<GatewayConfig>, Vec<String>), String> {
        let stored = sink.stored_gateways().await.map_err(|e| e.to_string())?;
        let (configs, problems) = merge(&self.file, &stored);
        for problem in &problems {
            tracing::warn!("{problem}");
        }
        Ok((configs, problems))
    }

    fn start_set(&self, sink: &Sink, configs: Vec<GatewayConfig>) -> Result<Running, String> {
        let mut gateways = Gateways::new(configs)?;
        let (stop, stopped) = watch::channel(false);
        gateways.start_smpp(sink, stopped.clone());
        let pollers = gateways.start_gammu_pollers(sink, stopped);
        Ok(Running {
            stop,
            pollers,
            gateways: Arc::new(gateways),
        })
    }

    /// Runs the sessions of the current set and replaces the set when the stored gateways
    /// change, until `shutdown` turns true.
    pub async fn supervise(self: Arc<Self>, sink: Sink, mut shutdown: watch::Receiver<bool>) {
        let mut revision = sink.gateways_revision().await.unwrap_or(-1);
        let started = self.running.lock().ok().and_then(|mut slot| slot.take());
        let mut running = match started {
            Some(running) => running,
            None => match self.start_set(&sink, self.current().configs().to_vec()) {
                Ok(running) => {
                    self.set(running.gateways.clone(), self.problems());
                    running
                }
                Err(e) => {
                    tracing::error!("SMS gateways: {e}");
                    return;
                }
            },
        };
        loop {
            tokio::select! {
                _ = tokio::time::sleep(RELOAD_EVERY) => {}
                _ = self.changed.notified() => {}
                stopped = shutdown.changed() => if stopped.is_err() { break },
            }
            if *shutdown.borrow() {
                break;
            }
            let now = match sink.gateways_revision().await {
                Ok(now) => now,
                Err(e) => {
                    tracing::warn!("SMS gateways: cannot read the revision: {e}");
                    continue;
                }
            };
            if now == revision {
                continue;
            }
            let next = match self.merged(&sink).await {
                Ok((configs, problems)) => self
                    .start_set(&sink, configs)
                    .map(|running| (running, problems)),
                Err(e) => Err(e),
            };
            match next {
                Ok((next, problems)) => {
                    revision = now;
                    self.set(next.gateways.clone(), problems);
                    let old = std::mem::replace(&mut running, next);
                    stop(old).await;
                    tracing::info!(
                        "SMS gateways reloaded: {}",
                        self.current()
                            .configs()
                            .iter()
                            .map(|g| g.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                Err(e) => tracing::error!("SMS gateways not reloaded: {e}"),
            }
        }
        stop(running).await;
    }

    /// Drains the outbox through whatever set is current, every `interval`.
    pub async fn run_sender(
        self: Arc<Self>,
        sink: Sink,
        interval: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            if let Err(e) = self.current().send_due(&sink).await {
                tracing::error!("SMS sender: {e}");
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                stopped = shutdown.changed() => if stopped.is_err() { break },
            }
            if *shutdown.borrow() {
                break;
            }
        }
    }
}

async fn stop(running: Running) {
    let _ = running.stop.send(true);
    for poller in running.pollers {
        let _ = poller.await;
    }
    for config in running.gateways.configs() {
        if let Some(session) = running.gateways.smpp(&config.name) {
            let _ = tokio::time::timeout(Duration::from_secs(5), session.stopped()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GatewayKind;

    fn stored(name: &str, settings: &str, enabled: bool) -> StoredGateway {
        StoredGateway {
            name: name.into(),
            settings: settings.into(),
            enabled,
            updated_at: 0,
        }
    }

    #[test]
    fn stored_gateways_join_the_file_ones_unless_they_clash() {
        let file = vec![GatewayConfig {
            name: "kannel".into(),
            kind: Some(GatewayKind::Dev),
            default: true,
            ..Default::default()
        }];
        let (configs, problems) = merge(
            &file,
            &[
                stored("hp", r#"{"name":"x","kind":"dev","default":true}"#, true),
                stored("kannel", r#"{"name":"kannel","kind":"dev"}"#, true),
                stored("off", r#"{"name":"off","kind":"dev"}"#, false),
                stored("broken", r#"{"name":"broken","kind":"kannel"}"#, true),
                stored("typo", r#"{"name":"typo","kind":"dev","hots":"x"}"#, true),
            ],
        );
        let names: Vec<_> = configs
            .iter()
            .map(|c| (c.name.as_str(), c.default))
            .collect();
        assert_eq!(names, [("kannel", true), ("hp", false)]);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].contains("default"));
        assert!(problems[1].contains("balai.toml"));
        assert!(problems[2].contains("sendsms_url"));
        assert!(problems[3].contains("hots"));
    }
}
