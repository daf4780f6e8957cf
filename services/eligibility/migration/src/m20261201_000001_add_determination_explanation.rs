//! Determinations keep what explains them: the reason code, the legal citation, the facts
//! the deciding rule read (JSON text `[{"key":..,"value":..}]`; values may be personal) and
//! the relief track (0 unknown, 1 application, 2 petition, as `cmr.common.v1.Track`).
//!
//! One column per `ALTER TABLE`: SQLite adds a single column per statement. Rows written
//! before this migration get empty values, which readers treat as "not recorded".

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000001_add_determination_explanation"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Determinations {
    Table,
    ReasonCode,
    Citation,
    FactsJson,
    Track,
}

fn columns() -> [ColumnDef; 4] {
    [
        ColumnDef::new(Determinations::ReasonCode)
            .text()
            .not_null()
            .default("")
            .to_owned(),
        ColumnDef::new(Determinations::Citation)
            .text()
            .not_null()
            .default("")
            .to_owned(),
        ColumnDef::new(Determinations::FactsJson)
            .text()
            .not_null()
            .default("[]")
            .to_owned(),
        ColumnDef::new(Determinations::Track)
            .small_integer()
            .not_null()
            .default(0)
            .to_owned(),
    ]
}

// The trait's `async_trait` signature elides `SchemaManager`'s lifetime.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table(Determinations::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Determinations::ReasonCode,
            Determinations::Citation,
            Determinations::FactsJson,
            Determinations::Track,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Determinations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
