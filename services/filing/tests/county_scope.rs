//! County scoping (issue 5 item 5): Sacramento's (34) filings are, to a Yolo (57) scope,
//! exactly as if they did not exist. Lists under Yolo (by any filter, including
//! Sacramento's subject and court) are empty; a Yolo submission naming Sacramento's review
//! item and decision is answered as for a new one and becomes Yolo's own filing; Sacramento's
//! filings do not change. The RPCs that take a filing, batch, document or court id answer
//! Sacramento's ids under Yolo exactly as ids that do not exist (NOT_FOUND).
//! A missing or malformed scope is INVALID_ARGUMENT naming the field. The real server on
//! 127.0.0.1:0 with SQLite in a tempdir; the relief is synthetic.

use cmr_filing::{FilingConfig, run};
use cmr_proto::common::v1 as common;
use cmr_proto::filing::v1 as pb;
use cmr_proto::filing::v1::filing_service_client::FilingServiceClient;
use cmr_testkit::TestDatabase;
use tonic::{Code, transport::Channel};

type Running = cmr_testkit::Running<FilingServiceClient<Channel>, cmr_filing::RunError>;

async fn start(url: &str) -> Running {
    Running::start(
        |listener, shutdown| run(FilingConfig::new(url), listener, shutdown),
        FilingServiceClient::connect,
    )
    .await
}

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

fn relief(i: usize) -> pb::VerifiedRelief {
    pb::VerifiedRelief {
        review_item_id: format!("ri-{i:04}"),
        decision_id: format!("dec-{i:04}"),
        determination_id: format!("det-{i:04}"),
        run_id: "run-1".into(),
        subject_id: format!("subject-{i}"),
        agency_id: "da-34".into(),
        court_ori_code: "CA034015J".into(),
        prop64_section: "11359".into(),
        relief_type: common::ReliefType::DismissAndSeal as i32,
        basis: pb::ReliefBasis::Concurred as i32,
        ..Default::default()
    }
}

fn submit(
    scope: Option<common::Scope>,
    key: &str,
    items: Vec<pb::VerifiedRelief>,
) -> pb::SubmitVerifiedReliefRequest {
    pb::SubmitVerifiedReliefRequest {
        scope,
        idempotency_key: Some(common::IdempotencyKey { key: key.into() }),
        items,
    }
}

async fn list(
    client: &mut FilingServiceClient<Channel>,
    request: pb::ListFilingsRequest,
) -> Vec<pb::Filing> {
    client
        .list_filings(request)
        .await
        .expect("list filings")
        .into_inner()
        .filings
}

#[tokio::test]
async fn another_countys_filings_do_not_exist() {
    let db = TestDatabase::new(false, "filing").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    client
        .put_court(pb::PutCourtRequest {
            scope: sacramento(),
            idempotency_key: Some(common::IdempotencyKey {
                key: "court".into(),
            }),
            court: Some(pb::Court {
                court_id: "sac-main".into(),
                name: "Superior Court of California, County of Sacramento".into(),
                ori_codes: vec!["CA034015J".into()],
                ..Default::default()
            }),
        })
        .await
        .expect("put court");
    // Yolo sees no court.
    let courts = client
        .list_courts(pb::ListCourtsRequest {
            scope: yolo(),
            page: None,
        })
        .await
        .expect("list courts")
        .into_inner();
    assert!(courts.courts.is_empty());

    let ours = client
        .submit_verified_relief(submit(sacramento(), "key-1", (0..3).map(relief).collect()))
        .await
        .expect("submit")
        .into_inner();
    assert_eq!((ours.accepted, ours.duplicates), (3, 0));
    let all = pb::ListFilingsRequest {
        scope: sacramento(),
        ..Default::default()
    };
    let before = list(&mut client, all.clone()).await;
    assert_eq!(before.len(), 3);
    let filing = &before[0];
    let court_id = filing.court_id.clone();
    assert_eq!(court_id, "sac-main");
    let subject_id = filing.relief.as_ref().expect("relief").subject_id.clone();

    // Lists under Yolo, by every filter that names Sacramento's data, are empty.
    for request in [
        pb::ListFilingsRequest::default(),
        pb::ListFilingsRequest {
            subject_id: subject_id.clone(),
            ..Default::default()
        },
        pb::ListFilingsRequest {
            court_id: court_id.clone(),
            ..Default::default()
        },
        pb::ListFilingsRequest {
            statuses: vec![filing.status],
            ..Default::default()
        },
    ] {
        let request = pb::ListFilingsRequest {
            scope: yolo(),
            ..request
        };
        assert!(
            list(&mut client, request.clone()).await.is_empty(),
            "{request:?}"
        );
        // A code and name that do not name one county see nothing either.
        let mixed = pb::ListFilingsRequest {
            scope: scope("57", "SACRAMENTO"),
            ..request
        };
        assert!(list(&mut client, mixed).await.is_empty());
    }
    // A page token taken from Sacramento's listing does not open it to Yolo.
    let page = list(
        &mut client,
        pb::ListFilingsRequest {
            scope: yolo(),
            page: Some(common::PageRequest {
                page_size: 1,
                page_token: filing.filing_id.clone(),
            }),
            ..Default::default()
        },
    )
    .await;
    assert!(page.is_empty());

    // Sacramento's idempotency key is not Yolo's: the same key and request under Yolo is
    // a new submission, and Sacramento's review item and decision are new to Yolo.
    let theirs = client
        .submit_verified_relief(submit(yolo(), "key-1", vec![relief(0)]))
        .await
        .expect("yolo submit")
        .into_inner();
    assert_eq!((theirs.accepted, theirs.duplicates), (1, 0), "{theirs:?}");
    let their_filings = list(
        &mut client,
        pb::ListFilingsRequest {
            scope: yolo(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(their_filings.len(), 1);
    assert_eq!(their_filings[0].scope, yolo());
    assert!(
        before
            .iter()
            .all(|f| f.filing_id != their_filings[0].filing_id)
    );

    // The lifecycle RPCs take Sacramento's ids under Yolo as ids that do not exist.
    let key = |k: &str| Some(common::IdempotencyKey { key: k.into() });
    let date = Some(common::CivilDate {
        year: 2026,
        month: 11,
        day: 30,
    });
    let id = filing.filing_id.as_str();
    let unknown = "01ZZZZZZZZZZZZZZZZZZZZZZZZ";
    for target in [id, unknown] {
        let results = [
            client
                .record_outcome(pb::RecordOutcomeRequest {
                    scope: yolo(),
                    idempotency_key: key(&format!("o-{target}")),
                    filing_id: target.into(),
                    decision: pb::CourtDecision::Denied as i32,
                    decided_on: date,
                    ..Default::default()
                })
                .await
                .map(drop),
            client
                .get_filing_batch(pb::GetFilingBatchRequest {
                    scope: yolo(),
                    filing_batch_id: target.into(),
                })
                .await
                .map(drop),
            client
                .mark_filed(pb::MarkFiledRequest {
                    scope: yolo(),
                    idempotency_key: key(&format!("m-{target}")),
                    filing_batch_id: target.into(),
                    filed_on: date,
                    ..Default::default()
                })
                .await
                .map(drop),
            client
                .generate_filings(pb::GenerateFilingsRequest {
                    scope: yolo(),
                    idempotency_key: key(&format!("g-{target}")),
                    court_id: court_id.clone(),
                    agency_id: "da-34".into(),
                    document_date: date,
                    ..Default::default()
                })
                .await
                .map(drop),
        ];
        for result in results {
            let status = result.expect_err("not found");
            assert_eq!(status.code(), Code::NotFound, "{status:?}");
        }
    }

    // Nothing of Sacramento's changed.
    assert_eq!(list(&mut client, all).await, before);

    server.stop().await;
    db.cleanup().await;
}

#[tokio::test]
async fn missing_or_malformed_scope_is_invalid_argument() {
    let db = TestDatabase::new(false, "filing").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    let cases = [
        (None, "scope"),
        (scope("", ""), "scope"),
        (scope("5", "YOLO"), "scope.county_code"),
        (scope("59", ""), "scope.county_code"),
        (scope("57", " YOLO"), "scope.county_name"),
    ];
    for (scope, field) in cases {
        let results = [
            client
                .list_filings(pb::ListFilingsRequest {
                    scope: scope.clone(),
                    ..Default::default()
                })
                .await
                .map(drop),
            client
                .submit_verified_relief(submit(scope, "key-1", vec![relief(0)]))
                .await
                .map(drop),
        ];
        for result in results {
            let status = result.expect_err(field);
            assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
            assert!(status.message().starts_with(field), "{}", status.message());
        }
    }
    server.stop().await;
    db.cleanup().await;
}
