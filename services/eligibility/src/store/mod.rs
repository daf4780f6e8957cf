//! The eligibility store: the only code that touches sea-orm. SQLite by default,
//! PostgreSQL when the URL says so; migrations run on [`Store::connect`].

mod entities;

use cmr_eligibility_migration::Migrator;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::domain::model::{
    County, RecordFacts, Run, RunStatus, RunTotals, StoredDetermination, StoredPolicy,
    decode_counts, encode_counts,
};
use entities::{determination, policy, run};

/// Determinations per INSERT statement (22 columns each, well inside both back ends'
/// bind-parameter limits: 32,766 for SQLite, 65,535 for PostgreSQL).
const INSERT_ROWS: usize = 1000;

/// A store failure; always an internal error for callers.
#[derive(Debug, thiserror::Error)]
#[error("eligibility store: {0}")]
pub struct StoreError(#[from] DbErr);

/// Filters of [`Store::list_runs`].
#[derive(Clone, Debug, Default)]
pub struct RunFilter {
    pub batch_id: Option<String>,
    pub policy_name: Option<String>,
    pub status: Option<RunStatus>,
}

/// A connected, migrated eligibility store. Cheap to clone.
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

    // ----- policies -----

    /// The latest version of a policy of `county_name`.
    pub async fn latest_policy(
        &self,
        county_name: &str,
        name: &str,
    ) -> Result<Option<StoredPolicy>, StoreError> {
        Ok(policy::Entity::find()
            .filter(policy::Column::CountyName.eq(county_name))
            .filter(policy::Column::Name.eq(name))
            .order_by_desc(policy::Column::Version)
            .one(&self.db)
            .await?
            .map(to_policy))
    }

    /// One policy version.
    pub async fn get_policy(
        &self,
        county_name: &str,
        name: &str,
        version: i32,
    ) -> Result<Option<StoredPolicy>, StoreError> {
        Ok(
            policy::Entity::find_by_id((county_name.to_owned(), name.to_owned(), version))
                .one(&self.db)
                .await?
                .map(to_policy),
        )
    }

    /// Stores a new policy version (fails if the version exists).
    pub async fn insert_policy(&self, new: &StoredPolicy) -> Result<(), StoreError> {
        policy::Entity::insert(policy::ActiveModel {
            county_name: Set(new.county_name.clone()),
            name: Set(new.name.clone()),
            version: Set(new.version),
            id: Set(new.id.clone()),
            description: Set(new.description.clone()),
            body_json: Set(new.body_json.clone()),
            body_sha256: Set(new.body_sha256.clone()),
            created_at_ms: Set(new.created_at_ms),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    /// Every version of the county's policies (optionally of one name), by name then
    /// version.
    pub async fn list_policies(
        &self,
        county_name: &str,
        name: Option<&str>,
    ) -> Result<Vec<StoredPolicy>, StoreError> {
        let mut query = policy::Entity::find().filter(policy::Column::CountyName.eq(county_name));
        if let Some(name) = name {
            query = query.filter(policy::Column::Name.eq(name));
        }
        Ok(query
            .order_by_asc(policy::Column::Name)
            .order_by_asc(policy::Column::Version)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_policy)
            .collect())
    }

    // ----- runs -----

    /// Runs left RUNNING by a process that stopped mid-run become FAILED with their
    /// determinations removed. Call once at start-up, before serving.
    pub async fn fail_interrupted(&self) -> Result<u64, StoreError> {
        let stale = run::Entity::find()
            .filter(run::Column::Status.eq(RunStatus::Running as i16))
            .all(&self.db)
            .await?;
        for model in &stale {
            self.fail_run(&model.id, "run interrupted by a service restart")
                .await?;
        }
        Ok(stale.len() as u64)
    }

    /// The run with this natural key.
    pub async fn find_run_by_key(&self, run_key: &str) -> Result<Option<Run>, StoreError> {
        Ok(run::Entity::find()
            .filter(run::Column::RunKey.eq(run_key))
            .one(&self.db)
            .await?
            .map(to_run))
    }

    /// One run by id.
    pub async fn get_run(&self, id: &str) -> Result<Option<Run>, StoreError> {
        Ok(run::Entity::find_by_id(id.to_owned())
            .one(&self.db)
            .await?
            .map(to_run))
    }

    /// Creates a run (fails when the natural key exists: the key is unique).
    pub async fn insert_run(&self, new: &Run) -> Result<(), StoreError> {
        run::Entity::insert(run::ActiveModel {
            id: Set(new.id.clone()),
            run_key: Set(new.run_key.clone()),
            batch_id: Set(new.batch_id.clone()),
            county_code: Set(new.county.code.clone()),
            county_name: Set(new.county.name.clone()),
            policy_name: Set(new.policy_name.clone()),
            policy_version: Set(new.policy_version),
            compute_at: Set(new.compute_at.clone()),
            status: Set(new.status as i16),
            rows_received: Set(new.rows_received),
            subjects_evaluated: Set(new.subjects_evaluated),
            convictions_evaluated: Set(new.convictions_evaluated),
            subjects_with_relief: Set(new.subjects_with_relief),
            outcome_counts: Set(encode_counts(&new.outcome_counts)),
            summary_json: Set(new.summary_json.clone()),
            report_text: Set(new.report_text.clone()),
            error: Set(new.error.clone()),
            created_at_ms: Set(new.created_at_ms),
            started_at_ms: Set(new.started_at_ms),
            finished_at_ms: Set(new.finished_at_ms),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    /// (Re)starts a run: removes whatever determinations an earlier attempt left and marks
    /// it RUNNING, in one transaction.
    pub async fn begin_run(&self, id: &str, started_at_ms: i64) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        delete_determinations(&txn, id).await?;
        run::Entity::update_many()
            .col_expr(run::Column::Status, Expr::value(RunStatus::Running as i16))
            .col_expr(run::Column::Error, Expr::value(Option::<String>::None))
            .col_expr(run::Column::StartedAtMs, Expr::value(started_at_ms))
            .col_expr(run::Column::FinishedAtMs, Expr::value(Option::<i64>::None))
            .filter(run::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Writes determinations of a run in one transaction.
    pub async fn write_determinations(
        &self,
        rows: &[StoredDetermination],
    ) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin().await?;
        for part in rows.chunks(INSERT_ROWS) {
            determination::Entity::insert_many(part.iter().map(|d| {
                let r = &d.record;
                determination::ActiveModel {
                    run_id: Set(d.run_id.clone()),
                    row_index: Set(d.row_index),
                    subject_id: Set(d.subject_id.clone()),
                    outcome: Set(d.outcome),
                    reason: Set(d.reason.clone()),
                    rule_id: Set(d.rule_id.clone()),
                    cells: Set(d.cells.clone()),
                    reason_code: Set(d.reason_code.clone()),
                    citation: Set(d.citation.clone()),
                    facts_json: Set(d.facts_json.clone()),
                    track: Set(d.track),
                    cnt_order: Set(r.cnt_order.clone()),
                    court_ori_code: Set(r.court_ori_code.clone()),
                    court_ori_descr: Set(r.court_ori_descr.clone()),
                    prop64_section: Set(r.prop64_section.clone()),
                    person_name: Set(r.name.clone()),
                    person_aliases: Set(r.aliases.clone()),
                    date_of_birth: Set(r.date_of_birth.clone()),
                    cii_number: Set(r.cii_number.clone()),
                    doj_subject_id: Set(r.doj_subject_id.clone()),
                    race_code: Set(r.race_code.clone()),
                    race_descr: Set(r.race_descr.clone()),
                }
            }))
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Marks a run SUCCEEDED with its totals.
    pub async fn finish_run(&self, id: &str, totals: &RunTotals) -> Result<(), StoreError> {
        run::Entity::update_many()
            .col_expr(
                run::Column::Status,
                Expr::value(RunStatus::Succeeded as i16),
            )
            .col_expr(run::Column::RowsReceived, Expr::value(totals.rows_received))
            .col_expr(
                run::Column::SubjectsEvaluated,
                Expr::value(totals.subjects_evaluated),
            )
            .col_expr(
                run::Column::ConvictionsEvaluated,
                Expr::value(totals.convictions_evaluated),
            )
            .col_expr(
                run::Column::SubjectsWithRelief,
                Expr::value(totals.subjects_with_relief),
            )
            .col_expr(
                run::Column::OutcomeCounts,
                Expr::value(encode_counts(&totals.outcome_counts)),
            )
            .col_expr(
                run::Column::SummaryJson,
                Expr::value(totals.summary_json.clone()),
            )
            .col_expr(
                run::Column::ReportText,
                Expr::value(totals.report_text.clone()),
            )
            .col_expr(
                run::Column::FinishedAtMs,
                Expr::value(crate::domain::ids::now_ms()),
            )
            .filter(run::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Removes a run's determinations and marks it FAILED with `message`, in one
    /// transaction.
    pub async fn fail_run(&self, id: &str, message: &str) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        delete_determinations(&txn, id).await?;
        run::Entity::update_many()
            .col_expr(run::Column::Status, Expr::value(RunStatus::Failed as i16))
            .col_expr(run::Column::Error, Expr::value(message.to_owned()))
            .col_expr(
                run::Column::FinishedAtMs,
                Expr::value(crate::domain::ids::now_ms()),
            )
            .filter(run::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Runs of `county`, newest first, after the cursor `(created_at_ms, id)`.
    pub async fn list_runs(
        &self,
        county: &County,
        filter: &RunFilter,
        after: Option<(i64, String)>,
        limit: u64,
    ) -> Result<Vec<Run>, StoreError> {
        let mut query = run::Entity::find().filter(run::Column::CountyName.eq(&county.name));
        if !county.code.is_empty() {
            query = query.filter(run::Column::CountyCode.eq(&county.code));
        }
        if let Some(batch) = &filter.batch_id {
            query = query.filter(run::Column::BatchId.eq(batch));
        }
        if let Some(name) = &filter.policy_name {
            query = query.filter(run::Column::PolicyName.eq(name));
        }
        if let Some(status) = filter.status {
            query = query.filter(run::Column::Status.eq(status as i16));
        }
        if let Some((created, id)) = after {
            query = query.filter(
                Condition::any()
                    .add(run::Column::CreatedAtMs.lt(created))
                    .add(
                        Condition::all()
                            .add(run::Column::CreatedAtMs.eq(created))
                            .add(run::Column::Id.lt(id)),
                    ),
            );
        }
        Ok(query
            .order_by_desc(run::Column::CreatedAtMs)
            .order_by_desc(run::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_run)
            .collect())
    }

    // ----- determinations -----

    /// Determinations of a run in row order after `after_row`, optionally only these
    /// outcome codes.
    pub async fn determinations(
        &self,
        run_id: &str,
        after_row: i64,
        outcomes: &[i16],
        limit: u64,
    ) -> Result<Vec<StoredDetermination>, StoreError> {
        let mut query = determination::Entity::find()
            .filter(determination::Column::RunId.eq(run_id))
            .filter(determination::Column::RowIndex.gt(after_row));
        if !outcomes.is_empty() {
            query = query.filter(determination::Column::Outcome.is_in(outcomes.iter().copied()));
        }
        Ok(query
            .order_by_asc(determination::Column::RowIndex)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|d| StoredDetermination {
                run_id: d.run_id,
                row_index: d.row_index,
                subject_id: d.subject_id,
                outcome: d.outcome,
                reason: d.reason,
                rule_id: d.rule_id,
                cells: d.cells,
                reason_code: d.reason_code,
                citation: d.citation,
                facts_json: d.facts_json,
                track: d.track,
                record: RecordFacts {
                    cnt_order: d.cnt_order,
                    court_ori_code: d.court_ori_code,
                    court_ori_descr: d.court_ori_descr,
                    prop64_section: d.prop64_section,
                    name: d.person_name,
                    aliases: d.person_aliases,
                    date_of_birth: d.date_of_birth,
                    cii_number: d.cii_number,
                    doj_subject_id: d.doj_subject_id,
                    race_code: d.race_code,
                    race_descr: d.race_descr,
                },
            })
            .collect())
    }

    /// Determinations stored for a run (tests and accounting checks).
    pub async fn count_determinations(&self, run_id: &str) -> Result<u64, StoreError> {
        Ok(determination::Entity::find()
            .filter(determination::Column::RunId.eq(run_id))
            .count(&self.db)
            .await?)
    }
}

async fn delete_determinations(
    txn: &impl sea_orm::ConnectionTrait,
    run_id: &str,
) -> Result<(), DbErr> {
    determination::Entity::delete_many()
        .filter(determination::Column::RunId.eq(run_id))
        .exec(txn)
        .await?;
    Ok(())
}

fn to_policy(model: policy::Model) -> StoredPolicy {
    StoredPolicy {
        id: model.id,
        county_name: model.county_name,
        name: model.name,
        version: model.version,
        description: model.description,
        body_json: model.body_json,
        body_sha256: model.body_sha256,
        created_at_ms: model.created_at_ms,
    }
}

fn to_run(model: run::Model) -> Run {
    Run {
        id: model.id,
        run_key: model.run_key,
        batch_id: model.batch_id,
        county: County {
            code: model.county_code,
            name: model.county_name,
        },
        policy_name: model.policy_name,
        policy_version: model.policy_version,
        compute_at: model.compute_at,
        status: RunStatus::from_i16(model.status).unwrap_or(RunStatus::Failed),
        rows_received: model.rows_received,
        subjects_evaluated: model.subjects_evaluated,
        convictions_evaluated: model.convictions_evaluated,
        subjects_with_relief: model.subjects_with_relief,
        outcome_counts: decode_counts(&model.outcome_counts),
        summary_json: model.summary_json,
        report_text: model.report_text,
        error: model.error,
        created_at_ms: model.created_at_ms,
        started_at_ms: model.started_at_ms,
        finished_at_ms: model.finished_at_ms,
    }
}
