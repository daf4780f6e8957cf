//! gogen conformance: runs `cmr evaluate` on every case of `../shared/compat/gogen` and
//! compares with gogen's own expectations and golden outputs (spec §6.3–§6.4). A missing
//! shared folder fails the suite: nothing here is ever skipped.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn compat() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/compat/gogen");
    assert!(
        dir.join("cmp.py").exists(),
        "gogen fixtures not found at {}: the conformance suite needs ../shared",
        dir.display()
    );
    dir
}

struct Run {
    out: tempfile::TempDir,
    code: i32,
    stderr: String,
}

fn cmr_evaluate(inputs: &[PathBuf], county: &str, how: &[&str], extra: &[&str]) -> Run {
    let out = tempfile::tempdir().unwrap();
    let joined = inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(",");
    let output = Command::new(env!("CARGO_BIN_EXE_cmr"))
        .args(["evaluate", "--input-doj", &joined, "--county", county])
        .args(["--compute-at", "2019-11-11", "--outputs"])
        .arg(out.path())
        .args(how)
        .args(extra)
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        out,
    }
}

fn options() -> Vec<String> {
    vec![
        "--eligibility-options".into(),
        compat()
            .join("eligibility_options.json")
            .display()
            .to_string(),
    ]
}

fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn assert_bytes_equal(got: &Path, expected: &Path) {
    let g = fs::read(got).unwrap_or_else(|e| panic!("{}: {e}", got.display()));
    let e = fs::read(expected).unwrap();
    if g != e {
        // Show the first differing line for a readable failure.
        let (gs, es) = (String::from_utf8_lossy(&g), String::from_utf8_lossy(&e));
        let line = gs
            .lines()
            .zip(es.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(gs.lines().count().min(es.lines().count()));
        panic!(
            "{} differs from {} at line {}:\n got {:?}\n exp {:?}",
            got.display(),
            expected.display(),
            line + 1,
            gs.lines().nth(line),
            es.lines().nth(line)
        );
    }
}

fn read_cells(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Cell-for-cell comparison after CSV parsing, as `cmp.py` does.
fn assert_cells_equal(got: &Path, expected: &Path) {
    let (g, e) = (read_cells(got), read_cells(expected));
    assert_eq!(g.len(), e.len(), "row count of {}", got.display());
    for (i, (gr, er)) in g.iter().zip(&e).enumerate() {
        assert_eq!(gr.len(), er.len(), "row {i} width in {}", got.display());
        for (j, (gc, ec)) in gr.iter().zip(er).enumerate() {
            assert_eq!(
                gc,
                ec,
                "row {i} column {j} ({}) of {}",
                e[0][j],
                got.display()
            );
        }
    }
}

/// JSON field by field, except the run time.
fn assert_json_equal(got: &Path, expected: &Path) {
    let parse = |p: &Path| -> serde_json::Map<String, Value> {
        let v: Value = serde_json::from_slice(&fs::read(p).unwrap()).unwrap();
        let mut m = v.as_object().unwrap().clone();
        assert!(m.remove("processingTimeInSeconds").is_some());
        m
    };
    let (g, e) = (parse(got), parse(expected));
    assert_eq!(
        g.keys().collect::<Vec<_>>(),
        e.keys().collect::<Vec<_>>(),
        "field order of {}",
        got.display()
    );
    for (k, ev) in &e {
        assert_eq!(&g[k], ev, "field {k} of {}", got.display());
    }
}

const OUTPUTS: [&str; 3] = ["All_Results", "All_Results_Condensed", "Prop64_Results"];

#[test]
fn configurable_fixture_matches_expected_cells_and_golden_bytes() {
    let c = compat();
    let run = cmr_evaluate(
        &[c.join("gogen_configurable_flow/input.csv")],
        "SACRAMENTO",
        &as_strs(&options()),
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let o = run.out.path();
    let f = c.join("gogen_configurable_flow");
    assert_cells_equal(
        &o.join("All_Results.csv"),
        &f.join("expected_all_results.csv"),
    );
    assert_cells_equal(
        &o.join("All_Results_Condensed.csv"),
        &f.join("expected_condensed.csv"),
    );
    assert_cells_equal(
        &o.join("Prop64_Results.csv"),
        &f.join("expected_prop64_results.csv"),
    );
    let g = c.join("golden/configurable_flow_SACRAMENTO_2019-11-11");
    for name in OUTPUTS {
        assert_bytes_equal(
            &o.join(format!("{name}.csv")),
            &g.join(format!("{name}.csv")),
        );
    }
    assert_json_equal(&o.join("gogen.json"), &g.join("gogen.json"));
}

#[test]
fn two_inputs_get_indexed_names_and_a_summed_summary() {
    let c = compat();
    let input = c.join("gogen_configurable_flow/input.csv");
    let run = cmr_evaluate(
        &[input.clone(), input],
        "SACRAMENTO",
        &as_strs(&options()),
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let g = c.join("golden/configurable_flow_x2_SACRAMENTO_2019-11-11");
    for i in 1..=2 {
        for name in OUTPUTS {
            let file = format!("{name}_{i}.csv");
            assert_bytes_equal(&run.out.path().join(&file), &g.join(&file));
        }
    }
    assert_json_equal(&run.out.path().join("gogen.json"), &g.join("gogen.json"));
}

#[test]
fn headerless_and_extra_comma_files_match_golden() {
    let c = compat();
    for name in ["no_headers", "extra_comma"] {
        let run = cmr_evaluate(
            &[c.join(format!("{name}.csv"))],
            "SAN JOAQUIN",
            &as_strs(&options()),
            &[],
        );
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let g = c.join(format!("golden/{name}_SAN_JOAQUIN_2019-11-11"));
        for out in OUTPUTS {
            assert_bytes_equal(
                &run.out.path().join(format!("{out}.csv")),
                &g.join(format!("{out}.csv")),
            );
        }
        assert_json_equal(&run.out.path().join("gogen.json"), &g.join("gogen.json"));
        let json: Value =
            serde_json::from_slice(&fs::read(run.out.path().join("gogen.json")).unwrap()).unwrap();
        assert_eq!(json["lineCount"], 38, "{name}");
    }
}

/// (fixture dir, county, policy, golden dir, golden file prefix, golden index suffix)
const PILOTS: [(&str, &str, &str, &str, &str); 4] = [
    (
        "pilots_sacramento",
        "SACRAMENTO",
        "gogen-pilot-sacramento",
        "pilots_sacramento_2019-11-11",
        "",
    ),
    (
        "pilots_san_joaquin",
        "SAN JOAQUIN",
        "gogen-pilot-san-joaquin",
        "pilots_san_joaquin_2019-11-11",
        "",
    ),
    (
        "pilots_contra_costa",
        "CONTRA COSTA",
        "gogen-pilot-contra-costa",
        "pilots_contra_costa_2019-11-11",
        "",
    ),
    (
        "pilots_los_angeles",
        "LOS ANGELES",
        "gogen-pilot-los-angeles",
        "pilots_los_angeles_age50_years10_2019-11-11/DOJ_Input_File_1_Results",
        "_1",
    ),
];

#[test]
fn pilot_policies_match_expected_cells_and_golden_bytes() {
    let c = compat();
    for (fixture, county, policy, golden, idx) in PILOTS {
        // The pilot goldens were made with the wall clock on 2026-11-24 (gogen's
        // "last 7 years" reads the clock); pin our reference to that day.
        let run = cmr_evaluate(
            &[c.join(fixture).join("input.csv")],
            county,
            &["--policy", policy],
            &["--last-7-years-from", "2026-11-24"],
        );
        assert_eq!(run.code, 0, "{policy}: {}", run.stderr);
        let o = run.out.path();
        let f = c.join(fixture);
        assert_cells_equal(
            &o.join("All_Results.csv"),
            &f.join("expected_all_results.csv"),
        );
        assert_cells_equal(
            &o.join("All_Results_Condensed.csv"),
            &f.join("expected_condensed.csv"),
        );
        if f.join("expected_prop64_results.csv").exists() {
            assert_cells_equal(
                &o.join("Prop64_Results.csv"),
                &f.join("expected_prop64_results.csv"),
            );
        }
        let g = c.join("golden").join(golden);
        for (ours, theirs) in [
            ("All_Results", "doj_results"),
            ("All_Results_Condensed", "doj_results_condensed"),
            ("Prop64_Results", "doj_results_convictions"),
        ] {
            assert_bytes_equal(
                &o.join(format!("{ours}.csv")),
                &g.join(format!("{theirs}{idx}.csv")),
            );
        }
    }
}

/// The pilots' text reports (spec §5.3 end) against gogen's: every line equal except the
/// two that measured time. gogen's county progress bar (the line with `avg time:`) has no
/// counterpart in ours, and LA's timing line is compared up to its number.
#[test]
fn pilot_text_reports_match_golden_except_timing_lines() {
    const TIMING: &str = "Based on your office";
    const TIMING_TEXT_END: &str = "processed the data in";
    let c = compat();
    for (fixture, county, policy, golden, idx) in PILOTS {
        let run = cmr_evaluate(
            &[c.join(fixture).join("input.csv")],
            county,
            &["--policy", policy],
            &["--last-7-years-from", "2026-11-24"],
        );
        assert_eq!(run.code, 0, "{policy}: {}", run.stderr);
        // The LA pilot wrote `gogen_pilots_<i>.out`; the county pilots printed to stdout.
        let golden_file = if idx.is_empty() {
            "stdout_summary.txt".to_string()
        } else {
            format!("gogen_pilots{idx}.out")
        };
        let expected_path = c.join("golden").join(golden).join(golden_file);
        let expected = fs::read_to_string(&expected_path).unwrap();
        let got_path = run.out.path().join("summary.txt");
        let got = fs::read_to_string(&got_path)
            .unwrap_or_else(|e| panic!("{policy}: {}: {e}", got_path.display()));
        let expected_lines: Vec<&str> = expected
            .lines()
            .filter(|l| !l.contains("avg time:"))
            .collect();
        let got_lines: Vec<&str> = got.lines().collect();
        assert_eq!(
            got_lines.len(),
            expected_lines.len(),
            "{policy}: line count of {}:\n{got}",
            got_path.display()
        );
        assert_eq!(got.ends_with('\n'), expected.ends_with('\n'), "{policy}");
        for (n, (g, e)) in got_lines.iter().zip(&expected_lines).enumerate() {
            if e.starts_with(TIMING) {
                let end = e.find(TIMING_TEXT_END).unwrap() + TIMING_TEXT_END.len();
                assert_eq!(g.get(..end), Some(&e[..end]), "{policy}: line {}", n + 1);
                let seconds = g[end..].trim().strip_suffix(" seconds");
                assert!(
                    seconds.is_some_and(|s| s.parse::<f64>().is_ok()),
                    "{policy}: line {}: {g:?}",
                    n + 1
                );
            } else {
                assert_eq!(g, e, "{policy}: line {} of {}", n + 1, got_path.display());
            }
        }
    }
}

#[test]
fn los_angeles_summary_matches_golden_json() {
    let c = compat();
    let run = cmr_evaluate(
        &[c.join("pilots_los_angeles/input.csv")],
        "LOS ANGELES",
        &["--policy", "gogen-pilot-los-angeles"],
        &["--last-7-years-from", "2026-11-24"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_json_equal(
        &run.out.path().join("gogen.json"),
        &c.join("golden/pilots_los_angeles_age50_years10_2019-11-11/gogen_pilots.json"),
    );
}

#[test]
fn determinations_match_every_fixtures_expected_determinations() {
    let c = compat();
    let cases: [(&str, &str, Vec<String>); 5] = [
        ("gogen_configurable_flow", "SACRAMENTO", options()),
        (
            "pilots_sacramento",
            "SACRAMENTO",
            vec!["--policy".into(), "gogen-pilot-sacramento".into()],
        ),
        (
            "pilots_san_joaquin",
            "SAN JOAQUIN",
            vec!["--policy".into(), "gogen-pilot-san-joaquin".into()],
        ),
        (
            "pilots_contra_costa",
            "CONTRA COSTA",
            vec!["--policy".into(), "gogen-pilot-contra-costa".into()],
        ),
        (
            "pilots_los_angeles",
            "LOS ANGELES",
            vec!["--policy".into(), "gogen-pilot-los-angeles".into()],
        ),
    ];
    for (fixture, county, how) in cases {
        let run = cmr_evaluate(
            &[c.join(fixture).join("input.csv")],
            county,
            &as_strs(&how),
            &[],
        );
        assert_eq!(run.code, 0, "{fixture}: {}", run.stderr);
        let got = read_cells(&run.out.path().join("All_Results.csv"));
        let expected = read_cells(&c.join(fixture).join("expected_determinations.csv"));
        let head = &expected[0];
        let col = |name: &str| head.iter().position(|h| h == name).unwrap();
        let (ri, di, ei) = (
            col("row_index"),
            col("Eligibility Determination"),
            col("Eligibility Reason"),
        );
        let mut checked = 0;
        for row in &expected[1..] {
            let index: usize = row[ri].parse().unwrap();
            let ours = &got[index + 1];
            let n = ours.len();
            assert_eq!(
                (&ours[n - 2], &ours[n - 1]),
                (&row[di], &row[ei]),
                "{fixture} data row {index}"
            );
            checked += 1;
        }
        assert_eq!(checked, got.len() - 1, "{fixture}: every row checked");
    }
}

#[test]
fn bad_file_is_a_parsing_error_and_other_files_still_run() {
    let c = compat();
    let run = cmr_evaluate(
        &[
            c.join("bad.csv"),
            c.join("gogen_configurable_flow/input.csv"),
        ],
        "SACRAMENTO",
        &as_strs(&options()),
        &[],
    );
    assert_eq!(run.code, 1);
    let err: Value =
        serde_json::from_slice(&fs::read(run.out.path().join("gogen.err")).unwrap()).unwrap();
    let key = c.join("bad.csv").display().to_string();
    assert_eq!(err[&key]["errorType"], "PARSING");
    assert_eq!(
        err[&key]["errorMessage"],
        "record on line 1: wrong number of fields"
    );
    assert_eq!(err.as_object().unwrap().len(), 1);
    // The good file's CSVs are written; no JSON summary when any file failed.
    assert!(run.out.path().join("All_Results_2.csv").exists());
    assert!(!run.out.path().join("All_Results_1.csv").exists());
    assert!(!run.out.path().join("gogen.json").exists());
    assert!(
        run.stderr
            .contains("record on line 1: wrong number of fields")
    );
}

#[test]
fn missing_and_short_files_are_other_errors() {
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("short.csv");
    fs::write(&short, "RECORD_ID,SUBJECT_ID\n1,2\n").unwrap();
    let missing = dir.path().join("missing.csv");
    let run = cmr_evaluate(
        &[missing.clone(), short.clone()],
        "SACRAMENTO",
        &as_strs(&options()),
        &[],
    );
    assert_eq!(run.code, 1);
    let err: Value =
        serde_json::from_slice(&fs::read(run.out.path().join("gogen.err")).unwrap()).unwrap();
    let m = missing.display().to_string();
    assert_eq!(err[&m]["errorType"], "OTHER");
    assert_eq!(
        err[&m]["errorMessage"],
        format!("open {m}: no such file or directory")
    );
    let s = short.display().to_string();
    assert_eq!(err[&s]["errorType"], "OTHER");
    assert_eq!(err[&s]["errorMessage"], "EOF");
}

#[test]
fn threshold_validation_messages_are_gogens() {
    let c = compat();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "subjectAgeThreshold",
            39,
            "SubjectAgeThreshold should be between 40 and 65, or 0",
        ),
        (
            "subjectAgeThreshold",
            66,
            "SubjectAgeThreshold should be between 40 and 65, or 0",
        ),
        (
            "yearsSinceConvictionThreshold",
            16,
            "YearsSinceConvictionThreshold should be between 1 and 15, or 0",
        ),
        (
            "yearsSinceConvictionThreshold",
            -1,
            "YearsSinceConvictionThreshold should be between 1 and 15, or 0",
        ),
        (
            "yearsCrimeFreeThreshold",
            16,
            "YearsCrimeFreeThreshold should be between 1 and 15, or 0",
        ),
    ];
    for (key, value, message) in cases {
        let opts = dir.path().join(format!("{key}{value}.json"));
        fs::write(
            &opts,
            format!("{{\"additionalRelief\":{{\"{key}\":{value}}}}}"),
        )
        .unwrap();
        let o = opts.display().to_string();
        let run = cmr_evaluate(
            &[c.join("gogen_configurable_flow/input.csv")],
            "SACRAMENTO",
            &["--eligibility-options", &o],
            &[],
        );
        assert_eq!(run.code, 1, "{key}={value}");
        let err: Value =
            serde_json::from_slice(&fs::read(run.out.path().join("gogen.err")).unwrap()).unwrap();
        assert_eq!(err[""]["errorType"], "OTHER");
        assert_eq!(err[""]["errorMessage"], message, "{key}={value}");
        assert!(!run.out.path().join("All_Results.csv").exists());
    }
}

#[test]
fn invalid_compute_at_is_a_run_error() {
    let c = compat();
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_cmr"))
        .args([
            "evaluate",
            "--county",
            "SACRAMENTO",
            "--compute-at",
            "2019-02-30",
        ])
        .arg("--input-doj")
        .arg(c.join("gogen_configurable_flow/input.csv"))
        .args(as_strs(&options()))
        .arg("--outputs")
        .arg(out.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let err: Value =
        serde_json::from_slice(&fs::read(out.path().join("gogen.err")).unwrap()).unwrap();
    assert_eq!(
        err[""]["errorMessage"],
        "invalid --compute-at date: Must be a valid date in the format YYYY-MM-DD"
    );
}
