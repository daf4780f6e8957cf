//! The real ingest and eligibility servers on 127.0.0.1:0 with real stores: SQLite files in
//! a tempdir, and fresh PostgreSQL databases per test on the local server (these fail when
//! it is unreachable). A gogen fixture is uploaded, evaluated over the wire, and the stored
//! determinations and summary are compared with gogen's.

use std::path::PathBuf;

use cmr_eligibility::{EligibilityConfig, run};
use cmr_engine::EligibilityOptions;
use cmr_ingest::IngestConfig;
use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as pb;
use cmr_proto::eligibility::v1::eligibility_service_client::EligibilityServiceClient;
use cmr_proto::ingest::v1 as ingest;
use cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use cmr_testkit::{Server, TestDatabase};
use sea_orm::{ConnectionTrait, Database};
use tokio_stream::StreamExt;
use tonic::transport::Channel;

fn fixture(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/compat/gogen")
        .join(name);
    assert!(path.is_file(), "fixture missing: {}", path.display());
    path
}

/// Both servers.
struct Running {
    ingest: IngestServiceClient<Channel>,
    eligibility: EligibilityServiceClient<Channel>,
    ingest_server: Server<cmr_ingest::RunError>,
    eligibility_server: Server<cmr_eligibility::RunError>,
}

impl Running {
    async fn start(ingest_url: &str, eligibility_url: &str) -> Self {
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
        let eligibility = connect_retrying(eligibility_server.endpoint()).await;
        Self {
            ingest,
            eligibility,
            ingest_server,
            eligibility_server,
        }
    }

    async fn stop(mut self) {
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

/// The listener is bound before `run` starts, so connecting succeeds at once; the first
/// call waits for migrations and seeding.
async fn connect_retrying(endpoint: String) -> EligibilityServiceClient<Channel> {
    EligibilityServiceClient::connect(endpoint)
        .await
        .expect("connect eligibility")
}

fn scope() -> Option<common::Scope> {
    Some(common::Scope {
        county_code: "34".into(),
        county_name: "SACRAMENTO".into(),
        agency_id: String::new(),
    })
}

async fn upload(client: &mut IngestServiceClient<Channel>, bytes: &[u8]) -> ingest::Batch {
    let mut messages = vec![ingest::UploadDojFileRequest {
        payload: Some(ingest::upload_doj_file_request::Payload::Metadata(
            ingest::UploadMetadata {
                scope: scope(),
                idempotency_key: Some(common::IdempotencyKey {
                    key: "upload-1".into(),
                }),
                file_name: "input.csv".into(),
                ..Default::default()
            },
        )),
    }];
    messages.extend(bytes.chunks(4096).map(|c| ingest::UploadDojFileRequest {
        payload: Some(ingest::upload_doj_file_request::Payload::Chunk(c.to_vec())),
    }));
    client
        .upload_doj_file(tokio_stream::iter(messages))
        .await
        .expect("upload")
        .into_inner()
        .batch
        .expect("batch")
}

fn configurable_policy() -> pb::Policy {
    let text = std::fs::read_to_string(fixture("eligibility_options.json")).expect("options");
    let o = EligibilityOptions::from_json(&text).expect("options parse");
    let int = |v: i64| i32::try_from(v).expect("small");
    pb::Policy {
        r#ref: Some(pb::PolicyRef {
            name: "sacramento-gogen".into(),
            version: 0,
        }),
        description: "gogen configurable flow, fixture options".into(),
        body: Some(pb::policy::Body::GogenConfigurable(pb::GogenConfigurable {
            dismiss_sections: o.dismiss,
            reduce_sections: o.reduce,
            subject_under_21_at_conviction: o.subject_under_21_at_conviction,
            subject_age_threshold: int(o.subject_age_threshold),
            years_since_conviction_threshold: int(o.years_since_conviction_threshold),
            years_crime_free_threshold: int(o.years_crime_free_threshold),
            subject_has_only_prop64_charges: o.subject_has_only_prop64_charges,
            subject_is_deceased: o.subject_is_deceased,
            seven_year_clock: pb::SevenYearClock::ComputeAt as i32,
            options_json: text,
        })),
        ..Default::default()
    }
}

/// (row index, determination, reason) of every evaluated row of the fixture.
fn expected_determinations(dir: &str) -> Vec<(i64, String, String)> {
    let path = fixture(&format!("{dir}/expected_determinations.csv"));
    let mut reader = csv::Reader::from_path(path).expect("open");
    let headers = reader.headers().expect("headers").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (index, det, reason) = (
        col("row_index"),
        col("Eligibility Determination"),
        col("Eligibility Reason"),
    );
    reader
        .records()
        .map(|r| r.expect("record"))
        .filter(|r| !r[det].is_empty())
        .map(|r| {
            (
                r[index].parse().expect("index"),
                r[det].to_owned(),
                r[reason].to_owned(),
            )
        })
        .collect()
}

async fn stream_results(
    client: &mut EligibilityServiceClient<Channel>,
    run_id: &str,
) -> Vec<pb::Determination> {
    let mut stream = client
        .stream_run_results(pb::StreamRunResultsRequest {
            scope: scope(),
            run_id: run_id.into(),
            ..Default::default()
        })
        .await
        .expect("stream")
        .into_inner();
    let mut out = Vec::new();
    while let Some(item) = stream.next().await {
        out.push(item.expect("item").determination.expect("determination"));
    }
    out
}

fn triples(streamed: &[pb::Determination]) -> Vec<(i64, String, String)> {
    streamed
        .iter()
        .map(|d| {
            let g = d.gogen.as_ref().expect("gogen columns");
            (
                d.conviction.as_ref().expect("conviction").data_row_index,
                g.eligibility_determination.clone(),
                g.eligibility_reason.clone(),
            )
        })
        .collect()
}

fn without_time(json: &str) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_str(json).expect("summary JSON");
    value
        .as_object_mut()
        .expect("object")
        .remove("processingTimeInSeconds")
        .expect("processingTimeInSeconds");
    value
}

async fn configurable_flow_over_the_wire(postgres: bool) {
    let ingest_db = TestDatabase::new(postgres, "ingest").await;
    let eligibility_db = TestDatabase::new(postgres, "eligibility").await;
    let servers = Running::start(&ingest_db.url(), &eligibility_db.url()).await;
    let mut ingest = servers.ingest.clone();
    let mut client = servers.eligibility.clone();

    let bytes = std::fs::read(fixture("gogen_configurable_flow/input.csv")).expect("read");
    let batch = upload(&mut ingest, &bytes).await;
    assert_eq!(batch.status, ingest::BatchStatus::Complete as i32);

    // The built-in catalog was seeded under its counties.
    let listed = client
        .list_policies(pb::ListPoliciesRequest {
            scope: scope(),
            ..Default::default()
        })
        .await
        .expect("list policies")
        .into_inner();
    let names: Vec<_> = listed
        .policies
        .iter()
        .map(|p| p.r#ref.clone().expect("ref").name)
        .collect();
    assert_eq!(names, ["gogen-pilot-sacramento"]);

    // Policies are versioned: same body = same version, changed body = new version.
    let put = client
        .put_policy(pb::PutPolicyRequest {
            scope: scope(),
            policy: Some(configurable_policy()),
            ..Default::default()
        })
        .await
        .expect("put policy")
        .into_inner();
    assert!(put.created);
    let stored = put.policy.expect("policy");
    assert_eq!(stored.r#ref.as_ref().expect("ref").version, 1);
    assert_eq!(stored.body_sha256.len(), 64);
    let again = client
        .put_policy(pb::PutPolicyRequest {
            scope: scope(),
            policy: Some(configurable_policy()),
            ..Default::default()
        })
        .await
        .expect("put policy again")
        .into_inner();
    assert!(!again.created);
    assert_eq!(again.policy.expect("policy").policy_id, stored.policy_id);
    let bad = client
        .put_policy(pb::PutPolicyRequest {
            scope: scope(),
            policy: Some(pb::Policy {
                body: Some(pb::policy::Body::GogenConfigurable(pb::GogenConfigurable {
                    subject_age_threshold: 30,
                    ..Default::default()
                })),
                ..configurable_policy()
            }),
            ..Default::default()
        })
        .await
        .expect_err("invalid threshold");
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);
    assert!(bad.message().contains("SubjectAgeThreshold"), "{bad:?}");

    let start = pb::StartRunRequest {
        scope: scope(),
        batch_id: batch.batch_id.clone(),
        policy: Some(pb::PolicyRef {
            name: "sacramento-gogen".into(),
            version: 0,
        }),
        compute_at: Some(common::CivilDate {
            year: 2019,
            month: 11,
            day: 11,
        }),
        ..Default::default()
    };
    let first = client
        .start_run(start.clone())
        .await
        .expect("start run")
        .into_inner();
    assert!(!first.reused);
    let run = first.run.expect("run");
    assert_eq!(run.status, pb::RunStatus::Succeeded as i32, "{run:?}");
    assert_eq!(run.policy.as_ref().expect("policy").version, 1);
    assert_eq!(run.run_key.len(), 64);

    let streamed = stream_results(&mut client, &run.run_id).await;
    let got = triples(&streamed);
    let expected = expected_determinations("gogen_configurable_flow");
    assert_eq!(expected.len(), 18);
    assert_eq!(got, expected);
    assert_eq!(
        streamed[0].reason.as_ref().expect("reason").text,
        expected[0].2
    );

    let summary = run.summary.expect("summary");
    assert_eq!(summary.convictions_evaluated, 18);
    let golden = std::fs::read_to_string(fixture(
        "golden/configurable_flow_SACRAMENTO_2019-11-11/gogen.json",
    ))
    .expect("golden");
    assert_eq!(
        without_time(&summary.gogen_summary_json),
        without_time(&golden)
    );

    // The same natural key again: the same run, nothing evaluated or stored twice.
    let second = client
        .start_run(start)
        .await
        .expect("start run again")
        .into_inner();
    assert!(second.reused);
    assert_eq!(second.run.expect("run").run_id, run.run_id);
    assert_eq!(stream_results(&mut client, &run.run_id).await, streamed);
    let runs = client
        .list_runs(pb::ListRunsRequest {
            scope: scope(),
            ..Default::default()
        })
        .await
        .expect("list runs")
        .into_inner()
        .runs;
    assert_eq!(runs.len(), 1);

    // Resume after the tenth determination.
    let mut resumed = client
        .stream_run_results(pb::StreamRunResultsRequest {
            scope: scope(),
            run_id: run.run_id.clone(),
            resume_after_determination_id: streamed[9].determination_id.clone(),
            ..Default::default()
        })
        .await
        .expect("resume")
        .into_inner();
    let mut rest = Vec::new();
    while let Some(item) = resumed.next().await {
        rest.push(item.expect("item").determination.expect("determination"));
    }
    assert_eq!(rest, streamed[10..]);

    let explain = client
        .explain(pb::ExplainRequest::default())
        .await
        .expect_err("issue 4");
    assert_eq!(explain.code(), tonic::Code::Unimplemented);
    assert!(explain.message().contains("issue 4"));

    servers.stop().await;
    ingest_db.cleanup().await;
    eligibility_db.cleanup().await;
}

/// A run interrupted by a crash (left RUNNING with part of its determinations) is marked
/// FAILED at start-up and redone by the next StartRun under the same id, with exactly the
/// determinations of an undisturbed run.
async fn interrupted_run_is_redone(postgres: bool) {
    let ingest_db = TestDatabase::new(postgres, "ingest").await;
    let eligibility_db = TestDatabase::new(postgres, "eligibility").await;
    let servers = Running::start(&ingest_db.url(), &eligibility_db.url()).await;
    let mut ingest = servers.ingest.clone();
    let mut client = servers.eligibility.clone();
    let bytes = std::fs::read(fixture("gogen_configurable_flow/input.csv")).expect("read");
    let batch = upload(&mut ingest, &bytes).await;
    client
        .put_policy(pb::PutPolicyRequest {
            scope: scope(),
            policy: Some(configurable_policy()),
            ..Default::default()
        })
        .await
        .expect("put policy");
    let start = pb::StartRunRequest {
        scope: scope(),
        batch_id: batch.batch_id.clone(),
        policy: Some(pb::PolicyRef {
            name: "sacramento-gogen".into(),
            version: 1,
        }),
        compute_at: Some(common::CivilDate {
            year: 2019,
            month: 11,
            day: 11,
        }),
        ..Default::default()
    };
    let run = client
        .start_run(start.clone())
        .await
        .expect("start")
        .into_inner()
        .run
        .expect("run");
    let undisturbed = stream_results(&mut client, &run.run_id).await;
    servers.stop().await;

    // What a crash mid-run leaves: RUNNING, some determinations written.
    let db = Database::connect(eligibility_db.url())
        .await
        .expect("connect");
    db.execute_unprepared(&format!(
        "UPDATE runs SET status = 2 WHERE id = '{}'",
        run.run_id
    ))
    .await
    .expect("update");
    db.execute_unprepared(&format!(
        "DELETE FROM determinations WHERE run_id = '{}' AND row_index > 20",
        run.run_id
    ))
    .await
    .expect("delete");
    db.close().await.expect("close");

    let servers = Running::start(&ingest_db.url(), &eligibility_db.url()).await;
    let mut client = servers.eligibility.clone();
    let failed = client
        .get_run(pb::GetRunRequest {
            scope: scope(),
            run_id: run.run_id.clone(),
        })
        .await
        .expect("get run")
        .into_inner()
        .run
        .expect("run");
    assert_eq!(failed.status, pb::RunStatus::Failed as i32);
    let redone = client
        .start_run(start)
        .await
        .expect("start again")
        .into_inner();
    assert!(redone.reused);
    let redone = redone.run.expect("run");
    assert_eq!(redone.run_id, run.run_id);
    assert_eq!(redone.status, pb::RunStatus::Succeeded as i32);
    assert_eq!(stream_results(&mut client, &run.run_id).await, undisturbed);
    servers.stop().await;
    ingest_db.cleanup().await;
    eligibility_db.cleanup().await;
}

/// The seeded built-in Sacramento pilot policy, by name, on the pilot fixture.
async fn named_pilot_policy(postgres: bool) {
    let ingest_db = TestDatabase::new(postgres, "ingest").await;
    let eligibility_db = TestDatabase::new(postgres, "eligibility").await;
    let servers = Running::start(&ingest_db.url(), &eligibility_db.url()).await;
    let mut ingest = servers.ingest.clone();
    let mut client = servers.eligibility.clone();
    let bytes = std::fs::read(fixture("pilots_sacramento/input.csv")).expect("read");
    let batch = upload(&mut ingest, &bytes).await;
    assert_eq!(batch.status, ingest::BatchStatus::Complete as i32);
    let run = client
        .start_run(pb::StartRunRequest {
            scope: scope(),
            batch_id: batch.batch_id.clone(),
            policy: Some(pb::PolicyRef {
                name: "gogen-pilot-sacramento".into(),
                version: 0,
            }),
            compute_at: Some(common::CivilDate {
                year: 2019,
                month: 11,
                day: 11,
            }),
            ..Default::default()
        })
        .await
        .expect("start run")
        .into_inner()
        .run
        .expect("run");
    assert_eq!(run.status, pb::RunStatus::Succeeded as i32, "{run:?}");
    let streamed = stream_results(&mut client, &run.run_id).await;
    let expected = expected_determinations("pilots_sacramento");
    assert!(!expected.is_empty());
    assert_eq!(triples(&streamed), expected);
    servers.stop().await;
    ingest_db.cleanup().await;
    eligibility_db.cleanup().await;
}

#[tokio::test]
async fn sqlite_named_pilot_policy() {
    named_pilot_policy(false).await;
}

#[tokio::test]
async fn sqlite_interrupted_run_is_redone() {
    interrupted_run_is_redone(false).await;
}

#[tokio::test]
async fn postgres_interrupted_run_is_redone() {
    interrupted_run_is_redone(true).await;
}

#[tokio::test]
async fn sqlite_configurable_flow_over_the_wire() {
    configurable_flow_over_the_wire(false).await;
}

#[tokio::test]
async fn postgres_configurable_flow_over_the_wire() {
    configurable_flow_over_the_wire(true).await;
}
