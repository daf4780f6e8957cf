//! `cmr explain` and `cmr evaluate --input-rap-sheet` on the shipped RAP-sheet sample
//! (`samples/rap_sheet_sample.txt`, an invented person): a PC 187 conviction of 1991 (a
//! super strike), PC 290 registrations from 2006, and an HS 11359 felony arrested 2015-05-20
//! and convicted 2015-09-01 in Fresno. Under the statute policy's decision table
//! (`docs/policies/statute.md`, row 4) the 11359 felony is not eligible: a super-strike
//! conviction of an earlier case predates the offence.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cmr_record::columns;
use cmr_record::gocsv::Writer;
use cmr_record::rapsheet;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/rap_sheet_sample.txt")
}

fn cmr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cmr"))
        .args(args)
        .output()
        .expect("cmr runs")
}

#[test]
fn explain_prints_every_rule_tried_up_to_the_deciding_one() {
    let sheet = sample().display().to_string();
    let out = cmr(&[
        "explain",
        "--input-rap-sheet",
        &sheet,
        "--county",
        "FRESNO",
        "--subject",
        "RAP1",
        "--compute-at",
        "2020-07-01",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("under statute@1"),
        "the statute policy is the default: {text}"
    );
    let steps: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.starts_with(' ')
                && l.trim_start()
                    .split_once(". ")
                    .is_some_and(|(n, _)| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    assert_eq!(steps.len(), 4, "rules 1-4 tried: {text}");
    assert!(steps[0].contains("convicted-after-prop64") && steps[0].ends_with("no"));
    assert!(steps[3].contains("superstrike-prior") && steps[3].contains("MATCHED -> Not eligible"));
    assert!(text.contains("reason code: SUPERSTRIKE_PRIOR"), "{text}");
    assert!(text.contains("citation: H&S 11358(d)(1)"), "{text}");
    assert!(
        text.contains("offence_date=2015-05-20"),
        "the arrest dates the offence: {text}"
    );
}

#[test]
fn explain_reads_the_same_person_from_a_doj_file() {
    // `cmr evaluate` on the sheet, then `cmr explain` on the sheet's rows as a DOJ file.
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    let sheet = sample().display().to_string();
    let evaluated = cmr(&[
        "evaluate",
        "--input-rap-sheet",
        &sheet,
        "--county",
        "FRESNO",
        "--policy",
        "statute",
        "--compute-at",
        "2020-07-01",
        "--outputs",
        out_dir.to_str().expect("utf-8"),
    ]);
    assert!(
        evaluated.status.success(),
        "{}",
        String::from_utf8_lossy(&evaluated.stderr)
    );
    let prop64 = fs::read_to_string(out_dir.join("Prop64_Results.csv")).expect("Prop64 file");
    let rows: Vec<&str> = prop64.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "one 11359 conviction: {prop64}");
    assert!(
        rows[0].contains(",Not eligible,A super-strike conviction"),
        "{}",
        rows[0]
    );
    // The converted rows file is removed; All_Results lists the sheet's rows.
    let names: Vec<String> = fs::read_dir(&out_dir)
        .expect("outputs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with(".rap-sheet-rows")),
        "{names:?}"
    );
    // The same sheet as a DOJ research file, flattened by the library.
    let text = fs::read_to_string(sample()).expect("sample");
    let sheet = rapsheet::parse(&text).expect("the sample parses");
    let mut writer = Writer::new(Vec::new());
    writer
        .record(columns::NAMES.iter().map(|n| n.as_bytes()))
        .expect("header");
    for record in rapsheet::flatten(&sheet, "RAP-SHEET", rapsheet::agency_county) {
        writer.record(record.fields()).expect("row");
    }
    let doj = dir.path().join("person.csv");
    fs::write(&doj, writer.into_inner()).expect("write DOJ file");
    let explained = cmr(&[
        "explain",
        "--input-doj",
        doj.to_str().expect("utf-8"),
        "--county",
        "FRESNO",
        "--policy",
        "statute",
        "--subject",
        "RAP-SHEET",
        "--compute-at",
        "2020-07-01",
    ]);
    let text = String::from_utf8_lossy(&explained.stdout);
    assert!(
        explained.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&explained.stderr)
    );
    assert!(text.contains("reason code: SUPERSTRIKE_PRIOR"), "{text}");
}

#[test]
fn a_policy_of_another_county_is_refused() {
    let sheet = sample().display().to_string();
    let out = cmr(&[
        "explain",
        "--input-rap-sheet",
        &sheet,
        "--county",
        "FRESNO",
        "--subject",
        "RAP1",
        "--policy",
        "gogen-pilot-sacramento",
        "--compute-at",
        "2020-07-01",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("written for county SACRAMENTO, not FRESNO"),
        "{err}"
    );
}

#[test]
fn cmr_run_refuses_a_rap_sheet_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    let data = dir.path().join("data");
    let sheet = sample().display().to_string();
    let out = cmr(&[
        "run",
        "--input-rap-sheet",
        &sheet,
        "--county",
        "FRESNO",
        "--policy",
        "statute",
        "--compute-at",
        "2020-07-01",
        "--outputs",
        out_dir.to_str().expect("utf-8"),
        "--data-dir",
        data.to_str().expect("utf-8"),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cmr run takes a DOJ file"), "{err}");
    assert!(!data.exists(), "no service was started");
}
