//! The audit trail's rows: appended (sealed into the chain) inside the caller's transaction,
//! listed, and read back in sequence order for verification.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entities::audit_event;
use super::{Store, StoreError};
use crate::domain::audit_chain::{AuditRecord, seal};

/// Audit rows per INSERT statement (18 columns each).
const INSERT_ROWS: usize = 200;

/// Which audit events a list returns; every set field must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub county_key: String,
    pub target_id: Option<String>,
    pub principal_id: Option<String>,
    pub actions: Vec<i16>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// First sequence returned (inclusive).
    pub from_sequence: i64,
}

/// Seals `events` onto their counties' chains (in the order given) and inserts them.
pub(crate) async fn append_in<C: ConnectionTrait>(
    conn: &C,
    mut events: Vec<AuditRecord>,
) -> Result<(), DbErr> {
    let mut heads: std::collections::HashMap<String, Option<(i64, String)>> = Default::default();
    for event in &mut events {
        if !heads.contains_key(&event.county_key) {
            let last = audit_event::Entity::find()
                .filter(audit_event::Column::CountyKey.eq(event.county_key.clone()))
                .order_by_desc(audit_event::Column::Sequence)
                .one(conn)
                .await?
                .map(|row| (row.sequence, row.hash));
            heads.insert(event.county_key.clone(), last);
        }
        let head = heads
            .get_mut(&event.county_key)
            .ok_or(DbErr::RecordNotFound("audit chain head".to_owned()))?;
        seal(event, head.as_ref().map(|(s, h)| (*s, h.as_str())));
        *head = Some((event.sequence, event.hash.clone()));
    }
    let mut rest = events.into_iter().peekable();
    while rest.peek().is_some() {
        let part: Vec<_> = rest.by_ref().take(INSERT_ROWS).map(to_active).collect();
        audit_event::Entity::insert_many(part)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Appends `events` in a transaction of their own (reads and denials).
    pub async fn append_audit(&self, events: Vec<AuditRecord>) -> Result<(), StoreError> {
        use sea_orm::TransactionTrait;
        let _writing = self.writes.lock().await;
        let txn = self.db.begin().await?;
        append_in(&txn, events).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Events matching `query`, in sequence order, at most `limit`.
    pub async fn list_audit(
        &self,
        query: &AuditQuery,
        limit: u64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let mut select = audit_event::Entity::find()
            .filter(audit_event::Column::CountyKey.eq(query.county_key.clone()))
            .filter(audit_event::Column::Sequence.gte(query.from_sequence));
        if let Some(target) = &query.target_id {
            select = select.filter(audit_event::Column::TargetIds.contains(target.clone()));
        }
        if let Some(principal) = &query.principal_id {
            select = select.filter(audit_event::Column::PrincipalId.eq(principal.clone()));
        }
        if !query.actions.is_empty() {
            select = select.filter(audit_event::Column::Action.is_in(query.actions.clone()));
        }
        if let Some(from) = query.from_ms {
            select = select.filter(audit_event::Column::OccurredAtMs.gte(from));
        }
        if let Some(to) = query.to_ms {
            select = select.filter(audit_event::Column::OccurredAtMs.lte(to));
        }
        Ok(select
            .order_by_asc(audit_event::Column::Sequence)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_record)
            .collect())
    }

    /// Events of a county with `from <= sequence <= to`, in sequence order, at most `limit`.
    pub async fn audit_range(
        &self,
        county_key: &str,
        from: i64,
        to: i64,
        limit: u64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        Ok(audit_event::Entity::find()
            .filter(audit_event::Column::CountyKey.eq(county_key.to_owned()))
            .filter(audit_event::Column::Sequence.gte(from))
            .filter(audit_event::Column::Sequence.lte(to))
            .order_by_asc(audit_event::Column::Sequence)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_record)
            .collect())
    }

    /// The last event of a county, if any.
    pub async fn audit_head(&self, county_key: &str) -> Result<Option<AuditRecord>, StoreError> {
        Ok(audit_event::Entity::find()
            .filter(audit_event::Column::CountyKey.eq(county_key.to_owned()))
            .order_by_desc(audit_event::Column::Sequence)
            .one(&self.db)
            .await?
            .map(to_record))
    }
}

fn to_active(event: AuditRecord) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        county_key: Set(event.county_key),
        sequence: Set(event.sequence),
        event_id: Set(event.event_id),
        occurred_at_ms: Set(event.occurred_at_ms),
        county_code: Set(event.county_code),
        county_name: Set(event.county_name),
        principal_id: Set(event.principal_id),
        agency_id: Set(event.agency_id),
        role: Set(event.role),
        action: Set(event.action),
        target_type: Set(event.target_type),
        target_ids: Set(event.target_ids.join(",")),
        reason_code: Set(event.reason_code),
        result: Set(event.result),
        idempotency_key: Set(event.idempotency_key),
        request_sha256: Set(event.request_sha256),
        prev_hash: Set(event.prev_hash),
        hash: Set(event.hash),
    }
}

fn to_record(row: audit_event::Model) -> AuditRecord {
    AuditRecord {
        county_key: row.county_key,
        sequence: row.sequence,
        event_id: row.event_id,
        occurred_at_ms: row.occurred_at_ms,
        county_code: row.county_code,
        county_name: row.county_name,
        principal_id: row.principal_id,
        agency_id: row.agency_id,
        role: row.role,
        action: row.action,
        target_type: row.target_type,
        target_ids: row
            .target_ids
            .split(',')
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect(),
        reason_code: row.reason_code,
        result: row.result,
        idempotency_key: row.idempotency_key,
        request_sha256: row.request_sha256,
        prev_hash: row.prev_hash,
        hash: row.hash,
    }
}
