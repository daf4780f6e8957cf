//! The run summary (`gogen.json`, spec §5.3): counts per file, summed across files as
//! gogen does (§5.4), rendered as Go's `encoding/json` would render gogen's structs.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cmr_record::{Instant, Subject};

use crate::determination::Outcome;
use crate::evaluate::{InfoBlock, RunDates, relief_of};
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
            FlowSpec::CountyPilot(_) => SummaryShape::Released {
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
    pub prop64_in_county_by_section: BTreeMap<String, u64>,
    pub subjects_with_prop64_in_county: u64,
    pub prop64_felonies_in_county: u64,
    pub prop64_non_felonies_in_county: u64,
    pub subjects_with_some_relief: u64,
    pub dismissal_by_section: BTreeMap<String, u64>,
    pub reduction_by_section: BTreeMap<String, u64>,
    pub dismissal_by_additional_relief: BTreeMap<String, u64>,
    /// Evaluated convictions by (determination, reason): not in gogen's JSON, used by
    /// reports and progress output.
    pub by_outcome_and_reason: BTreeMap<(Outcome, String), u64>,
    /// Subjects and convictions seen (all counties).
    pub subjects: u64,
    pub convictions: u64,
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
        }
    }

    /// Adds one subject and the info blocks of its evaluated convictions.
    pub fn add_subject(
        &mut self,
        ctx: &Ctx<'_>,
        subject: &Subject,
        decided: &[(usize, InfoBlock)],
    ) {
        self.subjects += 1;
        self.convictions += subject.convictions.len() as u64;
        let mut outcomes = vec![None; subject.convictions.len()];
        for (i, info) in decided {
            outcomes[*i] = Some(info.determination.outcome);
        }
        self.current
            .add(relief_of(subject, self.dates.last_7_years_from, |i| {
                outcomes[i]
            }));
        let in_county_prop64 = |i: usize| {
            let c = &subject.convictions[i];
            ctx.in_county(c) && ctx.is_prop64(c)
        };
        self.dismiss_all
            .add(relief_of(subject, self.dates.last_7_years_from, |i| {
                in_county_prop64(i).then_some(Outcome::Dismissal)
            }));

        let mut any_prop64 = false;
        for (i, c) in subject.convictions.iter().enumerate() {
            if !in_county_prop64(i) {
                continue;
            }
            any_prop64 = true;
            let section = ctx.sections.get(c.section).prop64.expect("Prop 64");
            *self
                .prop64_in_county_by_section
                .entry(section.as_str().to_string())
                .or_default() += 1;
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

        for (_, info) in decided {
            let d = &info.determination;
            *self
                .by_outcome_and_reason
                .entry((d.outcome, d.reason.clone()))
                .or_default() += 1;
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
        self.county = next.county.clone();
        self.line_count += next.line_count;
        self.processing_seconds = next.processing_seconds;
        self.current.add(next.current);
        self.dismiss_all.add(next.dismiss_all);
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
        ] {
            for (k, v) in other {
                *map.entry(k.clone()).or_default() += v;
            }
        }
        for (k, v) in &next.by_outcome_and_reason {
            *self.by_outcome_and_reason.entry(k.clone()).or_default() += v;
        }
        self.subjects_with_prop64_in_county += next.subjects_with_prop64_in_county;
        self.prop64_felonies_in_county += next.prop64_felonies_in_county;
        self.prop64_non_felonies_in_county += next.prop64_non_felonies_in_county;
        self.subjects_with_some_relief += next.subjects_with_some_relief;
        self.subjects += next.subjects;
        self.convictions += next.convictions;
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
