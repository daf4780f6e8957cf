//! A case list long enough to be typeset in several parts and joined (src/parts.rs, 40 list
//! pages a part): read back with poppler, it must look exactly as if typeset whole. A county
//! with 2 rows a page makes that 161 cases: the pleading page, then list parts of 40, 40 and
//! 1 pages. The tests fail, never skip, without poppler.

use std::path::{Path, PathBuf};
use std::process::Command;

use cmr_filing_documents::{
    BatchInput, CaseLine, CourtInfo, DocumentKind, Rendered, SignerInfo, Templates, render_batch,
};
use cmr_proto::common::v1::{CivilDate, PersonIdentity, ReliefType, Severity, Track};
use cmr_proto::filing::v1::VerifiedRelief;

const CASES: usize = 161;
const ROWS_PER_PAGE: usize = 2;
/// The caption page and 81 list pages.
const PAGES: usize = 1 + CASES.div_ceil(ROWS_PER_PAGE);

fn case(n: usize, aliases: Vec<String>) -> CaseLine {
    CaseLine {
        filing_id: format!("f-{n:04}"),
        relief: VerifiedRelief {
            subject_id: format!("s-{n:04}"),
            cnt_order: format!("{n:04}-001"),
            person: Some(PersonIdentity {
                name: format!("PERSON, NUMBER {n:04}"),
                aliases,
                date_of_birth: Some(CivilDate {
                    year: 1970,
                    month: 1,
                    day: 2,
                }),
                cii_number: format!("C{n:08}"),
                ..PersonIdentity::default()
            }),
            case_number: format!("CASE{n:04}"),
            code_section: "11357 HS".to_owned(),
            prop64_section: "11357".to_owned(),
            conviction_date: Some(CivilDate {
                year: 2009,
                month: 6,
                day: 15,
            }),
            severity: Severity::Felony as i32,
            relief_type: ReliefType::DismissAndSeal as i32,
            track: Track::Application as i32,
            ..VerifiedRelief::default()
        },
    }
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../target/test-artifacts/parts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Built-in templates with county 99 at two rows a page.
fn templates(name: &str) -> Templates {
    let dir = artifacts().join(format!("templates-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("99.json"),
        format!("{{\"rows_per_page\": {ROWS_PER_PAGE}}}"),
    )
    .unwrap();
    Templates::load_dir(&dir).expect("templates load")
}

fn motion(templates: &Templates, cases: &[CaseLine]) -> Rendered {
    let court = CourtInfo::default();
    let signer = SignerInfo {
        name: "Jane Prosecutor".to_owned(),
        title: "Deputy District Attorney".to_owned(),
        ..SignerInfo::default()
    };
    let input = BatchInput {
        filing_batch_id: "fb-parts",
        county_code: "99",
        county_name: "NINETY-NINE",
        court: &court,
        agency_id: "DA",
        signer: &signer,
        document_date: (2026, 11, 30),
        cases,
        challenged: &[],
    };
    let mut docs =
        render_batch(templates, &input, &[DocumentKind::BulkMotion]).expect("the motion renders");
    docs.remove(0)
}

fn saved(doc: &Rendered, stem: &str) -> PathBuf {
    let path = artifacts().join(format!("{stem}.pdf"));
    std::fs::write(&path, &doc.bytes).unwrap();
    path
}

fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(pdf)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|_| panic!("{tool} (poppler-utils) is needed: .ci/run installs it"));
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn page_count(pdf: &Path) -> usize {
    let info = poppler("pdfinfo", &[], pdf);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count:\n{info}"))
}

/// How many font subsets the PDF embeds: each part brings its own.
fn fonts(pdf: &Path) -> usize {
    poppler("pdffonts", &[], pdf)
        .lines()
        .filter(|l| l.contains("LibertinusSerif-Regular"))
        .count()
}

fn page_text(pdf: &Path, page: usize) -> String {
    let page = page.to_string();
    poppler(
        "pdftotext",
        &["-layout", "-enc", "UTF-8", "-f", &page, "-l", &page],
        pdf,
    )
}

#[test]
fn a_list_typeset_in_parts_reads_as_one_document() {
    let templates = templates("joined");
    let cases: Vec<CaseLine> = (1..=CASES).map(|n| case(n, Vec::new())).collect();
    let doc = motion(&templates, &cases);
    let pdf = saved(&doc, "joined");
    assert_eq!(page_count(&pdf), PAGES);
    // The pleading and three list parts, each with its fonts: it was typeset in parts.
    assert_eq!(fonts(&pdf), 4);

    let text = poppler("pdftotext", &["-layout", "-enc", "UTF-8"], &pdf);
    assert!(text.contains("Convictions listed: 161"), "{text}");
    for n in 1..=CASES {
        let cii = format!("C{n:08}");
        let lines: Vec<&str> = text.lines().filter(|l| l.contains(&cii)).collect();
        assert_eq!(lines.len(), 1, "{cii} should be on exactly one line");
        assert!(lines[0].contains(&format!("CASE{n:04}")), "{}", lines[0]);
    }
    // Running counts in order, each once, across the joins.
    let mut at = 0;
    for first in (1..=CASES).step_by(ROWS_PER_PAGE) {
        let last = (first + ROWS_PER_PAGE - 1).min(CASES);
        let header = format!("Convictions {first}–{last} of {CASES}");
        let found = text[at..]
            .find(&header)
            .unwrap_or_else(|| panic!("{header} missing or out of order"));
        at += found + header.len();
        assert_eq!(text.matches(&header).count(), 1, "{header} repeated");
    }
    // Page numbers are global: the pleading, the first list page, either side of the first
    // join, the second join and the last page.
    for page in [1, 2, 41, 42, 81, 82, PAGES] {
        let text = page_text(&pdf, page);
        assert!(
            text.contains(&format!("Page {page} of {PAGES}")),
            "page {page}:\n{text}"
        );
    }
    assert!(page_text(&pdf, 1).contains("MOTION"));
    // Rows 81 and 82 are on list page 41 (document page 42), the first of the second part.
    let page_42 = page_text(&pdf, 42);
    assert!(page_42.contains("Convictions 81–82 of 161"), "{page_42}");
    assert!(page_42.contains("C00000081") && page_42.contains("C00000082"));

    let again = motion(&templates, &cases);
    assert!(
        doc.bytes == again.bytes,
        "the same input gave different bytes"
    );
}

#[test]
fn a_part_that_overflows_its_pages_falls_back_to_one_piece() {
    let templates = templates("overflow");
    // Case 100's aliases make its row taller than a page: its list page breaks in two, so
    // the page total is not known before typesetting and the document is typeset whole.
    let mut cases: Vec<CaseLine> = (1..=CASES).map(|n| case(n, Vec::new())).collect();
    cases[99] = case(
        100,
        (0..400).map(|i| format!("ALIAS NUMBER {i:03}")).collect(),
    );
    let doc = motion(&templates, &cases);
    let pdf = saved(&doc, "overflowed");
    let pages = page_count(&pdf);
    assert!(pages > PAGES, "{pages} pages");
    assert_eq!(fonts(&pdf), 1, "typeset whole");
    for page in [1, 42, pages] {
        let text = page_text(&pdf, page);
        assert!(
            text.contains(&format!("Page {page} of {pages}")),
            "page {page}:\n{text}"
        );
    }
}
