//! OCR and PDF noise repair (spec §3.4), applied line by line before any parsing so that
//! the grammar only ever sees upper-case ASCII-ish text with plain spaces.

/// Whole-word repairs that are safe anywhere on a line: each wrong form never occurs in a
/// correct sheet.
const ANYWHERE: &[(&str, &str)] = &[
    ("\u{25af}RR/PET/CITE", "ARR/DET/CITE"),
    ("ARR/PET/CITE", "ARR/DET/CITE"),
    ("CONV STATIS.", "CONV STATUS:"),
    ("CONV STATIS", "CONV STATUS"),
    ("TNFRACTION", "INFRACTION"),
    ("COMVICT", "CONVICT"),
];

/// Repairs only at the start of a line (after stray punctuation), where the wrong form
/// is an event or count tag; elsewhere the same letters may be ordinary words.
const LINE_START: &[(&str, &str)] = &[("CHT", "CNT"), ("CN\u{cd}", "CNT"), ("COURI", "COURT")];

/// Repairs inside sentence text only: `RESIN` is a real word in drug descriptions.
const IN_SENTENCE: &[(&str, &str)] = &[("RESIN", "RESTN"), ("FINESS", "FINE SS")];

/// Characters the grammar tolerates as stray punctuation at the start of a line.
pub(crate) const STRAY: &[char] = &['.', '\u{b7}', '\'', '*', ':', '`', ','];

/// Splits the text into lines (line `i` of the result is sheet line `i + 1`) and cleans
/// each one.
pub fn clean_lines(text: &str) -> Vec<String> {
    text.split('\n').map(clean_line).collect()
}

/// Upper-cases, turns every kind of space into a plain space, drops form feeds and
/// carriage returns, folds the accented capitals OCR produces, and applies the
/// substitution table.
pub fn clean_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for ch in line.chars() {
        match ch {
            '\u{c}' | '\r' => {}
            '\u{a0}' | '\u{2007}' | '\u{202f}' | '\t' => out.push(' '),
            '\u{2013}' | '\u{2014}' | '\u{2212}' => out.push('-'),
            _ => out.extend(ch.to_uppercase()),
        }
    }
    let mut out = out
        .replace(['\u{c9}'], "E")
        .replace(['\u{c7}'], "C")
        .replace(['\u{d3}'], "O");
    for (wrong, right) in ANYWHERE {
        if out.contains(wrong) {
            out = out.replace(wrong, right);
        }
    }
    fix_line_start(&out)
}

fn fix_line_start(line: &str) -> String {
    let body = line.trim_start_matches(|c: char| c == ' ' || STRAY.contains(&c));
    let lead = &line[..line.len() - body.len()];
    for (wrong, right) in LINE_START {
        if let Some(rest) = body.strip_prefix(wrong) {
            return format!("{lead}{right}{rest}");
        }
    }
    line.to_string()
}

/// Sentence-only repairs, applied to whole words.
pub fn clean_sentence_text(text: &str) -> String {
    let mut out = text.to_string();
    for (wrong, right) in IN_SENTENCE {
        out = replace_word(&out, wrong, right);
    }
    out
}

/// Replaces `wrong` where it is a whole word (not inside a longer run of letters/digits).
fn replace_word(text: &str, wrong: &str, right: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(wrong) {
        let before_ok = !rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let after = &rest[at + wrong.len()..];
        let after_ok = !after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        out.push_str(&rest[..at]);
        out.push_str(if before_ok && after_ok { right } else { wrong });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The line without leading stray punctuation and spaces, and without trailing spaces.
pub fn strip_stray(line: &str) -> &str {
    line.trim_start_matches(|c: char| c == ' ' || STRAY.contains(&c))
        .trim_end()
}

/// The line with stray punctuation stripped and every space removed: the form prefix
/// tests use, so that `DI SP O:` and `CNT :003` read as `DISPO:` and `CNT:003`.
pub fn compact(line: &str) -> String {
    strip_stray(line).chars().filter(|c| *c != ' ').collect()
}

/// Collapses runs of spaces and trims.
pub fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// If `line` (stray punctuation skipped) starts with `keyword`, allowing spaces between
/// its letters, returns what follows it with an optional `:` or `;` separator skipped,
/// and whether a separator was there.
pub fn after_keyword<'a>(line: &'a str, keyword: &str) -> Option<(&'a str, bool)> {
    let mut rest = strip_stray(line);
    for k in keyword.chars() {
        rest = rest.trim_start_matches(' ');
        rest = rest.strip_prefix(k)?;
    }
    let trimmed = rest.trim_start_matches(' ');
    match trimmed.strip_prefix([':', ';']) {
        Some(value) => Some((value.trim(), true)),
        None => Some((trimmed.trim(), false)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_the_substitution_table() {
        assert_eq!(clean_line("cht:01"), "CNT:01");
        assert_eq!(clean_line("  CN\u{ed}:02"), "  CNT:02");
        assert_eq!(
            clean_line("\u{25af}RR/PET/CITE: NAM:01"),
            "ARR/DET/CITE: NAM:01"
        );
        assert_eq!(clean_line("COURI:\u{a0}NAM:01\u{c}"), "COURT: NAM:01");
        assert_eq!(
            clean_line("  CONV STATIS.TNFRACTION"),
            "  CONV STATUS:INFRACTION"
        );
        assert_eq!(clean_line("DISPO:COMVICTED"), "DISPO:CONVICTED");
        assert_eq!(clean_line("11359 HS\u{2013}SALE"), "11359 HS-SALE");
        assert_eq!(clean_line("R\u{c9}SIDENCE"), "RESIDENCE");
        assert_eq!(
            clean_sentence_text("FINE, RESIN, FINESS"),
            "FINE, RESTN, FINE SS"
        );
        assert_eq!(clean_sentence_text("RESINS,XRESIN"), "RESINS,XRESIN");
    }

    #[test]
    fn keywords_tolerate_spaces_and_separators() {
        assert_eq!(
            after_keyword(" *DI SP O; CONVICTED", "DISPO"),
            Some(("CONVICTED", true))
        );
        assert_eq!(after_keyword("CNT :003", "CNT"), Some(("003", true)));
        assert_eq!(after_keyword("COUNT", "CNT"), None);
        assert_eq!(compact(" * CONV STATUS: FELONY"), "CONVSTATUS:FELONY");
    }
}
