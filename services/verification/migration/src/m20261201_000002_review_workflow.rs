//! The review workflow (issue 5): decisions, comments, assignments, agencies, routing rules,
//! deadlines, the audit trail and access tokens; and the item columns they need.
//!
//! Plain SQL that both back ends accept. A decision is never updated except to set
//! `superseded_by` once; at most one decision per item is current (`superseded_by = ''`), which
//! a unique partial index enforces. Audit events are only ever inserted; `(county_key,
//! sequence)` is unique so two writers cannot both append the same link.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000002_review_workflow"
    }
}

const UP: &[&str] = &[
    "ALTER TABLE submissions ADD COLUMN routed TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE submissions ADD COLUMN unroutable TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE review_items ADD COLUMN severity SMALLINT NOT NULL DEFAULT 0",
    "ALTER TABLE review_items ADD COLUMN arrest_ori_code VARCHAR(16) NOT NULL DEFAULT ''",
    "ALTER TABLE review_items ADD COLUMN reviewer_id VARCHAR(128) NOT NULL DEFAULT ''",
    "ALTER TABLE review_items ADD COLUMN routing_rule_id VARCHAR(64) NOT NULL DEFAULT ''",
    "ALTER TABLE review_items ADD COLUMN current_decision_id VARCHAR(26) NOT NULL DEFAULT ''",
    "ALTER TABLE review_items ADD COLUMN relief SMALLINT NOT NULL DEFAULT 0",
    "ALTER TABLE review_items ADD COLUMN sent_to_filing_at_ms BIGINT NOT NULL DEFAULT 0",
    "CREATE TABLE decisions (
        id VARCHAR(26) NOT NULL PRIMARY KEY,
        review_item_id VARCHAR(26) NOT NULL,
        county_code VARCHAR(8) NOT NULL,
        county_name VARCHAR(64) NOT NULL,
        kind SMALLINT NOT NULL,
        ground SMALLINT NOT NULL,
        resolution SMALLINT NOT NULL,
        reduce_to SMALLINT NOT NULL,
        note TEXT NOT NULL,
        supersedes_decision_id VARCHAR(26) NOT NULL,
        superseded_by VARCHAR(26) NOT NULL,
        bulk_action_id VARCHAR(26) NOT NULL,
        principal_id VARCHAR(128) NOT NULL,
        agency_id VARCHAR(128) NOT NULL,
        role SMALLINT NOT NULL,
        idempotency_key VARCHAR(128) NOT NULL,
        decided_at_ms BIGINT NOT NULL
    )",
    "CREATE INDEX idx_decisions_item ON decisions (review_item_id, decided_at_ms)",
    "CREATE UNIQUE INDEX idx_decisions_one_current ON decisions (review_item_id) WHERE superseded_by = ''",
    "CREATE TABLE review_comments (
        id VARCHAR(26) NOT NULL PRIMARY KEY,
        review_item_id VARCHAR(26) NOT NULL,
        text TEXT NOT NULL,
        principal_id VARCHAR(128) NOT NULL,
        agency_id VARCHAR(128) NOT NULL,
        role SMALLINT NOT NULL,
        created_at_ms BIGINT NOT NULL
    )",
    "CREATE INDEX idx_review_comments_item ON review_comments (review_item_id, created_at_ms)",
    "CREATE TABLE assignments (
        id VARCHAR(26) NOT NULL PRIMARY KEY,
        review_item_id VARCHAR(26) NOT NULL,
        agency_id VARCHAR(128) NOT NULL,
        reviewer_id VARCHAR(128) NOT NULL,
        routing_rule_id VARCHAR(64) NOT NULL,
        reason TEXT NOT NULL,
        principal_id VARCHAR(128) NOT NULL,
        actor_agency_id VARCHAR(128) NOT NULL,
        role SMALLINT NOT NULL,
        assigned_at_ms BIGINT NOT NULL
    )",
    "CREATE INDEX idx_assignments_item ON assignments (review_item_id, assigned_at_ms)",
    "CREATE TABLE agencies (
        agency_id VARCHAR(128) NOT NULL PRIMARY KEY,
        county_code VARCHAR(8) NOT NULL,
        county_name VARCHAR(64) NOT NULL,
        kind SMALLINT NOT NULL,
        name VARCHAR(256) NOT NULL,
        ori_codes TEXT NOT NULL,
        active SMALLINT NOT NULL,
        county_default SMALLINT NOT NULL,
        updated_at_ms BIGINT NOT NULL
    )",
    "CREATE TABLE routing_rules (
        county_key VARCHAR(64) NOT NULL,
        rule_id VARCHAR(64) NOT NULL,
        county_code VARCHAR(8) NOT NULL,
        county_name VARCHAR(64) NOT NULL,
        priority INTEGER NOT NULL,
        description TEXT NOT NULL,
        severities TEXT NOT NULL,
        arrest_ori_codes TEXT NOT NULL,
        court_ori_codes TEXT NOT NULL,
        sections TEXT NOT NULL,
        outcomes TEXT NOT NULL,
        agency_id VARCHAR(128) NOT NULL,
        enabled SMALLINT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        PRIMARY KEY (county_key, rule_id)
    )",
    "CREATE TABLE deadlines (
        county_key VARCHAR(64) NOT NULL PRIMARY KEY,
        challenge_deadline INTEGER NOT NULL,
        is_default SMALLINT NOT NULL,
        applied_at_ms BIGINT NOT NULL,
        updated_by VARCHAR(128) NOT NULL,
        updated_by_agency VARCHAR(128) NOT NULL,
        updated_by_role SMALLINT NOT NULL,
        updated_at_ms BIGINT NOT NULL
    )",
    "CREATE TABLE audit_events (
        county_key VARCHAR(64) NOT NULL,
        sequence BIGINT NOT NULL,
        event_id VARCHAR(26) NOT NULL,
        occurred_at_ms BIGINT NOT NULL,
        county_code VARCHAR(8) NOT NULL,
        county_name VARCHAR(64) NOT NULL,
        principal_id VARCHAR(128) NOT NULL,
        agency_id VARCHAR(128) NOT NULL,
        role SMALLINT NOT NULL,
        action SMALLINT NOT NULL,
        target_type VARCHAR(32) NOT NULL,
        target_ids TEXT NOT NULL,
        reason_code VARCHAR(64) NOT NULL,
        result VARCHAR(64) NOT NULL,
        idempotency_key VARCHAR(128) NOT NULL,
        request_sha256 VARCHAR(64) NOT NULL,
        prev_hash VARCHAR(64) NOT NULL,
        hash VARCHAR(64) NOT NULL,
        PRIMARY KEY (county_key, sequence)
    )",
    "CREATE TABLE access_tokens (
        token_sha256 VARCHAR(64) NOT NULL PRIMARY KEY,
        principal_id VARCHAR(128) NOT NULL,
        county_code VARCHAR(8) NOT NULL,
        county_name VARCHAR(64) NOT NULL,
        agency_id VARCHAR(128) NOT NULL,
        role SMALLINT NOT NULL
    )",
];

const DOWN: &[&str] = &[
    "DROP TABLE access_tokens",
    "DROP TABLE audit_events",
    "DROP TABLE deadlines",
    "DROP TABLE routing_rules",
    "DROP TABLE agencies",
    "DROP TABLE assignments",
    "DROP TABLE review_comments",
    "DROP TABLE decisions",
];

// async_trait's signature (`&SchemaManager` without a lifetime) must be matched exactly.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in UP {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in DOWN {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
