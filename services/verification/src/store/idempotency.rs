//! Outcomes of mutating calls remembered under their idempotency key (per county and method),
//! so a retry gets the original answer and a reused key is recognised.

use sea_orm::{ActiveValue::Set, EntityTrait, TryInsertResult};

use super::entities::idempotent_call;
use super::{Store, StoreError};

/// The outcome of one call, as remembered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotentCall {
    pub county_key: String,
    pub method: String,
    pub idempotency_key: String,
    pub principal_id: String,
    pub request_sha256: String,
    /// gRPC status code; 0 (OK) when `response` holds the encoded response.
    pub code: i32,
    /// The error message (ids and codes only) when `code` is not 0.
    pub message: String,
    pub response: Vec<u8>,
    pub created_at_ms: i64,
}

impl Store {
    /// The call remembered under (county, method, key), if any.
    pub async fn idempotent_call(
        &self,
        county_key: &str,
        method: &str,
        key: &str,
    ) -> Result<Option<IdempotentCall>, StoreError> {
        Ok(idempotent_call::Entity::find_by_id((
            county_key.to_owned(),
            method.to_owned(),
            key.to_owned(),
        ))
        .one(&self.db)
        .await?
        .map(|row| IdempotentCall {
            county_key: row.county_key,
            method: row.method,
            idempotency_key: row.idempotency_key,
            principal_id: row.principal_id,
            request_sha256: row.request_sha256,
            code: row.code,
            message: row.message,
            response: row.response,
            created_at_ms: row.created_at_ms,
        }))
    }

    /// Remembers `call` unless its key is already taken; true when it was stored.
    pub async fn remember_call(&self, call: IdempotentCall) -> Result<bool, StoreError> {
        let result = idempotent_call::Entity::insert(idempotent_call::ActiveModel {
            county_key: Set(call.county_key),
            method: Set(call.method),
            idempotency_key: Set(call.idempotency_key),
            principal_id: Set(call.principal_id),
            request_sha256: Set(call.request_sha256),
            code: Set(call.code),
            message: Set(call.message),
            response: Set(call.response),
            created_at_ms: Set(call.created_at_ms),
        })
        .on_conflict_do_nothing_on([
            idempotent_call::Column::CountyKey,
            idempotent_call::Column::Method,
            idempotent_call::Column::IdempotencyKey,
        ])
        .exec_without_returning(&self.db)
        .await?;
        Ok(matches!(result, TryInsertResult::Inserted(n) if n > 0))
    }
}
