//! The real ingest and eligibility servers on 127.0.0.1:0, as every eligibility test starts them.

use cmr_eligibility::{EligibilityConfig, run};
use cmr_ingest::IngestConfig;
use cmr_proto::eligibility::v1::eligibility_service_client::EligibilityServiceClient;
use cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use cmr_testkit::Server;
use tonic::transport::Channel;

/// Both servers and a client of each.
pub struct Running {
    pub ingest: IngestServiceClient<Channel>,
    pub eligibility: EligibilityServiceClient<Channel>,
    ingest_server: Server<cmr_ingest::RunError>,
    eligibility_server: Server<cmr_eligibility::RunError>,
}

impl Running {
    /// Ingest on `ingest_url`, then eligibility on `eligibility_url` reading from it. The
    /// listeners are bound before the services run, so connecting succeeds at once; the
    /// first call waits for migrations and seeding.
    pub async fn start(ingest_url: &str, eligibility_url: &str) -> Self {
        let ingest_server = Server::start(|listener, shutdown| {
            cmr_ingest::run(IngestConfig::new(ingest_url), listener, shutdown)
        })
        .await;
        let config = EligibilityConfig::new(eligibility_url, ingest_server.endpoint());
        let eligibility_server =
            Server::start(|listener, shutdown| run(config, listener, shutdown)).await;
        let ingest = IngestServiceClient::connect(ingest_server.endpoint())
            .await
            .expect("connect ingest");
        let eligibility = EligibilityServiceClient::connect(eligibility_server.endpoint())
            .await
            .expect("connect eligibility");
        Self {
            ingest,
            eligibility,
            ingest_server,
            eligibility_server,
        }
    }

    pub async fn stop(mut self) {
        drop(self.ingest);
        drop(self.eligibility);
        self.eligibility_server.signal_stop();
        self.ingest_server.signal_stop();
        self.eligibility_server
            .join()
            .await
            .expect("eligibility run");
        self.ingest_server.join().await.expect("ingest run");
    }
}
