//! Schema migrations of the cmr eligibility store. One set of migrations serves SQLite and
//! PostgreSQL; the service runs [`Migrator::up`] at start-up.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_eligibility_tables;
mod m20261129_000001_add_run_report_text;
mod m20261201_000001_add_determination_explanation;
mod m20261202_000001_add_determination_record;

/// Every eligibility migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_eligibility_tables::Migration),
            Box::new(m20261129_000001_add_run_report_text::Migration),
            Box::new(m20261201_000001_add_determination_explanation::Migration),
            Box::new(m20261202_000001_add_determination_record::Migration),
        ]
    }
}
