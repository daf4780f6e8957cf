//! The real ingest and eligibility servers on 127.0.0.1:0 with real stores: SQLite files in
//! a tempdir, and fresh PostgreSQL databases per test on the local server (these fail when
//! it is unreachable). A gogen fixture is uploaded, evaluated over the wire, and the stored
//! determinations and summary are compared with gogen's.

mod support;

use std::path::PathBuf;

use cmr_engine::EligibilityOptions;
use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as pb;
use cmr_proto::eligibility::v1::eligibility_service_client::EligibilityServiceClient;
use cmr_proto::ingest::v1 as ingest;
use cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use cmr_testkit::TestDatabase;
use sea_orm::{ConnectionTrait, Database};
use support::Running;
use tokio_stream::StreamExt;
use tonic::transport::Channel;

fn fixture(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/compat/gogen")
        .join(name);
    assert!(path.is_file(), "fixture missing: {}", path.display());
    path
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
    // What filing needs comes from the DOJ rows. Data row 17 of the fixture is
    // GROUCH,OSCAR THE's HS 11359 conviction: CNT_ORDER 101001017000, STP_ORI_CODE "y",
    // STP_ORI_DESCR CASCSACRAMENTO; the subject's first row (row 16) gives SUBJECT_ID
    // 90675321, PRI_DOB 19700514, an empty CII_NUMBER and RACE_CODE / RACE_DESCR "x".
    let row_17 = streamed
        .iter()
        .find(|d| {
            d.conviction
                .as_ref()
                .is_some_and(|c| c.data_row_index == 17)
        })
        .expect("a determination of row 17");
    let conviction = row_17.conviction.as_ref().expect("conviction");
    assert_eq!(
        (
            conviction.cnt_order.as_str(),
            conviction.court_ori_code.as_str(),
            conviction.court_ori_descr.as_str(),
            conviction.prop64_section.as_str(),
            conviction.code_section.as_str(),
        ),
        ("101001017000", "y", "CASCSACRAMENTO", "11359", "11359 HS")
    );
    assert_eq!(
        conviction.conviction_date,
        Some(common::CivilDate {
            year: 2004,
            month: 4,
            day: 11
        })
    );
    assert_eq!(
        row_17.person,
        Some(common::PersonIdentity {
            name: "GROUCH,OSCAR THE".into(),
            aliases: Vec::new(),
            date_of_birth: Some(common::CivilDate {
                year: 1970,
                month: 5,
                day: 14
            }),
            cii_number: String::new(),
            doj_subject_id: "90675321".into(),
        })
    );
    assert_eq!(
        (row_17.race_code.as_str(), row_17.race_descr.as_str()),
        ("x", "x")
    );
    // A blank STP_ORI_CODE (row 23, COUNT,COUNT VON's HS 11357(C)) is no court ORI.
    let row_23 = streamed
        .iter()
        .find_map(|d| d.conviction.as_ref().filter(|c| c.data_row_index == 23))
        .expect("a determination of row 23");
    assert_eq!(
        (row_23.cnt_order.as_str(), row_23.court_ori_code.as_str()),
        ("101001023000", "")
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
    // gogen's three subject counts, typed (spec §5.3's example for this fixture).
    assert!(summary.subject_counts_available);
    assert_eq!(
        (
            summary.subjects_no_felony,
            summary.subjects_no_conviction,
            summary.subjects_no_conviction_last_7_years
        ),
        (5, 4, 2)
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

    // Explain under a gogen flow: one step per conviction, the deciding rule, the same
    // determination as stored.
    let subject_id = streamed[0].subject_id.clone();
    let explained = client
        .explain(pb::ExplainRequest {
            scope: scope(),
            subject_id: subject_id.clone(),
            run_id: run.run_id.clone(),
            ..Default::default()
        })
        .await
        .expect("explain")
        .into_inner();
    let stored: Vec<_> = streamed
        .iter()
        .filter(|d| d.subject_id == subject_id)
        .collect();
    assert_eq!(explained.convictions.len(), stored.len());
    for (path, stored) in explained.convictions.iter().zip(stored) {
        assert_eq!(path.determination.as_ref(), Some(stored));
        assert_eq!(path.steps.len(), 1);
        let step = &path.steps[0];
        assert!(step.matched);
        assert_eq!(
            step.rule_id,
            stored.reason.as_ref().expect("reason").rule_id
        );
    }
    let bad = client
        .explain(pb::ExplainRequest {
            scope: scope(),
            ..Default::default()
        })
        .await
        .expect_err("no subject");
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);

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

/// One 95-field DOJ row: a court-action conviction in Sacramento, with `fields` set.
fn doj_row(fields: &[(usize, &str)]) -> String {
    use cmr_record::columns::{
        CONV_STAT_DESCR, DISP_DESCR, FIELD_COUNT, OFFENSE_TOC, STP_ORI_CNTY_NAME, STP_TYPE_DESCR,
    };
    let defaults = [
        (STP_TYPE_DESCR, "COURT ACTION"),
        (STP_ORI_CNTY_NAME, "SACRAMENTO"),
        (DISP_DESCR, "CONVICTED"),
        (OFFENSE_TOC, "M"),
        (CONV_STAT_DESCR, "MISDEMEANOR"),
    ];
    let mut values = vec![""; FIELD_COUNT];
    for &(i, v) in defaults.iter().chain(fields) {
        values[i] = v;
    }
    values.join(",")
}

/// A conviction row of `subject` (DOB `dob`) in cycle `cycle` on `date` for `offense`.
fn conviction(
    subject: &str,
    dob: &str,
    cycle: &str,
    date: &str,
    offense: &str,
    felony: bool,
) -> String {
    use cmr_record::columns::{
        CNT_ORDER, CONV_STAT_DESCR, OFFENSE_DESCR, OFFENSE_TOC, PRI_DOB, STP_EVENT_DATE, SUBJECT_ID,
    };
    let cnt_order = format!("{cycle}001001000");
    let (toc, level) = if felony {
        ("F", "FELONY")
    } else {
        ("M", "MISDEMEANOR")
    };
    doj_row(&[
        (SUBJECT_ID, subject),
        (PRI_DOB, dob),
        (STP_EVENT_DATE, date),
        (CNT_ORDER, &cnt_order),
        (OFFENSE_DESCR, offense),
        (OFFENSE_TOC, toc),
        (CONV_STAT_DESCR, level),
    ])
}

/// A small DOJ file: S1 has a possession (dismissal), a felony sale (reduction) and a
/// misdemeanor transport (hand review); S2 a felony sale convicted after Prop 64 (not
/// eligible) and a burglary (not a cannabis charge).
fn statute_file() -> Vec<u8> {
    let rows = [
        conviction(
            "S1",
            "19800101",
            "101",
            "20100101",
            "11357(B) HS-POSSESS MARIJUANA",
            false,
        ),
        conviction(
            "S1",
            "19800101",
            "102",
            "20120505",
            "11359 HS-POSSESS MARIJUANA FOR SALE",
            true,
        ),
        conviction(
            "S1",
            "19800101",
            "103",
            "20130303",
            "11360 HS-TRANSPORT MARIJUANA",
            false,
        ),
        conviction(
            "S2",
            "19900101",
            "201",
            "20180101",
            "11359 HS-POSSESS MARIJUANA FOR SALE",
            true,
        ),
        conviction("S2", "19900101", "202", "20150101", "459 PC-BURGLARY", true),
    ];
    let mut text = cmr_record::columns::NAMES.join(",");
    for row in rows {
        text.push('\n');
        text.push_str(&row);
    }
    text.push('\n');
    text.into_bytes()
}

/// Rule ids of the statute table up to and including `rule`, as `statute@1/<id>`.
fn statute_path(rule: &str) -> Vec<String> {
    let rules = cmr_engine::flows::statute::RULES;
    let end = rules.iter().position(|r| r.id == rule).expect(rule);
    rules[..=end]
        .iter()
        .map(|r| format!("statute@1/{}", r.id))
        .collect()
}

/// The default policy (empty name) is the built-in statute policy: every determination
/// carries a reason code, citation, facts, track and explanation, gogen's words in the
/// gogen columns, and Explain gives the statute table's path to each decision.
async fn statute_default_policy(postgres: bool) {
    let ingest_db = TestDatabase::new(postgres, "ingest").await;
    let eligibility_db = TestDatabase::new(postgres, "eligibility").await;
    let servers = Running::start(&ingest_db.url(), &eligibility_db.url()).await;
    let mut ingest = servers.ingest.clone();
    let mut client = servers.eligibility.clone();
    let batch = upload(&mut ingest, &statute_file()).await;
    assert_eq!(
        batch.status,
        ingest::BatchStatus::Complete as i32,
        "{batch:?}"
    );
    let compute_at = Some(common::CivilDate {
        year: 2024,
        month: 1,
        day: 1,
    });
    let run = client
        .start_run(pb::StartRunRequest {
            scope: scope(),
            batch_id: batch.batch_id.clone(),
            policy: Some(pb::PolicyRef {
                name: String::new(),
                version: 0,
            }),
            compute_at,
            ..Default::default()
        })
        .await
        .expect("start run")
        .into_inner()
        .run
        .expect("run");
    assert_eq!(run.status, pb::RunStatus::Succeeded as i32, "{run:?}");
    let policy = run.policy.clone().expect("policy");
    assert_eq!((policy.name.as_str(), policy.version), ("statute", 1));
    // The statute policy has gogen's three subject counts too.
    assert!(
        run.summary
            .as_ref()
            .is_some_and(|s| s.subject_counts_available),
        "{run:?}"
    );
    // No policy at all is the same default: the same natural key, the same run.
    let again = client
        .start_run(pb::StartRunRequest {
            scope: scope(),
            batch_id: batch.batch_id.clone(),
            compute_at,
            ..Default::default()
        })
        .await
        .expect("start run again")
        .into_inner();
    assert!(again.reused);
    assert_eq!(again.run.expect("run").run_id, run.run_id);
    // The run's policy can be read back by its recorded name and version.
    let got = client
        .get_policy(pb::GetPolicyRequest {
            scope: scope(),
            r#ref: Some(policy.clone()),
        })
        .await
        .expect("get statute policy")
        .into_inner()
        .policy
        .expect("policy");
    assert_eq!(
        got.body,
        Some(pb::policy::Body::Statute(pb::StatutePolicy {}))
    );

    let streamed = stream_results(&mut client, &run.run_id).await;
    use common::DeterminationOutcome as D;
    let expected = [
        (
            "POSSESSION_21_OR_OVER",
            D::DismissAndSeal,
            "Eligible for Dismissal",
        ),
        (
            "SALE_POSSESSION_FELONY",
            D::Reduce,
            "Eligible for Reduction",
        ),
        ("TRANSPORT_FACTS_UNKNOWN", D::HandReview, "Hand Review"),
        (
            "CONVICTED_ON_OR_AFTER_2016_11_09",
            D::NotEligible,
            "Not eligible",
        ),
    ];
    assert_eq!(streamed.len(), expected.len(), "{streamed:#?}");
    for (d, (code, outcome, words)) in streamed.iter().zip(expected) {
        let reason = d.reason.as_ref().expect("reason");
        assert_eq!(reason.code, code, "{d:#?}");
        assert!(
            !reason.text.is_empty() && !reason.citation.is_empty(),
            "{d:#?}"
        );
        assert!(reason.rule_id.starts_with("statute@1/"), "{d:#?}");
        assert!(!reason.facts.is_empty(), "{d:#?}");
        assert!(reason.facts.iter().all(|f| f.source == "derived"));
        assert!(reason.facts.iter().any(|f| f.key == "charge"), "{d:#?}");
        assert_eq!(d.outcome, outcome as i32, "{d:#?}");
        let gogen = d.gogen.as_ref().expect("gogen columns");
        assert_eq!(gogen.eligibility_determination, words);
        assert_eq!(gogen.eligibility_reason, reason.text);
        assert!(d.explanation.starts_with("H&S "), "{}", d.explanation);
        assert!(d.explanation.contains(words), "{}", d.explanation);
        let track = if matches!(outcome, D::DismissAndSeal | D::Reduce) {
            common::Track::Application
        } else {
            common::Track::Unspecified
        };
        assert_eq!(d.track, track as i32, "{d:#?}");
        let reduce_to = if outcome == D::Reduce {
            common::Severity::Misdemeanor
        } else {
            common::Severity::Unspecified
        };
        assert_eq!(d.reduce_to, reduce_to as i32);
    }
    assert_eq!(
        streamed[1].explanation,
        format!(
            "H&S 11359 felony of 2012-05-05: Eligible for Reduction ({})",
            streamed[1].reason.as_ref().expect("reason").text
        )
    );
    let conviction = streamed[1].conviction.as_ref().expect("conviction");
    assert_eq!(conviction.severity, common::Severity::Felony as i32);
    assert_eq!(
        conviction.conviction_date,
        Some(common::CivilDate {
            year: 2012,
            month: 5,
            day: 5
        })
    );

    // Explain one subject as evaluated in the run: the table's path to every decision.
    let s1 = streamed[0].subject_id.clone();
    let explained = client
        .explain(pb::ExplainRequest {
            scope: scope(),
            subject_id: s1.clone(),
            run_id: run.run_id.clone(),
            ..Default::default()
        })
        .await
        .expect("explain")
        .into_inner();
    assert_eq!(explained.subject_id, s1);
    assert_eq!(explained.policy, Some(policy.clone()));
    assert_eq!(explained.compute_at, compute_at);
    assert!(
        explained
            .subject_facts
            .iter()
            .any(|f| f.key == "convictions_on_record" && f.value == "3"),
        "{:?}",
        explained.subject_facts
    );
    let deciding = ["11357b-21-or-over", "11359-felony", "11360-misdemeanor"];
    assert_eq!(explained.convictions.len(), deciding.len());
    for (i, (path, rule)) in explained.convictions.iter().zip(deciding).enumerate() {
        assert_eq!(path.determination.as_ref(), Some(&streamed[i]));
        let ids: Vec<_> = path.steps.iter().map(|s| s.rule_id.clone()).collect();
        assert_eq!(ids, statute_path(rule));
        let (last, tried) = path.steps.split_last().expect("steps");
        assert!(last.matched && !last.facts.is_empty() && !last.citation.is_empty());
        assert_eq!(last.outcome, streamed[i].outcome);
        assert!(tried.iter().all(|s| !s.matched && s.facts.is_empty()));
        for (order, step) in path.steps.iter().enumerate() {
            assert_eq!(step.order, i32::try_from(order + 1).expect("small"));
            assert!(!step.description.is_empty());
        }
    }
    assert!(explained.skipped.is_empty(), "{:?}", explained.skipped);

    // What-if under the default policy: the same paths, nothing stored.
    let s2 = streamed[3].subject_id.clone();
    let what_if = client
        .explain(pb::ExplainRequest {
            scope: scope(),
            subject_id: s2.clone(),
            compute_at,
            ..Default::default()
        })
        .await
        .expect("what-if")
        .into_inner();
    assert_eq!(what_if.policy, Some(policy.clone()));
    assert_eq!(what_if.convictions.len(), 1);
    let path = &what_if.convictions[0];
    let d = path.determination.as_ref().expect("determination");
    assert!(d.run_id.is_empty() && d.determination_id.is_empty());
    assert_eq!(d.reason, streamed[3].reason);
    assert_eq!(
        path.steps
            .iter()
            .map(|s| s.rule_id.clone())
            .collect::<Vec<_>>(),
        statute_path("convicted-after-prop64")
    );
    assert_eq!(what_if.skipped.len(), 1, "{:?}", what_if.skipped);
    assert_eq!(what_if.skipped[0].code_section, "459 PC");
    assert_eq!(
        what_if.skipped[0].reason,
        pb::SkipReason::NotSelectedSection as i32
    );

    // An unknown subject: NOT_FOUND naming the id only.
    let missing = client
        .explain(pb::ExplainRequest {
            scope: scope(),
            subject_id: "01NOSUCHSUBJECT".into(),
            run_id: run.run_id.clone(),
            ..Default::default()
        })
        .await
        .expect_err("unknown subject");
    assert_eq!(missing.code(), tonic::Code::NotFound, "{missing:?}");
    assert!(missing.message().contains("01NOSUCHSUBJECT"), "{missing:?}");

    // A county-authored statute policy round-trips through PutPolicy.
    let put = client
        .put_policy(pb::PutPolicyRequest {
            scope: scope(),
            policy: Some(pb::Policy {
                r#ref: Some(pb::PolicyRef {
                    name: "sacramento-statute".into(),
                    version: 0,
                }),
                body: Some(pb::policy::Body::Statute(pb::StatutePolicy {})),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .expect("put statute policy")
        .into_inner()
        .policy
        .expect("policy");
    assert_eq!(
        put.body,
        Some(pb::policy::Body::Statute(pb::StatutePolicy {}))
    );

    servers.stop().await;
    ingest_db.cleanup().await;
    eligibility_db.cleanup().await;
}

/// The explanation columns are added to a store that already holds determinations, which
/// read back with empty values, and the migration can be undone and redone.
async fn explanation_columns_migrate(postgres: bool) {
    use cmr_eligibility_migration::{Migrator, MigratorTrait};
    let db_handle = TestDatabase::new(postgres, "eligibility").await;
    let db = Database::connect(db_handle.url()).await.expect("connect");
    Migrator::up(&db, Some(2))
        .await
        .expect("first two migrations");
    let empty_blob = if postgres { "decode('', 'hex')" } else { "X''" };
    db.execute_unprepared(&format!(
        "INSERT INTO determinations (run_id, row_index, subject_id, outcome, reason, rule_id, \
         cells) VALUES ('R1', 3, 'S1', 0, 'old reason', 'p@1/misdemeanor', {empty_blob})"
    ))
    .await
    .expect("insert an old determination");
    Migrator::up(&db, None).await.expect("explanation columns");
    Migrator::down(&db, Some(1)).await.expect("undo");
    Migrator::up(&db, None).await.expect("redo");
    db.close().await.expect("close");

    let store = cmr_eligibility::store::Store::connect(&db_handle.url())
        .await
        .expect("store");
    let old = store.determinations("R1", -1, &[], 10).await.expect("read");
    assert_eq!(old.len(), 1);
    let d = &old[0];
    assert_eq!(
        (d.reason.as_str(), d.rule_id.as_str()),
        ("old reason", "p@1/misdemeanor")
    );
    assert_eq!(
        (
            d.reason_code.as_str(),
            d.citation.as_str(),
            d.facts_json.as_str(),
            d.track
        ),
        ("", "", "[]", 0)
    );
    assert_eq!(
        d.record,
        cmr_eligibility::domain::model::RecordFacts::default()
    );
    store.close().await.expect("close store");
    db_handle.cleanup().await;
}

#[tokio::test]
async fn sqlite_explanation_columns_migrate() {
    explanation_columns_migrate(false).await;
}

#[tokio::test]
async fn postgres_explanation_columns_migrate() {
    explanation_columns_migrate(true).await;
}

#[tokio::test]
async fn sqlite_statute_default_policy() {
    statute_default_policy(false).await;
}

#[tokio::test]
async fn postgres_statute_default_policy() {
    statute_default_policy(true).await;
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
