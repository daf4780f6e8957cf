//! What every ingest test starts with: the real server on 127.0.0.1:0 and the county scope
//! the fixtures belong to.

use cmr_ingest::{IngestConfig, run};
use cmr_proto::common::v1 as common;
use cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use tonic::transport::Channel;

pub type Running = cmr_testkit::Running<IngestServiceClient<Channel>, cmr_ingest::RunError>;

/// Starts ingest on a free port with the store at `url` (a SQLite file or PostgreSQL).
pub async fn start(url: &str) -> Running {
    Running::start(
        |listener, shutdown| run(IngestConfig::new(url), listener, shutdown),
        IngestServiceClient::connect,
    )
    .await
}

/// Sacramento, the county of the fixtures.
pub fn scope() -> Option<common::Scope> {
    Some(common::Scope {
        county_code: "34".into(),
        county_name: "SACRAMENTO".into(),
        agency_id: String::new(),
    })
}
