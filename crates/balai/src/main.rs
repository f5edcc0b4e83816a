mod config;
mod demo;

use clap::{Parser, Subcommand};
use config::Config;
use std::path::PathBuf;
use std::time::Duration;
use store::Db;

#[derive(Parser)]
#[command(
    name = "balai",
    version,
    about = "Balai: layanan pengaduan masyarakat (SMS, web, aplikasi) untuk pemerintah daerah"
)]
struct Cli {
    /// Configuration file (default: ./balai.toml when present).
    #[arg(long, global = true, env = "BALAI_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server and background workers.
    Serve {
        #[arg(long)]
        bind: Option<String>,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Start a demo: a SQLite file with the region "Kota Contoh", its users and sample tickets.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        #[arg(long, default_value = "data")]
        data_dir: PathBuf,
    },
    /// Create an administrator account.
    CreateAdmin {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Insert synthetic tickets in bulk (for benchmarks).
    Seed {
        #[arg(long)]
        tickets: usize,
        #[arg(long, default_value_t = 20)]
        agencies: usize,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Integrity checks.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify every ticket's hash-chained timeline; exits 1 and names the tickets whose chain is broken.
    Verify {
        #[arg(long)]
        database_url: Option<String>,
    },
}

fn load(
    cli_config: Option<&PathBuf>,
    database_url: Option<String>,
    bind: Option<String>,
) -> anyhow::Result<Config> {
    let mut config = Config::load(cli_config.map(PathBuf::as_path)).map_err(anyhow::Error::msg)?;
    if let Some(url) = database_url {
        config.database_url = url;
    }
    if let Some(bind) = bind {
        config.bind = bind;
    }
    config.validate().map_err(anyhow::Error::msg)?;
    Ok(config)
}

async fn open(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url).await.map_err(|e| {
        anyhow::anyhow!("cannot open database {}: {e}", redact(&config.database_url))
    })?;
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(db)
}

/// Hides the password in a database URL for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub async fn serve(config: Config, db: Db) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut workers = Vec::new();
    match (&config.smtp, config.workers.mail) {
        (Some(smtp), true) => {
            let interval = Duration::from_secs(config.workers.mail_interval_secs.max(1));
            workers.push(tokio::spawn(web::mail::run_worker(
                db.clone(),
                smtp.clone(),
                interval,
                stop_rx.clone(),
            )));
        }
        (None, _) => {
            tracing::warn!("no [smtp] configured: answers by email stay pending in the outbox")
        }
        _ => {}
    }
    let gateways = std::sync::Arc::new(
        sms::Gateways::new(config.gateway.clone()).map_err(anyhow::Error::msg)?,
    );
    if config.workers.sms && !config.gateway.is_empty() {
        let interval = Duration::from_millis(config.workers.sms_interval_ms.max(50));
        workers.push(tokio::spawn(gateways.clone().run_worker(
            db.clone(),
            interval,
            stop_rx.clone(),
        )));
    }
    let region = db.region().await?.name;
    let state = web::AppState::with_sms(
        db.clone(),
        config.web.clone(),
        config.smtp.clone(),
        gateways,
        config.sms.rules(&region),
    );
    tracing::info!(
        "Balai listening on http://{} ({})",
        config.bind,
        db.backend().as_str()
    );
    web::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    let _ = stop_tx.send(true);
    for worker in workers {
        let _ = worker.await;
    }
    db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn")
            }),
        )
        .init();
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let file = cli.config.as_ref();
    match cli.command {
        Command::Serve { bind, database_url } => {
            let config = load(file, database_url, bind)?;
            let db = open(&config).await?;
            serve(config, db).await
        }
        Command::Migrate { database_url } => {
            let config = load(file, database_url, None)?;
            open(&config).await?;
            println!("migrations applied to {}", redact(&config.database_url));
            Ok(())
        }
        Command::Demo { bind, data_dir } => demo::run(file, bind, data_dir).await,
        Command::CreateAdmin {
            username,
            password,
            database_url,
        } => {
            let config = load(file, database_url, None)?;
            let db = open(&config).await?;
            let user = store::org::NewUser {
                username: username.clone(),
                password,
                full_name: "Administrator".into(),
                role: "admin".into(),
                ..Default::default()
            };
            db.create_user(&user)
                .await
                .map_err(|e| anyhow::anyhow!("cannot create {username}: {e}"))?;
            println!("administrator {username} created");
            Ok(())
        }
        Command::Seed {
            tickets,
            agencies,
            database_url,
        } => {
            let config = load(file, database_url, None)?;
            let db = open(&config).await?;
            let started = std::time::Instant::now();
            let targets = store::bulk::ensure_agencies(&db, agencies).await?;
            let mut last_report = std::time::Instant::now();
            store::bulk::seed_tickets(&db, tickets, &targets, 365, |done| {
                if last_report.elapsed() > Duration::from_secs(2) || done == tickets {
                    eprintln!(
                        "{done}/{tickets} tickets ({:.0}/s)",
                        done as f64 / started.elapsed().as_secs_f64()
                    );
                    last_report = std::time::Instant::now();
                }
            })
            .await?;
            db.analyze().await?;
            println!(
                "seeded {tickets} tickets over {} agencies in {:.1} s",
                targets.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify { database_url },
        } => {
            let config = load(file, database_url, None)?;
            let db = open(&config).await?;
            let report = db.verify_chains().await?;
            println!(
                "checked {} tickets, {} events",
                report.tickets, report.events
            );
            if report.broken.is_empty() {
                println!("all timelines intact");
                return Ok(());
            }
            for broken in &report.broken {
                println!(
                    "BROKEN {} (ticket {}) at event {}: {}",
                    broken.register_number, broken.ticket_id, broken.seq, broken.reason
                );
            }
            std::process::exit(1);
        }
    }
}
