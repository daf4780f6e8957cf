//! Offence descriptions, in DOJ style `<section> <code>-<DESCRIPTION>` (gogen-compat §7).
//!
//! Both lists are sampled uniformly, so an entry listed several times is proportionally more
//! likely. Where the spec abbreviates gogen's description with `…`, the text here is our own
//! plausible wording; only the code section (the text before the first `-`, §1.4) matters to any
//! matcher.

/// Offences for Prop 64 conviction cases (19 entries, uniform).
///
/// The list mirrors gogen's, quirks included: `11360 HS-SELL/TRANSPORT/ETC MARIJUANA/HASH` appears
/// three times (so it is three times as likely), and `11360(B) SELL/FURNISH/ETC MARIJUANA/HASH`
/// has no `HS` and no `-`, so its whole text is the code section. Every entry matches the Prop 64
/// pattern `(11357|11358|11359|11360)` of §3.1.
pub const PROP64_OFFENSES: [&str; 19] = [
    "11357 HS-POSSESSION OF MARIJUANA",
    "11357(A) HS-POSSESS CONCENTRATED CANNABIS",
    "11357(C) HS-POSS MARIJUANA OVER 1 OZ/28.5 GRAM",
    "11357A HS-POSSESS CONCENTRATED CANNABIS",
    "11357B2 HS-POSSESS MARIJUANA OVER 28.5 GRAMS",
    "11358 HS-PLANT/CULTIVATE/ETC MARIJUANA/HASH",
    "11358(C) HS-CULTIVATE MARIJUANA 6+ PLANTS",
    "11359 HS-POSSESS MARIJUANA FOR SALE",
    "11359(A) HS-POSSESS MARIJUANA FOR SALE:UNDER 18",
    "11359(B) HS-POSSESS MARIJUANA FOR SALE:18 OR OVER",
    "11359(C) HS-POSSESS MARIJUANA FOR SALE:PRIOR CONVICTION",
    "11359B HS-POSSESS MARIJUANA FOR SALE",
    "11360 HS-SELL/TRANSPORT/ETC MARIJUANA/HASH",
    "11360 HS-SELL/TRANSPORT/ETC MARIJUANA/HASH",
    "11360 HS-SELL/TRANSPORT/ETC MARIJUANA/HASH",
    "11360(A) HS-TRANSPORT/SELL MARIJUANA",
    "11360(B) SELL/FURNISH/ETC MARIJUANA/HASH",
    "11360A HS-TRANSPORT/SELL/ETC MARIJUANA",
    "11360A2 HS-TRANSPORT/GIVE AWAY MARIJUANA OVER 28.5 GRAMS",
];

/// Offences for "other" conviction cases and for non-conviction cases (59 entries, uniform).
///
/// Mostly drug, theft and traffic charges. Like gogen's list it deliberately contains:
/// - the "related" charges of §3.2 (`11364 HS`, `148 PC`, `148.9 PC`, `466 PC`, `647(F) PC`,
///   `602(L) PC`, `40508(A) VC`, `4140 BP`, `4149 BP`, `11550 HS`), so the related-charge matchers
///   get exercised;
/// - `288(A) PC-LEWD OR LASCIV ACTS` (PC 290 / superstrike) and `187 PC-MURDER:SECOND DEGREE`
///   (superstrike), so the informational disqualifier columns get exercised;
/// - exactly one Prop 64 section, `11360(A) HS-GIVE/ETC MARIJ OVER 1 OZ/28.5 GRM`, so "other"
///   cases (including ones in `NARNIA`) can hold Prop 64 convictions too.
///
/// No other entry contains `11357`–`11360`, and none is meant to hit a superstrike or PC 290
/// pattern by accident (e.g. no `537 PC`, which would match `37 PC`).
pub const OTHER_OFFENSES: [&str; 59] = [
    // drugs
    "11350(A) HS-POSSESS NARCOTIC CONTROLLED SUBSTANCE",
    "11351 HS-POSSESS/PURCHASE FOR SALE NARCOTIC/CONTROLLED SUBSTANCE",
    "11352(A) HS-TRANSPORT/SELL NARCOTIC/CONTROLLED SUBSTANCE",
    "11364 HS-POSSESS UNLAWFUL PARAPHERNALIA",
    "11366 HS-OPEN/MAINTAIN PLACE FOR CONTROLLED SUBSTANCE",
    "11368 HS-FORGED/ALTERED PRESCRIPTION FOR NARCOTIC",
    "11377(A) HS-POSSESS CONTROLLED SUBSTANCE",
    "11378 HS-POSSESS CONTROLLED SUBSTANCE FOR SALE",
    "11379(A) HS-TRANSPORT/SELL CONTROLLED SUBSTANCE",
    "11550 HS-USE/UNDER INFLUENCE OF CONTROLLED SUBSTANCE",
    "11173(A) HS-OBTAIN CONTROLLED SUBSTANCE BY FRAUD",
    "11375(B)(2) HS-POSSESS DESIGNATED CONTROLLED SUBSTANCE",
    "11383(A) HS-POSSESS CHEMICALS TO MANUFACTURE METH",
    "11390 HS-CULTIVATE PSILOCYBIN MUSHROOMS",
    "11360(A) HS-GIVE/ETC MARIJ OVER 1 OZ/28.5 GRM",
    "4140 BP-POSSESS HYPODERMIC NEEDLE/SYRINGE",
    "4149 BP-POSSESS HYPODERMIC NEEDLE W/O PERMIT",
    "647(F) PC-DISORDERLY CONDUCT:INTOXICATED",
    // theft, fraud and property
    "459 PC-BURGLARY",
    "460(B) PC-BURGLARY:SECOND DEGREE",
    "459.5 PC-SHOPLIFTING",
    "484(A) PC-THEFT OF PERSONAL PROPERTY",
    "487(A) PC-GRAND THEFT:MONEY/LABOR/PROPERTY",
    "488 PC-PETTY THEFT",
    "490.2 PC-PETTY THEFT:PROPERTY UNDER $950",
    "496(A) PC-RECEIVE/ETC KNOWN STOLEN PROPERTY",
    "466 PC-POSSESS/ETC BURGLARY TOOLS",
    "470(A) PC-FORGERY:SIGN ANOTHER'S NAME",
    "475(C) PC-POSSESS COMPLETED CHECK W/INTENT TO DEFRAUD",
    "476A(A) PC-NSF CHECK OVER $950",
    "503 PC-EMBEZZLEMENT",
    "530.5(A) PC-IDENTITY THEFT",
    "532(A) PC-OBTAIN MONEY/ETC BY FALSE PRETENSES",
    "666 PC-PETTY THEFT WITH PRIOR",
    "10851(A) VC-TAKE VEHICLE W/O OWNER'S CONSENT",
    "594(A) PC-VANDALISM",
    "602(L) PC-TRESPASS:OCCUPY PROPERTY W/O CONSENT",
    // traffic
    "23152(A) VC-DUI ALCOHOL/DRUGS",
    "23152(B) VC-DUI:0.08% ALCOHOL",
    "23153(A) VC-DUI ALCOHOL/DRUGS CAUSING BODILY INJURY",
    "14601.1(A) VC-DRIVE WHILE LICENSE SUSPENDED/ETC",
    "14601.2(A) VC-DRIVE W/LIC SUSPENDED FOR DUI",
    "12500(A) VC-DRIVE WITHOUT LICENSE",
    "20001(A) VC-HIT AND RUN:DEATH OR INJURY",
    "20002(A) VC-HIT AND RUN:PROPERTY DAMAGE",
    "2800.2 VC-EVADE PEACE OFFICER:DISREGARD SAFETY",
    "23103 VC-RECKLESS DRIVING",
    "4000(A) VC-NO VEHICLE REGISTRATION",
    "40508(A) VC-FAIL TO APPEAR:WRITTEN PROMISE",
    // other offences
    "148 PC-RESIST/OBSTRUCT/DELAY PEACE OFFICER",
    "148.9 PC-FALSE IDENTIFICATION TO PEACE OFFICER",
    "166(A)(4) PC-CONTEMPT:DISOBEY COURT ORDER",
    "242 PC-BATTERY",
    "243(E)(1) PC-BATTERY ON SPOUSE/EX SPOUSE/DATE/ETC",
    "273.5(A) PC-INFLICT CORPORAL INJURY ON SPOUSE/COHABITANT",
    "245(A)(1) PC-ASSAULT WITH DEADLY WEAPON",
    "415 PC-DISTURB THE PEACE",
    "288(A) PC-LEWD OR LASCIV ACTS",
    "187 PC-MURDER:SECOND DEGREE",
];

/// Code section of an offence description: the text before the first `-` (gogen-compat §1.4).
pub fn code_section(offence: &str) -> &str {
    offence
        .split_once('-')
        .map_or(offence, |(section, _)| section)
}

/// Whether a code section is a Prop 64 charge under gogen's unanchored pattern
/// `(11357|11358|11359|11360)` (gogen-compat §3.1). Used only for [`crate::GenStats`].
pub fn is_prop64_section(section: &str) -> bool {
    ["11357", "11358", "11359", "11360"]
        .iter()
        .any(|needle| section.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prop64_entry_matches() {
        for offence in PROP64_OFFENSES {
            assert!(is_prop64_section(code_section(offence)), "{offence}");
        }
    }

    #[test]
    fn other_list_has_exactly_one_prop64_entry() {
        let hits: Vec<&str> = OTHER_OFFENSES
            .iter()
            .copied()
            .filter(|o| is_prop64_section(code_section(o)))
            .collect();
        assert_eq!(hits, ["11360(A) HS-GIVE/ETC MARIJ OVER 1 OZ/28.5 GRM"]);
    }

    #[test]
    fn other_list_contains_required_sections() {
        let sections: Vec<&str> = OTHER_OFFENSES.iter().map(|o| code_section(o)).collect();
        for required in [
            "11364 HS",
            "148 PC",
            "148.9 PC",
            "466 PC",
            "647(F) PC",
            "602(L) PC",
            "40508(A) VC",
            "4140 BP",
            "4149 BP",
            "11550 HS",
            "288(A) PC",
            "187 PC",
        ] {
            assert!(sections.contains(&required), "missing {required}");
        }
        assert!(OTHER_OFFENSES.contains(&"288(A) PC-LEWD OR LASCIV ACTS"));
        assert!(OTHER_OFFENSES.contains(&"187 PC-MURDER:SECOND DEGREE"));
    }

    #[test]
    fn entries_are_csv_plain() {
        for offence in PROP64_OFFENSES.iter().chain(OTHER_OFFENSES.iter()) {
            assert!(!offence.contains([',', '"', '\r', '\n']), "{offence}");
            assert!(!offence.starts_with(char::is_whitespace), "{offence}");
        }
    }

    #[test]
    fn the_11360b_quirk_has_no_dash() {
        assert_eq!(
            code_section("11360(B) SELL/FURNISH/ETC MARIJUANA/HASH"),
            "11360(B) SELL/FURNISH/ETC MARIJUANA/HASH"
        );
    }
}
