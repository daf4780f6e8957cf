//! The verification store: the only code that touches sea-orm. SQLite by default, PostgreSQL
//! when the URL says so; migrations run on [`Store::connect`].

mod access;
mod audit;
mod entities;
mod idempotency;
mod review;
mod routing;

pub use audit::AuditQuery;
pub use idempotency::IdempotentCall;
pub use review::{Decide, Decided, SendableItem};

use cmr_verification_migration::Migrator;
use std::sync::Arc;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait, TryInsertResult,
};
use tokio::sync::Mutex;

use crate::domain::audit_chain::AuditRecord;
use crate::domain::decision::DecisionKind;

use crate::domain::model::{
    Assignment, County, ItemFilter, QueueCursor, ReviewItem, ReviewStatus, Submission,
    SubmissionOutcome,
};
use entities::{assignment, decision, review_item, submission};
use sea_orm::sea_query::Query;

/// Items per INSERT statement (20 columns each, well inside SQLite's and PostgreSQL's
/// bind-parameter limits).
const INSERT_ROWS: usize = 500;

/// A store failure; always an internal error for callers.
#[derive(Debug, thiserror::Error)]
#[error("verification store: {0}")]
pub struct StoreError(#[from] DbErr);

/// What [`Store::submit`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Submitted {
    /// The items were written (those not already queued) and the submission recorded.
    Stored(SubmissionOutcome),
    /// Another request recorded this idempotency key first; nothing was written.
    KeyTaken(Submission),
}

/// A connected, migrated verification store. Cheap to clone.
///
/// Every write transaction holds `writes`, so audit events are appended one writer at a time
/// (the chain's `(county, sequence)` key also refuses a second writer at the database).
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    writes: Arc<Mutex<()>>,
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`) with SQL logging off
    /// and applies every pending migration.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let db = cmr_runtime::store::connect_and_migrate::<Migrator>(url).await?;
        Ok(Self {
            db,
            writes: Arc::new(Mutex::new(())),
        })
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

    /// In one transaction: inserts the items whose (run, determination id) is not stored yet,
    /// their first assignments (`assignments`, matched by item id) and the submission under
    /// its key, and appends `audit` with the inserted item ids as targets. The outcome's
    /// `accepted`, `routed` and `unroutable` describe the inserted items; its `duplicates`
    /// adds the items already stored to the caller's count.
    pub async fn submit(
        &self,
        items: Vec<ReviewItem>,
        assignments: Vec<Assignment>,
        mut record: Submission,
        mut audit: AuditRecord,
    ) -> Result<Submitted, StoreError> {
        let _writing = self.writes.lock().await;
        let txn = self.db.begin().await?;
        let offered = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let by_id: std::collections::HashMap<String, (String, String)> = items
            .iter()
            .map(|i| {
                (
                    i.id.clone(),
                    (i.agency_id.clone(), i.determination_id.clone()),
                )
            })
            .collect();
        let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        let mut rest = items.into_iter().peekable();
        while rest.peek().is_some() {
            let part: Vec<_> = rest.by_ref().take(INSERT_ROWS).collect();
            review_item::Entity::insert_many(part.into_iter().map(to_active))
                .on_conflict_do_nothing_on([
                    review_item::Column::RunId,
                    review_item::Column::DeterminationId,
                ])
                .exec_without_returning(&txn)
                .await?;
        }
        let mut inserted: Vec<String> = Vec::new();
        for part in ids.chunks(INSERT_ROWS) {
            let found: Vec<String> = review_item::Entity::find()
                .select_only()
                .column(review_item::Column::Id)
                .filter(review_item::Column::Id.is_in(part.to_vec()))
                .into_tuple()
                .all(&txn)
                .await?;
            inserted.extend(found);
        }
        inserted.sort();
        let kept: std::collections::HashSet<&String> = inserted.iter().collect();
        let assignments: Vec<_> = assignments
            .into_iter()
            .filter(|a| kept.contains(&a.review_item_id))
            .map(review::assignment_active)
            .collect();
        for part in assignments.chunks(INSERT_ROWS) {
            assignment::Entity::insert_many(part.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        let mut routed: std::collections::BTreeMap<String, i64> = Default::default();
        let mut unroutable = Vec::new();
        for id in &inserted {
            if let Some((agency, determination)) = by_id.get(id) {
                if agency.is_empty() {
                    unroutable.push(determination.clone());
                } else {
                    *routed.entry(agency.clone()).or_default() += 1;
                }
            }
        }
        let accepted = i64::try_from(inserted.len()).unwrap_or(i64::MAX);
        record.outcome.accepted = accepted;
        record.outcome.duplicates += offered - accepted;
        record.outcome.routed = routed.into_iter().collect();
        unroutable.sort();
        record.outcome.unroutable = unroutable;
        let result = submission::Entity::insert(submission::ActiveModel {
            county_code: Set(record.county.code.clone()),
            county_name: Set(record.county.name.clone()),
            idempotency_key: Set(record.idempotency_key.clone()),
            request_sha256: Set(record.request_sha256.clone()),
            accepted: Set(record.outcome.accepted),
            duplicates: Set(record.outcome.duplicates),
            not_queued: Set(record.outcome.not_queued),
            agency_id: Set(record.outcome.agency_id.clone()),
            created_at_ms: Set(record.created_at_ms),
            routed: Set(encode_routed(&record.outcome.routed)),
            unroutable: Set(record.outcome.unroutable.join(",")),
        })
        .on_conflict_do_nothing_on([
            submission::Column::CountyCode,
            submission::Column::CountyName,
            submission::Column::IdempotencyKey,
        ])
        .exec_without_returning(&txn)
        .await?;
        if matches!(result, TryInsertResult::Inserted(n) if n > 0) {
            audit.target_ids = inserted;
            audit::append_in(&txn, vec![audit]).await?;
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

    /// One item by id.
    pub async fn get_item(&self, id: &str) -> Result<Option<ReviewItem>, StoreError> {
        Ok(review_item::Entity::find_by_id(id.to_owned())
            .one(&self.db)
            .await?
            .map(to_item))
    }

    /// Items of `county` matching `filter`, by conviction date then id, after `after`.
    pub async fn list_items(
        &self,
        county: &County,
        filter: &ItemFilter,
        after: Option<&QueueCursor>,
        limit: u64,
    ) -> Result<Vec<ReviewItem>, StoreError> {
        let mut query = review_item::Entity::find().filter(county_condition(county));
        if !filter.statuses.is_empty() {
            query = query.filter(review_item::Column::Status.is_in(filter.statuses.clone()));
        }
        if !filter.outcomes.is_empty() {
            query = query.filter(review_item::Column::Outcome.is_in(filter.outcomes.clone()));
        }
        let equal = [
            (review_item::Column::AgencyId, &filter.agency_id),
            (review_item::Column::RunId, &filter.run_id),
            (review_item::Column::BatchId, &filter.batch_id),
            (review_item::Column::SubjectId, &filter.subject_id),
            (review_item::Column::Prop64Section, &filter.prop64_section),
            (review_item::Column::CourtOriCode, &filter.court_ori_code),
        ];
        for (column, value) in equal {
            if let Some(value) = value {
                query = query.filter(column.eq(value.clone()));
            }
        }
        if let Some(track) = filter.track {
            query = query.filter(review_item::Column::Track.eq(track));
        }
        if let Some(reviewer) = &filter.reviewer_id {
            query = query.filter(review_item::Column::ReviewerId.eq(reviewer.clone()));
        }
        if filter.relief_only {
            query = query.filter(review_item::Column::Relief.eq(1i16));
        }
        if filter.conviction_from.is_some() || filter.conviction_to.is_some() {
            query = query.filter(review_item::Column::ConvictionDate.gt(0));
        }
        if let Some(from) = filter.conviction_from {
            query = query.filter(review_item::Column::ConvictionDate.gte(from));
        }
        if let Some(to) = filter.conviction_to {
            query = query.filter(review_item::Column::ConvictionDate.lte(to));
        }
        if filter.ground.is_some()
            || filter.decided_from_ms.is_some()
            || filter.decided_to_ms.is_some()
        {
            let mut current = Query::select()
                .column(decision::Column::Id)
                .from(decision::Entity)
                .and_where(decision::Column::SupersededBy.eq(""))
                .to_owned();
            if let Some(ground) = filter.ground {
                current
                    .and_where(decision::Column::Kind.eq(DecisionKind::Challenge as i16))
                    .and_where(decision::Column::Ground.eq(ground));
            }
            if let Some(from) = filter.decided_from_ms {
                current.and_where(decision::Column::DecidedAtMs.gte(from));
            }
            if let Some(to) = filter.decided_to_ms {
                current.and_where(decision::Column::DecidedAtMs.lt(to));
            }
            query = query.filter(review_item::Column::CurrentDecisionId.in_subquery(current));
        }
        if let Some(cursor) = after {
            query = query.filter(
                Condition::any()
                    .add(review_item::Column::ConvictionDate.gt(cursor.conviction_date))
                    .add(
                        Condition::all()
                            .add(review_item::Column::ConvictionDate.eq(cursor.conviction_date))
                            .add(review_item::Column::Id.gt(cursor.id.clone())),
                    ),
            );
        }
        Ok(query
            .order_by_asc(review_item::Column::ConvictionDate)
            .order_by_asc(review_item::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_item)
            .collect())
    }
}

/// `agency=count;agency=count`.
fn encode_routed(routed: &[(String, i64)]) -> String {
    routed
        .iter()
        .map(|(agency, count)| format!("{agency}={count}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn decode_routed(text: &str) -> Vec<(String, i64)> {
    text.split(';')
        .filter_map(|pair| {
            let (agency, count) = pair.split_once('=')?;
            Some((agency.to_owned(), count.parse().ok()?))
        })
        .collect()
}

/// Items whose stored county agrees with every part of `county` the request gives.
pub(crate) fn county_condition(county: &County) -> Condition {
    let mut condition = Condition::all();
    if !county.code.is_empty() {
        condition = condition.add(review_item::Column::CountyCode.eq(county.code.clone()));
    }
    if !county.name.is_empty() {
        condition = condition.add(review_item::Column::CountyName.eq(county.name.clone()));
    }
    condition
}

fn to_active(item: ReviewItem) -> review_item::ActiveModel {
    review_item::ActiveModel {
        id: Set(item.id),
        county_code: Set(item.county.code),
        county_name: Set(item.county.name),
        run_id: Set(item.run_id),
        batch_id: Set(item.batch_id),
        determination_id: Set(item.determination_id),
        subject_id: Set(item.subject_id),
        data_row_index: Set(item.data_row_index),
        outcome: Set(item.outcome),
        track: Set(item.track),
        prop64_section: Set(item.prop64_section),
        court_ori_code: Set(item.court_ori_code),
        conviction_date: Set(item.conviction_date),
        reason_code: Set(item.reason_code),
        rule_id: Set(item.rule_id),
        agency_id: Set(item.agency_id),
        status: Set(item.status as i16),
        determination: Set(item.determination),
        created_at_ms: Set(item.created_at_ms),
        updated_at_ms: Set(item.updated_at_ms),
        severity: Set(item.severity),
        arrest_ori_code: Set(item.arrest_ori_code),
        reviewer_id: Set(item.reviewer_id),
        routing_rule_id: Set(item.routing_rule_id),
        current_decision_id: Set(item.current_decision_id),
        relief: Set(item.relief),
        sent_to_filing_at_ms: Set(item.sent_to_filing_at_ms),
    }
}

pub(crate) fn to_item(model: review_item::Model) -> ReviewItem {
    ReviewItem {
        id: model.id,
        county: County {
            code: model.county_code,
            name: model.county_name,
        },
        run_id: model.run_id,
        batch_id: model.batch_id,
        determination_id: model.determination_id,
        subject_id: model.subject_id,
        data_row_index: model.data_row_index,
        outcome: model.outcome,
        track: model.track,
        prop64_section: model.prop64_section,
        court_ori_code: model.court_ori_code,
        conviction_date: model.conviction_date,
        reason_code: model.reason_code,
        rule_id: model.rule_id,
        agency_id: model.agency_id,
        status: ReviewStatus::from_i16(model.status).unwrap_or(ReviewStatus::Pending),
        determination: model.determination,
        created_at_ms: model.created_at_ms,
        updated_at_ms: model.updated_at_ms,
        severity: model.severity,
        arrest_ori_code: model.arrest_ori_code,
        reviewer_id: model.reviewer_id,
        routing_rule_id: model.routing_rule_id,
        current_decision_id: model.current_decision_id,
        relief: model.relief,
        sent_to_filing_at_ms: model.sent_to_filing_at_ms,
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
            not_queued: model.not_queued,
            routed: if model.routed.is_empty() {
                // Submissions stored before routing rules: one agency got every item.
                (model.accepted > 0)
                    .then(|| (model.agency_id.clone(), model.accepted))
                    .into_iter()
                    .collect()
            } else {
                decode_routed(&model.routed)
            },
            unroutable: model
                .unroutable
                .split(',')
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect(),
            agency_id: model.agency_id,
        },
        created_at_ms: model.created_at_ms,
    }
}
