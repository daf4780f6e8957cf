//! Schema migrations of the cmr filing store. One set of migrations serves SQLite and
//! PostgreSQL; the service runs [`Migrator::up`] at start-up.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_filing_tables;
mod m20261201_000002_filing_unique_per_county;
mod m20261202_000003_filing_lifecycle;

/// Every filing migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_filing_tables::Migration),
            Box::new(m20261201_000002_filing_unique_per_county::Migration),
            Box::new(m20261202_000003_filing_lifecycle::Migration),
        ]
    }
}
