//! Responses to text: pure functions, no I/O. Tables and item pages for people (personal
//! data is shown: this is the operator's own screen), a flat JSON shape for `--json`, and
//! the one-line error.

use std::fmt::Write as _;

use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as elig;
use cmr_proto::verification::v1 as pb;

use super::json::Json;

// ---------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------

/// A proto enum value name as a flag value: `REVIEW_STATUS_DEEMED_CONCURRED` with prefix
/// `REVIEW_STATUS_` is `deemed-concurred`; UNSPECIFIED is empty.
pub fn kebab(name: &str, prefix: &str) -> String {
    let bare = name.strip_prefix(prefix).unwrap_or(name);
    if bare == "UNSPECIFIED" {
        return String::new();
    }
    bare.to_ascii_lowercase().replace('_', "-")
}

macro_rules! enum_text {
    ($(#[$doc:meta])* $name:ident, $ty:ty, $prefix:literal) => {
        $(#[$doc])*
        pub fn $name(value: i32) -> String {
            match <$ty>::try_from(value) {
                Ok(v) => kebab(v.as_str_name(), $prefix),
                Err(_) => format!("unknown-{value}"),
            }
        }
    };
}

enum_text!(status_text, pb::ReviewStatus, "REVIEW_STATUS_");
enum_text!(
    outcome_text,
    common::DeterminationOutcome,
    "DETERMINATION_OUTCOME_"
);
enum_text!(decision_kind_text, pb::DecisionKind, "DECISION_KIND_");
enum_text!(ground_text, pb::ChallengeGround, "CHALLENGE_GROUND_");
enum_text!(resolution_text, pb::Resolution, "RESOLUTION_");
enum_text!(severity_text, common::Severity, "SEVERITY_");
enum_text!(track_text, common::Track, "TRACK_");
enum_text!(relief_text, common::ReliefType, "RELIEF_TYPE_");
enum_text!(agency_kind_text, pb::AgencyKind, "AGENCY_KIND_");
enum_text!(role_text, common::Role, "ROLE_");
enum_text!(audit_action_text, pb::AuditAction, "AUDIT_ACTION_");
enum_text!(chain_problem_text, pb::ChainProblem, "CHAIN_PROBLEM_");

/// `YYYY-MM-DD`, or empty when absent.
pub fn date_text(date: Option<&common::CivilDate>) -> String {
    date.map_or_else(String::new, |d| {
        format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
    })
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`, or empty when absent.
pub fn instant_text(seconds: Option<i64>) -> String {
    let Some(seconds) = seconds else {
        return String::new();
    };
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn or_dash(text: String) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}

/// Columns padded to their widest cell (the last column is not padded), two spaces apart.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------
// Review items
// ---------------------------------------------------------------------------------------

fn determination(item: &pb::ReviewItem) -> (&elig::Determination, &elig::ConvictionFacts) {
    static EMPTY_D: std::sync::OnceLock<elig::Determination> = std::sync::OnceLock::new();
    static EMPTY_C: std::sync::OnceLock<elig::ConvictionFacts> = std::sync::OnceLock::new();
    let d = item
        .determination
        .as_ref()
        .unwrap_or_else(|| EMPTY_D.get_or_init(Default::default));
    let c = d
        .conviction
        .as_ref()
        .unwrap_or_else(|| EMPTY_C.get_or_init(Default::default));
    (d, c)
}

fn person_name(d: &elig::Determination) -> String {
    d.person
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_default()
}

fn section(c: &elig::ConvictionFacts) -> String {
    if c.prop64_section.is_empty() {
        c.code_section.clone()
    } else {
        c.prop64_section.clone()
    }
}

/// The queue as a table.
pub fn items_table(items: &[pb::ReviewItem]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| {
            let (d, c) = determination(item);
            vec![
                item.review_item_id.clone(),
                status_text(item.status),
                outcome_text(d.outcome),
                or_dash(section(c)),
                or_dash(severity_text(c.severity)),
                or_dash(date_text(c.conviction_date.as_ref())),
                or_dash(c.court_ori_code.clone()),
                or_dash(
                    item.assignment
                        .as_ref()
                        .map(|a| a.agency_id.clone())
                        .unwrap_or_default(),
                ),
                or_dash(d.subject_id.clone()),
                or_dash(person_name(d)),
            ]
        })
        .collect();
    table(
        &[
            "ITEM",
            "STATUS",
            "OUTCOME",
            "SECTION",
            "SEVERITY",
            "CONVICTED",
            "COURT",
            "AGENCY",
            "SUBJECT",
            "NAME",
        ],
        &rows,
    )
}

/// The line under the table: how many shown, of how many.
pub fn count_line(shown: usize, total: i64, more: bool) -> String {
    let noun = if shown == 1 { "item" } else { "items" };
    // A total below what was shown is not a total (a server that leaves it 0).
    let known = total >= 0 && usize::try_from(total).is_ok_and(|t| t >= shown);
    match (known, more) {
        (true, true) => format!("{shown} of {total} {noun} (--limit N for more, 0 for all)"),
        (true, false) => format!("{shown} of {total} {noun}"),
        (false, true) => format!("{shown} {noun}, more match (--limit N for more, 0 for all)"),
        (false, false) => format!("{shown} {noun}"),
    }
}

fn actor_text(actor: Option<&common::Actor>) -> String {
    let Some(a) = actor else {
        return "-".to_owned();
    };
    let who = if a.display_name.is_empty() {
        a.principal_id.clone()
    } else {
        format!("{} ({})", a.display_name, a.principal_id)
    };
    let mut extra = Vec::new();
    if !a.agency_id.is_empty() {
        extra.push(a.agency_id.clone());
    }
    let role = role_text(a.role);
    if !role.is_empty() {
        extra.push(role);
    }
    if extra.is_empty() {
        who
    } else {
        format!("{who}, {}", extra.join(", "))
    }
}

/// What a decision decided, in a few words: "challenge (public-safety-risk)",
/// "resolve: reduce to misdemeanor".
pub fn decision_summary(d: &pb::Decision) -> String {
    let kind = decision_kind_text(d.kind);
    match pb::DecisionKind::try_from(d.kind) {
        Ok(pb::DecisionKind::Challenge) => format!("{kind} ({})", or_dash(ground_text(d.ground))),
        Ok(pb::DecisionKind::Resolve) => {
            let resolution = resolution_text(d.resolution);
            let reduce = severity_text(d.reduce_to);
            if reduce.is_empty() {
                format!("{kind}: {}", or_dash(resolution))
            } else {
                format!("{kind}: {resolution} to {reduce}")
            }
        }
        _ => or_dash(kind),
    }
}

fn relief_summary(relief: Option<&pb::EffectiveRelief>) -> String {
    match relief {
        Some(r) if r.relief => {
            let mut text = or_dash(relief_text(r.relief_type));
            let reduce = severity_text(r.reduce_to);
            if !reduce.is_empty() {
                let _ = write!(text, " to {reduce}");
            }
            let track = track_text(r.track);
            if !track.is_empty() {
                let _ = write!(text, " ({track})");
            }
            text
        }
        Some(_) => "none".to_owned(),
        None => "-".to_owned(),
    }
}

/// `cmr review show`: the item, the person, the determination, every decision, routing and
/// comments.
pub fn item_page(item: &pb::ReviewItem) -> String {
    let (d, c) = determination(item);
    let mut out = String::new();
    let mut field = |label: &str, value: String| {
        if !value.is_empty() {
            let _ = writeln!(out, "{label:<20}{value}");
        }
    };
    field("Item", item.review_item_id.clone());
    field("Status", status_text(item.status));
    if let Some(current) = &item.current_decision {
        field(
            "Current decision",
            format!("{} {}", current.decision_id, decision_summary(current)),
        );
    }
    field("Relief", relief_summary(item.effective_relief.as_ref()));
    if let Some(a) = &item.assignment {
        let mut to = or_dash(a.agency_id.clone());
        if !a.reviewer_id.is_empty() {
            let _ = write!(to, " / {}", a.reviewer_id);
        }
        field("Agency", to);
    }
    field(
        "Challenge deadline",
        date_text(item.challenge_deadline.as_ref()),
    );
    field("Determination", d.determination_id.clone());
    field("Outcome", outcome_text(d.outcome));
    field("Reduce to", severity_text(d.reduce_to));
    field("Track", track_text(d.track));
    if let Some(reason) = &d.reason {
        let mut text = reason.code.clone();
        if !reason.text.is_empty() {
            let _ = write!(text, ": {}", reason.text);
        }
        field("Reason", text);
        field("Citation", reason.citation.clone());
        field("Rule", reason.rule_id.clone());
    }
    for note in &d.notes {
        field("Finding", format!("{}: {}", note.code, note.text));
    }
    field("Explanation", d.explanation.clone());
    if let Some(policy) = &d.policy {
        field("Policy", format!("{}@{}", policy.name, policy.version));
    }
    field("Compute at", date_text(d.compute_at.as_ref()));
    field("Run / batch", format!("{} / {}", d.run_id, d.batch_id));
    field("Subject", d.subject_id.clone());
    if let Some(p) = &d.person {
        field("Name", p.name.clone());
        field("Aliases", p.aliases.join("; "));
        field("Date of birth", date_text(p.date_of_birth.as_ref()));
        field("CII", p.cii_number.clone());
        field("DOJ subject id", p.doj_subject_id.clone());
    }
    field("Code section", c.code_section.clone());
    field("Prop 64 section", c.prop64_section.clone());
    field("Severity", severity_text(c.severity));
    field("Convicted", date_text(c.conviction_date.as_ref()));
    field("Case number", c.case_number.clone());
    let court = match (c.court_ori_code.is_empty(), c.court_ori_descr.is_empty()) {
        (false, false) => format!("{} ({})", c.court_ori_code, c.court_ori_descr),
        _ => format!("{}{}", c.court_ori_code, c.court_ori_descr),
    };
    field("Court", court);
    field("Arresting agency", c.arrest_ori_code.clone());
    field("County", c.county_name.clone());

    let current = item
        .current_decision
        .as_ref()
        .map(|d| d.decision_id.as_str());
    let _ = writeln!(out, "\nDecisions ({}):", item.decisions.len());
    if item.decisions.is_empty() {
        out.push_str("  none yet\n");
    }
    for decision in &item.decisions {
        let state = if Some(decision.decision_id.as_str()) == current {
            "current"
        } else {
            "superseded"
        };
        let _ = writeln!(
            out,
            "  {}  {}  {}  [{state}]  by {}",
            instant_text(decision.decided_at.as_ref().map(|t| t.seconds)),
            decision.decision_id,
            decision_summary(decision),
            actor_text(decision.actor.as_ref())
        );
        if !decision.supersedes_decision_id.is_empty() {
            let _ = writeln!(out, "      supersedes {}", decision.supersedes_decision_id);
        }
        if !decision.bulk_action_id.is_empty() {
            let _ = writeln!(out, "      bulk action {}", decision.bulk_action_id);
        }
        if !decision.note.is_empty() {
            let _ = writeln!(out, "      note: {}", decision.note);
        }
    }
    let _ = writeln!(out, "\nRouting ({}):", item.assignment_history.len());
    for a in &item.assignment_history {
        let mut line = format!(
            "  {}  {}",
            instant_text(a.assigned_at.as_ref().map(|t| t.seconds)),
            or_dash(a.agency_id.clone())
        );
        if !a.reviewer_id.is_empty() {
            let _ = write!(line, " / {}", a.reviewer_id);
        }
        if !a.routing_rule_id.is_empty() {
            let _ = write!(line, "  rule {}", a.routing_rule_id);
        }
        if a.actor.is_some() {
            let _ = write!(line, "  by {}", actor_text(a.actor.as_ref()));
        }
        if !a.reason.is_empty() {
            let _ = write!(line, "  reason: {}", a.reason);
        }
        out.push_str(&line);
        out.push('\n');
    }
    let _ = writeln!(out, "\nComments ({}):", item.comments.len());
    for comment in &item.comments {
        let _ = writeln!(
            out,
            "  {}  {}: {}",
            instant_text(comment.created_at.as_ref().map(|t| t.seconds)),
            actor_text(comment.actor.as_ref()),
            comment.text
        );
    }
    out
}

fn actor_json(actor: Option<&common::Actor>) -> Json {
    actor.map_or(Json::Null, |a| {
        Json::Obj(vec![
            ("principal_id", Json::opt(a.principal_id.clone())),
            ("agency_id", Json::opt(a.agency_id.clone())),
            ("role", Json::opt(role_text(a.role))),
            ("display_name", Json::opt(a.display_name.clone())),
        ])
    })
}

/// One decision as JSON.
pub fn decision_json(d: &pb::Decision) -> Json {
    Json::Obj(vec![
        ("decision_id", Json::str(d.decision_id.clone())),
        ("review_item_id", Json::str(d.review_item_id.clone())),
        ("kind", Json::opt(decision_kind_text(d.kind))),
        ("ground", Json::opt(ground_text(d.ground))),
        ("resolution", Json::opt(resolution_text(d.resolution))),
        ("reduce_to", Json::opt(severity_text(d.reduce_to))),
        ("note", Json::opt(d.note.clone())),
        (
            "supersedes_decision_id",
            Json::opt(d.supersedes_decision_id.clone()),
        ),
        ("bulk_action_id", Json::opt(d.bulk_action_id.clone())),
        ("actor", actor_json(d.actor.as_ref())),
        (
            "decided_at",
            Json::opt(instant_text(d.decided_at.as_ref().map(|t| t.seconds))),
        ),
    ])
}

fn relief_json(relief: Option<&pb::EffectiveRelief>) -> Json {
    relief.map_or(Json::Null, |r| {
        Json::Obj(vec![
            ("relief", Json::Bool(r.relief)),
            ("relief_type", Json::opt(relief_text(r.relief_type))),
            ("track", Json::opt(track_text(r.track))),
            ("reduce_to", Json::opt(severity_text(r.reduce_to))),
        ])
    })
}

fn person_json(person: Option<&common::PersonIdentity>) -> Json {
    person.map_or(Json::Null, |p| {
        Json::Obj(vec![
            ("name", Json::opt(p.name.clone())),
            ("aliases", Json::strs(&p.aliases)),
            (
                "date_of_birth",
                Json::opt(date_text(p.date_of_birth.as_ref())),
            ),
            ("cii_number", Json::opt(p.cii_number.clone())),
            ("doj_subject_id", Json::opt(p.doj_subject_id.clone())),
        ])
    })
}

/// A review item as JSON; with `full`, the decision history, routing and comments too.
pub fn item_json(item: &pb::ReviewItem, full: bool) -> Json {
    let (d, c) = determination(item);
    let mut fields = vec![
        ("review_item_id", Json::str(item.review_item_id.clone())),
        ("status", Json::opt(status_text(item.status))),
        (
            "agency_id",
            Json::opt(
                item.assignment
                    .as_ref()
                    .map(|a| a.agency_id.clone())
                    .unwrap_or_default(),
            ),
        ),
        (
            "reviewer_id",
            Json::opt(
                item.assignment
                    .as_ref()
                    .map(|a| a.reviewer_id.clone())
                    .unwrap_or_default(),
            ),
        ),
        (
            "current_decision",
            item.current_decision
                .as_ref()
                .map_or(Json::Null, decision_json),
        ),
        ("relief", relief_json(item.effective_relief.as_ref())),
        (
            "challenge_deadline",
            Json::opt(date_text(item.challenge_deadline.as_ref())),
        ),
        ("determination_id", Json::str(d.determination_id.clone())),
        ("run_id", Json::opt(d.run_id.clone())),
        ("batch_id", Json::opt(d.batch_id.clone())),
        ("subject_id", Json::opt(d.subject_id.clone())),
        ("outcome", Json::opt(outcome_text(d.outcome))),
        ("reduce_to", Json::opt(severity_text(d.reduce_to))),
        ("track", Json::opt(track_text(d.track))),
        (
            "reason_code",
            Json::opt(
                d.reason
                    .as_ref()
                    .map(|r| r.code.clone())
                    .unwrap_or_default(),
            ),
        ),
        (
            "reason",
            Json::opt(
                d.reason
                    .as_ref()
                    .map(|r| r.text.clone())
                    .unwrap_or_default(),
            ),
        ),
        (
            "citation",
            Json::opt(
                d.reason
                    .as_ref()
                    .map(|r| r.citation.clone())
                    .unwrap_or_default(),
            ),
        ),
        ("explanation", Json::opt(d.explanation.clone())),
        ("code_section", Json::opt(c.code_section.clone())),
        ("prop64_section", Json::opt(c.prop64_section.clone())),
        ("severity", Json::opt(severity_text(c.severity))),
        (
            "conviction_date",
            Json::opt(date_text(c.conviction_date.as_ref())),
        ),
        ("case_number", Json::opt(c.case_number.clone())),
        ("court_ori_code", Json::opt(c.court_ori_code.clone())),
        ("arrest_ori_code", Json::opt(c.arrest_ori_code.clone())),
        ("person", person_json(d.person.as_ref())),
    ];
    if full {
        fields.push((
            "decisions",
            Json::Arr(item.decisions.iter().map(decision_json).collect()),
        ));
        fields.push((
            "assignments",
            Json::Arr(
                item.assignment_history
                    .iter()
                    .map(|a| {
                        Json::Obj(vec![
                            ("agency_id", Json::opt(a.agency_id.clone())),
                            ("reviewer_id", Json::opt(a.reviewer_id.clone())),
                            ("routing_rule_id", Json::opt(a.routing_rule_id.clone())),
                            ("reason", Json::opt(a.reason.clone())),
                            ("actor", actor_json(a.actor.as_ref())),
                            (
                                "assigned_at",
                                Json::opt(instant_text(a.assigned_at.as_ref().map(|t| t.seconds))),
                            ),
                        ])
                    })
                    .collect(),
            ),
        ));
        fields.push((
            "comments",
            Json::Arr(
                item.comments
                    .iter()
                    .map(|cm| {
                        Json::Obj(vec![
                            ("comment_id", Json::str(cm.comment_id.clone())),
                            ("text", Json::str(cm.text.clone())),
                            ("actor", actor_json(cm.actor.as_ref())),
                            (
                                "created_at",
                                Json::opt(instant_text(cm.created_at.as_ref().map(|t| t.seconds))),
                            ),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    Json::Obj(fields)
}

/// The answer to concur / challenge / resolve.
pub fn decided_line(item: Option<&pb::ReviewItem>, decision: Option<&pb::Decision>) -> String {
    let id = item.map(|i| i.review_item_id.as_str()).unwrap_or_default();
    let status = item.map(|i| status_text(i.status)).unwrap_or_default();
    match decision {
        Some(d) => format!(
            "{id}: {} (decision {}), now {}",
            decision_summary(d),
            d.decision_id,
            or_dash(status)
        ),
        None => format!("{id}: now {}", or_dash(status)),
    }
}

/// The answer to a bulk action.
pub fn bulk_text(response: &pb::BulkActResponse, dry_run: bool) -> String {
    let mut out = if dry_run {
        format!(
            "dry run: {} matched, {} would be decided, {} would be skipped\n",
            response.matched,
            response.applied,
            response.skipped.len()
        )
    } else {
        format!(
            "bulk action {}: {} matched, {} decided, {} skipped\n",
            or_dash(response.bulk_action_id.clone()),
            response.matched,
            response.applied,
            response.skipped.len()
        )
    };
    for skip in &response.skipped {
        let _ = writeln!(out, "  skipped {}: {}", skip.review_item_id, skip.reason);
    }
    out
}

pub fn bulk_json(response: &pb::BulkActResponse, dry_run: bool) -> Json {
    Json::Obj(vec![
        ("bulk_action_id", Json::opt(response.bulk_action_id.clone())),
        ("dry_run", Json::Bool(dry_run)),
        ("matched", Json::Int(response.matched)),
        ("applied", Json::Int(response.applied)),
        (
            "skipped",
            Json::Arr(
                response
                    .skipped
                    .iter()
                    .map(|s| {
                        Json::Obj(vec![
                            ("review_item_id", Json::str(s.review_item_id.clone())),
                            ("reason", Json::str(s.reason.clone())),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

// ---------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------

pub fn deadline_text(deadline: Option<&pb::Deadline>, pending: Option<i64>) -> String {
    let Some(d) = deadline else {
        return "no deadline in the answer\n".to_owned();
    };
    let mut out = format!(
        "challenge deadline {}{}\n",
        date_text(d.challenge_deadline.as_ref()),
        if d.is_default {
            " (the default, H&S 11361.9(c))"
        } else {
            ""
        }
    );
    match d.applied_at.as_ref() {
        Some(t) => {
            let _ = writeln!(out, "applied {}", instant_text(Some(t.seconds)));
        }
        None => out.push_str("not applied yet\n"),
    }
    if d.updated_by.is_some() {
        let _ = writeln!(
            out,
            "set by {} at {}",
            actor_text(d.updated_by.as_ref()),
            instant_text(d.updated_at.as_ref().map(|t| t.seconds))
        );
    }
    if let Some(pending) = pending {
        let _ = writeln!(out, "{pending} undecided items would be deemed concurred");
    }
    out
}

pub fn deadline_json(deadline: Option<&pb::Deadline>, pending: Option<i64>) -> Json {
    let mut fields = vec![
        (
            "challenge_deadline",
            Json::opt(date_text(
                deadline.and_then(|d| d.challenge_deadline.as_ref()),
            )),
        ),
        (
            "is_default",
            Json::Bool(deadline.is_some_and(|d| d.is_default)),
        ),
        (
            "applied_at",
            Json::opt(instant_text(
                deadline
                    .and_then(|d| d.applied_at.as_ref())
                    .map(|t| t.seconds),
            )),
        ),
        (
            "updated_by",
            actor_json(deadline.and_then(|d| d.updated_by.as_ref())),
        ),
    ];
    if let Some(pending) = pending {
        fields.push(("pending_items", Json::Int(pending)));
    }
    Json::Obj(fields)
}

pub fn applied_text(response: &pb::ApplyDeadlineResponse, dry_run: bool) -> String {
    let mut out = if dry_run {
        format!(
            "dry run: {} items would be deemed concurred; {} hand-review items stay pending\n",
            response.deemed_concurred, response.hand_review_pending
        )
    } else {
        format!(
            "{} items deemed concurred; {} hand-review items stay pending\n",
            response.deemed_concurred, response.hand_review_pending
        )
    };
    out.push_str(&deadline_text(response.deadline.as_ref(), None));
    out
}

pub fn applied_json(response: &pb::ApplyDeadlineResponse, dry_run: bool) -> Json {
    Json::Obj(vec![
        ("dry_run", Json::Bool(dry_run)),
        ("deemed_concurred", Json::Int(response.deemed_concurred)),
        (
            "hand_review_pending",
            Json::Int(response.hand_review_pending),
        ),
        ("deadline", deadline_json(response.deadline.as_ref(), None)),
    ])
}

// ---------------------------------------------------------------------------------------
// Notices, agencies, routing, audit
// ---------------------------------------------------------------------------------------

/// A notice list; `defender` shows the challenge ground, else the relief.
pub fn notice_table(entries: &[pb::NoticeEntry], defender: bool) -> String {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let person = e.person.clone().unwrap_or_default();
            vec![
                e.review_item_id.clone(),
                or_dash(e.code_section.clone()),
                or_dash(severity_text(e.severity)),
                or_dash(date_text(e.conviction_date.as_ref())),
                or_dash(e.court_ori_code.clone()),
                or_dash(e.case_number.clone()),
                if defender {
                    or_dash(ground_text(e.ground))
                } else {
                    relief_summary(e.relief.as_ref())
                },
                or_dash(status_text(e.status)),
                or_dash(e.agency_id.clone()),
                or_dash(date_text(person.date_of_birth.as_ref())),
                or_dash(person.cii_number.clone()),
                or_dash(person.name.clone()),
            ]
        })
        .collect();
    table(
        &[
            "ITEM",
            "SECTION",
            "SEVERITY",
            "CONVICTED",
            "COURT",
            "CASE",
            if defender { "GROUND" } else { "RELIEF" },
            "STATUS",
            "AGENCY",
            "DOB",
            "CII",
            "NAME",
        ],
        &rows,
    )
}

pub fn notice_json(e: &pb::NoticeEntry) -> Json {
    Json::Obj(vec![
        ("review_item_id", Json::str(e.review_item_id.clone())),
        ("determination_id", Json::opt(e.determination_id.clone())),
        ("subject_id", Json::opt(e.subject_id.clone())),
        ("person", person_json(e.person.as_ref())),
        ("case_number", Json::opt(e.case_number.clone())),
        ("court_ori_code", Json::opt(e.court_ori_code.clone())),
        ("code_section", Json::opt(e.code_section.clone())),
        (
            "conviction_date",
            Json::opt(date_text(e.conviction_date.as_ref())),
        ),
        ("severity", Json::opt(severity_text(e.severity))),
        ("ground", Json::opt(ground_text(e.ground))),
        ("relief", relief_json(e.relief.as_ref())),
        ("status", Json::opt(status_text(e.status))),
        ("agency_id", Json::opt(e.agency_id.clone())),
        (
            "decided_at",
            Json::opt(instant_text(e.decided_at.as_ref().map(|t| t.seconds))),
        ),
    ])
}

pub fn agencies_table(agencies: &[pb::Agency]) -> String {
    let rows: Vec<Vec<String>> = agencies
        .iter()
        .map(|a| {
            vec![
                a.agency_id.clone(),
                or_dash(agency_kind_text(a.kind)),
                if a.active { "yes" } else { "no" }.to_owned(),
                if a.county_default { "yes" } else { "" }.to_owned(),
                or_dash(a.ori_codes.join(",")),
                a.name.clone(),
            ]
        })
        .collect();
    table(
        &["AGENCY", "KIND", "ACTIVE", "DEFAULT", "ORI", "NAME"],
        &rows,
    )
}

pub fn agency_json(a: &pb::Agency) -> Json {
    Json::Obj(vec![
        ("agency_id", Json::str(a.agency_id.clone())),
        ("kind", Json::opt(agency_kind_text(a.kind))),
        ("name", Json::str(a.name.clone())),
        ("ori_codes", Json::strs(&a.ori_codes)),
        ("active", Json::Bool(a.active)),
        ("county_default", Json::Bool(a.county_default)),
    ])
}

fn match_text(m: Option<&pb::RoutingMatch>) -> String {
    let Some(m) = m else {
        return "any".to_owned();
    };
    let mut parts = Vec::new();
    if !m.severities.is_empty() {
        let s: Vec<String> = m.severities.iter().map(|&s| severity_text(s)).collect();
        parts.push(format!("severity={}", s.join(",")));
    }
    if !m.arrest_ori_codes.is_empty() {
        parts.push(format!("arrest-ori={}", m.arrest_ori_codes.join(",")));
    }
    if !m.court_ori_codes.is_empty() {
        parts.push(format!("court-ori={}", m.court_ori_codes.join(",")));
    }
    if !m.sections.is_empty() {
        parts.push(format!("section={}", m.sections.join(",")));
    }
    if !m.outcomes.is_empty() {
        let o: Vec<String> = m.outcomes.iter().map(|&o| outcome_text(o)).collect();
        parts.push(format!("outcome={}", o.join(",")));
    }
    if parts.is_empty() {
        "any".to_owned()
    } else {
        parts.join(" ")
    }
}

pub fn rules_table(rules: &[pb::RoutingRule]) -> String {
    let rows: Vec<Vec<String>> = rules
        .iter()
        .map(|r| {
            vec![
                r.priority.to_string(),
                r.rule_id.clone(),
                if r.enabled { "yes" } else { "no" }.to_owned(),
                r.agency_id.clone(),
                match_text(r.r#match.as_ref()),
                r.description.clone(),
            ]
        })
        .collect();
    table(
        &[
            "PRIORITY",
            "RULE",
            "ENABLED",
            "AGENCY",
            "MATCH",
            "DESCRIPTION",
        ],
        &rows,
    )
}

pub fn rule_json(r: &pb::RoutingRule) -> Json {
    let m = r.r#match.clone().unwrap_or_default();
    Json::Obj(vec![
        ("rule_id", Json::str(r.rule_id.clone())),
        ("priority", Json::Int(i64::from(r.priority))),
        ("agency_id", Json::str(r.agency_id.clone())),
        ("enabled", Json::Bool(r.enabled)),
        ("description", Json::opt(r.description.clone())),
        (
            "severities",
            Json::Arr(
                m.severities
                    .iter()
                    .map(|&s| Json::str(severity_text(s)))
                    .collect(),
            ),
        ),
        ("arrest_ori_codes", Json::strs(&m.arrest_ori_codes)),
        ("court_ori_codes", Json::strs(&m.court_ori_codes)),
        ("sections", Json::strs(&m.sections)),
        (
            "outcomes",
            Json::Arr(
                m.outcomes
                    .iter()
                    .map(|&o| Json::str(outcome_text(o)))
                    .collect(),
            ),
        ),
    ])
}

pub fn audit_table(events: &[pb::AuditEvent]) -> String {
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                e.sequence.to_string(),
                instant_text(e.occurred_at.as_ref().map(|t| t.seconds)),
                or_dash(audit_action_text(e.action)),
                actor_text(e.actor.as_ref()),
                or_dash(e.result.clone()),
                or_dash(e.reason_code.clone()),
                or_dash(e.target_type.clone()),
                or_dash(e.target_ids.join(",")),
            ]
        })
        .collect();
    table(
        &[
            "SEQ", "WHEN", "ACTION", "ACTOR", "RESULT", "REASON", "TARGET", "IDS",
        ],
        &rows,
    )
}

pub fn audit_json(e: &pb::AuditEvent) -> Json {
    Json::Obj(vec![
        (
            "sequence",
            Json::Int(i64::try_from(e.sequence).unwrap_or(i64::MAX)),
        ),
        ("event_id", Json::str(e.event_id.clone())),
        (
            "occurred_at",
            Json::opt(instant_text(e.occurred_at.as_ref().map(|t| t.seconds))),
        ),
        ("actor", actor_json(e.actor.as_ref())),
        ("action", Json::opt(audit_action_text(e.action))),
        ("target_type", Json::opt(e.target_type.clone())),
        ("target_ids", Json::strs(&e.target_ids)),
        ("reason_code", Json::opt(e.reason_code.clone())),
        ("result", Json::opt(e.result.clone())),
        ("prev_hash", Json::str(e.prev_hash.clone())),
        ("hash", Json::str(e.hash.clone())),
    ])
}

pub fn verify_text(r: &pb::VerifyAuditChainResponse) -> String {
    let mut out = if r.intact {
        format!(
            "audit chain intact: {} events checked, head {} at sequence {}\n",
            r.events_checked, r.head_hash, r.head_sequence
        )
    } else {
        format!("audit chain BROKEN ({} events checked)\n", r.events_checked)
    };
    if let Some(b) = &r.first_broken {
        let _ = writeln!(
            out,
            "first broken link: sequence {} (event {}): {}\n  expected {}\n  stored   {}",
            b.sequence,
            b.event_id,
            or_dash(chain_problem_text(b.problem)),
            b.expected_hash,
            b.actual_hash
        );
    }
    out
}

pub fn verify_json(r: &pb::VerifyAuditChainResponse) -> Json {
    let u = |n: u64| Json::Int(i64::try_from(n).unwrap_or(i64::MAX));
    Json::Obj(vec![
        ("intact", Json::Bool(r.intact)),
        ("events_checked", u(r.events_checked)),
        ("head_hash", Json::opt(r.head_hash.clone())),
        ("head_sequence", u(r.head_sequence)),
        (
            "first_broken",
            r.first_broken.as_ref().map_or(Json::Null, |b| {
                Json::Obj(vec![
                    ("sequence", u(b.sequence)),
                    ("event_id", Json::str(b.event_id.clone())),
                    ("problem", Json::opt(chain_problem_text(b.problem))),
                    ("expected_hash", Json::str(b.expected_hash.clone())),
                    ("actual_hash", Json::str(b.actual_hash.clone())),
                ])
            }),
        ),
    ])
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// The gRPC name of a status code: `PERMISSION_DENIED`.
pub fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code;
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// The error line (without the `cmr review: ` prefix) for a failed call to `endpoint`,
/// with a hint where one helps.
pub fn error_text(status: &tonic::Status, endpoint: &str) -> String {
    let mut text = format!("{}: {}", code_name(status.code()), status.message());
    let hint = match status.code() {
        tonic::Code::Aborted => Some(
            "the item changed since you looked at it: see `cmr review show ITEM` and pass --supersedes <its current decision id>",
        ),
        tonic::Code::Unauthenticated => Some("give a token with --token or CMR_TOKEN"),
        _ => None,
    };
    if status.code() == tonic::Code::Unavailable {
        let _ = write!(text, " (verification service at {endpoint})");
    }
    if let Some(hint) = hint {
        let _ = write!(text, "\n  hint: {hint}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> pb::ReviewItem {
        let actor = |id: &str| {
            Some(common::Actor {
                principal_id: id.into(),
                agency_id: "da-34".into(),
                role: common::Role::Reviewer as i32,
                display_name: String::new(),
            })
        };
        let mut first = pb::Decision {
            decision_id: "DEC1".into(),
            review_item_id: "ITEM1".into(),
            kind: pb::DecisionKind::Concur as i32,
            actor: actor("alice"),
            ..Default::default()
        };
        first.decided_at.get_or_insert_default().seconds = 1_600_000_000;
        let mut second = pb::Decision {
            decision_id: "DEC2".into(),
            review_item_id: "ITEM1".into(),
            kind: pb::DecisionKind::Challenge as i32,
            ground: pb::ChallengeGround::PublicSafetyRisk as i32,
            note: "prior 667(e)(2)(C)(iv)".into(),
            supersedes_decision_id: "DEC1".into(),
            actor: actor("bob"),
            ..Default::default()
        };
        second.decided_at.get_or_insert_default().seconds = 1_600_000_060;
        pb::ReviewItem {
            review_item_id: "ITEM1".into(),
            status: pb::ReviewStatus::Challenged as i32,
            determination: Some(elig::Determination {
                determination_id: "D1".into(),
                subject_id: "S1".into(),
                outcome: common::DeterminationOutcome::Reduce as i32,
                conviction: Some(elig::ConvictionFacts {
                    code_section: "11359 HS".into(),
                    prop64_section: "11359".into(),
                    severity: common::Severity::Felony as i32,
                    conviction_date: Some(common::CivilDate {
                        year: 1998,
                        month: 3,
                        day: 4,
                    }),
                    court_ori_code: "CA034015J".into(),
                    ..Default::default()
                }),
                person: Some(common::PersonIdentity {
                    name: "DOE, JANE".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            assignment: Some(pb::Assignment {
                agency_id: "da-34".into(),
                ..Default::default()
            }),
            current_decision: Some(second.clone()),
            decisions: vec![first, second],
            ..Default::default()
        }
    }

    #[test]
    fn instants_are_utc() {
        assert_eq!(instant_text(Some(0)), "1970-01-01T00:00:00Z");
        assert_eq!(instant_text(Some(1_600_000_000)), "2020-09-13T12:26:40Z");
        assert_eq!(instant_text(Some(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(instant_text(None), "");
    }

    #[test]
    fn enum_values_read_like_flags() {
        assert_eq!(
            status_text(pb::ReviewStatus::DeemedConcurred as i32),
            "deemed-concurred"
        );
        assert_eq!(
            outcome_text(common::DeterminationOutcome::ReferToCityProsecutor as i32),
            "refer-to-city-prosecutor"
        );
        assert_eq!(ground_text(0), "");
        assert_eq!(status_text(99), "unknown-99");
    }

    #[test]
    fn the_queue_as_a_table() {
        let table = items_table(&[item()]);
        assert_eq!(
            table,
            "ITEM   STATUS      OUTCOME  SECTION  SEVERITY  CONVICTED   COURT      AGENCY  SUBJECT  NAME\n\
             ITEM1  challenged  reduce   11359    felony    1998-03-04  CA034015J  da-34   S1       DOE, JANE\n"
        );
        assert_eq!(count_line(1, 1, false), "1 of 1 item");
        assert_eq!(
            count_line(100, 250, true),
            "100 of 250 items (--limit N for more, 0 for all)"
        );
        assert_eq!(count_line(3, 0, false), "3 items");
    }

    #[test]
    fn an_item_with_its_history() {
        let page = item_page(&item());
        assert!(page.contains("Status              challenged\n"), "{page}");
        assert!(
            page.contains("Current decision    DEC2 challenge (public-safety-risk)\n"),
            "{page}"
        );
        assert!(page.contains("Name                DOE, JANE\n"), "{page}");
        assert!(
            page.contains(
                "  2020-09-13T12:26:40Z  DEC1  concur  [superseded]  by alice, da-34, reviewer\n"
            ),
            "{page}"
        );
        assert!(
            page.contains(
                "  2020-09-13T12:27:40Z  DEC2  challenge (public-safety-risk)  [current]"
            ),
            "{page}"
        );
        assert!(page.contains("      supersedes DEC1\n"), "{page}");
        assert!(
            page.contains("      note: prior 667(e)(2)(C)(iv)\n"),
            "{page}"
        );
        let json = item_json(&item(), true).to_string();
        assert!(
            json.starts_with(r#"{"review_item_id":"ITEM1","status":"challenged""#),
            "{json}"
        );
        assert!(
            json.contains(r#""decisions":[{"decision_id":"DEC1""#),
            "{json}"
        );
    }

    #[test]
    fn errors_name_the_code() {
        let status = tonic::Status::permission_denied("scope not permitted");
        assert_eq!(
            error_text(&status, "http://x:1"),
            "PERMISSION_DENIED: scope not permitted"
        );
        let status = tonic::Status::unavailable("connection reset");
        assert_eq!(
            error_text(&status, "http://x:1"),
            "UNAVAILABLE: connection reset (verification service at http://x:1)"
        );
        let status = tonic::Status::aborted("STALE_VERSION");
        assert!(error_text(&status, "e").contains("--supersedes"));
    }
}
