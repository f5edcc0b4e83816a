mod backup;
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
        /// Spread the tickets' receipt over this many days before now.
        #[arg(long, default_value_t = 365)]
        days: i64,
        /// Every seeded ticket is answered (to benchmark a million published cases with
        /// `balai publish --synthetic-answers`).
        #[arg(long)]
        all_answered: bool,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Publish answered, non-confidential tickets that are not published yet (tickets are
    /// published when answered; this catches up, e.g. after an import). Safe to rerun.
    Publish {
        /// Also publish seeded tickets that have no answer on their timeline, with a generated
        /// answer (benchmarks only).
        #[arg(long)]
        synthetic_answers: bool,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Back up the database into a new directory (manifest.json and the database copy); safe
    /// while the server runs. PostgreSQL needs `pg_dump` on PATH.
    Backup {
        dir: PathBuf,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Restore a backup directory into an empty database (refuses one that holds tables), then
    /// migrate it to this release. PostgreSQL needs `pg_restore` on PATH.
    Restore {
        dir: PathBuf,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Integrity checks.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Send the digests to officials that are due at an instant (the server does this every
    /// minute); each goes out once per period, so running it again sends nothing new.
    Notify {
        /// RFC 3339 instant; default now.
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Write a report file: `balai report monthly --agency DISHUB --period 2026-10 --format
    /// xlsx -o rekap.xlsx`; `semester` takes `--period 2026-S2` and an optional agency;
    /// `liaison` (liaison officers) a month and an optional agency; `problems` (the
    /// secretariat's recap of problems) a month or a semester and an optional agency.
    Report {
        /// monthly, semester, liaison or problems.
        kind: String,
        /// Agency code (required for monthly).
        #[arg(long)]
        agency: Option<String>,
        /// `YYYY-MM` or `YYYY-S1` / `YYYY-S2`.
        #[arg(long)]
        period: String,
        /// xlsx, pdf or csv.
        #[arg(long, default_value = "xlsx")]
        format: String,
        /// Output file.
        #[arg(short = 'o', long)]
        output: PathBuf,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// The working-time calendar: check deadlines, load holidays.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Print the instant `--add` after `--start` under the region's calendar, e.g.
    /// `balai calendar due --start 2026-11-27T15:00:00+07:00 --add 2wd`. Durations: `30m`, `3h`,
    /// `1d` (clock time), `90wm`, `5wh` (working minutes, hours), `2wd` (working days).
    Due {
        #[arg(long)]
        start: String,
        #[arg(long)]
        add: String,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Holidays and cuti bersama.
    Holidays {
        #[command(subcommand)]
        command: HolidaysCommand,
    },
}

#[derive(Subcommand)]
enum HolidaysCommand {
    /// Load holidays from a CSV file with the header `date,name` or an iCalendar (.ics) file.
    Import {
        file: PathBuf,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// List the holidays.
    List {
        #[arg(long)]
        database_url: Option<String>,
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
    let region = db.region().await?.name;
    let sms_rules = config.sms.rules(&region);
    // The gateways hand what they receive and learn to the database, where intake applies
    // the rules.
    let sms_sink = web::sms_sink::StoreSink::shared(db.clone(), sms_rules.clone());
    // The file's gateways plus those the admin stored; sessions (SMPP binds, gammu pollers)
    // run on every node and follow the admin's changes.
    let gateways = sms::LiveGateways::start(&sms_sink, config.gateway.clone())
        .await
        .map_err(anyhow::Error::msg)?;
    workers.push(tokio::spawn(
        gateways
            .clone()
            .supervise(sms_sink.clone(), stop_rx.clone()),
    ));
    if config.workers.sms {
        let interval = Duration::from_millis(config.workers.sms_interval_ms.max(50));
        workers.push(tokio::spawn(gateways.clone().run_sender(
            sms_sink,
            interval,
            stop_rx.clone(),
        )));
    }
    if config.workers.deadlines || config.workers.notifications {
        let interval = Duration::from_secs(config.workers.deadlines_interval_secs.max(1));
        workers.push(tokio::spawn(scheduler(
            app::App::new(db.clone()),
            config.workers.clone(),
            config.web.public_url.clone(),
            interval,
            stop_rx.clone(),
        )));
    }
    let state = web::AppState::with_live_gateways(
        db.clone(),
        config.web.clone(),
        config.smtp.clone(),
        gateways,
        sms_rules,
    );
    tracing::info!(
        "Balai listening on http://{} ({})",
        config.bind,
        db.backend().as_str()
    );
    web::serve(listener, state, shutdown_signal()).await?;
    let _ = stop_tx.send(true);
    for worker in workers {
        let _ = worker.await;
    }
    db.close().await;
    Ok(())
}

async fn calendar(file: Option<&PathBuf>, command: CalendarCommand) -> anyhow::Result<()> {
    match command {
        CalendarCommand::Due {
            start,
            add,
            database_url,
        } => {
            let start = chrono::DateTime::parse_from_rfc3339(start.trim()).map_err(|e| {
                anyhow::anyhow!("--start {start:?} is not an RFC 3339 instant (e.g. 2026-11-27T15:00:00+07:00): {e}")
            })?;
            let duration: domain::calendar::Duration = add
                .parse()
                .map_err(|e| anyhow::anyhow!("--add {add:?}: {e}"))?;
            let config = load(file, database_url, None)?;
            let db = open(&config).await?;
            let deadlines = db.deadlines().await?;
            let due = deadlines
                .calendar
                .checked_add(start.with_timezone(&chrono::Utc), duration)
                .ok_or_else(|| anyhow::anyhow!("the due instant is out of range"))?;
            println!(
                "{}",
                due.with_timezone(&deadlines.calendar.zone())
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
            );
            Ok(())
        }
        CalendarCommand::Holidays {
            command:
                HolidaysCommand::Import {
                    file: path,
                    database_url,
                },
        } => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            let days = domain::calendar::parse_holidays(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let config = load(file, database_url, None)?;
            let db = open(&config).await?;
            let new = db.add_holidays(&days).await?;
            println!(
                "{} holidays read from {}, {new} new",
                days.len(),
                path.display()
            );
            Ok(())
        }
        CalendarCommand::Holidays {
            command: HolidaysCommand::List { database_url },
        } => {
            let config = load(file, database_url, None)?;
            let db = open(&config).await?;
            for holiday in db.holidays().await? {
                println!("{}\t{}", holiday.day, holiday.name);
            }
            Ok(())
        }
    }
}

/// Every `interval` until shutdown: escalates passed deadlines (`app::sweeps`) and sends the
/// digests that are due (`app::digests`). Safe on several nodes at once.
async fn scheduler(
    db: app::App,
    workers: config::WorkersConfig,
    base_url: String,
    interval: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let now = store::now_ms();
        if workers.deadlines {
            match db.sweep_deadlines(now, &base_url).await {
                Ok(report)
                    if report.breached > 0
                        || report.resumed > 0
                        || report.dispositions_overdue > 0 =>
                {
                    tracing::info!(
                        "deadlines: {} tickets and {} dispositions escalated ({} messages), {} paused clocks restarted",
                        report.breached,
                        report.dispositions_overdue,
                        report.notified,
                        report.resumed
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::error!("deadline sweep: {e}"),
            }
        }
        if workers.notifications {
            for (kind, run) in [
                ("hourly", db.send_hourly_digests(now, &base_url).await),
                ("daily", db.send_daily_digests(now, &base_url).await),
                (
                    "report reminder",
                    db.send_report_reminders(now, &base_url).await,
                ),
            ] {
                match run {
                    Ok(report) if report.recipients > 0 => tracing::info!(
                        "{kind} digest: {} officials, {} messages",
                        report.recipients,
                        report.messages
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::error!("{kind} digest: {e}"),
                }
            }
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

/// Ctrl-C, or SIGTERM from systemd or a container runtime.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
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
            days,
            all_answered,
            database_url,
        } => {
            let config = load(file, database_url, None)?;
            let db = open(&config).await?;
            let started = std::time::Instant::now();
            let targets = store::bulk::ensure_agencies(&db, agencies).await?;
            let mut last_report = std::time::Instant::now();
            let statuses: &[&str] = if all_answered {
                &["answered"]
            } else {
                store::bulk::STATUSES
            };
            store::bulk::seed_tickets_with(&db, tickets, &targets, days.max(1), statuses, |done| {
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
        Command::Publish {
            synthetic_answers,
            database_url,
        } => {
            let config = load(file, database_url, None)?;
            let db = open(&config).await?;
            let started = std::time::Instant::now();
            let published = db.publish_pending(5_000).await?;
            let synthetic = if synthetic_answers {
                let mut last_report = std::time::Instant::now();
                app::App::new(db.clone())
                    .publish_seeded(|done| {
                        if last_report.elapsed() > Duration::from_secs(2) {
                            eprintln!(
                                "{done} seeded cases published ({:.0}/s)",
                                done as f64 / started.elapsed().as_secs_f64()
                            );
                            last_report = std::time::Instant::now();
                        }
                    })
                    .await?
            } else {
                0
            };
            db.analyze().await?;
            println!(
                "published {published} answered tickets and {synthetic} seeded ones in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Calendar { command } => calendar(file, command).await,
        Command::Backup { dir, database_url } => {
            backup::backup(&load(file, database_url, None)?, &dir).await
        }
        Command::Restore { dir, database_url } => {
            backup::restore(&load(file, database_url, None)?, &dir).await
        }
        Command::Report {
            kind,
            agency,
            period,
            format,
            output,
            database_url,
        } => {
            let kind: report::Kind = kind.parse().map_err(anyhow::Error::msg)?;
            let format: report::Format = format.parse().map_err(anyhow::Error::msg)?;
            let period: store::reports::Period = period.parse().map_err(anyhow::Error::msg)?;
            let config = load(file, database_url, None)?;
            let db = open(&config).await?;
            // The command line acts for the whole region, like an administrator.
            let actor = store::Access::system(domain::UserId(0), domain::Role::Admin);
            let started = std::time::Instant::now();
            let request = report::Request {
                kind,
                agency,
                period,
            };
            let built = report::build(&db, &actor, &request, store::now_ms()).await?;
            let queried = started.elapsed();
            let bytes = built.render(format)?;
            std::fs::write(&output, &bytes)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", output.display()))?;
            println!(
                "{} {} written to {} ({} rows, {} bytes; query {:.2} s, render {:.2} s)",
                kind.as_str(),
                format.extension(),
                output.display(),
                built.rows(),
                bytes.len(),
                queried.as_secs_f64(),
                (started.elapsed() - queried).as_secs_f64()
            );
            Ok(())
        }
        Command::Notify { at, database_url } => {
            let now = match at {
                Some(at) => chrono::DateTime::parse_from_rfc3339(at.trim())
                    .map_err(|e| anyhow::anyhow!("--at {at:?} is not an RFC 3339 instant: {e}"))?
                    .timestamp_millis(),
                None => store::now_ms(),
            };
            let config = load(file, database_url, None)?;
            let db = app::App::new(open(&config).await?);
            let base = &config.web.public_url;
            let started = std::time::Instant::now();
            let hourly = db.send_hourly_digests(now, base).await?;
            let hourly_time = started.elapsed();
            let daily = db.send_daily_digests(now, base).await?;
            let reminders = db.send_report_reminders(now, base).await?;
            println!(
                "report reminders: {} officials, {} messages",
                reminders.recipients, reminders.messages
            );
            println!(
                "hourly digest: {} officials, {} messages ({:.2} s); daily digest: {} officials, {} messages ({:.2} s)",
                hourly.recipients,
                hourly.messages,
                hourly_time.as_secs_f64(),
                daily.recipients,
                daily.messages,
                (started.elapsed() - hourly_time).as_secs_f64()
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
