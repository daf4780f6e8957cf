//! The whole pipeline over gRPC gives exactly what `cmr evaluate` gives in process: every
//! gogen fixture goes through ingest, eligibility and verification with `cmr run`, and every
//! output file is compared byte for byte with `cmr evaluate`'s, and with gogen's own golden
//! files where the fixture has them. The only bytes allowed to differ are the measured
//! processing times (`processingTimeInSeconds`, LA's "N seconds" report line).
//!
//! Each test runs on SQLite files and again on fresh PostgreSQL databases.

use std::fs;
use std::path::{Path, PathBuf};

use cmr::evaluate::EvaluateArgs;
use cmr_e2e::{Suite, cmr_evaluate, compat};

/// One fixture: input, county, policy (`None`: gogen's options file), golden directory.
struct Case {
    input: &'static str,
    county: &'static str,
    policy: Option<&'static str>,
    golden: Option<&'static str>,
}

const CASES: [Case; 7] = [
    Case {
        input: "gogen_configurable_flow/input.csv",
        county: "SACRAMENTO",
        policy: None,
        golden: Some("configurable_flow_SACRAMENTO_2019-11-11"),
    },
    Case {
        input: "no_headers.csv",
        county: "SAN JOAQUIN",
        policy: None,
        golden: Some("no_headers_SAN_JOAQUIN_2019-11-11"),
    },
    Case {
        input: "extra_comma.csv",
        county: "SAN JOAQUIN",
        policy: None,
        golden: Some("extra_comma_SAN_JOAQUIN_2019-11-11"),
    },
    Case {
        input: "pilots_sacramento/input.csv",
        county: "SACRAMENTO",
        policy: Some("gogen-pilot-sacramento"),
        golden: None,
    },
    Case {
        input: "pilots_san_joaquin/input.csv",
        county: "SAN JOAQUIN",
        policy: Some("gogen-pilot-san-joaquin"),
        golden: None,
    },
    Case {
        input: "pilots_contra_costa/input.csv",
        county: "CONTRA COSTA",
        policy: Some("gogen-pilot-contra-costa"),
        golden: None,
    },
    Case {
        input: "pilots_los_angeles/input.csv",
        county: "LOS ANGELES",
        policy: Some("gogen-pilot-los-angeles"),
        golden: None,
    },
];

fn args(case: &Case, outputs: &Path) -> EvaluateArgs {
    let c = compat();
    EvaluateArgs {
        input_doj: Some(c.join(case.input).display().to_string()),
        county: Some(case.county.to_owned()),
        eligibility_options: case
            .policy
            .is_none()
            .then(|| c.join("eligibility_options.json")),
        policy: case.policy.map(str::to_owned),
        compute_at: Some("2019-11-11".to_owned()),
        outputs: Some(outputs.to_path_buf()),
        ..EvaluateArgs::default()
    }
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read outputs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The file with its measured time blanked out (and only that).
fn without_timing(name: &str, bytes: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8(bytes).expect("UTF-8 summary");
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            if name.ends_with(".json")
                && let Some(start) = line.find("\"processingTimeInSeconds\":")
            {
                let value = start + "\"processingTimeInSeconds\":".len();
                let end = line[value..].find(',').map_or(line.len(), |i| value + i);
                return format!("{}<time>{}", &line[..value], &line[end..]);
            }
            if name.ends_with(".txt") && line.trim_end().ends_with(" seconds") {
                return "<timing line>".to_owned();
            }
            line.to_owned()
        })
        .collect();
    lines.join("\n").into_bytes()
}

fn assert_same_outputs(got: &Path, expected: &Path, what: &str) {
    let names = file_names(expected);
    assert_eq!(file_names(got), names, "{what}: output file names");
    for name in &names {
        let mut a = fs::read(got.join(name)).expect("read");
        let mut b = fs::read(expected.join(name)).expect("read");
        if name.ends_with(".json") || name.ends_with(".txt") {
            a = without_timing(name, a);
            b = without_timing(name, b);
        }
        assert!(
            a == b,
            "{what}: {name} differs from cmr evaluate's ({} vs {} bytes)",
            a.len(),
            b.len()
        );
    }
}

async fn every_fixture_matches_cmr_evaluate(postgres: bool) {
    let suite = Suite::start(postgres).await;
    let work = tempfile::tempdir().expect("tempdir");
    for (i, case) in CASES.iter().enumerate() {
        let evaluated = work.path().join(format!("evaluate-{i}"));
        let piped = work.path().join(format!("run-{i}"));
        assert_eq!(cmr_evaluate(&args(case, &evaluated)), 0, "{}", case.input);
        assert_eq!(
            suite.cmr_run(args(case, &piped)).await,
            0,
            "cmr run {}",
            case.input
        );
        assert_same_outputs(&piped, &evaluated, case.input);
        if let Some(golden) = case.golden {
            let golden = compat().join("golden").join(golden);
            for name in [
                "All_Results.csv",
                "All_Results_Condensed.csv",
                "Prop64_Results.csv",
            ] {
                assert!(
                    fs::read(piped.join(name)).expect("read")
                        == fs::read(golden.join(name)).expect("golden"),
                    "{}: {name} differs from gogen's golden file",
                    case.input
                );
            }
        }
    }
    // The same file again is the same batch and the same run: same outputs.
    let again: PathBuf = work.path().join("run-again");
    assert_eq!(suite.cmr_run(args(&CASES[0], &again)).await, 0);
    assert_same_outputs(&again, &work.path().join("evaluate-0"), "repeated run");
    suite.stop().await;
}

/// A file gogen cannot read: the same `gogen.err` as `cmr evaluate`, and exit code 1.
async fn unreadable_file_gives_gogens_error(postgres: bool) {
    let suite = Suite::start(postgres).await;
    let work = tempfile::tempdir().expect("tempdir");
    let bad = Case {
        input: "bad.csv",
        county: "SACRAMENTO",
        policy: None,
        golden: None,
    };
    let evaluated = work.path().join("evaluate");
    let piped = work.path().join("run");
    assert_eq!(cmr_evaluate(&args(&bad, &evaluated)), 1);
    assert_eq!(suite.cmr_run(args(&bad, &piped)).await, 1);
    let expected = fs::read_to_string(evaluated.join("gogen.err")).expect("evaluate's gogen.err");
    let got = fs::read_to_string(piped.join("gogen.err")).expect("run's gogen.err");
    assert_eq!(got, expected);
    assert!(
        expected.contains("record on line 1: wrong number of fields"),
        "{expected}"
    );
    assert_eq!(file_names(&piped), ["gogen.err"], "no other output");
    suite.stop().await;
}

/// `cmr run` formats its outputs in chunks on worker threads, each guessing the row index of
/// its first record from its first line; records that span lines and blank lines make the
/// guess wrong. Whatever the chunking, the outputs must still equal `cmr evaluate`'s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outputs_do_not_depend_on_chunking_or_multi_line_records() {
    let work = tempfile::tempdir().expect("tempdir");
    let original = fs::read_to_string(compat().join(CASES[0].input)).expect("fixture");
    // SUBJECT_STATUS (the second field, "x" in every row) of every seventh row spans two
    // lines, and a blank line follows the twentieth row.
    let mut text = String::new();
    for (i, line) in original.lines().enumerate() {
        if i > 0 && i % 7 == 0 {
            let rest = line.strip_prefix("x,x,").expect("a row starting x,x,");
            text.push_str(&format!("x,\"x\ny\",{rest}\n"));
        } else {
            text.push_str(line);
            text.push('\n');
        }
        if i == 20 {
            text.push('\n');
        }
    }
    let input = work.path().join("multi_line.csv");
    fs::write(&input, &text).expect("write input");
    let with_input = |outputs: &Path| EvaluateArgs {
        input_doj: Some(input.display().to_string()),
        ..args(&CASES[0], outputs)
    };
    let evaluated = work.path().join("evaluate");
    assert_eq!(cmr_evaluate(&with_input(&evaluated)), 0);
    let all = fs::read_to_string(evaluated.join("All_Results.csv")).expect("read");
    assert!(
        all.contains("\"x\ny\""),
        "the multi-line field is in the output"
    );

    let suite = Suite::start(false).await;
    for (chunk_bytes, threads) in [(1, 2), (700, 3), (4096, 2), (1 << 20, 1)] {
        let piped = work.path().join(format!("run-{chunk_bytes}-{threads}"));
        let args = EvaluateArgs {
            chunk_bytes: Some(chunk_bytes),
            threads: Some(threads),
            ..with_input(&piped)
        };
        assert_eq!(suite.cmr_run(args).await, 0, "chunk {chunk_bytes}");
        assert_same_outputs(&piped, &evaluated, &format!("chunk {chunk_bytes}"));
    }
    suite.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_every_fixture_matches_cmr_evaluate() {
    every_fixture_matches_cmr_evaluate(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_every_fixture_matches_cmr_evaluate() {
    every_fixture_matches_cmr_evaluate(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_unreadable_file_gives_gogens_error() {
    unreadable_file_gives_gogens_error(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_unreadable_file_gives_gogens_error() {
    unreadable_file_gives_gogens_error(true).await;
}
