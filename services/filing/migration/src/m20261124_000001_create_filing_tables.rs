//! Filings (one per verified relief) and the submissions that created them.
//!
//! Instants are Unix milliseconds (`BIGINT`). The relief as verification handed it over is
//! kept whole (encoded protobuf, `BLOB`/`bytea`); the columns beside it are what filings are
//! grouped, filtered and paged on.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000001_create_filing_tables"
    }
}

#[derive(DeriveIden)]
enum Filings {
    Table,
    Id,
    CountyCode,
    CountyName,
    ReviewItemId,
    DecisionId,
    DeterminationId,
    RunId,
    SubjectId,
    AgencyId,
    CourtOriCode,
    CourtId,
    ReliefType,
    Status,
    Relief,
    CreatedAtMs,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum Submissions {
    Table,
    CountyCode,
    CountyName,
    IdempotencyKey,
    RequestSha256,
    Accepted,
    Duplicates,
    UnmatchedCourt,
    CreatedAtMs,
}

fn id(column: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(column).string_len(len).not_null().to_owned()
}

fn number(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().to_owned()
}

// async_trait's signature (`&SchemaManager` without a lifetime) must be matched exactly.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Filings::Table)
                    .col(id(Filings::Id, 26).primary_key())
                    .col(id(Filings::CountyCode, 8))
                    .col(id(Filings::CountyName, 64))
                    .col(id(Filings::ReviewItemId, 128))
                    .col(id(Filings::DecisionId, 128))
                    .col(id(Filings::DeterminationId, 128))
                    .col(id(Filings::RunId, 64))
                    .col(id(Filings::SubjectId, 64))
                    .col(id(Filings::AgencyId, 128))
                    .col(id(Filings::CourtOriCode, 16))
                    .col(id(Filings::CourtId, 64))
                    .col(
                        ColumnDef::new(Filings::ReliefType)
                            .small_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Filings::Status).small_integer().not_null())
                    .col(ColumnDef::new(Filings::Relief).blob().not_null())
                    .col(number(Filings::CreatedAtMs))
                    .col(number(Filings::UpdatedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_filings_review_item_decision")
                    .table(Filings::Table)
                    .col(Filings::ReviewItemId)
                    .col(Filings::DecisionId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_filings_county_court_status")
                    .table(Filings::Table)
                    .col(Filings::CountyCode)
                    .col(Filings::CourtId)
                    .col(Filings::Status)
                    .col(Filings::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Submissions::Table)
                    .col(id(Submissions::CountyCode, 8))
                    .col(id(Submissions::CountyName, 64))
                    .col(id(Submissions::IdempotencyKey, 128))
                    .col(id(Submissions::RequestSha256, 64))
                    .col(number(Submissions::Accepted))
                    .col(number(Submissions::Duplicates))
                    .col(
                        ColumnDef::new(Submissions::UnmatchedCourt)
                            .text()
                            .not_null(),
                    )
                    .col(number(Submissions::CreatedAtMs))
                    .primary_key(
                        Index::create()
                            .col(Submissions::CountyCode)
                            .col(Submissions::CountyName)
                            .col(Submissions::IdempotencyKey),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Submissions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Filings::Table).to_owned())
            .await?;
        Ok(())
    }
}
