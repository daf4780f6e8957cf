//! The impact report files: CSV compared with text written by hand, and the PDF read back.

use std::process::Command;

use cmr_filing_documents::impact::{ImpactSummary, SubjectCounts, impact_csv, impact_pdf};
use cmr_proto::filing::v1::{ImpactCell, ImpactDimension, ImpactReportResponse};

fn cell(
    relief_type: i32,
    race: &str,
    people: i64,
    convictions: i64,
    suppressed: bool,
) -> ImpactCell {
    ImpactCell {
        relief_type,
        code_section: String::new(),
        race: race.to_owned(),
        people,
        convictions,
        suppressed,
    }
}

fn summary() -> ImpactSummary {
    ImpactSummary {
        scope_label: "County of Sacramento (34)".to_owned(),
        run_id: "run-7".to_owned(),
        group_by: vec![
            ImpactDimension::ReliefType as i32,
            ImpactDimension::Race as i32,
        ],
        generated_on: (2026, 11, 30),
        report: ImpactReportResponse {
            cells: vec![
                cell(1, "BLACK", 40, 52, false),
                cell(1, "HISPANIC", 0, 0, true),
                cell(1, "WHITE", 25, 27, false),
                cell(2, "BLACK", 0, 0, true),
                cell(2, "WHITE", 12, 15, false),
            ],
            total: Some(cell(0, "", 95, 120, false)),
            min_cell_size: 11,
            suppressed_cells: 2,
            generated_at: None,
        },
        subject_counts: Some(SubjectCounts {
            subjects_with_relief: 95,
            no_felonies: 30,
            no_convictions: 7,
            no_convictions_last_7_years: 60,
        }),
    }
}

#[test]
fn the_csv_withholds_small_cells_and_small_subject_counts() {
    let csv = String::from_utf8(impact_csv(&summary())).unwrap();
    let expected = "\
measure,relief_type,code_section,race,people,convictions,suppressed
cell,Dismiss and seal,,BLACK,40,52,false
cell,Dismiss and seal,,HISPANIC,suppressed,suppressed,true
cell,Dismiss and seal,,WHITE,25,27,false
cell,Redesignate to misdemeanor,,BLACK,suppressed,suppressed,true
cell,Redesignate to misdemeanor,,WHITE,12,15,false
total,,,,95,120,false
subjects_with_relief,,,,95,,false
no_felonies,,,,30,,false
no_convictions,,,,suppressed,,true
no_convictions_last_7_years,,,,60,,false
";
    assert_eq!(csv, expected);
}

#[test]
fn the_pdf_has_the_chart_and_every_published_count() {
    let pdf = impact_pdf(&summary()).unwrap();
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("impact.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: .ci/run installs it");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Prop 64 relief: impact report"), "{text}");
    assert!(text.contains("Eligibility run run-7"));
    // Chart: Dismiss and seal has 52 + 27 published and a withheld cell besides.
    assert!(text.contains("79+"), "{text}");
    assert!(text.contains("15+"), "{text}");
    for n in ["52", "27", "15", "120", "30", "60"] {
        assert!(text.contains(n), "{n} missing");
    }
    assert!(text.contains("suppressed"));
    let line = text
        .lines()
        .find(|l| l.contains("People who will have no convictions"))
        .expect("the no-convictions line");
    assert!(
        line.trim_end().ends_with("suppressed"),
        "a count below 11 was printed: {line}"
    );
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "70", "-singlefile", "-f", "1", "-l", "1"])
        .arg(&path)
        .arg(dir.join("impact-page1"))
        .status()
        .expect("pdftoppm (poppler-utils) is needed");
    assert!(status.success());
}
