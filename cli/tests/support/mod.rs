//! Harness shared by the integration tests that run real `cmr serve` processes
//! (`faults.rs`, `wire_errors.rs`): the child processes, channels, timeouts, and the
//! requests and streaming calls both files make.
//!
//! The streaming and lookup calls here carry no timeout: each test file wraps them in
//! [`within`] with its own upper bound.

// Each file under tests/ is its own crate and includes this module with `mod support;`,
// using only part of it; what one crate leaves unused would otherwise be a dead_code
// warning (an error under clippy's -D warnings).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc as std_mpsc};
use std::time::{Duration, Instant};

use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as elig;
use cmr_proto::eligibility::v1::eligibility_service_client::EligibilityServiceClient;
use cmr_proto::ingest::v1 as ingest;
use cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use tokio_stream::StreamExt;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

pub const CMR: &str = env!("CARGO_BIN_EXE_cmr");
pub const COUNTY: &str = "SACRAMENTO";
/// Built-in catalog policy, seeded for SACRAMENTO at start-up.
pub const POLICY: &str = "gogen-pilot-sacramento";

/// How long a started process has to report its address, and then to be SERVING.
const START_WAIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------

/// One `cmr serve <service>` child process. Dropping it kills it.
pub struct Service {
    name: &'static str,
    child: Child,
    pub endpoint: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Service {
    /// Starts `cmr serve <name>` on 127.0.0.1:0 over the SQLite file `db` and waits until
    /// it reports SERVING over grpc.health.v1 (after migrations and start-up recovery).
    pub async fn start(name: &'static str, db: &Path, extra: &[&str]) -> Self {
        Self::start_with_env(name, db, extra, &[("RUST_LOG", "warn")]).await
    }

    /// [`Service::start`] with environment variables of its own (telemetry, log level).
    pub async fn start_with_env(
        name: &'static str,
        db: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let mut child = Command::new(CMR)
            .args(["serve", name, "--listen", "127.0.0.1:0"])
            .arg(format!("--{name}-database-url"))
            .arg(sqlite_url(db))
            .args(extra)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn cmr serve");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (addr_tx, addr_rx) = std_mpsc::channel();
        let lines = Arc::clone(&log);
        // Reads stderr to the end so the child never blocks on a full pipe; keeps the lines
        // for failure messages.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some((_, addr)) = line.split_once(" listening on ") {
                    let _ = addr_tx.send(addr.trim().to_owned());
                }
                lines.lock().expect("log").push(line);
            }
        });
        let Ok(addr) = addr_rx.recv_timeout(START_WAIT) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "cmr serve {name} did not report its address within {START_WAIT:?}; stderr:\n{}",
                log.lock().expect("log").join("\n")
            );
        };
        let service = Self {
            name,
            child,
            endpoint: format!("http://{addr}"),
            log,
        };
        service.wait_serving().await;
        service
    }

    async fn wait_serving(&self) {
        let full_name = format!("cmr.{}.v1.{}Service", self.name, capitalized(self.name));
        let deadline = Instant::now() + START_WAIT;
        loop {
            let status = async {
                let channel = connect(&self.endpoint).await.ok()?;
                HealthClient::new(channel)
                    .check(HealthCheckRequest {
                        service: full_name.clone(),
                    })
                    .await
                    .ok()
                    .map(|r| r.into_inner().status)
            };
            let status = tokio::time::timeout(Duration::from_secs(5), status)
                .await
                .ok()
                .flatten();
            if status == Some(ServingStatus::Serving as i32) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{full_name} not SERVING within {START_WAIT:?}; stderr:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGTERM, then waits for a clean exit (drain, flush telemetry) and returns every line
    /// the process wrote to stderr.
    pub fn stop(mut self) -> Vec<String> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill -TERM");
        assert!(sent.success(), "kill -TERM {pid}");
        let status = self.child.wait().expect("wait");
        assert!(
            status.success(),
            "cmr serve {} exited with {status}",
            self.name
        );
        // The reader thread ends at EOF, which follows the exit.
        std::thread::sleep(Duration::from_millis(100));
        self.log.lock().expect("log").clone()
    }

    /// SIGKILL, then reap it; asserts it really died of the signal.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        let status = self.child.wait().expect("wait");
        assert_eq!(
            status.signal(),
            Some(9),
            "cmr serve {} was not killed by SIGKILL: {status}; stderr:\n{}",
            self.name,
            self.log()
        );
    }

    /// What the process wrote to stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }

    pub async fn ingest_client(&self) -> IngestServiceClient<Channel> {
        IngestServiceClient::new(connect(&self.endpoint).await.expect("connect ingest"))
    }

    pub async fn eligibility_client(&self) -> EligibilityServiceClient<Channel> {
        EligibilityServiceClient::new(connect(&self.endpoint).await.expect("connect eligibility"))
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

pub fn sqlite_url(db: &Path) -> String {
    format!("sqlite://{}?mode=rwc", db.display())
}

pub async fn connect(endpoint: &str) -> Result<Channel, tonic::transport::Error> {
    tonic::transport::Endpoint::from_shared(endpoint.to_owned())
        .expect("endpoint")
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
}

/// Writes a seeded synthetic DOJ file with `cmr gen-doj` (the same seed, the same bytes).
pub fn gen_doj(dir: &Path, rows: u64, seed: u64) -> PathBuf {
    let path = dir.join(format!("doj-{rows}-{seed}.csv"));
    let out = Command::new(CMR)
        .args(["gen-doj", "--rows", &rows.to_string(), "--county", COUNTY])
        .args(["--seed", &seed.to_string()])
        .arg("--output")
        .arg(&path)
        .output()
        .expect("run cmr gen-doj");
    assert!(
        out.status.success(),
        "cmr gen-doj failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

// ---------------------------------------------------------------------------------------
// Waiting
// ---------------------------------------------------------------------------------------

/// `future`, or a panic naming `what` after `limit`.
pub async fn within<T>(limit: Duration, what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {limit:?}"))
}

/// Asks `probe` every 20 ms until it has an answer; after `limit` without one, panics with
/// the message `never` makes (made only then, so it can hold a process's latest stderr).
pub async fn poll_until<T>(
    limit: Duration,
    never: impl Fn() -> String,
    mut probe: impl AsyncFnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(answer) = probe().await {
            return answer;
        }
        assert!(Instant::now() < deadline, "{}", never());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------

/// Sacramento, the county of the generated files and of [`POLICY`].
pub fn scope() -> Option<common::Scope> {
    Some(common::Scope {
        county_code: "34".into(),
        county_name: COUNTY.into(),
        agency_id: String::new(),
    })
}

/// The first message of an upload.
pub fn metadata(
    scope: Option<common::Scope>,
    key: &str,
    file_name: &str,
    expected_size_bytes: i64,
) -> ingest::UploadDojFileRequest {
    ingest::UploadDojFileRequest {
        payload: Some(ingest::upload_doj_file_request::Payload::Metadata(
            ingest::UploadMetadata {
                scope,
                idempotency_key: Some(common::IdempotencyKey { key: key.into() }),
                file_name: file_name.into(),
                expected_size_bytes,
                ..Default::default()
            },
        )),
    }
}

/// One chunk message of an upload.
pub fn chunk(bytes: &[u8]) -> ingest::UploadDojFileRequest {
    ingest::UploadDojFileRequest {
        payload: Some(ingest::upload_doj_file_request::Payload::Chunk(
            bytes.to_vec(),
        )),
    }
}

/// `bytes` as chunk messages of 64 KiB.
pub fn chunks(bytes: &[u8]) -> impl Iterator<Item = ingest::UploadDojFileRequest> + '_ {
    bytes.chunks(64 * 1024).map(chunk)
}

/// StartRun under the idempotency key "run-1", computed at 2020-07-01.
pub fn start_run_request(
    scope: Option<common::Scope>,
    batch_id: &str,
    policy: &str,
) -> elig::StartRunRequest {
    elig::StartRunRequest {
        scope,
        idempotency_key: Some(common::IdempotencyKey {
            key: "run-1".into(),
        }),
        batch_id: batch_id.to_owned(),
        policy: Some(elig::PolicyRef {
            name: policy.into(),
            version: 0,
        }),
        compute_at: Some(common::CivilDate {
            year: 2020,
            month: 7,
            day: 1,
        }),
        submit_to_verification: false,
    }
}

// ---------------------------------------------------------------------------------------
// Calls (without a timeout: wrap them in `within`)
// ---------------------------------------------------------------------------------------

pub async fn get_batch(
    client: &mut IngestServiceClient<Channel>,
    scope: Option<common::Scope>,
    batch_id: &str,
) -> Result<ingest::Batch, tonic::Status> {
    client
        .get_batch(ingest::GetBatchRequest {
            scope,
            batch_id: batch_id.to_owned(),
        })
        .await
        .map(|r| r.into_inner().batch.expect("batch"))
}

/// The batches of [`scope`] with `status` (all of them for `Unspecified`).
pub async fn list_batches(
    client: &mut IngestServiceClient<Channel>,
    status: ingest::BatchStatus,
) -> Result<Vec<ingest::Batch>, tonic::Status> {
    client
        .list_batches(ingest::ListBatchesRequest {
            scope: scope(),
            status: status as i32,
            ..Default::default()
        })
        .await
        .map(|r| r.into_inner().batches)
}

/// (data_row_index, line_number, fields) of every stored row, in stream order.
pub type Rows = Vec<(i64, i64, Vec<Vec<u8>>)>;

pub async fn stream_rows(
    client: &mut IngestServiceClient<Channel>,
    scope: Option<common::Scope>,
    batch_id: &str,
) -> Result<Rows, tonic::Status> {
    let mut stream = client
        .stream_rows(ingest::StreamRowsRequest {
            scope,
            batch_id: batch_id.to_owned(),
            from_row_index: 0,
            ..Default::default()
        })
        .await?
        .into_inner();
    let mut rows = Vec::new();
    while let Some(page) = stream.next().await {
        rows.extend(
            page?
                .rows
                .into_iter()
                .map(|r| (r.data_row_index, r.line_number, r.fields)),
        );
    }
    Ok(rows)
}

pub async fn get_run(
    client: &mut EligibilityServiceClient<Channel>,
    scope: Option<common::Scope>,
    run_id: &str,
) -> Result<elig::Run, tonic::Status> {
    client
        .get_run(elig::GetRunRequest {
            scope,
            run_id: run_id.to_owned(),
        })
        .await
        .map(|r| r.into_inner().run.expect("run"))
}

pub async fn stream_results(
    client: &mut EligibilityServiceClient<Channel>,
    scope: Option<common::Scope>,
    run_id: &str,
) -> Result<Vec<elig::Determination>, tonic::Status> {
    let mut stream = client
        .stream_run_results(elig::StreamRunResultsRequest {
            scope,
            run_id: run_id.to_owned(),
            ..Default::default()
        })
        .await?
        .into_inner();
    let mut out = Vec::new();
    while let Some(item) = stream.next().await {
        out.push(item?.determination.expect("determination"));
    }
    Ok(out)
}
