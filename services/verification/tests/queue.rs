//! The real verification server on 127.0.0.1:0 with a real store: SQLite in a tempdir, and a
//! fresh PostgreSQL database per test on the local server (these fail when it is unreachable).

use std::collections::HashSet;

use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as eligibility;
use cmr_proto::verification::v1 as pb;
use cmr_proto::verification::v1::verification_service_client::VerificationServiceClient;
use cmr_testkit::TestDatabase;
use cmr_verification::{VerificationConfig, run};
use tonic::transport::Channel;

type Running = cmr_testkit::Running<VerificationServiceClient<Channel>, cmr_verification::RunError>;

async fn start(url: &str) -> Running {
    Running::start(
        |listener, shutdown| run(VerificationConfig::new(url), listener, shutdown),
        VerificationServiceClient::connect,
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

const OUTCOMES: [common::DeterminationOutcome; 4] = [
    common::DeterminationOutcome::DismissAndSeal,
    common::DeterminationOutcome::Reduce,
    common::DeterminationOutcome::HandReview,
    common::DeterminationOutcome::NotEligible,
];

/// `n` review-worthy determinations of one run; conviction dates repeat so paging crosses
/// ties.
fn determinations(run: &str, n: usize) -> Vec<eligibility::Determination> {
    (0..n)
        .map(|i| eligibility::Determination {
            determination_id: format!("{run}-d{i:04}"),
            run_id: run.into(),
            batch_id: "batch-1".into(),
            subject_id: format!("subject-{}", i / 3),
            scope: scope("34", ""),
            conviction: Some(eligibility::ConvictionFacts {
                data_row_index: i64::try_from(i).expect("index"),
                prop64_section: "11359".into(),
                court_ori_code: "CA034015J".into(),
                conviction_date: Some(common::CivilDate {
                    year: 1990 + i32::try_from(i % 7).expect("year"),
                    month: 3,
                    day: 4,
                }),
                ..Default::default()
            }),
            outcome: OUTCOMES[i % OUTCOMES.len()] as i32,
            reason: Some(common::Reason {
                code: "P64_ELIGIBLE".into(),
                rule_id: format!("rule-{}", i % 2),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect()
}

fn submit_request(
    key: &str,
    items: Vec<eligibility::Determination>,
) -> pb::SubmitDeterminationsRequest {
    pb::SubmitDeterminationsRequest {
        scope: sacramento(),
        idempotency_key: Some(common::IdempotencyKey { key: key.into() }),
        determinations: items,
    }
}

/// Every item the scope sees under `filter`, page by page.
async fn list_all(
    client: &mut VerificationServiceClient<Channel>,
    scope: Option<common::Scope>,
    filter: Option<pb::ReviewFilter>,
    page_size: i32,
) -> Vec<pb::ReviewItem> {
    let mut items = Vec::new();
    let mut token = String::new();
    loop {
        let response = client
            .list_review_items(pb::ListReviewItemsRequest {
                scope: scope.clone(),
                page: Some(common::PageRequest {
                    page_size,
                    page_token: token,
                }),
                filter: filter.clone(),
            })
            .await
            .expect("list")
            .into_inner();
        items.extend(response.items);
        token = response.page.expect("page").next_page_token;
        if token.is_empty() {
            return items;
        }
    }
}

async fn queue_is_idempotent_paged_and_scoped(postgres: bool) {
    const N: usize = 1000;
    let db = TestDatabase::new(postgres, "verification").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();

    let first = client
        .submit_determinations(submit_request("submit-1", determinations("run-1", N)))
        .await
        .expect("submit")
        .into_inner();
    assert_eq!(first.accepted, N as i64);
    assert_eq!(first.duplicates, 0);
    assert_eq!(first.routed.len(), 1);
    assert_eq!(first.routed[0].agency_id, "da-34");
    assert_eq!(first.routed[0].count, N as i64);

    // The same request again: the first answer, nothing stored twice.
    let replay = client
        .submit_determinations(submit_request("submit-1", determinations("run-1", N)))
        .await
        .expect("replay")
        .into_inner();
    assert_eq!(replay, first);
    // The same determinations under a new key: all duplicates.
    let again = client
        .submit_determinations(submit_request("submit-2", determinations("run-1", N)))
        .await
        .expect("resubmit")
        .into_inner();
    assert_eq!((again.accepted, again.duplicates), (0, N as i64));
    // A reused key with other content is refused.
    let reused = client
        .submit_determinations(submit_request("submit-1", determinations("run-1", 3)))
        .await
        .expect_err("reused key");
    assert_eq!(reused.code(), tonic::Code::AlreadyExists);
    assert!(reused.message().contains("IDEMPOTENCY_KEY_REUSED"));

    let items = list_all(&mut client, sacramento(), None, 37).await;
    assert_eq!(items.len(), N);
    let ids: HashSet<_> = items.iter().map(|i| i.review_item_id.clone()).collect();
    assert_eq!(ids.len(), N, "every item exactly once");
    let determination_ids: HashSet<_> = items
        .iter()
        .map(|i| {
            i.determination
                .as_ref()
                .expect("snapshot")
                .determination_id
                .clone()
        })
        .collect();
    assert_eq!(determination_ids.len(), N);
    let dates: Vec<i32> = items
        .iter()
        .map(|i| {
            let d = i.determination.as_ref().and_then(|d| d.conviction.as_ref());
            d.and_then(|c| c.conviction_date.as_ref())
                .expect("date")
                .year
        })
        .collect();
    assert!(dates.is_sorted(), "ordered by conviction date");
    for item in &items {
        assert_eq!(item.status, pb::ReviewStatus::Pending as i32);
        assert_eq!(
            item.assignment.as_ref().expect("assignment").agency_id,
            "da-34"
        );
    }

    // Filters: outcome, status, run, batch.
    let hand_review = list_all(
        &mut client,
        sacramento(),
        Some(pb::ReviewFilter {
            outcomes: vec![common::DeterminationOutcome::HandReview as i32],
            statuses: vec![pb::ReviewStatus::Pending as i32],
            run_id: "run-1".into(),
            batch_id: "batch-1".into(),
            ..Default::default()
        }),
        100,
    )
    .await;
    assert_eq!(hand_review.len(), N / OUTCOMES.len());
    let none = list_all(
        &mut client,
        sacramento(),
        Some(pb::ReviewFilter {
            run_id: "run-2".into(),
            ..Default::default()
        }),
        100,
    )
    .await;
    assert!(none.is_empty());
    let challenged = list_all(
        &mut client,
        sacramento(),
        Some(pb::ReviewFilter {
            statuses: vec![pb::ReviewStatus::Challenged as i32],
            ..Default::default()
        }),
        100,
    )
    .await;
    assert!(challenged.is_empty());

    // Another county sees nothing, by list or by id.
    assert!(
        list_all(&mut client, scope("01", "ALAMEDA"), None, 100)
            .await
            .is_empty()
    );
    let one = &items[0].review_item_id;
    let hidden = client
        .get_review_item(pb::GetReviewItemRequest {
            scope: scope("01", "ALAMEDA"),
            review_item_id: one.clone(),
        })
        .await
        .expect_err("other county");
    assert_eq!(hidden.code(), tonic::Code::NotFound);
    let got = client
        .get_review_item(pb::GetReviewItemRequest {
            scope: scope("34", ""),
            review_item_id: one.clone(),
        })
        .await
        .expect("get")
        .into_inner()
        .item
        .expect("item");
    assert_eq!(got.determination, items[0].determination);
    assert_eq!(got.assignment_history.len(), 1);

    server.stop().await;
    db.cleanup().await;
}

async fn bad_input_and_later_rpcs(postgres: bool) {
    let db = TestDatabase::new(postgres, "verification").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();

    // NO_RELIEF is counted, not queued; a duplicate within one request is stored once.
    let mut batch = determinations("run-9", 2);
    batch[1].outcome = common::DeterminationOutcome::NoRelief as i32;
    batch.push(batch[0].clone());
    let response = client
        .submit_determinations(submit_request("mixed", batch))
        .await
        .expect("submit")
        .into_inner();
    assert_eq!(
        (response.accepted, response.duplicates, response.not_queued),
        (1, 1, 1)
    );

    let mut foreign = determinations("run-8", 1);
    foreign[0].scope = scope("01", "");
    let status = client
        .submit_determinations(submit_request("foreign", foreign))
        .await
        .expect_err("other county");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);

    let mut missing = determinations("run-8", 1);
    missing[0].determination_id.clear();
    let status = client
        .submit_determinations(submit_request("missing", missing))
        .await
        .expect_err("no id");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);

    let status = client
        .submit_determinations(pb::SubmitDeterminationsRequest {
            scope: sacramento(),
            idempotency_key: None,
            determinations: determinations("run-8", 1),
        })
        .await
        .expect_err("no key");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let status = client
        .submit_determinations(submit_request("too-many", determinations("run-8", 1001)))
        .await
        .expect_err("too many");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert_eq!(list_all(&mut client, sacramento(), None, 10).await.len(), 1);

    let status = client
        .concur(pb::ConcurRequest {
            scope: sacramento(),
            ..Default::default()
        })
        .await
        .expect_err("no idempotency key");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);

    let status = client
        .list_review_items(pb::ListReviewItemsRequest {
            scope: sacramento(),
            page: Some(common::PageRequest {
                page_size: 10,
                page_token: "garbage".into(),
            }),
            filter: None,
        })
        .await
        .expect_err("bad token");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);

    server.stop().await;
    // The queue survives a restart.
    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    assert_eq!(list_all(&mut client, sacramento(), None, 10).await.len(), 1);
    server.stop().await;
    db.cleanup().await;
}

#[tokio::test]
async fn sqlite_queue_is_idempotent_paged_and_scoped() {
    queue_is_idempotent_paged_and_scoped(false).await;
}

#[tokio::test]
async fn postgres_queue_is_idempotent_paged_and_scoped() {
    queue_is_idempotent_paged_and_scoped(true).await;
}

#[tokio::test]
async fn sqlite_bad_input_and_later_rpcs() {
    bad_input_and_later_rpcs(false).await;
}

#[tokio::test]
async fn postgres_bad_input_and_later_rpcs() {
    bad_input_and_later_rpcs(true).await;
}
