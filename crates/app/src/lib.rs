//! The application layer: one service per aggregate. A command loads what it needs through
//! `store`, asks `domain` to decide, and has `store` apply the decision in one transaction.
//! Web handlers, the CLI and the workers call this layer; reads (lists, pages, reports) go
//! straight to `store` through `Deref`.

mod bulk;
mod digests;
mod dispositions;
mod notices;
mod outbox;
mod sms_intake;
mod sweeps;
mod texts;
mod tickets;
mod workflow;

pub use sms_intake::{MAX_BATCH, SmsIntake};

pub use store::{Access, Db, Result, StoreError};

/// The application: the database and the commands that change it.
#[derive(Clone, Debug)]
pub struct App {
    db: Db,
    /// Where the public site is (`web.public_url`): links in emails to citizens start with it.
    public_url: Option<std::sync::Arc<str>>,
}

impl App {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            public_url: None,
        }
    }

    /// Links in the emails to reporters are absolute under `url`.
    pub fn with_public_url(mut self, url: &str) -> Self {
        let url = url.trim().trim_end_matches('/');
        self.public_url = (!url.is_empty()).then(|| url.into());
        self
    }

    pub(crate) fn public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }
}

impl std::ops::Deref for App {
    type Target = Db;

    fn deref(&self) -> &Db {
        &self.db
    }
}

pub mod testing;

impl From<Db> for App {
    fn from(db: Db) -> Self {
        App::new(db)
    }
}
