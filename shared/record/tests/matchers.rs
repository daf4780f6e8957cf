//! Independent check of the code-section matchers and code-section derivation against the
//! examples written in `shared/spec/gogen-compat.md` §1.4 and §3 (and the unanchored notes of
//! §8 item 4). Every expectation below is transcribed from the spec text, not from running the
//! code. Each test collects every mismatching input and reports them all at once.

use cmr_record::sections::{
    Prop64Section, SectionInfo, is_la_gang, is_la_gang_partner, is_pc290, is_prop64,
    is_superstrike, prop64_section, related_match, sub_11357,
};
use cmr_record::subject::{CommentFallback, code_section, trim_space};

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn check_all<I: std::fmt::Debug, E: std::fmt::Debug, A: std::fmt::Debug + PartialEq<E>>(
    what: &str,
    cases: &[(I, E)],
    actual: impl Fn(&I) -> A,
) {
    let mut failures = Vec::new();
    for (input, expected) in cases {
        let got = actual(input);
        if got != *expected {
            failures.push(format!(
                "  {what}({input:?}): expected {expected:?}, got {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} {what} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// §3.1 Prop 64: "Is Prop 64" and the leftmost section extract.
// (input, leftmost section key; None = not Prop 64)
// ---------------------------------------------------------------------------------------------

const PROP64: &[(&str, Option<&str>)] = &[
    // §3.1 consequences
    ("664/11357 HS", Some("11357")),
    ("66411357(A) HS", Some("11357")),
    ("11357(A)PC", Some("11357")),
    ("11357(A)", Some("11357")),
    ("11360A2 HS", Some("11360")),
    ("111357", Some("11357")),
    ("113601", Some("11360")),
    // §3.1 section extract: leftmost of the four
    ("11358/11357", Some("11358")),
    // §3.1 per-section keys, bare
    ("11357", Some("11357")),
    ("11358", Some("11358")),
    ("11359", Some("11359")),
    ("11360", Some("11360")),
    // §8 item 4 / item 5
    ("113601 XX", Some("11360")),
    ("664/11357", Some("11357")),
    ("664.11357", Some("11357")),
    // §1.4: code sections of `664-11357(C) HS-ATTEMPT`, `664/11357(C) HS-...`, `66411357...`
    ("664", None),
    ("664/11357(C) HS", Some("11357")),
    ("66411357...", Some("11357")),
    // §3.1 negatives
    ("11362.x", None),
    ("11361", None),
];

#[test]
fn prop64_is_and_leftmost_extract() {
    check_all("prop64_section", PROP64, |input| {
        prop64_section(input.as_bytes()).map(Prop64Section::as_str)
    });
    let is: Vec<(&str, bool)> = PROP64.iter().map(|(i, e)| (*i, e.is_some())).collect();
    check_all("is_prop64", &is, |input| is_prop64(input.as_bytes()));
}

// ---------------------------------------------------------------------------------------------
// §3.1 per-section keys: only the four keys are valid; each matcher is "contains".
// ---------------------------------------------------------------------------------------------

const KEYS: &[(&str, Option<&str>)] = &[
    ("11357", Some("11357")),
    ("11358", Some("11358")),
    ("11359", Some("11359")),
    ("11360", Some("11360")),
    // "`"11357(A)"` is not a key"
    ("11357(A)", None),
];

/// (code section, contains [11357, 11358, 11359, 11360])
const KEY_CONTAINS: &[(&str, [bool; 4])] = &[
    ("11358/11357", [true, true, false, false]),
    ("664/11357 HS", [true, false, false, false]),
    ("66411357(A) HS", [true, false, false, false]),
    ("11360A2 HS", [false, false, false, true]),
    ("113601", [false, false, false, true]),
    ("111357", [true, false, false, false]),
    ("11362.x", [false, false, false, false]),
    ("11361", [false, false, false, false]),
];

#[test]
fn prop64_per_section_keys() {
    check_all("Prop64Section::from_key", KEYS, |key| {
        Prop64Section::from_key(key).map(Prop64Section::as_str)
    });
    check_all("SectionInfo::contains", KEY_CONTAINS, |input| {
        SectionInfo::new(input.as_bytes()).contains
    });
}

// ---------------------------------------------------------------------------------------------
// §3.1 11357 sub-section extract: `11357\(([A-D])\)`, uppercase only.
// ---------------------------------------------------------------------------------------------

const SUB_11357: &[(&str, Option<char>)] = &[
    ("Some 11357(C) x", Some('C')),
    ("11357(A)", Some('A')),
    ("11357(B) HS", Some('B')),
    ("66411357(D) HS", Some('D')),
    ("11357(c)", None),
    ("11357(E)", None),
    ("11357 HS", None),
    ("11358(A) HS", None),
];

#[test]
fn prop64_sub_11357() {
    check_all("sub_11357", SUB_11357, |input| {
        sub_11357(input.as_bytes()).map(char::from)
    });
}

// ---------------------------------------------------------------------------------------------
// §3.2 related charges (released matcher): leftmost matched text.
// ---------------------------------------------------------------------------------------------

const RELATED: &[(&str, Option<&str>)] = &[
    // §3.2 extract examples
    ("--40508 VC--", Some("40508 VC")),
    ("4060    BP", Some("4060    BP")),
    ("1320(a) PC", Some("1320(a) PC")),
    // lowercase `647\(f\)` branch: fires on lowercase only, never on DOJ uppercase
    ("647(f) PC", Some("647(f) PC")),
    ("647(F) PC", None),
    // substring notes
    ("1148 PC", Some("148 PC")),
    ("1602 PC", Some("602 PC")),
    // one literal per listed branch
    ("602 PC", Some("602 PC")),
    ("466 PC", Some("466 PC")),
    ("148.9 PC", Some("148.9 PC")),
    ("148 PC", Some("148 PC")),
    ("11364 HS", Some("11364 HS")),
    ("11550 HS", Some("11550 HS")),
    ("4140 BP", Some("4140 BP")),
    ("4149 BP", Some("4149 BP")),
    ("4060 BP", Some("4060 BP")),
    ("40508 VC", Some("40508 VC")),
];

#[test]
fn related_charges() {
    let cases: Vec<(&str, Option<String>)> = RELATED
        .iter()
        .map(|(i, e)| (*i, e.map(String::from)))
        .collect();
    check_all("related_match", &cases, |input| {
        related_match(input.as_bytes()).map(show)
    });
}

// ---------------------------------------------------------------------------------------------
// §3.3 super strikes (unanchored), and §3.3 / §8 item 4 unanchored notes.
// ---------------------------------------------------------------------------------------------

const SUPERSTRIKE: &[(&str, bool)] = &[
    // positives
    ("187 PC", true),
    ("189.1 PC", true),
    ("190.2(A)(4) PC", true),
    ("190.25(B) PC", true),
    ("261(A)(2) PC", true),
    ("262 PC", true),
    ("273AB(A) PC", true),
    ("286(C)(1) PC", true),
    ("286 PC", true),
    ("288(B)(2) PC", true),
    ("288A(C)(2)(B) PC", true),
    ("289(A)(2)(C) PC", true),
    ("653F PC", true),
    ("667.71 PC", true),
    ("11418(B)(2) PC", true),
    ("1672(A) MV", true),
    // gang combinations
    ("246/186.22(B)(4) PC", true),
    ("519-186.22(B)(4) PC", true),
    ("136.1+186.22(B)(4) PC", true),
    ("213(A)(1)(A) + 186.22(B)(4) PC", true),
    ("186.22(B)(4)/12022.55 PC", true),
    ("186.22(B)(4)-246 PC", true),
    // examples next to the E.*G / G.*E patterns
    ("215 + 186.22(B)(4) PC", true),
    ("186.22(B)(4)-136.1 PC", true),
    // unanchored notes (§3.3, §8 item 4)
    ("237 PC", true),
    ("1137 PC", true),
    ("1128 PC", true),
    ("1187 PC", true),
    ("1269 PC", true),
    // negatives
    ("186.22(B)(3)+136.1 PC", false),
    ("186.22(A)+136.1 PC", false),
    ("186.22(B)(4) PC", false),
    ("136.1 PC", false),
    ("189.2 PC", false),
    ("1900 PC", false),
    ("190.123 PC", false),
    ("191(A) PC", false),
    ("191.55 PC", false),
    ("205.1 PC", false),
    ("209.6 PC", false),
    ("246 PC", false),
    ("12022.5 PC", false),
    ("217.1(A) PC", false),
    ("245 PC", false),
    ("261.5 PC", false),
    ("264.11 PC", false),
    ("273 PC", false),
    ("273A(B)", false),
    ("286(C)(4)(A) PC", false),
    ("286(E)(2)(B) PC", false),
    ("288(B) PC", false),
    ("288B PC", false),
    ("289(A)(2)(A) PC", false),
    ("451.1 PC", false),
    ("653(F) PC", false),
    ("667.6 PC", false),
    ("667 PC", false),
    ("4500(A) PC", false),
    ("11418(A)(2) PC", false),
    ("18745(A) PC", false),
    ("1672(B) MV", false),
];

#[test]
fn superstrike() {
    check_all("is_superstrike", SUPERSTRIKE, |input| {
        is_superstrike(input.as_bytes())
    });
}

// §4.4: the LA pilot's case-pair example `136.1 PC + 186.22(B)(4) PC` (gang + partner).
const LA_GANG: &[(&str, (bool, bool))] = &[
    ("186.22(B)(4) PC", (true, false)),
    ("136.1 PC", (false, true)),
];

#[test]
fn la_gang_pair_example() {
    check_all("(is_la_gang, is_la_gang_partner)", LA_GANG, |input| {
        (
            is_la_gang(input.as_bytes()),
            is_la_gang_partner(input.as_bytes()),
        )
    });
}

// ---------------------------------------------------------------------------------------------
// §3.4 PC 290 sections (unanchored).
// ---------------------------------------------------------------------------------------------

const PC290: &[(&str, bool)] = &[
    // positives
    ("236.1(B) PC", true),
    ("236.1(C)(A) PC", true),
    ("243.4(A)(C) PC", true),
    ("261 PC", true),
    ("261B PC", true),
    ("262(A)(1) PC", true),
    ("264.1 PC", true),
    ("266 PC", true),
    ("266C PC", true),
    ("266H(B) PC", true),
    ("267 PC", true),
    ("269.8 PC", true),
    ("272 PC", true),
    ("285 PC", true),
    ("286 PC", true),
    ("287 PC", true),
    ("288 PC", true),
    ("288A PC", true),
    ("288.2 PC", true),
    ("288.7 PC", true),
    ("289 PC", true),
    ("311.1 PC", true),
    ("311.2(B) PC", true),
    ("311.10 PC", true),
    ("311.11 PC", true),
    ("314(1) PC", true),
    ("451.5 PC", true),
    ("647.6B PC", true),
    ("647A PC", true),
    ("653F(C) PC", true),
    // "Note: `261.5 PC` (statutory rape) *is* matched by the second pattern."
    ("261.5 PC", true),
    // §8 item 4: `269 PC` in `1269 PC`
    ("1269 PC", true),
    // negatives
    ("236.1(A) PC", false),
    ("236.1B PC", false),
    ("236.2(B) PC", false),
    ("236.1(D)(B) PC", false),
    ("243 PC", false),
    ("262 PC", false),
    ("264.11 PC", false),
    ("266.5 PC", false),
    ("266(C) PC", false),
    ("266J(A) PC", false),
    ("266J.11 PC", false),
    ("266(J) PC", false),
    ("267A PC", false),
    ("2677 PC", false),
    ("2699 PC", false),
    ("288.6", false),
    ("291 PC", false),
    ("2434 PC", false),
    ("24 PC", false),
    ("647(A) PC", false),
    ("647.1(A) PC", false),
    ("6477A PC", false),
    ("653F PC", false),
];

#[test]
fn pc290() {
    check_all("is_pc290", PC290, |input| is_pc290(input.as_bytes()));
}

// ---------------------------------------------------------------------------------------------
// §1.4 code-section derivation: raw source text up to the first `-`.
// ---------------------------------------------------------------------------------------------

const NO_COMMENT_USED: &str = "COMMENT-NOT-USED";

/// (OFFENSE_DESCR, expected code section); COMMENT_TEXT must not be consulted for any of these.
const CODE_SECTION: &[(&str, &str)] = &[
    ("503 VC-TAKE CAR W/OUT OWNERS CONSENT", "503 VC"),
    ("11359HS-INTENT SELL CANNABIS", "11359HS"),
    ("4149 BP - UNLICENSED SALE OF NEEDLES", "4149 BP "),
    ("220 PC- COMMIT MAYHEM", "220 PC"),
    ("664-11357(C) HS-ATTEMPT", "664"),
    ("664/11357(C) HS-...", "664/11357(C) HS"),
    ("66411357...", "66411357..."),
    // raw (untrimmed) text is kept
    ("  503 VC-X", "  503 VC"),
];

/// (OFFENSE_DESCR, is the derived code section Prop 64?)
const CODE_SECTION_PROP64: &[(&str, bool)] = &[
    ("664-11357(C) HS-ATTEMPT", false),
    ("664/11357(C) HS-...", true),
    ("66411357...", true),
];

#[test]
fn code_section_examples() {
    for fallback in [CommentFallback::TrimmedOrEmpty, CommentFallback::ExactOnly] {
        check_all(
            &format!("code_section[{fallback:?}]"),
            CODE_SECTION,
            |offense| {
                show(code_section(
                    offense.as_bytes(),
                    NO_COMMENT_USED.as_bytes(),
                    fallback,
                ))
            },
        );
        check_all(
            &format!("is_prop64(code_section[{fallback:?}])"),
            CODE_SECTION_PROP64,
            |offense| {
                is_prop64(code_section(
                    offense.as_bytes(),
                    NO_COMMENT_USED.as_bytes(),
                    fallback,
                ))
            },
        );
    }
}

// ---------------------------------------------------------------------------------------------
// §1.4 step 1 / §4.5: which OFFENSE_DESCR values read the code section from COMMENT_TEXT.
// ---------------------------------------------------------------------------------------------

const COMMENT: &str = "11357(A) HS-POSSESS";

/// ((OFFENSE_DESCR, COMMENT_TEXT), expected code section)
const FALLBACK_TRIMMED: &[((&str, &str), &str)] = &[
    (("", COMMENT), "11357(A) HS"),
    (("   ", COMMENT), "11357(A) HS"),
    (("\t\n", COMMENT), "11357(A) HS"),
    (("SEE COMMENT FOR CHARGE", COMMENT), "11357(A) HS"),
    (("  SEE COMMENT FOR CHARGE  ", COMMENT), "11357(A) HS"),
    (("\tSEE COMMENT FOR CHARGE\r\n", COMMENT), "11357(A) HS"),
    // Unicode white space (NBSP, em space, ideographic space) is trimmed too
    (
        ("\u{a0}SEE COMMENT FOR CHARGE\u{2003}\u{3000}", COMMENT),
        "11357(A) HS",
    ),
    (("\u{3000}", COMMENT), "11357(A) HS"),
    // the comment is used raw (untrimmed), cut at its first `-`
    (("", "  11357 HS "), "  11357 HS "),
    (("", "11360 HS"), "11360 HS"),
    (("", ""), ""),
    // not exactly the phrase: OFFENSE_DESCR is used
    (
        ("see comment for charge", COMMENT),
        "see comment for charge",
    ),
    (
        ("SEE COMMENT FOR CHARGES", COMMENT),
        "SEE COMMENT FOR CHARGES",
    ),
    (
        ("SEE COMMENT FOR CHARGE-X", COMMENT),
        "SEE COMMENT FOR CHARGE",
    ),
    (("503 VC-TAKE CAR", COMMENT), "503 VC"),
];

const FALLBACK_EXACT: &[((&str, &str), &str)] = &[
    (("SEE COMMENT FOR CHARGE", COMMENT), "11357(A) HS"),
    (("SEE COMMENT FOR CHARGE", "  11357 HS "), "  11357 HS "),
    // no trim, empty not handled: OFFENSE_DESCR is used as is
    (("", COMMENT), ""),
    (("   ", COMMENT), "   "),
    (
        (" SEE COMMENT FOR CHARGE", COMMENT),
        " SEE COMMENT FOR CHARGE",
    ),
    (
        ("SEE COMMENT FOR CHARGE ", COMMENT),
        "SEE COMMENT FOR CHARGE ",
    ),
    (
        ("\u{a0}SEE COMMENT FOR CHARGE", COMMENT),
        "\u{a0}SEE COMMENT FOR CHARGE",
    ),
    (
        ("see comment for charge", COMMENT),
        "see comment for charge",
    ),
    (("503 VC-TAKE CAR", COMMENT), "503 VC"),
];

#[test]
fn comment_fallback() {
    check_all(
        "code_section[TrimmedOrEmpty]",
        FALLBACK_TRIMMED,
        |(offense, comment)| {
            show(code_section(
                offense.as_bytes(),
                comment.as_bytes(),
                CommentFallback::TrimmedOrEmpty,
            ))
        },
    );
    check_all(
        "code_section[ExactOnly]",
        FALLBACK_EXACT,
        |(offense, comment)| {
            show(code_section(
                offense.as_bytes(),
                comment.as_bytes(),
                CommentFallback::ExactOnly,
            ))
        },
    );
}

// §1.4 step 1: "Trim `OFFENSE_DESCR` of Unicode whitespace."
const TRIM: &[(&str, &str)] = &[
    ("  SEE COMMENT FOR CHARGE  ", "SEE COMMENT FOR CHARGE"),
    ("\t\r\n x \x0c", "x"),
    ("\u{a0}x y\u{3000}", "x y"),
    ("   ", ""),
    ("", ""),
];

#[test]
fn trim_unicode_space() {
    check_all("trim_space", TRIM, |input| {
        show(trim_space(input.as_bytes()))
    });
}
