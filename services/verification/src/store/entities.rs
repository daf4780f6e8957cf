//! sea-orm entities of the verification tables (see the migration crate for the schema).

pub mod review_item {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "review_items")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub county_code: String,
        pub county_name: String,
        pub run_id: String,
        pub batch_id: String,
        pub determination_id: String,
        pub subject_id: String,
        pub data_row_index: i64,
        pub outcome: i16,
        pub track: i16,
        pub prop64_section: String,
        pub court_ori_code: String,
        pub conviction_date: i32,
        pub reason_code: String,
        pub rule_id: String,
        pub agency_id: String,
        pub status: i16,
        pub determination: Vec<u8>,
        pub created_at_ms: i64,
        pub updated_at_ms: i64,
        pub severity: i16,
        pub arrest_ori_code: String,
        pub reviewer_id: String,
        pub routing_rule_id: String,
        pub current_decision_id: String,
        pub relief: i16,
        pub sent_to_filing_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod submission {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "submissions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub county_code: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub county_name: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub idempotency_key: String,
        pub request_sha256: String,
        pub accepted: i64,
        pub duplicates: i64,
        pub not_queued: i64,
        pub agency_id: String,
        pub created_at_ms: i64,
        pub routed: String,
        pub unroutable: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod decision {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "decisions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub review_item_id: String,
        pub county_code: String,
        pub county_name: String,
        pub kind: i16,
        pub ground: i16,
        pub resolution: i16,
        pub reduce_to: i16,
        pub note: String,
        pub supersedes_decision_id: String,
        pub superseded_by: String,
        pub bulk_action_id: String,
        pub principal_id: String,
        pub agency_id: String,
        pub role: i16,
        pub idempotency_key: String,
        pub decided_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod comment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "review_comments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub review_item_id: String,
        pub text: String,
        pub principal_id: String,
        pub agency_id: String,
        pub role: i16,
        pub created_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod assignment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "assignments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub review_item_id: String,
        pub agency_id: String,
        pub reviewer_id: String,
        pub routing_rule_id: String,
        pub reason: String,
        pub principal_id: String,
        pub actor_agency_id: String,
        pub role: i16,
        pub assigned_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod agency {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "agencies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub agency_id: String,
        pub county_code: String,
        pub county_name: String,
        pub kind: i16,
        pub name: String,
        pub ori_codes: String,
        pub active: i16,
        pub county_default: i16,
        pub updated_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod routing_rule {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "routing_rules")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub county_key: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub rule_id: String,
        pub county_code: String,
        pub county_name: String,
        pub priority: i32,
        pub description: String,
        pub severities: String,
        pub arrest_ori_codes: String,
        pub court_ori_codes: String,
        pub sections: String,
        pub outcomes: String,
        pub agency_id: String,
        pub enabled: i16,
        pub updated_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod deadline {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "deadlines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub county_key: String,
        pub challenge_deadline: i32,
        pub is_default: i16,
        pub applied_at_ms: i64,
        pub updated_by: String,
        pub updated_by_agency: String,
        pub updated_by_role: i16,
        pub updated_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod audit_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub county_key: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub sequence: i64,
        pub event_id: String,
        pub occurred_at_ms: i64,
        pub county_code: String,
        pub county_name: String,
        pub principal_id: String,
        pub agency_id: String,
        pub role: i16,
        pub action: i16,
        pub target_type: String,
        pub target_ids: String,
        pub reason_code: String,
        pub result: String,
        pub idempotency_key: String,
        pub request_sha256: String,
        pub prev_hash: String,
        pub hash: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod access_token {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "access_tokens")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub token_sha256: String,
        pub principal_id: String,
        pub county_code: String,
        pub county_name: String,
        pub agency_id: String,
        pub role: i16,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod idempotent_call {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotent_calls")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub county_key: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub method: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub idempotency_key: String,
        pub principal_id: String,
        pub request_sha256: String,
        pub code: i32,
        pub message: String,
        pub response: Vec<u8>,
        pub created_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
