//! The filing store: the only code that touches sea-orm. SQLite by default, PostgreSQL when
//! the URL says so; migrations run on [`Store::connect`].

mod entities;
mod lifecycle;

pub use lifecycle::{Generated, NewBatch, OutcomeWrite, Regenerate};

use cmr_filing_migration::Migrator;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait, TryInsertResult,
};

use crate::domain::model::{
    County, Filing, FilingFilter, FilingStatus, Submission, SubmissionOutcome,
};
use entities::{filing, submission};

/// Filings per INSERT statement (16 columns each, well inside SQLite's and PostgreSQL's
/// bind-parameter limits).
const INSERT_ROWS: usize = 500;

/// A store failure; always an internal error for callers.
#[derive(Debug, thiserror::Error)]
#[error("filing store: {0}")]
pub struct StoreError(#[from] DbErr);

/// What [`Store::submit`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Submitted {
    /// The filings were written (those not already known) and the submission recorded.
    Stored(SubmissionOutcome),
    /// Another request recorded this idempotency key first; nothing was written.
    KeyTaken(Submission),
}

/// A connected, migrated filing store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: DatabaseConnection,
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

    /// The submission recorded under `key` for `county`, if any.
    pub async fn find_submission(
        &self,
        county: &County,
        key: &str,
    ) -> Result<Option<Submission>, StoreError> {
        Ok(submission::Entity::find_by_id((
            county.code.clone(),
            county.name.clone(),
            key.to_owned(),
        ))
        .one(&self.db)
        .await?
        .map(to_submission))
    }

    /// In one transaction: inserts the filings whose (review item, decision) is not stored
    /// yet for their county, and records the submission under its key. The outcome counts as duplicates the
    /// filings already stored (added to the caller's `duplicates`), and lists as unmatched
    /// only new filings with no court.
    pub async fn submit(
        &self,
        filings: Vec<Filing>,
        mut record: Submission,
    ) -> Result<Submitted, StoreError> {
        let txn = self.db.begin().await?;
        let offered = i64::try_from(filings.len()).unwrap_or(i64::MAX);
        let no_court: Vec<(String, String)> = filings
            .iter()
            .filter(|f| f.court_id.is_empty())
            .map(|f| (f.id.clone(), f.review_item_id.clone()))
            .collect();
        let mut inserted: i64 = 0;
        let mut rest = filings.into_iter().peekable();
        while rest.peek().is_some() {
            let part: Vec<_> = rest.by_ref().take(INSERT_ROWS).collect();
            let result = filing::Entity::insert_many(part.into_iter().map(to_active))
                .on_conflict_do_nothing_on([
                    filing::Column::CountyCode,
                    filing::Column::CountyName,
                    filing::Column::ReviewItemId,
                    filing::Column::DecisionId,
                ])
                .exec_without_returning(&txn)
                .await?;
            if let TryInsertResult::Inserted(n) = result {
                inserted += i64::try_from(n).unwrap_or(i64::MAX);
            }
        }
        if !no_court.is_empty() {
            let ids: Vec<String> = no_court.iter().map(|(id, _)| id.clone()).collect();
            let written: std::collections::HashSet<String> = filing::Entity::find()
                .select_only()
                .column(filing::Column::Id)
                .filter(filing::Column::Id.is_in(ids))
                .into_tuple::<String>()
                .all(&txn)
                .await?
                .into_iter()
                .collect();
            record.outcome.unmatched_court = no_court
                .into_iter()
                .filter(|(id, _)| written.contains(id))
                .map(|(_, review_item_id)| review_item_id)
                .collect();
        }
        record.outcome.accepted = inserted;
        record.outcome.duplicates += offered - inserted;
        let result = submission::Entity::insert(submission::ActiveModel {
            county_code: Set(record.county.code.clone()),
            county_name: Set(record.county.name.clone()),
            idempotency_key: Set(record.idempotency_key.clone()),
            request_sha256: Set(record.request_sha256.clone()),
            accepted: Set(record.outcome.accepted),
            duplicates: Set(record.outcome.duplicates),
            unmatched_court: Set(record.outcome.unmatched_court.join("\n")),
            created_at_ms: Set(record.created_at_ms),
        })
        .on_conflict_do_nothing_on([
            submission::Column::CountyCode,
            submission::Column::CountyName,
            submission::Column::IdempotencyKey,
        ])
        .exec_without_returning(&txn)
        .await?;
        if matches!(result, TryInsertResult::Inserted(n) if n > 0) {
            txn.commit().await?;
            return Ok(Submitted::Stored(record.outcome));
        }
        txn.rollback().await?;
        match self
            .find_submission(&record.county, &record.idempotency_key)
            .await?
        {
            Some(existing) => Ok(Submitted::KeyTaken(existing)),
            None => Err(StoreError(DbErr::RecordNotInserted)),
        }
    }

    /// Filings of `county` matching `filter`, by id (creation order), after id `after`.
    pub async fn list_filings(
        &self,
        county: &County,
        filter: &FilingFilter,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<Filing>, StoreError> {
        let mut query = filing::Entity::find().filter(county_condition(county));
        if let Some(court_id) = &filter.court_id {
            query = query.filter(filing::Column::CourtId.eq(court_id.clone()));
        }
        if !filter.statuses.is_empty() {
            query = query.filter(filing::Column::Status.is_in(filter.statuses.clone()));
        }
        if let Some(relief_type) = filter.relief_type {
            query = query.filter(filing::Column::ReliefType.eq(relief_type));
        }
        if let Some(subject_id) = &filter.subject_id {
            query = query.filter(filing::Column::SubjectId.eq(subject_id.clone()));
        }
        if let Some(batch_id) = &filter.filing_batch_id {
            query = query.filter(filing::Column::FilingBatchId.eq(batch_id.clone()));
        }
        if let Some(after) = after {
            query = query.filter(filing::Column::Id.gt(after.to_owned()));
        }
        Ok(query
            .order_by_asc(filing::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_filing)
            .collect())
    }
}

/// Filings whose stored county agrees with every part of `county` the request gives.
pub(crate) fn county_condition(county: &County) -> Condition {
    let mut condition = Condition::all();
    if !county.code.is_empty() {
        condition = condition.add(filing::Column::CountyCode.eq(county.code.clone()));
    }
    if !county.name.is_empty() {
        condition = condition.add(filing::Column::CountyName.eq(county.name.clone()));
    }
    condition
}

pub(crate) fn to_active(f: Filing) -> filing::ActiveModel {
    filing::ActiveModel {
        id: Set(f.id),
        county_code: Set(f.county.code),
        county_name: Set(f.county.name),
        review_item_id: Set(f.review_item_id),
        decision_id: Set(f.decision_id),
        determination_id: Set(f.determination_id),
        run_id: Set(f.run_id),
        subject_id: Set(f.subject_id),
        agency_id: Set(f.agency_id),
        court_ori_code: Set(f.court_ori_code),
        court_id: Set(f.court_id),
        relief_type: Set(f.relief_type),
        status: Set(f.status as i16),
        relief: Set(f.relief),
        filing_batch_id: Set(f.filing_batch_id),
        filed_on: Set(f.filed_on),
        current_outcome_id: Set(f.current_outcome_id),
        created_at_ms: Set(f.created_at_ms),
        updated_at_ms: Set(f.updated_at_ms),
    }
}

pub(crate) fn to_filing(model: filing::Model) -> Filing {
    Filing {
        id: model.id,
        county: County {
            code: model.county_code,
            name: model.county_name,
        },
        review_item_id: model.review_item_id,
        decision_id: model.decision_id,
        determination_id: model.determination_id,
        run_id: model.run_id,
        subject_id: model.subject_id,
        agency_id: model.agency_id,
        court_ori_code: model.court_ori_code,
        court_id: model.court_id,
        relief_type: model.relief_type,
        status: FilingStatus::from_i16(model.status).unwrap_or(FilingStatus::Queued),
        relief: model.relief,
        filing_batch_id: model.filing_batch_id,
        filed_on: model.filed_on,
        current_outcome_id: model.current_outcome_id,
        created_at_ms: model.created_at_ms,
        updated_at_ms: model.updated_at_ms,
    }
}

fn to_submission(model: submission::Model) -> Submission {
    Submission {
        county: County {
            code: model.county_code,
            name: model.county_name,
        },
        idempotency_key: model.idempotency_key,
        request_sha256: model.request_sha256,
        outcome: SubmissionOutcome {
            accepted: model.accepted,
            duplicates: model.duplicates,
            unmatched_court: model
                .unmatched_court
                .split('\n')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        },
        created_at_ms: model.created_at_ms,
    }
}
