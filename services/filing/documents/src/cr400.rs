//! Judicial Council form CR-400, "Petition/Application (Health and Safety Code, § 11361.8) –
//! Adult Crime(s)": the official fillable PDF filled for one person's eligible counts.
//!
//! The field-to-data mapping is `../shared/spec/court-paperwork-and-anchors.md` §2.3 (a): the
//! attorney/party block (or the person's own details with "PRO-SE"), the defendant's name, the
//! case number, the caption box and the item 2 box chosen by the track (petition while the
//! sentence is being served, application once it is completed, neither when unknown), one item 1
//! box per code section among the eligible counts, the two waivers (items 3 and 4) always, and
//! the date signed. The hearing date, time and department, the fax number and the signature are
//! left blank.
//!
//! [`fill`] is pure: the same template and the same [`Cr400`] give the same bytes. It changes
//! only field values, the `/NeedAppearances` flag, any XFA form (removed) and, for a widget of a
//! mapped field that the template leaves out of the AcroForm's `/Fields`, that array (see
//! [`fill`]). [`read_back`] lists every field's value, for tests and for the filing service.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use lopdf::{Dictionary, Document, Object, ObjectId, decode_text_string, text_string};

/// What "Attorney for" says when the person files for themself.
pub const PRO_SE: &str = "PRO-SE";

/// The fully qualified names of the template's fields that [`fill`] writes (from
/// `../shared/forms/CR-400-fields.txt`, and the page's widgets for the three attorney fields
/// that file does not list).
pub mod field {
    /// Attorney's (or the pro se person's) name.
    pub const ATTY_NAME: &str =
        "topmostSubform[0].Page1[0].Caption_sf[0].AttyInfo[0].AttyName_ft[0]";
    /// Firm name (empty for pro se).
    pub const ATTY_FIRM: &str =
        "topmostSubform[0].Page1[0].Caption_sf[0].AttyInfo[0].AttyFirm_ft[0]";
    /// Street address.
    pub const ATTY_STREET: &str =
        "topmostSubform[0].Page1[0].Caption_sf[0].AttyInfo[0].AttyStreet_ft[0]";
    /// City.
    pub const ATTY_CITY: &str =
        "topmostSubform[0].Page1[0].Caption_sf[0].AttyInfo[0].AttyCity_ft[0]";
    /// State.
    pub const ATTY_STATE: &str =
        "topmostSubform[0].Page1[0].Caption_sf[0].AttyInfo[0].AttyState_ft[0]";
    /// ZIP code.
    pub const ATTY_ZIP: &str = "topmostSubform[0].Page1[0].Caption_sf[0].AttyInfo[0].AttyZip_ft[0]";
    /// Telephone number.
    pub const PHONE: &str = "topmostSubform[0].Page1[0].Caption_sf[0].AttyInfo[0].Phone_ft[0]";
    /// E-mail address.
    pub const EMAIL: &str = "topmostSubform[0].Page1[0].Caption_sf[0].AttyInfo[0].Email_ft[0]";
    /// State bar number (empty for pro se).
    pub const ATTY_BAR_NO: &str =
        "topmostSubform[0].Page1[0].Caption_sf[0].AttyInfo[0].AttyBarNo_dc[0]";
    /// "Attorney for (name)": the client's name, or [`super::PRO_SE`].
    pub const ATTY_FOR: &str = "topmostSubform[0].Page1[0].Caption_sf[0].AttyInfo[0].AttyFor_ft[0]";
    /// Fax number: not written, left empty.
    pub const FAX: &str = "topmostSubform[0].Page1[0].Caption_sf[0].AttyInfo[0].Fax_ft[0]";
    /// The caption's DEFENDANT.
    pub const DEFENDANT: &str =
        "topmostSubform[0].Page1[0].Caption_sf[0].CaseName[0].Defendant_ft[0]";
    /// The caption's CASE NUMBER.
    pub const CASE_NUMBER: &str =
        "topmostSubform[0].Page1[0].Caption_sf[0].Stamp[0].CaseNumber_ft[0]";
    /// Caption box RESENTENCING OR DISMISSAL (H&S 11361.8(b)): the petition track.
    pub const CAPTION_RESENTENCING: &str =
        "topmostSubform[0].Page1[0].Caption_sf[0].DefendantInfo[0].#area[0].Checkbox[0]";
    /// Caption box REDESIGNATION OR DISMISSAL/SEALING (H&S 11361.8(f)): the application track.
    pub const CAPTION_REDESIGNATION: &str =
        "topmostSubform[0].Page1[0].Caption_sf[0].DefendantInfo[0].#area[1].Checkbox[1]";
    /// Item 2, APPLICATION: the sentence is completed.
    pub const ITEM2_APPLICATION: &str = "topmostSubform[0].Page1[0].Checkbox[0]";
    /// Item 2, PETITION: the sentence is being served.
    pub const ITEM2_PETITION: &str = "topmostSubform[0].Page1[0].Checkbox[1]";
    /// Item 1, H&S 11357.
    pub const ITEM1_11357: &str = "topmostSubform[0].Page1[0].Checkbox[2]";
    /// Item 1, H&S 11358.
    pub const ITEM1_11358: &str = "topmostSubform[0].Page1[0].Checkbox[3]";
    /// Item 1, H&S 11359.
    pub const ITEM1_11359: &str = "topmostSubform[0].Page1[0].Checkbox[4]";
    /// Item 1, H&S 11360.
    pub const ITEM1_11360: &str = "topmostSubform[0].Page1[0].Checkbox[5]";
    /// Item 1, H&S 11362.1.
    pub const ITEM1_11362_1: &str = "topmostSubform[0].Page1[0].Checkbox[6]";
    /// Item 3: waives a hearing by the original sentencing judge (always checked).
    pub const ITEM3_WAIVE_JUDGE: &str = "topmostSubform[0].Page1[0].Checkbox[7]";
    /// Item 4: waives personal appearance (always checked).
    pub const ITEM4_WAIVE_APPEARANCE: &str = "topmostSubform[0].Page1[0].Checkbox[8]";
    /// "Dated": the date signed.
    pub const EXECUTED_DATE: &str = "topmostSubform[0].Page1[0].ExecutedDate_dt[0]";
}

/// One person's CR-400: everything [`fill`] writes, nothing read from a clock or a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cr400 {
    /// The attorney/party block.
    pub party: Party,
    /// The defendant's name as the caption shows it (FIRST LAST).
    pub defendant_name: String,
    /// The court case number.
    pub case_number: String,
    /// Petition (serving) or application (completed), which picks the caption and item 2 boxes.
    pub track: Track,
    /// The code sections among the person's eligible counts in this case (item 1); order and
    /// repeats do not matter.
    pub sections: Vec<Section>,
    /// The date the form is signed ("Dated").
    pub executed_on: CivilDate,
}

/// The attorney/party block at the top of the caption.
///
/// With an attorney: the attorney's details and bar number, and `attorney_for` is the client's
/// name. Without one, build it with [`Party::pro_se`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub firm: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub phone: String,
    pub email: String,
    pub bar_number: String,
    pub attorney_for: String,
}

/// A person's own contact details, for a pro se party block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub phone: String,
    pub email: String,
}

impl Party {
    /// The person filing for themself: their own contact details, no firm and no bar number,
    /// and "Attorney for" reads [`PRO_SE`].
    pub fn pro_se(own: Contact) -> Self {
        Party {
            name: own.name,
            firm: String::new(),
            street: own.street,
            city: own.city,
            state: own.state,
            zip: own.zip,
            phone: own.phone,
            email: own.email,
            bar_number: String::new(),
            attorney_for: PRO_SE.to_owned(),
        }
    }
}

/// Which of the form's two requests applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Track {
    /// Still serving the sentence: PETITION for recall/resentencing or dismissal, H&S
    /// 11361.8(b).
    Petition,
    /// Sentence completed: APPLICATION for redesignation or dismissal and sealing, H&S
    /// 11361.8(f).
    Application,
    /// The sentence or its end date is unknown: neither box is checked, for a person to decide.
    Unknown,
}

/// A code section that item 1 of the form lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// H&S 11357, possession.
    Hs11357,
    /// H&S 11358, cultivation.
    Hs11358,
    /// H&S 11359, possession for sale.
    Hs11359,
    /// H&S 11360, transportation, distribution or importation.
    Hs11360,
    /// H&S 11362.1, personal use.
    Hs11362_1,
}

impl Section {
    /// Every section, in the form's order.
    pub const ALL: [Section; 5] = [
        Section::Hs11357,
        Section::Hs11358,
        Section::Hs11359,
        Section::Hs11360,
        Section::Hs11362_1,
    ];

    /// The section number as the form prints it, e.g. `11362.1`.
    pub fn code(self) -> &'static str {
        match self {
            Section::Hs11357 => "11357",
            Section::Hs11358 => "11358",
            Section::Hs11359 => "11359",
            Section::Hs11360 => "11360",
            Section::Hs11362_1 => "11362.1",
        }
    }

    /// The section for a number as [`Section::code`] spells it.
    pub fn from_code(code: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The item 1 checkbox for this section.
    pub fn field(self) -> &'static str {
        match self {
            Section::Hs11357 => field::ITEM1_11357,
            Section::Hs11358 => field::ITEM1_11358,
            Section::Hs11359 => field::ITEM1_11359,
            Section::Hs11360 => field::ITEM1_11360,
            Section::Hs11362_1 => field::ITEM1_11362_1,
        }
    }
}

/// A calendar date with no time and no zone; shown on the form as `MM/DD/YYYY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    year: u16,
    month: u8,
    day: u8,
}

impl CivilDate {
    /// The date, if it exists in the proleptic Gregorian calendar (years 1–9999).
    pub fn new(year: u16, month: u8, day: u8) -> Option<CivilDate> {
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        ((1..=9999).contains(&year) && (1..=days).contains(&day)).then_some(CivilDate {
            year,
            month,
            day,
        })
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}/{:04}", self.month, self.day, self.year)
    }
}

/// Why a CR-400 could not be filled or read. Messages name form fields only, never a value.
#[derive(Debug, thiserror::Error)]
pub enum Cr400Error {
    /// The bytes are not a PDF that lopdf can read (the lopdf error is the source).
    #[error("the CR-400 PDF cannot be read")]
    Pdf(#[source] lopdf::Error),
    /// The PDF has no interactive form.
    #[error("the CR-400 PDF has no AcroForm: it is not the fillable form")]
    NoForm,
    /// The form's structure is not what a PDF form must be (e.g. `/Fields` not an array).
    #[error("the CR-400 PDF's form is malformed: {0}")]
    Malformed(&'static str),
    /// A field the mapping needs is not in the template: the Judicial Council changed the form.
    #[error(
        "the CR-400 template has no field `{0}`: the form has changed, review the field mapping"
    )]
    MissingField(&'static str),
    /// A field the mapping needs has another type than expected: the form has changed.
    #[error("the CR-400 template's field `{field}` is not a {expected}: the form has changed")]
    WrongFieldType {
        field: &'static str,
        expected: &'static str,
    },
    /// A checkbox has no `/Yes` appearance: its on state has another name, the form has changed.
    #[error("the CR-400 template's checkbox `{0}` has no /Yes state: the form has changed")]
    NoYesState(&'static str),
    /// Writing the filled PDF failed.
    #[error("the filled CR-400 cannot be written")]
    Write(#[source] std::io::Error),
}

/// A value [`fill`] writes into one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A text field's text.
    Text(String),
    /// A checkbox, checked (`/Yes`) or not (`/Off`).
    Check(bool),
}

/// The value of every field the mapping covers, in the form's reading order: what [`fill`]
/// writes. Pure; the table of spec §2.3 (a) in code.
pub fn values(form: &Cr400) -> Vec<(&'static str, Value)> {
    let p = &form.party;
    let text = |name: &'static str, s: &str| (name, Value::Text(s.to_owned()));
    let check = |name: &'static str, on: bool| (name, Value::Check(on));
    let mut out = vec![
        text(field::ATTY_NAME, &p.name),
        text(field::ATTY_FIRM, &p.firm),
        text(field::ATTY_STREET, &p.street),
        text(field::ATTY_CITY, &p.city),
        text(field::ATTY_STATE, &p.state),
        text(field::ATTY_ZIP, &p.zip),
        text(field::PHONE, &p.phone),
        text(field::EMAIL, &p.email),
        text(field::ATTY_BAR_NO, &p.bar_number),
        text(field::ATTY_FOR, &p.attorney_for),
        text(field::DEFENDANT, &form.defendant_name),
        text(field::CASE_NUMBER, &form.case_number),
        check(field::CAPTION_RESENTENCING, form.track == Track::Petition),
        check(
            field::CAPTION_REDESIGNATION,
            form.track == Track::Application,
        ),
    ];
    out.extend(Section::ALL.map(|s| check(s.field(), form.sections.contains(&s))));
    out.extend([
        check(field::ITEM2_PETITION, form.track == Track::Petition),
        check(field::ITEM2_APPLICATION, form.track == Track::Application),
        check(field::ITEM3_WAIVE_JUDGE, true),
        check(field::ITEM4_WAIVE_APPEARANCE, true),
        text(field::EXECUTED_DATE, &form.executed_on.to_string()),
    ]);
    out
}

/// Fills the CR-400 `template` (the official fillable PDF's bytes) for `form`.
///
/// Each mapped text field gets `/V` as a PDF text string; each mapped checkbox gets `/V` and, on
/// the field and its widgets, `/AS`, both `/Yes` or `/Off`. The AcroForm gets
/// `/NeedAppearances true`, so a viewer draws the fields from their values rather than from the
/// template's (empty) appearance streams, and loses any `/XFA`. The template shipped by the
/// Judicial Council lists 21 fields in `/Fields`; the page also carries widgets for the firm, bar
/// number, "attorney for" and more that no `/Fields` entry reaches. A mapped field found only as
/// such a widget is added to `/Fields`, so that viewers treat it as a form field.
///
/// Deterministic: objects keep their numbers, nothing is dated and the trailer's `/ID` is kept,
/// so the same inputs give the same bytes.
pub fn fill(template: &[u8], form: &Cr400) -> Result<Vec<u8>, Cr400Error> {
    let mut doc = Document::load_mem(template).map_err(Cr400Error::Pdf)?;
    let acroform = acroform_id(&doc)?;
    remove_xfa(&mut doc, acroform)?;
    let fields = collect_fields(&doc)?;

    let mut adopt = Vec::new();
    for (name, value) in values(form) {
        let found: Vec<&Field> = fields.iter().filter(|f| f.name == name).collect();
        if found.is_empty() {
            return Err(Cr400Error::MissingField(name));
        }
        for f in found {
            set_value(&mut doc, f, name, &value)?;
            if f.orphan && !adopt.contains(&f.id) {
                adopt.push(f.id);
            }
        }
    }

    let form_dict = acroform_mut(&mut doc, acroform)?;
    form_dict.set("NeedAppearances", true);
    if !adopt.is_empty() {
        let fields = form_dict
            .get_mut(b"Fields")
            .and_then(Object::as_array_mut)
            .map_err(|_| Cr400Error::Malformed("/Fields is not an array"))?;
        fields.extend(adopt.into_iter().map(Object::Reference));
    }

    let mut out = Vec::with_capacity(template.len() + 4096);
    doc.save_to(&mut out).map_err(Cr400Error::Write)?;
    Ok(out)
}

/// Every field of `pdf` by fully qualified name (partial names `/T` joined with `.`), with its
/// value: a text field's `/V` text, a button's `/V` state name (`Yes`, `Off`), or empty (text)
/// or `Off` (button) when it has none. Widgets that carry a field name on a page but are missing
/// from `/Fields` are listed too.
pub fn read_back(pdf: &[u8]) -> Result<BTreeMap<String, String>, Cr400Error> {
    let doc = Document::load_mem(pdf).map_err(Cr400Error::Pdf)?;
    let mut out = BTreeMap::new();
    for f in collect_fields(&doc)? {
        let dict = doc.get_dictionary(f.id).map_err(Cr400Error::Pdf)?;
        let value = match dict.get(b"V").map(|v| doc.dereference(v)) {
            Ok(Ok((_, Object::Name(n)))) => String::from_utf8_lossy(n).into_owned(),
            Ok(Ok((_, v @ Object::String(..)))) => decode_text_string(v)
                .map_err(|_| Cr400Error::Malformed("a /V is not a text string"))?,
            _ if f.field_type.as_deref() == Some(b"Btn") => "Off".to_owned(),
            _ => String::new(),
        };
        out.insert(f.name, value);
    }
    Ok(out)
}

/// A terminal field: the dictionary holding `/V`, and the widget annotations showing it.
#[derive(Debug)]
struct Field {
    name: String,
    id: ObjectId,
    /// `/FT`, inherited from an ancestor where the field has none.
    field_type: Option<Vec<u8>>,
    /// `/Ff`, likewise inherited.
    flags: i64,
    /// The widget dictionaries: the field itself when field and widget are merged, and its kids
    /// that have no `/T`.
    widgets: Vec<ObjectId>,
    /// Reached from a page's `/Annots` only, not from `/Fields`.
    orphan: bool,
}

fn acroform_id(doc: &Document) -> Result<ObjectId, Cr400Error> {
    let catalog = doc.catalog().map_err(Cr400Error::Pdf)?;
    match catalog.get(b"AcroForm") {
        Ok(Object::Reference(id)) => Ok(*id),
        // Legal but rare, and not how the Judicial Council writes its forms.
        Ok(Object::Dictionary(_)) => Err(Cr400Error::Malformed(
            "the AcroForm is not an indirect object",
        )),
        _ => Err(Cr400Error::NoForm),
    }
}

fn acroform_mut(doc: &mut Document, id: ObjectId) -> Result<&mut Dictionary, Cr400Error> {
    doc.get_object_mut(id)
        .and_then(Object::as_dict_mut)
        .map_err(|_| Cr400Error::Malformed("the AcroForm is not a dictionary"))
}

/// Removes the XFA form. A form designed in LiveCycle (as the Judicial Council's are) may carry
/// its fields twice: as an XFA packet (`/XFA` in the AcroForm) and as AcroForm fields. An
/// XFA-aware viewer such as Acrobat renders and prints from the XFA data and ignores the
/// AcroForm values written here, so a filled form would show up blank there; without `/XFA`
/// every viewer uses the AcroForm. The packet's streams are dropped too, and the catalog's
/// `/NeedsRendering` (dynamic XFA) with them.
fn remove_xfa(doc: &mut Document, acroform: ObjectId) -> Result<(), Cr400Error> {
    let Some(xfa) = acroform_mut(doc, acroform)?.remove(b"XFA") else {
        return Ok(());
    };
    let mut dropped = Vec::new();
    match xfa {
        Object::Reference(id) => dropped.push(id),
        Object::Array(parts) => dropped.extend(parts.iter().filter_map(|p| p.as_reference().ok())),
        _ => {}
    }
    for id in dropped {
        doc.objects.remove(&id);
    }
    if let Ok(catalog) = doc.catalog_mut() {
        catalog.remove(b"NeedsRendering");
    }
    Ok(())
}

/// Every terminal field: the `/Fields` tree first, in order, then widgets on the pages that
/// carry a `/T`, no `/Parent`, and are not in the tree.
fn collect_fields(doc: &Document) -> Result<Vec<Field>, Cr400Error> {
    let acroform = acroform_id(doc)?;
    let form = doc
        .get_dictionary(acroform)
        .map_err(|_| Cr400Error::Malformed("the AcroForm is not a dictionary"))?;
    let roots = match form.get(b"Fields").map(|f| doc.dereference(f)) {
        Ok(Ok((_, Object::Array(a)))) => a.clone(),
        Err(_) => Vec::new(),
        _ => return Err(Cr400Error::Malformed("/Fields is not an array")),
    };
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for root in roots.iter().filter_map(|r| r.as_reference().ok()) {
        walk(doc, root, &Inherited::root(false), &mut seen, &mut out)?;
    }
    for page in doc.get_pages().into_values() {
        let Ok(page) = doc.get_dictionary(page) else {
            continue;
        };
        let annots = match page.get(b"Annots").map(|a| doc.dereference(a)) {
            Ok(Ok((_, Object::Array(a)))) => a.clone(),
            _ => continue,
        };
        for id in annots.iter().filter_map(|a| a.as_reference().ok()) {
            let Ok(annot) = doc.get_dictionary(id) else {
                continue;
            };
            let is_widget = matches!(annot.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Widget");
            if is_widget && annot.has(b"T") && !annot.has(b"Parent") && !seen.contains(&id) {
                walk(doc, id, &Inherited::root(true), &mut seen, &mut out)?;
            }
        }
    }
    Ok(out)
}

/// What a field takes from its ancestors while [`walk`] descends.
struct Inherited<'a> {
    name: Option<&'a str>,
    field_type: Option<&'a [u8]>,
    flags: i64,
    orphan: bool,
}

impl Inherited<'_> {
    fn root(orphan: bool) -> Self {
        Inherited {
            name: None,
            field_type: None,
            flags: 0,
            orphan,
        }
    }
}

fn walk(
    doc: &Document,
    id: ObjectId,
    parent: &Inherited<'_>,
    seen: &mut BTreeSet<ObjectId>,
    out: &mut Vec<Field>,
) -> Result<(), Cr400Error> {
    if !seen.insert(id) {
        return Ok(()); // a cycle or a field listed twice
    }
    let dict = doc
        .get_dictionary(id)
        .map_err(|_| Cr400Error::Malformed("a field is not a dictionary"))?;
    let partial = match dict.get(b"T") {
        Ok(t) => Some(
            decode_text_string(t)
                .map_err(|_| Cr400Error::Malformed("a /T is not a text string"))?,
        ),
        Err(_) => None,
    };
    let name = match (parent.name, partial) {
        (Some(parent), Some(t)) => format!("{parent}.{t}"),
        (None, Some(t)) => t,
        (Some(parent), None) => parent.to_owned(),
        (None, None) => String::new(),
    };
    let field_type = match dict.get(b"FT") {
        Ok(Object::Name(n)) => Some(n.as_slice()),
        _ => parent.field_type,
    };
    let flags = dict
        .get(b"Ff")
        .and_then(Object::as_i64)
        .unwrap_or(parent.flags);
    let kids: Vec<ObjectId> = match dict.get(b"Kids").map(|k| doc.dereference(k)) {
        Ok(Ok((_, Object::Array(a)))) => a.iter().filter_map(|k| k.as_reference().ok()).collect(),
        _ => Vec::new(),
    };
    let (field_kids, widget_kids): (Vec<ObjectId>, Vec<ObjectId>) = kids
        .into_iter()
        .partition(|k| doc.get_dictionary(*k).is_ok_and(|d| d.has(b"T")));
    if !field_kids.is_empty() {
        for kid in field_kids {
            let inherited = Inherited {
                name: Some(&name),
                field_type,
                flags,
                orphan: parent.orphan,
            };
            walk(doc, kid, &inherited, seen, out)?;
        }
        return Ok(());
    }
    let is_widget = matches!(dict.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Widget");
    let mut widgets = Vec::new();
    if is_widget {
        widgets.push(id);
    }
    for kid in widget_kids {
        seen.insert(kid);
        widgets.push(kid);
    }
    out.push(Field {
        name,
        id,
        field_type: field_type.map(<[u8]>::to_vec),
        flags,
        widgets,
        orphan: parent.orphan,
    });
    Ok(())
}

/// `/Ff` bits 16 (radio) and 17 (pushbutton): a button with either is not a checkbox.
const RADIO_OR_PUSHBUTTON: i64 = (1 << 15) | (1 << 16);

fn set_value(
    doc: &mut Document,
    f: &Field,
    name: &'static str,
    value: &Value,
) -> Result<(), Cr400Error> {
    let field_type = f.field_type.as_deref();
    match value {
        Value::Text(text) => {
            if field_type != Some(b"Tx") {
                return Err(Cr400Error::WrongFieldType {
                    field: name,
                    expected: "text field",
                });
            }
            dict_mut(doc, f.id)?.set("V", text_string(text));
        }
        Value::Check(on) => {
            if field_type != Some(b"Btn") || f.flags & RADIO_OR_PUSHBUTTON != 0 {
                return Err(Cr400Error::WrongFieldType {
                    field: name,
                    expected: "checkbox",
                });
            }
            for widget in &f.widgets {
                if !has_yes_appearance(doc, *widget) {
                    return Err(Cr400Error::NoYesState(name));
                }
            }
            let state = if *on { "Yes" } else { "Off" };
            dict_mut(doc, f.id)?.set("V", Object::Name(state.into()));
            for widget in &f.widgets {
                dict_mut(doc, *widget)?.set("AS", Object::Name(state.into()));
            }
        }
    }
    Ok(())
}

/// Whether a checkbox widget's normal appearance has a `/Yes` state (or no appearance at all,
/// which a viewer draws from the value).
fn has_yes_appearance(doc: &Document, widget: ObjectId) -> bool {
    let Ok(dict) = doc.get_dictionary(widget) else {
        return false;
    };
    let Ok(ap) = dict
        .get(b"AP")
        .and_then(|ap| doc.dereference(ap))
        .and_then(|(_, o)| o.as_dict())
    else {
        return true;
    };
    match ap.get(b"N").and_then(|n| doc.dereference(n)) {
        Ok((_, Object::Dictionary(states))) => states.has(b"Yes"),
        _ => true,
    }
}

fn dict_mut(doc: &mut Document, id: ObjectId) -> Result<&mut Dictionary, Cr400Error> {
    doc.get_object_mut(id)
        .and_then(Object::as_dict_mut)
        .map_err(|_| Cr400Error::Malformed("a field is not a dictionary"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(track: Track, sections: Vec<Section>) -> Cr400 {
        Cr400 {
            party: Party::pro_se(Contact {
                name: "Ana Example".into(),
                ..Contact::default()
            }),
            defendant_name: "Ana Example".into(),
            case_number: "C-1".into(),
            track,
            sections,
            executed_on: CivilDate::new(2026, 3, 9).unwrap(),
        }
    }

    fn value<'a>(values: &'a [(&'static str, Value)], name: &str) -> &'a Value {
        &values.iter().find(|(n, _)| *n == name).unwrap().1
    }

    #[test]
    fn civil_dates_are_checked_and_shown_mm_dd_yyyy() {
        assert_eq!(
            CivilDate::new(2026, 3, 9).unwrap().to_string(),
            "03/09/2026"
        );
        assert!(CivilDate::new(2024, 2, 29).is_some());
        assert!(CivilDate::new(2025, 2, 29).is_none());
        assert!(CivilDate::new(1900, 2, 29).is_none());
        assert!(CivilDate::new(2000, 2, 29).is_some());
        assert!(CivilDate::new(2026, 4, 31).is_none());
        assert!(CivilDate::new(2026, 13, 1).is_none());
        assert!(CivilDate::new(2026, 1, 0).is_none());
        assert!(CivilDate::new(0, 1, 1).is_none());
    }

    #[test]
    fn sections_round_trip_their_codes() {
        for s in Section::ALL {
            assert_eq!(Section::from_code(s.code()), Some(s));
        }
        assert_eq!(Section::from_code("11362"), None);
    }

    #[test]
    fn every_mapped_field_gets_exactly_one_value() {
        let v = values(&form(Track::Unknown, vec![]));
        assert_eq!(v.len(), 24);
        let names: BTreeSet<_> = v.iter().map(|(n, _)| *n).collect();
        assert_eq!(names.len(), v.len());
        assert!(!names.contains(field::FAX));
    }

    #[test]
    fn the_track_picks_the_caption_and_item_2_boxes() {
        for (track, petition, application) in [
            (Track::Petition, true, false),
            (Track::Application, false, true),
            (Track::Unknown, false, false),
        ] {
            let v = values(&form(track, vec![Section::Hs11357]));
            assert_eq!(
                value(&v, field::CAPTION_RESENTENCING),
                &Value::Check(petition)
            );
            assert_eq!(value(&v, field::ITEM2_PETITION), &Value::Check(petition));
            assert_eq!(
                value(&v, field::CAPTION_REDESIGNATION),
                &Value::Check(application)
            );
            assert_eq!(
                value(&v, field::ITEM2_APPLICATION),
                &Value::Check(application)
            );
            assert_eq!(value(&v, field::ITEM3_WAIVE_JUDGE), &Value::Check(true));
            assert_eq!(
                value(&v, field::ITEM4_WAIVE_APPEARANCE),
                &Value::Check(true)
            );
        }
    }

    #[test]
    fn repeated_sections_check_their_box_once() {
        let v = values(&form(
            Track::Application,
            vec![Section::Hs11362_1, Section::Hs11362_1],
        ));
        assert_eq!(value(&v, field::ITEM1_11362_1), &Value::Check(true));
        assert_eq!(value(&v, field::ITEM1_11357), &Value::Check(false));
    }

    #[test]
    fn errors_name_the_field_and_no_value() {
        let e = Cr400Error::MissingField(field::ATTY_FIRM);
        assert_eq!(
            e.to_string(),
            "the CR-400 template has no field \
             `topmostSubform[0].Page1[0].Caption_sf[0].AttyInfo[0].AttyFirm_ft[0]`: \
             the form has changed, review the field mapping"
        );
    }

    #[test]
    fn not_a_pdf_is_an_error() {
        let e = fill(b"not a pdf", &form(Track::Unknown, vec![])).unwrap_err();
        assert!(matches!(e, Cr400Error::Pdf(_)), "{e:?}");
        assert!(matches!(
            read_back(b"%PDF-1.4\n").unwrap_err(),
            Cr400Error::Pdf(_)
        ));
    }
}
