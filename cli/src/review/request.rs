//! Flags to request messages: pure functions, no I/O. A flag combination the API would
//! refuse anyway (a challenge without a note, a reduction without its level) is refused here
//! first, with the flag to use.

use cmr_proto::common::v1 as common;
use cmr_proto::verification::v1 as pb;

use super::args::{
    AgencyKindArg, BulkScope, ChallengeSpec, CommonArgs, ConcurArgs, FilterArgs, GroundArg,
    OutcomeArg, ReassignArgs, ReduceToArg, ResolutionArg, ResolveSpec, RulePutArgs, SeverityArg,
    StatusArg, TrackArg,
};

/// A request the flags cannot make; the text says which flag to give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage(pub String);

fn usage(text: impl Into<String>) -> Usage {
    Usage(text.into())
}

/// The scope of every request: `--county` as a two-digit code or a DOJ county name (upper
/// case, single spaces), and `--scope-agency`.
pub fn scope(common: &CommonArgs) -> Result<common::Scope, Usage> {
    county_scope(common.county.as_deref(), common.scope_agency.as_deref())
}

/// The scope of `--county` (a two-digit code or a DOJ county name) and `--scope-agency`,
/// for every command on the suite's APIs.
pub fn county_scope(county: Option<&str>, agency: Option<&str>) -> Result<common::Scope, Usage> {
    let county = county
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| usage("--county NAME (or CMR_COUNTY) is required"))?;
    let (county_code, county_name) =
        if county.len() == 2 && county.bytes().all(|b| b.is_ascii_digit()) {
            (county.to_owned(), String::new())
        } else {
            let name = county
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_uppercase();
            (String::new(), name)
        };
    Ok(common::Scope {
        county_code,
        county_name,
        agency_id: agency.unwrap_or_default().to_owned(),
    })
}

/// `YYYY-MM-DD`, a real Gregorian date.
pub fn parse_date(text: &str) -> Result<common::CivilDate, Usage> {
    let bad = || usage(format!("{text:?} is not a date (YYYY-MM-DD)"));
    let parts: Vec<&str> = text.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let number = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse::<i32>().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (number(y), number(m), number(d)) else {
        return Err(bad());
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if year < 1 || day < 1 || day > days {
        return Err(bad());
    }
    Ok(common::CivilDate { year, month, day })
}

fn opt_date(text: Option<&String>) -> Result<Option<common::CivilDate>, Usage> {
    text.map(|t| parse_date(t)).transpose()
}

fn text(value: Option<&String>) -> String {
    value.cloned().unwrap_or_default()
}

/// A required free-text flag: present and not blank.
fn required(value: Option<&String>, what: &str) -> Result<String, Usage> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v.clone()),
        _ => Err(usage(what)),
    }
}

pub fn outcome(arg: OutcomeArg) -> common::DeterminationOutcome {
    match arg {
        OutcomeArg::Dismiss => common::DeterminationOutcome::DismissAndSeal,
        OutcomeArg::Reduce => common::DeterminationOutcome::Reduce,
        OutcomeArg::NotEligible => common::DeterminationOutcome::NotEligible,
        OutcomeArg::HandReview => common::DeterminationOutcome::HandReview,
        OutcomeArg::CityProsecutor => common::DeterminationOutcome::ReferToCityProsecutor,
    }
}

pub fn status(arg: StatusArg) -> pb::ReviewStatus {
    match arg {
        StatusArg::Pending => pb::ReviewStatus::Pending,
        StatusArg::Concurred => pb::ReviewStatus::Concurred,
        StatusArg::Challenged => pb::ReviewStatus::Challenged,
        StatusArg::Resolved => pb::ReviewStatus::Resolved,
        StatusArg::DeemedConcurred => pb::ReviewStatus::DeemedConcurred,
    }
}

pub fn ground(arg: GroundArg) -> pb::ChallengeGround {
    match arg {
        GroundArg::NotEligible => pb::ChallengeGround::NotEligible,
        GroundArg::PublicSafety => pb::ChallengeGround::PublicSafetyRisk,
    }
}

fn severity(arg: SeverityArg) -> common::Severity {
    match arg {
        SeverityArg::Felony => common::Severity::Felony,
        SeverityArg::Misdemeanor => common::Severity::Misdemeanor,
        SeverityArg::Infraction => common::Severity::Infraction,
    }
}

fn agency_kind(arg: AgencyKindArg) -> pb::AgencyKind {
    match arg {
        AgencyKindArg::DistrictAttorney => pb::AgencyKind::DistrictAttorney,
        AgencyKindArg::CityProsecutor => pb::AgencyKind::CityProsecutor,
        AgencyKindArg::PublicDefender => pb::AgencyKind::PublicDefender,
        AgencyKindArg::SuperiorCourt => pb::AgencyKind::SuperiorCourt,
    }
}

/// The review filter of `list` and `bulk`.
pub fn filter(args: &FilterArgs) -> Result<pb::ReviewFilter, Usage> {
    let from = opt_date(args.convicted_from.as_ref())?;
    let to = opt_date(args.convicted_to.as_ref())?;
    Ok(pb::ReviewFilter {
        statuses: args.status.iter().map(|&s| status(s) as i32).collect(),
        outcomes: args.outcome.iter().map(|&o| outcome(o) as i32).collect(),
        agency_id: text(args.agency.as_ref()),
        reviewer_id: text(args.reviewer.as_ref()),
        section: text(args.section.as_ref()),
        track: match args.track {
            None => common::Track::Unspecified,
            Some(TrackArg::Application) => common::Track::Application,
            Some(TrackArg::Petition) => common::Track::Petition,
        } as i32,
        run_id: text(args.run.as_ref()),
        batch_id: text(args.batch.as_ref()),
        ground: args.challenge_ground.map_or(0, |g| ground(g) as i32),
        conviction_date: (from.is_some() || to.is_some()).then_some(common::DateRange { from, to }),
        court_ori_code: text(args.court_ori.as_ref()),
        subject_id: text(args.subject.as_ref()),
    })
}

/// Items per call for a listing of at most `limit` items (0 = all): `page_size` when given,
/// else the limit up to the server's maximum.
pub fn page_size(limit: usize, page_size: i32) -> i32 {
    if page_size > 0 {
        page_size
    } else if limit == 0 {
        1000
    } else {
        i32::try_from(limit.min(1000)).unwrap_or(1000)
    }
}

fn page(size: i32, token: &str) -> Option<common::PageRequest> {
    Some(common::PageRequest {
        page_size: size,
        page_token: token.to_owned(),
    })
}

fn key(key: &str) -> Option<common::IdempotencyKey> {
    Some(common::IdempotencyKey {
        key: key.to_owned(),
    })
}

pub fn list(
    scope: &common::Scope,
    filter: &pb::ReviewFilter,
    size: i32,
    token: &str,
) -> pb::ListReviewItemsRequest {
    pb::ListReviewItemsRequest {
        scope: Some(scope.clone()),
        page: page(size, token),
        filter: Some(filter.clone()),
    }
}

fn item_id(item: &str) -> Result<String, Usage> {
    let item = item.trim();
    if item.is_empty() {
        return Err(usage("a review item id is required"));
    }
    Ok(item.to_owned())
}

pub fn get(scope: &common::Scope, item: &str) -> Result<pb::GetReviewItemRequest, Usage> {
    Ok(pb::GetReviewItemRequest {
        scope: Some(scope.clone()),
        review_item_id: item_id(item)?,
    })
}

pub fn concur(
    scope: &common::Scope,
    idempotency_key: &str,
    args: &ConcurArgs,
) -> Result<pb::ConcurRequest, Usage> {
    Ok(pb::ConcurRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(idempotency_key),
        review_item_id: item_id(&args.item)?,
        expected_current_decision_id: text(args.supersedes.supersedes.as_ref()),
        note: text(args.note.as_ref()),
    })
}

/// Ground and note of a challenge, both required.
fn challenge_parts(spec: &ChallengeSpec) -> Result<(pb::ChallengeGround, String), Usage> {
    let ground = spec.ground.map(ground).ok_or_else(|| {
        usage("a challenge needs --ground not-eligible|public-safety (H&S 11361.9(b))")
    })?;
    let note = required(
        spec.note.as_ref(),
        "a challenge needs --note TEXT: why the item is challenged (recorded with the decision)",
    )?;
    Ok((ground, note))
}

pub fn challenge(
    scope: &common::Scope,
    idempotency_key: &str,
    item: &str,
    spec: &ChallengeSpec,
    supersedes: Option<&String>,
) -> Result<pb::ChallengeRequest, Usage> {
    let (ground, note) = challenge_parts(spec)?;
    Ok(pb::ChallengeRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(idempotency_key),
        review_item_id: item_id(item)?,
        expected_current_decision_id: text(supersedes),
        ground: ground as i32,
        note,
    })
}

/// Resolution, reduction level and note of a resolve.
fn resolve_parts(spec: &ResolveSpec) -> Result<(pb::Resolution, common::Severity, String), Usage> {
    let resolution = match spec.to {
        Some(ResolutionArg::Dismiss) => pb::Resolution::Dismiss,
        Some(ResolutionArg::Reduce) => pb::Resolution::Reduce,
        Some(ResolutionArg::NotEligible) => pb::Resolution::NotEligible,
        None => return Err(usage("a resolve needs --to dismiss|reduce|not-eligible")),
    };
    let reduce_to = match (resolution, spec.reduce_to) {
        (pb::Resolution::Reduce, None) => {
            return Err(usage(
                "--to reduce needs --reduce-to misdemeanor|infraction (the level after reduction)",
            ));
        }
        (pb::Resolution::Reduce, Some(ReduceToArg::Misdemeanor)) => common::Severity::Misdemeanor,
        (pb::Resolution::Reduce, Some(ReduceToArg::Infraction)) => common::Severity::Infraction,
        (_, Some(_)) => return Err(usage("--reduce-to goes only with --to reduce")),
        (_, None) => common::Severity::Unspecified,
    };
    let note = required(
        spec.note.as_ref(),
        "a resolve needs --note TEXT: why the item is decided this way (recorded with the decision)",
    )?;
    Ok((resolution, reduce_to, note))
}

pub fn resolve(
    scope: &common::Scope,
    idempotency_key: &str,
    item: &str,
    spec: &ResolveSpec,
    supersedes: Option<&String>,
) -> Result<pb::ResolveRequest, Usage> {
    let (resolution, reduce_to, note) = resolve_parts(spec)?;
    Ok(pb::ResolveRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(idempotency_key),
        review_item_id: item_id(item)?,
        expected_current_decision_id: text(supersedes),
        resolution: resolution as i32,
        reduce_to: reduce_to as i32,
        note,
    })
}

pub fn comment(
    scope: &common::Scope,
    idempotency_key: &str,
    item: &str,
    comment: &str,
) -> Result<pb::CommentRequest, Usage> {
    let text = required(Some(&comment.to_owned()), "the comment is empty")?;
    Ok(pb::CommentRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(idempotency_key),
        review_item_id: item_id(item)?,
        text,
    })
}

pub fn reassign(
    scope: &common::Scope,
    idempotency_key: &str,
    args: &ReassignArgs,
) -> Result<pb::ReassignRequest, Usage> {
    if args.to_agency.is_none() && args.to_reviewer.is_none() {
        return Err(usage(
            "reassign needs --to-agency ID and/or --to-reviewer ID",
        ));
    }
    let reason = required(
        args.reason.as_ref(),
        "reassign needs --reason TEXT (recorded with the assignment)",
    )?;
    Ok(pb::ReassignRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(idempotency_key),
        review_item_id: item_id(&args.item)?,
        to_agency_id: text(args.to_agency.as_ref()),
        to_reviewer_id: text(args.to_reviewer.as_ref()),
        reason,
    })
}

/// What a bulk command does to each item.
pub enum BulkKind<'a> {
    Concur(Option<&'a String>),
    Challenge(&'a ChallengeSpec),
    Resolve(&'a ResolveSpec),
}

pub fn bulk(
    scope: &common::Scope,
    idempotency_key: &str,
    bulk_scope: &BulkScope,
    kind: &BulkKind<'_>,
) -> Result<pb::BulkActRequest, Usage> {
    if bulk_scope.expect < 0 {
        return Err(usage("--expect is a count of items (0 or more)"));
    }
    let filter = filter(&bulk_scope.filter)?;
    if filter == pb::ReviewFilter::default() {
        return Err(usage(
            "a bulk action needs at least one filter flag (e.g. --batch B --outcome dismiss)",
        ));
    }
    let action = match kind {
        BulkKind::Concur(note) => {
            pb::bulk_action::Action::Concur(pb::BulkConcur { note: text(*note) })
        }
        BulkKind::Challenge(spec) => {
            let (ground, note) = challenge_parts(spec)?;
            pb::bulk_action::Action::Challenge(pb::BulkChallenge {
                ground: ground as i32,
                note,
            })
        }
        BulkKind::Resolve(spec) => {
            let (resolution, reduce_to, note) = resolve_parts(spec)?;
            pb::bulk_action::Action::Resolve(pb::BulkResolve {
                resolution: resolution as i32,
                reduce_to: reduce_to as i32,
                note,
            })
        }
    };
    Ok(pb::BulkActRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(idempotency_key),
        filter: Some(filter),
        action: Some(pb::BulkAction {
            action: Some(action),
        }),
        expected_count: bulk_scope.expect,
        dry_run: bulk_scope.dry_run,
    })
}

pub fn get_deadline(scope: &common::Scope) -> pb::GetDeadlineRequest {
    pb::GetDeadlineRequest {
        scope: Some(scope.clone()),
    }
}

pub fn set_deadline(
    scope: &common::Scope,
    idempotency_key: &str,
    date: &str,
    reason: Option<&String>,
) -> Result<pb::SetDeadlineRequest, Usage> {
    let challenge_deadline = parse_date(date)?;
    let reason = required(
        reason,
        "deadline set needs --reason TEXT: why the deadline changes (audited)",
    )?;
    Ok(pb::SetDeadlineRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(idempotency_key),
        challenge_deadline: Some(challenge_deadline),
        reason,
    })
}

pub fn apply_deadline(
    scope: &common::Scope,
    idempotency_key: &str,
    as_of: Option<&String>,
    dry_run: bool,
) -> Result<pb::ApplyDeadlineRequest, Usage> {
    Ok(pb::ApplyDeadlineRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(idempotency_key),
        as_of: opt_date(as_of)?,
        dry_run,
    })
}

pub fn defender_notice(
    scope: &common::Scope,
    agency: Option<&String>,
    decided_from: Option<&String>,
    decided_to: Option<&String>,
    size: i32,
    token: &str,
) -> Result<pb::ListChallengedForDefenderRequest, Usage> {
    let from = opt_date(decided_from)?;
    let to = opt_date(decided_to)?;
    Ok(pb::ListChallengedForDefenderRequest {
        scope: Some(scope.clone()),
        page: page(size, token),
        agency_id: text(agency),
        decided: (from.is_some() || to.is_some()).then_some(common::DateRange { from, to }),
    })
}

pub fn court_notice(
    scope: &common::Scope,
    court_ori: Option<&String>,
    agency: Option<&String>,
    include_pending: bool,
    size: i32,
    token: &str,
) -> pb::ListUnchallengedForCourtRequest {
    pb::ListUnchallengedForCourtRequest {
        scope: Some(scope.clone()),
        page: page(size, token),
        court_ori_code: text(court_ori),
        agency_id: text(agency),
        include_pending_after_deadline: include_pending,
    }
}

pub fn list_agencies(
    scope: &common::Scope,
    kind: Option<AgencyKindArg>,
    include_inactive: bool,
    token: &str,
) -> pb::ListAgenciesRequest {
    pb::ListAgenciesRequest {
        scope: Some(scope.clone()),
        page: page(1000, token),
        kind: kind.map_or(0, |k| agency_kind(k) as i32),
        include_inactive,
    }
}

#[allow(clippy::too_many_arguments)]
pub fn put_agency(
    scope: &common::Scope,
    idempotency_key: &str,
    agency_id: &str,
    kind: AgencyKindArg,
    name: &str,
    ori: &[String],
    county_default: bool,
    inactive: bool,
) -> Result<pb::PutAgencyRequest, Usage> {
    let name = required(Some(&name.to_owned()), "--name must not be blank")?;
    Ok(pb::PutAgencyRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(idempotency_key),
        agency: Some(pb::Agency {
            agency_id: item_id(agency_id)?,
            scope: Some(scope.clone()),
            kind: agency_kind(kind) as i32,
            name,
            ori_codes: ori.to_vec(),
            active: !inactive,
            county_default,
            updated_at: None,
        }),
    })
}

pub fn list_rules(
    scope: &common::Scope,
    include_disabled: bool,
    token: &str,
) -> pb::ListRoutingRulesRequest {
    pb::ListRoutingRulesRequest {
        scope: Some(scope.clone()),
        page: page(1000, token),
        include_disabled,
    }
}

pub fn put_rule(
    scope: &common::Scope,
    idempotency_key: &str,
    args: &RulePutArgs,
) -> Result<pb::PutRoutingRuleRequest, Usage> {
    Ok(pb::PutRoutingRuleRequest {
        scope: Some(scope.clone()),
        idempotency_key: key(idempotency_key),
        rule: Some(pb::RoutingRule {
            rule_id: item_id(&args.rule_id)?,
            scope: Some(scope.clone()),
            priority: args.priority,
            description: args.description.clone(),
            r#match: Some(pb::RoutingMatch {
                severities: args.severity.iter().map(|&s| severity(s) as i32).collect(),
                arrest_ori_codes: args.arrest_ori.clone(),
                court_ori_codes: args.court_ori.clone(),
                sections: args.section.clone(),
                outcomes: args.outcome.iter().map(|&o| outcome(o) as i32).collect(),
            }),
            agency_id: args.agency.clone(),
            enabled: !args.disabled,
            updated_at: None,
        }),
        reroute_pending: args.reroute_pending,
    })
}

pub fn list_audit(
    scope: &common::Scope,
    target: Option<&String>,
    principal: Option<&String>,
    from_sequence: u64,
    size: i32,
    token: &str,
) -> pb::ListAuditEventsRequest {
    pb::ListAuditEventsRequest {
        scope: Some(scope.clone()),
        page: page(size, token),
        target_id: text(target),
        principal_id: text(principal),
        actions: Vec::new(),
        from_time: None,
        to_time: None,
        from_sequence,
    }
}

pub fn verify_audit(
    scope: &common::Scope,
    from_sequence: u64,
    to_sequence: u64,
) -> pb::VerifyAuditChainRequest {
    pb::VerifyAuditChainRequest {
        scope: Some(scope.clone()),
        from_sequence,
        to_sequence,
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::args::{BulkCommand, ReviewArgs, ReviewCommand};
    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        review: ReviewArgs,
    }

    fn parse(args: &[&str]) -> ReviewArgs {
        Cli::try_parse_from(std::iter::once("review").chain(args.iter().copied()))
            .expect("flags")
            .review
    }

    fn sacramento() -> common::Scope {
        common::Scope {
            county_code: String::new(),
            county_name: "SACRAMENTO".into(),
            agency_id: String::new(),
        }
    }

    #[test]
    fn flags_are_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn county_by_name_or_code() {
        let args = parse(&["--county", "  los   angeles ", "list"]);
        assert_eq!(
            scope(&args.common).expect("scope").county_name,
            "LOS ANGELES"
        );
        let args = parse(&["list", "--county", "19", "--scope-agency", "la-city"]);
        let s = scope(&args.common).expect("scope");
        assert_eq!(
            (
                s.county_code.as_str(),
                s.county_name.as_str(),
                s.agency_id.as_str()
            ),
            ("19", "", "la-city")
        );
        let args = parse(&["list"]);
        assert!(
            scope(&args.common)
                .expect_err("no county")
                .0
                .contains("--county")
        );
    }

    #[test]
    fn dates_are_real_days() {
        let d = parse_date("2024-02-29").expect("leap day");
        assert_eq!((d.year, d.month, d.day), (2024, 2, 29));
        for bad in [
            "2023-02-29",
            "2020-13-01",
            "2020-7-1",
            "07/01/2020",
            "",
            "2020-00-10",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn list_flags_become_the_filter() {
        let args = parse(&[
            "list",
            "--batch",
            "b1",
            "--outcome",
            "dismiss,hand-review",
            "--outcome",
            "city-prosecutor",
            "--status",
            "pending",
            "--agency",
            "da-34",
            "--track",
            "petition",
            "--convicted-to",
            "2016-11-09",
            "--limit",
            "2500",
        ]);
        let ReviewCommand::List(list) = &args.command else {
            panic!("list");
        };
        let f = filter(&list.filter).expect("filter");
        assert_eq!(
            f,
            pb::ReviewFilter {
                statuses: vec![pb::ReviewStatus::Pending as i32],
                outcomes: vec![
                    common::DeterminationOutcome::DismissAndSeal as i32,
                    common::DeterminationOutcome::HandReview as i32,
                    common::DeterminationOutcome::ReferToCityProsecutor as i32,
                ],
                agency_id: "da-34".into(),
                track: common::Track::Petition as i32,
                batch_id: "b1".into(),
                conviction_date: Some(common::DateRange {
                    from: None,
                    to: Some(common::CivilDate {
                        year: 2016,
                        month: 11,
                        day: 9,
                    }),
                }),
                ..Default::default()
            }
        );
        assert_eq!(page_size(list.limit, list.page_size), 1000);
        assert_eq!(page_size(20, 0), 20);
        assert_eq!(page_size(0, 0), 1000);
        assert_eq!(page_size(20, 5), 5);
        let req = super::list(&sacramento(), &f, 20, "tok");
        assert_eq!(req.page.expect("page").page_token, "tok");
    }

    #[test]
    fn challenge_needs_ground_and_note() {
        let args = parse(&[
            "challenge",
            "ITEM1",
            "--ground",
            "public-safety",
            "--note",
            "super-strike prior",
            "--supersedes",
            "DEC1",
        ]);
        let ReviewCommand::Challenge(c) = &args.command else {
            panic!("challenge");
        };
        let req = challenge(
            &sacramento(),
            "k1",
            &c.item,
            &c.challenge,
            c.supersedes.supersedes.as_ref(),
        )
        .expect("request");
        assert_eq!(
            req,
            pb::ChallengeRequest {
                scope: Some(sacramento()),
                idempotency_key: Some(common::IdempotencyKey { key: "k1".into() }),
                review_item_id: "ITEM1".into(),
                expected_current_decision_id: "DEC1".into(),
                ground: pb::ChallengeGround::PublicSafetyRisk as i32,
                note: "super-strike prior".into(),
            }
        );
        for flags in [
            &["challenge", "ITEM1", "--ground", "not-eligible"][..],
            &[
                "challenge",
                "ITEM1",
                "--ground",
                "not-eligible",
                "--note",
                " \t",
            ][..],
        ] {
            let args = parse(flags);
            let ReviewCommand::Challenge(c) = &args.command else {
                panic!("challenge");
            };
            let err = challenge(&sacramento(), "k", &c.item, &c.challenge, None).expect_err("note");
            assert!(err.0.contains("--note TEXT"), "{}", err.0);
        }
        let args = parse(&["challenge", "ITEM1", "--note", "why"]);
        let ReviewCommand::Challenge(c) = &args.command else {
            panic!("challenge");
        };
        let err = challenge(&sacramento(), "k", &c.item, &c.challenge, None).expect_err("ground");
        assert!(err.0.contains("--ground"), "{}", err.0);
    }

    #[test]
    fn resolve_and_concur() {
        let args = parse(&[
            "resolve",
            "ITEM2",
            "--to",
            "reduce",
            "--reduce-to",
            "infraction",
            "--note",
            "n",
        ]);
        let ReviewCommand::Resolve(r) = &args.command else {
            panic!("resolve");
        };
        let req = resolve(&sacramento(), "k", &r.item, &r.resolve, None).expect("request");
        assert_eq!(req.resolution, pb::Resolution::Reduce as i32);
        assert_eq!(req.reduce_to, common::Severity::Infraction as i32);
        assert_eq!(req.expected_current_decision_id, "");

        let spec = |to, reduce_to, note: Option<&str>| ResolveSpec {
            to,
            reduce_to,
            note: note.map(str::to_owned),
        };
        let s = sacramento();
        let no_level = spec(Some(ResolutionArg::Reduce), None, Some("n"));
        assert!(resolve(&s, "k", "I", &no_level, None).is_err());
        let stray = spec(
            Some(ResolutionArg::Dismiss),
            Some(ReduceToArg::Misdemeanor),
            Some("n"),
        );
        assert!(resolve(&s, "k", "I", &stray, None).is_err());
        let no_note = spec(Some(ResolutionArg::NotEligible), None, None);
        assert!(
            resolve(&s, "k", "I", &no_note, None)
                .expect_err("note")
                .0
                .contains("--note")
        );
        let dismiss = spec(Some(ResolutionArg::Dismiss), None, Some("n"));
        assert_eq!(
            resolve(&s, "k", "I", &dismiss, None).expect("ok").reduce_to,
            common::Severity::Unspecified as i32
        );

        let args = parse(&["concur", "ITEM3"]);
        let ReviewCommand::Concur(c) = &args.command else {
            panic!("concur");
        };
        let req = concur(&s, "k", c).expect("request");
        assert_eq!(
            (req.review_item_id.as_str(), req.note.as_str()),
            ("ITEM3", "")
        );
    }

    #[test]
    fn bulk_carries_filter_action_and_count() {
        let args = parse(&[
            "bulk",
            "concur",
            "--batch",
            "B",
            "--outcome",
            "dismiss",
            "--expect",
            "1200",
            "--dry-run",
        ]);
        let ReviewCommand::Bulk(BulkCommand::Concur { scope: b, note }) = &args.command else {
            panic!("bulk concur");
        };
        let req = bulk(&sacramento(), "k", b, &BulkKind::Concur(note.as_ref())).expect("request");
        assert_eq!(req.expected_count, 1200);
        assert!(req.dry_run);
        let f = req.filter.expect("filter");
        assert_eq!(f.batch_id, "B");
        assert_eq!(
            f.outcomes,
            vec![common::DeterminationOutcome::DismissAndSeal as i32]
        );
        assert_eq!(
            req.action.and_then(|a| a.action),
            Some(pb::bulk_action::Action::Concur(pb::BulkConcur {
                note: String::new()
            }))
        );

        let args = parse(&[
            "bulk",
            "challenge",
            "--status",
            "pending",
            "--expect",
            "3",
            "--ground",
            "not-eligible",
        ]);
        let ReviewCommand::Bulk(BulkCommand::Challenge {
            scope: b,
            challenge,
        }) = &args.command
        else {
            panic!("bulk challenge");
        };
        assert!(
            bulk(&sacramento(), "k", b, &BulkKind::Challenge(challenge))
                .expect_err("note")
                .0
                .contains("--note")
        );

        let args = parse(&["bulk", "concur", "--expect", "3"]);
        let ReviewCommand::Bulk(BulkCommand::Concur { scope: b, note }) = &args.command else {
            panic!("bulk concur");
        };
        assert!(
            bulk(&sacramento(), "k", b, &BulkKind::Concur(note.as_ref()))
                .expect_err("no filter")
                .0
                .contains("filter")
        );
    }

    #[test]
    fn deadline_requests() {
        let req =
            set_deadline(&sacramento(), "k", "2021-01-15", Some(&"order".to_owned())).expect("set");
        let d = req.challenge_deadline.expect("date");
        assert_eq!((d.year, d.month, d.day), (2021, 1, 15));
        assert!(set_deadline(&sacramento(), "k", "2021-01-15", None).is_err());
        let req = apply_deadline(&sacramento(), "k", Some(&"2021-01-16".to_owned()), true)
            .expect("apply");
        assert!(req.dry_run);
        assert_eq!(req.as_of.expect("as of").day, 16);
        assert!(
            apply_deadline(&sacramento(), "k", None, false)
                .expect("apply")
                .as_of
                .is_none()
        );
    }
}
