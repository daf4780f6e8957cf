//! CR-400 filled from the official Judicial Council PDF in `../shared/forms/` and read back.
//! Every expectation is the table of `../shared/spec/court-paperwork-and-anchors.md` §2.3 (a),
//! written out by hand. The tests fail, never skip, when the form is missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use cmr_filing_documents::cr400::{
    CivilDate, Contact, Cr400, Cr400Error, PRO_SE, Party, Section, Track, field, fill, read_back,
};
use lopdf::{Document, Object, Stream, dictionary};

fn template() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/forms/CR-400-petition-application-hs-11361.8.pdf");
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "the CR-400 form is not at {} ({e}): the CR-400 tests need ../shared",
            path.display()
        )
    })
}

/// The field list beside the form: one fully qualified name per line, then its type.
fn listed_fields() -> Vec<String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/forms/CR-400-fields.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the CR-400 field list is not at {} ({e}): the CR-400 tests need ../shared",
            path.display()
        )
    });
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect()
}

fn attorney() -> Party {
    Party {
        name: "Dana Counsel".into(),
        firm: "Clean Slate Legal Aid".into(),
        street: "100 Main Street, Suite 2".into(),
        city: "Oakland".into(),
        state: "CA".into(),
        zip: "94612".into(),
        phone: "(510) 555-0100".into(),
        email: "dana@example.org".into(),
        bar_number: "123456".into(),
        attorney_for: "Maria Lopez".into(),
    }
}

/// Completed sentence, counts under 11359 and 11360, with an attorney.
fn application() -> Cr400 {
    Cr400 {
        party: attorney(),
        defendant_name: "Maria Lopez".into(),
        case_number: "SCN-12-0345".into(),
        track: Track::Application,
        sections: vec![Section::Hs11360, Section::Hs11359],
        executed_on: CivilDate::new(2026, 11, 30).unwrap(),
    }
}

/// Still serving, a count under 11357, filing pro se.
fn petition() -> Cr400 {
    Cr400 {
        party: Party::pro_se(Contact {
            name: "José Núñez".into(),
            street: "12 Elm Ave".into(),
            city: "Fresno".into(),
            state: "CA".into(),
            zip: "93701".into(),
            phone: "559-555-0199".into(),
            email: "jose@example.net".into(),
        }),
        defendant_name: "José Núñez".into(),
        case_number: "F19-000123".into(),
        track: Track::Petition,
        sections: vec![Section::Hs11357],
        executed_on: CivilDate::new(2027, 1, 5).unwrap(),
    }
}

/// What every field of the template reads when `set` is written and the rest untouched:
/// unmapped text fields empty, the form's buttons and unmapped boxes `Off`.
fn expected(set: &[(&str, &str)]) -> BTreeMap<String, String> {
    let p = "topmostSubform[0].Page1[0].";
    let mut all: BTreeMap<String, String> = [
        "Caption_sf[0].AttyInfo[0].Fax_ft[0]",
        "Caption_sf[0].CaseNumber[0].TextField10[0]",
        "Caption_sf[0].CaseNumber[0].TextField11[0]",
        "Caption_sf[0].CaseNumber[0].TextField13[0]",
    ]
    .into_iter()
    .map(|n| (format!("{p}{n}"), String::new()))
    .chain(
        ["Print_bt[0]", "Save_bt[0]", "Reset_bt[0]", "T23[0]"]
            .into_iter()
            .map(|n| (format!("{p}{n}"), "Off".to_owned())),
    )
    .collect();
    for (name, value) in set {
        all.insert((*name).to_owned(), (*value).to_owned());
    }
    all
}

#[test]
fn the_template_has_the_listed_fields_and_the_three_unlisted_attorney_widgets() {
    let fields = read_back(&template()).unwrap();
    for name in listed_fields() {
        assert!(
            fields.contains_key(&name),
            "{name} is listed beside the form but not in it"
        );
    }
    assert_eq!(listed_fields().len(), 21);
    for name in [field::ATTY_FIRM, field::ATTY_BAR_NO, field::ATTY_FOR] {
        assert!(fields.contains_key(name), "{name}");
    }
}

#[test]
fn an_application_reads_back_as_the_spec_maps_it() {
    let filled = fill(&template(), &application()).unwrap();
    let got = read_back(&filled).unwrap();
    let want = expected(&[
        (field::ATTY_NAME, "Dana Counsel"),
        (field::ATTY_FIRM, "Clean Slate Legal Aid"),
        (field::ATTY_STREET, "100 Main Street, Suite 2"),
        (field::ATTY_CITY, "Oakland"),
        (field::ATTY_STATE, "CA"),
        (field::ATTY_ZIP, "94612"),
        (field::PHONE, "(510) 555-0100"),
        (field::EMAIL, "dana@example.org"),
        (field::ATTY_BAR_NO, "123456"),
        (field::ATTY_FOR, "Maria Lopez"),
        (field::DEFENDANT, "Maria Lopez"),
        (field::CASE_NUMBER, "SCN-12-0345"),
        // caption: REDESIGNATION OR DISMISSAL/SEALING, 11361.8(f)
        (
            "topmostSubform[0].Page1[0].Caption_sf[0].DefendantInfo[0].#area[0].Checkbox[0]",
            "Off",
        ),
        (
            "topmostSubform[0].Page1[0].Caption_sf[0].DefendantInfo[0].#area[1].Checkbox[1]",
            "Yes",
        ),
        // item 2: APPLICATION (completed)
        ("topmostSubform[0].Page1[0].Checkbox[0]", "Yes"),
        ("topmostSubform[0].Page1[0].Checkbox[1]", "Off"),
        // item 1: 11357, 11358, 11359, 11360, 11362.1
        ("topmostSubform[0].Page1[0].Checkbox[2]", "Off"),
        ("topmostSubform[0].Page1[0].Checkbox[3]", "Off"),
        ("topmostSubform[0].Page1[0].Checkbox[4]", "Yes"),
        ("topmostSubform[0].Page1[0].Checkbox[5]", "Yes"),
        ("topmostSubform[0].Page1[0].Checkbox[6]", "Off"),
        // items 3 and 4: always
        ("topmostSubform[0].Page1[0].Checkbox[7]", "Yes"),
        ("topmostSubform[0].Page1[0].Checkbox[8]", "Yes"),
        (
            "topmostSubform[0].Page1[0].ExecutedDate_dt[0]",
            "11/30/2026",
        ),
    ]);
    assert_eq!(got, want);
    assert_widget_states_match_values(&filled);
}

#[test]
fn a_pro_se_petition_reads_back_as_the_spec_maps_it() {
    let filled = fill(&template(), &petition()).unwrap();
    let got = read_back(&filled).unwrap();
    let want = expected(&[
        (field::ATTY_NAME, "José Núñez"),
        (field::ATTY_FIRM, ""),
        (field::ATTY_STREET, "12 Elm Ave"),
        (field::ATTY_CITY, "Fresno"),
        (field::ATTY_STATE, "CA"),
        (field::ATTY_ZIP, "93701"),
        (field::PHONE, "559-555-0199"),
        (field::EMAIL, "jose@example.net"),
        (field::ATTY_BAR_NO, ""),
        (field::ATTY_FOR, "PRO-SE"),
        (field::DEFENDANT, "José Núñez"),
        (field::CASE_NUMBER, "F19-000123"),
        // caption: RESENTENCING OR DISMISSAL, 11361.8(b)
        (
            "topmostSubform[0].Page1[0].Caption_sf[0].DefendantInfo[0].#area[0].Checkbox[0]",
            "Yes",
        ),
        (
            "topmostSubform[0].Page1[0].Caption_sf[0].DefendantInfo[0].#area[1].Checkbox[1]",
            "Off",
        ),
        // item 2: PETITION (currently serving)
        ("topmostSubform[0].Page1[0].Checkbox[0]", "Off"),
        ("topmostSubform[0].Page1[0].Checkbox[1]", "Yes"),
        ("topmostSubform[0].Page1[0].Checkbox[2]", "Yes"),
        ("topmostSubform[0].Page1[0].Checkbox[3]", "Off"),
        ("topmostSubform[0].Page1[0].Checkbox[4]", "Off"),
        ("topmostSubform[0].Page1[0].Checkbox[5]", "Off"),
        ("topmostSubform[0].Page1[0].Checkbox[6]", "Off"),
        ("topmostSubform[0].Page1[0].Checkbox[7]", "Yes"),
        ("topmostSubform[0].Page1[0].Checkbox[8]", "Yes"),
        (
            "topmostSubform[0].Page1[0].ExecutedDate_dt[0]",
            "01/05/2027",
        ),
    ]);
    assert_eq!(got, want);
    assert_eq!(petition().party.attorney_for, PRO_SE);
    assert_widget_states_match_values(&filled);
}

#[test]
fn an_unknown_track_checks_neither_caption_nor_item_2_box() {
    let mut form = application();
    form.track = Track::Unknown;
    form.sections = vec![Section::Hs11358, Section::Hs11362_1];
    let got = read_back(&fill(&template(), &form).unwrap()).unwrap();
    for (name, state) in [
        (field::CAPTION_RESENTENCING, "Off"),
        (field::CAPTION_REDESIGNATION, "Off"),
        (field::ITEM2_PETITION, "Off"),
        (field::ITEM2_APPLICATION, "Off"),
        (field::ITEM1_11357, "Off"),
        (field::ITEM1_11358, "Yes"),
        (field::ITEM1_11359, "Off"),
        (field::ITEM1_11360, "Off"),
        (field::ITEM1_11362_1, "Yes"),
        (field::ITEM3_WAIVE_JUDGE, "Yes"),
        (field::ITEM4_WAIVE_APPEARANCE, "Yes"),
    ] {
        assert_eq!(got[name], state, "{name}");
    }
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let t = template();
    let a = fill(&t, &application()).unwrap();
    let b = fill(&t, &application()).unwrap();
    assert!(a == b, "two fills of the same input differ");
    // and the trailer's /ID is the template's, not a fresh one
    let id = |pdf: &[u8]| {
        Document::load_mem(pdf)
            .unwrap()
            .trailer
            .get(b"ID")
            .unwrap()
            .clone()
    };
    assert_eq!(id(&a), id(&t));
    assert!(a != fill(&t, &petition()).unwrap());
}

#[test]
fn the_filled_form_asks_viewers_for_appearances_and_lists_every_filled_field() {
    let filled = fill(&template(), &application()).unwrap();
    let doc = Document::load_mem(&filled).unwrap();
    let form = acroform(&doc);
    assert_eq!(
        form.get(b"NeedAppearances").unwrap(),
        &Object::Boolean(true)
    );
    let listed: Vec<_> = form
        .get(b"Fields")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let dict = doc.get_dictionary(r.as_reference().unwrap()).unwrap();
            lopdf::decode_text_string(dict.get(b"T").unwrap()).unwrap()
        })
        .collect();
    // the 21 fields already in /Fields, plus the three attorney widgets the template leaves out
    assert_eq!(listed.len(), 24);
    for name in [field::ATTY_FIRM, field::ATTY_BAR_NO, field::ATTY_FOR] {
        assert!(listed.iter().any(|n| n == name), "{name}");
    }
    assert!(!listed.iter().any(|n| n == field::FAX));
}

#[test]
fn an_xfa_form_is_removed() {
    let mut doc = Document::load_mem(&template()).unwrap();
    let packet = doc.add_object(Stream::new(dictionary! {}, b"<xdp:xdp/>".to_vec()));
    let form_id = doc
        .catalog()
        .unwrap()
        .get(b"AcroForm")
        .unwrap()
        .as_reference()
        .unwrap();
    doc.get_object_mut(form_id)
        .unwrap()
        .as_dict_mut()
        .unwrap()
        .set(
            "XFA",
            Object::Array(vec!["template".into(), Object::Reference(packet)]),
        );
    let with_xfa = save(&mut doc);

    let filled = fill(&with_xfa, &application()).unwrap();
    let out = Document::load_mem(&filled).unwrap();
    assert!(!acroform(&out).has(b"XFA"));
    assert!(
        out.get_object(packet).is_err(),
        "the XFA packet is still in the file"
    );
    assert_eq!(read_back(&filled).unwrap()[field::DEFENDANT], "Maria Lopez");
}

#[test]
fn a_template_missing_a_field_is_an_error_naming_it() {
    // rename the item 4 box, as a revised form might
    let mut doc = Document::load_mem(&template()).unwrap();
    let id = widget_named(&doc, field::ITEM4_WAIVE_APPEARANCE);
    doc.get_object_mut(id).unwrap().as_dict_mut().unwrap().set(
        "T",
        Object::string_literal("topmostSubform[0].Page1[0].Checkbox[9]"),
    );
    let changed = save(&mut doc);

    let err = fill(&changed, &application()).unwrap_err();
    assert!(
        matches!(err, Cr400Error::MissingField(name) if name == field::ITEM4_WAIVE_APPEARANCE),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("Checkbox[8]"), "{message}");
    for personal in ["Maria", "Lopez", "Dana", "SCN-12-0345", "94612"] {
        assert!(!message.contains(personal), "{message}");
    }
}

#[test]
fn a_mapped_field_of_the_wrong_type_is_an_error() {
    let mut doc = Document::load_mem(&template()).unwrap();
    let id = widget_named(&doc, field::CASE_NUMBER);
    doc.get_object_mut(id)
        .unwrap()
        .as_dict_mut()
        .unwrap()
        .set("FT", Object::Name(b"Btn".to_vec()));
    let err = fill(&save(&mut doc), &application()).unwrap_err();
    assert!(
        matches!(err, Cr400Error::WrongFieldType { field: name, .. } if name == field::CASE_NUMBER),
        "{err:?}"
    );
}

/// Page 1 of filled forms as PNG in `target/test-artifacts/`, to check the layout by eye:
/// `cr400-page1.png` (the application with an attorney) and `cr400-pro-se-page1.png` (the pro
/// se petition, with accented names). Needs pdftoppm (Debian's poppler-utils, which `.ci/run`
/// installs when it is missing); without it the test fails rather than skip the rendering.
#[test]
fn page_one_renders_to_png() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    render(&dir, "cr400", &application());
    render(&dir, "cr400-pro-se", &petition());
}

fn render(dir: &Path, stem: &str, form: &Cr400) {
    let pdf = dir.join(format!("{stem}-filled.pdf"));
    std::fs::write(&pdf, fill(&template(), form).unwrap()).unwrap();
    let prefix: PathBuf = dir.join(format!("{stem}-page1"));
    let run = Command::new("pdftoppm")
        .args(["-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&prefix)
        .status();
    match run {
        Ok(status) => {
            assert!(status.success(), "pdftoppm failed on {}", pdf.display());
            let png = std::fs::read(prefix.with_extension("png")).unwrap();
            assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        }
        Err(e) => panic!(
            "pdftoppm: {e}; install Debian's poppler-utils to render {}",
            pdf.display()
        ),
    }
}

/// Every checkbox widget's `/AS` equals its field's `/V`: what a viewer draws is what was set.
fn assert_widget_states_match_values(pdf: &[u8]) {
    let doc = Document::load_mem(pdf).unwrap();
    let mut checked = 0;
    for (_, object) in doc.objects.iter() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"FT").ok() != Some(&Object::Name(b"Btn".to_vec())) || !dict.has(b"AS") {
            continue;
        }
        assert_eq!(dict.get(b"AS").unwrap(), dict.get(b"V").unwrap());
        checked += 1;
    }
    assert_eq!(checked, 11);
}

fn acroform(doc: &Document) -> &lopdf::Dictionary {
    let id = doc
        .catalog()
        .unwrap()
        .get(b"AcroForm")
        .unwrap()
        .as_reference()
        .unwrap();
    doc.get_dictionary(id).unwrap()
}

fn widget_named(doc: &Document, name: &str) -> lopdf::ObjectId {
    doc.objects
        .iter()
        .find(|(_, o)| {
            o.as_dict()
                .ok()
                .and_then(|d| d.get(b"T").ok())
                .and_then(|t| lopdf::decode_text_string(t).ok())
                .is_some_and(|t| t == name)
        })
        .map(|(id, _)| *id)
        .unwrap_or_else(|| panic!("no widget {name}"))
}

fn save(doc: &mut Document) -> Vec<u8> {
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}
