//! Determinations keep the particulars filing needs, read from their DOJ rows: the
//! conviction's `CNT_ORDER`, the court step's ORI code and description, the Prop 64 section,
//! and the person (name, other names one per line, date of birth as `YYYY-MM-DD`, CII, DOJ
//! `SUBJECT_ID`, race code and description). All text, all personal except the ORI and the
//! section: never logged.
//!
//! One column per `ALTER TABLE`: SQLite adds a single column per statement. Rows written
//! before this migration read back with empty values ("not recorded").

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000001_add_determination_record"
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Determinations {
    Table,
    CntOrder,
    CourtOriCode,
    CourtOriDescr,
    Prop64Section,
    PersonName,
    PersonAliases,
    DateOfBirth,
    CiiNumber,
    DojSubjectId,
    RaceCode,
    RaceDescr,
}

const COLUMNS: [Determinations; 11] = [
    Determinations::CntOrder,
    Determinations::CourtOriCode,
    Determinations::CourtOriDescr,
    Determinations::Prop64Section,
    Determinations::PersonName,
    Determinations::PersonAliases,
    Determinations::DateOfBirth,
    Determinations::CiiNumber,
    Determinations::DojSubjectId,
    Determinations::RaceCode,
    Determinations::RaceDescr,
];

// The trait's `async_trait` signature elides `SchemaManager`'s lifetime.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Determinations::Table)
                        .add_column(ColumnDef::new(column).text().not_null().default(""))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS.into_iter().rev() {
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
