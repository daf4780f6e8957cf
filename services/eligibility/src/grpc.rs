//! The tonic trait impl: converts proto to domain, calls [`Eligibility`], converts back.

use std::pin::Pin;

use cmr_engine::flows::county_pilots::CountyPilot;
use cmr_engine::flows::los_angeles::LaParams;
use cmr_engine::flows::statute;
use cmr_engine::output::{Column, columns_for};
use cmr_engine::{EligibilityOptions, Fact, FlowSpec, Outcome, Track};
use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as pb;
use cmr_proto::eligibility::v1::eligibility_service_server::EligibilityService;
use cmr_record::Instant;
use tokio::sync::mpsc;
use tokio_stream::{Stream, wrappers::ReceiverStream};
use tonic::{Request, Response, Status};

use crate::domain::cells;
use crate::domain::explain::Skip;
use crate::domain::model::{
    County, Run, RunStatus, StoredDetermination, StoredPolicy, outcome_code, outcome_of,
    parse_facts, track_of,
};
use crate::domain::policy::{engine_policy, valid_name};
use crate::error::EligibilityError;
use crate::service::{Eligibility, ExplainQuery, Explanation, NewPolicy, StartRun};
use crate::store::RunFilter;

const DEFAULT_PAGE: u64 = 100;
const MAX_PAGE: u64 = 1000;
/// Determinations read from the store per page while streaming.
const STREAM_PAGE: u64 = 500;

type ResultStream =
    Pin<Box<dyn Stream<Item = Result<pb::StreamRunResultsResponse, Status>> + Send>>;
type ExportStream =
    Pin<Box<dyn Stream<Item = Result<pb::ExportRunOutputsResponse, Status>> + Send>>;

/// The gRPC face of the eligibility service.
#[derive(Clone, Debug)]
pub struct EligibilityGrpc {
    eligibility: Eligibility,
}

impl EligibilityGrpc {
    #[must_use]
    pub fn new(eligibility: Eligibility) -> Self {
        Self { eligibility }
    }
}

fn invalid(field: &'static str, description: impl Into<String>) -> EligibilityError {
    EligibilityError::InvalidArgument {
        field,
        description: description.into(),
    }
}

/// The request's county; the name is required (the engine selects convictions by it).
fn scope_county(scope: Option<&common::Scope>) -> Result<County, EligibilityError> {
    let scope = scope.ok_or_else(|| invalid("scope", "scope is required"))?;
    let name = scope.county_name.trim();
    if name.is_empty() || name.len() > 64 {
        return Err(invalid(
            "scope.county_name",
            "INVALID_SCOPE: county_name is required (at most 64 characters)",
        ));
    }
    let code = scope.county_code.as_str();
    let code_valid = code.is_empty()
        || (code.len() == 2
            && code.bytes().all(|b| b.is_ascii_digit())
            && matches!(code.parse::<u8>(), Ok(1..=58)));
    if !code_valid {
        return Err(invalid(
            "scope.county_code",
            "INVALID_SCOPE: county_code must be two digits 01..58",
        ));
    }
    Ok(County {
        code: code.to_owned(),
        name: name.to_owned(),
    })
}

fn to_scope(county: &County) -> common::Scope {
    common::Scope {
        county_code: county.code.clone(),
        county_name: county.name.clone(),
        agency_id: String::new(),
    }
}

fn page_size(page: Option<&common::PageRequest>) -> u64 {
    match page.map_or(0, |p| p.page_size) {
        n if n <= 0 => DEFAULT_PAGE,
        n => u64::try_from(n).unwrap_or(MAX_PAGE).min(MAX_PAGE),
    }
}

fn page_token(page: Option<&common::PageRequest>) -> &str {
    page.map_or("", |p| p.page_token.as_str())
}

fn bad_token() -> EligibilityError {
    invalid(
        "page.page_token",
        "INVALID_PAGE_TOKEN: page token is not one this service issued",
    )
}

fn unimplemented(rpc: &'static str, issue: &'static str) -> Status {
    EligibilityError::Unimplemented { rpc, issue }.into()
}

fn timestamp(ms: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

fn civil_date(date: Option<&common::CivilDate>) -> Result<Instant, EligibilityError> {
    let d = date.ok_or_else(|| invalid("compute_at", "compute_at is required"))?;
    let (y, m, day) = (i64::from(d.year), i64::from(d.month), i64::from(d.day));
    let instant = Instant::from_ymd(y, m, day);
    if !(1..=9999).contains(&y) || instant.ymd() != (y, d.month as u32, d.day as u32) {
        return Err(invalid("compute_at", "compute_at is not a valid date"));
    }
    Ok(instant)
}

fn to_civil(iso: &str) -> Option<common::CivilDate> {
    let mut parts = iso.split('-').map(|p| p.parse::<i32>().ok());
    Some(common::CivilDate {
        year: parts.next()??,
        month: parts.next()??,
        day: parts.next()??,
    })
}

// ----- policies -----

fn flow_of(body: Option<&pb::policy::Body>) -> Result<FlowSpec, EligibilityError> {
    match body {
        None => Err(invalid("policy.body", "a policy body is required")),
        Some(pb::policy::Body::GogenConfigurable(g)) => {
            if g.seven_year_clock == pb::SevenYearClock::WallClock as i32 {
                return Err(invalid(
                    "policy.gogen_configurable.seven_year_clock",
                    "WALL_CLOCK is not supported (runs are reproducible from compute_at)",
                ));
            }
            let options = EligibilityOptions {
                dismiss: g.dismiss_sections.clone(),
                reduce: g.reduce_sections.clone(),
                subject_under_21_at_conviction: g.subject_under_21_at_conviction,
                subject_age_threshold: i64::from(g.subject_age_threshold),
                years_since_conviction_threshold: i64::from(g.years_since_conviction_threshold),
                years_crime_free_threshold: i64::from(g.years_crime_free_threshold),
                subject_has_only_prop64_charges: g.subject_has_only_prop64_charges,
                subject_is_deceased: g.subject_is_deceased,
            };
            options.validate().map_err(|e| {
                invalid("policy.gogen_configurable", format!("POLICY_INVALID: {e}"))
            })?;
            Ok(FlowSpec::Configurable(options))
        }
        Some(pb::policy::Body::GogenPilot(p)) => {
            match pb::PilotFlow::try_from(p.flow).unwrap_or(pb::PilotFlow::Unspecified) {
                pb::PilotFlow::LosAngeles => {
                    if p.la_variant != pb::LaVariant::Unspecified as i32 {
                        return Err(invalid(
                            "policy.gogen_pilot.la_variant",
                            "hypothetical Los Angeles variants are not supported yet",
                        ));
                    }
                    let or = |v: i32, default: i64| if v == 0 { default } else { i64::from(v) };
                    Ok(FlowSpec::LosAngeles(LaParams {
                        individual_age: or(p.individual_age, 50),
                        years_conviction_free: or(p.years_conviction_free, 10),
                    }))
                }
                pb::PilotFlow::Sacramento => Ok(FlowSpec::CountyPilot(CountyPilot::Sacramento)),
                pb::PilotFlow::SanJoaquin | pb::PilotFlow::ContraCosta => {
                    Ok(FlowSpec::CountyPilot(CountyPilot::WithRelated))
                }
                pb::PilotFlow::Unspecified => Err(invalid(
                    "policy.gogen_pilot.flow",
                    "a pilot flow is required",
                )),
            }
        }
        Some(pb::policy::Body::Statute(pb::StatutePolicy {})) => Ok(FlowSpec::Statute),
        Some(pb::policy::Body::RuleSet(_)) => Err(EligibilityError::Unimplemented {
            rpc: "PutPolicy with a rule_set body",
            issue: "3 follow-up",
        }),
    }
}

fn body_of(flow: &FlowSpec, county: &str) -> pb::policy::Body {
    match flow {
        FlowSpec::Configurable(o) => pb::policy::Body::GogenConfigurable(pb::GogenConfigurable {
            dismiss_sections: o.dismiss.clone(),
            reduce_sections: o.reduce.clone(),
            subject_under_21_at_conviction: o.subject_under_21_at_conviction,
            subject_age_threshold: i32::try_from(o.subject_age_threshold).unwrap_or(0),
            years_since_conviction_threshold: i32::try_from(o.years_since_conviction_threshold)
                .unwrap_or(0),
            years_crime_free_threshold: i32::try_from(o.years_crime_free_threshold).unwrap_or(0),
            subject_has_only_prop64_charges: o.subject_has_only_prop64_charges,
            subject_is_deceased: o.subject_is_deceased,
            seven_year_clock: pb::SevenYearClock::ComputeAt as i32,
            options_json: crate::domain::policy::options_json(o).to_string(),
        }),
        FlowSpec::LosAngeles(p) => pb::policy::Body::GogenPilot(pb::GogenPilot {
            flow: pb::PilotFlow::LosAngeles as i32,
            individual_age: i32::try_from(p.individual_age).unwrap_or(0),
            years_conviction_free: i32::try_from(p.years_conviction_free).unwrap_or(0),
            la_variant: 0,
        }),
        FlowSpec::CountyPilot(pilot) => pb::policy::Body::GogenPilot(pb::GogenPilot {
            flow: match pilot {
                CountyPilot::Sacramento => pb::PilotFlow::Sacramento,
                CountyPilot::WithRelated if county == "SAN JOAQUIN" => pb::PilotFlow::SanJoaquin,
                CountyPilot::WithRelated => pb::PilotFlow::ContraCosta,
            } as i32,
            ..Default::default()
        }),
        FlowSpec::Statute => pb::policy::Body::Statute(pb::StatutePolicy {}),
    }
}

fn to_pb_policy(stored: &StoredPolicy) -> Result<pb::Policy, EligibilityError> {
    let policy = engine_policy(stored)
        .map_err(|e| EligibilityError::Internal(format!("stored policy is invalid: {e}")))?;
    Ok(pb::Policy {
        policy_id: stored.id.clone(),
        r#ref: Some(pb::PolicyRef {
            name: stored.name.clone(),
            version: stored.version,
        }),
        scope: Some(common::Scope {
            county_name: stored.county_name.clone(),
            ..Default::default()
        }),
        description: stored.description.clone(),
        body: Some(body_of(&policy.flow, &stored.county_name)),
        body_sha256: stored.body_sha256.clone(),
        created_by: None,
        created_at: Some(timestamp(stored.created_at_ms)),
    })
}

// ----- runs and determinations -----

fn pb_outcome(outcome: Outcome) -> common::DeterminationOutcome {
    use common::DeterminationOutcome as D;
    match outcome {
        Outcome::Dismissal => D::DismissAndSeal,
        Outcome::Reduction => D::Reduce,
        Outcome::Blank => D::NoRelief,
        Outcome::NotEligible => D::NotEligible,
        Outcome::HandReview | Outcome::MaybeEligible => D::HandReview,
        Outcome::CityAttorneys => D::ReferToCityProsecutor,
    }
}

/// Stored outcome codes of the requested proto outcomes.
fn outcome_codes(requested: &[i32]) -> Vec<i16> {
    (0..7)
        .filter_map(outcome_of)
        .filter(|o| requested.contains(&(pb_outcome(*o) as i32)))
        .map(outcome_code)
        .collect()
}

fn to_pb_run(run: &Run) -> pb::Run {
    let by_outcome = {
        let mut merged: Vec<pb::OutcomeCount> = Vec::new();
        for (code, count) in &run.outcome_counts {
            let outcome = outcome_of(*code).map_or(0, |o| pb_outcome(o) as i32);
            match merged.iter_mut().find(|c| c.outcome == outcome) {
                Some(c) => c.count += count,
                None => merged.push(pb::OutcomeCount {
                    outcome,
                    count: *count,
                }),
            }
        }
        merged
    };
    let status = match run.status {
        RunStatus::Running => pb::RunStatus::Running,
        RunStatus::Succeeded => pb::RunStatus::Succeeded,
        RunStatus::Failed => pb::RunStatus::Failed,
    };
    // Every policy's summary carries gogen's three subject counts.
    let counts = cmr_engine::summary::Relief::current_in_json(&run.summary_json);
    let relief = counts.unwrap_or_default();
    pb::Run {
        run_id: run.id.clone(),
        scope: Some(to_scope(&run.county)),
        batch_id: run.batch_id.clone(),
        policy: Some(pb::PolicyRef {
            name: run.policy_name.clone(),
            version: run.policy_version,
        }),
        compute_at: to_civil(&run.compute_at),
        status: status as i32,
        summary: Some(pb::RunSummary {
            subjects_evaluated: run.subjects_evaluated,
            convictions_evaluated: run.convictions_evaluated,
            by_outcome,
            by_section: Vec::new(),
            subjects_with_relief: run.subjects_with_relief,
            submitted_to_verification: 0,
            gogen_summary_json: run.summary_json.clone(),
            report_text: run.report_text.clone(),
            subjects_no_felony: i64::try_from(relief.no_felony).unwrap_or(i64::MAX),
            subjects_no_conviction: i64::try_from(relief.no_conviction).unwrap_or(i64::MAX),
            subjects_no_conviction_last_7_years: i64::try_from(relief.no_conviction_last_7_years)
                .unwrap_or(i64::MAX),
            subject_counts_available: counts.is_some(),
        }),
        run_key: run.run_key.clone(),
        error: run.error.as_ref().map(|message| common::ErrorDetail {
            reason: common::ErrorReason::Internal as i32,
            message: message.clone(),
            ..Default::default()
        }),
        created_by: None,
        created_at: Some(timestamp(run.created_at_ms)),
        started_at: run.started_at_ms.map(timestamp),
        finished_at: run.finished_at_ms.map(timestamp),
    }
}

fn gogen_columns(columns: &[Column], printed: Vec<Vec<u8>>) -> pb::GogenColumns {
    let mut g = pb::GogenColumns::default();
    for (&column, bytes) in columns.iter().zip(printed) {
        *gogen_slot(&mut g, column) = String::from_utf8_lossy(&bytes).into_owned();
    }
    g
}

/// The `GogenColumns` field that carries `column`'s printed cell; clients that write gogen's
/// CSVs from streamed determinations read the cells back through it.
pub fn gogen_slot(g: &mut pb::GogenColumns, column: Column) -> &mut String {
    match column {
        Column::CaseNumber => &mut g.case_number,
        Column::ConvictionsOnRecord => &mut g.convictions_on_record,
        Column::PossibleOtherP64 => &mut g.possible_other_p64_charges,
        Column::OccurredAfter => &mut g.occurred_after_2016_11_09,
        Column::Superstrikes => &mut g.superstrike_code_sections,
        Column::Pc290Sections => &mut g.pc290_code_sections,
        Column::Pc290Registration => &mut g.pc290_registration,
        Column::DateOfConviction => &mut g.date_of_conviction,
        Column::YearsSinceThis => &mut g.years_since_this_conviction,
        Column::YearsSinceAny => &mut g.years_since_any_conviction,
        Column::Prop64Count => &mut g.prop64_convictions,
        Column::Section(0) => &mut g.hs_11357_convictions,
        Column::Section(1) => &mut g.hs_11358_convictions,
        Column::Section(2) => &mut g.hs_11359_convictions,
        Column::Section(_) => &mut g.hs_11360_convictions,
        Column::Deceased => &mut g.deceased,
        Column::Determination => &mut g.eligibility_determination,
        Column::Reason => &mut g.eligibility_reason,
    }
}

fn determination_id(run_id: &str, row_index: i64) -> String {
    if run_id.is_empty() {
        return String::new();
    }
    format!("{run_id}:{row_index}")
}

/// What every determination of one run (or of one what-if evaluation) shares.
struct RunContext<'a> {
    /// Empty for a what-if evaluation (nothing stored).
    run_id: &'a str,
    batch_id: &'a str,
    county: &'a County,
    policy_name: &'a str,
    policy_version: i32,
    /// YYYY-MM-DD.
    compute_at: &'a str,
}

impl<'a> RunContext<'a> {
    fn of(run: &'a Run) -> Self {
        Self {
            run_id: &run.id,
            batch_id: &run.batch_id,
            county: &run.county,
            policy_name: &run.policy_name,
            policy_version: run.policy_version,
            compute_at: &run.compute_at,
        }
    }

    fn policy(&self) -> pb::PolicyRef {
        pb::PolicyRef {
            name: self.policy_name.to_owned(),
            version: self.policy_version,
        }
    }
}

fn pb_track(track: Track) -> common::Track {
    match track {
        Track::Unknown => common::Track::Unspecified,
        Track::Application => common::Track::Application,
        Track::Petition => common::Track::Petition,
    }
}

/// The level after relief of a REDUCE (UNSPECIFIED for every other outcome): an infraction
/// for the statute rules that say so, else a misdemeanor (gogen's reductions).
fn reduce_to(outcome: Outcome, code: &str) -> common::Severity {
    match outcome {
        Outcome::Reduction if statute::reduces_to_infraction(code) => common::Severity::Infraction,
        Outcome::Reduction => common::Severity::Misdemeanor,
        _ => common::Severity::Unspecified,
    }
}

fn fact_value<'f>(facts: &'f [(String, String)], key: &str) -> Option<&'f str> {
    facts
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The conviction's code section as the facts give it: the statute flow's `charge`
/// (`11359(b)`, printed `H&S 11359(b)`) or the gogen flows' `code_section` (`11359 HS`).
fn section_of(facts: &[(String, String)]) -> Option<String> {
    fact_value(facts, "charge")
        .map(|c| format!("H&S {c}"))
        .or_else(|| fact_value(facts, "code_section").map(str::to_owned))
}

/// One readable sentence for reviewers, e.g. `H&S 11359 felony of 1998-03-04: Eligible for
/// Reduction (Felony possession for sale ...)`. Personal (it holds a conviction date).
fn explanation(facts: &[(String, String)], outcome: Outcome, reason: &str) -> String {
    let section = section_of(facts).unwrap_or_else(|| "Conviction".to_owned());
    let level = match fact_value(facts, "felony") {
        Some("true") => " felony",
        Some("false") => " misdemeanor",
        _ => "",
    };
    let date = fact_value(facts, "conviction_date").unwrap_or("unknown");
    let words = match outcome.as_str() {
        "" => "No determination",
        words => words,
    };
    if reason.is_empty() {
        format!("{section}{level} of {date}: {words}")
    } else {
        format!("{section}{level} of {date}: {words} ({reason})")
    }
}

fn to_pb_determination(
    run: &RunContext<'_>,
    columns: &[Column],
    d: StoredDetermination,
) -> Result<pb::Determination, EligibilityError> {
    let outcome = outcome_of(d.outcome).ok_or_else(|| {
        EligibilityError::Internal(format!("determination {} has a bad outcome", d.row_index))
    })?;
    let printed = cells::decode(&d.cells).ok_or_else(|| {
        EligibilityError::Internal(format!("determination {} is corrupt", d.row_index))
    })?;
    let gogen = gogen_columns(columns, printed);
    let code = if d.reason_code.is_empty() {
        // Stored before reason codes were recorded: the rule id in UPPER_SNAKE.
        let rule = d.rule_id.rsplit('/').next().unwrap_or_default();
        rule.to_ascii_uppercase().replace(['-', '/', ' ', '.'], "_")
    } else {
        d.reason_code
    };
    let facts = parse_facts(&d.facts_json);
    let severity = match fact_value(&facts, "felony") {
        Some("true") => common::Severity::Felony,
        Some("false") => common::Severity::Misdemeanor,
        _ => common::Severity::Unspecified,
    };
    let record = d.record;
    // Rows stored before the person was recorded read back without one.
    let person = (!record.name.is_empty() || !record.doj_subject_id.is_empty()).then(|| {
        common::PersonIdentity {
            name: record.name,
            aliases: record
                .aliases
                .lines()
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
            date_of_birth: to_civil(&record.date_of_birth),
            cii_number: record.cii_number,
            doj_subject_id: record.doj_subject_id,
        }
    });
    Ok(pb::Determination {
        determination_id: determination_id(run.run_id, d.row_index),
        run_id: run.run_id.to_owned(),
        batch_id: run.batch_id.to_owned(),
        subject_id: d.subject_id,
        scope: Some(to_scope(run.county)),
        conviction: Some(pb::ConvictionFacts {
            cnt_order: record.cnt_order,
            data_row_index: d.row_index,
            code_section: section_of(&facts).unwrap_or_default(),
            prop64_section: record.prop64_section,
            severity: severity as i32,
            conviction_date: fact_value(&facts, "conviction_date").and_then(to_civil),
            case_number: gogen.case_number.clone(),
            court_ori_code: record.court_ori_code,
            court_ori_descr: record.court_ori_descr,
            county_name: run.county.name.clone(),
            ..Default::default()
        }),
        person,
        race_code: record.race_code,
        race_descr: record.race_descr,
        outcome: pb_outcome(outcome) as i32,
        reduce_to: reduce_to(outcome, &code) as i32,
        track: pb_track(track_of(d.track)) as i32,
        explanation: explanation(&facts, outcome, &d.reason),
        reason: Some(common::Reason {
            code,
            text: d.reason,
            rule_id: d.rule_id,
            citation: d.citation,
            facts: pb_facts(facts),
        }),
        policy: Some(run.policy()),
        compute_at: to_civil(run.compute_at),
        gogen: Some(gogen),
        ..Default::default()
    })
}

/// Facts as the proto carries them (values are personal; the source is safe to log).
fn pb_facts(facts: impl IntoIterator<Item = (String, String)>) -> Vec<common::Fact> {
    facts
        .into_iter()
        .map(|(key, value)| common::Fact {
            key,
            value,
            source: "derived".to_owned(),
        })
        .collect()
}

// ----- explain -----

fn pb_skip(reason: Skip) -> pb::SkipReason {
    match reason {
        Skip::NotConvicted => pb::SkipReason::NotConvicted,
        Skip::OtherCounty => pb::SkipReason::OtherCounty,
        Skip::NotSelectedSection => pb::SkipReason::NotSelectedSection,
        Skip::DuplicateCntOrder => pb::SkipReason::DuplicateCntOrder,
    }
}

fn engine_facts(facts: Vec<Fact>) -> Vec<common::Fact> {
    pb_facts(facts.into_iter().map(|f| (f.key.to_owned(), f.value)))
}

fn to_pb_explain(e: Explanation) -> Result<pb::ExplainResponse, EligibilityError> {
    let version = i32::try_from(e.policy.version).unwrap_or(i32::MAX);
    let context = RunContext {
        run_id: &e.run_id,
        batch_id: &e.batch_id,
        county: &e.county,
        policy_name: &e.policy.name,
        policy_version: version,
        compute_at: &e.compute_at,
    };
    let columns = columns_for(&e.policy);
    let convictions = e
        .explained
        .convictions
        .into_iter()
        .map(|c| {
            let steps = c
                .steps
                .into_iter()
                .enumerate()
                .map(|(i, step)| pb::DecisionStep {
                    order: i32::try_from(i + 1).unwrap_or(i32::MAX),
                    rule_id: step.rule_id,
                    description: step.description,
                    matched: step.matched,
                    outcome: pb_outcome(step.outcome) as i32,
                    citation: step.citation,
                    facts: engine_facts(step.facts),
                })
                .collect();
            let stored = c.decided.stored(&e.run_id, &e.subject_id);
            Ok(pb::ConvictionPath {
                determination: Some(to_pb_determination(&context, columns, stored)?),
                steps,
            })
        })
        .collect::<Result<Vec<_>, EligibilityError>>()?;
    let skipped = e
        .explained
        .skipped
        .into_iter()
        .map(|s| pb::SkippedCount {
            count_id: String::new(),
            cnt_order: s.cnt_order,
            code_section: s.code_section,
            reason: pb_skip(s.reason) as i32,
        })
        .collect();
    Ok(pb::ExplainResponse {
        subject_facts: engine_facts(e.explained.facts),
        convictions,
        skipped,
        policy: Some(context.policy()),
        compute_at: to_civil(&e.compute_at),
        subject_id: e.subject_id,
    })
}

#[tonic::async_trait]
impl EligibilityService for EligibilityGrpc {
    async fn start_run(
        &self,
        request: Request<pb::StartRunRequest>,
    ) -> Result<Response<pb::StartRunResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        if request.batch_id.trim().is_empty() {
            return Err(invalid("batch_id", "batch_id is required").into());
        }
        // No policy (or an empty name) is the built-in default, resolved by the service.
        let policy = request.policy.unwrap_or_default();
        if !policy.name.is_empty() && !valid_name(&policy.name) {
            return Err(invalid("policy.name", "policy name must match [a-z0-9-]{1,64}").into());
        }
        if request.submit_to_verification {
            return Err(unimplemented(
                "StartRun with submit_to_verification",
                "3 (verification service)",
            ));
        }
        let compute_at = civil_date(request.compute_at.as_ref())?;
        let (run, reused) = self
            .eligibility
            .start_run(StartRun {
                county,
                batch_id: request.batch_id,
                policy_name: policy.name,
                policy_version: policy.version.max(0),
                compute_at,
            })
            .await?;
        Ok(Response::new(pb::StartRunResponse {
            run: Some(to_pb_run(&run)),
            reused,
        }))
    }

    async fn get_run(
        &self,
        request: Request<pb::GetRunRequest>,
    ) -> Result<Response<pb::GetRunResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let run = self
            .eligibility
            .run_in_county(&county, &request.run_id)
            .await?;
        Ok(Response::new(pb::GetRunResponse {
            run: Some(to_pb_run(&run)),
        }))
    }

    async fn list_runs(
        &self,
        request: Request<pb::ListRunsRequest>,
    ) -> Result<Response<pb::ListRunsResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let limit = page_size(request.page.as_ref());
        let token = page_token(request.page.as_ref());
        let after = if token.is_empty() {
            None
        } else {
            let (ms, id) = token.split_once(':').ok_or_else(bad_token)?;
            Some((ms.parse::<i64>().map_err(|_| bad_token())?, id.to_owned()))
        };
        let status = match pb::RunStatus::try_from(request.status) {
            Ok(pb::RunStatus::Running) => Some(RunStatus::Running),
            Ok(pb::RunStatus::Succeeded) => Some(RunStatus::Succeeded),
            Ok(pb::RunStatus::Failed) => Some(RunStatus::Failed),
            _ => None,
        };
        let filter = RunFilter {
            batch_id: Some(request.batch_id).filter(|s| !s.is_empty()),
            policy_name: Some(request.policy_name).filter(|s| !s.is_empty()),
            status,
        };
        let runs = self
            .eligibility
            .store
            .list_runs(&county, &filter, after, limit + 1)
            .await
            .map_err(EligibilityError::from)?;
        let more = runs.len() as u64 > limit;
        let runs: Vec<Run> = runs.into_iter().take(limit as usize).collect();
        let next_page_token = match runs.last() {
            Some(last) if more => format!("{}:{}", last.created_at_ms, last.id),
            _ => String::new(),
        };
        Ok(Response::new(pb::ListRunsResponse {
            runs: runs.iter().map(to_pb_run).collect(),
            page: Some(common::PageResponse {
                next_page_token,
                total_size: 0,
            }),
        }))
    }

    type StreamRunResultsStream = ResultStream;

    async fn stream_run_results(
        &self,
        request: Request<pb::StreamRunResultsRequest>,
    ) -> Result<Response<Self::StreamRunResultsStream>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let run = self
            .eligibility
            .run_in_county(&county, &request.run_id)
            .await?;
        if run.status != RunStatus::Succeeded {
            return Err(EligibilityError::FailedPrecondition(format!(
                "INVALID_STATE: run {} has not succeeded",
                run.id
            ))
            .into());
        }
        let mut after_row = -1;
        if !request.resume_after_determination_id.is_empty() {
            after_row = request
                .resume_after_determination_id
                .strip_prefix(&format!("{}:", run.id))
                .and_then(|r| r.parse::<i64>().ok())
                .ok_or_else(|| {
                    invalid(
                        "resume_after_determination_id",
                        "not a determination of this run",
                    )
                })?;
        }
        let stored = self
            .eligibility
            .resolve_policy(&run.county.name, &run.policy_name, run.policy_version)
            .await?;
        let policy = engine_policy(&stored)
            .map_err(|e| EligibilityError::Internal(format!("stored policy is invalid: {e}")))?;
        let columns = columns_for(&policy);
        let outcomes = outcome_codes(&request.outcomes);
        if !request.outcomes.is_empty() && outcomes.is_empty() {
            let (_tx, rx) = mpsc::channel(1);
            return Ok(Response::new(Box::pin(ReceiverStream::new(rx))));
        }
        let store = self.eligibility.store.clone();
        let (tx, rx) = mpsc::channel(16);
        tokio::spawn(async move {
            loop {
                let page = match store
                    .determinations(&run.id, after_row, &outcomes, STREAM_PAGE)
                    .await
                {
                    Ok(page) => page,
                    Err(error) => {
                        let _ = tx.send(Err(EligibilityError::from(error).into())).await;
                        return;
                    }
                };
                let Some(last) = page.last() else { return };
                after_row = last.row_index;
                for d in page {
                    let item = to_pb_determination(&RunContext::of(&run), columns, d)
                        .map(|d| pb::StreamRunResultsResponse {
                            determination: Some(d),
                        })
                        .map_err(Status::from);
                    if tx.send(item).await.is_err() {
                        return;
                    }
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    type ExportRunOutputsStream = ExportStream;

    async fn export_run_outputs(
        &self,
        request: Request<pb::ExportRunOutputsRequest>,
    ) -> Result<Response<Self::ExportRunOutputsStream>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        // Another county's run is not there, before anything else is said about it.
        self.eligibility
            .run_in_county(&county, &request.run_id)
            .await?;
        Err(unimplemented("ExportRunOutputs", "3 follow-up"))
    }

    async fn put_policy(
        &self,
        request: Request<pb::PutPolicyRequest>,
    ) -> Result<Response<pb::PutPolicyResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let policy = request
            .policy
            .ok_or_else(|| invalid("policy", "policy is required"))?;
        let name = policy.r#ref.as_ref().map_or("", |r| r.name.as_str());
        if !valid_name(name) {
            return Err(
                invalid("policy.ref.name", "policy name must match [a-z0-9-]{1,64}").into(),
            );
        }
        let flow = flow_of(policy.body.as_ref())?;
        let (stored, created) = self
            .eligibility
            .put_policy(NewPolicy {
                county_name: county.name,
                name: name.to_owned(),
                description: policy.description,
                flow,
                expected_latest_version: request.expected_latest_version,
                validate_only: request.validate_only,
            })
            .await?;
        Ok(Response::new(pb::PutPolicyResponse {
            policy: Some(to_pb_policy(&stored)?),
            created,
        }))
    }

    async fn get_policy(
        &self,
        request: Request<pb::GetPolicyRequest>,
    ) -> Result<Response<pb::GetPolicyResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let r = request
            .r#ref
            .ok_or_else(|| invalid("ref", "ref is required"))?;
        let stored = self
            .eligibility
            .resolve_policy(&county.name, &r.name, r.version)
            .await?;
        Ok(Response::new(pb::GetPolicyResponse {
            policy: Some(to_pb_policy(&stored)?),
        }))
    }

    async fn list_policies(
        &self,
        request: Request<pb::ListPoliciesRequest>,
    ) -> Result<Response<pb::ListPoliciesResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let limit = page_size(request.page.as_ref()) as usize;
        let token = page_token(request.page.as_ref());
        let offset = if token.is_empty() {
            0
        } else {
            token.parse::<usize>().map_err(|_| bad_token())?
        };
        let name = Some(request.name.as_str()).filter(|n| !n.is_empty());
        let all = self
            .eligibility
            .list_policies(&county.name, name, request.all_versions)
            .await?;
        let total = all.len();
        let policies = all
            .iter()
            .skip(offset)
            .take(limit)
            .map(to_pb_policy)
            .collect::<Result<Vec<_>, _>>()?;
        let next = offset + policies.len();
        Ok(Response::new(pb::ListPoliciesResponse {
            policies,
            page: Some(common::PageResponse {
                next_page_token: if next < total {
                    next.to_string()
                } else {
                    String::new()
                },
                total_size: i64::try_from(total).unwrap_or(i64::MAX),
            }),
        }))
    }

    async fn explain(
        &self,
        request: Request<pb::ExplainRequest>,
    ) -> Result<Response<pb::ExplainResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        if request.subject_id.trim().is_empty() {
            return Err(invalid("subject_id", "subject_id is required").into());
        }
        let policy = request.policy.unwrap_or_default();
        let compute_at = if request.run_id.is_empty() {
            if !policy.name.is_empty() && !valid_name(&policy.name) {
                return Err(
                    invalid("policy.name", "policy name must match [a-z0-9-]{1,64}").into(),
                );
            }
            Some(civil_date(request.compute_at.as_ref())?)
        } else {
            None
        };
        let explanation = self
            .eligibility
            .explain(ExplainQuery {
                county,
                subject_id: request.subject_id,
                run_id: request.run_id,
                policy_name: policy.name,
                policy_version: policy.version.max(0),
                compute_at,
            })
            .await?;
        Ok(Response::new(to_pb_explain(explanation)?))
    }
}
