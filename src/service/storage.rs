//! The database file itself, for the command line: opening it (migrating as needed) and
//! writing a consistent copy while the server runs.

use std::path::Path;

use crate::db::{self, Db};

pub async fn open(path: &Path) -> anyhow::Result<Db> {
    db::open(path).await
}

pub async fn backup(db: &Db, dest: &Path) -> anyhow::Result<()> {
    db::backup(db, dest).await
}
