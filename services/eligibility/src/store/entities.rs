//! sea-orm entities of the eligibility tables (see the migration crate for the schema).

pub mod policy {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "policies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub county_name: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub name: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub version: i32,
        pub id: String,
        pub description: String,
        pub body_json: String,
        pub body_sha256: String,
        pub created_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod run {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "runs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub run_key: String,
        pub batch_id: String,
        pub county_code: String,
        pub county_name: String,
        pub policy_name: String,
        pub policy_version: i32,
        pub compute_at: String,
        pub status: i16,
        pub rows_received: i64,
        pub subjects_evaluated: i64,
        pub convictions_evaluated: i64,
        pub subjects_with_relief: i64,
        pub outcome_counts: String,
        pub summary_json: String,
        pub report_text: String,
        pub error: Option<String>,
        pub created_at_ms: i64,
        pub started_at_ms: Option<i64>,
        pub finished_at_ms: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod determination {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "determinations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub run_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub row_index: i64,
        pub subject_id: String,
        pub outcome: i16,
        pub reason: String,
        pub rule_id: String,
        pub cells: Vec<u8>,
        pub reason_code: String,
        pub citation: String,
        pub facts_json: String,
        pub track: i16,
        pub cnt_order: String,
        pub court_ori_code: String,
        pub court_ori_descr: String,
        pub prop64_section: String,
        pub person_name: String,
        pub person_aliases: String,
        pub date_of_birth: String,
        pub cii_number: String,
        pub doj_subject_id: String,
        pub race_code: String,
        pub race_descr: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
