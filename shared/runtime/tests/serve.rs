//! A real server on 127.0.0.1:0: health, reflection, ordered shutdown and the drain bound.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use cmr_runtime::{RuntimeError, ServeConfig};
use common::{BOUND, TestServer, next_status, request, status_of};
use tonic::Code;
use tonic::transport::Endpoint;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

const INGEST: &str = "cmr.ingest.v1.IngestService";

#[tokio::test]
async fn health_reports_overall_and_listed_services_serving() {
    let mut server = TestServer::start(ServeConfig::new([INGEST])).await;
    let mut health = server.health().await;

    for service in ["", INGEST] {
        let response = health
            .check(request(service))
            .await
            .expect("check")
            .into_inner();
        assert_eq!(
            status_of(&response),
            ServingStatus::Serving,
            "service {service:?}"
        );
    }
    // Only listed names are registered.
    let unlisted = health
        .check(request("cmr.filing.v1.FilingService"))
        .await
        .expect_err("unlisted service must not be registered");
    assert_eq!(unlisted.code(), Code::NotFound);

    drop(health);
    server.trigger_shutdown();
    server.join(BOUND).await.expect("clean shutdown");
}

#[tokio::test]
async fn reflection_lists_cmr_services_and_health() {
    let mut server = TestServer::start(ServeConfig::default()).await;
    let mut reflection = ServerReflectionClient::new(server.channel().await);

    let list_services = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = reflection
        .server_reflection_info(tokio_stream::iter([list_services]))
        .await
        .expect("reflection call")
        .into_inner();
    let response = tokio::time::timeout(BOUND, responses.message())
        .await
        .expect("no reflection answer within the bound")
        .expect("reflection stream failed")
        .expect("reflection stream ended");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!(
            "unexpected reflection answer: {:?}",
            response.message_response
        );
    };
    let listed: BTreeSet<String> = list.service.into_iter().map(|s| s.name).collect();

    for expected in cmr_proto::SERVICE_NAMES.iter().copied().chain([
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
    ]) {
        assert!(
            listed.contains(expected),
            "{expected} missing from {listed:?}"
        );
    }

    drop(responses);
    drop(reflection);
    server.trigger_shutdown();
    server.join(BOUND).await.expect("clean shutdown");
}

/// Watchers see NOT_SERVING before the server stops accepting; once they hang up the server
/// drains and returns Ok well inside the drain timeout, and the port is closed.
#[tokio::test]
async fn shutdown_reports_not_serving_then_drains() {
    let drain_timeout = Duration::from_secs(10);
    let mut server =
        TestServer::start(ServeConfig::new([INGEST]).with_drain_timeout(drain_timeout)).await;
    let mut health = server.health().await;

    let mut overall = health.watch(request("")).await.expect("watch").into_inner();
    let mut ingest = health
        .watch(request(INGEST))
        .await
        .expect("watch")
        .into_inner();
    assert_eq!(next_status(&mut overall).await, ServingStatus::Serving);
    assert_eq!(next_status(&mut ingest).await, ServingStatus::Serving);

    server.trigger_shutdown();

    // The streams were opened before shutdown, so they are in flight: they must observe the
    // change rather than being cut off.
    assert_eq!(next_status(&mut overall).await, ServingStatus::NotServing);
    assert_eq!(next_status(&mut ingest).await, ServingStatus::NotServing);

    drop(overall);
    drop(ingest);
    drop(health);
    // `Ok` (not `DrainTimeout`) proves the drain finished before `drain_timeout`.
    let url = server.url();
    server
        .join(drain_timeout + BOUND)
        .await
        .expect("drained before the timeout");

    // The listener is closed before `serve` returns: a new client cannot connect, and a
    // Check issued now fails with Unavailable.
    let endpoint = Endpoint::from_shared(url).expect("endpoint");
    let refused = endpoint.connect().await;
    assert!(refused.is_err(), "server still accepting after shutdown");
    let after = HealthClient::new(endpoint.connect_lazy())
        .check(request(""))
        .await
        .expect_err("check after shutdown must fail");
    assert_eq!(after.code(), Code::Unavailable, "{after:?}");
}

/// A watcher that never hangs up holds the drain; `serve` gives up after the drain timeout.
#[tokio::test]
async fn drain_timeout_bounds_requests_that_never_finish() {
    let drain_timeout = Duration::from_millis(200);
    let mut server =
        TestServer::start(ServeConfig::default().with_drain_timeout(drain_timeout)).await;
    let mut health = server.health().await;
    let mut overall = health.watch(request("")).await.expect("watch").into_inner();
    assert_eq!(next_status(&mut overall).await, ServingStatus::Serving);

    server.trigger_shutdown();
    assert_eq!(next_status(&mut overall).await, ServingStatus::NotServing);

    // `overall` stays open, so the drain cannot finish on its own.
    match server.join(drain_timeout + BOUND).await {
        Err(RuntimeError::DrainTimeout { timeout }) => assert_eq!(timeout, drain_timeout),
        other => panic!("expected DrainTimeout, got {other:?}"),
    }
    drop(overall);
}
