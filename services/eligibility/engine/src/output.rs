//! gogen's three CSV outputs (spec §5.2): every input row with its original 95 values and
//! the eligibility columns, the condensed view, and only the evaluated rows. Written row
//! by row, so memory does not grow with the file.

use std::borrow::Cow;
use std::io::{self, Write};

use cmr_record::columns::{self as col, CONDENSED, NAMES};
use cmr_record::gocsv::{Record, Writer};
use cmr_record::sections::{prop64_section, sub_11357};
use cmr_record::subject::trim_space;

use crate::evaluate::InfoBlock;
use crate::policy::{FlowSpec, Policy};

/// One eligibility column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    CaseNumber,
    ConvictionsOnRecord,
    PossibleOtherP64,
    OccurredAfter,
    Superstrikes,
    Pc290Sections,
    Pc290Registration,
    DateOfConviction,
    YearsSinceThis,
    YearsSinceAny,
    Prop64Count,
    Section(usize),
    Deceased,
    Determination,
    Reason,
}

impl Column {
    pub fn header(self) -> &'static str {
        match self {
            Column::CaseNumber => "Case Number",
            Column::ConvictionsOnRecord => "# of convictions on record",
            Column::PossibleOtherP64 => "Possible Other P64 Charges",
            Column::OccurredAfter => "Occurred after 11/9/2016",
            Column::Superstrikes => "Superstrike Code Section(s)",
            Column::Pc290Sections => "PC290 Code Section(s)",
            Column::Pc290Registration => "PC290 Registration",
            Column::DateOfConviction => "Date of Conviction",
            Column::YearsSinceThis => "Years Since This Conviction",
            Column::YearsSinceAny => "Years Since Any Conviction",
            Column::Prop64Count => "# of Prop 64 convictions",
            Column::Section(0) => "# of HS 11357 convictions",
            Column::Section(1) => "# of HS 11358 convictions",
            Column::Section(2) => "# of HS 11359 convictions",
            Column::Section(_) => "# of HS 11360 convictions",
            Column::Deceased => "Deceased",
            Column::Determination => "Eligibility Determination",
            Column::Reason => "Eligibility Reason",
        }
    }
}

use Column as C;

/// gogen 0.2.13's 18 columns.
pub const RELEASED: &[Column] = &[
    C::CaseNumber,
    C::ConvictionsOnRecord,
    C::PossibleOtherP64,
    C::OccurredAfter,
    C::Superstrikes,
    C::Pc290Sections,
    C::Pc290Registration,
    C::DateOfConviction,
    C::YearsSinceThis,
    C::YearsSinceAny,
    C::Prop64Count,
    C::Section(0),
    C::Section(1),
    C::Section(2),
    C::Section(3),
    C::Deceased,
    C::Determination,
    C::Reason,
];

/// The LA pilot's 17 (no "Occurred after").
pub const LOS_ANGELES: &[Column] = &[
    C::CaseNumber,
    C::ConvictionsOnRecord,
    C::PossibleOtherP64,
    C::Superstrikes,
    C::Pc290Sections,
    C::Pc290Registration,
    C::DateOfConviction,
    C::YearsSinceThis,
    C::YearsSinceAny,
    C::Prop64Count,
    C::Section(0),
    C::Section(1),
    C::Section(2),
    C::Section(3),
    C::Deceased,
    C::Determination,
    C::Reason,
];

/// The 2019 county pilots' 12.
pub const COUNTY_PILOT: &[Column] = &[
    C::CaseNumber,
    C::ConvictionsOnRecord,
    C::Superstrikes,
    C::Pc290Sections,
    C::Pc290Registration,
    C::DateOfConviction,
    C::YearsSinceThis,
    C::YearsSinceAny,
    C::Prop64Count,
    C::Deceased,
    C::Determination,
    C::Reason,
];

/// The column set of the program a policy reproduces.
pub fn columns_for(policy: &Policy) -> &'static [Column] {
    match policy.flow {
        FlowSpec::Configurable(_) | FlowSpec::Statute => RELEASED,
        FlowSpec::LosAngeles(_) => LOS_ANGELES,
        FlowSpec::CountyPilot(_) => COUNTY_PILOT,
    }
}

/// "Possible Other P64 Charges" of a row (spec §5.2): the comment when it names a
/// different Prop 64 charge than the offence description, else empty.
pub fn possible_other_p64<'a>(offense: &[u8], comment: &'a [u8]) -> &'a [u8] {
    let trimmed = trim_space(offense);
    if trimmed.is_empty() || trimmed == b"SEE COMMENT FOR CHARGE" {
        return b"";
    }
    let Some(c) = prop64_section(comment) else {
        return b"";
    };
    let Some(o) = prop64_section(offense) else {
        return comment;
    };
    if o != c {
        return comment;
    }
    if c != cmr_record::Prop64Section::S11357 {
        return b"";
    }
    let group = |l: u8| matches!(l, b'A' | b'B');
    match (sub_11357(offense), sub_11357(comment)) {
        (Some(a), Some(b)) if group(a) != group(b) => comment,
        (None, Some(_)) => comment,
        _ => b"",
    }
}

fn years(v: Option<f64>) -> Cow<'static, [u8]> {
    Cow::Owned(format!("{:.1}", v.unwrap_or(-1.0)).into_bytes())
}

fn count(n: usize) -> Cow<'static, [u8]> {
    Cow::Owned(n.to_string().into_bytes())
}

/// The text of one eligibility cell.
pub fn cell<'a>(column: Column, info: Option<&'a InfoBlock>, possible: &'a [u8]) -> Cow<'a, [u8]> {
    if column == C::PossibleOtherP64 {
        return Cow::Borrowed(possible);
    }
    let Some(b) = info else {
        return Cow::Borrowed(b"");
    };
    let text = |s: &'a str| Cow::Borrowed(s.as_bytes());
    let flag = |on: bool, yes: &'static str| Cow::Borrowed(if on { yes } else { "-" }.as_bytes());
    match column {
        C::CaseNumber => text(&b.case_number),
        C::ConvictionsOnRecord => count(b.convictions_on_record),
        C::PossibleOtherP64 => Cow::Borrowed(possible),
        C::OccurredAfter => Cow::Borrowed(if b.date > crate::flows::prop64_effective() {
            b"Y"
        } else {
            b"N"
        }),
        C::Superstrikes => text(&b.superstrikes),
        C::Pc290Sections => text(&b.pc290_sections),
        C::Pc290Registration => flag(b.pc290_registration, "Yes"),
        C::DateOfConviction => Cow::Owned(b.date.mmddyyyy().into_bytes()),
        C::YearsSinceThis => years(b.years_since_this),
        C::YearsSinceAny => years(b.years_since_any),
        C::Prop64Count => count(b.prop64_count),
        C::Section(i) => count(b.prop64_by_section[i]),
        C::Deceased => flag(b.deceased, "Deceased"),
        C::Determination => text(b.determination.outcome.as_str()),
        C::Reason => text(&b.determination.reason),
    }
}

/// The only columns [`GogenCsvWriter::write_row`] reads unescaped from a record that has
/// canonical text; every other field is copied as written. A reader may skip the rest.
pub const DECODED_COLUMNS: [usize; 2] = [col::OFFENSE_DESCR, col::COMMENT_TEXT];

/// The 95 input fields, copied through when the input already has Go's quoting.
fn write_doj_fields<W: Write>(w: &mut Writer<W>, record: &Record) {
    match record.canonical_text() {
        Some(text) => w.encoded_fields(text),
        None => {
            for i in 0..record.len() {
                w.field(record.field(i));
            }
        }
    }
}

/// Writes the three gogen CSVs for one input file.
pub struct GogenCsvWriter<W: Write> {
    columns: &'static [Column],
    all: Writer<W>,
    condensed: Writer<W>,
    evaluated: Writer<W>,
}

impl<W: Write> GogenCsvWriter<W> {
    /// Writes the three header lines.
    pub fn new(columns: &'static [Column], all: W, condensed: W, evaluated: W) -> io::Result<Self> {
        let mut w = GogenCsvWriter::rows_only(columns, all, condensed, evaluated);
        let extra = columns.iter().map(|c| c.header());
        w.all.record(NAMES.iter().copied().chain(extra.clone()))?;
        w.evaluated
            .record(NAMES.iter().copied().chain(extra.clone()))?;
        w.condensed
            .record(CONDENSED.iter().map(|&i| NAMES[i]).chain(extra))?;
        Ok(w)
    }

    /// A writer for a run of rows in the middle of the files (no header lines).
    pub fn rows_only(columns: &'static [Column], all: W, condensed: W, evaluated: W) -> Self {
        GogenCsvWriter {
            columns,
            all: Writer::new(all),
            condensed: Writer::new(condensed),
            evaluated: Writer::new(evaluated),
        }
    }

    /// Writes one input row; `info` is its info block when the flow evaluated it.
    pub fn write_row(&mut self, record: &Record, info: Option<&InfoBlock>) -> io::Result<()> {
        let possible = possible_other_p64(
            record.field(col::OFFENSE_DESCR),
            record.field(col::COMMENT_TEXT),
        );
        // At most 18 cells; a fixed array spares an allocation per row.
        let mut cells: [Cow<'_, [u8]>; 18] = Default::default();
        for (slot, &c) in cells.iter_mut().zip(self.columns) {
            *slot = cell(c, info, possible);
        }
        self.write_cells(record, &cells[..self.columns.len()], info.is_some())
    }

    /// Writes one input row with eligibility cells printed elsewhere (by the eligibility
    /// service): `printed` holds one cell per column of this writer for an evaluated row,
    /// `None` for a row the flow did not evaluate.
    pub fn write_printed_row(
        &mut self,
        record: &Record,
        printed: Option<&[&[u8]]>,
    ) -> io::Result<()> {
        match printed {
            Some(cells) => {
                if cells.len() != self.columns.len() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "{} printed cells for {} columns",
                            cells.len(),
                            self.columns.len()
                        ),
                    ));
                }
                self.write_cells(record, cells, true)
            }
            None => self.write_row(record, None),
        }
    }

    fn write_cells<C: AsRef<[u8]>>(
        &mut self,
        record: &Record,
        cells: &[C],
        evaluated: bool,
    ) -> io::Result<()> {
        let cells = cells.iter().map(AsRef::as_ref);
        write_doj_fields(&mut self.all, record);
        for &i in &CONDENSED {
            match record.encoded_field(i) {
                Some(encoded) => self.condensed.encoded_fields(encoded),
                None => self.condensed.field(record.field(i)),
            }
        }
        for c in cells.clone() {
            self.all.field(c);
            self.condensed.field(c);
        }
        if evaluated {
            write_doj_fields(&mut self.evaluated, record);
            for c in cells {
                self.evaluated.field(c);
            }
            self.evaluated.end_record()?;
        }
        self.all.end_record()?;
        self.condensed.end_record()?;
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<(W, W, W)> {
        self.all.flush()?;
        self.condensed.flush()?;
        self.evaluated.flush()?;
        Ok((
            self.all.into_inner(),
            self.condensed.into_inner(),
            self.evaluated.into_inner(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn possible_other_p64_examples_from_the_spec() {
        let p = |o: &str, c: &'static str| {
            String::from_utf8(possible_other_p64(o.as_bytes(), c.as_bytes()).to_vec()).unwrap()
        };
        assert_eq!(p("912", "11357(A)"), "11357(A)");
        assert_eq!(p("11358", "11359"), "11359");
        assert_eq!(p("11357(A)", "11357(C)"), "11357(C)");
        assert_eq!(p("11357(A)", "11357(B)"), "");
        assert_eq!(p("", "11357(A)"), "");
        assert_eq!(p("11357", "11357(D)"), "11357(D)");
        assert_eq!(p("11357(C)", "11357"), "");
        assert_eq!(p("11359 HS", "THIS IS A COMMENT"), "");
    }
}
