//! `cmr review` against the real verification server (127.0.0.1:0, SQLite in a tempdir, in
//! this process): determinations are submitted over gRPC as eligibility would, then the
//! `cmr` binary lists, shows and decides them.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};

use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as eligibility;
use cmr_proto::verification::v1 as pb;
use cmr_proto::verification::v1::verification_service_client::VerificationServiceClient;
use cmr_verification::{RunError, VerificationConfig};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Channel;

const CMR: &str = env!("CARGO_BIN_EXE_cmr");

/// The verification server on 127.0.0.1:0 over a SQLite file under `dir`.
struct Server {
    endpoint: String,
    client: VerificationServiceClient<Channel>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), RunError>>,
}

impl Server {
    async fn start(dir: &Path) -> Self {
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.join("verification.db").display()
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(cmr_verification::run(
            VerificationConfig::new(url),
            listener,
            async move {
                let _ = stopped.await;
            },
        ));
        let endpoint = format!("http://{addr}");
        let client = VerificationServiceClient::connect(endpoint.clone())
            .await
            .expect("connect");
        Self {
            endpoint,
            client,
            stop,
            task,
        }
    }

    async fn stop(self) {
        drop(self.client);
        let _ = self.stop.send(());
        self.task.await.expect("join").expect("run");
    }

    /// `cmr review <args> --endpoint <this server> --county SACRAMENTO`, on a blocking thread.
    async fn review(&self, args: &[&str]) -> Output {
        let mut all: Vec<String> = vec!["review".into()];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        all.extend([
            "--endpoint".into(),
            self.endpoint.clone(),
            "--county".into(),
            "SACRAMENTO".into(),
        ]);
        run_cmr(all).await
    }
}

async fn run_cmr(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(CMR)
            .args(&args)
            .env_remove("CMR_TOKEN")
            .env_remove("CMR_COUNTY")
            .env_remove("CMR_VERIFICATION_ENDPOINT")
            .output()
            .expect("run cmr")
    })
    .await
    .expect("join")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit code 0, else a panic with what the command printed.
fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "cmr review failed ({:?}):\n{}\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

/// Exit code 1 and nothing on stdout; returns stderr.
fn failed(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected exit code 1:\n{}\n{}",
        stdout(output),
        stderr(output)
    );
    assert!(output.stdout.is_empty(), "{}", stdout(output));
    stderr(output)
}

const OUTCOMES: [common::DeterminationOutcome; 4] = [
    common::DeterminationOutcome::DismissAndSeal,
    common::DeterminationOutcome::Reduce,
    common::DeterminationOutcome::HandReview,
    common::DeterminationOutcome::NotEligible,
];

fn sacramento() -> Option<common::Scope> {
    Some(common::Scope {
        county_code: "34".into(),
        county_name: "SACRAMENTO".into(),
        agency_id: String::new(),
    })
}

/// `n` determinations of run-1 / batch-1 (outcomes cycle through [`OUTCOMES`]), each with a
/// person named `DOE, JANE <i>`.
fn determinations(n: usize) -> Vec<eligibility::Determination> {
    (0..n)
        .map(|i| eligibility::Determination {
            determination_id: format!("run-1-d{i:04}"),
            run_id: "run-1".into(),
            batch_id: "batch-1".into(),
            subject_id: format!("subject-{i}"),
            scope: sacramento(),
            conviction: Some(eligibility::ConvictionFacts {
                data_row_index: i64::try_from(i).expect("index"),
                code_section: "11359 HS".into(),
                prop64_section: "11359".into(),
                severity: common::Severity::Felony as i32,
                case_number: format!("CASE-{i}"),
                court_ori_code: "CA034015J".into(),
                conviction_date: Some(common::CivilDate {
                    year: 1990 + i32::try_from(i).expect("year"),
                    month: 3,
                    day: 4,
                }),
                ..Default::default()
            }),
            outcome: OUTCOMES[i % OUTCOMES.len()] as i32,
            reason: Some(common::Reason {
                code: "P64_ELIGIBLE".into(),
                text: "Reduce all HS 11359 convictions".into(),
                rule_id: "statute@1/f1".into(),
                citation: "H&S 11361.8(e)".into(),
                facts: Vec::new(),
            }),
            person: Some(common::PersonIdentity {
                name: format!("DOE, JANE {i}"),
                cii_number: format!("A0000000{i}"),
                date_of_birth: Some(common::CivilDate {
                    year: 1970,
                    month: 1,
                    day: 2,
                }),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect()
}

/// A server with `n` submitted determinations.
async fn server_with(dir: &Path, n: usize) -> Server {
    let server = Server::start(dir).await;
    let submitted = server
        .client
        .clone()
        .submit_determinations(pb::SubmitDeterminationsRequest {
            scope: sacramento(),
            idempotency_key: Some(common::IdempotencyKey {
                key: "submit-1".into(),
            }),
            determinations: determinations(n),
        })
        .await;
    let accepted = match submitted {
        Ok(response) => response.into_inner().accepted,
        Err(status) => {
            // Say why the server went away, if it did.
            let Server { stop, task, .. } = server;
            let _ = stop.send(());
            panic!("submit: {status:?}; the server: {:?}", task.await);
        }
    };
    assert_eq!(accepted, i64::try_from(n).expect("n"));
    server
}

/// Every item id, in list order, as `cmr review list --json` prints them.
async fn item_ids(server: &Server, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["list", "--json", "--limit", "0"];
    args.extend_from_slice(extra);
    ok(&server.review(&args).await)
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("json line");
            value["review_item_id"].as_str().expect("id").to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_and_show() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server_with(dir.path(), 8).await;

    // The table: a header, one row per item (oldest conviction first), the count.
    let table = ok(&server.review(&["list"]).await);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("ITEM"), "{table}");
    for column in [
        "STATUS",
        "OUTCOME",
        "SECTION",
        "CONVICTED",
        "AGENCY",
        "NAME",
    ] {
        assert!(lines[0].contains(column), "{table}");
    }
    assert_eq!(lines.len(), 1 + 8 + 1, "{table}");
    assert!(lines[1].contains("1990-03-04"), "{table}");
    assert!(lines[1].contains("dismiss-and-seal"), "{table}");
    assert!(lines[1].contains("pending"), "{table}");
    assert!(lines[1].contains("DOE, JANE 0"), "{table}");
    assert!(lines[8].contains("1997-03-04"), "{table}");
    assert!(lines[9].starts_with("8 "), "{table}");

    // JSON lines, every page.
    let ids = item_ids(&server, &[]).await;
    assert_eq!(ids.len(), 8);
    let paged = item_ids(&server, &["--page-size", "3"]).await;
    assert_eq!(paged, ids, "paging gives the same items in the same order");

    // Filters become the request's filter.
    let hand = ok(&server
        .review(&["list", "--json", "--outcome", "hand-review"])
        .await);
    let hand: Vec<serde_json::Value> = hand
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(hand.len(), 2);
    for item in &hand {
        assert_eq!(item["outcome"], "hand-review");
        assert_eq!(item["status"], "pending");
        assert_eq!(item["agency_id"], "da-34");
    }
    assert_eq!(
        item_ids(
            &server,
            &["--outcome", "dismiss,reduce", "--status", "pending"]
        )
        .await
        .len(),
        4
    );
    assert!(item_ids(&server, &["--batch", "batch-2"]).await.is_empty());
    assert_eq!(
        item_ids(&server, &["--run", "run-1", "--section", "11359"])
            .await
            .len(),
        8
    );

    // --limit stops early and says there is more.
    let limited = ok(&server
        .review(&["list", "--limit", "3", "--page-size", "2"])
        .await);
    let rows: Vec<&str> = limited.lines().collect();
    assert_eq!(rows.len(), 1 + 3 + 1, "{limited}");
    assert!(rows[4].contains("--limit"), "{limited}");

    // One item, with its person, determination, routing and (no) decisions.
    let page = ok(&server.review(&["show", &ids[2]]).await);
    for expected in [
        ids[2].as_str(),
        "pending",
        "run-1-d0002",
        "hand-review",
        "P64_ELIGIBLE: Reduce all HS 11359 convictions",
        "H&S 11361.8(e)",
        "DOE, JANE 2",
        "1970-01-02",
        "A00000002",
        "CASE-2",
        "11359 HS",
        "felony",
        "1992-03-04",
        "CA034015J",
        "Decisions (0):",
        "none yet",
        "Routing (1):",
        "da-34",
    ] {
        assert!(page.contains(expected), "{expected:?} missing:\n{page}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&ok(&server.review(&["show", &ids[2], "--json"]).await))
            .expect("json");
    assert_eq!(json["review_item_id"], ids[2].as_str());
    assert_eq!(json["person"]["name"], "DOE, JANE 2");
    assert_eq!(json["decisions"], serde_json::json!([]));
    assert_eq!(json["assignments"][0]["agency_id"], "da-34");

    // A county by code works as well as by name; another county sees nothing.
    let by_code = ok(&run_cmr(
        [
            "review",
            "list",
            "--json",
            "--endpoint",
            &server.endpoint,
            "--county",
            "34",
        ]
        .map(String::from)
        .to_vec(),
    )
    .await);
    assert_eq!(by_code.lines().count(), 8);
    let alameda = ok(&run_cmr(
        [
            "review",
            "list",
            "--endpoint",
            &server.endpoint,
            "--county",
            "alameda",
        ]
        .map(String::from)
        .to_vec(),
    )
    .await);
    assert_eq!(alameda.lines().count(), 2, "{alameda}");
    assert!(
        alameda.lines().nth(1).expect("count").starts_with("0 "),
        "{alameda}"
    );

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_one_plain_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server_with(dir.path(), 2).await;

    // A gRPC error: its code and message, exit code 1.
    let err = failed(&server.review(&["show", "01NOSUCHITEM0000000000000"]).await);
    assert!(err.starts_with("cmr review: NOT_FOUND: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    // Client-side checks come first, before any call: a challenge needs a ground and a
    // note, a reduction its level, a bulk action a filter.
    let ids = item_ids(&server, &[]).await;
    let err = failed(
        &server
            .review(&["challenge", &ids[0], "--ground", "public-safety"])
            .await,
    );
    assert!(err.contains("a challenge needs --note TEXT"), "{err}");
    let err = failed(
        &server
            .review(&[
                "challenge",
                &ids[0],
                "--ground",
                "not-eligible",
                "--note",
                "  ",
            ])
            .await,
    );
    assert!(err.contains("--note"), "{err}");
    let err = failed(&server.review(&["challenge", &ids[0], "--note", "x"]).await);
    assert!(err.contains("--ground not-eligible|public-safety"), "{err}");
    let err = failed(
        &server
            .review(&["resolve", &ids[0], "--to", "reduce", "--note", "x"])
            .await,
    );
    assert!(err.contains("--reduce-to"), "{err}");
    let err = failed(
        &server
            .review(&["resolve", &ids[0], "--to", "dismiss"])
            .await,
    );
    assert!(err.contains("a resolve needs --note"), "{err}");
    let err = failed(&server.review(&["bulk", "concur", "--expect", "3"]).await);
    assert!(err.contains("at least one filter"), "{err}");
    let err = failed(
        &server
            .review(&["deadline", "set", "2021-02-30", "--reason", "x"])
            .await,
    );
    assert!(err.contains("not a date"), "{err}");
    let err = failed(&server.review(&["deadline", "set", "2021-03-01"]).await);
    assert!(err.contains("--reason"), "{err}");

    // No county: said so.
    let err = failed(
        &run_cmr(
            ["review", "list", "--endpoint", &server.endpoint]
                .map(String::from)
                .to_vec(),
        )
        .await,
    );
    assert!(err.contains("--county"), "{err}");

    // An unreachable endpoint is named.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", listener.local_addr().expect("addr"))
    };
    let err = failed(
        &run_cmr(
            [
                "review",
                "list",
                "--county",
                "SACRAMENTO",
                "--endpoint",
                &closed,
            ]
            .map(String::from)
            .to_vec(),
        )
        .await,
    );
    assert!(
        err.starts_with(&format!(
            "cmr review: cannot reach the verification service at {closed}"
        )),
        "{err}"
    );

    // A token is sent and never echoed, even when it is not valid header text.
    let err = failed(
        &run_cmr(
            [
                "review",
                "list",
                "--county",
                "SACRAMENTO",
                "--endpoint",
                &server.endpoint,
                "--token",
                "s3cr\u{e9}t",
            ]
            .map(String::from)
            .to_vec(),
        )
        .await,
    );
    assert!(err.contains("token"), "{err}");
    assert!(!err.contains("s3cr"), "{err}");

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]

async fn decisions_end_to_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server_with(dir.path(), 8).await;
    // In list order (by conviction date): outcomes dismiss, reduce, hand-review,
    // not-eligible, dismiss, reduce, hand-review, not-eligible.
    let ids = item_ids(&server, &[]).await;

    let out = ok(&server
        .review(&["concur", &ids[0], "--note", "agreed"])
        .await);
    assert!(out.contains("concur"), "{out}");
    assert!(out.contains("concurred"), "{out}");
    let out = ok(&server
        .review(&[
            "challenge",
            &ids[1],
            "--ground",
            "public-safety",
            "--note",
            "prior super-strike",
        ])
        .await);
    assert!(out.contains("challenge (public-safety-risk)"), "{out}");
    let out = ok(&server
        .review(&[
            "resolve",
            &ids[2],
            "--to",
            "reduce",
            "--reduce-to",
            "misdemeanor",
            "--note",
            "reviewed the file",
        ])
        .await);
    assert!(out.contains("resolve: reduce to misdemeanor"), "{out}");
    // Concur on a hand-review item is refused by the service.
    let err = failed(&server.review(&["concur", &ids[6]]).await);
    assert!(
        err.starts_with("cmr review: FAILED_PRECONDITION: "),
        "{err}"
    );

    // Superseding needs the current decision: without it the call is stale.
    let err = failed(
        &server
            .review(&[
                "challenge",
                &ids[0],
                "--ground",
                "not-eligible",
                "--note",
                "second look",
            ])
            .await,
    );
    assert!(err.starts_with("cmr review: ABORTED: "), "{err}");
    assert!(err.contains("--supersedes"), "{err}");
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&server.review(&["show", &ids[0], "--json"]).await))
            .expect("json");
    let current = shown["current_decision"]["decision_id"]
        .as_str()
        .expect("current decision")
        .to_owned();
    ok(&server
        .review(&[
            "challenge",
            &ids[0],
            "--ground",
            "not-eligible",
            "--note",
            "second look",
            "--supersedes",
            &current,
        ])
        .await);
    let page = ok(&server.review(&["show", &ids[0]]).await);
    assert!(page.contains("Decisions (2):"), "{page}");
    assert!(page.contains("[superseded]"), "{page}");
    assert!(page.contains("[current]"), "{page}");
    assert!(page.contains("note: second look"), "{page}");
    ok(&server.review(&["comment", &ids[0], "called the DA"]).await);
    assert!(ok(&server.review(&["show", &ids[0]]).await).contains("called the DA"));

    // Bulk: the count guard, a dry run, then the action.
    let filter = [
        "--outcome",
        "dismiss",
        "--status",
        "pending",
        "--batch",
        "batch-1",
    ];
    let mut wrong = vec!["bulk", "concur", "--expect", "5"];
    wrong.extend_from_slice(&filter);
    let err = failed(&server.review(&wrong).await);
    assert!(
        err.contains("COUNT_MISMATCH") || err.contains("FAILED_PRECONDITION"),
        "{err}"
    );
    let mut dry = vec!["bulk", "concur", "--expect", "1", "--dry-run"];
    dry.extend_from_slice(&filter);
    assert!(ok(&server.review(&dry).await).starts_with("dry run: 1 matched"));
    let mut real = vec!["bulk", "concur", "--expect", "1", "--json"];
    real.extend_from_slice(&filter);
    let bulk: serde_json::Value =
        serde_json::from_str(&ok(&server.review(&real).await)).expect("json");
    assert_eq!(bulk["applied"], 1);

    // The deadline: get, set, apply.
    let out = ok(&server.review(&["deadline", "get"]).await);
    assert!(out.contains("challenge deadline 2020-07-01"), "{out}");
    ok(&server
        .review(&["deadline", "set", "2021-01-15", "--reason", "court order"])
        .await);
    let got: serde_json::Value =
        serde_json::from_str(&ok(&server.review(&["deadline", "get", "--json"]).await))
            .expect("json");
    assert_eq!(got["challenge_deadline"], "2021-01-15");
    assert_eq!(got["is_default"], false);
    let applied: serde_json::Value = serde_json::from_str(&ok(&server
        .review(&["deadline", "apply", "--as-of", "2021-01-16", "--json"])
        .await))
    .expect("json");
    assert!(applied["deemed_concurred"].as_i64().expect("count") > 0);

    // Notices: the challenged item for the defender, never the unchallenged ones.
    let defender = ok(&server.review(&["notices", "defender", "--json"]).await);
    let challenged: Vec<serde_json::Value> = defender
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let challenged_ids: Vec<&str> = challenged
        .iter()
        .map(|e| e["review_item_id"].as_str().expect("id"))
        .collect();
    assert!(challenged_ids.contains(&ids[0].as_str()));
    assert!(challenged_ids.contains(&ids[1].as_str()));
    let court = ok(&server.review(&["notices", "court"]).await);
    assert!(!court.contains(&ids[0]), "{court}");
    assert!(!court.contains(&ids[1]), "{court}");
    assert!(court.contains(&ids[2]), "{court}");

    server.stop().await;
}
