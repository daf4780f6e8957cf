//! Charge lines: `<section> <CODE>-<description>` (spec §3.2).

use super::clean::strip_stray;
use super::model::Severity;

/// The two-letter code abbreviations a charge line can use. Unknown two-letter codes
/// are still accepted when a `-` follows them directly, as on every printed charge.
const CODES: &[&str] = &[
    "PC", "HS", "VC", "BP", "WI", "GC", "FG", "CC", "UI", "RT", "HN", "PR", "FA", "EC", "CI", "LC",
    "IC", "EL", "MC", "US",
];

/// A parsed charge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Charge {
    pub code: String,
    pub section: String,
    pub description: String,
    pub attempted: bool,
    pub toc: Option<Severity>,
}

/// Parses a charge (a count's charge line, or the text after `CHRG-` in a comment, where
/// the description follows the code without a `-`). `None` when the text does not start
/// like a section (a digit).
pub fn parse_charge(text: &str) -> Option<Charge> {
    let text = strip_stray(text);
    if !text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let (section_text, code, rest) = split_at_code(&tokens);
    let (description, toc) = take_toc(rest.trim_start_matches([' ', '-']).trim());
    let (section, attempted) = strip_attempt(&normalise_section(&section_text));
    Some(Charge {
        code,
        section,
        description,
        attempted,
        toc,
    })
}

/// Splits the tokens into section text, code and the rest (description).
fn split_at_code(tokens: &[&str]) -> (String, String, String) {
    for (i, token) in tokens.iter().enumerate().skip(1) {
        if let Some(after) = code_token(token) {
            let mut rest = after.to_string();
            for t in &tokens[i + 1..] {
                rest.push(' ');
                rest.push_str(t);
            }
            return (tokens[..i].concat(), token[..2].to_string(), rest);
        }
    }
    let first = tokens.first().copied().unwrap_or_default();
    if let Some(split) = glued_code(first) {
        return (split.0, split.1, join_rest(split.2, &tokens[1..]));
    }
    // No code at all (`11360(B) SELL/FURNISH...`): the first token is the section.
    let (section, after) = match first.find('-') {
        Some(at) if first[at + 1..].starts_with(|c: char| c.is_ascii_alphabetic()) => {
            (&first[..at], &first[at..])
        }
        _ => (first, ""),
    };
    (
        section.to_string(),
        String::new(),
        join_rest(after.to_string(), &tokens[1..]),
    )
}

fn join_rest(mut head: String, tokens: &[&str]) -> String {
    for t in tokens {
        head.push(' ');
        head.push_str(t);
    }
    head
}

/// `HS`, `HS-DESCRIPTION` or a two-letter unknown code followed by `-`: returns the text
/// after the code.
fn code_token(token: &str) -> Option<&str> {
    let head = token.get(..2)?;
    let after = &token[2..];
    if !head.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let known = CODES.contains(&head);
    if (known && (after.is_empty() || after.starts_with('-'))) || after.starts_with('-') {
        Some(after)
    } else {
        None
    }
}

/// `11359HS-INTENT`: a known code glued to the section.
fn glued_code(token: &str) -> Option<(String, String, String)> {
    CODES.iter().find_map(|code| {
        let at = token.find(code)?;
        let before_ok = token[..at].ends_with(|c: char| c.is_ascii_digit() || c == ')');
        let after = &token[at + 2..];
        (before_ok && (after.is_empty() || after.starts_with('-'))).then(|| {
            (
                token[..at].to_string(),
                (*code).to_string(),
                after.to_string(),
            )
        })
    })
}

/// A trailing `TOC:F` on the charge line.
fn take_toc(description: &str) -> (String, Option<Severity>) {
    if let Some(at) = description.rfind("TOC:") {
        let value = description[at + 4..].trim();
        if value.len() == 1 {
            return (
                description[..at].trim_end().to_string(),
                Severity::from_text(value),
            );
        }
    }
    (description.to_string(), None)
}

/// Lower case, no spaces, commas read as periods (an OCR fix).
pub fn normalise_section(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if c == ',' {
                '.'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// Removes a `664` attempt prefix or suffix (`664/11359`, `664-11359`, `664.11359`,
/// `11359/664`). The other side must start with at least three digits, so a section that
/// merely begins with `664` (like `664.1`) is left alone.
pub fn strip_attempt(section: &str) -> (String, bool) {
    for sep in ['/', '-', '.'] {
        if let Some(rest) = section
            .strip_prefix("664")
            .and_then(|r| r.strip_prefix(sep))
            && starts_with_section_number(rest)
        {
            return (rest.to_string(), true);
        }
        if let Some(rest) = section
            .strip_suffix("664")
            .and_then(|r| r.strip_suffix(sep))
            && starts_with_section_number(rest)
        {
            return (rest.to_string(), true);
        }
    }
    (section.to_string(), false)
}

fn starts_with_section_number(text: &str) -> bool {
    text.bytes().take_while(u8::is_ascii_digit).count() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(code: &str, section: &str, description: &str, attempted: bool) -> Option<Charge> {
        Some(Charge {
            code: code.into(),
            section: section.into(),
            description: description.into(),
            attempted,
            toc: None,
        })
    }

    #[test]
    fn reads_charge_forms() {
        let cases = [
            (
                "  11360(A) HS-TRANSPORT/SELL MARIJUANA",
                charge("HS", "11360(a)", "TRANSPORT/SELL MARIJUANA", false),
            ),
            (
                "11357 (B) HS POSSESS MARIJUANA",
                charge("HS", "11357(b)", "POSSESS MARIJUANA", false),
            ),
            (
                "664/11359 HS-POSSESS FOR SALE",
                charge("HS", "11359", "POSSESS FOR SALE", true),
            ),
            ("664-187 PC-MURDER", charge("PC", "187", "MURDER", true)),
            ("11359.664 HS-X", charge("HS", "11359", "X", true)),
            ("664.1 PC-X", charge("PC", "664.1", "X", false)),
            (
                "11359HS-INTENT SELL",
                charge("HS", "11359", "INTENT SELL", false),
            ),
            (
                "4149 BP - UNLICENSED SALE",
                charge("BP", "4149", "UNLICENSED SALE", false),
            ),
            (
                "11360(B) SELL/FURNISH",
                charge("", "11360(b)", "SELL/FURNISH", false),
            ),
            ("23152,5 VC-DUI", charge("VC", "23152.5", "DUI", false)),
            ("SEE COMMENT FOR CHARGE", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_charge(text), expected, "{text}");
        }
        let toc = parse_charge("496.3(A)(2) PC-RECEIVE STOLEN TOC:F").map(|c| c.toc);
        assert_eq!(toc, Some(Some(Severity::Felony)));
    }
}
