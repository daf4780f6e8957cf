//! `cmr serve` and `cmr up` as an operator runs them: real processes on 127.0.0.1:0 that
//! report SERVING over grpc.health.v1 and exit cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// Starts `cmr ARGS` and reads `count` "listening on" lines: (service, address).
fn start(args: &[&str], count: usize) -> (Child, Vec<(String, String)>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cmr"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut found = vec![];
    while found.len() < count {
        let line = lines.next().expect("cmr exited before listening").unwrap();
        if let Some((head, addr)) = line.split_once(" listening on ") {
            let service = head.rsplit(' ').next().unwrap().to_string();
            found.push((service, addr.to_string()));
        }
    }
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, found)
}

async fn assert_serving(addr: &str, service: &str) {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = HealthClient::new(channel);
    for name in ["", service] {
        let status = health
            .check(HealthCheckRequest {
                service: name.to_string(),
            })
            .await
            .unwrap()
            .into_inner()
            .status;
        assert_eq!(status, ServingStatus::Serving as i32, "{service} {name:?}");
    }
}

async fn stop(mut child: Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "cmr did not stop within 20 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn serve_ingest_reports_serving_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ingest.db").display()
    );
    let (child, found) = start(
        &[
            "serve",
            "ingest",
            "--listen",
            "127.0.0.1:0",
            "--ingest-database-url",
            &db,
        ],
        1,
    );
    assert_eq!(found[0].0, "cmr.ingest.v1.IngestService");
    assert_serving(&found[0].1, &found[0].0).await;
    stop(child).await;
    assert!(dir.path().join("ingest.db").exists());
}

#[tokio::test]
async fn up_runs_all_four_services_with_their_own_stores() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.display().to_string();
    let (child, found) = start(
        &[
            "up",
            "--data-dir",
            &data_arg,
            "--ingest-listen",
            "127.0.0.1:0",
            "--eligibility-listen",
            "127.0.0.1:0",
            "--verification-listen",
            "127.0.0.1:0",
            "--filing-listen",
            "127.0.0.1:0",
        ],
        4,
    );
    let mut names: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "cmr.eligibility.v1.EligibilityService",
            "cmr.filing.v1.FilingService",
            "cmr.ingest.v1.IngestService",
            "cmr.verification.v1.VerificationService"
        ]
    );
    for (service, addr) in &found {
        assert_serving(addr, service).await;
    }
    stop(child).await;
    for store in ["ingest", "eligibility", "verification", "filing"] {
        assert!(data.join(format!("{store}.db")).exists(), "{store}.db");
    }
}
