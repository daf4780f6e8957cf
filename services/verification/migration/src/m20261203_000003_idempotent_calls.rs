//! Remembered outcomes of mutating calls (Concur, Challenge, Resolve, Comment, Reassign,
//! BulkAct, SetDeadline) under their idempotency key, per county and method: the caller, the
//! request's SHA-256, and the gRPC code with the encoded response or the error message.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000003_idempotent_calls"
    }
}

#[derive(DeriveIden)]
enum IdempotentCalls {
    Table,
    CountyKey,
    Method,
    IdempotencyKey,
    PrincipalId,
    RequestSha256,
    Code,
    Message,
    Response,
    CreatedAtMs,
}

// async_trait's signature (`&SchemaManager` without a lifetime) must be matched exactly.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotentCalls::Table)
                    .col(
                        ColumnDef::new(IdempotentCalls::CountyKey)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotentCalls::Method)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotentCalls::IdempotencyKey)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotentCalls::PrincipalId)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotentCalls::RequestSha256)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(IdempotentCalls::Code).integer().not_null())
                    .col(ColumnDef::new(IdempotentCalls::Message).text().not_null())
                    .col(ColumnDef::new(IdempotentCalls::Response).blob().not_null())
                    .col(
                        ColumnDef::new(IdempotentCalls::CreatedAtMs)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(IdempotentCalls::CountyKey)
                            .col(IdempotentCalls::Method)
                            .col(IdempotentCalls::IdempotencyKey),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotentCalls::Table).to_owned())
            .await
    }
}
