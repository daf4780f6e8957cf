//! The store side of the filing lifecycle: courts, challenged items, batches, documents,
//! downloads, outcomes and idempotency records. Every state change is a conditional update
//! inside a transaction, so two racing requests cannot both move the same row.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait, TryInsertResult,
};

use super::entities::{batch, challenged, court, document, download, filing, outcome, request};
use super::{Store, StoreError, county_condition, to_filing};
use crate::domain::model::{
    Batch, BatchFilter, BatchStatus, BatchView, Challenged, County, Court, Document,
    DocumentFilter, Filing, FilingStatus, Outcome, OutcomeFilter,
};

fn lines(text: &str) -> Vec<String> {
    text.split('\n')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn county_of<C: ColumnTrait>(county: &County, code: C, name: C) -> Condition {
    let mut condition = Condition::all();
    if !county.code.is_empty() {
        condition = condition.add(code.eq(county.code.clone()));
    }
    if !county.name.is_empty() {
        condition = condition.add(name.eq(county.name.clone()));
    }
    condition
}

/// A new DRAFT batch with the filings it takes and its documents.
#[derive(Clone, Debug)]
pub struct NewBatch {
    pub batch: Batch,
    pub filing_ids: Vec<String>,
    pub documents: Vec<(Document, Vec<u8>)>,
}

/// A DRAFT batch's re-rendered documents; each pair supersedes `(old, new)`.
#[derive(Clone, Debug)]
pub struct Regenerate {
    pub county: County,
    pub batch_id: String,
    pub document_date: i32,
    pub signer: Vec<u8>,
    pub documents: Vec<(Document, Vec<u8>)>,
    pub supersede: Vec<(String, String)>,
    pub now_ms: i64,
}

/// Whether a conditional write happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generated {
    Done,
    /// The rows were no longer in the expected state; nothing was written.
    Conflict,
}

/// A new outcome and the state its filing must be in for it to be recorded.
#[derive(Clone, Debug)]
pub struct OutcomeWrite {
    pub outcome: Outcome,
    /// The filing's current outcome id the caller saw (empty for a first outcome).
    pub expected_current: String,
    pub from_statuses: Vec<i16>,
    pub new_status: FilingStatus,
}

impl Store {
    // ----- idempotency records -----

    /// The `(request sha256, response)` stored for `rpc` and `key`.
    pub async fn find_request(
        &self,
        county: &County,
        rpc: &str,
        key: &str,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        Ok(request::Entity::find_by_id((
            county.code.clone(),
            county.name.clone(),
            rpc.to_owned(),
            key.to_owned(),
        ))
        .one(&self.db)
        .await?
        .map(|m| (m.request_sha256, m.response)))
    }

    /// Records a response under `key`; when another request recorded it first, returns that.
    pub async fn save_request(
        &self,
        county: &County,
        rpc: &str,
        key: &str,
        sha256: &str,
        response: Vec<u8>,
        now_ms: i64,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let result = request::Entity::insert(request::ActiveModel {
            county_code: Set(county.code.clone()),
            county_name: Set(county.name.clone()),
            rpc: Set(rpc.to_owned()),
            idempotency_key: Set(key.to_owned()),
            request_sha256: Set(sha256.to_owned()),
            response: Set(response),
            created_at_ms: Set(now_ms),
        })
        .on_conflict_do_nothing_on([
            request::Column::CountyCode,
            request::Column::CountyName,
            request::Column::Rpc,
            request::Column::IdempotencyKey,
        ])
        .exec_without_returning(&self.db)
        .await?;
        if matches!(result, TryInsertResult::Inserted(n) if n > 0) {
            return Ok(None);
        }
        self.find_request(county, rpc, key).await
    }

    // ----- courts -----

    /// Courts of `county`, by id.
    pub async fn courts(&self, county: &County) -> Result<Vec<Court>, StoreError> {
        Ok(court::Entity::find()
            .filter(county_of(
                county,
                court::Column::CountyCode,
                court::Column::CountyName,
            ))
            .order_by_asc(court::Column::CourtId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_court)
            .collect())
    }

    /// One court of `county`.
    pub async fn court(
        &self,
        county: &County,
        court_id: &str,
    ) -> Result<Option<Court>, StoreError> {
        Ok(court::Entity::find()
            .filter(county_of(
                county,
                court::Column::CountyCode,
                court::Column::CountyName,
            ))
            .filter(court::Column::CourtId.eq(court_id.to_owned()))
            .one(&self.db)
            .await?
            .map(to_court))
    }

    /// Creates or replaces the court, then gives it the QUEUED filings of its county with no
    /// court whose ORI it covers. Returns how many filings it took.
    pub async fn put_court(&self, court: Court) -> Result<u64, StoreError> {
        let txn = self.db.begin().await?;
        court::Entity::delete_many()
            .filter(court::Column::CountyCode.eq(court.county.code.clone()))
            .filter(court::Column::CountyName.eq(court.county.name.clone()))
            .filter(court::Column::CourtId.eq(court.court_id.clone()))
            .exec(&txn)
            .await?;
        court::Entity::insert(court::ActiveModel {
            county_code: Set(court.county.code.clone()),
            county_name: Set(court.county.name.clone()),
            court_id: Set(court.court_id.clone()),
            name: Set(court.name.clone()),
            branch_name: Set(court.branch_name.clone()),
            ori_codes: Set(court.ori_codes.join("\n")),
            address_lines: Set(court.address_lines.join("\n")),
            updated_at_ms: Set(court.updated_at_ms),
        })
        .exec_without_returning(&txn)
        .await?;
        let mut attached = 0;
        if !court.ori_codes.is_empty() {
            attached = filing::Entity::update_many()
                .col_expr(filing::Column::CourtId, Expr::value(court.court_id.clone()))
                .col_expr(
                    filing::Column::UpdatedAtMs,
                    Expr::value(court.updated_at_ms),
                )
                .filter(county_condition(&court.county))
                .filter(filing::Column::CourtId.eq(""))
                .filter(filing::Column::Status.eq(FilingStatus::Queued as i16))
                .filter(filing::Column::CourtOriCode.is_in(court.ori_codes.clone()))
                .exec(&txn)
                .await?
                .rows_affected;
        }
        txn.commit().await?;
        Ok(attached)
    }

    // ----- challenged items -----

    /// Inserts the challenged items not stored yet for their county; returns how many.
    pub async fn submit_challenged(&self, items: Vec<Challenged>) -> Result<i64, StoreError> {
        let txn = self.db.begin().await?;
        let mut inserted = 0i64;
        for part in items.chunks(500) {
            let result = challenged::Entity::insert_many(part.iter().cloned().map(|c| {
                challenged::ActiveModel {
                    id: Set(c.id),
                    county_code: Set(c.county.code),
                    county_name: Set(c.county.name),
                    review_item_id: Set(c.review_item_id),
                    decision_id: Set(c.decision_id),
                    run_id: Set(c.run_id),
                    subject_id: Set(c.subject_id),
                    agency_id: Set(c.agency_id),
                    court_ori_code: Set(c.court_ori_code),
                    item: Set(c.item),
                    created_at_ms: Set(c.created_at_ms),
                }
            }))
            .on_conflict_do_nothing_on([
                challenged::Column::CountyCode,
                challenged::Column::CountyName,
                challenged::Column::ReviewItemId,
                challenged::Column::DecisionId,
            ])
            .exec_without_returning(&txn)
            .await?;
            if let TryInsertResult::Inserted(n) = result {
                inserted += i64::try_from(n).unwrap_or(i64::MAX);
            }
        }
        txn.commit().await?;
        Ok(inserted)
    }

    /// Challenged items of `county` and `agency_id` convicted under one of `oris`, by review
    /// item then decision.
    pub async fn challenged_for(
        &self,
        county: &County,
        agency_id: &str,
        oris: &[String],
    ) -> Result<Vec<Challenged>, StoreError> {
        if oris.is_empty() {
            return Ok(Vec::new());
        }
        Ok(challenged::Entity::find()
            .filter(county_of(
                county,
                challenged::Column::CountyCode,
                challenged::Column::CountyName,
            ))
            .filter(challenged::Column::AgencyId.eq(agency_id.to_owned()))
            .filter(challenged::Column::CourtOriCode.is_in(oris.to_vec()))
            .order_by_asc(challenged::Column::ReviewItemId)
            .order_by_asc(challenged::Column::DecisionId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| Challenged {
                id: m.id,
                county: County {
                    code: m.county_code,
                    name: m.county_name,
                },
                review_item_id: m.review_item_id,
                decision_id: m.decision_id,
                run_id: m.run_id,
                subject_id: m.subject_id,
                agency_id: m.agency_id,
                court_ori_code: m.court_ori_code,
                item: m.item,
                created_at_ms: m.created_at_ms,
            })
            .collect())
    }

    // ----- filings -----

    /// One filing of `county`.
    pub async fn filing(&self, county: &County, id: &str) -> Result<Option<Filing>, StoreError> {
        Ok(filing::Entity::find()
            .filter(county_condition(county))
            .filter(filing::Column::Id.eq(id.to_owned()))
            .one(&self.db)
            .await?
            .map(to_filing))
    }

    /// Filings of `county` with these ids (any order).
    pub async fn filings_by_ids(
        &self,
        county: &County,
        ids: &[String],
    ) -> Result<Vec<Filing>, StoreError> {
        let mut found = Vec::new();
        for part in ids.chunks(500) {
            found.extend(
                filing::Entity::find()
                    .filter(county_condition(county))
                    .filter(filing::Column::Id.is_in(part.to_vec()))
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(to_filing),
            );
        }
        Ok(found)
    }

    /// QUEUED filings of `county` for the court and agency, by id.
    pub async fn queued_filings(
        &self,
        county: &County,
        court_id: &str,
        agency_id: &str,
    ) -> Result<Vec<Filing>, StoreError> {
        Ok(filing::Entity::find()
            .filter(county_condition(county))
            .filter(filing::Column::CourtId.eq(court_id.to_owned()))
            .filter(filing::Column::AgencyId.eq(agency_id.to_owned()))
            .filter(filing::Column::Status.eq(FilingStatus::Queued as i16))
            .order_by_asc(filing::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_filing)
            .collect())
    }

    /// Filings of one batch, by id.
    pub async fn batch_filings(
        &self,
        county: &County,
        batch_id: &str,
    ) -> Result<Vec<Filing>, StoreError> {
        Ok(filing::Entity::find()
            .filter(county_condition(county))
            .filter(filing::Column::FilingBatchId.eq(batch_id.to_owned()))
            .order_by_asc(filing::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_filing)
            .collect())
    }

    // ----- batches and documents -----

    /// Writes a new batch: its filings move QUEUED → DRAFT (all or none) and its documents
    /// are stored.
    pub async fn create_batch(&self, new: NewBatch) -> Result<Generated, StoreError> {
        let txn = self.db.begin().await?;
        let b = new.batch;
        let mut moved = 0u64;
        for part in new.filing_ids.chunks(500) {
            moved += filing::Entity::update_many()
                .col_expr(
                    filing::Column::Status,
                    Expr::value(FilingStatus::Draft as i16),
                )
                .col_expr(filing::Column::FilingBatchId, Expr::value(b.id.clone()))
                .col_expr(filing::Column::UpdatedAtMs, Expr::value(b.created_at_ms))
                .filter(county_condition(&b.county))
                .filter(filing::Column::Id.is_in(part.to_vec()))
                .filter(filing::Column::Status.eq(FilingStatus::Queued as i16))
                .filter(filing::Column::FilingBatchId.eq(""))
                .exec(&txn)
                .await?
                .rows_affected;
        }
        if moved != new.filing_ids.len() as u64 {
            txn.rollback().await?;
            return Ok(Generated::Conflict);
        }
        batch::Entity::insert(batch::ActiveModel {
            id: Set(b.id),
            county_code: Set(b.county.code),
            county_name: Set(b.county.name),
            court_id: Set(b.court_id),
            agency_id: Set(b.agency_id),
            status: Set(b.status as i16),
            document_date: Set(b.document_date),
            filed_on: Set(b.filed_on),
            court_filing_reference: Set(b.court_filing_reference),
            signer: Set(b.signer),
            created_by_principal: Set(b.created_by_principal),
            created_by_agency: Set(b.created_by_agency),
            created_at_ms: Set(b.created_at_ms),
            updated_at_ms: Set(b.updated_at_ms),
        })
        .exec_without_returning(&txn)
        .await?;
        insert_documents(&txn, new.documents).await?;
        txn.commit().await?;
        Ok(Generated::Done)
    }

    /// Stores a DRAFT batch's re-rendered documents and supersedes the old ones, if the
    /// batch is still DRAFT.
    pub async fn regenerate(&self, regen: Regenerate) -> Result<Generated, StoreError> {
        let txn = self.db.begin().await?;
        let updated = batch::Entity::update_many()
            .col_expr(
                batch::Column::DocumentDate,
                Expr::value(regen.document_date),
            )
            .col_expr(batch::Column::Signer, Expr::value(regen.signer))
            .col_expr(batch::Column::UpdatedAtMs, Expr::value(regen.now_ms))
            .filter(county_of(
                &regen.county,
                batch::Column::CountyCode,
                batch::Column::CountyName,
            ))
            .filter(batch::Column::Id.eq(regen.batch_id.clone()))
            .filter(batch::Column::Status.eq(BatchStatus::Draft as i16))
            .exec(&txn)
            .await?
            .rows_affected;
        if updated != 1 {
            txn.rollback().await?;
            return Ok(Generated::Conflict);
        }
        insert_documents(&txn, regen.documents).await?;
        for (old, new) in regen.supersede {
            document::Entity::update_many()
                .col_expr(document::Column::SupersededBy, Expr::value(new))
                .filter(document::Column::Id.eq(old))
                .filter(document::Column::SupersededBy.eq(""))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(Generated::Done)
    }

    /// One batch of `county`.
    pub async fn batch(&self, county: &County, id: &str) -> Result<Option<Batch>, StoreError> {
        Ok(batch::Entity::find()
            .filter(county_of(
                county,
                batch::Column::CountyCode,
                batch::Column::CountyName,
            ))
            .filter(batch::Column::Id.eq(id.to_owned()))
            .one(&self.db)
            .await?
            .map(to_batch))
    }

    /// A batch with its counts and current document ids.
    pub async fn batch_view(&self, batch: Batch) -> Result<BatchView, StoreError> {
        let statuses: Vec<i16> = filing::Entity::find()
            .select_only()
            .column(filing::Column::Status)
            .filter(county_condition(&batch.county))
            .filter(filing::Column::FilingBatchId.eq(batch.id.clone()))
            .into_tuple::<i16>()
            .all(&self.db)
            .await?;
        let count = |s: FilingStatus| {
            i64::try_from(statuses.iter().filter(|&&x| x == s as i16).count()).unwrap_or(0)
        };
        let document_ids = document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .filter(document::Column::FilingBatchId.eq(batch.id.clone()))
            .filter(document::Column::SupersededBy.eq(""))
            .order_by_asc(document::Column::Id)
            .into_tuple::<String>()
            .all(&self.db)
            .await?;
        Ok(BatchView {
            filings: i64::try_from(statuses.len()).unwrap_or(0),
            granted: count(FilingStatus::Granted),
            denied: count(FilingStatus::Denied),
            document_ids,
            batch,
        })
    }

    /// Batches of `county` matching `filter`, by id, after `after`.
    pub async fn list_batches(
        &self,
        county: &County,
        filter: &BatchFilter,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<Batch>, StoreError> {
        let mut query = batch::Entity::find().filter(county_of(
            county,
            batch::Column::CountyCode,
            batch::Column::CountyName,
        ));
        if let Some(court_id) = &filter.court_id {
            query = query.filter(batch::Column::CourtId.eq(court_id.clone()));
        }
        if let Some(agency_id) = &filter.agency_id {
            query = query.filter(batch::Column::AgencyId.eq(agency_id.clone()));
        }
        if let Some(status) = filter.status {
            query = query.filter(batch::Column::Status.eq(status));
        }
        if let Some(after) = after {
            query = query.filter(batch::Column::Id.gt(after.to_owned()));
        }
        Ok(query
            .order_by_asc(batch::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_batch)
            .collect())
    }

    /// Documents of `county` matching `filter`, by id, after `after`.
    pub async fn list_documents(
        &self,
        county: &County,
        filter: &DocumentFilter,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<Document>, StoreError> {
        let mut query = document::Entity::find().filter(county_of(
            county,
            document::Column::CountyCode,
            document::Column::CountyName,
        ));
        if let Some(batch_id) = &filter.filing_batch_id {
            query = query.filter(document::Column::FilingBatchId.eq(batch_id.clone()));
        }
        if let Some(kind) = filter.kind {
            query = query.filter(document::Column::Kind.eq(kind));
        }
        if let Some(subject_id) = &filter.subject_id {
            query = query.filter(document::Column::SubjectId.eq(subject_id.clone()));
        }
        if !filter.include_superseded {
            query = query.filter(document::Column::SupersededBy.eq(""));
        }
        if let Some(after) = after {
            query = query.filter(document::Column::Id.gt(after.to_owned()));
        }
        Ok(query
            .order_by_asc(document::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| to_document(m).0)
            .collect())
    }

    /// Current documents of a batch, by id.
    pub async fn current_documents(
        &self,
        county: &County,
        batch_id: &str,
    ) -> Result<Vec<Document>, StoreError> {
        self.list_documents(
            county,
            &DocumentFilter {
                filing_batch_id: Some(batch_id.to_owned()),
                ..DocumentFilter::default()
            },
            None,
            u64::MAX >> 1,
        )
        .await
    }

    /// One document of `county` with its bytes.
    pub async fn document_content(
        &self,
        county: &County,
        id: &str,
    ) -> Result<Option<(Document, Vec<u8>)>, StoreError> {
        Ok(document::Entity::find()
            .filter(county_of(
                county,
                document::Column::CountyCode,
                document::Column::CountyName,
            ))
            .filter(document::Column::Id.eq(id.to_owned()))
            .one(&self.db)
            .await?
            .map(to_document))
    }

    /// Audits one download.
    pub async fn record_download(
        &self,
        id: String,
        county: &County,
        document_id: &str,
        principal_id: &str,
        agency_id: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        download::Entity::insert(download::ActiveModel {
            id: Set(id),
            county_code: Set(county.code.clone()),
            county_name: Set(county.name.clone()),
            document_id: Set(document_id.to_owned()),
            principal_id: Set(principal_id.to_owned()),
            agency_id: Set(agency_id.to_owned()),
            downloaded_at_ms: Set(at_ms),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    /// Downloads audited for a document.
    pub async fn download_count(&self, document_id: &str) -> Result<u64, StoreError> {
        Ok(download::Entity::find()
            .filter(download::Column::DocumentId.eq(document_id.to_owned()))
            .count(&self.db)
            .await?)
    }

    // ----- filed, outcomes -----

    /// DRAFT → FILED for the batch and its filings; `Conflict` when the batch is not DRAFT.
    pub async fn mark_filed(
        &self,
        county: &County,
        batch_id: &str,
        filed_on: i32,
        reference: &str,
        now_ms: i64,
    ) -> Result<Generated, StoreError> {
        let txn = self.db.begin().await?;
        let updated = batch::Entity::update_many()
            .col_expr(
                batch::Column::Status,
                Expr::value(BatchStatus::Filed as i16),
            )
            .col_expr(batch::Column::FiledOn, Expr::value(filed_on))
            .col_expr(
                batch::Column::CourtFilingReference,
                Expr::value(reference.to_owned()),
            )
            .col_expr(batch::Column::UpdatedAtMs, Expr::value(now_ms))
            .filter(county_of(
                county,
                batch::Column::CountyCode,
                batch::Column::CountyName,
            ))
            .filter(batch::Column::Id.eq(batch_id.to_owned()))
            .filter(batch::Column::Status.eq(BatchStatus::Draft as i16))
            .exec(&txn)
            .await?
            .rows_affected;
        if updated != 1 {
            txn.rollback().await?;
            return Ok(Generated::Conflict);
        }
        filing::Entity::update_many()
            .col_expr(
                filing::Column::Status,
                Expr::value(FilingStatus::Filed as i16),
            )
            .col_expr(filing::Column::FiledOn, Expr::value(filed_on))
            .col_expr(filing::Column::UpdatedAtMs, Expr::value(now_ms))
            .filter(county_condition(county))
            .filter(filing::Column::FilingBatchId.eq(batch_id.to_owned()))
            .filter(filing::Column::Status.eq(FilingStatus::Draft as i16))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(Generated::Done)
    }

    /// Records an outcome if the filing is still as the caller saw it; supersedes the
    /// previous one; closes the batch once every filing has an outcome.
    pub async fn record_outcome(&self, write: OutcomeWrite) -> Result<Generated, StoreError> {
        let txn = self.db.begin().await?;
        let o = write.outcome;
        let updated = filing::Entity::update_many()
            .col_expr(filing::Column::Status, Expr::value(write.new_status as i16))
            .col_expr(filing::Column::CurrentOutcomeId, Expr::value(o.id.clone()))
            .col_expr(filing::Column::UpdatedAtMs, Expr::value(o.recorded_at_ms))
            .filter(county_condition(&o.county))
            .filter(filing::Column::Id.eq(o.filing_id.clone()))
            .filter(filing::Column::CurrentOutcomeId.eq(write.expected_current.clone()))
            .filter(filing::Column::Status.is_in(write.from_statuses))
            .exec(&txn)
            .await?
            .rows_affected;
        if updated != 1 {
            txn.rollback().await?;
            return Ok(Generated::Conflict);
        }
        if !write.expected_current.is_empty() {
            outcome::Entity::update_many()
                .col_expr(outcome::Column::SupersededBy, Expr::value(o.id.clone()))
                .filter(outcome::Column::Id.eq(write.expected_current))
                .exec(&txn)
                .await?;
        }
        let batch_id = o.filing_batch_id.clone();
        let county = o.county.clone();
        let now = o.recorded_at_ms;
        outcome::Entity::insert(to_active_outcome(o))
            .exec_without_returning(&txn)
            .await?;
        let open = filing::Entity::find()
            .filter(county_condition(&county))
            .filter(filing::Column::FilingBatchId.eq(batch_id.clone()))
            .filter(
                filing::Column::Status
                    .is_not_in([FilingStatus::Granted as i16, FilingStatus::Denied as i16]),
            )
            .count(&txn)
            .await?;
        if open == 0 {
            batch::Entity::update_many()
                .col_expr(
                    batch::Column::Status,
                    Expr::value(BatchStatus::Closed as i16),
                )
                .col_expr(batch::Column::UpdatedAtMs, Expr::value(now))
                .filter(batch::Column::Id.eq(batch_id))
                .filter(batch::Column::Status.eq(BatchStatus::Filed as i16))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(Generated::Done)
    }

    /// Outcomes of `county` with these ids.
    pub async fn outcomes_by_ids(
        &self,
        county: &County,
        ids: &[String],
    ) -> Result<Vec<Outcome>, StoreError> {
        let mut found = Vec::new();
        for part in ids.chunks(500) {
            found.extend(
                outcome::Entity::find()
                    .filter(county_of(
                        county,
                        outcome::Column::CountyCode,
                        outcome::Column::CountyName,
                    ))
                    .filter(outcome::Column::Id.is_in(part.to_vec()))
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(to_outcome),
            );
        }
        Ok(found)
    }

    /// Outcomes of `county` matching `filter`, by id, after `after`.
    pub async fn list_outcomes(
        &self,
        county: &County,
        filter: &OutcomeFilter,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<Outcome>, StoreError> {
        let mut query = outcome::Entity::find().filter(county_of(
            county,
            outcome::Column::CountyCode,
            outcome::Column::CountyName,
        ));
        if let Some(batch_id) = &filter.filing_batch_id {
            query = query.filter(outcome::Column::FilingBatchId.eq(batch_id.clone()));
        }
        if let Some(court_id) = &filter.court_id {
            query = query.filter(outcome::Column::CourtId.eq(court_id.clone()));
        }
        if let Some(decision) = filter.decision {
            query = query.filter(outcome::Column::Decision.eq(decision));
        }
        if let Some(from) = filter.decided_from {
            query = query.filter(outcome::Column::DecidedOn.gte(from));
        }
        if let Some(to) = filter.decided_to {
            query = query.filter(outcome::Column::DecidedOn.lte(to));
        }
        if filter.not_exported_only {
            query = query.filter(outcome::Column::ExportedToDojAtMs.eq(0i64));
        }
        if !filter.include_superseded {
            query = query.filter(outcome::Column::SupersededBy.eq(""));
        }
        if let Some(after) = after {
            query = query.filter(outcome::Column::Id.gt(after.to_owned()));
        }
        Ok(query
            .order_by_asc(outcome::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_outcome)
            .collect())
    }

    /// Stamps the outcomes as exported to DOJ (those not stamped yet).
    pub async fn mark_exported(&self, ids: &[String], at_ms: i64) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        for part in ids.chunks(500) {
            outcome::Entity::update_many()
                .col_expr(outcome::Column::ExportedToDojAtMs, Expr::value(at_ms))
                .filter(outcome::Column::Id.is_in(part.to_vec()))
                .filter(outcome::Column::ExportedToDojAtMs.eq(0i64))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

async fn insert_documents(
    txn: &impl ConnectionTrait,
    documents: Vec<(Document, Vec<u8>)>,
) -> Result<(), StoreError> {
    for (d, content) in documents {
        document::Entity::insert(document::ActiveModel {
            id: Set(d.id),
            county_code: Set(d.county.code),
            county_name: Set(d.county.name),
            filing_batch_id: Set(d.filing_batch_id),
            kind: Set(d.kind),
            court_id: Set(d.court_id),
            agency_id: Set(d.agency_id),
            subject_id: Set(d.subject_id),
            filing_ids: Set(d.filing_ids.join("\n")),
            file_name: Set(d.file_name),
            media_type: Set(d.media_type),
            size_bytes: Set(d.size_bytes),
            sha256: Set(d.sha256),
            template_id: Set(d.template_id),
            content: Set(content),
            superseded_by: Set(d.superseded_by),
            created_at_ms: Set(d.created_at_ms),
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

fn to_court(m: court::Model) -> Court {
    Court {
        county: County {
            code: m.county_code,
            name: m.county_name,
        },
        court_id: m.court_id,
        name: m.name,
        branch_name: m.branch_name,
        ori_codes: lines(&m.ori_codes),
        address_lines: lines(&m.address_lines),
        updated_at_ms: m.updated_at_ms,
    }
}

fn to_batch(m: batch::Model) -> Batch {
    Batch {
        id: m.id,
        county: County {
            code: m.county_code,
            name: m.county_name,
        },
        court_id: m.court_id,
        agency_id: m.agency_id,
        status: BatchStatus::from_i16(m.status).unwrap_or(BatchStatus::Draft),
        document_date: m.document_date,
        filed_on: m.filed_on,
        court_filing_reference: m.court_filing_reference,
        signer: m.signer,
        created_by_principal: m.created_by_principal,
        created_by_agency: m.created_by_agency,
        created_at_ms: m.created_at_ms,
        updated_at_ms: m.updated_at_ms,
    }
}

fn to_document(m: document::Model) -> (Document, Vec<u8>) {
    (
        Document {
            id: m.id,
            county: County {
                code: m.county_code,
                name: m.county_name,
            },
            filing_batch_id: m.filing_batch_id,
            kind: m.kind,
            court_id: m.court_id,
            agency_id: m.agency_id,
            subject_id: m.subject_id,
            filing_ids: lines(&m.filing_ids),
            file_name: m.file_name,
            media_type: m.media_type,
            size_bytes: m.size_bytes,
            sha256: m.sha256,
            template_id: m.template_id,
            superseded_by: m.superseded_by,
            created_at_ms: m.created_at_ms,
        },
        m.content,
    )
}

fn to_outcome(m: outcome::Model) -> Outcome {
    Outcome {
        id: m.id,
        county: County {
            code: m.county_code,
            name: m.county_name,
        },
        filing_id: m.filing_id,
        filing_batch_id: m.filing_batch_id,
        court_id: m.court_id,
        decision: m.decision,
        decided_on: m.decided_on,
        order_number: m.order_number,
        granted_relief: m.granted_relief,
        supersedes_outcome_id: m.supersedes_outcome_id,
        superseded_by: m.superseded_by,
        note: m.note,
        recorded_by_principal: m.recorded_by_principal,
        recorded_by_agency: m.recorded_by_agency,
        recorded_at_ms: m.recorded_at_ms,
        exported_to_doj_at_ms: m.exported_to_doj_at_ms,
    }
}

fn to_active_outcome(o: Outcome) -> outcome::ActiveModel {
    outcome::ActiveModel {
        id: Set(o.id),
        county_code: Set(o.county.code),
        county_name: Set(o.county.name),
        filing_id: Set(o.filing_id),
        filing_batch_id: Set(o.filing_batch_id),
        court_id: Set(o.court_id),
        decision: Set(o.decision),
        decided_on: Set(o.decided_on),
        order_number: Set(o.order_number),
        granted_relief: Set(o.granted_relief),
        supersedes_outcome_id: Set(o.supersedes_outcome_id),
        superseded_by: Set(o.superseded_by),
        note: Set(o.note),
        recorded_by_principal: Set(o.recorded_by_principal),
        recorded_by_agency: Set(o.recorded_by_agency),
        recorded_at_ms: Set(o.recorded_at_ms),
        exported_to_doj_at_ms: Set(o.exported_to_doj_at_ms),
    }
}
