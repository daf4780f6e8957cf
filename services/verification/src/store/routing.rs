//! Agencies and routing rules of a county.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::OnConflict,
};

use super::entities::{agency, routing_rule};
use super::{Store, StoreError, audit};
use crate::domain::audit_chain::AuditRecord;
use crate::domain::model::County;
use crate::domain::routing::{Agency, RoutingMatch, RoutingRule};

impl Store {
    /// Every agency of `county`, by id.
    pub async fn agencies(&self, county: &County) -> Result<Vec<Agency>, StoreError> {
        let mut query = agency::Entity::find();
        if !county.code.is_empty() {
            query = query.filter(agency::Column::CountyCode.eq(county.code.clone()));
        }
        if !county.name.is_empty() {
            query = query.filter(agency::Column::CountyName.eq(county.name.clone()));
        }
        Ok(query
            .order_by_asc(agency::Column::AgencyId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_agency)
            .collect())
    }

    /// One agency by id, of any county.
    pub async fn agency(&self, agency_id: &str) -> Result<Option<Agency>, StoreError> {
        Ok(agency::Entity::find_by_id(agency_id.to_owned())
            .one(&self.db)
            .await?
            .map(to_agency))
    }

    /// Creates or replaces `value`; a county default clears the county's other defaults.
    pub async fn put_agency(&self, value: Agency, event: AuditRecord) -> Result<(), StoreError> {
        let _writing = self.writes.lock().await;
        let txn = self.db.begin().await?;
        if value.county_default {
            agency::Entity::update_many()
                .col_expr(agency::Column::CountyDefault, 0i16.into())
                .filter(agency::Column::CountyCode.eq(value.county_code.clone()))
                .filter(agency::Column::AgencyId.ne(value.agency_id.clone()))
                .exec(&txn)
                .await?;
        }
        agency::Entity::insert(agency::ActiveModel {
            agency_id: Set(value.agency_id),
            county_code: Set(value.county_code),
            county_name: Set(value.county_name),
            kind: Set(value.kind),
            name: Set(value.name),
            ori_codes: Set(value.ori_codes.join(",")),
            active: Set(i16::from(value.active)),
            county_default: Set(i16::from(value.county_default)),
            updated_at_ms: Set(value.updated_at_ms),
        })
        .on_conflict(
            OnConflict::column(agency::Column::AgencyId)
                .update_columns([
                    agency::Column::Kind,
                    agency::Column::Name,
                    agency::Column::OriCodes,
                    agency::Column::Active,
                    agency::Column::CountyDefault,
                    agency::Column::UpdatedAtMs,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        audit::append_in(&txn, vec![event]).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every rule of the county (by priority, then id).
    pub async fn rules(&self, county_key: &str) -> Result<Vec<RoutingRule>, StoreError> {
        Ok(routing_rule::Entity::find()
            .filter(routing_rule::Column::CountyKey.eq(county_key.to_owned()))
            .order_by_asc(routing_rule::Column::Priority)
            .order_by_asc(routing_rule::Column::RuleId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_rule)
            .collect())
    }

    /// Creates or replaces `rule` in the county `county_key`.
    pub async fn put_rule(
        &self,
        county_key: &str,
        rule: RoutingRule,
        event: AuditRecord,
    ) -> Result<(), StoreError> {
        let _writing = self.writes.lock().await;
        let txn = self.db.begin().await?;
        let join_numbers = |values: &[i16]| {
            values
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        routing_rule::Entity::insert(routing_rule::ActiveModel {
            county_key: Set(county_key.to_owned()),
            rule_id: Set(rule.rule_id),
            county_code: Set(rule.county_code),
            county_name: Set(rule.county_name),
            priority: Set(rule.priority),
            description: Set(rule.description),
            severities: Set(join_numbers(&rule.matcher.severities)),
            arrest_ori_codes: Set(rule.matcher.arrest_ori_codes.join(",")),
            court_ori_codes: Set(rule.matcher.court_ori_codes.join(",")),
            sections: Set(rule.matcher.sections.join(",")),
            outcomes: Set(join_numbers(&rule.matcher.outcomes)),
            agency_id: Set(rule.agency_id),
            enabled: Set(i16::from(rule.enabled)),
            updated_at_ms: Set(rule.updated_at_ms),
        })
        .on_conflict(
            OnConflict::columns([
                routing_rule::Column::CountyKey,
                routing_rule::Column::RuleId,
            ])
            .update_columns([
                routing_rule::Column::Priority,
                routing_rule::Column::Description,
                routing_rule::Column::Severities,
                routing_rule::Column::ArrestOriCodes,
                routing_rule::Column::CourtOriCodes,
                routing_rule::Column::Sections,
                routing_rule::Column::Outcomes,
                routing_rule::Column::AgencyId,
                routing_rule::Column::Enabled,
                routing_rule::Column::UpdatedAtMs,
            ])
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        audit::append_in(&txn, vec![event]).await?;
        txn.commit().await?;
        Ok(())
    }
}

fn split(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

fn split_numbers(text: &str) -> Vec<i16> {
    text.split(',')
        .filter_map(|part| part.parse().ok())
        .collect()
}

fn to_agency(row: agency::Model) -> Agency {
    Agency {
        agency_id: row.agency_id,
        county_code: row.county_code,
        county_name: row.county_name,
        kind: row.kind,
        name: row.name,
        ori_codes: split(&row.ori_codes),
        active: row.active != 0,
        county_default: row.county_default != 0,
        updated_at_ms: row.updated_at_ms,
    }
}

fn to_rule(row: routing_rule::Model) -> RoutingRule {
    RoutingRule {
        rule_id: row.rule_id,
        county_code: row.county_code,
        county_name: row.county_name,
        priority: row.priority,
        description: row.description,
        matcher: RoutingMatch {
            severities: split_numbers(&row.severities),
            arrest_ori_codes: split(&row.arrest_ori_codes),
            court_ori_codes: split(&row.court_ori_codes),
            sections: split(&row.sections),
            outcomes: split_numbers(&row.outcomes),
        },
        agency_id: row.agency_id,
        enabled: row.enabled != 0,
        updated_at_ms: row.updated_at_ms,
    }
}
