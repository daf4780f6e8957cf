//! The 95 columns of the CA DOJ research file, in file order (spec §1.1).
//!
//! gogen addresses columns by position, never by header name, so do we: a file with
//! reordered columns is misread exactly as gogen would misread it.

/// Number of fields every data record must have.
pub const FIELD_COUNT: usize = 95;

/// Column names in file order; index = column position.
pub const NAMES: [&str; FIELD_COUNT] = [
    "RECORD_ID",
    "SUBJECT_STATUS",
    "SUBJECT_ID",
    "REQ_SEG_SEP",
    "REQ_CII_NUMBER",
    "REQ_NAME",
    "REQ_GENDER",
    "REQ_DOB",
    "REQ_CDL",
    "REQ_SSN",
    "PII_SEG_SEP",
    "CII_NUMBER",
    "PRI_NAME",
    "GENDER",
    "PRI_DOB",
    "PRI_SSN",
    "PRI_CDL",
    "PRI_IDN",
    "PRI_INN",
    "FBI_NUMBER",
    "PDR_SEG_SEP",
    "RACE_CODE",
    "RACE_DESCR",
    "EYE_COLOR_CODE",
    "EYE_COLOR_DESCR",
    "HAIR_COLOR_CODE",
    "HAIR_COLOR_DESCR",
    "HEIGHT",
    "WEIGHT",
    "SINGLE_SOURCE",
    "MULTI_SOURCE",
    "POB_CODE",
    "POB_NAME",
    "POB_TYPE",
    "CITIZENSHIP_LIST",
    "CYC_SEG_SEP",
    "CYC_ORDER",
    "CYC_DATE",
    "STP_SEG_SEP",
    "STP_ORDER",
    "STP_EVENT_DATE",
    "STP_TYPE_CODE",
    "STP_TYPE_DESCR",
    "STP_ORI_TYPE",
    "STP_ORI_TYPE_DESCR",
    "STP_ORI_CODE",
    "STP_ORI_DESCR",
    "STP_ORI_CNTY_CODE",
    "STP_ORI_CNTY_NAME",
    "CNT_SEG_SEP",
    "CNT_ORDER",
    "DISP_DATE",
    "OFN",
    "OFFENSE_CODE",
    "OFFENSE_DESCR",
    "OFFENSE_TOC",
    "OFFENSE_QUAL_LST",
    "DISP_OFFENSE_CODE",
    "DISP_OFFENSE_DESCR",
    "DISP_OFFENSE_TOC",
    "DISP_OFFENSE_QUAL_LST",
    "CONV_OFFENSE_ORDER",
    "CONV_OFFENSE_CODE",
    "CONV_OFFENSE_DESCR",
    "CONV_OFFENSE_TOC",
    "CONV_OFFENSE_QUAL_LST",
    "FE_NUM_ORDER",
    "FE_NUM_ARR_AGY",
    "FE_NUM_BNCH_WARR",
    "FE_NUM_CITE",
    "FE_NUM_DOCKET",
    "FE_NUM_INCIDENT",
    "FE_NUM_BOOKING",
    "FE_NUM_NUMBER",
    "FE_NUM_REMAND",
    "FE_NUM_OOS_INN",
    "FE_NUM_CRT_CASE",
    "FE_NUM_WARRANT",
    "DISP_ORDER",
    "DISP_CODE",
    "DISP_DESCR",
    "CONV_STAT_CODE",
    "CONV_STAT_DESCR",
    "SENT_SEG_SEP",
    "SENT_ORDER",
    "SENT_LOC_CODE",
    "SENT_LOC_DESCR",
    "SENT_LENGTH",
    "SENT_TIME_CODE",
    "SENT_TIME_DESCR",
    "CYC_AGE",
    "CII_TYPE",
    "CII_TYPE_ALPHA",
    "COMMENT_TEXT",
    "END_OF_REC",
];

pub const SUBJECT_ID: usize = 2;
pub const CII_NUMBER: usize = 11;
pub const PRI_NAME: usize = 12;
pub const GENDER: usize = 13;
pub const PRI_DOB: usize = 14;
pub const PRI_SSN: usize = 15;
pub const PRI_CDL: usize = 16;
pub const RACE_DESCR: usize = 22;
pub const CYC_ORDER: usize = 36;
pub const CYC_DATE: usize = 37;
pub const STP_EVENT_DATE: usize = 40;
pub const STP_TYPE_DESCR: usize = 42;
pub const STP_ORI_DESCR: usize = 46;
pub const STP_ORI_CNTY_NAME: usize = 48;
pub const CNT_ORDER: usize = 50;
pub const DISP_DATE: usize = 51;
pub const OFN: usize = 52;
pub const OFFENSE_DESCR: usize = 54;
pub const OFFENSE_TOC: usize = 55;
pub const FE_NUM_CRT_CASE: usize = 76;
pub const DISP_DESCR: usize = 80;
pub const CONV_STAT_DESCR: usize = 82;
pub const SENT_LOC_DESCR: usize = 86;
pub const SENT_LENGTH: usize = 87;
pub const SENT_TIME_CODE: usize = 88;
pub const CYC_AGE: usize = 90;
pub const COMMENT_TEXT: usize = 93;
pub const END_OF_REC: usize = 94;

/// The 20 DOJ columns of the condensed output (spec §5.2), in output order.
pub const CONDENSED: [usize; 20] = [
    CII_NUMBER,
    PRI_NAME,
    GENDER,
    PRI_DOB,
    RACE_DESCR,
    CYC_DATE,
    STP_EVENT_DATE,
    STP_ORI_DESCR,
    STP_ORI_CNTY_NAME,
    DISP_DATE,
    OFN,
    OFFENSE_DESCR,
    DISP_DESCR,
    CONV_STAT_DESCR,
    SENT_LOC_DESCR,
    SENT_LENGTH,
    SENT_TIME_CODE,
    CYC_AGE,
    COMMENT_TEXT,
    END_OF_REC,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_indexes_match_the_name_table() {
        let pairs = [
            (SUBJECT_ID, "SUBJECT_ID"),
            (CII_NUMBER, "CII_NUMBER"),
            (PRI_NAME, "PRI_NAME"),
            (PRI_DOB, "PRI_DOB"),
            (PRI_SSN, "PRI_SSN"),
            (PRI_CDL, "PRI_CDL"),
            (CYC_ORDER, "CYC_ORDER"),
            (STP_EVENT_DATE, "STP_EVENT_DATE"),
            (STP_TYPE_DESCR, "STP_TYPE_DESCR"),
            (STP_ORI_CNTY_NAME, "STP_ORI_CNTY_NAME"),
            (CNT_ORDER, "CNT_ORDER"),
            (OFN, "OFN"),
            (OFFENSE_DESCR, "OFFENSE_DESCR"),
            (OFFENSE_TOC, "OFFENSE_TOC"),
            (FE_NUM_CRT_CASE, "FE_NUM_CRT_CASE"),
            (DISP_DESCR, "DISP_DESCR"),
            (CONV_STAT_DESCR, "CONV_STAT_DESCR"),
            (SENT_LENGTH, "SENT_LENGTH"),
            (SENT_TIME_CODE, "SENT_TIME_CODE"),
            (CYC_AGE, "CYC_AGE"),
            (COMMENT_TEXT, "COMMENT_TEXT"),
            (END_OF_REC, "END_OF_REC"),
        ];
        for (idx, name) in pairs {
            assert_eq!(NAMES[idx], name);
        }
    }
}
