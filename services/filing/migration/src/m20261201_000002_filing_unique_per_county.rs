//! A filing's (review item, decision) is unique within its county, not across counties, so
//! one county's filings never decide what another county's submission does (issue 5: a
//! county's request treats another county's data as if it did not exist).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000002_filing_unique_per_county"
    }
}

#[derive(DeriveIden)]
enum Filings {
    Table,
    CountyCode,
    CountyName,
    ReviewItemId,
    DecisionId,
}

const OLD: &str = "idx_filings_review_item_decision";
const NEW: &str = "idx_filings_county_review_item_decision";

// async_trait's signature (`&SchemaManager` without a lifetime) must be matched exactly.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(OLD).table(Filings::Table).to_owned())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(NEW)
                    .table(Filings::Table)
                    .col(Filings::CountyCode)
                    .col(Filings::CountyName)
                    .col(Filings::ReviewItemId)
                    .col(Filings::DecisionId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NEW).table(Filings::Table).to_owned())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(OLD)
                    .table(Filings::Table)
                    .col(Filings::ReviewItemId)
                    .col(Filings::DecisionId)
                    .unique()
                    .to_owned(),
            )
            .await
    }
}
