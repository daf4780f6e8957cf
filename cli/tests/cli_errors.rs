//! Run-level errors of `cmr evaluate` that `docs/gogen-decisions.md` marks "D/C"
//! (spec `../shared/spec/gogen-compat.md` §1.6 and §8 items 1c and 28).

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// A minimal valid DOJ file and options file in `dir`; returns their paths.
fn inputs(dir: &Path, options_json: &str) -> (String, String) {
    let input = dir.join("input.csv");
    // Header only: the 95 names are long enough (≥ 128 bytes) for gogen's header detection.
    let header = format!("{}\n", cmr_record::columns::NAMES.join(","));
    fs::write(&input, header).unwrap();
    let options = dir.join("opts.json");
    fs::write(&options, options_json).unwrap();
    (input.display().to_string(), options.display().to_string())
}

fn cmr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cmr"))
        .arg("evaluate")
        .args(args)
        .output()
        .unwrap()
}

/// §8 item 1c (differs): `--compute-at` is required; without it the run fails like any
/// missing required field.
#[test]
fn compute_at_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let (input, options) = inputs(
        dir.path(),
        r#"{"baselineEligibility":{"dismiss":["11357"]}}"#,
    );
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let o = out.display().to_string();
    let run = cmr(&[
        "--input-doj",
        &input,
        "--county",
        "SACRAMENTO",
        "--eligibility-options",
        &options,
        "--outputs",
        &o,
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        fs::read_to_string(out.join("gogen.err")).unwrap(),
        r#"{"":{"errorType":"OTHER","errorMessage":"missing required field: Run cmr evaluate --help for more info"}}"#
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(": missing required field: Run cmr evaluate --help for more info"),
        "{stderr}"
    );
    // Nothing else is written.
    let mut names: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["gogen.err"]);

    // The same command with --compute-at succeeds.
    let run = cmr(&[
        "--input-doj",
        &input,
        "--county",
        "SACRAMENTO",
        "--eligibility-options",
        &options,
        "--outputs",
        &o,
        "--compute-at",
        "2019-11-11",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let json = fs::read_to_string(out.join("gogen.json")).unwrap();
    assert!(
        json.starts_with(
            r#"{"county":"SACRAMENTO","earliestConviction":"2019-11-11T00:00:00Z","lineCount":0,"#
        ),
        "{json}"
    );
}

/// §1.6 and §8 item 28: thresholds are checked before the output folder is created, so the
/// `.err` file cannot be written there; the OS error is printed and the exit code is 1.
#[test]
fn err_file_unwritable() {
    let dir = tempfile::tempdir().unwrap();
    let (input, options) = inputs(
        dir.path(),
        r#"{"additionalRelief":{"subjectAgeThreshold":39}}"#,
    );
    let outputs = dir.path().join("not").join("yet");
    let o = outputs.display().to_string();
    let run = cmr(&[
        "--input-doj",
        &input,
        "--county",
        "SACRAMENTO",
        "--eligibility-options",
        &options,
        "--compute-at",
        "2019-11-11",
        "--outputs",
        &o,
    ]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(": SubjectAgeThreshold should be between 40 and 65, or 0"),
        "{stderr}"
    );
    let err_path = outputs.join("gogen.err").display().to_string();
    assert!(
        stderr.contains(&format!("open {err_path}: no such file or directory")),
        "{stderr}"
    );
    // Nothing was created: not the output folder, nor its parent.
    assert!(!dir.path().join("not").exists());
    let mut names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["input.csv", "opts.json"]);
}
