//! `cmr file` against the real suite (the four services on 127.0.0.1:0 in this process,
//! SQLite stores in a tempdir, the real typesetter): relief is submitted to filing as
//! verification would, then the `cmr` binary puts the court, generates the batch, downloads
//! its documents, marks it filed, records the court's orders (one by flags, the rest from a
//! CSV after a refused bad one), exports the DOJ update and writes the impact report.
//! `run_files_the_sample` runs the README's main job with `--file-to`.

use std::path::Path;
use std::process::{Command, Output};

use cmr::serve::{Suite, SuiteListen};
use cmr_proto::common::v1 as common;
use cmr_proto::filing::v1 as pb;
use cmr_proto::filing::v1::filing_service_client::FilingServiceClient;
use sha2::{Digest, Sha256};

const CMR: &str = env!("CARGO_BIN_EXE_cmr");
const ORI: &str = "CA034015J";

async fn run_cmr(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(CMR)
            .args(&args)
            .env_remove("CMR_TOKEN")
            .env_remove("CMR_COUNTY")
            .env_remove("CMR_FILING_ENDPOINT")
            .env_remove("CMR_ELIGIBILITY_ENDPOINT")
            .env("RUST_LOG", "warn")
            .output()
            .expect("run cmr")
    })
    .await
    .expect("join")
}

/// `cmr file <args> --endpoint <filing> --county SACRAMENTO`.
async fn file(suite: &Suite, args: &[&str]) -> Output {
    let mut all: Vec<String> = vec!["file".into()];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    all.extend([
        "--endpoint".into(),
        suite.endpoints.filing.clone(),
        "--county".into(),
        "SACRAMENTO".into(),
    ]);
    run_cmr(all).await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit code 0, else a panic with what the command printed; returns stdout.
fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "cmr failed ({:?}):\n{}\n{}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Exit code 1 and nothing on stdout; returns stderr.
fn failed(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected exit code 1:\n{}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    assert!(output.stdout.is_empty(), "{}", text(&output.stdout));
    text(&output.stderr)
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

fn sacramento() -> Option<common::Scope> {
    Some(common::Scope {
        county_code: String::new(),
        county_name: "SACRAMENTO".into(),
        agency_id: String::new(),
    })
}

/// Four convictions of three people, all to court ORI [`ORI`] and agency da-34.
fn reliefs() -> Vec<pb::VerifiedRelief> {
    let one = |i: usize, subject: &str, name: &str, section: &str, relief: common::ReliefType| {
        pb::VerifiedRelief {
            review_item_id: format!("ri-{i}"),
            decision_id: format!("dec-{i}"),
            determination_id: format!("det-{i}"),
            run_id: "run-1".into(),
            subject_id: subject.into(),
            count_id: format!("cnt-{i}"),
            cnt_order: format!("00{i}"),
            agency_id: "da-34".into(),
            person: Some(common::PersonIdentity {
                name: name.into(),
                cii_number: format!("A00{i}"),
                date_of_birth: Some(common::CivilDate {
                    year: 1970,
                    month: 1,
                    day: 2,
                }),
                ..Default::default()
            }),
            case_number: format!("CR-{i}"),
            court_ori_code: ORI.into(),
            code_section: format!("{section} HS"),
            prop64_section: section.into(),
            conviction_date: Some(common::CivilDate {
                year: 2001,
                month: 5,
                day: 6,
            }),
            severity: common::Severity::Misdemeanor as i32,
            relief_type: relief as i32,
            track: common::Track::Application as i32,
            basis: pb::ReliefBasis::DeemedConcurred as i32,
            race_descr: "WHITE".into(),
            ..Default::default()
        }
    };
    use common::ReliefType::DismissAndSeal;
    vec![
        one(1, "S1", "DOE, JANE", "11357", DismissAndSeal),
        one(2, "S1", "DOE, JANE", "11358", DismissAndSeal),
        one(3, "S2", "ROE, RICHARD", "11357", DismissAndSeal),
        one(4, "S3", "POE, EDGAR", "11360", DismissAndSeal),
    ]
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const SIGNER: [&str; 8] = [
    "--signer-name",
    "A. Prosecutor",
    "--signer-title",
    "Deputy District Attorney",
    "--bar-number",
    "123456",
    "--office",
    "Office of the District Attorney",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_generate_download_file_outcomes_doj_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = Suite::start(&dir.path().join("data"), SuiteListen::any_free_port())
        .await
        .expect("suite");
    let mut filing = FilingServiceClient::connect(suite.endpoints.filing.clone())
        .await
        .expect("connect filing");
    let submitted = filing
        .submit_verified_relief(pb::SubmitVerifiedReliefRequest {
            scope: sacramento(),
            idempotency_key: Some(common::IdempotencyKey {
                key: "submit-1".into(),
            }),
            items: reliefs(),
        })
        .await
        .expect("submit")
        .into_inner();
    assert_eq!(submitted.accepted, 4);

    // The court, from a JSON file; its ORI attaches the four queued filings.
    let courts = dir.path().join("courts.json");
    std::fs::write(
        &courts,
        format!(
            r#"[{{"court_id":"sac-superior","name":"Superior Court of California, County of Sacramento","branch_name":"Gordon D. Schaber Courthouse","ori_codes":["{ORI}"],"address_lines":["720 9th Street","Sacramento, CA 95814"]}}]"#
        ),
    )
    .expect("write courts");
    let put = ok(&file(
        &suite,
        &[
            "courts",
            "put",
            "--from-json",
            courts.to_str().expect("utf-8"),
        ],
    )
    .await);
    assert!(put.contains("sac-superior"), "{put}");
    let listed = json_lines(&ok(&file(&suite, &["courts", "list", "--json"]).await));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["court_id"], "sac-superior");
    assert_eq!(listed[0]["ori_codes"], serde_json::json!([ORI]));
    let queued = json_lines(&ok(&file(
        &suite,
        &["filings", "--status", "queued", "--json"],
    )
    .await));
    assert_eq!(queued.len(), 4);
    assert!(
        queued.iter().all(|f| f["court_id"] == "sac-superior"),
        "{queued:?}"
    );

    // A missing signer flag is refused before anything is sent.
    let err = failed(
        &file(
            &suite,
            &[
                "generate",
                "--court",
                "sac-superior",
                "--agency",
                "da-34",
                "--date",
                "2026-12-01",
            ],
        )
        .await,
    );
    assert_eq!(err, "cmr file: --signer-name is required\n");

    let mut generate = vec![
        "generate",
        "--court",
        "sac-superior",
        "--agency",
        "da-34",
        "--date",
        "2026-12-01",
        "--json",
    ];
    generate.extend(SIGNER);
    let generated = json_lines(&ok(&file(&suite, &generate).await));
    assert_eq!(generated.len(), 1);
    let batch = &generated[0];
    let batch_id = batch["filing_batch_id"]
        .as_str()
        .expect("batch id")
        .to_owned();
    assert_eq!(batch["status"], "draft");
    assert_eq!(batch["filings"], 4);
    assert_eq!(batch["document_date"], "2026-12-01");
    let documents = batch["documents"].as_array().expect("documents").clone();
    let of_kind = |kind: &str| documents.iter().filter(|d| d["kind"] == kind).count();
    assert_eq!(of_kind("bulk-motion"), 1, "{documents:?}");
    assert_eq!(of_kind("proposed-order"), 1, "{documents:?}");
    // CR-400s are per person (per case): every person has one, every conviction is on one.
    let cr400s: Vec<_> = documents.iter().filter(|d| d["kind"] == "cr400").collect();
    for subject in ["S1", "S2", "S3"] {
        assert!(
            cr400s.iter().any(|d| d["subject_id"] == subject),
            "{subject}: {cr400s:?}"
        );
    }
    let on_cr400: u64 = cr400s
        .iter()
        .map(|d| d["filings"].as_u64().expect("filings"))
        .sum();
    assert_eq!(on_cr400, 4, "{cr400s:?}");

    // Every document on disk, as announced.
    let out = dir.path().join("docs");
    let downloaded = ok(&file(
        &suite,
        &[
            "download",
            "--batch",
            &batch_id,
            "--out",
            out.to_str().expect("utf-8"),
        ],
    )
    .await);
    assert_eq!(downloaded.lines().count(), documents.len(), "{downloaded}");
    for d in &documents {
        let name = d["file_name"].as_str().expect("name");
        let bytes = std::fs::read(out.join(name)).expect("downloaded file");
        assert_eq!(
            bytes.len() as u64,
            d["size_bytes"].as_u64().expect("size"),
            "{name}"
        );
        assert_eq!(
            sha256_hex(&bytes),
            d["sha256"].as_str().expect("sha"),
            "{name}"
        );
        if d["media_type"] == "application/pdf" {
            assert!(bytes.starts_with(b"%PDF-"), "{name}");
        }
        for person in ["DOE", "ROE", "POE"] {
            assert!(
                !name.contains(person),
                "personal data in a file name: {name}"
            );
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty());
    // One document alone.
    let one = dir.path().join("one");
    let first = documents[0]["document_id"].as_str().expect("id");
    ok(&file(
        &suite,
        &[
            "download",
            "--document",
            first,
            "--out",
            one.to_str().expect("utf-8"),
        ],
    )
    .await);
    assert_eq!(std::fs::read_dir(&one).expect("one dir").count(), 1);

    let filed = json_lines(&ok(&file(
        &suite,
        &[
            "mark-filed",
            "--batch",
            &batch_id,
            "--filed-on",
            "2026-12-02",
            "--reference",
            "ENV-77",
            "--json",
        ],
    )
    .await));
    assert_eq!(filed[0]["status"], "filed");
    assert_eq!(filed[0]["filed_on"], "2026-12-02");
    assert_eq!(filed[0]["court_filing_reference"], "ENV-77");

    // The filings of the batch, by subject, to record outcomes against.
    let in_batch = json_lines(&ok(&file(
        &suite,
        &["filings", "--batch", &batch_id, "--json"],
    )
    .await));
    assert_eq!(in_batch.len(), 4);
    assert!(
        in_batch.iter().all(|f| f["status"] == "filed"),
        "{in_batch:?}"
    );
    let filing_of = |review_item: &str| {
        in_batch
            .iter()
            .find(|f| f["review_item_id"] == review_item)
            .and_then(|f| f["filing_id"].as_str())
            .expect("filing")
            .to_owned()
    };
    let (f1, f2, f3, f4) = (
        filing_of("ri-1"),
        filing_of("ri-2"),
        filing_of("ri-3"),
        filing_of("ri-4"),
    );

    let one_outcome = ok(&file(
        &suite,
        &[
            "record-outcome",
            "--filing",
            &f1,
            "--decision",
            "granted",
            "--decided-on",
            "2026-12-10",
            "--order-number",
            "ORD-1",
        ],
    )
    .await);
    assert!(
        one_outcome.starts_with(&format!("{f1}: granted on 2026-12-10, order ORD-1")),
        "{one_outcome}"
    );

    // A CSV with a bad line: refused whole, naming file, line and field.
    let csv = dir.path().join("outcomes.csv");
    std::fs::write(
        &csv,
        format!(
            "filing_id,decision,decided_on,order_number\n{f2},granted,2026-12-11,ORD-2\n{f3},denied,2026-12-32,\n{f4},granted,2026-12-11,ORD-4\n"
        ),
    )
    .expect("write csv");
    let csv_arg = csv.to_str().expect("utf-8");
    let err = failed(&file(&suite, &["record-outcome", "--from-csv", csv_arg]).await);
    assert_eq!(
        err,
        format!(
            "cmr file: {csv_arg} line 3, field decided_on: \"2026-12-32\" is not a date (YYYY-MM-DD)\n"
        )
    );
    let granted = json_lines(&ok(&file(
        &suite,
        &["filings", "--status", "granted", "--json"],
    )
    .await));
    assert_eq!(granted.len(), 1, "nothing of the bad file was recorded");
    std::fs::write(
        &csv,
        format!(
            "filing_id,decision,decided_on,order_number\n{f2},granted,2026-12-11,ORD-2\n{f3},denied,2026-12-11,\n{f4},granted,2026-12-11,ORD-4\n"
        ),
    )
    .expect("write csv");
    let recorded = ok(&file(&suite, &["record-outcome", "--from-csv", csv_arg]).await);
    assert_eq!(recorded.lines().count(), 3, "{recorded}");
    assert!(
        recorded.contains(&format!("{f3}: denied on 2026-12-11")),
        "{recorded}"
    );
    // The same file again replays (same keys): nothing is recorded twice.
    ok(&file(&suite, &["record-outcome", "--from-csv", csv_arg]).await);
    let granted = json_lines(&ok(&file(
        &suite,
        &["filings", "--status", "granted", "--json"],
    )
    .await));
    assert_eq!(granted.len(), 3);
    let denied = json_lines(&ok(&file(
        &suite,
        &["filings", "--status", "denied", "--json"],
    )
    .await));
    assert_eq!(denied.len(), 1);

    // The DOJ update: the three granted convictions, then nothing new.
    let doj = dir.path().join("doj").join("update.csv");
    let doj_arg = doj.to_str().expect("utf-8");
    let exported = ok(&file(&suite, &["doj-update", "--out", doj_arg, "--mark-exported"]).await);
    assert!(exported.contains(": 3 rows,"), "{exported}");
    let body = std::fs::read_to_string(&doj).expect("doj file");
    let mut lines = body.lines();
    assert_eq!(
        lines.next(),
        Some(
            "SUBJECT_ID,CII_NUMBER,CNT_ORDER,COURT_ORI,CASE_NUMBER,ORDER_DATE,ORDER_NUMBER,RELIEF_TYPE,NEW_OFFENSE_LEVEL,CODE_SECTION"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(
        rows,
        vec![
            "S1,A001,001,CA034015J,CR-1,20261210,ORD-1,DISMISS_AND_SEAL,,11357 HS",
            "S1,A002,002,CA034015J,CR-2,20261211,ORD-2,DISMISS_AND_SEAL,,11358 HS",
            "S3,A004,004,CA034015J,CR-4,20261211,ORD-4,DISMISS_AND_SEAL,,11360 HS",
        ]
    );
    let again = ok(&file(
        &suite,
        &["doj-update", "--out", doj_arg, "--not-exported-only"],
    )
    .await);
    assert!(again.contains(": 0 rows,"), "{again}");

    // The impact report for the county: no run, so gogen's counts are not available.
    let report_dir = dir.path().join("report");
    let report = ok(&file(
        &suite,
        &[
            "report",
            "--group-by",
            "relief-type,code-section",
            "--out",
            report_dir.to_str().expect("utf-8"),
        ],
    )
    .await);
    assert!(
        report.contains("no longer have a felony: not available"),
        "{report}"
    );
    assert!(
        report.contains("<11 people"),
        "3 people are below the floor: {report}"
    );
    let pdf = std::fs::read(report_dir.join("impact.pdf")).expect("impact.pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let impact = std::fs::read_to_string(report_dir.join("impact.csv")).expect("impact.csv");
    for person in ["DOE", "ROE", "POE"] {
        assert!(!impact.contains(person));
    }

    drop(filing);
    suite.stop().await.expect("stop");
}

/// Flags and files are checked before anything is sent: the errors name the flag, or the
/// file, line and field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_names_the_flag_or_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Nothing listens here: a request that were sent would fail as unreachable instead.
    let nowhere = "http://127.0.0.1:9";
    let run = |args: Vec<&str>| {
        let mut all: Vec<String> = vec!["file".into()];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        all.extend(["--endpoint".into(), nowhere.into()]);
        run_cmr(all)
    };
    let err = failed(&run(vec!["courts", "list"]).await);
    assert_eq!(err, "cmr file: --county NAME (or CMR_COUNTY) is required\n");
    let err = failed(
        &run(vec![
            "mark-filed",
            "--county",
            "SACRAMENTO",
            "--batch",
            "B1",
            "--filed-on",
            "2026-02-30",
        ])
        .await,
    );
    assert_eq!(
        err,
        "cmr file: --filed-on: \"2026-02-30\" is not a date (YYYY-MM-DD)\n"
    );
    let csv = dir.path().join("o.csv");
    std::fs::write(
        &csv,
        "filing_id,decision,decided_on,order_number\nF1,granted,2026-12-01,\n",
    )
    .expect("write");
    let err = failed(
        &run(vec![
            "record-outcome",
            "--county",
            "SACRAMENTO",
            "--from-csv",
            csv.to_str().expect("utf-8"),
        ])
        .await,
    );
    assert_eq!(
        err,
        format!(
            "cmr file: {} line 2, field order_number: required when the decision is granted\n",
            csv.display()
        )
    );
    let err = failed(
        &run(vec![
            "report",
            "--county",
            "SACRAMENTO",
            "--min-cell-size",
            "0",
            "--out",
            "x",
        ])
        .await,
    );
    assert_eq!(
        err,
        "cmr file: --min-cell-size: 0 is not a positive number\n"
    );
    let err = failed(&run(vec!["courts", "list", "--county", "SACRAMENTO"]).await);
    assert!(
        err.starts_with("cmr file: cannot reach the filing service at http://127.0.0.1:9"),
        "{err}"
    );
    assert!(!Path::new("x").exists());
}

/// `cmr run --file-to`'s second half (`cmr::file::auto::file_to`) on determinations that
/// carry their court ORI and person: the county's superior court is created for the ORI,
/// the deadline applied deems every item concurred, verification hands the relief to
/// filing, one batch is generated per court and agency, and its documents land on disk.
/// Running it again replays: no second batch, the same files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_to_puts_the_documents_on_disk() {
    use cmr_proto::eligibility::v1 as eligibility;
    use cmr_proto::verification::v1 as verif;
    use cmr_proto::verification::v1::verification_service_client::VerificationServiceClient;

    let dir = tempfile::tempdir().expect("tempdir");
    let suite = Suite::start(&dir.path().join("data"), SuiteListen::any_free_port())
        .await
        .expect("suite");
    let determinations: Vec<eligibility::Determination> = (0..3)
        .map(|i| eligibility::Determination {
            determination_id: format!("run-1-d{i}"),
            run_id: "run-1".into(),
            batch_id: "batch-1".into(),
            subject_id: format!("subject-{i}"),
            scope: sacramento(),
            conviction: Some(eligibility::ConvictionFacts {
                data_row_index: i,
                code_section: "11357 HS".into(),
                prop64_section: "11357".into(),
                severity: common::Severity::Misdemeanor as i32,
                case_number: format!("CASE-{i}"),
                court_ori_code: ORI.into(),
                conviction_date: Some(common::CivilDate {
                    year: 2001,
                    month: 3,
                    day: 4,
                }),
                ..Default::default()
            }),
            outcome: common::DeterminationOutcome::DismissAndSeal as i32,
            track: common::Track::Application as i32,
            reason: Some(common::Reason {
                code: "P64_ELIGIBLE".into(),
                text: "Dismiss all HS 11357 convictions".into(),
                rule_id: "statute@1/f1".into(),
                citation: "H&S 11361.8(e)".into(),
                facts: Vec::new(),
            }),
            person: Some(common::PersonIdentity {
                name: format!("DOE, JANE {i}"),
                cii_number: format!("A0000000{i}"),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    let mut verification = VerificationServiceClient::connect(suite.endpoints.verification.clone())
        .await
        .expect("connect verification");
    let accepted = verification
        .submit_determinations(verif::SubmitDeterminationsRequest {
            scope: sacramento(),
            idempotency_key: Some(common::IdempotencyKey {
                key: "submit-1".into(),
            }),
            determinations,
        })
        .await
        .expect("submit")
        .into_inner()
        .accepted;
    assert_eq!(accepted, 3);

    let to = cmr::file::auto::FileTo {
        dir: dir.path().join("filings"),
        document_date: common::CivilDate {
            year: 2026,
            month: 11,
            day: 30,
        },
        deem_concurred_as_of: Some(common::CivilDate {
            year: 2026,
            month: 11,
            day: 30,
        }),
        signer: pb::Signer {
            name: "A. Prosecutor".into(),
            title: "Deputy District Attorney".into(),
            bar_number: "123456".into(),
            office_name: "Office of the District Attorney".into(),
            ..Default::default()
        },
    };
    let scope = sacramento().expect("scope");
    let oris = std::iter::once(ORI.to_owned()).collect();
    let filed = cmr::file::auto::file_to(
        &scope,
        &suite.endpoints.verification,
        &suite.endpoints.filing,
        None,
        &oris,
        &to,
        "test",
    )
    .await
    .map_err(|f| f.text())
    .expect("file_to");
    assert_eq!(filed.deemed_concurred, 3);
    assert_eq!(filed.queued, 3);
    assert_eq!(filed.without_court, 0);
    assert_eq!(filed.without_court_ori, 0);
    assert_eq!(filed.batches_generated, 1);
    assert_eq!(filed.batches_downloaded, 1);
    let on_disk: Vec<String> = std::fs::read_dir(&to.dir)
        .expect("filings dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(on_disk.len(), filed.documents);
    assert!(
        on_disk.iter().any(|n| n.starts_with("bulk-motion")),
        "{on_disk:?}"
    );
    assert!(on_disk.iter().all(|n| n.ends_with(".pdf")), "{on_disk:?}");

    let courts = json_lines(&ok(&file(&suite, &["courts", "list", "--json"]).await));
    assert_eq!(courts.len(), 1);
    assert_eq!(courts[0]["court_id"], "superior-sacramento");
    assert_eq!(
        courts[0]["name"],
        "Superior Court of California, County of Sacramento"
    );

    // Again: nothing new is generated; the same draft batch is written again.
    let again = cmr::file::auto::file_to(
        &scope,
        &suite.endpoints.verification,
        &suite.endpoints.filing,
        None,
        &oris,
        &to,
        "test",
    )
    .await
    .map_err(|f| f.text())
    .expect("file_to again");
    assert_eq!(again.batches_generated, 0);
    assert_eq!(again.batches_downloaded, 1);
    assert_eq!(again.documents, filed.documents);

    drop(verification);
    suite.stop().await.expect("stop");
}

/// `cmr file report --run`: gogen's three subject counts come from eligibility's run (the
/// same numbers as the run's gogen.json), not "not available".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_for_a_run_has_gogens_subject_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = Suite::start(&dir.path().join("data"), SuiteListen::any_free_port())
        .await
        .expect("suite");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let outputs = dir.path().join("out");
    let e = &suite.endpoints;
    let ran = run_cmr(vec![
        "run".into(),
        "--input-doj".into(),
        root.join("samples/doj_sample.csv").display().to_string(),
        "--county".into(),
        "SACRAMENTO".into(),
        "--eligibility-options".into(),
        root.join("samples/eligibility_options.json")
            .display()
            .to_string(),
        "--compute-at".into(),
        "2020-07-01".into(),
        "--outputs".into(),
        outputs.display().to_string(),
        "--connect".into(),
        "--ingest-endpoint".into(),
        e.ingest.clone(),
        "--eligibility-endpoint".into(),
        e.eligibility.clone(),
        "--verification-endpoint".into(),
        e.verification.clone(),
    ])
    .await;
    ok(&ran);
    let stderr = text(&ran.stderr);
    let run_id = stderr
        .lines()
        .find_map(|l| l.strip_prefix("cmr run: run "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("run id line")
        .to_owned();
    let gogen: serde_json::Value =
        serde_json::from_slice(&std::fs::read(outputs.join("gogen.json")).expect("gogen.json"))
            .expect("json");
    let relief = &gogen["reliefWithCurrentEligibilityChoices"];

    let report_dir = dir.path().join("report");
    let mut args: Vec<String> = ["file", "report", "--run", &run_id, "--out"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    args.extend([
        report_dir.display().to_string(),
        "--eligibility-endpoint".into(),
        e.eligibility.clone(),
        "--endpoint".into(),
        e.filing.clone(),
        "--county".into(),
        "SACRAMENTO".into(),
    ]);
    let report = ok(&run_cmr(args).await);
    for (label, key) in [
        ("no longer have a felony", "CountSubjectsNoFelony"),
        ("no convictions", "CountSubjectsNoConviction"),
        (
            "no convictions in the last 7 years",
            "CountSubjectsNoConvictionLast7Years",
        ),
    ] {
        let expected = format!("  {label}: {}\n", relief[key].as_u64().expect(key));
        assert!(report.contains(&expected), "{expected:?} in {report}");
    }
    assert!(!report.contains("not available"), "{report}");
    assert!(report_dir.join("impact.csv").exists());
    assert!(report_dir.join("impact.pdf").exists());
    suite.stop().await.expect("stop");
}

/// The README's main job with `--file-to`, from an empty `--data-dir` (the four services
/// in-process): the sample's relief carries its court ORI and person from the DOJ rows, so
/// the run ends with the batch's documents on disk, and a CR-400 names a person of the file
/// (`samples/doj_sample.csv`: MYERS,GARY D, CII 0734310071, PRI_DOB 19540724).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_files_the_sample() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let outputs = dir.path().join("out");
    let filings = outputs.join("filings");
    let path = |p: &Path| p.display().to_string();
    let mut args: Vec<String> = vec![
        "run".into(),
        "--input-doj".into(),
        path(&root.join("samples/doj_sample.csv")),
        "--county".into(),
        "SACRAMENTO".into(),
        "--eligibility-options".into(),
        path(&root.join("samples/eligibility_options.json")),
        "--compute-at".into(),
        "2020-07-01".into(),
        "--outputs".into(),
        path(&outputs),
        "--data-dir".into(),
        path(&dir.path().join("cmr-data")),
        "--file-to".into(),
        path(&filings),
    ];
    args.extend(
        [
            "--document-date",
            "2026-11-30",
            "--deem-concurred-as-of",
            "2026-11-30",
            "--signer-name",
            "A. Prosecutor",
            "--signer-title",
            "Deputy District Attorney",
            "--bar-number",
            "123456",
            "--office",
            "Office of the District Attorney",
        ]
        .map(str::to_owned),
    );
    let ran = run_cmr(args).await;
    ok(&ran);
    let stderr = text(&ran.stderr);
    assert!(!stderr.contains("no court ORI"), "{stderr}");
    let mut on_disk: Vec<String> = std::fs::read_dir(&filings)
        .expect("filings dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    for kind in [
        "bulk-motion",
        "proposed-order",
        "court-notice",
        "defender-notice",
        "cr400-order",
    ] {
        assert!(
            on_disk.iter().any(|n| n.starts_with(kind)),
            "{kind}: {on_disk:?}"
        );
    }
    let cr400s: Vec<&String> = on_disk
        .iter()
        .filter(|n| n.starts_with("cr400") && !n.starts_with("cr400-order"))
        .collect();
    assert!(!cr400s.is_empty(), "{on_disk:?}");
    assert!(on_disk.iter().all(|n| n.ends_with(".pdf")), "{on_disk:?}");
    assert!(!on_disk.iter().any(|n| n.contains("MYERS")), "{on_disk:?}");

    // The bulk motion lists the people and cases of the file.
    let motion = on_disk
        .iter()
        .find(|n| n.starts_with("bulk-motion"))
        .expect("bulk motion");
    let read = Command::new("pdftotext")
        .args(["-layout", &path(&filings.join(motion)), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(read.status.success());
    let motion_text = text(&read.stdout);
    assert!(motion_text.contains("0734310071"), "{motion_text}");
    assert!(motion_text.contains("MYERS"), "{motion_text}");
}
