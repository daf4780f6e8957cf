//! The run summary (`gogen.json`, spec §5.3): counts per file, summed across files as
//! gogen does (§5.4), rendered as Go's `encoding/json` would render gogen's structs.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cmr_record::{Instant, Subject};

use crate::determination::Outcome;
use crate::evaluate::{InfoBlock, RunDates, last_7_years_start, relief_of};
use crate::flows::Ctx;
use crate::policy::{FlowSpec, Policy};

/// "No longer have…" subject counts for one set of determinations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relief {
    pub no_conviction: u64,
    pub no_conviction_last_7_years: u64,
    pub no_felony: u64,
}

impl Relief {
    fn add(&mut self, o: Relief) {
        self.no_conviction += o.no_conviction;
        self.no_conviction_last_7_years += o.no_conviction_last_7_years;
        self.no_felony += o.no_felony;
    }

    /// The `reliefWithCurrentEligibilityChoices` counts of a summary [`Summary::to_json`]
    /// wrote (every policy's summary has them); `None` when `json` has none.
    #[must_use]
    pub fn current_in_json(json: &str) -> Option<Relief> {
        let value: serde_json::Value = serde_json::from_str(json).ok()?;
        let counts = value.get("reliefWithCurrentEligibilityChoices")?;
        let count = |key: &str| counts.get(key)?.as_u64();
        Some(Relief {
            no_conviction: count("CountSubjectsNoConviction")?,
            no_conviction_last_7_years: count("CountSubjectsNoConvictionLast7Years")?,
            no_felony: count("CountSubjectsNoFelony")?,
        })
    }

    fn json(&self) -> String {
        format!(
            "{{\"CountSubjectsNoConviction\":{},\"CountSubjectsNoConvictionLast7Years\":{},\"CountSubjectsNoFelony\":{}}}",
            self.no_conviction, self.no_conviction_last_7_years, self.no_felony
        )
    }
}

/// Which JSON layout the policy's program wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SummaryShape {
    /// gogen 0.2.13, with the configured section lists (county pilots use empty lists).
    Released {
        dismiss: Vec<String>,
        reduce: Vec<String>,
    },
    /// gogen_pilots `los_angeles`.
    LosAngeles { age: i64, years: i64 },
}

impl SummaryShape {
    pub fn for_policy(policy: &Policy) -> SummaryShape {
        match &policy.flow {
            FlowSpec::Configurable(o) => SummaryShape::Released {
                dismiss: o.dismiss.clone(),
                reduce: o.reduce.clone(),
            },
            FlowSpec::LosAngeles(p) => SummaryShape::LosAngeles {
                age: p.individual_age,
                years: p.years_conviction_free,
            },
            FlowSpec::CountyPilot(_) | FlowSpec::Statute => SummaryShape::Released {
                dismiss: vec![],
                reduce: vec![],
            },
        }
    }
}

/// Counts of one run (one file, or several summed).
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub shape: SummaryShape,
    pub dates: RunDates,
    pub county: String,
    /// Earliest Prop 64 conviction in the county; compute-at when there is none.
    pub earliest_conviction: Instant,
    /// Whether any Prop 64 conviction in the county has been seen (until then
    /// `earliest_conviction` holds the fallback).
    seen_prop64_in_county: bool,
    pub line_count: u64,
    pub processing_seconds: f64,
    pub current: Relief,
    pub dismiss_all: Relief,
    /// Relief if every Prop 64 *or related* conviction in the county were dismissed.
    pub dismiss_all_and_related: Relief,
    pub prop64_in_county_by_section: BTreeMap<String, u64>,
    pub subjects_with_prop64_in_county: u64,
    pub prop64_felonies_in_county: u64,
    pub prop64_non_felonies_in_county: u64,
    pub subjects_with_some_relief: u64,
    pub dismissal_by_section: BTreeMap<String, u64>,
    pub reduction_by_section: BTreeMap<String, u64>,
    pub dismissal_by_additional_relief: BTreeMap<String, u64>,
    /// Evaluated Prop 64 convictions by (determination, reason). Not in gogen's JSON; the
    /// pilot reports list it (related charges are left out, as the pilots left them out).
    pub by_outcome_and_reason: BTreeMap<(Outcome, String), u64>,
    /// Subjects and convictions seen (all counties).
    pub subjects: u64,
    pub convictions: u64,
    // The rest feeds the pilots' text reports ([`crate::pilot_report`]).
    pub convictions_in_county: u64,
    /// Prop 64 convictions in every county, by leftmost section.
    pub prop64_by_section: BTreeMap<String, u64>,
    /// Evaluated Prop 64 convictions by (determination, section).
    pub prop64_by_outcome_and_section: BTreeMap<(Outcome, String), u64>,
    /// Related convictions by the matched related-charge text, in **every** county: the
    /// pilots' report heads this "In This County" but counted all counties.
    pub related_by_section: BTreeMap<String, u64>,
    /// Evaluated related convictions by (determination, matched text); only filled when the
    /// flow evaluates related charges (see [`Summary::counting_related_outcomes`]).
    pub related_by_outcome_and_section: BTreeMap<(Outcome, String), u64>,
    count_related_outcomes: bool,
    /// Subjects with at least one felony / any / a recent conviction (all counties;
    /// "recent" is the window of [`RunDates::last_7_years_from`]).
    pub subjects_with_felony: u64,
    pub subjects_with_conviction: u64,
    pub subjects_with_conviction_last_7_years: u64,
}

impl Summary {
    pub fn new(shape: SummaryShape, county: &str, dates: RunDates, line_count: u64) -> Self {
        let zeros = |keys: &[String]| keys.iter().map(|k| (k.clone(), 0)).collect();
        let (dismissal_by_section, reduction_by_section) = match &shape {
            SummaryShape::Released { dismiss, reduce } => (zeros(dismiss), zeros(reduce)),
            SummaryShape::LosAngeles { .. } => (BTreeMap::new(), BTreeMap::new()),
        };
        Summary {
            shape,
            dates,
            county: county.to_string(),
            // gogen falls back to the wall clock when there is no Prop 64 conviction.
            earliest_conviction: dates.compute_at,
            seen_prop64_in_county: false,
            line_count,
            processing_seconds: 0.0,
            current: Relief::default(),
            dismiss_all: Relief::default(),
            dismiss_all_and_related: Relief::default(),
            prop64_in_county_by_section: BTreeMap::new(),
            subjects_with_prop64_in_county: 0,
            prop64_felonies_in_county: 0,
            prop64_non_felonies_in_county: 0,
            subjects_with_some_relief: 0,
            dismissal_by_section,
            reduction_by_section,
            dismissal_by_additional_relief: BTreeMap::new(),
            by_outcome_and_reason: BTreeMap::new(),
            subjects: 0,
            convictions: 0,
            convictions_in_county: 0,
            prop64_by_section: BTreeMap::new(),
            prop64_by_outcome_and_section: BTreeMap::new(),
            related_by_section: BTreeMap::new(),
            related_by_outcome_and_section: BTreeMap::new(),
            count_related_outcomes: false,
            subjects_with_felony: 0,
            subjects_with_conviction: 0,
            subjects_with_conviction_last_7_years: 0,
        }
    }

    /// Counts evaluated related convictions by determination: only for flows that
    /// evaluate related charges (a Prop 64 flow can decide a conviction that also
    /// matches a related charge; the pilots did not list those as related).
    pub fn counting_related_outcomes(mut self, on: bool) -> Self {
        self.count_related_outcomes = on;
        self
    }

    /// Adds one subject and the info blocks of its evaluated convictions.
    pub fn add_subject(
        &mut self,
        ctx: &Ctx<'_>,
        subject: &Subject,
        decided: &[(usize, InfoBlock)],
    ) {
        let from = self.dates.last_7_years_from;
        self.subjects += 1;
        self.convictions += subject.convictions.len() as u64;
        let mut outcomes = vec![None; subject.convictions.len()];
        for (i, info) in decided {
            outcomes[*i] = Some(info.determination.outcome);
        }
        self.current.add(relief_of(subject, from, |i| outcomes[i]));
        let in_county_prop64 = |i: usize| {
            let c = &subject.convictions[i];
            ctx.in_county(c) && ctx.is_prop64(c)
        };
        let in_county_prop64_or_related = |i: usize| {
            let c = &subject.convictions[i];
            ctx.in_county(c) && (ctx.is_prop64(c) || ctx.is_related(c))
        };
        self.dismiss_all.add(relief_of(subject, from, |i| {
            in_county_prop64(i).then_some(Outcome::Dismissal)
        }));
        self.dismiss_all_and_related
            .add(relief_of(subject, from, |i| {
                in_county_prop64_or_related(i).then_some(Outcome::Dismissal)
            }));

        let recent_after = last_7_years_start(from);
        let convictions = &subject.convictions;
        self.subjects_with_conviction += u64::from(!convictions.is_empty());
        self.subjects_with_felony += u64::from(convictions.iter().any(|c| c.felony));
        self.subjects_with_conviction_last_7_years +=
            u64::from(convictions.iter().any(|c| c.date > recent_after));

        let mut any_prop64 = false;
        for (i, c) in convictions.iter().enumerate() {
            let info = ctx.sections.get(c.section);
            self.convictions_in_county += u64::from(ctx.in_county(c));
            if let Some(section) = info.prop64 {
                bump(&mut self.prop64_by_section, section.as_str().to_string());
            }
            if let Some(text) = &info.related {
                bump(
                    &mut self.related_by_section,
                    String::from_utf8_lossy(text).into_owned(),
                );
            }
            if !in_county_prop64(i) {
                continue;
            }
            any_prop64 = true;
            let section = info.prop64.expect("Prop 64");
            bump(
                &mut self.prop64_in_county_by_section,
                section.as_str().to_string(),
            );
            if c.felony {
                self.prop64_felonies_in_county += 1;
            } else {
                self.prop64_non_felonies_in_county += 1;
            }
            // gogen takes the earliest of the dates themselves (they may be after
            // compute-at); the fallback only stands when there are none.
            if !self.seen_prop64_in_county || c.date < self.earliest_conviction {
                self.earliest_conviction = c.date;
                self.seen_prop64_in_county = true;
            }
        }
        self.subjects_with_prop64_in_county += u64::from(any_prop64);
        let some_relief = decided
            .iter()
            .any(|(_, b)| b.determination.outcome.is_relief());
        self.subjects_with_some_relief += u64::from(some_relief);

        for (i, info) in decided {
            let d = &info.determination;
            let section = ctx.sections.get(convictions[*i].section);
            if let Some(p) = section.prop64 {
                bump(
                    &mut self.prop64_by_outcome_and_section,
                    (d.outcome, p.as_str().to_string()),
                );
                bump(
                    &mut self.by_outcome_and_reason,
                    (d.outcome, d.reason.clone()),
                );
            }
            if let Some(text) = section
                .related
                .as_ref()
                .filter(|_| self.count_related_outcomes)
            {
                bump(
                    &mut self.related_by_outcome_and_section,
                    (d.outcome, String::from_utf8_lossy(text).into_owned()),
                );
            }
            self.count_reason(d.outcome, &d.reason);
        }
    }

    /// The by-section and additional-relief maps, which gogen builds from reason text.
    fn count_reason(&mut self, outcome: Outcome, reason: &str) {
        let is_la = matches!(self.shape, SummaryShape::LosAngeles { .. });
        match outcome {
            Outcome::Dismissal => {
                if let Some(key) = reason
                    .strip_prefix("Dismiss all HS ")
                    .and_then(|r| r.strip_suffix(" convictions"))
                {
                    if let Some(n) = self.dismissal_by_section.get_mut(key) {
                        *n += 1;
                    }
                } else if is_la || !reason.starts_with("Misdemeanor or Infraction") {
                    *self
                        .dismissal_by_additional_relief
                        .entry(reason.to_string())
                        .or_default() += 1;
                }
            }
            Outcome::Reduction => {
                if let Some(key) = reason
                    .strip_prefix("Reduce all HS ")
                    .and_then(|r| r.strip_suffix(" convictions"))
                    && let Some(n) = self.reduction_by_section.get_mut(key)
                {
                    *n += 1;
                }
            }
            _ => {}
        }
    }

    /// Folds the next file's summary in (spec §5.4): integers and maps summed, the county
    /// taken from the later file, and gogen's rule for the earliest date.
    pub fn merge(&mut self, next: &Summary) {
        let keep = !self.earliest_conviction.is_zero()
            && self.earliest_conviction < next.earliest_conviction;
        if !keep {
            self.earliest_conviction = next.earliest_conviction;
        }
        self.seen_prop64_in_county |= next.seen_prop64_in_county;
        self.count_related_outcomes |= next.count_related_outcomes;
        self.county = next.county.clone();
        self.processing_seconds = next.processing_seconds;
        self.current.add(next.current);
        self.dismiss_all.add(next.dismiss_all);
        self.dismiss_all_and_related
            .add(next.dismiss_all_and_related);
        for (map, other) in [
            (
                &mut self.prop64_in_county_by_section,
                &next.prop64_in_county_by_section,
            ),
            (&mut self.dismissal_by_section, &next.dismissal_by_section),
            (&mut self.reduction_by_section, &next.reduction_by_section),
            (
                &mut self.dismissal_by_additional_relief,
                &next.dismissal_by_additional_relief,
            ),
            (&mut self.prop64_by_section, &next.prop64_by_section),
            (&mut self.related_by_section, &next.related_by_section),
        ] {
            add_map(map, other);
        }
        for (map, other) in [
            (&mut self.by_outcome_and_reason, &next.by_outcome_and_reason),
            (
                &mut self.prop64_by_outcome_and_section,
                &next.prop64_by_outcome_and_section,
            ),
            (
                &mut self.related_by_outcome_and_section,
                &next.related_by_outcome_and_section,
            ),
        ] {
            add_map(map, other);
        }
        for (n, other) in [
            (&mut self.line_count, next.line_count),
            (
                &mut self.subjects_with_prop64_in_county,
                next.subjects_with_prop64_in_county,
            ),
            (
                &mut self.prop64_felonies_in_county,
                next.prop64_felonies_in_county,
            ),
            (
                &mut self.prop64_non_felonies_in_county,
                next.prop64_non_felonies_in_county,
            ),
            (
                &mut self.subjects_with_some_relief,
                next.subjects_with_some_relief,
            ),
            (&mut self.subjects, next.subjects),
            (&mut self.convictions, next.convictions),
            (&mut self.convictions_in_county, next.convictions_in_county),
            (&mut self.subjects_with_felony, next.subjects_with_felony),
            (
                &mut self.subjects_with_conviction,
                next.subjects_with_conviction,
            ),
            (
                &mut self.subjects_with_conviction_last_7_years,
                next.subjects_with_conviction_last_7_years,
            ),
        ] {
            *n += other;
        }
    }

    /// Compact JSON with gogen's field order and Go's escaping.
    pub fn to_json(&self) -> String {
        let mut s = String::from("{");
        let _ = write!(s, "\"county\":{}", go_json_string(&self.county));
        if let SummaryShape::LosAngeles { age, years } = self.shape {
            let _ = write!(
                s,
                ",\"individualDismissAge\":{age},\"yearsConvictionFree\":{years}"
            );
        }
        let _ = write!(
            s,
            ",\"earliestConviction\":\"{}\",\"lineCount\":{},\"processingTimeInSeconds\":{}",
            self.earliest_conviction.rfc3339(),
            self.line_count,
            go_json_float(self.processing_seconds)
        );
        let _ = write!(
            s,
            ",\"reliefWithCurrentEligibilityChoices\":{},\"reliefWithDismissAllProp64\":{}",
            self.current.json(),
            self.dismiss_all.json()
        );
        let _ = write!(
            s,
            ",\"prop64ConvictionsCountInCountyByCodeSection\":{}",
            json_map(&self.prop64_in_county_by_section)
        );
        let la = matches!(self.shape, SummaryShape::LosAngeles { .. });
        // The LA pilot left these four counters as TODOs: always 0.
        let z = |n: u64| if la { 0 } else { n };
        let _ = write!(
            s,
            ",\"subjectsWithProp64ConvictionCountInCounty\":{},\"prop64FelonyConvictionsCountInCounty\":{}",
            z(self.subjects_with_prop64_in_county),
            z(self.prop64_felonies_in_county)
        );
        let non_felony_key = if la {
            "prop64MisdemeanorConvictionsCountInCounty"
        } else {
            "prop64NonFelonyConvictionsCountInCounty"
        };
        let _ = write!(
            s,
            ",\"{non_felony_key}\":{},\"subjectsWithSomeReliefCount\":{}",
            z(self.prop64_non_felonies_in_county),
            z(self.subjects_with_some_relief)
        );
        let _ = write!(
            s,
            ",\"convictionDismissalCountByCodeSection\":{},\"convictionReductionCountByCodeSection\":{},\"convictionDismissalCountByAdditionalRelief\":{}}}",
            json_map(&self.dismissal_by_section),
            json_map(&self.reduction_by_section),
            json_map(&self.dismissal_by_additional_relief)
        );
        s
    }
}

fn bump<K: Ord>(map: &mut BTreeMap<K, u64>, key: K) {
    *map.entry(key).or_default() += 1;
}

fn add_map<K: Ord + Clone>(into: &mut BTreeMap<K, u64>, from: &BTreeMap<K, u64>) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v;
    }
}

fn json_map(map: &BTreeMap<String, u64>) -> String {
    // BTreeMap<String> iterates in byte order, which is Go's sorted map-key order.
    let body: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{}:{v}", go_json_string(k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// A JSON string as Go's `encoding/json` writes it (HTML-safe: `<`, `>`, `&` escaped).
pub fn go_json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", ch as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float64 as Go's `encoding/json` writes it: shortest round-trip digits, plain
/// notation between 1e-6 and 1e21, exponent notation outside.
pub fn go_json_float(f: f64) -> String {
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        return format!("{f}");
    }
    let s = format!("{f:e}");
    // Rust writes 1e-7; Go writes 1e-07.
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_relief_reads_back_from_the_json() {
        let json = r#"{"county":"SACRAMENTO","reliefWithCurrentEligibilityChoices":{"CountSubjectsNoConviction":4,"CountSubjectsNoConvictionLast7Years":2,"CountSubjectsNoFelony":5},"reliefWithDismissAllProp64":{"CountSubjectsNoConviction":9,"CountSubjectsNoConvictionLast7Years":9,"CountSubjectsNoFelony":9}}"#;
        assert_eq!(
            Relief::current_in_json(json),
            Some(Relief {
                no_conviction: 4,
                no_conviction_last_7_years: 2,
                no_felony: 5
            })
        );
        assert_eq!(Relief::current_in_json(""), None);
        assert_eq!(Relief::current_in_json(r#"{"county":"X"}"#), None);
    }

    #[test]
    fn go_escaping_and_floats() {
        assert_eq!(
            go_json_string("A<B>&\"c\"\n"),
            "\"A\\u003cB\\u003e\\u0026\\\"c\\\"\\n\""
        );
        assert_eq!(go_json_float(0.001212943), "0.001212943");
        assert_eq!(go_json_float(21.5), "21.5");
        assert_eq!(go_json_float(1e-7), "1e-07");
    }
}
