//! County scoping (issue 5 item 5): a Sacramento (34) batch, policy and run are, to a Yolo
//! (57) scope, exactly as if they did not exist. Every RPC that takes a run, batch, subject
//! or policy id answers NOT_FOUND with only ids in the message (PutPolicy's optimistic check
//! answers as for a name Yolo never stored), lists under Yolo show none of Sacramento's
//! rows, and nothing of Sacramento's changes. A missing or malformed scope is
//! INVALID_ARGUMENT naming the field. The real ingest and eligibility servers on
//! 127.0.0.1:0 with SQLite in tempdirs; the DOJ rows are synthetic.

mod support;

use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as pb;
use cmr_proto::eligibility::v1::eligibility_service_client::EligibilityServiceClient;
use cmr_proto::ingest::v1 as ingest;
use cmr_record::columns as col;
use cmr_testkit::TestDatabase;
use support::Running;
use tokio_stream::StreamExt;
use tonic::{Code, Status, transport::Channel};

const POLICY: &str = "sacramento-private";

fn scope(code: &str, name: &str) -> Option<common::Scope> {
    Some(common::Scope {
        county_code: code.into(),
        county_name: name.into(),
        agency_id: String::new(),
    })
}

fn sacramento() -> Option<common::Scope> {
    scope("34", "SACRAMENTO")
}

fn yolo() -> Option<common::Scope> {
    scope("57", "YOLO")
}

const COMPUTE_AT: common::CivilDate = common::CivilDate {
    year: 2024,
    month: 1,
    day: 1,
};

/// Two invented Sacramento convictions of one invented subject.
fn doj_file() -> Vec<u8> {
    let row = |cycle: &str, date: &str, offense: &str| {
        let mut values = vec![""; col::FIELD_COUNT];
        let cnt_order = format!("{cycle}001001000");
        for (i, v) in [
            (col::STP_TYPE_DESCR, "COURT ACTION"),
            (col::STP_ORI_CNTY_NAME, "SACRAMENTO"),
            (col::DISP_DESCR, "CONVICTED"),
            (col::OFFENSE_TOC, "M"),
            (col::CONV_STAT_DESCR, "MISDEMEANOR"),
            (col::SUBJECT_ID, "S77"),
            (col::PRI_DOB, "19800101"),
            (col::STP_EVENT_DATE, date),
            (col::CNT_ORDER, cnt_order.as_str()),
            (col::OFFENSE_DESCR, offense),
        ] {
            values[i] = v;
        }
        values.join(",")
    };
    let mut text = col::NAMES.join(",");
    for line in [
        row("101", "20100101", "11357(B) HS-POSSESS MARIJUANA"),
        row("102", "20130303", "11360 HS-TRANSPORT MARIJUANA"),
    ] {
        text.push('\n');
        text.push_str(&line);
    }
    text.push('\n');
    text.into_bytes()
}

fn assert_code(result: Result<impl std::fmt::Debug, Status>, code: Code, id: &str, rpc: &str) {
    let status = result.expect_err(rpc);
    assert_eq!(status.code(), code, "{rpc}: {status:?}");
    assert!(status.message().contains(id), "{rpc}: {}", status.message());
    for personal in ["S77", "19800101", "SACRAMENTO"] {
        assert!(
            !status.message().contains(personal),
            "{rpc}: {}",
            status.message()
        );
    }
}

fn assert_not_found(result: Result<impl std::fmt::Debug, Status>, id: &str, rpc: &str) {
    assert_code(result, Code::NotFound, id, rpc);
}

async fn collect<T>(
    result: Result<tonic::Response<tonic::Streaming<T>>, Status>,
) -> Result<Vec<T>, Status> {
    let mut stream = result?.into_inner();
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item?);
    }
    Ok(items)
}

async fn runs(
    client: &mut EligibilityServiceClient<Channel>,
    scope: Option<common::Scope>,
    batch_id: &str,
) -> Vec<pb::Run> {
    client
        .list_runs(pb::ListRunsRequest {
            scope,
            batch_id: batch_id.into(),
            ..Default::default()
        })
        .await
        .expect("list runs")
        .into_inner()
        .runs
}

async fn policies(
    client: &mut EligibilityServiceClient<Channel>,
    scope: Option<common::Scope>,
    name: &str,
) -> Vec<pb::Policy> {
    client
        .list_policies(pb::ListPoliciesRequest {
            scope,
            name: name.into(),
            all_versions: true,
            ..Default::default()
        })
        .await
        .expect("list policies")
        .into_inner()
        .policies
}

fn put_policy(scope: Option<common::Scope>, expected: i32) -> pb::PutPolicyRequest {
    pb::PutPolicyRequest {
        scope,
        idempotency_key: Some(common::IdempotencyKey {
            key: "policy-1".into(),
        }),
        policy: Some(pb::Policy {
            r#ref: Some(pb::PolicyRef {
                name: POLICY.into(),
                version: 0,
            }),
            description: "the statute, Sacramento's copy".into(),
            body: Some(pb::policy::Body::Statute(pb::StatutePolicy {})),
            ..Default::default()
        }),
        expected_latest_version: expected,
        validate_only: false,
    }
}

fn start_run(scope: Option<common::Scope>, batch_id: &str) -> pb::StartRunRequest {
    pb::StartRunRequest {
        scope,
        batch_id: batch_id.into(),
        policy: Some(pb::PolicyRef {
            name: POLICY.into(),
            version: 0,
        }),
        compute_at: Some(COMPUTE_AT),
        ..Default::default()
    }
}

#[tokio::test]
async fn another_countys_runs_and_policies_do_not_exist() {
    let ingest_db = TestDatabase::new(false, "ingest").await;
    let eligibility_db = TestDatabase::new(false, "eligibility").await;
    let servers = Running::start(&ingest_db.url(), &eligibility_db.url()).await;
    let mut ingest = servers.ingest.clone();
    let mut client = servers.eligibility.clone();

    // Sacramento: a batch, a policy of its own and a run.
    let mut messages = vec![ingest::UploadDojFileRequest {
        payload: Some(ingest::upload_doj_file_request::Payload::Metadata(
            ingest::UploadMetadata {
                scope: sacramento(),
                idempotency_key: Some(common::IdempotencyKey {
                    key: "upload-1".into(),
                }),
                file_name: "input.csv".into(),
                ..Default::default()
            },
        )),
    }];
    messages.push(ingest::UploadDojFileRequest {
        payload: Some(ingest::upload_doj_file_request::Payload::Chunk(doj_file())),
    });
    let batch = ingest
        .upload_doj_file(tokio_stream::iter(messages))
        .await
        .expect("upload")
        .into_inner()
        .batch
        .expect("batch");
    let batch_id = batch.batch_id.clone();
    let subject_id = collect(
        ingest
            .stream_subjects(ingest::StreamSubjectsRequest {
                scope: sacramento(),
                batch_id: batch_id.clone(),
                ..Default::default()
            })
            .await,
    )
    .await
    .expect("subjects")[0]
        .subject
        .clone()
        .expect("subject")
        .subject_id;
    let created = client
        .put_policy(put_policy(sacramento(), 0))
        .await
        .expect("put policy")
        .into_inner();
    assert!(created.created);
    let run = client
        .start_run(start_run(sacramento(), &batch_id))
        .await
        .expect("start run")
        .into_inner()
        .run
        .expect("run");
    assert_eq!(run.status, pb::RunStatus::Succeeded as i32, "{run:?}");
    let run_id = run.run_id.clone();
    let results = collect(
        client
            .stream_run_results(pb::StreamRunResultsRequest {
                scope: sacramento(),
                run_id: run_id.clone(),
                ..Default::default()
            })
            .await,
    )
    .await
    .expect("results");
    assert!(!results.is_empty());
    // Sacramento's own Explain works, so a NOT_FOUND below is the scope's doing.
    client
        .explain(pb::ExplainRequest {
            scope: sacramento(),
            subject_id: subject_id.clone(),
            run_id: run_id.clone(),
            ..Default::default()
        })
        .await
        .expect("explain in Sacramento");
    let runs_before = runs(&mut client, sacramento(), "").await;
    let policies_before = policies(&mut client, sacramento(), "").await;
    assert_eq!(runs_before.len(), 1);
    let yolo_policies_before = policies(&mut client, yolo(), "").await;
    assert!(
        yolo_policies_before
            .iter()
            .all(|p| p.scope.as_ref().is_some_and(|s| s.county_name == "YOLO")),
        "{yolo_policies_before:?}"
    );

    // Lists under Yolo show none of Sacramento's rows.
    assert!(runs(&mut client, yolo(), "").await.is_empty());
    assert!(runs(&mut client, yolo(), &batch_id).await.is_empty());
    assert!(policies(&mut client, yolo(), POLICY).await.is_empty());

    // Runs by id.
    let got = client
        .get_run(pb::GetRunRequest {
            scope: yolo(),
            run_id: run_id.clone(),
        })
        .await;
    assert_not_found(got, &run_id, "GetRun");
    let got = client
        .stream_run_results(pb::StreamRunResultsRequest {
            scope: yolo(),
            run_id: run_id.clone(),
            ..Default::default()
        })
        .await;
    assert_not_found(collect(got).await, &run_id, "StreamRunResults");
    let got = client
        .export_run_outputs(pb::ExportRunOutputsRequest {
            scope: yolo(),
            run_id: run_id.clone(),
            ..Default::default()
        })
        .await;
    assert_not_found(collect(got).await, &run_id, "ExportRunOutputs");

    // Policies by name and version.
    for version in [0, 1] {
        let got = client
            .get_policy(pb::GetPolicyRequest {
                scope: yolo(),
                r#ref: Some(pb::PolicyRef {
                    name: POLICY.into(),
                    version,
                }),
            })
            .await;
        assert_not_found(got, POLICY, "GetPolicy");
    }
    // The optimistic check answers as for a name Yolo never stored (latest version 0).
    let got = client.put_policy(put_policy(yolo(), 1)).await;
    assert_code(got, Code::Aborted, "is 0", "PutPolicy(expected 1)");

    // The batch: a run of it under Yolo (or under a code that is not Sacramento's) is a run
    // of a batch that is not there, and leaves no run behind.
    // (Sacramento's policy is not Yolo's either: it is the first thing not found.)
    let got = client.start_run(start_run(yolo(), &batch_id)).await;
    assert_not_found(got, POLICY, "StartRun");
    let got = client
        .start_run(start_run(scope("57", "SACRAMENTO"), &batch_id))
        .await;
    assert_not_found(got, &batch_id, "StartRun(code 57, name SACRAMENTO)");
    let got = client
        .start_run(pb::StartRunRequest {
            policy: None,
            ..start_run(yolo(), &batch_id)
        })
        .await;
    assert_not_found(got, &batch_id, "StartRun(default policy)");
    assert!(runs(&mut client, yolo(), "").await.is_empty());

    // The subject: as evaluated in Sacramento's run, and as a what-if.
    let got = client
        .explain(pb::ExplainRequest {
            scope: yolo(),
            subject_id: subject_id.clone(),
            run_id: run_id.clone(),
            ..Default::default()
        })
        .await;
    assert_not_found(got, &run_id, "Explain(run)");
    let got = client
        .explain(pb::ExplainRequest {
            scope: yolo(),
            subject_id: subject_id.clone(),
            compute_at: Some(COMPUTE_AT),
            ..Default::default()
        })
        .await;
    assert_not_found(got, &subject_id, "Explain(what-if)");

    // Yolo may store a policy of the same name: its own, version 1; Sacramento's is untouched.
    let theirs = client
        .put_policy(put_policy(yolo(), 0))
        .await
        .expect("yolo put policy")
        .into_inner();
    assert!(theirs.created);
    let theirs = theirs.policy.expect("policy");
    // Policies are kept by county name.
    assert_eq!(theirs.scope.expect("scope").county_name, "YOLO");
    assert_eq!(theirs.r#ref.expect("ref").version, 1);

    // Nothing of Sacramento's changed.
    assert_eq!(runs(&mut client, sacramento(), "").await, runs_before);
    assert_eq!(
        policies(&mut client, sacramento(), "").await,
        policies_before
    );
    let again = client
        .get_run(pb::GetRunRequest {
            scope: sacramento(),
            run_id: run_id.clone(),
        })
        .await
        .expect("get run")
        .into_inner()
        .run
        .expect("run");
    assert_eq!(again, run);

    servers.stop().await;
    ingest_db.cleanup().await;
    eligibility_db.cleanup().await;
}

#[tokio::test]
async fn missing_or_malformed_scope_is_invalid_argument() {
    let ingest_db = TestDatabase::new(false, "ingest").await;
    let eligibility_db = TestDatabase::new(false, "eligibility").await;
    let servers = Running::start(&ingest_db.url(), &eligibility_db.url()).await;
    let mut client = servers.eligibility.clone();
    let id = "01J00000000000000000000000";
    let cases = [
        (None, "scope"),
        (scope("", ""), "scope.county_name"),
        (scope("34", ""), "scope.county_name"),
        (scope("5", "YOLO"), "scope.county_code"),
        (scope("59", "YOLO"), "scope.county_code"),
    ];
    for (scope, field) in cases {
        let check = |result: Result<(), Status>, rpc: &str| {
            let status = result.expect_err(rpc);
            assert_eq!(status.code(), Code::InvalidArgument, "{rpc}: {status:?}");
            assert!(
                status.message().starts_with(field),
                "{rpc}: {}",
                status.message()
            );
        };
        let got = client
            .get_run(pb::GetRunRequest {
                scope: scope.clone(),
                run_id: id.into(),
            })
            .await;
        check(got.map(drop), "GetRun");
        let got = client
            .list_runs(pb::ListRunsRequest {
                scope: scope.clone(),
                ..Default::default()
            })
            .await;
        check(got.map(drop), "ListRuns");
        let got = client.start_run(start_run(scope.clone(), id)).await;
        check(got.map(drop), "StartRun");
        let got = client.put_policy(put_policy(scope.clone(), 0)).await;
        check(got.map(drop), "PutPolicy");
        let got = client
            .list_policies(pb::ListPoliciesRequest {
                scope: scope.clone(),
                ..Default::default()
            })
            .await;
        check(got.map(drop), "ListPolicies");
        let got = client
            .explain(pb::ExplainRequest {
                scope,
                subject_id: id.into(),
                run_id: id.into(),
                ..Default::default()
            })
            .await;
        check(got.map(drop), "Explain");
    }
    servers.stop().await;
    ingest_db.cleanup().await;
    eligibility_db.cleanup().await;
}
