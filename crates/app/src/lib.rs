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
}

impl App {
    pub fn new(db: Db) -> Self {
        Self { db }
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
