//! sea-orm entities of the filing tables (see the migration crate for the schema).

pub mod filing {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "filings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub county_code: String,
        pub county_name: String,
        pub review_item_id: String,
        pub decision_id: String,
        pub determination_id: String,
        pub run_id: String,
        pub subject_id: String,
        pub agency_id: String,
        pub court_ori_code: String,
        pub court_id: String,
        pub relief_type: i16,
        pub status: i16,
        pub relief: Vec<u8>,
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
        /// Review item ids, one per line.
        pub unmatched_court: String,
        pub created_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
