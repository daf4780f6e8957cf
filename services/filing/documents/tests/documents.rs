//! Every generated document rendered and read back as text (poppler's `pdftotext`), and a page
//! of each rendered to PNG under `target/test-artifacts/` to be looked at. Expectations are
//! written by hand from the fixture below. The tests fail, never skip, without poppler.

use std::path::{Path, PathBuf};
use std::process::Command;

use cmr_filing_documents::cr400::{field, read_back};
use cmr_filing_documents::{
    BatchInput, CaseLine, ChallengedLine, CourtInfo, DocumentKind, Rendered, SignerInfo, Templates,
    render_batch,
};
use cmr_proto::common::v1::{CivilDate, PersonIdentity, ReliefType, Severity, Track};
use cmr_proto::filing::v1::VerifiedRelief;

fn date(year: i32, month: i32, day: i32) -> Option<CivilDate> {
    Some(CivilDate { year, month, day })
}

/// One ready conviction. `n` keeps ids and CII numbers apart.
#[allow(clippy::too_many_arguments)]
fn case(
    filing: &str,
    subject: &str,
    name: &str,
    cii: &str,
    case_number: &str,
    section: &str,
    relief: ReliefType,
    track: Track,
) -> CaseLine {
    CaseLine {
        filing_id: filing.to_owned(),
        relief: VerifiedRelief {
            review_item_id: format!("ri-{filing}"),
            decision_id: format!("d-{filing}"),
            subject_id: subject.to_owned(),
            cnt_order: format!("{filing}-001"),
            agency_id: "DA".to_owned(),
            person: Some(PersonIdentity {
                name: name.to_owned(),
                aliases: Vec::new(),
                date_of_birth: date(1970, 1, 2),
                cii_number: cii.to_owned(),
                doj_subject_id: String::new(),
            }),
            case_number: case_number.to_owned(),
            court_ori_code: "CA034013J".to_owned(),
            code_section: format!("{section} HS"),
            prop64_section: section.to_owned(),
            conviction_date: date(2009, 6, 15),
            severity: Severity::Felony as i32,
            relief_type: relief as i32,
            track: track as i32,
            reduce_to: Severity::Misdemeanor as i32,
            ..VerifiedRelief::default()
        },
    }
}

fn ready() -> Vec<CaseLine> {
    vec![
        case(
            "f-3",
            "s-2",
            "MUÑOZ, JOSÉ",
            "A10000003",
            "09F01234",
            "11359",
            ReliefType::RedesignateMisdemeanor,
            Track::Application,
        ),
        case(
            "f-1",
            "s-1",
            "LOPEZ, MARIA ELENA",
            "A10000001",
            "05M11111",
            "11357",
            ReliefType::DismissAndSeal,
            Track::Application,
        ),
        case(
            "f-2",
            "s-1",
            "LOPEZ, MARIA ELENA",
            "A10000002",
            "05M11111",
            "11360",
            ReliefType::DismissAndSeal,
            Track::Application,
        ),
        case(
            "f-4",
            "s-1",
            "LOPEZ, MARIA ELENA",
            "A10000004",
            "12F22222",
            "11358",
            ReliefType::RecallAndResentence,
            Track::Petition,
        ),
        case(
            "f-5",
            "s-3",
            "BROWN, SAM",
            "A10000005",
            "98M33333",
            "11357",
            ReliefType::DismissAndSeal,
            Track::Unspecified,
        ),
    ]
}

fn challenged() -> Vec<ChallengedLine> {
    vec![ChallengedLine {
        review_item_id: "ri-c1".to_owned(),
        subject_id: "s-9".to_owned(),
        name: "GREEN, ALEX".to_owned(),
        date_of_birth: Some((1980, 3, 4)),
        cii_number: "A90000009".to_owned(),
        case_number: "11F99999".to_owned(),
        code_section: "11359 HS".to_owned(),
        conviction_date: Some((2011, 8, 9)),
        ground: "CHALLENGE_GROUND_INELIGIBLE".to_owned(),
    }]
}

fn court() -> CourtInfo {
    CourtInfo {
        court_id: "sac-main".to_owned(),
        name: String::new(),
        branch_name: "Gordon D. Schaber Courthouse".to_owned(),
        address_lines: Vec::new(),
    }
}

fn signer() -> SignerInfo {
    SignerInfo {
        name: "Jane Prosecutor".to_owned(),
        title: "Deputy District Attorney".to_owned(),
        bar_number: "234567".to_owned(),
        office_name: "Sacramento County District Attorney".to_owned(),
        address_lines: vec!["901 G Street".to_owned(), "Sacramento, CA 95814".to_owned()],
        phone: "(916) 555-0100".to_owned(),
        email: "jane@example.gov".to_owned(),
    }
}

fn render(cases: &[CaseLine], kinds: &[DocumentKind]) -> Vec<Rendered> {
    let court = court();
    let signer = signer();
    let challenged = challenged();
    let input = BatchInput {
        filing_batch_id: "fb-0001",
        county_code: "34",
        county_name: "SACRAMENTO",
        court: &court,
        agency_id: "DA",
        signer: &signer,
        document_date: (2026, 11, 30),
        cases,
        challenged: &challenged,
    };
    render_batch(&Templates::builtin(), &input, kinds).expect("documents render")
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The PDF's text in reading layout, one table row per line.
fn text_of(doc: &Rendered) -> String {
    let path = artifacts().join(&doc.file_name);
    std::fs::write(&path, &doc.bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: .ci/run installs it");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        doc.file_name
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Page `page` of the document as a PNG beside it, for the eye.
fn png(doc: &Rendered, page: u32, stem: &str) {
    let pdf = artifacts().join(&doc.file_name);
    std::fs::write(&pdf, &doc.bytes).unwrap();
    let status = Command::new("pdftoppm")
        .args([
            "-png",
            "-r",
            "70",
            "-singlefile",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
        ])
        .arg(&pdf)
        .arg(artifacts().join(stem))
        .status()
        .expect("pdftoppm (poppler-utils) is needed: .ci/run installs it");
    assert!(status.success());
    assert!(artifacts().join(format!("{stem}.png")).exists());
}

fn one(docs: &[Rendered], kind: DocumentKind) -> &Rendered {
    let found: Vec<_> = docs.iter().filter(|d| d.kind == kind).collect();
    assert_eq!(found.len(), 1, "{kind:?}");
    found[0]
}

/// The one line that holds `needle`; fails when it is missing or repeated.
fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    let lines: Vec<&str> = text.lines().filter(|l| l.contains(needle)).collect();
    assert_eq!(
        lines.len(),
        1,
        "{needle} should be on exactly one line:\n{text}"
    );
    assert_eq!(
        text.matches(needle).count(),
        1,
        "{needle} repeated:\n{text}"
    );
    lines[0]
}

/// (filing, CII, case, section, relief) of the fixture's ready items, written out by hand.
const READY_ROWS: [(&str, &str, &str, &str, &str); 5] = [
    (
        "LOPEZ, MARIA ELENA",
        "A10000001",
        "05M11111",
        "11357 HS",
        "Dismiss and seal",
    ),
    (
        "LOPEZ, MARIA ELENA",
        "A10000002",
        "05M11111",
        "11360 HS",
        "Dismiss and seal",
    ),
    (
        "LOPEZ, MARIA ELENA",
        "A10000004",
        "12F22222",
        "11358 HS",
        "Recall and resentence to misdemeanor",
    ),
    (
        "MUÑOZ, JOSÉ",
        "A10000003",
        "09F01234",
        "11359 HS",
        "Redesignate to misdemeanor",
    ),
    (
        "BROWN, SAM",
        "A10000005",
        "98M33333",
        "11357 HS",
        "Dismiss and seal",
    ),
];

#[test]
fn motion_order_and_court_notice_list_every_ready_item_once_and_no_challenged_one() {
    let docs = render(&ready(), &[]);
    for kind in [
        DocumentKind::BulkMotion,
        DocumentKind::ProposedOrder,
        DocumentKind::CourtNotice,
    ] {
        let doc = one(&docs, kind);
        assert_eq!(doc.media_type, "application/pdf");
        let mut ids = doc.filing_ids.clone();
        ids.sort();
        assert_eq!(ids, ["f-1", "f-2", "f-3", "f-4", "f-5"], "{kind:?}");
        let text = text_of(doc);
        for (name, cii, case_number, section, relief) in READY_ROWS {
            let line = line_with(&text, cii);
            for field in [
                name,
                case_number,
                section,
                relief,
                "01/02/1970",
                "06/15/2009",
            ] {
                assert!(
                    line.contains(field),
                    "{kind:?}: {field} missing from {line:?}"
                );
            }
        }
        assert!(
            !text.contains("A90000009"),
            "{kind:?} lists a challenged item"
        );
        assert!(
            !text.contains("GREEN"),
            "{kind:?} names a challenged person"
        );
        assert!(
            text.contains("SUPERIOR COURT OF CALIFORNIA, COUNTY OF SACRAMENTO"),
            "{kind:?}"
        );
        assert!(text.contains("Convictions 1–5 of 5"), "{kind:?}:\n{text}");
        assert!(text.contains("Filing batch fb-0001"), "{kind:?}");
    }
    let motion = text_of(one(&docs, DocumentKind::BulkMotion));
    assert!(motion.contains("MOTION FOR RECALL, DISMISSAL,"));
    assert!(motion.contains("Jane Prosecutor"));
    assert!(motion.contains("State Bar No. 234567"));
    assert!(motion.contains("Dated: November 30, 2026"));
    assert!(motion.contains("does not challenge the 5 convictions"));
    let order = text_of(one(&docs, DocumentKind::ProposedOrder));
    assert!(order.contains("Judge of the Superior Court"));
    assert!(
        !order.contains("Dated: November 30, 2026"),
        "the judge dates the order"
    );
    // Sacramento's wording (the default) pre-marks the proposed order's orders.
    assert!(order.contains("☒ Each conviction in Attachment A"));
    png(one(&docs, DocumentKind::BulkMotion), 1, "bulk-motion-page1");
    png(one(&docs, DocumentKind::BulkMotion), 2, "bulk-motion-page2");
    png(
        one(&docs, DocumentKind::ProposedOrder),
        1,
        "proposed-order-page1",
    );
    png(
        one(&docs, DocumentKind::CourtNotice),
        1,
        "court-notice-page1",
    );
}

#[test]
fn the_defender_notice_lists_the_challenged_items_only() {
    let docs = render(&ready(), &[DocumentKind::DefenderNotice]);
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    assert!(doc.filing_ids.is_empty());
    let text = text_of(doc);
    let line = line_with(&text, "A90000009");
    for field in [
        "GREEN, ALEX",
        "03/04/1980",
        "11F99999",
        "11359 HS",
        "08/09/2011",
        "Ineligible",
    ] {
        assert!(line.contains(field), "{field} missing from {line:?}");
    }
    for (_, cii, ..) in READY_ROWS {
        assert!(
            !text.contains(cii),
            "the defender notice lists ready item {cii}"
        );
    }
    assert!(text.contains("Sacramento County Public Defender"));
    png(doc, 1, "defender-notice-page1");
}

#[test]
fn each_person_and_case_gets_a_cr400_filled_by_track_and_its_order() {
    let docs = render(&ready(), &[DocumentKind::Cr400, DocumentKind::Cr400Order]);
    let forms: Vec<_> = docs
        .iter()
        .filter(|d| d.kind == DocumentKind::Cr400)
        .collect();
    let orders: Vec<_> = docs
        .iter()
        .filter(|d| d.kind == DocumentKind::Cr400Order)
        .collect();
    // LOPEZ has two cases, MUÑOZ and BROWN one each.
    assert_eq!(forms.len(), 4);
    assert_eq!(orders.len(), 4);
    let by_case = |case_number: &str| {
        forms
            .iter()
            .map(|d| (d, read_back(&d.bytes).unwrap()))
            .find(|(_, f)| f[field::CASE_NUMBER] == case_number)
            .unwrap_or_else(|| panic!("no CR-400 for {case_number}"))
    };
    let (doc, lopez) = by_case("05M11111");
    assert_eq!(doc.subject_id, "s-1");
    assert_eq!(doc.filing_ids, ["f-1", "f-2"]);
    assert_eq!(doc.template_id, "cr400@2017-07-01");
    assert_eq!(lopez[field::DEFENDANT], "MARIA ELENA LOPEZ");
    assert_eq!(lopez[field::ATTY_NAME], "Jane Prosecutor");
    assert_eq!(lopez[field::ATTY_BAR_NO], "234567");
    assert_eq!(lopez[field::ATTY_CITY], "Sacramento");
    assert_eq!(lopez[field::ATTY_ZIP], "95814");
    assert_eq!(
        lopez[field::ATTY_FOR],
        "The People of the State of California"
    );
    assert_eq!(lopez[field::EXECUTED_DATE], "11/30/2026");
    let on = |f: &std::collections::BTreeMap<String, String>, name: &str| {
        f[name] != "Off" && !f[name].is_empty()
    };
    assert!(on(&lopez, field::ITEM2_APPLICATION) && !on(&lopez, field::ITEM2_PETITION));
    assert!(on(&lopez, field::CAPTION_REDESIGNATION) && !on(&lopez, field::CAPTION_RESENTENCING));
    assert!(on(&lopez, field::ITEM1_11357) && on(&lopez, field::ITEM1_11360));
    assert!(!on(&lopez, field::ITEM1_11358) && !on(&lopez, field::ITEM1_11359));

    let (_, serving) = by_case("12F22222");
    assert!(on(&serving, field::ITEM2_PETITION) && !on(&serving, field::ITEM2_APPLICATION));
    assert!(on(&serving, field::CAPTION_RESENTENCING));
    assert!(on(&serving, field::ITEM1_11358));

    let (_, unknown) = by_case("98M33333");
    assert!(!on(&unknown, field::ITEM2_PETITION) && !on(&unknown, field::ITEM2_APPLICATION));

    let (_, accented) = by_case("09F01234");
    assert_eq!(accented[field::DEFENDANT], "JOSÉ MUÑOZ");

    let order = orders
        .iter()
        .find(|d| d.filing_ids == ["f-1", "f-2"])
        .expect("the order for LOPEZ's first case");
    let text = text_of(order);
    assert!(text.contains("Case No. 05M11111"));
    assert!(text.contains("MARIA ELENA LOPEZ"));
    line_with(&text, "A10000001");
    line_with(&text, "A10000002");
    assert!(
        !text.contains("A10000004"),
        "another case's count is on this order"
    );
    assert!(text.contains("Judge of the Superior Court"));
    // The judge marks grant or denial: neither box is pre-marked.
    assert!(text.contains("☐ The petition or application is GRANTED"));
    assert!(text.contains("☐ The petition or application is DENIED"));
    png(order, 1, "cr400-order-page1");
}

#[test]
fn long_lists_page_with_running_counts() {
    let cases: Vec<CaseLine> = (1..=45)
        .map(|n| {
            case(
                &format!("f-{n:03}"),
                &format!("s-{n:03}"),
                &format!("PERSON, NUMBER {n:03}"),
                &format!("B{n:08}"),
                &format!("CASE{n:04}"),
                "11357",
                ReliefType::DismissAndSeal,
                Track::Application,
            )
        })
        .collect();
    let docs = render(&cases, &[DocumentKind::BulkMotion]);
    let text = text_of(&docs[0]);
    // 18 rows a page (default wording): 1–18, 19–36, 37–45.
    for range in [
        "Convictions 1–18 of 45",
        "Convictions 19–36 of 45",
        "Convictions 37–45 of 45",
    ] {
        assert!(text.contains(range), "{range} missing");
    }
    for n in 1..=45 {
        let line = line_with(&text, &format!("B{n:08}"));
        assert!(line.contains(&format!("CASE{n:04}")), "{line}");
    }
    // Caption page and three list pages.
    assert!(text.contains("Page 4 of 4"), "{text}");
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let first = render(&ready(), &[]);
    let mut shuffled = ready();
    shuffled.reverse();
    let second = render(&shuffled, &[]);
    assert_eq!(first, second);
    assert_eq!(first.len(), 3 + 1 + 4 + 4);
    for doc in &first {
        assert!(!doc.file_name.contains("LOPEZ") && !doc.file_name.contains("A1000"));
    }
}
