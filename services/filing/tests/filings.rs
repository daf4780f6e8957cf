//! The real filing server on 127.0.0.1:0 with a real store: SQLite in a tempdir, and a
//! fresh PostgreSQL database per test on the local server (these fail when it is unreachable).

use std::collections::HashSet;

use cmr_filing::{FilingConfig, run};
use cmr_proto::common::v1 as common;
use cmr_proto::filing::v1 as pb;
use cmr_proto::filing::v1::filing_service_client::FilingServiceClient;
use cmr_testkit::TestDatabase;
use tonic::transport::Channel;

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

const COURTS: [&str; 3] = ["CA034015J", "CA034025J", "CA034035J"];

/// `n` verified relief items spread over three courts and two relief types.
fn relief(n: usize) -> Vec<pb::VerifiedRelief> {
    (0..n)
        .map(|i| pb::VerifiedRelief {
            review_item_id: format!("ri-{i:04}"),
            decision_id: format!("dec-{i:04}"),
            determination_id: format!("det-{i:04}"),
            run_id: "run-1".into(),
            subject_id: format!("subject-{}", i / 2),
            agency_id: "da-34".into(),
            court_ori_code: COURTS[i % COURTS.len()].into(),
            prop64_section: "11359".into(),
            relief_type: if i % 2 == 0 {
                common::ReliefType::DismissAndSeal as i32
            } else {
                common::ReliefType::RedesignateMisdemeanor as i32
            },
            basis: pb::ReliefBasis::Concurred as i32,
            ..Default::default()
        })
        .collect()
}

/// Registers each of [`COURTS`] as a court whose id is its ORI code.
async fn put_courts(client: &mut FilingServiceClient<Channel>) {
    for ori in COURTS {
        client
            .put_court(pb::PutCourtRequest {
                scope: sacramento(),
                idempotency_key: Some(common::IdempotencyKey {
                    key: format!("court-{ori}"),
                }),
                court: Some(pb::Court {
                    court_id: ori.into(),
                    name: "Superior Court of California, County of Sacramento".into(),
                    ori_codes: vec![ori.into()],
                    ..Default::default()
                }),
            })
            .await
            .expect("put court");
    }
}

fn submit_request(key: &str, items: Vec<pb::VerifiedRelief>) -> pb::SubmitVerifiedReliefRequest {
    pb::SubmitVerifiedReliefRequest {
        scope: sacramento(),
        idempotency_key: Some(common::IdempotencyKey { key: key.into() }),
        items,
    }
}

/// Every filing the scope sees under `request`'s filters, page by page.
async fn list_all(
    client: &mut FilingServiceClient<Channel>,
    mut request: pb::ListFilingsRequest,
    page_size: i32,
) -> Vec<pb::Filing> {
    let mut filings = Vec::new();
    let mut token = String::new();
    loop {
        request.page = Some(common::PageRequest {
            page_size,
            page_token: token,
        });
        let response = client
            .list_filings(request.clone())
            .await
            .expect("list")
            .into_inner();
        filings.extend(response.filings);
        token = response.page.expect("page").next_page_token;
        if token.is_empty() {
            return filings;
        }
    }
}

fn in_scope(scope: Option<common::Scope>) -> pb::ListFilingsRequest {
    pb::ListFilingsRequest {
        scope,
        ..Default::default()
    }
}

async fn relief_is_kept_once_per_court(postgres: bool) {
    const N: usize = 600;
    let db = TestDatabase::new(postgres, "filing").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    put_courts(&mut client).await;

    let first = client
        .submit_verified_relief(submit_request("relief-1", relief(N)))
        .await
        .expect("submit")
        .into_inner();
    assert_eq!((first.accepted, first.duplicates), (N as i64, 0));
    assert!(first.unmatched_court_review_item_ids.is_empty());
    let replay = client
        .submit_verified_relief(submit_request("relief-1", relief(N)))
        .await
        .expect("replay")
        .into_inner();
    assert_eq!(replay, first);
    let again = client
        .submit_verified_relief(submit_request("relief-2", relief(N)))
        .await
        .expect("resubmit")
        .into_inner();
    assert_eq!((again.accepted, again.duplicates), (0, N as i64));
    let reused = client
        .submit_verified_relief(submit_request("relief-1", relief(2)))
        .await
        .expect_err("reused key");
    assert_eq!(reused.code(), tonic::Code::AlreadyExists);

    let all = list_all(&mut client, in_scope(sacramento()), 41).await;
    assert_eq!(all.len(), N);
    let ids: HashSet<_> = all.iter().map(|f| f.filing_id.clone()).collect();
    assert_eq!(ids.len(), N, "every filing exactly once");
    let items: HashSet<_> = all
        .iter()
        .map(|f| f.relief.as_ref().expect("relief").review_item_id.clone())
        .collect();
    assert_eq!(items.len(), N);
    assert!(
        all.iter()
            .all(|f| f.status == pb::FilingStatus::Queued as i32)
    );

    // Per court and status.
    let mut total = 0;
    for court in COURTS {
        let per_court = list_all(
            &mut client,
            pb::ListFilingsRequest {
                scope: sacramento(),
                court_id: court.into(),
                statuses: vec![pb::FilingStatus::Queued as i32],
                ..Default::default()
            },
            50,
        )
        .await;
        assert_eq!(per_court.len(), N / COURTS.len());
        assert!(per_court.iter().all(|f| f.court_id == court));
        total += per_court.len();
    }
    assert_eq!(total, N);
    let filed = list_all(
        &mut client,
        pb::ListFilingsRequest {
            scope: sacramento(),
            statuses: vec![pb::FilingStatus::Filed as i32],
            ..Default::default()
        },
        50,
    )
    .await;
    assert!(filed.is_empty());
    let dismissals = list_all(
        &mut client,
        pb::ListFilingsRequest {
            scope: sacramento(),
            relief_type: common::ReliefType::DismissAndSeal as i32,
            ..Default::default()
        },
        500,
    )
    .await;
    assert_eq!(dismissals.len(), N / 2);

    // Another county sees none.
    assert!(
        list_all(&mut client, in_scope(scope("01", "")), 100)
            .await
            .is_empty()
    );
    assert!(
        list_all(&mut client, in_scope(scope("", "ALAMEDA")), 100)
            .await
            .is_empty()
    );

    server.stop().await;
    db.cleanup().await;
}

async fn bad_input(postgres: bool) {
    let db = TestDatabase::new(postgres, "filing").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    put_courts(&mut client).await;

    // No court ORI: queued without a court and reported; a repeat inside the request is
    // stored once.
    let mut items = relief(2);
    items[1].court_ori_code.clear();
    items.push(items[0].clone());
    let response = client
        .submit_verified_relief(submit_request("mixed", items))
        .await
        .expect("submit")
        .into_inner();
    assert_eq!((response.accepted, response.duplicates), (2, 1));
    assert_eq!(
        response.unmatched_court_review_item_ids,
        vec!["ri-0001".to_owned()]
    );
    let replay = client
        .submit_verified_relief(submit_request("mixed", {
            let mut items = relief(2);
            items[1].court_ori_code.clear();
            items.push(items[0].clone());
            items
        }))
        .await
        .expect("replay")
        .into_inner();
    assert_eq!(replay, response);

    let mut missing = relief(1);
    missing[0].decision_id.clear();
    let status = client
        .submit_verified_relief(submit_request("missing", missing))
        .await
        .expect_err("no decision");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let mut untyped = relief(1);
    untyped[0].relief_type = 0;
    let status = client
        .submit_verified_relief(submit_request("untyped", untyped))
        .await
        .expect_err("no relief type");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let status = client
        .submit_verified_relief(pb::SubmitVerifiedReliefRequest {
            scope: None,
            idempotency_key: Some(common::IdempotencyKey { key: "k".into() }),
            items: relief(1),
        })
        .await
        .expect_err("no scope");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let status = client
        .submit_verified_relief(submit_request("too-many", relief(1001)))
        .await
        .expect_err("too many");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert_eq!(
        list_all(&mut client, in_scope(sacramento()), 10)
            .await
            .len(),
        2
    );

    let status = client
        .generate_filings(pb::GenerateFilingsRequest {
            scope: sacramento(),
            ..Default::default()
        })
        .await
        .expect_err("no key");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(
        status.message().starts_with("idempotency_key"),
        "{}",
        status.message()
    );
    let status = client
        .download_document(pb::DownloadDocumentRequest::default())
        .await
        .expect_err("no scope");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);

    let mut bad = in_scope(sacramento());
    bad.page = Some(common::PageRequest {
        page_size: 1,
        page_token: "nope".into(),
    });
    let status = client.list_filings(bad).await.expect_err("bad token");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);

    server.stop().await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    assert_eq!(
        list_all(&mut client, in_scope(sacramento()), 1).await.len(),
        2
    );
    server.stop().await;
    db.cleanup().await;
}

#[tokio::test]
async fn sqlite_relief_is_kept_once_per_court() {
    relief_is_kept_once_per_court(false).await;
}

#[tokio::test]
async fn postgres_relief_is_kept_once_per_court() {
    relief_is_kept_once_per_court(true).await;
}

#[tokio::test]
async fn sqlite_bad_input() {
    bad_input(false).await;
}

#[tokio::test]
async fn postgres_bad_input() {
    bad_input(true).await;
}
