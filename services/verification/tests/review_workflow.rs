//! Issue 5 acceptance: two counties and one city prosecutor, tokens, routing, decisions
//! (with a race), the deadline, the hand-off to a real filing server, and tamper detection
//! of the audit chain. Real servers on 127.0.0.1:0; SQLite and PostgreSQL.

use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as eligibility;
use cmr_proto::filing::v1 as filing;
use cmr_proto::filing::v1::filing_service_client::FilingServiceClient;
use cmr_proto::verification::v1 as pb;
use cmr_proto::verification::v1::verification_service_client::VerificationServiceClient;
use cmr_testkit::TestDatabase;
use cmr_verification::domain::access::token_sha256;
use cmr_verification::{VerificationConfig, run};
use sea_orm::ConnectionTrait;
use tonic::transport::Channel;

type Client = VerificationServiceClient<Channel>;
type Running = cmr_testkit::Running<Client, cmr_verification::RunError>;
type FilingRunning = cmr_testkit::Running<FilingServiceClient<Channel>, cmr_filing::RunError>;

const LA: (&str, &str) = ("19", "LOS ANGELES");
const SAC: (&str, &str) = ("34", "SACRAMENTO");

fn scope(county: (&str, &str)) -> Option<common::Scope> {
    Some(common::Scope {
        county_code: county.0.into(),
        county_name: county.1.into(),
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

fn determination(
    county: (&str, &str),
    id: &str,
    severity: common::Severity,
    arrest_ori: &str,
    outcome: common::DeterminationOutcome,
) -> eligibility::Determination {
    eligibility::Determination {
        determination_id: id.into(),
        run_id: format!("run-{}", county.0),
        batch_id: "batch-1".into(),
        subject_id: format!("subject-{id}"),
        scope: scope(county),
        conviction: Some(eligibility::ConvictionFacts {
            count_id: format!("count-{id}"),
            prop64_section: "11357".into(),
            code_section: "11357 HS".into(),
            severity: severity as i32,
            court_ori_code: format!("CA0{}015J", county.0),
            arrest_ori_code: arrest_ori.into(),
            conviction_date: Some(common::CivilDate {
                year: 2001,
                month: 2,
                day: 3,
            }),
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
}

async fn items(client: &mut Client, token: &str, county: (&str, &str)) -> Vec<pb::ReviewItem> {
    client
        .list_review_items(authed(
            token,
            pb::ListReviewItemsRequest {
                scope: scope(county),
                page: Some(common::PageRequest {
                    page_size: 1000,
                    page_token: String::new(),
                }),
                filter: None,
            },
        ))
        .await
        .expect("list")
        .into_inner()
        .items
}

fn by_determination<'a>(items: &'a [pb::ReviewItem], id: &str) -> &'a pb::ReviewItem {
    items
        .iter()
        .find(|i| i.determination.as_ref().expect("snapshot").determination_id == id)
        .expect("item")
}

async fn acceptance(postgres: bool) {
    let vdb = TestDatabase::new(postgres, "verification").await;
    let fdb = TestDatabase::new(postgres, "filing").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let tokens = dir.path().join("tokens");
    let line = |token: &str, who: &str, role: &str, county: (&str, &str), agency: &str| {
        format!(
            "{}|{who}|{role}|{}|{}|{agency}\n",
            token_sha256(token),
            county.0,
            county.1
        )
    };
    let text = [
        line("la-super", "la-sup", "supervisor", LA, "da-19"),
        line("la-svc", "la-svc", "service", LA, ""),
        line("la-da-rev", "da-rev", "reviewer", LA, "da-19"),
        line("la-da-rev2", "da-rev2", "reviewer", LA, "da-19"),
        line("pas-rev", "pas-rev", "reviewer", LA, "city-pasadena"),
        line("la-ro", "la-ro", "read-only", LA, "da-19"),
        line("sac-super", "sac-sup", "supervisor", SAC, "da-34"),
        line("sac-svc", "sac-svc", "service", SAC, ""),
    ]
    .concat();
    std::fs::write(&tokens, text).expect("tokens");

    let filing_url = fdb.url();
    let filing_server = FilingRunning::start(
        move |listener, shutdown| {
            cmr_filing::run(
                cmr_filing::FilingConfig::new(filing_url),
                listener,
                shutdown,
            )
        },
        FilingServiceClient::connect,
    )
    .await;
    let mut config = VerificationConfig::new(vdb.url());
    config.tokens_file = Some(tokens);
    config.filing_endpoint = Some(filing_server.server.endpoint());
    let server = Running::start(
        move |listener, shutdown| run(config, listener, shutdown),
        VerificationServiceClient::connect,
    )
    .await;
    let mut c = server.client.clone();

    // No token: unauthenticated.
    let status = c
        .list_review_items(pb::ListReviewItemsRequest {
            scope: scope(LA),
            ..Default::default()
        })
        .await
        .expect_err("no token");
    assert_eq!(status.code(), tonic::Code::Unauthenticated);

    // Agencies and a routing rule for LA.
    for (id, kind, default, oris) in [
        ("da-19", pb::AgencyKind::DistrictAttorney, true, vec![]),
        (
            "city-pasadena",
            pb::AgencyKind::CityProsecutor,
            false,
            vec!["CA0194200".to_owned()],
        ),
    ] {
        c.put_agency(authed(
            "la-super",
            pb::PutAgencyRequest {
                scope: scope(LA),
                idempotency_key: key(&format!("agency-{id}")),
                agency: Some(pb::Agency {
                    agency_id: id.into(),
                    kind: kind as i32,
                    name: id.into(),
                    ori_codes: oris,
                    active: true,
                    county_default: default,
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("put agency");
    }
    c.put_routing_rule(authed(
        "la-super",
        pb::PutRoutingRuleRequest {
            scope: scope(LA),
            idempotency_key: key("rule-1"),
            rule: Some(pb::RoutingRule {
                rule_id: "pasadena-misdemeanors".into(),
                priority: 10,
                r#match: Some(pb::RoutingMatch {
                    severities: vec![common::Severity::Misdemeanor as i32],
                    arrest_ori_codes: vec!["CA01942*".into()],
                    ..Default::default()
                }),
                agency_id: "city-pasadena".into(),
                enabled: true,
                ..Default::default()
            }),
            reroute_pending: false,
        },
    ))
    .await
    .expect("put rule");

    use common::DeterminationOutcome::{DismissAndSeal, HandReview};
    use common::Severity::{Felony, Misdemeanor};
    let la_batch = vec![
        determination(LA, "la-1", Misdemeanor, "CA0194200", DismissAndSeal),
        determination(LA, "la-2", Felony, "CA0194200", DismissAndSeal),
        determination(LA, "la-3", Misdemeanor, "CA0190000", DismissAndSeal),
        determination(LA, "la-4", Felony, "CA0190000", DismissAndSeal),
        determination(LA, "la-5", Felony, "CA0190000", HandReview),
    ];
    // A reviewer cannot submit; the service token can.
    let denied = c
        .submit_determinations(authed(
            "la-da-rev",
            pb::SubmitDeterminationsRequest {
                scope: scope(LA),
                idempotency_key: key("la-submit"),
                determinations: la_batch.clone(),
            },
        ))
        .await
        .expect_err("reviewer submits");
    assert_eq!(denied.code(), tonic::Code::PermissionDenied);
    let submitted = c
        .submit_determinations(authed(
            "la-svc",
            pb::SubmitDeterminationsRequest {
                scope: scope(LA),
                idempotency_key: key("la-submit"),
                determinations: la_batch,
            },
        ))
        .await
        .expect("submit")
        .into_inner();
    assert_eq!(submitted.accepted, 5);
    c.submit_determinations(authed(
        "sac-svc",
        pb::SubmitDeterminationsRequest {
            scope: scope(SAC),
            idempotency_key: key("sac-submit"),
            determinations: vec![determination(SAC, "sac-1", Felony, "", DismissAndSeal)],
        },
    ))
    .await
    .expect("submit sac");

    // Routing: exactly one agency per item.
    let all = items(&mut c, "la-super", LA).await;
    assert_eq!(all.len(), 5);
    let agency = |id: &str| {
        by_determination(&all, id)
            .assignment
            .as_ref()
            .expect("assignment")
            .agency_id
            .clone()
    };
    assert_eq!(agency("la-1"), "city-pasadena");
    for id in ["la-2", "la-3", "la-4", "la-5"] {
        assert_eq!(agency(id), "da-19", "{id}");
    }
    // Reviewers see only their agency.
    assert_eq!(items(&mut c, "pas-rev", LA).await.len(), 1);
    assert_eq!(items(&mut c, "la-da-rev", LA).await.len(), 4);

    // County A's tokens cannot read or act on county B: every call denied and audited.
    let sac_item = items(&mut c, "sac-super", SAC).await.remove(0);
    let sac_id = sac_item.review_item_id.clone();
    let cross = [
        c.list_review_items(authed(
            "la-super",
            pb::ListReviewItemsRequest {
                scope: scope(SAC),
                ..Default::default()
            },
        ))
        .await
        .map(|_| ())
        .expect_err("list"),
        c.get_review_item(authed(
            "la-super",
            pb::GetReviewItemRequest {
                scope: scope(SAC),
                review_item_id: sac_id.clone(),
            },
        ))
        .await
        .map(|_| ())
        .expect_err("get"),
        c.concur(authed(
            "la-da-rev",
            pb::ConcurRequest {
                scope: scope(SAC),
                idempotency_key: key("x-concur"),
                review_item_id: sac_id.clone(),
                ..Default::default()
            },
        ))
        .await
        .map(|_| ())
        .expect_err("concur"),
        // Even naming the LA scope, the SAC item is not visible.
        c.concur(authed(
            "la-super",
            pb::ConcurRequest {
                scope: scope(LA),
                idempotency_key: key("x-concur-2"),
                review_item_id: sac_id.clone(),
                ..Default::default()
            },
        ))
        .await
        .map(|_| ())
        .expect_err("concur in own scope"),
    ];
    for status in &cross[..3] {
        assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status:?}");
        assert!(status.message().contains("SCOPE_NOT_PERMITTED"));
    }
    assert_eq!(cross[3].code(), tonic::Code::NotFound);
    // A Pasadena reviewer cannot act on a DA item; read-only cannot decide.
    let la3 = by_determination(&all, "la-3").review_item_id.clone();
    for (token, expected) in [
        ("pas-rev", "SCOPE_NOT_PERMITTED"),
        ("la-ro", "ROLE_NOT_PERMITTED"),
    ] {
        let status = c
            .concur(authed(
                token,
                pb::ConcurRequest {
                    scope: scope(LA),
                    idempotency_key: key(&format!("deny-{token}")),
                    review_item_id: la3.clone(),
                    ..Default::default()
                },
            ))
            .await
            .expect_err("denied");
        assert_eq!(status.code(), tonic::Code::PermissionDenied);
        assert!(status.message().contains(expected), "{}", status.message());
    }
    let denials = c
        .list_audit_events(authed(
            "la-super",
            pb::ListAuditEventsRequest {
                scope: scope(LA),
                actions: vec![pb::AuditAction::AccessDenied as i32],
                ..Default::default()
            },
        ))
        .await
        .expect("audit")
        .into_inner()
        .events;
    // reviewer submit + 3 cross-county + 2 in-county = 6.
    assert_eq!(denials.len(), 6, "{denials:?}");
    assert_eq!(
        denials
            .iter()
            .filter(|e| e.target_ids.iter().any(|t| t == "county:34"))
            .count(),
        3
    );
    assert!(denials.iter().any(|e| e.target_ids.contains(&sac_id)));

    // Concurrency: two DA reviewers concur on la-3 at once; one wins, one is stale.
    let (mut c1, mut c2) = (c.clone(), c.clone());
    let race = |client: &mut Client, token: &'static str, k: &'static str| {
        let mut client = client.clone();
        let id = la3.clone();
        async move {
            client
                .concur(authed(
                    token,
                    pb::ConcurRequest {
                        scope: scope(LA),
                        idempotency_key: key(k),
                        review_item_id: id,
                        ..Default::default()
                    },
                ))
                .await
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(race(&mut c1, "la-da-rev", "race-a")),
        tokio::spawn(race(&mut c2, "la-da-rev2", "race-b"))
    );
    let results = [a.expect("task"), b.expect("task")];
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    let loser = results
        .iter()
        .find_map(|r| r.as_ref().err())
        .expect("loser");
    assert_eq!(loser.code(), tonic::Code::Aborted);
    assert!(loser.message().contains("STALE_VERSION"));
    let la3_item = c
        .get_review_item(authed(
            "la-super",
            pb::GetReviewItemRequest {
                scope: scope(LA),
                review_item_id: la3.clone(),
            },
        ))
        .await
        .expect("get")
        .into_inner()
        .item
        .expect("item");
    assert_eq!(la3_item.decisions.len(), 1, "exactly one decision");
    assert_eq!(la3_item.status, pb::ReviewStatus::Concurred as i32);

    // Challenge la-4 (DA item): note required, then accepted; la-1 by Pasadena: concur.
    let la4 = by_determination(&all, "la-4").review_item_id.clone();
    let no_note = c
        .challenge(authed(
            "la-da-rev",
            pb::ChallengeRequest {
                scope: scope(LA),
                idempotency_key: key("ch-0"),
                review_item_id: la4.clone(),
                ground: pb::ChallengeGround::PublicSafetyRisk as i32,
                ..Default::default()
            },
        ))
        .await
        .expect_err("note required");
    assert_eq!(no_note.code(), tonic::Code::InvalidArgument);
    c.challenge(authed(
        "la-da-rev",
        pb::ChallengeRequest {
            scope: scope(LA),
            idempotency_key: key("ch-1"),
            review_item_id: la4.clone(),
            ground: pb::ChallengeGround::PublicSafetyRisk as i32,
            note: "prior super-strike".into(),
            ..Default::default()
        },
    ))
    .await
    .expect("challenge");
    let hand = c
        .concur(authed(
            "la-da-rev",
            pb::ConcurRequest {
                scope: scope(LA),
                idempotency_key: key("hand"),
                review_item_id: by_determination(&all, "la-5").review_item_id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect_err("concur hand review");
    assert_eq!(hand.code(), tonic::Code::FailedPrecondition);

    // Deadline: not before it passes; then la-1 and la-2 are deemed concurred.
    let early = c
        .apply_deadline(authed(
            "la-super",
            pb::ApplyDeadlineRequest {
                scope: scope(LA),
                idempotency_key: key("apply-0"),
                as_of: Some(common::CivilDate {
                    year: 2020,
                    month: 7,
                    day: 1,
                }),
                dry_run: false,
            },
        ))
        .await
        .expect_err("too early");
    assert_eq!(early.code(), tonic::Code::FailedPrecondition);
    let applied = c
        .apply_deadline(authed(
            "la-super",
            pb::ApplyDeadlineRequest {
                scope: scope(LA),
                idempotency_key: key("apply-1"),
                as_of: Some(common::CivilDate {
                    year: 2020,
                    month: 7,
                    day: 2,
                }),
                dry_run: false,
            },
        ))
        .await
        .expect("apply")
        .into_inner();
    assert_eq!(
        (applied.deemed_concurred, applied.hand_review_pending),
        (2, 1)
    );
    let again = c
        .apply_deadline(authed(
            "la-super",
            pb::ApplyDeadlineRequest {
                scope: scope(LA),
                idempotency_key: key("apply-2"),
                as_of: Some(common::CivilDate {
                    year: 2020,
                    month: 7,
                    day: 3,
                }),
                dry_run: false,
            },
        ))
        .await
        .expect("apply again")
        .into_inner();
    assert_eq!(again.deemed_concurred, 0, "idempotent");
    let late = c
        .challenge(authed(
            "la-super",
            pb::ChallengeRequest {
                scope: scope(LA),
                idempotency_key: key("late"),
                review_item_id: by_determination(&all, "la-2").review_item_id.clone(),
                expected_current_decision_id: String::new(),
                ground: 1,
                note: "late".into(),
            },
        ))
        .await
        .expect_err("after deadline");
    assert_eq!(late.code(), tonic::Code::FailedPrecondition);
    let now = items(&mut c, "la-super", LA).await;
    let status = |id: &str| by_determination(&now, id).status;
    assert_eq!(status("la-1"), pb::ReviewStatus::DeemedConcurred as i32);
    assert_eq!(status("la-2"), pb::ReviewStatus::DeemedConcurred as i32);
    assert_eq!(status("la-4"), pb::ReviewStatus::Challenged as i32);
    assert_eq!(status("la-5"), pb::ReviewStatus::Pending as i32);

    // Resolve the hand-review item to dismissal after the deadline: it is sent too.
    c.resolve(authed(
        "la-da-rev",
        pb::ResolveRequest {
            scope: scope(LA),
            idempotency_key: key("resolve"),
            review_item_id: by_determination(&all, "la-5").review_item_id.clone(),
            resolution: pb::Resolution::Dismiss as i32,
            note: "reviewed".into(),
            ..Default::default()
        },
    ))
    .await
    .expect("resolve");

    // Notices.
    let defender = c
        .list_challenged_for_defender(authed(
            "la-super",
            pb::ListChallengedForDefenderRequest {
                scope: scope(LA),
                ..Default::default()
            },
        ))
        .await
        .expect("defender")
        .into_inner()
        .entries;
    assert_eq!(defender.len(), 1);
    assert_eq!(defender[0].review_item_id, la4);
    let court = c
        .list_unchallenged_for_court(authed(
            "la-super",
            pb::ListUnchallengedForCourtRequest {
                scope: scope(LA),
                ..Default::default()
            },
        ))
        .await
        .expect("court")
        .into_inner()
        .entries;
    assert_eq!(court.len(), 4);

    // Filing received the four ready items and never the challenged one.
    let mut fc = filing_server.client.clone();
    let filings = fc
        .list_filings(filing::ListFilingsRequest {
            scope: scope(LA),
            page: Some(common::PageRequest {
                page_size: 100,
                page_token: String::new(),
            }),
            ..Default::default()
        })
        .await
        .expect("filings")
        .into_inner()
        .filings;
    let sent: Vec<String> = filings
        .iter()
        .map(|f| f.relief.as_ref().expect("relief").review_item_id.clone())
        .collect();
    assert_eq!(sent.len(), 4, "{sent:?}");
    assert!(!sent.contains(&la4), "a challenged item reached filing");

    // The chain holds; tampering with one row is named.
    let verify = |client: &mut Client| {
        let mut client = client.clone();
        async move {
            client
                .verify_audit_chain(authed(
                    "la-super",
                    pb::VerifyAuditChainRequest {
                        scope: scope(LA),
                        ..Default::default()
                    },
                ))
                .await
                .expect("verify")
                .into_inner()
        }
    };
    let intact = verify(&mut c).await;
    assert!(intact.intact, "{:?}", intact.first_broken);
    assert!(intact.events_checked > 10);
    let db = sea_orm::Database::connect(vdb.url()).await.expect("db");
    db.execute_unprepared(
        "UPDATE audit_events SET principal_id = 'mallory' WHERE county_key = '19' AND sequence = 5",
    )
    .await
    .expect("tamper");
    db.close().await.expect("close");
    let broken = verify(&mut c).await;
    assert!(!broken.intact);
    let link = broken.first_broken.expect("broken link");
    assert_eq!(link.sequence, 5);
    assert_eq!(link.problem, pb::ChainProblem::HashMismatch as i32);
    assert_eq!(broken.events_checked, 4);

    server.stop().await;
    filing_server.stop().await;
    vdb.cleanup().await;
    fdb.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_review_workflow_acceptance() {
    acceptance(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_review_workflow_acceptance() {
    acceptance(true).await;
}
