//! Disposition types and sentence text (spec §3.3).

use super::clean::{clean_sentence_text, collapse_spaces};
use super::model::{DispositionKind, Sentence, Term, TimeUnit};

/// Classifies the text after `DISPO:`. Spaces are ignored for the known types, so OCR's
/// `CO N VI CTE D` is still a conviction.
pub fn disposition_kind(text: &str) -> DispositionKind {
    let squeezed: String = text.chars().filter(|c| *c != ' ').collect();
    if squeezed.starts_with("CONVICTED") {
        DispositionKind::Convicted
    } else if squeezed.starts_with("DISMISSED") {
        DispositionKind::Dismissed
    } else if squeezed.starts_with("PROSREJ") {
        DispositionKind::ProsecutorRejected
    } else if squeezed.starts_with("SENTENCEMODIFIED") {
        DispositionKind::SentenceModified
    } else if squeezed.contains("SETASIDE") && squeezed.contains("1203.4") {
        DispositionKind::Pc1203Dismissed
    } else if squeezed.starts_with("PROBATIONREVOKED") {
        DispositionKind::ProbationRevoked
    } else {
        DispositionKind::Other(collapse_spaces(text))
    }
}

/// Which term an item of a sentence sets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TermKind {
    Probation,
    Jail,
    Prison,
}

fn term_kind(word: &str) -> Option<TermKind> {
    match word {
        "PROBATION" | "PROB" | "PRB" => Some(TermKind::Probation),
        "JAIL" | "JL" => Some(TermKind::Jail),
        "PRISON" | "PRIS" | "CDC" => Some(TermKind::Prison),
        _ => None,
    }
}

fn time_unit(word: &str) -> Option<TimeUnit> {
    match word {
        "YEARS" | "YEAR" | "YRS" | "YR" | "Y" => Some(TimeUnit::Years),
        "MONTHS" | "MONTH" | "MOS" | "MO" | "M" => Some(TimeUnit::Months),
        "DAYS" | "DAY" | "DS" | "DYS" | "D" => Some(TimeUnit::Days),
        _ => None,
    }
}

/// `036`, or `X2` as comments write it.
fn amount(word: &str) -> Option<u32> {
    let digits = word.strip_prefix('X').unwrap_or(word);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Parses a sentence list such as `036 MONTHS PROBATION, 060 DAYS JAIL, FINE, RESTN` or
/// the comment form `X2 YR PROB, 10 DS JL, FINE`. An item is a term only when it is
/// exactly `[amount unit] kind` (in either order); anything else (`JL WORK`, `IMP SEN SS`)
/// is kept as a detail, so nothing is silently turned into a duration.
pub fn parse_sentence(text: &str) -> Sentence {
    let text = clean_sentence_text(text);
    let mut sentence = Sentence::default();
    for item in text
        .split(',')
        .map(collapse_spaces)
        .filter(|i| !i.is_empty())
    {
        match parse_term(&item) {
            Some((kind, term)) => keep_longer(&mut sentence, kind, term),
            None => sentence.details.push(normalise_detail(&item)),
        }
    }
    sentence
}

fn parse_term(item: &str) -> Option<(TermKind, Term)> {
    let words: Vec<&str> = item.split(' ').collect();
    match words.as_slice() {
        [kind] => Some((
            term_kind(kind)?,
            Term {
                amount: 0,
                unit: TimeUnit::Days,
            },
        )),
        [a, b, c] => timed_term(a, b, c).or_else(|| timed_term(b, c, a)),
        _ => None,
    }
}

/// `036 MONTHS PROBATION`.
fn timed_term(n: &str, unit: &str, kind: &str) -> Option<(TermKind, Term)> {
    Some((
        term_kind(kind)?,
        Term {
            amount: amount(n)?,
            unit: time_unit(unit)?,
        },
    ))
}

/// Two terms of one kind in one sentence (rare; usually a wrapped duplicate): keep the
/// longer rather than guess how they combine.
fn keep_longer(sentence: &mut Sentence, kind: TermKind, term: Term) {
    let slot = match kind {
        TermKind::Probation => &mut sentence.probation,
        TermKind::Jail => &mut sentence.jail,
        TermKind::Prison => &mut sentence.prison,
    };
    if slot.is_none_or(|old| old.hours() < term.hours()) {
        *slot = Some(term);
    }
}

/// Lower-case detail with the spec's normalisations.
fn normalise_detail(item: &str) -> String {
    match item {
        "RESTN" | "RSTN" | "RESTITUTION" => "restitution".to_string(),
        "FINE SS" | "FINE S/S" => "fine suspended".to_string(),
        "CONCURRENT" | "CONC" | "CC" => "concurrent".to_string(),
        other => other.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(amount: u32, unit: TimeUnit) -> Option<Term> {
        Some(Term { amount, unit })
    }

    #[test]
    fn reads_terms_and_details() {
        let s = parse_sentence("036 MONTHS PROBATION, 060 DAYS JAIL, FINE, FINESS, RESIN");
        assert_eq!(s.probation, term(36, TimeUnit::Months));
        assert_eq!(s.jail, term(60, TimeUnit::Days));
        assert_eq!(s.prison, None);
        assert_eq!(s.details, ["fine", "fine suspended", "restitution"]);

        let s = parse_sentence("X2 YR PROB, 10 DS JL, JL WORK, PRISON");
        assert_eq!(s.probation, term(2, TimeUnit::Years));
        assert_eq!(s.jail, term(10, TimeUnit::Days));
        assert_eq!(s.prison, term(0, TimeUnit::Days));
        assert_eq!(s.details, ["jl work"]);
    }

    #[test]
    fn classifies_dispositions() {
        assert_eq!(
            disposition_kind("CO N VI CTE D"),
            DispositionKind::Convicted
        );
        assert_eq!(
            disposition_kind("CONV SET ASIDE & DISM PER 1203.4 PC"),
            DispositionKind::Pc1203Dismissed
        );
        assert_eq!(
            disposition_kind("PROS REJ-LACK OF CORPUS"),
            DispositionKind::ProsecutorRejected
        );
        assert_eq!(
            disposition_kind("NO  LONGER REQUIRED TO REGISTER/DRUG REG"),
            DispositionKind::Other("NO LONGER REQUIRED TO REGISTER/DRUG REG".into())
        );
    }
}
