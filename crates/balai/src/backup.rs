//! `balai backup DIR` and `balai restore DIR`.
//!
//! A backup is a directory: `manifest.json` (written last, so a directory without it is an
//! interrupted backup) and the database copy, `database.sqlite` (SQLite, `VACUUM INTO` from a
//! reader while the server keeps writing) or `database.pgdump` (PostgreSQL, `pg_dump
//! --format=custom` of an exported snapshot). The manifest's `attachments` list is where the
//! e-office's attachment stores go: each entry names a store and the sub-directory holding its
//! copy; a restore refuses a manifest with entries it does not know how to restore.

use crate::config::Config;
use anyhow::{Context, anyhow, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;
use store::Db;
use store::backup::SnapshotCounts;

const FORMAT: &str = "balai-backup";
const VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "database.sqlite";
const PG_FILE: &str = "database.pgdump";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    created_at: String,
    balai_version: String,
    /// `sqlite` or `postgres`: a backup restores into the same kind of database.
    backend: String,
    /// File of the database copy, relative to the backup directory.
    database: String,
    counts: SnapshotCounts,
    /// Copies of attachment stores (none yet).
    #[serde(default)]
    attachments: Vec<serde_json::Value>,
}

pub async fn backup(config: &Config, dir: &Path) -> anyhow::Result<()> {
    prepare_empty_dir(dir)?;
    let result = write_backup(config, dir).await;
    if result.is_err() {
        // Leave nothing that looks like a backup.
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

async fn write_backup(config: &Config, dir: &Path) -> anyhow::Result<()> {
    if let Some(path) = sqlite_path(&config.database_url)
        && !path.exists()
    {
        bail!("no database at {}: nothing to back up", path.display());
    }
    let db = Db::connect(&config.database_url).await.map_err(|e| {
        anyhow!(
            "cannot open database {}: {e}",
            crate::redact(&config.database_url)
        )
    })?;
    if db.is_empty().await? {
        bail!(
            "the database {} is empty: nothing to back up",
            crate::redact(&config.database_url)
        );
    }
    let (file, counts) = match &db {
        Db::Sqlite { .. } => {
            let counts = db.sqlite_snapshot_into(&dir.join(SQLITE_FILE)).await?;
            (SQLITE_FILE, counts)
        }
        Db::Pg(_) => {
            let pg_dump = find_tool("pg_dump").ok_or_else(|| {
                missing_tool(
                    "pg_dump",
                    &pg_dump_args(&config.database_url, &dir.join(PG_FILE), None),
                )
            })?;
            let snapshot = db.pg_snapshot().await?;
            let args = pg_dump_args(&config.database_url, &dir.join(PG_FILE), Some(&snapshot.id));
            let ran = run_pg_tool(&pg_dump, &config.database_url, &args);
            let counts = snapshot.counts;
            snapshot.release().await?;
            ran?;
            (PG_FILE, counts)
        }
    };
    db.close().await;
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        balai_version: env!("CARGO_PKG_VERSION").into(),
        backend: db.backend().as_str().into(),
        database: file.into(),
        counts,
        attachments: Vec::new(),
    };
    let temp = dir.join(format!("{MANIFEST}.tmp"));
    std::fs::write(&temp, serde_json::to_vec_pretty(&manifest)?)?;
    std::fs::rename(&temp, dir.join(MANIFEST))?;
    println!(
        "backup written to {}: {} tickets, {} timeline events, {} users ({}, schema {})",
        dir.display(),
        counts.tickets,
        counts.ticket_events,
        counts.users,
        manifest.backend,
        counts.schema_version
    );
    Ok(())
}

pub async fn restore(config: &Config, dir: &Path) -> anyhow::Result<()> {
    let manifest = read_manifest(dir)?;
    let target_backend = if sqlite_path(&config.database_url).is_some() {
        "sqlite"
    } else {
        "postgres"
    };
    if manifest.backend != target_backend {
        bail!(
            "{} holds a {} backup; restore it into a {} database (database_url {} is {})",
            dir.display(),
            manifest.backend,
            manifest.backend,
            crate::redact(&config.database_url),
            target_backend
        );
    }
    let source = dir.join(&manifest.database);
    if !source.is_file() {
        bail!("{} is missing from the backup", source.display());
    }
    refuse_non_empty(config).await?;
    match sqlite_path(&config.database_url) {
        Some(target) => copy_sqlite(&source, &target)?,
        None => {
            let args = pg_restore_args(&config.database_url, &source);
            let pg_restore =
                find_tool("pg_restore").ok_or_else(|| missing_tool("pg_restore", &args))?;
            run_pg_tool(&pg_restore, &config.database_url, &args)?;
        }
    }
    // A backup of an older release is brought to the current schema.
    let db = crate::open(config).await?;
    let restored = db.snapshot_counts().await?;
    let expected = manifest.counts;
    if (restored.tickets, restored.ticket_events, restored.users)
        != (expected.tickets, expected.ticket_events, expected.users)
    {
        bail!(
            "restored {} tickets, {} events, {} users but the backup recorded {}, {}, {}",
            restored.tickets,
            restored.ticket_events,
            restored.users,
            expected.tickets,
            expected.ticket_events,
            expected.users
        );
    }
    db.close().await;
    println!(
        "restored {} tickets, {} timeline events, {} users from {} (schema {} → {}); check the timelines with `balai audit verify`",
        restored.tickets,
        restored.ticket_events,
        restored.users,
        dir.display(),
        expected.schema_version,
        restored.schema_version
    );
    Ok(())
}

fn prepare_empty_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir)
            .with_context(|| format!("{} exists and is not a directory", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty: a backup goes into a new directory",
                dir.display()
            );
        }
        return Ok(());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

fn read_manifest(dir: &Path) -> anyhow::Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read(&path).map_err(|e| {
        anyhow!(
            "cannot read {}: {e} (a backup directory holds {MANIFEST}; without it the backup is incomplete)",
            path.display()
        )
    })?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| anyhow!("{} is not a Balai backup manifest: {e}", path.display()))?;
    if manifest.format != FORMAT || manifest.version != VERSION {
        bail!(
            "{} is {} version {}; this balai restores {FORMAT} version {VERSION}",
            path.display(),
            manifest.format,
            manifest.version
        );
    }
    if !manifest.attachments.is_empty() {
        bail!(
            "{} lists attachment stores this balai cannot restore; use the balai release that made it",
            path.display()
        );
    }
    if manifest.database.contains('/') || manifest.database.contains("..") {
        bail!(
            "{}: `database` must name a file in the backup directory",
            path.display()
        );
    }
    Ok(manifest)
}

async fn refuse_non_empty(config: &Config) -> anyhow::Result<()> {
    if let Some(path) = sqlite_path(&config.database_url)
        && (!path.exists() || std::fs::metadata(&path)?.len() == 0)
    {
        return Ok(());
    }
    let db = Db::connect(&config.database_url).await.map_err(|e| {
        anyhow!(
            "cannot open database {}: {e}",
            crate::redact(&config.database_url)
        )
    })?;
    let empty = db.is_empty().await?;
    db.close().await;
    if !empty {
        bail!(
            "the database {} is not empty: restore only into a new, empty database (create one, point database_url at it, and run balai restore again)",
            crate::redact(&config.database_url)
        );
    }
    Ok(())
}

/// Copies the backup's file next to the target, then renames it into place.
fn copy_sqlite(source: &Path, target: &Path) -> anyhow::Result<()> {
    let mut temp = target.as_os_str().to_owned();
    temp.push(".restoring");
    let temp = PathBuf::from(temp);
    std::fs::copy(source, &temp).with_context(|| format!("cannot write {}", temp.display()))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&temp, target).with_context(|| format!("cannot write {}", target.display()))
}

/// The file of a `sqlite:` URL; `None` for PostgreSQL.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    Some(PathBuf::from(path))
}

fn find_tool(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file())
}

fn pg_dump_args(url: &str, file: &Path, snapshot: Option<&str>) -> Vec<String> {
    let mut args = vec![
        "--format=custom".to_string(),
        format!("--file={}", file.display()),
    ];
    if let Some(id) = snapshot {
        args.push(format!("--snapshot={id}"));
    }
    args.push(format!("--dbname={}", without_password(url).0));
    args
}

fn pg_restore_args(url: &str, file: &Path) -> Vec<String> {
    vec![
        "--exit-on-error".into(),
        "--single-transaction".into(),
        "--no-owner".into(),
        "--no-privileges".into(),
        format!("--dbname={}", without_password(url).0),
        file.display().to_string(),
    ]
}

fn missing_tool(name: &str, args: &[String]) -> anyhow::Error {
    anyhow!(
        "{name} was not found on PATH; install the PostgreSQL client of the server's version \
         (Debian: apt-get install postgresql-client) or run it yourself:\n  \
         PGPASSWORD=… {name} {}",
        args.join(" ")
    )
}

/// Runs pg_dump or pg_restore; the password goes through `PGPASSWORD`, never the command line.
fn run_pg_tool(tool: &Path, url: &str, args: &[String]) -> anyhow::Result<()> {
    let mut command = Command::new(tool);
    command.args(args);
    if let (_, Some(password)) = without_password(url) {
        command.env("PGPASSWORD", password);
    }
    let output = command
        .output()
        .with_context(|| format!("cannot run {}", tool.display()))?;
    if !output.status.success() {
        bail!(
            "{} failed ({}): {}",
            tool.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// A PostgreSQL URL without its password, and the password (percent-decoded).
fn without_password(url: &str) -> (String, Option<String>) {
    let (Some(scheme), Some(at)) = (url.find("://"), url.rfind('@')) else {
        return (url.to_string(), None);
    };
    if at < scheme {
        return (url.to_string(), None);
    }
    match url[scheme + 3..at].split_once(':') {
        Some((user, password)) => (
            format!("{}{user}{}", &url[..scheme + 3], &url[at..]),
            Some(percent_decode(password)),
        ),
        None => (url.to_string(), None),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            without_password("postgres://balai:p%40ss@db:5432/balai?sslmode=require"),
            (
                "postgres://balai@db:5432/balai?sslmode=require".to_string(),
                Some("p@ss".to_string())
            )
        );
        assert_eq!(
            without_password("postgres://balai@db/balai"),
            ("postgres://balai@db/balai".to_string(), None)
        );
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite:///var/lib/balai.db"),
            Some("/var/lib/balai.db".into())
        );
        assert_eq!(
            sqlite_path("sqlite://balai.db?mode=rwc"),
            Some("balai.db".into())
        );
        assert_eq!(sqlite_path("postgres://x@y/z"), None);
    }
}
