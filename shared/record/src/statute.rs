//! Cannabis code sections read the way the statute policy needs them: on section
//! boundaries (`111357` is not 11357, `11357.5` is not 11357), with attempts recognised in
//! every common form (`664-11359`, `664/11359`, `664.11359`, `66411359`, and the suffix
//! forms `11359/664`, `11359-664`), and with the subdivision kept (`11357(B)` is 11357(b)).
//!
//! gogen's matchers (see [`crate::sections`]) are substring searches and stay as they are
//! for the gogen-compatible policies.

/// The cannabis sections the statute policy decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CannabisSection {
    /// H&S 11357: possession.
    S11357,
    /// H&S 11358: cultivation.
    S11358,
    /// H&S 11359: possession for sale.
    S11359,
    /// H&S 11360: transport, sale, giving away.
    S11360,
    /// H&S 11361 (minors) and 11362.x: cannabis, but not a Prop 64 relief section.
    Other,
}

impl CannabisSection {
    pub fn as_str(self) -> &'static str {
        match self {
            CannabisSection::S11357 => "11357",
            CannabisSection::S11358 => "11358",
            CannabisSection::S11359 => "11359",
            CannabisSection::S11360 => "11360",
            CannabisSection::Other => "other",
        }
    }
}

/// A cannabis charge read from a code-section text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CannabisCharge {
    pub section: CannabisSection,
    /// The section number as written, e.g. `11362.1` (for `Other`) or `11359`.
    pub number: String,
    /// The first subdivision, lower case: `11357(B)` gives `Some('b')`.
    pub subdivision: Option<char>,
    /// An attempt (PC 664), treated as the completed offence.
    pub attempt: bool,
}

const ATTEMPT: &str = "664";

impl CannabisCharge {
    /// Reads the first section number in `text` (at a boundary) as a cannabis charge.
    pub fn parse(text: &[u8]) -> Option<CannabisCharge> {
        let text = std::str::from_utf8(text).ok()?.to_ascii_uppercase();
        let bytes = text.as_bytes();
        let start = (0..bytes.len())
            .find(|&i| bytes[i].is_ascii_digit() && (i == 0 || !is_section_char(bytes[i - 1])))?;
        let rest = &text[start..];
        let (mut attempt, rest) = strip_attempt_prefix(rest);
        let number_len = section_number_len(rest);
        let number = &rest[..number_len];
        let after = &rest[number_len..];
        let section = classify(number)?;
        let (subdivision, after) = subdivision(after);
        attempt |= has_attempt_suffix(after);
        Some(CannabisCharge {
            section,
            number: number.to_owned(),
            subdivision,
            attempt,
        })
    }

    /// `11357(b)`, `664-11359`: the charge as the decision table names it.
    pub fn describe(&self) -> String {
        let sub = self
            .subdivision
            .map(|c| format!("({c})"))
            .unwrap_or_default();
        let attempt = if self.attempt { "664-" } else { "" };
        format!("{attempt}{}{sub}", self.number)
    }
}

/// Characters that continue a section number: digits, letters (`273AB`) and `.`.
fn is_section_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.'
}

/// `664-`, `664/`, `664.` or `664` directly followed by a five-digit cannabis section.
fn strip_attempt_prefix(text: &str) -> (bool, &str) {
    let Some(after) = text.strip_prefix(ATTEMPT) else {
        return (false, text);
    };
    if let Some(rest) = after.strip_prefix(['-', '/', '.'])
        && rest.starts_with(|c: char| c.is_ascii_digit())
    {
        return (true, rest);
    }
    // `66411359`: the attempt prefix run together with the section.
    if after.len() >= 5 && after.as_bytes()[..5].iter().all(u8::is_ascii_digit) {
        let joined = &after[..section_number_len(after)];
        if classify(joined).is_some() {
            return (true, after);
        }
    }
    (false, text)
}

/// Length of the section number at the start: digits, then `.digits` groups.
fn section_number_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    while i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
        i += 1;
        i += bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    }
    i
}

fn classify(number: &str) -> Option<CannabisSection> {
    Some(match number {
        "11357" => CannabisSection::S11357,
        "11358" => CannabisSection::S11358,
        "11359" => CannabisSection::S11359,
        "11360" => CannabisSection::S11360,
        "11361" | "11362" => CannabisSection::Other,
        n if n.starts_with("11361.") || n.starts_with("11362.") => CannabisSection::Other,
        _ => return None,
    })
}

/// The first `(X)` after the number; a letter or digit run inside the brackets.
fn subdivision(text: &str) -> (Option<char>, &str) {
    let trimmed = text.trim_start();
    if let Some(inner) = trimmed.strip_prefix('(')
        && let Some(close) = inner.find(')')
    {
        let sub = inner[..close].trim().chars().next();
        return (sub.map(|c| c.to_ascii_lowercase()), &inner[close + 1..]);
    }
    (None, text)
}

/// `/664`, `-664` or `.664` right after the section (and its subdivisions).
fn has_attempt_suffix(text: &str) -> bool {
    let mut rest = text;
    // Skip further subdivisions, e.g. `11360(A)(1)/664`.
    while let Some(inner) = rest.strip_prefix('(') {
        match inner.find(')') {
            Some(close) => rest = &inner[close + 1..],
            None => break,
        }
    }
    rest.strip_prefix(['-', '/', '.'])
        .and_then(|r| r.strip_prefix(ATTEMPT))
        .is_some_and(|r| !r.starts_with(|c: char| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(text: &str) -> Option<(CannabisSection, Option<char>, bool)> {
        CannabisCharge::parse(text.as_bytes()).map(|c| (c.section, c.subdivision, c.attempt))
    }

    #[test]
    fn attempts_in_every_common_form_are_the_completed_offence() {
        for text in [
            "664-11359 HS",
            "664/11359 HS",
            "664.11359 HS",
            "66411359 HS",
            "11359/664 HS",
            "11359-664 HS",
        ] {
            assert_eq!(
                charge(text),
                Some((CannabisSection::S11359, None, true)),
                "{text}"
            );
        }
        assert_eq!(
            charge("664.11357(C) HS"),
            Some((CannabisSection::S11357, Some('c'), true))
        );
    }

    #[test]
    fn sections_match_on_boundaries_only() {
        assert_eq!(charge("111357 HS"), None);
        assert_eq!(charge("113570 HS"), None);
        assert_eq!(charge("11357.5 HS"), None, "synthetic cannabinoids");
        assert_eq!(charge("A11357 HS"), None);
        assert_eq!(
            charge("11357 HS"),
            Some((CannabisSection::S11357, None, false))
        );
        assert_eq!(
            charge("11357(b) HS"),
            Some((CannabisSection::S11357, Some('b'), false))
        );
        assert_eq!(
            charge("11360(A)(1) HS"),
            Some((CannabisSection::S11360, Some('a'), false))
        );
        assert_eq!(charge("6641135 HS"), None);
        assert_eq!(charge("11359.664 HS").map(|c| c.0), None, "not a section");
    }

    #[test]
    fn other_cannabis_sections_are_recognised() {
        for text in ["11362.1 HS", "11362.3(A)(1) HS", "11361 HS", "11361.5 HS"] {
            assert_eq!(
                charge(text).map(|c| c.0),
                Some(CannabisSection::Other),
                "{text}"
            );
        }
        assert_eq!(charge("11363 HS"), None);
        assert_eq!(charge("11350 HS"), None);
    }

    #[test]
    fn describe_names_the_charge() {
        let c = CannabisCharge::parse(b"664/11357(B) HS").expect("charge");
        assert_eq!(c.describe(), "664-11357(b)");
    }
}
