//! The filing lifecycle (issue 6): courts, challenged items for the defender's notice,
//! filing batches, rendered documents and their downloads, court outcomes, and the
//! idempotency records of the RPCs that write. Filings learn their batch, filing date and
//! current outcome.
//!
//! Instants are Unix milliseconds (`BIGINT`), civil dates `yyyymmdd` integers (0 = none),
//! lists newline-joined text, rendered files and hand-off messages `BLOB`/`bytea`.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000003_filing_lifecycle"
    }
}

#[derive(DeriveIden)]
enum Filings {
    Table,
    FilingBatchId,
    FiledOn,
    CurrentOutcomeId,
    CountyCode,
}

#[derive(DeriveIden)]
enum Courts {
    Table,
    CountyCode,
    CountyName,
    CourtId,
    Name,
    BranchName,
    OriCodes,
    AddressLines,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum ChallengedItems {
    Table,
    Id,
    CountyCode,
    CountyName,
    ReviewItemId,
    DecisionId,
    RunId,
    SubjectId,
    AgencyId,
    CourtOriCode,
    Item,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum FilingBatches {
    Table,
    Id,
    CountyCode,
    CountyName,
    CourtId,
    AgencyId,
    Status,
    DocumentDate,
    FiledOn,
    CourtFilingReference,
    Signer,
    CreatedByPrincipal,
    CreatedByAgency,
    CreatedAtMs,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    CountyCode,
    CountyName,
    FilingBatchId,
    Kind,
    CourtId,
    AgencyId,
    SubjectId,
    FilingIds,
    FileName,
    MediaType,
    SizeBytes,
    Sha256,
    TemplateId,
    Content,
    SupersededBy,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum DocumentDownloads {
    Table,
    Id,
    CountyCode,
    CountyName,
    DocumentId,
    PrincipalId,
    AgencyId,
    DownloadedAtMs,
}

#[derive(DeriveIden)]
enum Outcomes {
    Table,
    Id,
    CountyCode,
    CountyName,
    FilingId,
    FilingBatchId,
    CourtId,
    Decision,
    DecidedOn,
    OrderNumber,
    GrantedRelief,
    SupersedesOutcomeId,
    SupersededBy,
    Note,
    RecordedByPrincipal,
    RecordedByAgency,
    RecordedAtMs,
    ExportedToDojAtMs,
}

#[derive(DeriveIden)]
enum Requests {
    Table,
    CountyCode,
    CountyName,
    Rpc,
    IdempotencyKey,
    RequestSha256,
    Response,
    CreatedAtMs,
}

fn id(column: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(column).string_len(len).not_null().to_owned()
}

fn text(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).text().not_null().to_owned()
}

fn number(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().to_owned()
}

fn small(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).small_integer().not_null().to_owned()
}

fn date(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .integer()
        .not_null()
        .default(0)
        .to_owned()
}

fn blob(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).blob().not_null().to_owned()
}

// async_trait's signature (`&SchemaManager` without a lifetime) must be matched exactly.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            ColumnDef::new(Filings::FilingBatchId)
                .string_len(26)
                .not_null()
                .default("")
                .to_owned(),
            date(Filings::FiledOn),
            ColumnDef::new(Filings::CurrentOutcomeId)
                .string_len(26)
                .not_null()
                .default("")
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Filings::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_filings_batch")
                    .table(Filings::Table)
                    .col(Filings::FilingBatchId)
                    .col(Filings::CountyCode)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Courts::Table)
                    .col(id(Courts::CountyCode, 8))
                    .col(id(Courts::CountyName, 64))
                    .col(id(Courts::CourtId, 64))
                    .col(text(Courts::Name))
                    .col(text(Courts::BranchName))
                    .col(text(Courts::OriCodes))
                    .col(text(Courts::AddressLines))
                    .col(number(Courts::UpdatedAtMs))
                    .primary_key(
                        Index::create()
                            .col(Courts::CountyCode)
                            .col(Courts::CountyName)
                            .col(Courts::CourtId),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ChallengedItems::Table)
                    .col(id(ChallengedItems::Id, 26).primary_key())
                    .col(id(ChallengedItems::CountyCode, 8))
                    .col(id(ChallengedItems::CountyName, 64))
                    .col(id(ChallengedItems::ReviewItemId, 128))
                    .col(id(ChallengedItems::DecisionId, 128))
                    .col(id(ChallengedItems::RunId, 64))
                    .col(id(ChallengedItems::SubjectId, 64))
                    .col(id(ChallengedItems::AgencyId, 128))
                    .col(id(ChallengedItems::CourtOriCode, 16))
                    .col(blob(ChallengedItems::Item))
                    .col(number(ChallengedItems::CreatedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_challenged_county_review_item_decision")
                    .table(ChallengedItems::Table)
                    .col(ChallengedItems::CountyCode)
                    .col(ChallengedItems::CountyName)
                    .col(ChallengedItems::ReviewItemId)
                    .col(ChallengedItems::DecisionId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FilingBatches::Table)
                    .col(id(FilingBatches::Id, 26).primary_key())
                    .col(id(FilingBatches::CountyCode, 8))
                    .col(id(FilingBatches::CountyName, 64))
                    .col(id(FilingBatches::CourtId, 64))
                    .col(id(FilingBatches::AgencyId, 128))
                    .col(small(FilingBatches::Status))
                    .col(date(FilingBatches::DocumentDate))
                    .col(date(FilingBatches::FiledOn))
                    .col(text(FilingBatches::CourtFilingReference))
                    .col(blob(FilingBatches::Signer))
                    .col(text(FilingBatches::CreatedByPrincipal))
                    .col(text(FilingBatches::CreatedByAgency))
                    .col(number(FilingBatches::CreatedAtMs))
                    .col(number(FilingBatches::UpdatedAtMs))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(id(Documents::Id, 26).primary_key())
                    .col(id(Documents::CountyCode, 8))
                    .col(id(Documents::CountyName, 64))
                    .col(id(Documents::FilingBatchId, 26))
                    .col(small(Documents::Kind))
                    .col(id(Documents::CourtId, 64))
                    .col(id(Documents::AgencyId, 128))
                    .col(id(Documents::SubjectId, 64))
                    .col(text(Documents::FilingIds))
                    .col(text(Documents::FileName))
                    .col(text(Documents::MediaType))
                    .col(number(Documents::SizeBytes))
                    .col(id(Documents::Sha256, 64))
                    .col(text(Documents::TemplateId))
                    .col(blob(Documents::Content))
                    .col(id(Documents::SupersededBy, 26))
                    .col(number(Documents::CreatedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_documents_batch")
                    .table(Documents::Table)
                    .col(Documents::FilingBatchId)
                    .col(Documents::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DocumentDownloads::Table)
                    .col(id(DocumentDownloads::Id, 26).primary_key())
                    .col(id(DocumentDownloads::CountyCode, 8))
                    .col(id(DocumentDownloads::CountyName, 64))
                    .col(id(DocumentDownloads::DocumentId, 26))
                    .col(text(DocumentDownloads::PrincipalId))
                    .col(text(DocumentDownloads::AgencyId))
                    .col(number(DocumentDownloads::DownloadedAtMs))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Outcomes::Table)
                    .col(id(Outcomes::Id, 26).primary_key())
                    .col(id(Outcomes::CountyCode, 8))
                    .col(id(Outcomes::CountyName, 64))
                    .col(id(Outcomes::FilingId, 26))
                    .col(id(Outcomes::FilingBatchId, 26))
                    .col(id(Outcomes::CourtId, 64))
                    .col(small(Outcomes::Decision))
                    .col(date(Outcomes::DecidedOn))
                    .col(text(Outcomes::OrderNumber))
                    .col(small(Outcomes::GrantedRelief))
                    .col(id(Outcomes::SupersedesOutcomeId, 26))
                    .col(id(Outcomes::SupersededBy, 26))
                    .col(text(Outcomes::Note))
                    .col(text(Outcomes::RecordedByPrincipal))
                    .col(text(Outcomes::RecordedByAgency))
                    .col(number(Outcomes::RecordedAtMs))
                    .col(number(Outcomes::ExportedToDojAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outcomes_filing")
                    .table(Outcomes::Table)
                    .col(Outcomes::FilingId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Requests::Table)
                    .col(id(Requests::CountyCode, 8))
                    .col(id(Requests::CountyName, 64))
                    .col(id(Requests::Rpc, 32))
                    .col(id(Requests::IdempotencyKey, 128))
                    .col(id(Requests::RequestSha256, 64))
                    .col(blob(Requests::Response))
                    .col(number(Requests::CreatedAtMs))
                    .primary_key(
                        Index::create()
                            .col(Requests::CountyCode)
                            .col(Requests::CountyName)
                            .col(Requests::Rpc)
                            .col(Requests::IdempotencyKey),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Requests::Table.into_iden(),
            Outcomes::Table.into_iden(),
            DocumentDownloads::Table.into_iden(),
            Documents::Table.into_iden(),
            FilingBatches::Table.into_iden(),
            ChallengedItems::Table.into_iden(),
            Courts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_filings_batch")
                    .table(Filings::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Filings::FilingBatchId,
            Filings::FiledOn,
            Filings::CurrentOutcomeId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Filings::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
