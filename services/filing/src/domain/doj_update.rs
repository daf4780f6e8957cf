//! The DOJ criminal-history update file, format `cmr-doj-update/1`: a header line, then one
//! line per granted count, Go `encoding/csv` quoting (a field is quoted only when it holds a
//! comma, a quote, a CR or LF, or starts with a space or tab; quotes are doubled), `"\n"`
//! line ends, no BOM. Pure: rows in, bytes out.

/// The format name carried in docs and file names.
pub const FORMAT: &str = "cmr-doj-update/1";

/// The header line's columns, in order.
pub const COLUMNS: [&str; 10] = [
    "SUBJECT_ID",
    "CII_NUMBER",
    "CNT_ORDER",
    "COURT_ORI",
    "CASE_NUMBER",
    "ORDER_DATE",
    "ORDER_NUMBER",
    "RELIEF_TYPE",
    "NEW_OFFENSE_LEVEL",
    "CODE_SECTION",
];

/// One granted count the DOJ must record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DojRow {
    pub subject_id: String,
    pub cii_number: String,
    pub cnt_order: String,
    pub court_ori: String,
    pub case_number: String,
    /// `yyyymmdd` of the order.
    pub order_date: i32,
    pub order_number: String,
    /// ReliefType name without its prefix, e.g. `DISMISS_AND_SEAL`.
    pub relief_type: String,
    /// `M`, `I` or empty.
    pub new_offense_level: String,
    pub code_section: String,
    /// Tie-breaker for the order only (not written).
    pub filing_id: String,
}

/// The proto `ReliefType` value's name without its prefix.
#[must_use]
pub fn relief_type_name(value: i32) -> &'static str {
    match value {
        1 => "DISMISS_AND_SEAL",
        2 => "REDESIGNATE_MISDEMEANOR",
        3 => "REDESIGNATE_INFRACTION",
        4 => "RECALL_AND_DISMISS",
        5 => "RECALL_AND_RESENTENCE",
        _ => "",
    }
}

/// The level after relief: `M` for a redesignation to a misdemeanor, `I` to an infraction,
/// for a resentence the level it was reduced to (proto `Severity` `reduce_to`); empty when
/// the conviction is dismissed.
#[must_use]
pub fn new_offense_level(relief_type: i32, reduce_to: i32) -> &'static str {
    match (relief_type, reduce_to) {
        (2, _) | (5, 2) => "M",
        (3, _) | (5, 3) => "I",
        (5, 1) => "F",
        _ => "",
    }
}

fn needs_quotes(field: &str) -> bool {
    if field.is_empty() {
        return false;
    }
    if field == r"\." {
        return true;
    }
    if field.contains([',', '"', '\r', '\n']) {
        return true;
    }
    field.chars().next().is_some_and(char::is_whitespace)
}

fn write_field(out: &mut String, field: &str) {
    if needs_quotes(field) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

fn write_line<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_field(out, field);
    }
    out.push('\n');
}

/// The file: header, then `rows` ordered by subject id, CNT_ORDER, then filing id.
#[must_use]
pub fn write_csv(mut rows: Vec<DojRow>) -> Vec<u8> {
    rows.sort_by(|a, b| {
        (&a.subject_id, &a.cnt_order, &a.filing_id).cmp(&(
            &b.subject_id,
            &b.cnt_order,
            &b.filing_id,
        ))
    });
    let mut out = String::new();
    write_line(&mut out, COLUMNS);
    for row in &rows {
        let date = if row.order_date > 0 {
            format!("{:08}", row.order_date)
        } else {
            String::new()
        };
        write_line(
            &mut out,
            [
                row.subject_id.as_str(),
                &row.cii_number,
                &row.cnt_order,
                &row.court_ori,
                &row.case_number,
                &date,
                &row.order_number,
                &row.relief_type,
                &row.new_offense_level,
                &row.code_section,
            ],
        );
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(subject: &str, cnt: &str) -> DojRow {
        DojRow {
            subject_id: subject.into(),
            cii_number: "A12345678".into(),
            cnt_order: cnt.into(),
            court_ori: "CA034015J".into(),
            case_number: "12F01234".into(),
            order_date: 20_261_201,
            order_number: "ORD-1".into(),
            relief_type: "DISMISS_AND_SEAL".into(),
            new_offense_level: String::new(),
            code_section: "11357 HS".into(),
            filing_id: "F1".into(),
        }
    }

    #[test]
    fn header_only_when_empty() {
        assert_eq!(
            String::from_utf8(write_csv(Vec::new())).unwrap(),
            "SUBJECT_ID,CII_NUMBER,CNT_ORDER,COURT_ORI,CASE_NUMBER,ORDER_DATE,ORDER_NUMBER,RELIEF_TYPE,NEW_OFFENSE_LEVEL,CODE_SECTION\n"
        );
    }

    #[test]
    fn rows_are_sorted_and_quoted_like_go() {
        let mut b = row("200", "001002000000");
        b.case_number = "12F01234, 12F05678".into();
        b.relief_type = "REDESIGNATE_MISDEMEANOR".into();
        b.new_offense_level = "M".into();
        b.code_section = "11359 \"HS\"".into();
        let mut a = row("100", "001001000000");
        a.order_number = " 77".into();
        a.cii_number = String::new();
        let c = row("100", "001000000000");
        let text = String::from_utf8(write_csv(vec![b, a, c])).unwrap();
        assert_eq!(
            text,
            "SUBJECT_ID,CII_NUMBER,CNT_ORDER,COURT_ORI,CASE_NUMBER,ORDER_DATE,ORDER_NUMBER,RELIEF_TYPE,NEW_OFFENSE_LEVEL,CODE_SECTION\n\
             100,A12345678,001000000000,CA034015J,12F01234,20261201,ORD-1,DISMISS_AND_SEAL,,11357 HS\n\
             100,,001001000000,CA034015J,12F01234,20261201,\" 77\",DISMISS_AND_SEAL,,11357 HS\n\
             200,A12345678,001002000000,CA034015J,\"12F01234, 12F05678\",20261201,ORD-1,REDESIGNATE_MISDEMEANOR,M,\"11359 \"\"HS\"\"\"\n"
        );
    }

    #[test]
    fn go_quoting_rules() {
        assert!(!needs_quotes(""));
        assert!(needs_quotes(r"\."));
        assert!(needs_quotes("a\nb"));
        assert!(needs_quotes("\tx"));
        assert!(!needs_quotes("x y"));
    }

    #[test]
    fn levels_after_relief() {
        assert_eq!(new_offense_level(1, 0), "");
        assert_eq!(new_offense_level(2, 0), "M");
        assert_eq!(new_offense_level(3, 0), "I");
        assert_eq!(new_offense_level(5, 2), "M");
        assert_eq!(relief_type_name(4), "RECALL_AND_DISMISS");
    }
}
