//! Decisions, comments, assignments and deadlines. A decision becomes current only through a
//! conditional UPDATE of its item (`current_decision_id` must still be what the caller saw),
//! so two racing deciders cannot both win; the unique partial index on current decisions
//! backs that up.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait, sea_query::Expr, sea_query::OnConflict,
};

use super::entities::{assignment, comment, deadline, decision, review_item};
use super::{Store, StoreError, audit, county_condition, to_item};
use crate::domain::audit_chain::AuditRecord;
use crate::domain::model::{
    ActorRef, Assignment, Comment, County, Deadline, Decision, ReviewItem, ReviewStatus,
};

/// One decision to make current.
#[derive(Clone, Debug)]
pub struct Decide {
    /// The decision the caller saw as current (empty = none).
    pub expected_current: String,
    pub decision: Decision,
    pub status: ReviewStatus,
    /// 1 when the decision leads to relief.
    pub relief: i16,
    pub audit: AuditRecord,
}

/// What became of one [`Decide`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decided {
    Done(Box<Decision>),
    /// Another decision is current (or the item was sent to filing) — nothing written.
    Stale {
        current: String,
    },
}

/// An item whose relief is ready for filing, with its current decision.
#[derive(Clone, Debug)]
pub struct SendableItem {
    pub item: ReviewItem,
    pub decision: Option<Decision>,
}

impl Store {
    /// Makes each decision current if its item's current decision is still the expected one;
    /// all in one transaction, with the audit events of those that were made.
    pub async fn decide(&self, decisions: Vec<Decide>) -> Result<Vec<Decided>, StoreError> {
        let _writing = self.writes.lock().await;
        let txn = self.db.begin().await?;
        let mut results = Vec::with_capacity(decisions.len());
        let mut events = Vec::new();
        for decide in decisions {
            let item_id = decide.decision.review_item_id.clone();
            let updated = review_item::Entity::update_many()
                .col_expr(
                    review_item::Column::CurrentDecisionId,
                    Expr::value(decide.decision.id.clone()),
                )
                .col_expr(
                    review_item::Column::Status,
                    Expr::value(decide.status as i16),
                )
                .col_expr(review_item::Column::Relief, Expr::value(decide.relief))
                .col_expr(
                    review_item::Column::UpdatedAtMs,
                    Expr::value(decide.decision.decided_at_ms),
                )
                .filter(review_item::Column::Id.eq(item_id.clone()))
                .filter(review_item::Column::CurrentDecisionId.eq(decide.expected_current.clone()))
                .filter(review_item::Column::SentToFilingAtMs.eq(0i64))
                .exec(&txn)
                .await?;
            if updated.rows_affected == 0 {
                let current = review_item::Entity::find_by_id(item_id)
                    .one(&txn)
                    .await?
                    .map(|row| row.current_decision_id)
                    .unwrap_or_default();
                results.push(Decided::Stale { current });
                continue;
            }
            if !decide.expected_current.is_empty() {
                decision::Entity::update_many()
                    .col_expr(
                        decision::Column::SupersededBy,
                        Expr::value(decide.decision.id.clone()),
                    )
                    .filter(decision::Column::Id.eq(decide.expected_current.clone()))
                    .exec(&txn)
                    .await?;
            }
            let mut made = decide.decision;
            made.supersedes_decision_id = decide.expected_current;
            decision::Entity::insert(decision_active(made.clone()))
                .exec_without_returning(&txn)
                .await?;
            events.push(decide.audit);
            results.push(Decided::Done(Box::new(made)));
        }
        audit::append_in(&txn, events).await?;
        txn.commit().await?;
        Ok(results)
    }

    /// The decisions, comments and assignments of an item, oldest first.
    pub async fn history(
        &self,
        item_id: &str,
    ) -> Result<(Vec<Decision>, Vec<Comment>, Vec<Assignment>), StoreError> {
        let decisions = decision::Entity::find()
            .filter(decision::Column::ReviewItemId.eq(item_id.to_owned()))
            .order_by_asc(decision::Column::DecidedAtMs)
            .order_by_asc(decision::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_decision)
            .collect();
        let comments = comment::Entity::find()
            .filter(comment::Column::ReviewItemId.eq(item_id.to_owned()))
            .order_by_asc(comment::Column::CreatedAtMs)
            .order_by_asc(comment::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| Comment {
                id: row.id,
                review_item_id: row.review_item_id,
                text: row.text,
                actor: ActorRef {
                    principal_id: row.principal_id,
                    agency_id: row.agency_id,
                    role: row.role,
                },
                created_at_ms: row.created_at_ms,
            })
            .collect();
        let assignments = assignment::Entity::find()
            .filter(assignment::Column::ReviewItemId.eq(item_id.to_owned()))
            .order_by_asc(assignment::Column::AssignedAtMs)
            .order_by_asc(assignment::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| Assignment {
                id: row.id,
                review_item_id: row.review_item_id,
                agency_id: row.agency_id,
                reviewer_id: row.reviewer_id,
                routing_rule_id: row.routing_rule_id,
                reason: row.reason,
                actor: ActorRef {
                    principal_id: row.principal_id,
                    agency_id: row.actor_agency_id,
                    role: row.role,
                },
                assigned_at_ms: row.assigned_at_ms,
            })
            .collect();
        Ok((decisions, comments, assignments))
    }

    /// Decisions by id (current decisions of listed items).
    pub async fn decisions(&self, ids: Vec<String>) -> Result<Vec<Decision>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(decision::Entity::find()
            .filter(decision::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_decision)
            .collect())
    }

    /// Stores a comment with its audit event.
    pub async fn comment(&self, value: Comment, event: AuditRecord) -> Result<(), StoreError> {
        let _writing = self.writes.lock().await;
        let txn = self.db.begin().await?;
        comment::Entity::insert(comment::ActiveModel {
            id: Set(value.id),
            review_item_id: Set(value.review_item_id),
            text: Set(value.text),
            principal_id: Set(value.actor.principal_id),
            agency_id: Set(value.actor.agency_id),
            role: Set(value.actor.role),
            created_at_ms: Set(value.created_at_ms),
        })
        .exec_without_returning(&txn)
        .await?;
        audit::append_in(&txn, vec![event]).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Routes items anew (reassignment or re-routing): each item gets the assignment's
    /// agency, reviewer and rule, and the assignment is recorded.
    pub async fn assign(
        &self,
        assignments: Vec<Assignment>,
        events: Vec<AuditRecord>,
    ) -> Result<(), StoreError> {
        let _writing = self.writes.lock().await;
        let txn = self.db.begin().await?;
        for value in assignments {
            review_item::Entity::update_many()
                .col_expr(
                    review_item::Column::AgencyId,
                    Expr::value(value.agency_id.clone()),
                )
                .col_expr(
                    review_item::Column::ReviewerId,
                    Expr::value(value.reviewer_id.clone()),
                )
                .col_expr(
                    review_item::Column::RoutingRuleId,
                    Expr::value(value.routing_rule_id.clone()),
                )
                .col_expr(
                    review_item::Column::UpdatedAtMs,
                    Expr::value(value.assigned_at_ms),
                )
                .filter(review_item::Column::Id.eq(value.review_item_id.clone()))
                .exec(&txn)
                .await?;
            assignment::Entity::insert(assignment_active(value))
                .exec_without_returning(&txn)
                .await?;
        }
        audit::append_in(&txn, events).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The county's deadline row, if one was ever written.
    pub async fn deadline(&self, county_key: &str) -> Result<Option<Deadline>, StoreError> {
        Ok(deadline::Entity::find_by_id(county_key.to_owned())
            .one(&self.db)
            .await?
            .map(|row| Deadline {
                county_key: row.county_key,
                challenge_deadline: row.challenge_deadline,
                is_default: row.is_default != 0,
                applied_at_ms: row.applied_at_ms,
                updated_by: ActorRef {
                    principal_id: row.updated_by,
                    agency_id: row.updated_by_agency,
                    role: row.updated_by_role,
                },
                updated_at_ms: row.updated_at_ms,
            }))
    }

    /// Writes the county's deadline row with its audit events.
    pub async fn put_deadline(
        &self,
        value: Deadline,
        events: Vec<AuditRecord>,
    ) -> Result<(), StoreError> {
        let _writing = self.writes.lock().await;
        let txn = self.db.begin().await?;
        deadline::Entity::insert(deadline::ActiveModel {
            county_key: Set(value.county_key),
            challenge_deadline: Set(value.challenge_deadline),
            is_default: Set(i16::from(value.is_default)),
            applied_at_ms: Set(value.applied_at_ms),
            updated_by: Set(value.updated_by.principal_id),
            updated_by_agency: Set(value.updated_by.agency_id),
            updated_by_role: Set(value.updated_by.role),
            updated_at_ms: Set(value.updated_at_ms),
        })
        .on_conflict(
            OnConflict::column(deadline::Column::CountyKey)
                .update_columns([
                    deadline::Column::ChallengeDeadline,
                    deadline::Column::IsDefault,
                    deadline::Column::AppliedAtMs,
                    deadline::Column::UpdatedBy,
                    deadline::Column::UpdatedByAgency,
                    deadline::Column::UpdatedByRole,
                    deadline::Column::UpdatedAtMs,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        audit::append_in(&txn, events).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Items of `county` whose relief is ready and not yet sent to filing, at most `limit`.
    pub async fn sendable(
        &self,
        county: &County,
        limit: u64,
    ) -> Result<Vec<SendableItem>, StoreError> {
        let items: Vec<ReviewItem> = review_item::Entity::find()
            .filter(county_condition(county))
            .filter(review_item::Column::Relief.eq(1i16))
            .filter(review_item::Column::SentToFilingAtMs.eq(0i64))
            .filter(review_item::Column::Status.is_in([
                ReviewStatus::Concurred as i16,
                ReviewStatus::Resolved as i16,
                ReviewStatus::DeemedConcurred as i16,
            ]))
            .order_by_asc(review_item::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_item)
            .collect();
        let decisions = self
            .decisions(
                items
                    .iter()
                    .map(|i| i.current_decision_id.clone())
                    .collect(),
            )
            .await?;
        Ok(items
            .into_iter()
            .map(|item| SendableItem {
                decision: decisions
                    .iter()
                    .find(|d| d.id == item.current_decision_id)
                    .cloned(),
                item,
            })
            .collect())
    }

    /// Challenged items of `county` whose challenge is final (not hand-review or referral
    /// items, which can still be resolved), with their current decision, by id after
    /// `after`, at most `limit`. Called once the county's deadline is applied.
    pub async fn final_challenged(
        &self,
        county: &County,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<SendableItem>, StoreError> {
        let mut query = review_item::Entity::find()
            .filter(county_condition(county))
            .filter(review_item::Column::Status.eq(ReviewStatus::Challenged as i16))
            .filter(review_item::Column::Outcome.is_not_in([
                crate::domain::decision::OUTCOME_HAND_REVIEW,
                crate::domain::decision::OUTCOME_REFER_TO_CITY_PROSECUTOR,
            ]));
        if let Some(after) = after {
            query = query.filter(review_item::Column::Id.gt(after.to_owned()));
        }
        let items: Vec<ReviewItem> = query
            .order_by_asc(review_item::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_item)
            .collect();
        let decisions = self
            .decisions(
                items
                    .iter()
                    .map(|i| i.current_decision_id.clone())
                    .collect(),
            )
            .await?;
        Ok(items
            .into_iter()
            .map(|item| SendableItem {
                decision: decisions
                    .iter()
                    .find(|d| d.id == item.current_decision_id)
                    .cloned(),
                item,
            })
            .collect())
    }

    /// Records that the items' relief was handed to filing.
    pub async fn mark_sent(&self, ids: Vec<String>, at_ms: i64) -> Result<(), StoreError> {
        let _writing = self.writes.lock().await;
        let txn = self.db.begin().await?;
        for part in ids.chunks(500) {
            review_item::Entity::update_many()
                .col_expr(review_item::Column::SentToFilingAtMs, Expr::value(at_ms))
                .filter(review_item::Column::Id.is_in(part.to_vec()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Counts items of `county` with `status` whose outcome is (or is not) in `outcomes`.
    pub async fn count_items(
        &self,
        county: &County,
        status: ReviewStatus,
        outcomes: &[i16],
        inside: bool,
    ) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        let outcome = if inside {
            review_item::Column::Outcome.is_in(outcomes.to_vec())
        } else {
            review_item::Column::Outcome.is_not_in(outcomes.to_vec())
        };
        Ok(review_item::Entity::find()
            .filter(county_condition(county))
            .filter(review_item::Column::Status.eq(status as i16))
            .filter(outcome)
            .count(&self.db)
            .await?)
    }

    /// Ids of items of `county` with `status` whose outcome is not in `outcomes`.
    pub async fn item_ids(
        &self,
        county: &County,
        status: ReviewStatus,
        excluded_outcomes: &[i16],
    ) -> Result<Vec<String>, StoreError> {
        Ok(review_item::Entity::find()
            .select_only()
            .column(review_item::Column::Id)
            .filter(county_condition(county))
            .filter(review_item::Column::Status.eq(status as i16))
            .filter(review_item::Column::Outcome.is_not_in(excluded_outcomes.to_vec()))
            .order_by_asc(review_item::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await?)
    }
}

fn decision_active(value: Decision) -> decision::ActiveModel {
    decision::ActiveModel {
        id: Set(value.id),
        review_item_id: Set(value.review_item_id),
        county_code: Set(value.county.code),
        county_name: Set(value.county.name),
        kind: Set(value.kind),
        ground: Set(value.ground),
        resolution: Set(value.resolution),
        reduce_to: Set(value.reduce_to),
        note: Set(value.note),
        supersedes_decision_id: Set(value.supersedes_decision_id),
        superseded_by: Set(value.superseded_by),
        bulk_action_id: Set(value.bulk_action_id),
        principal_id: Set(value.actor.principal_id),
        agency_id: Set(value.actor.agency_id),
        role: Set(value.actor.role),
        idempotency_key: Set(value.idempotency_key),
        decided_at_ms: Set(value.decided_at_ms),
    }
}

fn to_decision(row: decision::Model) -> Decision {
    Decision {
        id: row.id,
        review_item_id: row.review_item_id,
        county: County {
            code: row.county_code,
            name: row.county_name,
        },
        kind: row.kind,
        ground: row.ground,
        resolution: row.resolution,
        reduce_to: row.reduce_to,
        note: row.note,
        supersedes_decision_id: row.supersedes_decision_id,
        superseded_by: row.superseded_by,
        bulk_action_id: row.bulk_action_id,
        actor: ActorRef {
            principal_id: row.principal_id,
            agency_id: row.agency_id,
            role: row.role,
        },
        idempotency_key: row.idempotency_key,
        decided_at_ms: row.decided_at_ms,
    }
}

pub(crate) fn assignment_active(value: Assignment) -> assignment::ActiveModel {
    assignment::ActiveModel {
        id: Set(value.id),
        review_item_id: Set(value.review_item_id),
        agency_id: Set(value.agency_id),
        reviewer_id: Set(value.reviewer_id),
        routing_rule_id: Set(value.routing_rule_id),
        reason: Set(value.reason),
        principal_id: Set(value.actor.principal_id),
        actor_agency_id: Set(value.actor.agency_id),
        role: Set(value.actor.role),
        assigned_at_ms: Set(value.assigned_at_ms),
    }
}
