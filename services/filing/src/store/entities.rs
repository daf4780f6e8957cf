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
        pub filing_batch_id: String,
        pub filed_on: i32,
        pub current_outcome_id: String,
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

pub mod court {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "courts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub county_code: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub county_name: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub court_id: String,
        pub name: String,
        pub branch_name: String,
        /// One per line.
        pub ori_codes: String,
        /// One per line.
        pub address_lines: String,
        pub updated_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod challenged {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "challenged_items")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub county_code: String,
        pub county_name: String,
        pub review_item_id: String,
        pub decision_id: String,
        pub run_id: String,
        pub subject_id: String,
        pub agency_id: String,
        pub court_ori_code: String,
        pub item: Vec<u8>,
        pub created_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod batch {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "filing_batches")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub county_code: String,
        pub county_name: String,
        pub court_id: String,
        pub agency_id: String,
        pub status: i16,
        pub document_date: i32,
        pub filed_on: i32,
        pub court_filing_reference: String,
        pub signer: Vec<u8>,
        pub created_by_principal: String,
        pub created_by_agency: String,
        pub created_at_ms: i64,
        pub updated_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod document {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "documents")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub county_code: String,
        pub county_name: String,
        pub filing_batch_id: String,
        pub kind: i16,
        pub court_id: String,
        pub agency_id: String,
        pub subject_id: String,
        /// One per line.
        pub filing_ids: String,
        pub file_name: String,
        pub media_type: String,
        pub size_bytes: i64,
        pub sha256: String,
        pub template_id: String,
        pub content: Vec<u8>,
        pub superseded_by: String,
        pub created_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod download {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "document_downloads")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub county_code: String,
        pub county_name: String,
        pub document_id: String,
        pub principal_id: String,
        pub agency_id: String,
        pub downloaded_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod outcome {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outcomes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub county_code: String,
        pub county_name: String,
        pub filing_id: String,
        pub filing_batch_id: String,
        pub court_id: String,
        pub decision: i16,
        pub decided_on: i32,
        pub order_number: String,
        pub granted_relief: i16,
        pub supersedes_outcome_id: String,
        pub superseded_by: String,
        pub note: String,
        pub recorded_by_principal: String,
        pub recorded_by_agency: String,
        pub recorded_at_ms: i64,
        pub exported_to_doj_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod request {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "requests")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub county_code: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub county_name: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub rpc: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub idempotency_key: String,
        pub request_sha256: String,
        pub response: Vec<u8>,
        pub created_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
