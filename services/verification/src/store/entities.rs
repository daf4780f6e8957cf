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
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
