//! The store plumbing every cmr service shares: one way to open a database from its URL
//! (`sqlite://path?mode=rwc` or `postgres://...`) and apply a service's migrations.

use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

/// Connects to `url` with SQL logging off, a 10 s connect timeout, and a pool of 4
/// connections for SQLite or 16 otherwise.
///
/// SQLite files use write-ahead logging: readers (a batch streaming out) no longer wait for
/// a writer (an upload committing), and each commit appends to the log instead of copying
/// pages to a rollback journal. `synchronous` stays FULL, so a committed transaction
/// survives a power cut, not only a crash.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .max_connections(if url.starts_with("sqlite") { 4 } else { 16 })
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
        });
    Database::connect(options).await
}

/// [`connect`]s to `url` and applies every pending migration of `M`.
pub async fn connect_and_migrate<M: MigratorTrait>(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
    M::up(&db, None).await?;
    Ok(db)
}
