//! The review queue's ground and conviction-date filters, the defender notice's decided
//! filter, paged notice lists, the deadline on listed items, idempotent retries of every
//! mutating call, and audited reads of the audit trail. Real server on 127.0.0.1:0 with
//! tokens; SQLite and PostgreSQL.

use std::collections::BTreeSet;

use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as eligibility;
use cmr_proto::verification::v1 as pb;
use cmr_proto::verification::v1::verification_service_client::VerificationServiceClient;
use cmr_testkit::TestDatabase;
use cmr_verification::domain::access::token_sha256;
use cmr_verification::domain::deadline::{civil_from_days, days_from_civil, pacific_today};
use cmr_verification::{VerificationConfig, run};
use tonic::transport::Channel;

type Client = VerificationServiceClient<Channel>;
type Running = cmr_testkit::Running<Client, cmr_verification::RunError>;

const SAC: (&str, &str) = ("34", "SACRAMENTO");

fn scope() -> Option<common::Scope> {
    Some(common::Scope {
        county_code: SAC.0.into(),
        county_name: SAC.1.into(),
        agency_id: String::new(),
    })
}

fn key(k: &str) -> Option<common::IdempotencyKey> {
    Some(common::IdempotencyKey { key: k.into() })
}

fn authed<T>(token: &str, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    request
}

fn date(yyyymmdd: i32) -> Option<common::CivilDate> {
    Some(common::CivilDate {
        year: yyyymmdd / 10_000,
        month: yyyymmdd / 100 % 100,
        day: yyyymmdd % 100,
    })
}

fn range(from: Option<i32>, to: Option<i32>) -> Option<common::DateRange> {
    Some(common::DateRange {
        from: from.and_then(date),
        to: to.and_then(date),
    })
}

/// `d0`..`d7`: even ones dismiss, odd ones reduce, `d7` needs hand review; convicted on
/// 03-04 of 1990 + i.
fn determinations() -> Vec<eligibility::Determination> {
    (0..8)
        .map(|i| {
            let outcome = match i {
                7 => common::DeterminationOutcome::HandReview,
                i if i % 2 == 0 => common::DeterminationOutcome::DismissAndSeal,
                _ => common::DeterminationOutcome::Reduce,
            };
            eligibility::Determination {
                determination_id: format!("d{i}"),
                run_id: "run-1".into(),
                batch_id: "batch-1".into(),
                subject_id: format!("subject-{i}"),
                scope: scope(),
                conviction: Some(eligibility::ConvictionFacts {
                    prop64_section: "11357".into(),
                    code_section: "11357 HS".into(),
                    severity: common::Severity::Misdemeanor as i32,
                    court_ori_code: "CA034015J".into(),
                    conviction_date: date((1990 + i) * 10_000 + 304),
                    ..Default::default()
                }),
                outcome: outcome as i32,
                track: common::Track::Application as i32,
                reason: Some(common::Reason {
                    code: "P64".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect()
}

fn determination_id(item: &pb::ReviewItem) -> String {
    item.determination
        .as_ref()
        .expect("snapshot")
        .determination_id
        .clone()
}

async fn list(c: &mut Client, filter: pb::ReviewFilter) -> Vec<pb::ReviewItem> {
    c.list_review_items(authed(
        "sup",
        pb::ListReviewItemsRequest {
            scope: scope(),
            page: Some(common::PageRequest {
                page_size: 1000,
                page_token: String::new(),
            }),
            filter: Some(filter),
        },
    ))
    .await
    .expect("list")
    .into_inner()
    .items
}

async fn listed_ids(c: &mut Client, filter: pb::ReviewFilter) -> BTreeSet<String> {
    list(c, filter).await.iter().map(determination_id).collect()
}

fn ids(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// Every defender-notice entry under `decided`, `page_size` at a time, and the pages read.
async fn defender(
    c: &mut Client,
    decided: Option<common::DateRange>,
    page_size: i32,
) -> (Vec<pb::NoticeEntry>, usize) {
    let (mut entries, mut pages, mut token) = (Vec::new(), 0, String::new());
    loop {
        let response = c
            .list_challenged_for_defender(authed(
                "sup",
                pb::ListChallengedForDefenderRequest {
                    scope: scope(),
                    page: Some(common::PageRequest {
                        page_size,
                        page_token: token,
                    }),
                    agency_id: String::new(),
                    decided,
                },
            ))
            .await
            .expect("defender notice")
            .into_inner();
        pages += 1;
        assert!(response.entries.len() <= usize::try_from(page_size).expect("size"));
        entries.extend(response.entries);
        token = response.page.expect("page").next_page_token;
        if token.is_empty() {
            return (entries, pages);
        }
    }
}

/// Every court-notice entry, `page_size` at a time, and the pages read.
async fn court(c: &mut Client, page_size: i32) -> (Vec<pb::NoticeEntry>, usize) {
    let (mut entries, mut pages, mut token) = (Vec::new(), 0, String::new());
    loop {
        let response = c
            .list_unchallenged_for_court(authed(
                "sup",
                pb::ListUnchallengedForCourtRequest {
                    scope: scope(),
                    page: Some(common::PageRequest {
                        page_size,
                        page_token: token,
                    }),
                    ..Default::default()
                },
            ))
            .await
            .expect("court notice")
            .into_inner();
        pages += 1;
        assert!(response.entries.len() <= usize::try_from(page_size).expect("size"));
        entries.extend(response.entries);
        token = response.page.expect("page").next_page_token;
        if token.is_empty() {
            return (entries, pages);
        }
    }
}

fn notice_ids(entries: &[pb::NoticeEntry]) -> Vec<String> {
    entries.iter().map(|e| e.determination_id.clone()).collect()
}

fn assert_reused(status: &tonic::Status) {
    assert_eq!(status.code(), tonic::Code::AlreadyExists, "{status:?}");
    assert!(
        status.message().contains("IDEMPOTENCY_KEY_REUSED"),
        "{}",
        status.message()
    );
}

async fn get(c: &mut Client, id: &str) -> pb::ReviewItem {
    c.get_review_item(authed(
        "sup",
        pb::GetReviewItemRequest {
            scope: scope(),
            review_item_id: id.into(),
        },
    ))
    .await
    .expect("get")
    .into_inner()
    .item
    .expect("item")
}

async fn scenario(postgres: bool) {
    let db = TestDatabase::new(postgres, "verification").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let tokens = dir.path().join("tokens");
    let line = |token: &str, who: &str, role: &str, agency: &str| {
        format!(
            "{}|{who}|{role}|{}|{}|{agency}\n",
            token_sha256(token),
            SAC.0,
            SAC.1
        )
    };
    std::fs::write(
        &tokens,
        [
            line("svc", "svc", "service", ""),
            line("sup", "sup", "supervisor", "da-34"),
            line("rev", "rev", "reviewer", "da-34"),
            line("rev2", "rev2", "reviewer", "da-34"),
        ]
        .concat(),
    )
    .expect("tokens");
    let mut config = VerificationConfig::new(db.url());
    config.tokens_file = Some(tokens);
    let server = Running::start(
        move |listener, shutdown| run(config, listener, shutdown),
        VerificationServiceClient::connect,
    )
    .await;
    let mut c = server.client.clone();

    c.submit_determinations(authed(
        "svc",
        pb::SubmitDeterminationsRequest {
            scope: scope(),
            idempotency_key: key("submit-1"),
            determinations: determinations(),
        },
    ))
    .await
    .expect("submit");
    let all = list(&mut c, pb::ReviewFilter::default()).await;
    assert_eq!(all.len(), 8);
    let item_id = |name: &str| {
        all.iter()
            .find(|i| determination_id(i) == name)
            .expect("item")
            .review_item_id
            .clone()
    };

    // 3. Listed items carry the county deadline (the default until one is set).
    assert!(
        all.iter().all(|i| i.challenge_deadline == date(20200701)),
        "{:?}",
        all[0].challenge_deadline
    );

    // 4 (and the data for 1). Challenge d0 (not eligible), d1 and d2 (public safety).
    let challenge = |k: &str, id: String, ground: pb::ChallengeGround, note: &str| {
        authed(
            "rev",
            pb::ChallengeRequest {
                scope: scope(),
                idempotency_key: key(k),
                review_item_id: id,
                expected_current_decision_id: String::new(),
                ground: ground as i32,
                note: note.into(),
            },
        )
    };
    let first = c
        .challenge(challenge(
            "ch-0",
            item_id("d0"),
            pb::ChallengeGround::NotEligible,
            "priors",
        ))
        .await
        .expect("challenge d0")
        .into_inner();
    // A retry of the same request answers as the first call did, not STALE_VERSION.
    let again = c
        .challenge(challenge(
            "ch-0",
            item_id("d0"),
            pb::ChallengeGround::NotEligible,
            "priors",
        ))
        .await
        .expect("retried challenge")
        .into_inner();
    assert_eq!(again, first);
    // The same key with another request is refused.
    let status = c
        .challenge(challenge(
            "ch-0",
            item_id("d0"),
            pb::ChallengeGround::PublicSafetyRisk,
            "priors",
        ))
        .await
        .expect_err("reused key");
    assert_reused(&status);
    // Another principal cannot replay someone else's key either.
    let mut foreign = challenge(
        "ch-0",
        item_id("d0"),
        pb::ChallengeGround::NotEligible,
        "priors",
    );
    foreign
        .metadata_mut()
        .insert("authorization", "Bearer rev2".parse().expect("header"));
    assert_reused(&c.challenge(foreign).await.expect_err("other principal"));
    for (k, name) in [("ch-1", "d1"), ("ch-2", "d2")] {
        c.challenge(challenge(
            k,
            item_id(name),
            pb::ChallengeGround::PublicSafetyRisk,
            "risk",
        ))
        .await
        .expect("challenge");
    }
    assert_eq!(get(&mut c, &item_id("d0")).await.decisions.len(), 1);

    // 1. Ground filter: by the current decision.
    let by_ground = |ground: pb::ChallengeGround| pb::ReviewFilter {
        ground: ground as i32,
        ..Default::default()
    };
    assert_eq!(
        listed_ids(&mut c, by_ground(pb::ChallengeGround::NotEligible)).await,
        ids(&["d0"])
    );
    assert_eq!(
        listed_ids(&mut c, by_ground(pb::ChallengeGround::PublicSafetyRisk)).await,
        ids(&["d1", "d2"])
    );
    // A concurrence supersedes d2's challenge: d2 no longer matches.
    let d2_challenge = get(&mut c, &item_id("d2"))
        .await
        .current_decision
        .expect("current")
        .decision_id;
    let concur = |k: &str, id: String, expected: String, note: &str| {
        authed(
            "rev",
            pb::ConcurRequest {
                scope: scope(),
                idempotency_key: key(k),
                review_item_id: id,
                expected_current_decision_id: expected,
                note: note.into(),
            },
        )
    };
    c.concur(concur("co-2", item_id("d2"), d2_challenge, ""))
        .await
        .expect("concur d2");
    assert_eq!(
        listed_ids(&mut c, by_ground(pb::ChallengeGround::PublicSafetyRisk)).await,
        ids(&["d1"])
    );
    let status = c
        .list_review_items(authed(
            "sup",
            pb::ListReviewItemsRequest {
                scope: scope(),
                filter: Some(pb::ReviewFilter {
                    ground: 99,
                    ..Default::default()
                }),
                ..Default::default()
            },
        ))
        .await
        .expect_err("unknown ground");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);

    // 1. Conviction-date filter, inclusive, either bound open.
    let by_date = |from: Option<i32>, to: Option<i32>| pb::ReviewFilter {
        conviction_date: range(from, to),
        ..Default::default()
    };
    assert_eq!(
        listed_ids(&mut c, by_date(Some(19920101), Some(19940304))).await,
        ids(&["d2", "d3", "d4"])
    );
    assert_eq!(
        listed_ids(&mut c, by_date(Some(19960304), None)).await,
        ids(&["d6", "d7"])
    );
    assert_eq!(
        listed_ids(&mut c, by_date(None, Some(19910303))).await,
        ids(&["d0"])
    );
    let status = c
        .list_review_items(authed(
            "sup",
            pb::ListReviewItemsRequest {
                scope: scope(),
                filter: Some(pb::ReviewFilter {
                    conviction_date: range(Some(19910231), None),
                    ..Default::default()
                }),
                ..Default::default()
            },
        ))
        .await
        .expect_err("not a date");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    // Filters combine.
    assert_eq!(
        listed_ids(
            &mut c,
            pb::ReviewFilter {
                ground: pb::ChallengeGround::NotEligible as i32,
                conviction_date: range(Some(19910101), None),
                ..Default::default()
            }
        )
        .await,
        BTreeSet::new()
    );

    // 1. The defender notice's decided filter (Pacific dates), and 2. its paging.
    let today_days = days_from_civil(pacific_today(
        i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .as_millis(),
        )
        .expect("ms"),
    ));
    let (yesterday, tomorrow) = (
        civil_from_days(today_days - 1),
        civil_from_days(today_days + 1),
    );
    let (recent, _) = defender(&mut c, range(Some(yesterday), Some(tomorrow)), 1000).await;
    assert_eq!(notice_ids(&recent), ["d0", "d1"]);
    let (old, _) = defender(&mut c, range(Some(20000101), Some(20001231)), 1000).await;
    assert!(old.is_empty());
    let (later, _) = defender(&mut c, range(Some(tomorrow), None), 1000).await;
    assert!(later.is_empty());
    let (paged, pages) = defender(&mut c, None, 1).await;
    assert_eq!(notice_ids(&paged), ["d0", "d1"]);
    assert_eq!(pages, 2);
    assert_eq!(paged, recent);

    // 4. Concur: retry, reuse, and a remembered failure.
    let made = c
        .concur(concur("co-3", item_id("d3"), String::new(), "ok"))
        .await
        .expect("concur d3")
        .into_inner();
    let retried = c
        .concur(concur("co-3", item_id("d3"), String::new(), "ok"))
        .await
        .expect("retried concur")
        .into_inner();
    assert_eq!(retried, made);
    assert_reused(
        &c.concur(concur("co-3", item_id("d3"), String::new(), "other"))
            .await
            .expect_err("reused"),
    );
    assert_eq!(get(&mut c, &item_id("d3")).await.decisions.len(), 1);
    let stale = c
        .concur(concur("co-stale", item_id("d3"), String::new(), ""))
        .await
        .expect_err("stale");
    assert_eq!(stale.code(), tonic::Code::Aborted);
    let stale_again = c
        .concur(concur("co-stale", item_id("d3"), String::new(), ""))
        .await
        .expect_err("stale again");
    assert_eq!(
        (stale_again.code(), stale_again.message()),
        (stale.code(), stale.message())
    );
    // Keys are per method: the same key on Comment is a new call.
    c.comment(authed(
        "rev",
        pb::CommentRequest {
            scope: scope(),
            idempotency_key: key("co-3"),
            review_item_id: item_id("d3"),
            text: "fine".into(),
        },
    ))
    .await
    .expect("comment under a concur key");

    // 4. Resolve.
    let resolve = |resolution: pb::Resolution| {
        authed(
            "rev",
            pb::ResolveRequest {
                scope: scope(),
                idempotency_key: key("res-7"),
                review_item_id: item_id("d7"),
                expected_current_decision_id: String::new(),
                resolution: resolution as i32,
                reduce_to: 0,
                note: "reviewed".into(),
            },
        )
    };
    let resolved = c
        .resolve(resolve(pb::Resolution::Dismiss))
        .await
        .expect("resolve")
        .into_inner();
    let retried = c
        .resolve(resolve(pb::Resolution::Dismiss))
        .await
        .expect("retried resolve")
        .into_inner();
    assert_eq!(retried, resolved);
    assert_reused(
        &c.resolve(resolve(pb::Resolution::NotEligible))
            .await
            .expect_err("reused"),
    );

    // 4. Comment.
    let comment = |text: &str| {
        authed(
            "rev",
            pb::CommentRequest {
                scope: scope(),
                idempotency_key: key("com-4"),
                review_item_id: item_id("d4"),
                text: text.into(),
            },
        )
    };
    let first = c
        .comment(comment("call"))
        .await
        .expect("comment")
        .into_inner();
    let again = c
        .comment(comment("call"))
        .await
        .expect("retried comment")
        .into_inner();
    assert_eq!(again, first);
    assert_reused(&c.comment(comment("other")).await.expect_err("reused"));
    assert_eq!(get(&mut c, &item_id("d4")).await.comments.len(), 1);

    // 4. Reassign (supervisor).
    let reassign = |reason: &str| {
        authed(
            "sup",
            pb::ReassignRequest {
                scope: scope(),
                idempotency_key: key("re-5"),
                review_item_id: item_id("d5"),
                to_agency_id: String::new(),
                to_reviewer_id: "rev2".into(),
                reason: reason.into(),
            },
        )
    };
    let first = c
        .reassign(reassign("workload"))
        .await
        .expect("reassign")
        .into_inner();
    let again = c
        .reassign(reassign("workload"))
        .await
        .expect("retried reassign")
        .into_inner();
    assert_eq!(again, first);
    assert_reused(&c.reassign(reassign("other")).await.expect_err("reused"));
    assert_eq!(
        get(&mut c, &item_id("d5")).await.assignment_history.len(),
        2
    );

    // 4. BulkAct: concur every pending dismissal (d4, d6); a retry is not COUNT_MISMATCH.
    let bulk = |k: &str, expected_count: i64, dry_run: bool| {
        authed(
            "rev",
            pb::BulkActRequest {
                scope: scope(),
                idempotency_key: key(k),
                filter: Some(pb::ReviewFilter {
                    statuses: vec![pb::ReviewStatus::Pending as i32],
                    outcomes: vec![common::DeterminationOutcome::DismissAndSeal as i32],
                    ..Default::default()
                }),
                action: Some(pb::BulkAction {
                    action: Some(pb::bulk_action::Action::Concur(pb::BulkConcur {
                        note: String::new(),
                    })),
                }),
                expected_count,
                dry_run,
            },
        )
    };
    let dry = c
        .bulk_act(bulk("bulk-dry", 2, true))
        .await
        .expect("dry run")
        .into_inner();
    assert_eq!((dry.matched, dry.applied), (2, 2));
    let done = c
        .bulk_act(bulk("bulk-1", 2, false))
        .await
        .expect("bulk")
        .into_inner();
    assert_eq!((done.matched, done.applied), (2, 2));
    assert!(!done.bulk_action_id.is_empty());
    let again = c
        .bulk_act(bulk("bulk-1", 2, false))
        .await
        .expect("retried bulk")
        .into_inner();
    assert_eq!(again, done);
    assert_reused(
        &c.bulk_act(bulk("bulk-1", 0, false))
            .await
            .expect_err("reused"),
    );

    // 2. The court notice pages: d2..d7 ended in relief (d5 reassigned, still pending).
    c.concur(concur("co-5", item_id("d5"), String::new(), ""))
        .await
        .expect("concur d5");
    let (whole, pages) = court(&mut c, 1000).await;
    assert_eq!(pages, 1);
    assert_eq!(notice_ids(&whole), ["d2", "d3", "d4", "d5", "d6", "d7"]);
    let (paged, pages) = court(&mut c, 4).await;
    assert_eq!(pages, 2);
    assert_eq!(paged, whole);
    let status = c
        .list_unchallenged_for_court(authed(
            "sup",
            pb::ListUnchallengedForCourtRequest {
                scope: scope(),
                page: Some(common::PageRequest {
                    page_size: 1,
                    page_token: "garbage".into(),
                }),
                ..Default::default()
            },
        ))
        .await
        .expect_err("bad token");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);

    // 4. SetDeadline, and 3. the new deadline on listed items.
    let set = |when: i32| {
        authed(
            "sup",
            pb::SetDeadlineRequest {
                scope: scope(),
                idempotency_key: key("dl-1"),
                challenge_deadline: date(when),
                reason: "board order".into(),
            },
        )
    };
    let first = c
        .set_deadline(set(20311231))
        .await
        .expect("set")
        .into_inner();
    let again = c
        .set_deadline(set(20311231))
        .await
        .expect("retried set")
        .into_inner();
    assert_eq!(again, first);
    assert_reused(&c.set_deadline(set(20320101)).await.expect_err("reused"));
    let listed = list(&mut c, pb::ReviewFilter::default()).await;
    assert!(
        listed
            .iter()
            .all(|i| i.challenge_deadline == date(20311231))
    );

    // 5. Reading the audit trail is itself audited, naming the events read.
    let read = c
        .list_audit_events(authed(
            "sup",
            pb::ListAuditEventsRequest {
                scope: scope(),
                page: Some(common::PageRequest {
                    page_size: 5,
                    page_token: String::new(),
                }),
                ..Default::default()
            },
        ))
        .await
        .expect("audit")
        .into_inner();
    assert_eq!(read.events.len(), 5);
    assert!(!read.page.expect("page").next_page_token.is_empty());
    let read_ids: Vec<String> = read.events.iter().map(|e| e.event_id.clone()).collect();
    let views = c
        .list_audit_events(authed(
            "sup",
            pb::ListAuditEventsRequest {
                scope: scope(),
                principal_id: "sup".into(),
                actions: vec![pb::AuditAction::ListViewed as i32],
                page: Some(common::PageRequest {
                    page_size: 1000,
                    page_token: String::new(),
                }),
                ..Default::default()
            },
        ))
        .await
        .expect("audit views")
        .into_inner()
        .events;
    let audit_read = views
        .iter()
        .find(|e| e.target_type == "audit_event")
        .expect("the audit read was audited");
    assert_eq!(audit_read.target_ids, read_ids);
    assert_eq!(
        audit_read.actor.as_ref().expect("actor").principal_id,
        "sup"
    );
    // The chain still holds with the read events in it.
    let verified = c
        .verify_audit_chain(authed(
            "sup",
            pb::VerifyAuditChainRequest {
                scope: scope(),
                ..Default::default()
            },
        ))
        .await
        .expect("verify")
        .into_inner();
    assert!(verified.intact);

    // 4. Two copies of one request at once: both get the one decision made.
    let d1_challenge = get(&mut c, &item_id("d1"))
        .await
        .current_decision
        .expect("current")
        .decision_id;
    let copy = |mut client: Client| {
        let request = concur("co-1", item_id("d1"), d1_challenge.clone(), "agreed");
        async move {
            client
                .concur(request)
                .await
                .map(tonic::Response::into_inner)
        }
    };
    let (a, b) = tokio::join!(tokio::spawn(copy(c.clone())), tokio::spawn(copy(c.clone())));
    let (a, b) = (
        a.expect("task").expect("first copy"),
        b.expect("task").expect("second copy"),
    );
    assert_eq!(a, b);
    assert_eq!(get(&mut c, &item_id("d1")).await.decisions.len(), 2);

    server.stop().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_filters_notices_idempotency() {
    scenario(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_filters_notices_idempotency() {
    scenario(true).await;
}
