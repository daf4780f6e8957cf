//! The ingest store: the only code that touches sea-orm. SQLite by default, PostgreSQL when
//! the URL says so; migrations run on [`Store::connect`].

mod entities;

use cmr_ingest_migration::Migrator;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
    TransactionTrait,
};

use crate::domain::model::{
    Batch, BatchError, BatchStatus, County, FieldRule, QuarantinedRow, RowChunk, Source, StoredRow,
    SubjectRef,
};
use entities::{batch, quarantined_row, row, subject};

/// Rows per INSERT statement (5 columns each, well inside SQLite's and PostgreSQL's
/// bind-parameter limits).
const INSERT_ROWS: usize = 1000;

/// A store failure; always an internal error for callers.
#[derive(Debug, thiserror::Error)]
#[error("ingest store: {0}")]
pub struct StoreError(#[from] DbErr);

/// One chunk's INSERT statements, built by [`Store::prepare_chunk`].
#[derive(Debug)]
pub struct PreparedChunk(Vec<Statement>);

/// Totals written when a batch completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completion<'a> {
    pub sha256: &'a str,
    pub size_bytes: i64,
    pub had_header: bool,
    pub rows_received: i64,
    pub rows_stored: i64,
    pub rows_quarantined: i64,
    pub subject_count: i64,
    pub completed_at_ms: i64,
}

/// A connected, migrated ingest store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`) with SQL logging off
    /// and applies every pending migration.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let db = cmr_runtime::store::connect_and_migrate::<Migrator>(url).await?;
        Ok(Self { db })
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await?;
        Ok(())
    }

    /// Batches left PROCESSING by a process that stopped mid-upload become FAILED with their
    /// rows removed. Call once at start-up, before serving.
    pub async fn fail_interrupted(&self) -> Result<u64, StoreError> {
        let stale = batch::Entity::find()
            .filter(batch::Column::Status.eq(BatchStatus::Processing as i16))
            .all(&self.db)
            .await?;
        for model in &stale {
            self.fail_batch(
                &model.id,
                &BatchError {
                    error_type: "UPLOAD".to_owned(),
                    message: "upload interrupted by a service restart".to_owned(),
                    line: None,
                    field: None,
                },
            )
            .await?;
        }
        Ok(stale.len() as u64)
    }

    /// Creates a PROCESSING batch.
    pub async fn create_batch(&self, new: &Batch) -> Result<(), StoreError> {
        batch::Entity::insert(batch::ActiveModel {
            id: Set(new.id.clone()),
            county_code: Set(new.county.code.clone()),
            county_name: Set(new.county.name.clone()),
            source: Set(new.source as i16),
            file_name: Set(new.file_name.clone()),
            sha256: Set(new.sha256.clone()),
            size_bytes: Set(new.size_bytes),
            idempotency_key: Set(new.idempotency_key.clone()),
            field_check: Set(new.field_rule as i16),
            status: Set(new.status as i16),
            had_header: Set(new.had_header),
            rows_received: Set(0),
            rows_stored: Set(0),
            rows_quarantined: Set(0),
            subject_count: Set(0),
            error_type: Set(None),
            error_message: Set(None),
            error_line: Set(None),
            error_field: Set(None),
            created_at_ms: Set(new.created_at_ms),
            completed_at_ms: Set(None),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    /// The database backend, for [`Store::prepare_chunk`].
    #[must_use]
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Builds the INSERT statements of one chunk of subjects, rows and quarantined rows.
    /// CPU work only: an upload runs it on its own thread, so the next chunk's statements
    /// are built while the database executes this one's ([`Store::write_prepared`]).
    #[must_use]
    pub fn prepare_chunk(backend: DbBackend, batch_id: &str, chunk: RowChunk) -> PreparedChunk {
        let mut statements = Vec::new();
        for part in chunk.subjects.chunks(INSERT_ROWS) {
            statements.push(
                subject::Entity::insert_many(part.iter().map(|s| subject::ActiveModel {
                    id: Set(s.id.clone()),
                    batch_id: Set(s.batch_id.clone()),
                    first_row_index: Set(s.first_row_index),
                }))
                .build(backend),
            );
        }
        let mut rows = chunk.rows.into_iter().peekable();
        while rows.peek().is_some() {
            let part: Vec<_> = rows.by_ref().take(INSERT_ROWS).collect();
            statements.push(
                row::Entity::insert_many(part.into_iter().map(|r| row::ActiveModel {
                    batch_id: Set(batch_id.to_owned()),
                    row_index: Set(r.row_index),
                    line_number: Set(r.line_number),
                    subject_id: Set(r.subject_id),
                    fields: Set(r.fields),
                }))
                .build(backend),
            );
        }
        for part in chunk.quarantined.chunks(INSERT_ROWS) {
            statements.push(
                quarantined_row::Entity::insert_many(part.iter().map(|q| {
                    quarantined_row::ActiveModel {
                        batch_id: Set(q.batch_id.clone()),
                        line_number: Set(q.line_number),
                        data_line_number: Set(q.data_line_number),
                        reason: Set(q.reason),
                        field: Set(q.field.clone()),
                        column_index: Set(q.column_index),
                        message: Set(q.message.clone()),
                        detail: Set(q.detail.clone()),
                        raw_fields: Set(q.raw_fields.clone()),
                    }
                }))
                .build(backend),
            );
        }
        PreparedChunk(statements)
    }

    /// Runs a prepared chunk's statements in one transaction.
    pub async fn write_prepared(&self, chunk: PreparedChunk) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        for statement in chunk.0 {
            txn.execute_raw(statement).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Marks a batch COMPLETE with its final accounting.
    pub async fn complete_batch(&self, id: &str, done: Completion<'_>) -> Result<(), StoreError> {
        batch::Entity::update_many()
            .col_expr(batch::Column::Sha256, Expr::value(done.sha256))
            .col_expr(batch::Column::SizeBytes, Expr::value(done.size_bytes))
            .col_expr(batch::Column::HadHeader, Expr::value(done.had_header))
            .col_expr(batch::Column::RowsReceived, Expr::value(done.rows_received))
            .col_expr(batch::Column::RowsStored, Expr::value(done.rows_stored))
            .col_expr(
                batch::Column::RowsQuarantined,
                Expr::value(done.rows_quarantined),
            )
            .col_expr(batch::Column::SubjectCount, Expr::value(done.subject_count))
            .col_expr(
                batch::Column::CompletedAtMs,
                Expr::value(done.completed_at_ms),
            )
            .col_expr(
                batch::Column::Status,
                Expr::value(BatchStatus::Complete as i16),
            )
            .filter(batch::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Removes a batch's rows, subjects and quarantined rows and marks it FAILED with `error`,
    /// in one transaction.
    pub async fn fail_batch(&self, id: &str, error: &BatchError) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        delete_contents(&txn, id).await?;
        batch::Entity::update_many()
            .col_expr(
                batch::Column::Status,
                Expr::value(BatchStatus::Failed as i16),
            )
            .col_expr(
                batch::Column::ErrorType,
                Expr::value(error.error_type.clone()),
            )
            .col_expr(
                batch::Column::ErrorMessage,
                Expr::value(error.message.clone()),
            )
            .col_expr(batch::Column::ErrorLine, Expr::value(error.line))
            .col_expr(batch::Column::ErrorField, Expr::value(error.field.clone()))
            .col_expr(
                batch::Column::CompletedAtMs,
                Expr::value(crate::domain::ids::now_ms()),
            )
            .filter(batch::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Deletes a batch and everything stored for it (an upload that turned out to be a
    /// duplicate).
    pub async fn delete_batch(&self, id: &str) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        delete_contents(&txn, id).await?;
        batch::Entity::delete_by_id(id.to_owned())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// One batch by id.
    pub async fn get_batch(&self, id: &str) -> Result<Option<Batch>, StoreError> {
        Ok(batch::Entity::find_by_id(id.to_owned())
            .one(&self.db)
            .await?
            .map(to_batch))
    }

    /// The newest batch of `county` with this idempotency key that is COMPLETE or still
    /// PROCESSING (failed attempts do not hold the key).
    pub async fn find_by_key(
        &self,
        county: &County,
        key: &str,
    ) -> Result<Option<Batch>, StoreError> {
        Ok(batch::Entity::find()
            .filter(county_condition(county))
            .filter(batch::Column::IdempotencyKey.eq(key))
            .filter(
                batch::Column::Status
                    .is_in([BatchStatus::Complete as i16, BatchStatus::Processing as i16]),
            )
            .order_by_desc(batch::Column::CreatedAtMs)
            .one(&self.db)
            .await?
            .map(to_batch))
    }

    /// A COMPLETE batch of `county` with this digest, other than `except_id`.
    pub async fn find_complete_by_digest(
        &self,
        county: &County,
        sha256: &str,
        except_id: &str,
    ) -> Result<Option<Batch>, StoreError> {
        Ok(batch::Entity::find()
            .filter(county_condition(county))
            .filter(batch::Column::Sha256.eq(sha256))
            .filter(batch::Column::Status.eq(BatchStatus::Complete as i16))
            .filter(batch::Column::Id.ne(except_id))
            .order_by_asc(batch::Column::CreatedAtMs)
            .one(&self.db)
            .await?
            .map(to_batch))
    }

    /// Batches of `county` (of one status and source when given), newest first, after the
    /// cursor `(created_at_ms, id)`.
    pub async fn list_batches(
        &self,
        county: &County,
        status: Option<BatchStatus>,
        source: Option<Source>,
        after: Option<(i64, String)>,
        limit: u64,
    ) -> Result<Vec<Batch>, StoreError> {
        let mut query = batch::Entity::find().filter(county_condition(county));
        if let Some(status) = status {
            query = query.filter(batch::Column::Status.eq(status as i16));
        }
        if let Some(source) = source {
            query = query.filter(batch::Column::Source.eq(source as i16));
        }
        if let Some((created, id)) = after {
            query = query.filter(
                Condition::any()
                    .add(batch::Column::CreatedAtMs.lt(created))
                    .add(
                        Condition::all()
                            .add(batch::Column::CreatedAtMs.eq(created))
                            .add(batch::Column::Id.lt(id)),
                    ),
            );
        }
        Ok(query
            .order_by_desc(batch::Column::CreatedAtMs)
            .order_by_desc(batch::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_batch)
            .collect())
    }

    /// Quarantined rows of a batch in line order, after `after_line`.
    pub async fn list_quarantined(
        &self,
        batch_id: &str,
        after_line: i64,
        limit: u64,
    ) -> Result<Vec<QuarantinedRow>, StoreError> {
        Ok(quarantined_row::Entity::find()
            .filter(quarantined_row::Column::BatchId.eq(batch_id))
            .filter(quarantined_row::Column::LineNumber.gt(after_line))
            .order_by_asc(quarantined_row::Column::LineNumber)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|q| QuarantinedRow {
                batch_id: q.batch_id,
                line_number: q.line_number,
                data_line_number: q.data_line_number,
                reason: q.reason,
                field: q.field,
                column_index: q.column_index,
                message: q.message,
                detail: q.detail,
                raw_fields: q.raw_fields,
            })
            .collect())
    }

    /// Subjects of a batch in order of first appearance, after first row `after_row`.
    pub async fn list_subjects(
        &self,
        batch_id: &str,
        after_row: i64,
        limit: u64,
    ) -> Result<Vec<SubjectRef>, StoreError> {
        Ok(subject::Entity::find()
            .filter(subject::Column::BatchId.eq(batch_id))
            .filter(subject::Column::FirstRowIndex.gt(after_row))
            .order_by_asc(subject::Column::FirstRowIndex)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_subject)
            .collect())
    }

    /// One subject by id.
    pub async fn get_subject(&self, id: &str) -> Result<Option<SubjectRef>, StoreError> {
        Ok(subject::Entity::find_by_id(id.to_owned())
            .one(&self.db)
            .await?
            .map(to_subject))
    }

    /// Every row of these subjects, ordered by subject then row index.
    pub async fn rows_of_subjects(
        &self,
        subject_ids: &[String],
    ) -> Result<Vec<StoredRow>, StoreError> {
        if subject_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(row::Entity::find()
            .filter(row::Column::SubjectId.is_in(subject_ids.iter().cloned()))
            .order_by_asc(row::Column::SubjectId)
            .order_by_asc(row::Column::RowIndex)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_stored_row)
            .collect())
    }

    /// Up to `limit` stored rows of a batch in row-index order, from `from_row` (inclusive).
    pub async fn rows_of_batch(
        &self,
        batch_id: &str,
        from_row: i64,
        limit: u64,
    ) -> Result<Vec<StoredRow>, StoreError> {
        Ok(row::Entity::find()
            .filter(row::Column::BatchId.eq(batch_id))
            .filter(row::Column::RowIndex.gte(from_row))
            .order_by_asc(row::Column::RowIndex)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_stored_row)
            .collect())
    }

    /// Rows stored for a batch (tests and accounting checks).
    pub async fn count_rows(&self, batch_id: &str) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(row::Entity::find()
            .filter(row::Column::BatchId.eq(batch_id))
            .count(&self.db)
            .await?)
    }
}

async fn delete_contents(txn: &impl sea_orm::ConnectionTrait, id: &str) -> Result<(), DbErr> {
    row::Entity::delete_many()
        .filter(row::Column::BatchId.eq(id))
        .exec(txn)
        .await?;
    subject::Entity::delete_many()
        .filter(subject::Column::BatchId.eq(id))
        .exec(txn)
        .await?;
    quarantined_row::Entity::delete_many()
        .filter(quarantined_row::Column::BatchId.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Batches whose stored county agrees with every part of `county` the request gives.
fn county_condition(county: &County) -> Condition {
    let mut condition = Condition::all();
    if !county.code.is_empty() {
        condition = condition.add(batch::Column::CountyCode.eq(county.code.clone()));
    }
    if !county.name.is_empty() {
        condition = condition.add(batch::Column::CountyName.eq(county.name.clone()));
    }
    condition
}

fn to_stored_row(model: row::Model) -> StoredRow {
    StoredRow {
        row_index: model.row_index,
        line_number: model.line_number,
        subject_id: model.subject_id,
        fields: model.fields,
    }
}

fn to_subject(model: subject::Model) -> SubjectRef {
    SubjectRef {
        id: model.id,
        batch_id: model.batch_id,
        first_row_index: model.first_row_index,
    }
}

fn to_batch(model: batch::Model) -> Batch {
    let error = model.error_message.map(|message| BatchError {
        error_type: model.error_type.unwrap_or_default(),
        message,
        line: model.error_line,
        field: model.error_field,
    });
    Batch {
        id: model.id,
        county: County {
            code: model.county_code,
            name: model.county_name,
        },
        source: Source::from_i16(model.source),
        file_name: model.file_name,
        sha256: model.sha256,
        size_bytes: model.size_bytes,
        idempotency_key: model.idempotency_key,
        field_rule: FieldRule::from_i16(model.field_check),
        status: BatchStatus::from_i16(model.status).unwrap_or(BatchStatus::Failed),
        had_header: model.had_header,
        rows_received: model.rows_received,
        rows_stored: model.rows_stored,
        rows_quarantined: model.rows_quarantined,
        subject_count: model.subject_count,
        error,
        created_at_ms: model.created_at_ms,
        completed_at_ms: model.completed_at_ms,
    }
}
