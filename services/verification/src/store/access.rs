//! Access tokens: stored only as SHA-256 hashes with the principal they stand for.

use sea_orm::{ActiveValue::Set, EntityTrait, PaginatorTrait, TransactionTrait};

use super::entities::access_token;
use super::{Store, StoreError};
use crate::domain::access::{Principal, Role, TokenGrant};
use crate::domain::model::County;

impl Store {
    /// Makes the stored tokens exactly `grants` (the tokens file is their source).
    pub async fn replace_tokens(&self, grants: Vec<TokenGrant>) -> Result<(), StoreError> {
        let _writing = self.writes.lock().await;
        let txn = self.db.begin().await?;
        access_token::Entity::delete_many().exec(&txn).await?;
        for grant in grants {
            access_token::Entity::insert(access_token::ActiveModel {
                token_sha256: Set(grant.token_sha256),
                principal_id: Set(grant.principal.principal_id),
                county_code: Set(grant.principal.county.code),
                county_name: Set(grant.principal.county.name),
                agency_id: Set(grant.principal.agency_id),
                role: Set(grant.principal.role as i16),
            })
            .on_conflict_do_nothing_on([access_token::Column::TokenSha256])
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// How many tokens are stored (0 = open mode).
    pub async fn token_count(&self) -> Result<u64, StoreError> {
        Ok(access_token::Entity::find().count(&self.db).await?)
    }

    /// The principal of the token whose hash is `sha256`, if any.
    pub async fn principal_for(&self, sha256: &str) -> Result<Option<Principal>, StoreError> {
        Ok(access_token::Entity::find_by_id(sha256.to_owned())
            .one(&self.db)
            .await?
            .and_then(|row| {
                Some(Principal {
                    principal_id: row.principal_id,
                    county: County {
                        code: row.county_code,
                        name: row.county_name,
                    },
                    agency_id: row.agency_id,
                    role: Role::from_i16(row.role)?,
                    open: false,
                })
            }))
    }
}
