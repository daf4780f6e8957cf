//! Policies (immutable versions), runs and determinations.
//!
//! Instants are Unix milliseconds (`BIGINT`). A determination's printed gogen cells are one
//! `BLOB`/`bytea` (see `cmr-eligibility`'s `domain::cells`), so outputs can be reproduced
//! byte for byte.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000001_create_eligibility_tables"
    }
}

#[derive(DeriveIden)]
enum Policies {
    Table,
    CountyName,
    Name,
    Version,
    Id,
    Description,
    BodyJson,
    BodySha256,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum Runs {
    Table,
    Id,
    RunKey,
    BatchId,
    CountyCode,
    CountyName,
    PolicyName,
    PolicyVersion,
    ComputeAt,
    Status,
    RowsReceived,
    SubjectsEvaluated,
    ConvictionsEvaluated,
    SubjectsWithRelief,
    OutcomeCounts,
    SummaryJson,
    Error,
    CreatedAtMs,
    StartedAtMs,
    FinishedAtMs,
}

#[derive(DeriveIden)]
enum Determinations {
    Table,
    RunId,
    RowIndex,
    SubjectId,
    Outcome,
    Reason,
    RuleId,
    Cells,
}

// async_trait's signature (`&SchemaManager` without a lifetime) must be matched exactly.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Policies::Table)
                    .col(
                        ColumnDef::new(Policies::CountyName)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Policies::Name).string_len(64).not_null())
                    .col(ColumnDef::new(Policies::Version).integer().not_null())
                    .col(ColumnDef::new(Policies::Id).string_len(26).not_null())
                    .col(ColumnDef::new(Policies::Description).text().not_null())
                    .col(ColumnDef::new(Policies::BodyJson).text().not_null())
                    .col(
                        ColumnDef::new(Policies::BodySha256)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Policies::CreatedAtMs)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(Policies::CountyName)
                            .col(Policies::Name)
                            .col(Policies::Version),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Runs::Table)
                    .col(
                        ColumnDef::new(Runs::Id)
                            .string_len(26)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Runs::RunKey).string_len(64).not_null())
                    .col(ColumnDef::new(Runs::BatchId).string_len(64).not_null())
                    .col(ColumnDef::new(Runs::CountyCode).string_len(8).not_null())
                    .col(ColumnDef::new(Runs::CountyName).string_len(64).not_null())
                    .col(ColumnDef::new(Runs::PolicyName).string_len(64).not_null())
                    .col(ColumnDef::new(Runs::PolicyVersion).integer().not_null())
                    .col(ColumnDef::new(Runs::ComputeAt).string_len(10).not_null())
                    .col(ColumnDef::new(Runs::Status).small_integer().not_null())
                    .col(ColumnDef::new(Runs::RowsReceived).big_integer().not_null())
                    .col(
                        ColumnDef::new(Runs::SubjectsEvaluated)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Runs::ConvictionsEvaluated)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Runs::SubjectsWithRelief)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Runs::OutcomeCounts).text().not_null())
                    .col(ColumnDef::new(Runs::SummaryJson).text().not_null())
                    .col(ColumnDef::new(Runs::Error).text().null())
                    .col(ColumnDef::new(Runs::CreatedAtMs).big_integer().not_null())
                    .col(ColumnDef::new(Runs::StartedAtMs).big_integer().null())
                    .col(ColumnDef::new(Runs::FinishedAtMs).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_runs_run_key")
                    .table(Runs::Table)
                    .col(Runs::RunKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_runs_county_created")
                    .table(Runs::Table)
                    .col(Runs::CountyName)
                    .col(Runs::CreatedAtMs)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Determinations::Table)
                    .col(
                        ColumnDef::new(Determinations::RunId)
                            .string_len(26)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Determinations::RowIndex)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Determinations::SubjectId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Determinations::Outcome)
                            .small_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Determinations::Reason).text().not_null())
                    .col(ColumnDef::new(Determinations::RuleId).text().not_null())
                    .col(ColumnDef::new(Determinations::Cells).blob().not_null())
                    .primary_key(
                        Index::create()
                            .col(Determinations::RunId)
                            .col(Determinations::RowIndex),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Determinations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Runs::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Policies::Table).to_owned())
            .await?;
        Ok(())
    }
}
