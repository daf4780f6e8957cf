//! Code-section matchers (spec §3), exactly as gogen's regular expressions behave:
//! unanchored (a substring search), leftmost-first, ASCII `\d` and `\s`.
//!
//! Every matcher is evaluated once per *distinct* code-section text and cached in a
//! [`SectionTable`]: a DOJ file has millions of rows but only a few thousand distinct
//! sections, so the regexes cost almost nothing at scale.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::bytes::Regex;

/// Go's `\s` (RE2): tab, newline, form feed, carriage return, space. No vertical tab.
const WS: &str = r"[\t\n\f\r ]";

fn re(pattern: &str) -> Regex {
    let pattern = pattern.replace(r"\s", WS).replace(r"\d", "[0-9]");
    // `(?-u)`: bytes and ASCII classes, as Go's regexp on byte strings.
    Regex::new(&format!("(?-u){pattern}")).expect("static pattern compiles")
}

/// One of the four Prop 64 sections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prop64Section {
    S11357,
    S11358,
    S11359,
    S11360,
}

impl Prop64Section {
    pub const ALL: [Prop64Section; 4] = [
        Prop64Section::S11357,
        Prop64Section::S11358,
        Prop64Section::S11359,
        Prop64Section::S11360,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Prop64Section::S11357 => "11357",
            Prop64Section::S11358 => "11358",
            Prop64Section::S11359 => "11359",
            Prop64Section::S11360 => "11360",
        }
    }

    pub fn from_key(key: &str) -> Option<Prop64Section> {
        Prop64Section::ALL.into_iter().find(|s| s.as_str() == key)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

static PROP64: LazyLock<Regex> = LazyLock::new(|| re("(11357|11358|11359|11360)"));
static SUB_11357: LazyLock<Regex> = LazyLock::new(|| re(r"11357\(([A-D])\)"));
static RELATED: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"647\(f\)\s*PC|602\s*PC|466\s*PC|148\.9\s*PC|148\s*PC|",
        r"11364\s*HS|11550\s*HS|4140\s*BP|4149\s*BP|4060\s*BP|",
        r"40508\s*VC|1320[^\d\.][^\.]*PC"
    ))
});

const GANG: &str = r"186\.22\(B\)\(4\)";
const GANG_PARTNER: &str = r"((136\.1)|(215)|(213\(A\)\(1\)\(A\))|(246)|(519)|(12022\.55))";

/// Super-strike patterns (gogen's list, spec §3.3), before [`re`] compiles them.
fn superstrike_patterns() -> Vec<String> {
    let mut patterns = vec![
        "37 PC".to_string(),
        "128 PC".to_string(),
        format!("{GANG_PARTNER}.*{GANG} PC"),
        format!("{GANG}.*{GANG_PARTNER} PC"),
    ];
    patterns.extend(
        [
            "187 PC",
            "188 PC",
            r"189(\.[15])? PC",
            r"190(\.\d{1,2})?(\(.*\))? PC",
            r"191(\.5)? PC",
            "205 PC",
            "207 PC",
            r"209(\.5)? PC",
            r"217\.1 PC",
            "218 PC",
            "219 PC",
            "220 PC",
            r"245\(D\)\(3\) PC",
            r"261(\(.*\))? PC",
            r"262(\(.*\))? PC",
            r"264\.1 PC",
            "269 PC",
            r"273AB(\(.*\))? PC",
            r"286((\(C\)\([123]\)(\([ABC]\))?)|(\(D\)\([123]\)))? PC",
            "287 PC",
            r"288((\(A\))|(\(B\)\([12]\)))? PC",
            r"288A((\(D\))|(\(C\)\(1\))|(\(C\)\(2\)\([ABC]\)))? PC",
            r"288\.5(\(A\))? PC",
            r"289((\(J\))|(\(A\)\(1\)\([ABC]\))|(\(A\)\(2\)\(C\)))? PC",
            r"451\.5 PC",
            "653F PC",
            r"667\.(61|7|71) PC",
            "4500 PC",
            r"11418((\(A\)\(1\))|(\(B\)\([12]\))) PC",
            "12308 PC",
            "12310 PC",
            "18745 PC",
            "18755 PC",
            r"1672\(A\) MV",
        ]
        .map(String::from),
    );
    patterns
}

/// PC 290 registrable-section patterns (gogen's list, spec §3.4).
const PC290_PATTERNS: &[&str] = &[
    r"236\.1\([BC]\)(.*) PC",
    r"243\.4(.*) PC",
    "261 PC",
    r"261(\(|\.|[a-zA-Z])+(.*) PC",
    r"262\(A\)(\(1\))? PC",
    r"264\.1(\((.*))? PC",
    "266 PC",
    "266C PC",
    r"266H\(B\)(.*) PC",
    r"266I\(B\)(.*) PC",
    "266J PC",
    "267 PC",
    "269 PC",
    r"269(\(|\.|[a-zA-Z])+(.*) PC",
    "272 PC",
    "285 PC",
    "287 PC",
    r"286([^\.]*) PC",
    "288 PC",
    r"288A(.*) PC",
    r"288\.[23457](.*) PC",
    r"289([^\.]*) PC",
    r"311\.1(.*) PC",
    r"311\.2\([BCD]\) PC",
    r"311\.([34]|10|11)(.*) PC",
    r"314\([12]\) PC",
    r"451\.5 PC",
    r"647\.6(.*) PC",
    r"647A(.*) PC",
    r"653F\([BC]\) PC",
];

static SUPERSTRIKE: LazyLock<Vec<Regex>> =
    LazyLock::new(|| superstrike_patterns().iter().map(|p| re(p)).collect());

static PC290: LazyLock<Vec<Regex>> =
    LazyLock::new(|| PC290_PATTERNS.iter().map(|p| re(p)).collect());

/// gogen's patterns are substring searches, so `237 PC` matches `37 PC`. The statute
/// policy matches the same patterns only where a section starts: at the start of the
/// text, after a character that cannot be part of a section number, or after an
/// attempt prefix `664.` (`664/187 PC` and `664-187 PC` already start after `/` or `-`).
fn bounded(pattern: &str) -> Regex {
    re(&format!(r"(?:^|[^0-9A-Za-z.]|664\.)(?:{pattern})"))
}

static SUPERSTRIKE_BOUNDED: LazyLock<Vec<Regex>> =
    LazyLock::new(|| superstrike_patterns().iter().map(|p| bounded(p)).collect());

static PC290_BOUNDED: LazyLock<Vec<Regex>> =
    LazyLock::new(|| PC290_PATTERNS.iter().map(|p| bounded(p)).collect());

static LA_GANG: LazyLock<Regex> = LazyLock::new(|| re(&format!("{GANG} PC")));
static LA_GANG_PARTNER: LazyLock<Regex> = LazyLock::new(|| re(&format!("{GANG_PARTNER} PC")));

/// The leftmost Prop 64 section in `text` (`11358/11357` gives 11358), if any.
pub fn prop64_section(text: &[u8]) -> Option<Prop64Section> {
    PROP64
        .find(text)
        .and_then(|m| Prop64Section::from_key(std::str::from_utf8(m.as_bytes()).ok()?))
}

/// gogen's "Is Prop 64": the text contains 11357, 11358, 11359 or 11360 anywhere.
pub fn is_prop64(text: &[u8]) -> bool {
    prop64_section(text).is_some()
}

/// The 11357 sub-section letter (`11357(C)` gives `C`; uppercase A–D only).
pub fn sub_11357(text: &[u8]) -> Option<u8> {
    SUB_11357
        .captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_bytes()[0])
}

/// The leftmost matched "related" charge text (released gogen's list, spec §3.2).
pub fn related_match(text: &[u8]) -> Option<&[u8]> {
    RELATED.find(text).map(|m| m.as_bytes())
}

/// Super strike (PC 667(e)(2)(C)(iv)) per gogen's unanchored patterns (spec §3.3).
pub fn is_superstrike(text: &[u8]) -> bool {
    SUPERSTRIKE.iter().any(|r| r.is_match(text))
}

/// PC 290 registrable section per gogen's unanchored patterns (spec §3.4).
pub fn is_pc290(text: &[u8]) -> bool {
    PC290.iter().any(|r| r.is_match(text))
}

/// Super strike, matched only at a section boundary (the statute policy, fixed point F3).
pub fn is_superstrike_bounded(text: &[u8]) -> bool {
    SUPERSTRIKE_BOUNDED.iter().any(|r| r.is_match(text))
}

/// PC 290 registrable section, matched only at a section boundary (the statute policy).
pub fn is_pc290_bounded(text: &[u8]) -> bool {
    PC290_BOUNDED.iter().any(|r| r.is_match(text))
}

/// The LA pilot's gang enhancement (`186.22(B)(4) PC`) used to build case pairs.
pub fn is_la_gang(text: &[u8]) -> bool {
    LA_GANG.is_match(text)
}

/// The LA pilot's offences that pair with a gang enhancement in the same case.
pub fn is_la_gang_partner(text: &[u8]) -> bool {
    LA_GANG_PARTNER.is_match(text)
}

/// Everything gogen ever asks about one code-section text, computed once.
#[derive(Clone, Debug)]
pub struct SectionInfo {
    /// The code-section text exactly as derived from the row (untrimmed).
    pub text: Box<[u8]>,
    /// Leftmost Prop 64 section.
    pub prop64: Option<Prop64Section>,
    /// `contains[k]`: the text contains section k anywhere (the `11357.*` style matchers
    /// that the configurable options use).
    pub contains: [bool; 4],
    /// Leftmost related-charge match.
    pub related: Option<Box<[u8]>>,
    pub superstrike: bool,
    pub pc290: bool,
    pub la_gang: bool,
    pub la_gang_partner: bool,
    /// What the statute policy reads: the cannabis charge on section boundaries, with
    /// attempts recognised (see [`crate::statute`]).
    pub statute: Option<crate::statute::CannabisCharge>,
    pub superstrike_bounded: bool,
    pub pc290_bounded: bool,
}

impl SectionInfo {
    pub fn new(text: &[u8]) -> SectionInfo {
        let contains =
            Prop64Section::ALL.map(|s| memchr::memmem::find(text, s.as_str().as_bytes()).is_some());
        SectionInfo {
            text: text.into(),
            prop64: prop64_section(text),
            contains,
            related: related_match(text).map(Into::into),
            superstrike: is_superstrike(text),
            pc290: is_pc290(text),
            la_gang: is_la_gang(text),
            la_gang_partner: is_la_gang_partner(text),
            statute: crate::statute::CannabisCharge::parse(text),
            superstrike_bounded: is_superstrike_bounded(text),
            pc290_bounded: is_pc290_bounded(text),
        }
    }

    pub fn text_lossy(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }
}

/// Identifier of an interned code section within one [`SectionTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SectionId(u32);

/// Interns code-section texts and caches their [`SectionInfo`].
#[derive(Default)]
pub struct SectionTable {
    ids: HashMap<Box<[u8]>, SectionId>,
    infos: Vec<SectionInfo>,
}

impl SectionTable {
    pub fn intern(&mut self, text: &[u8]) -> SectionId {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = SectionId(self.infos.len() as u32);
        self.infos.push(SectionInfo::new(text));
        self.ids.insert(text.into(), id);
        id
    }

    pub fn get(&self, id: SectionId) -> &SectionInfo {
        &self.infos[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.infos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.infos.is_empty()
    }
}
