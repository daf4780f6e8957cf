//! sea-orm entities of the ingest tables (see the migration crate for the schema).

pub mod batch {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "batches")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub county_code: String,
        pub county_name: String,
        pub source: i16,
        pub file_name: String,
        pub sha256: String,
        pub size_bytes: i64,
        pub idempotency_key: String,
        pub field_check: i16,
        pub status: i16,
        pub had_header: bool,
        pub rows_received: i64,
        pub rows_stored: i64,
        pub rows_quarantined: i64,
        pub subject_count: i64,
        pub error_type: Option<String>,
        pub error_message: Option<String>,
        pub error_line: Option<i64>,
        pub error_field: Option<String>,
        pub created_at_ms: i64,
        pub completed_at_ms: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod row {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rows")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub batch_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub row_index: i64,
        pub line_number: i64,
        pub subject_id: String,
        pub fields: Vec<u8>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod quarantined_row {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "quarantined_rows")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub batch_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub line_number: i64,
        pub data_line_number: i64,
        pub reason: i16,
        pub field: String,
        pub column_index: i32,
        pub message: String,
        pub detail: String,
        pub raw_fields: Vec<u8>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod subject {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "subjects")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub batch_id: String,
        pub first_row_index: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
