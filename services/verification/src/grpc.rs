//! The tonic trait impl: converts proto to domain, calls [`Verification`], converts back.

use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as eligibility;
use cmr_proto::verification::v1 as pb;
use cmr_proto::verification::v1::verification_service_server::VerificationService;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use prost::Message;
use sha2::{Digest, Sha256};
use tonic::{Request, Response, Status};

use crate::domain::access::Need;
use crate::domain::access::Principal;
use crate::domain::audit_chain::AuditRecord;
use crate::domain::deadline;
use crate::domain::decision::{self, Action};
use crate::domain::model::{
    ActorRef, Assignment, Comment, County, Decision, ItemFilter, QueueCursor, ReviewItem,
    ReviewStatus,
};
use crate::domain::routing::{Agency, RoutingMatch, RoutingRule};
use crate::domain::validate;
use crate::error::VerificationError;
use crate::service::{Caller, IncomingDetermination, Submit, Verification};
use crate::store::{AuditQuery, IdempotentCall};

const DEFAULT_PAGE: u64 = 100;
const MAX_PAGE: u64 = 1000;

/// One lock per (county, method, idempotency key) in flight, so two copies of one request
/// run one after the other and the second gets the first's outcome.
type KeyLocks = Arc<std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>;

/// The gRPC face of the verification service.
#[derive(Clone, Debug)]
pub struct VerificationGrpc {
    verification: Verification,
    keys: KeyLocks,
}

impl VerificationGrpc {
    #[must_use]
    pub fn new(verification: Verification) -> Self {
        Self {
            verification,
            keys: KeyLocks::default(),
        }
    }
}

/// Failures remembered under an idempotency key: those that follow from the request and the
/// stored state. Transient failures (UNAVAILABLE, INTERNAL, ...) and those that depend on the
/// token (UNAUTHENTICATED, PERMISSION_DENIED) are not, so a retry runs again.
fn remembered_failure(code: tonic::Code) -> bool {
    matches!(
        code,
        tonic::Code::InvalidArgument
            | tonic::Code::NotFound
            | tonic::Code::AlreadyExists
            | tonic::Code::FailedPrecondition
            | tonic::Code::Aborted
            | tonic::Code::OutOfRange
    )
}

fn key_reused() -> Status {
    VerificationError::AlreadyExists(
        "IDEMPOTENCY_KEY_REUSED: the idempotency key was used for another request".to_owned(),
    )
    .into()
}

fn scope_county(scope: Option<&common::Scope>) -> Result<County, VerificationError> {
    let scope = scope.ok_or(VerificationError::InvalidArgument {
        field: "scope",
        description: "scope is required".to_owned(),
    })?;
    Ok(validate::county(&scope.county_code, &scope.county_name)?)
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

fn bad_token() -> VerificationError {
    VerificationError::InvalidArgument {
        field: "page.page_token",
        description: "INVALID_PAGE_TOKEN: page token is not one this service issued".to_owned(),
    }
}

fn key_of(key: Option<&common::IdempotencyKey>) -> Result<String, VerificationError> {
    Ok(validate::idempotency_key(
        key.map_or("", |k| k.key.as_str()),
    )?)
}

fn request_digest<M: Message>(message: &M) -> String {
    hex(&Sha256::digest(message.encode_to_vec()))
}

fn bearer<T>(request: &Request<T>) -> Option<String> {
    request
        .metadata()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned())
}

fn date_of(
    date: Option<&common::CivilDate>,
    field: &'static str,
) -> Result<i32, VerificationError> {
    let number = date_number(date);
    if crate::domain::deadline::valid_date(number) {
        Ok(number)
    } else {
        Err(VerificationError::InvalidArgument {
            field,
            description: "a real date is required".to_owned(),
        })
    }
}

fn timestamp(ms: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

/// `yyyymmdd`, 0 when absent or out of range.
fn date_number(date: Option<&common::CivilDate>) -> i32 {
    match date {
        Some(d) if (1..=9999).contains(&d.year) && (1..=12).contains(&d.month) => {
            d.year * 10_000 + d.month * 100 + d.day.clamp(0, 31)
        }
        _ => 0,
    }
}

fn small(value: i32) -> i16 {
    i16::try_from(value).unwrap_or(-1)
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn incoming(determination: &eligibility::Determination) -> IncomingDetermination {
    let conviction = determination.conviction.as_ref();
    let reason = determination.reason.as_ref();
    IncomingDetermination {
        determination_id: determination.determination_id.clone(),
        run_id: determination.run_id.clone(),
        batch_id: determination.batch_id.clone(),
        subject_id: determination.subject_id.clone(),
        county: determination
            .scope
            .as_ref()
            .filter(|s| !s.county_code.is_empty() || !s.county_name.is_empty())
            .map(|s| County {
                code: s.county_code.clone(),
                name: s.county_name.clone(),
            }),
        data_row_index: conviction.map_or(-1, |c| c.data_row_index),
        outcome: small(determination.outcome),
        track: small(determination.track),
        prop64_section: conviction
            .map(|c| c.prop64_section.clone())
            .unwrap_or_default(),
        court_ori_code: conviction
            .map(|c| c.court_ori_code.clone())
            .unwrap_or_default(),
        severity: conviction.map_or(0, |c| small(c.severity)),
        arrest_ori_code: conviction
            .map(|c| c.arrest_ori_code.clone())
            .unwrap_or_default(),
        conviction_date: date_number(conviction.and_then(|c| c.conviction_date.as_ref())),
        reason_code: reason.map(|r| r.code.clone()).unwrap_or_default(),
        rule_id: reason.map(|r| r.rule_id.clone()).unwrap_or_default(),
        snapshot: determination.encode_to_vec(),
    }
}

fn actor(actor: &ActorRef) -> Option<common::Actor> {
    Some(common::Actor {
        principal_id: actor.principal_id.clone(),
        agency_id: actor.agency_id.clone(),
        role: i32::from(actor.role),
        display_name: String::new(),
    })
}

fn to_pb_assignment(a: &Assignment) -> pb::Assignment {
    pb::Assignment {
        agency_id: a.agency_id.clone(),
        reviewer_id: a.reviewer_id.clone(),
        routing_rule_id: a.routing_rule_id.clone(),
        reason: a.reason.clone(),
        actor: actor(&a.actor),
        assigned_at: Some(timestamp(a.assigned_at_ms)),
    }
}

fn to_pb_decision(d: &Decision) -> pb::Decision {
    pb::Decision {
        decision_id: d.id.clone(),
        review_item_id: d.review_item_id.clone(),
        kind: i32::from(d.kind),
        ground: i32::from(d.ground),
        resolution: i32::from(d.resolution),
        reduce_to: i32::from(d.reduce_to),
        note: d.note.clone(),
        supersedes_decision_id: d.supersedes_decision_id.clone(),
        bulk_action_id: d.bulk_action_id.clone(),
        actor: actor(&d.actor),
        decided_at: Some(timestamp(d.decided_at_ms)),
    }
}

fn to_pb_comment(c: &Comment) -> pb::ReviewComment {
    pb::ReviewComment {
        comment_id: c.id.clone(),
        review_item_id: c.review_item_id.clone(),
        text: c.text.clone(),
        actor: actor(&c.actor),
        created_at: Some(timestamp(c.created_at_ms)),
    }
}

fn civil(date: i32) -> Option<common::CivilDate> {
    (date > 0).then_some(common::CivilDate {
        year: date / 10_000,
        month: date / 100 % 100,
        day: date % 100,
    })
}

/// An item's history, for GetReviewItem and decision responses.
type History = (Vec<Decision>, Vec<Comment>, Vec<Assignment>);

/// The proto item; `history` adds decisions, comments and assignments.
fn to_pb_item(
    item: &ReviewItem,
    current: Option<&Decision>,
    history: Option<&History>,
) -> Result<pb::ReviewItem, VerificationError> {
    let determination = eligibility::Determination::decode(item.determination.as_slice())
        .map_err(|_| VerificationError::Internal(format!("review item {} is corrupt", item.id)))?;
    let current = current.or_else(|| {
        history.and_then(|(d, _, _)| d.iter().find(|d| d.id == item.current_decision_id))
    });
    let relief = decision::effective_relief(
        item.outcome,
        item.track,
        small(determination.reduce_to),
        item.status,
        current.map_or(0, |d| d.resolution),
        current.map_or(0, |d| d.reduce_to),
    );
    let fallback = pb::Assignment {
        agency_id: item.agency_id.clone(),
        reviewer_id: item.reviewer_id.clone(),
        routing_rule_id: item.routing_rule_id.clone(),
        reason: String::new(),
        actor: None,
        assigned_at: Some(timestamp(item.created_at_ms)),
    };
    let assignments: Vec<pb::Assignment> = match history {
        Some((_, _, a)) if !a.is_empty() => a.iter().map(to_pb_assignment).collect(),
        Some(_) => vec![fallback.clone()],
        None => Vec::new(),
    };
    let current_assignment = pb::Assignment {
        agency_id: item.agency_id.clone(),
        reviewer_id: item.reviewer_id.clone(),
        routing_rule_id: item.routing_rule_id.clone(),
        ..assignments.last().cloned().unwrap_or(fallback)
    };
    Ok(pb::ReviewItem {
        review_item_id: item.id.clone(),
        scope: Some(common::Scope {
            county_code: item.county.code.clone(),
            county_name: item.county.name.clone(),
            agency_id: String::new(),
        }),
        determination: Some(determination),
        status: item.status as i32,
        assignment_history: assignments,
        assignment: Some(current_assignment),
        current_decision: current.map(to_pb_decision),
        decisions: history
            .map_or_else(Vec::new, |(d, _, _)| d.iter().map(to_pb_decision).collect()),
        comments: history.map_or_else(Vec::new, |(_, c, _)| c.iter().map(to_pb_comment).collect()),
        effective_relief: Some(pb::EffectiveRelief {
            relief: relief.relief,
            relief_type: i32::from(relief.relief_type),
            track: i32::from(item.track),
            reduce_to: i32::from(relief.reduce_to),
        }),
        challenge_deadline: None,
        created_at: Some(timestamp(item.created_at_ms)),
        updated_at: Some(timestamp(item.updated_at_ms)),
    })
}

fn item_filter(filter: Option<&pb::ReviewFilter>) -> Result<ItemFilter, VerificationError> {
    let Some(filter) = filter else {
        return Ok(ItemFilter::default());
    };
    let ground = match filter.ground {
        0 => None,
        g if pb::ChallengeGround::try_from(g).is_ok() => Some(small(g)),
        _ => {
            return Err(VerificationError::InvalidArgument {
                field: "filter.ground",
                description: "unknown challenge ground".to_owned(),
            });
        }
    };
    let (conviction_from, conviction_to) = date_range(
        filter.conviction_date.as_ref(),
        "filter.conviction_date.from",
        "filter.conviction_date.to",
    )?;
    Ok(ItemFilter {
        ground,
        conviction_from,
        conviction_to,
        statuses: filter.statuses.iter().copied().map(small).collect(),
        outcomes: filter.outcomes.iter().copied().map(small).collect(),
        agency_id: non_empty(&filter.agency_id),
        run_id: non_empty(&filter.run_id),
        batch_id: non_empty(&filter.batch_id),
        subject_id: non_empty(&filter.subject_id),
        prop64_section: non_empty(&filter.section),
        court_ori_code: non_empty(&filter.court_ori_code),
        track: (filter.track != 0).then(|| small(filter.track)),
        reviewer_id: non_empty(&filter.reviewer_id),
        ..ItemFilter::default()
    })
}

/// The bounds of a date range (`yyyymmdd`, inclusive); an absent bound is open.
fn date_range(
    range: Option<&common::DateRange>,
    from_field: &'static str,
    to_field: &'static str,
) -> Result<(Option<i32>, Option<i32>), VerificationError> {
    let Some(range) = range else {
        return Ok((None, None));
    };
    let from = range
        .from
        .as_ref()
        .map(|d| date_of(Some(d), from_field))
        .transpose()?;
    let to = range
        .to
        .as_ref()
        .map(|d| date_of(Some(d), to_field))
        .transpose()?;
    Ok((from, to))
}

/// The cursor of a queue or notice page token (`conviction_date.review_item_id`).
fn queue_cursor(token: &str) -> Result<Option<QueueCursor>, VerificationError> {
    if token.is_empty() {
        return Ok(None);
    }
    let (date, id) = token.split_once('.').ok_or_else(bad_token)?;
    if id.is_empty() {
        return Err(bad_token());
    }
    Ok(Some(QueueCursor {
        conviction_date: date.parse::<i32>().map_err(|_| bad_token())?,
        id: id.to_owned(),
    }))
}

/// The token of the page after `last`, when more follow.
fn next_queue_token(last: Option<&ReviewItem>, more: bool) -> String {
    match last {
        Some(item) if more => format!("{}.{}", item.conviction_date, item.id),
        _ => String::new(),
    }
}

impl VerificationGrpc {
    /// The caller of a request: its token's principal, for the scope's county.
    async fn caller<T: Message>(
        &self,
        request: &Request<T>,
        scope: Option<&common::Scope>,
        idempotency_key: String,
    ) -> Result<Caller, VerificationError> {
        let county = scope_county(scope)?;
        let principal: Principal = self
            .verification
            .authenticate(bearer(request).as_deref(), &county)
            .await?;
        Ok(Caller {
            principal,
            county,
            scope_agency: scope.map(|s| s.agency_id.clone()).unwrap_or_default(),
            idempotency_key,
            request_sha256: request_digest(request.get_ref()),
        })
    }

    /// Runs a mutating call once per idempotency key: a retry of the same request (same
    /// caller, same SHA-256) gets the remembered response or error; another request under the
    /// same key is ALREADY_EXISTS (IDEMPOTENCY_KEY_REUSED). Keys are per county and `method`.
    /// Concur, Challenge and Resolve: one decision on one item, answered once per
    /// idempotency key; `respond` wraps the item and decision in the method's response.
    async fn decide<Q: DecisionRequest, R: Message + Default>(
        &self,
        caller: &Caller,
        method: &'static str,
        request: &Q,
        act: Action,
        respond: fn(pb::ReviewItem, pb::Decision) -> R,
    ) -> Result<R, Status> {
        let run = async {
            let (item, decision) = self
                .decision_rpc(
                    caller,
                    request.review_item_id(),
                    request.expected_current_decision_id(),
                    act,
                    request.note(),
                )
                .await?;
            Ok(respond(item, decision))
        };
        self.once(caller, method, Need::Decide, run).await
    }

    async fn once<R, F>(
        &self,
        caller: &Caller,
        method: &'static str,
        need: Need,
        run: F,
    ) -> Result<R, Status>
    where
        R: Message + Default,
        F: Future<Output = Result<R, VerificationError>>,
    {
        let slot = format!(
            "{}\u{1f}{method}\u{1f}{}",
            caller.county.key(),
            caller.idempotency_key
        );
        let lock = self
            .keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(slot.clone())
            .or_default()
            .clone();
        let outcome = {
            let _held = lock.lock().await;
            self.once_locked(caller, method, need, run).await
        };
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Only the map and this call hold the lock: nobody else waits on it.
        if Arc::strong_count(&lock) <= 2 {
            keys.remove(&slot);
        }
        outcome
    }

    async fn once_locked<R, F>(
        &self,
        caller: &Caller,
        method: &'static str,
        need: Need,
        run: F,
    ) -> Result<R, Status>
    where
        R: Message + Default,
        F: Future<Output = Result<R, VerificationError>>,
    {
        let store = &self.verification.store;
        let county_key = caller.county.key();
        let seen = store
            .idempotent_call(&county_key, method, &caller.idempotency_key)
            .await
            .map_err(VerificationError::from)?;
        if let Some(seen) = seen {
            return self.replay(caller, need, &seen).await;
        }
        let result = run.await.map_err(Status::from);
        let (code, message, response) = match &result {
            Ok(response) => (0, String::new(), response.encode_to_vec()),
            Err(status) if remembered_failure(status.code()) => (
                status.code() as i32,
                status.message().to_owned(),
                Vec::new(),
            ),
            Err(_) => return result,
        };
        let stored = store
            .remember_call(IdempotentCall {
                county_key: county_key.clone(),
                method: method.to_owned(),
                idempotency_key: caller.idempotency_key.clone(),
                principal_id: caller.principal.principal_id.clone(),
                request_sha256: caller.request_sha256.clone(),
                code,
                message,
                response,
                created_at_ms: crate::domain::ids::now_ms(),
            })
            .await
            .map_err(VerificationError::from)?;
        if stored {
            return result;
        }
        // Another process remembered this key first: answer as it did.
        match store
            .idempotent_call(&county_key, method, &caller.idempotency_key)
            .await
            .map_err(VerificationError::from)?
        {
            Some(seen) => self.replay(caller, need, &seen).await,
            None => result,
        }
    }

    /// The remembered outcome of `seen` for a caller who may still `need` it, or
    /// IDEMPOTENCY_KEY_REUSED when the caller or the request differ.
    async fn replay<R: Message + Default>(
        &self,
        caller: &Caller,
        need: Need,
        seen: &IdempotentCall,
    ) -> Result<R, Status> {
        self.verification
            .allow(caller, need, None, "idempotent_call", &[])
            .await?;
        if seen.principal_id != caller.principal.principal_id
            || seen.request_sha256 != caller.request_sha256
        {
            return Err(key_reused());
        }
        tracing::info!(method = %seen.method, "idempotent retry answered from the first call");
        if seen.code == 0 {
            R::decode(seen.response.as_slice()).map_err(|_| {
                VerificationError::Internal("a remembered response is corrupt".to_owned()).into()
            })
        } else {
            Err(Status::new(
                tonic::Code::from(seen.code),
                seen.message.clone(),
            ))
        }
    }

    async fn full_item(&self, item: &ReviewItem) -> Result<pb::ReviewItem, VerificationError> {
        let history = self.verification.store.history(&item.id).await?;
        let mut pb_item = to_pb_item(item, None, Some(&history))?;
        let deadline = self
            .verification
            .store
            .deadline(&item.county.key())
            .await?
            .map_or(crate::domain::deadline::DEFAULT_DEADLINE, |d| {
                d.challenge_deadline
            });
        pb_item.challenge_deadline = civil(deadline);
        Ok(pb_item)
    }

    async fn decision_rpc(
        &self,
        caller: &Caller,
        id: &str,
        expected: &str,
        act: Action,
        note: &str,
    ) -> Result<(pb::ReviewItem, pb::Decision), VerificationError> {
        let (item, made) = self
            .verification
            .decide(caller, id, expected, act, note)
            .await?;
        Ok((self.full_item(&item).await?, to_pb_decision(&made)))
    }
}

fn to_pb_agency(a: &Agency) -> pb::Agency {
    pb::Agency {
        agency_id: a.agency_id.clone(),
        scope: Some(common::Scope {
            county_code: a.county_code.clone(),
            county_name: a.county_name.clone(),
            agency_id: String::new(),
        }),
        kind: i32::from(a.kind),
        name: a.name.clone(),
        ori_codes: a.ori_codes.clone(),
        active: a.active,
        county_default: a.county_default,
        updated_at: Some(timestamp(a.updated_at_ms)),
    }
}

fn to_pb_rule(r: &RoutingRule) -> pb::RoutingRule {
    pb::RoutingRule {
        rule_id: r.rule_id.clone(),
        scope: Some(common::Scope {
            county_code: r.county_code.clone(),
            county_name: r.county_name.clone(),
            agency_id: String::new(),
        }),
        priority: r.priority,
        description: r.description.clone(),
        r#match: Some(pb::RoutingMatch {
            severities: r.matcher.severities.iter().map(|v| i32::from(*v)).collect(),
            arrest_ori_codes: r.matcher.arrest_ori_codes.clone(),
            court_ori_codes: r.matcher.court_ori_codes.clone(),
            sections: r.matcher.sections.clone(),
            outcomes: r.matcher.outcomes.iter().map(|v| i32::from(*v)).collect(),
        }),
        agency_id: r.agency_id.clone(),
        enabled: r.enabled,
        updated_at: Some(timestamp(r.updated_at_ms)),
    }
}

fn to_pb_event(e: &AuditRecord) -> pb::AuditEvent {
    pb::AuditEvent {
        sequence: u64::try_from(e.sequence).unwrap_or(0),
        event_id: e.event_id.clone(),
        occurred_at: Some(timestamp(e.occurred_at_ms)),
        scope: Some(common::Scope {
            county_code: e.county_code.clone(),
            county_name: e.county_name.clone(),
            agency_id: String::new(),
        }),
        actor: actor(&ActorRef {
            principal_id: e.principal_id.clone(),
            agency_id: e.agency_id.clone(),
            role: e.role,
        }),
        action: i32::from(e.action),
        target_type: e.target_type.clone(),
        target_ids: e.target_ids.clone(),
        reason_code: e.reason_code.clone(),
        result: e.result.clone(),
        idempotency_key: e.idempotency_key.clone(),
        request_sha256: e.request_sha256.clone(),
        prev_hash: e.prev_hash.clone(),
        hash: e.hash.clone(),
    }
}

fn to_pb_deadline(d: &crate::domain::model::Deadline, county: &County) -> pb::Deadline {
    pb::Deadline {
        scope: Some(common::Scope {
            county_code: county.code.clone(),
            county_name: county.name.clone(),
            agency_id: String::new(),
        }),
        challenge_deadline: civil(d.challenge_deadline),
        is_default: d.is_default,
        applied_at: (d.applied_at_ms > 0).then(|| timestamp(d.applied_at_ms)),
        updated_by: (!d.updated_by.principal_id.is_empty())
            .then(|| actor(&d.updated_by))
            .flatten(),
        updated_at: (d.updated_at_ms > 0).then(|| timestamp(d.updated_at_ms)),
    }
}

fn notice_entry(
    item: &ReviewItem,
    current: Option<&Decision>,
) -> Result<pb::NoticeEntry, VerificationError> {
    let pb_item = to_pb_item(item, current, None)?;
    let determination = pb_item.determination.unwrap_or_default();
    let conviction = determination.conviction.unwrap_or_default();
    Ok(pb::NoticeEntry {
        review_item_id: item.id.clone(),
        determination_id: item.determination_id.clone(),
        subject_id: item.subject_id.clone(),
        person: determination.person,
        case_number: conviction.case_number,
        court_ori_code: conviction.court_ori_code,
        code_section: conviction.code_section,
        conviction_date: conviction.conviction_date,
        severity: conviction.severity,
        ground: current.map_or(0, |d| i32::from(d.ground)),
        relief: pb_item.effective_relief,
        status: item.status as i32,
        agency_id: item.agency_id.clone(),
        decided_at: current.map(|d| timestamp(d.decided_at_ms)),
    })
}

fn bulk_action(action: Option<&pb::BulkAction>) -> Result<(Action, String), VerificationError> {
    use pb::bulk_action::Action as A;
    match action.and_then(|a| a.action.as_ref()) {
        Some(A::Concur(c)) => Ok((Action::Concur, c.note.clone())),
        Some(A::Challenge(c)) => Ok((
            Action::Challenge {
                ground: small(c.ground),
            },
            c.note.clone(),
        )),
        Some(A::Resolve(r)) => Ok((
            Action::Resolve {
                resolution: small(r.resolution),
                reduce_to: small(r.reduce_to),
            },
            r.note.clone(),
        )),
        None => Err(VerificationError::InvalidArgument {
            field: "action",
            description: "an action is required".to_owned(),
        }),
    }
}

fn seq_token(token: &str) -> Result<i64, VerificationError> {
    if token.is_empty() {
        return Ok(0);
    }
    token.parse::<i64>().map_err(|_| bad_token())
}

#[tonic::async_trait]
impl VerificationService for VerificationGrpc {
    async fn submit_determinations(
        &self,
        request: Request<pb::SubmitDeterminationsRequest>,
    ) -> Result<Response<pb::SubmitDeterminationsResponse>, Status> {
        let key = key_of(request.get_ref().idempotency_key.as_ref())?;
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), key.clone())
            .await?;
        let request = request.into_inner();
        let outcome = self
            .verification
            .submit(
                &caller,
                Submit {
                    county: caller.county.clone(),
                    idempotency_key: key,
                    request_sha256: caller.request_sha256.clone(),
                    determinations: request.determinations.iter().map(incoming).collect(),
                },
            )
            .await?;
        Ok(Response::new(pb::SubmitDeterminationsResponse {
            accepted: outcome.accepted,
            duplicates: outcome.duplicates,
            not_queued: outcome.not_queued,
            routed: outcome
                .routed
                .into_iter()
                .map(|(agency_id, count)| pb::RoutedCount { agency_id, count })
                .collect(),
            unroutable_determination_ids: outcome.unroutable,
        }))
    }

    async fn list_review_items(
        &self,
        request: Request<pb::ListReviewItemsRequest>,
    ) -> Result<Response<pb::ListReviewItemsResponse>, Status> {
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), String::new())
            .await?;
        let request = request.into_inner();
        let filter = item_filter(request.filter.as_ref())?;
        let after = queue_cursor(page_token(request.page.as_ref()))?;
        let limit = page_size(request.page.as_ref());
        let (items, more) = self
            .verification
            .list(&caller, filter, after.as_ref(), limit)
            .await?;
        let next = next_queue_token(items.last(), more);
        let deadline = civil(
            self.verification
                .deadline_of(&caller)
                .await?
                .challenge_deadline,
        );
        let decisions = self
            .verification
            .store
            .decisions(
                items
                    .iter()
                    .map(|i| i.current_decision_id.clone())
                    .collect(),
            )
            .await
            .map_err(VerificationError::from)?;
        Ok(Response::new(pb::ListReviewItemsResponse {
            items: items
                .iter()
                .map(|i| {
                    let mut item = to_pb_item(
                        i,
                        decisions.iter().find(|d| d.id == i.current_decision_id),
                        None,
                    )?;
                    item.challenge_deadline = deadline;
                    Ok::<_, VerificationError>(item)
                })
                .collect::<Result<_, _>>()?,
            page: Some(common::PageResponse {
                next_page_token: next,
                total_size: -1,
            }),
        }))
    }

    async fn get_review_item(
        &self,
        request: Request<pb::GetReviewItemRequest>,
    ) -> Result<Response<pb::GetReviewItemResponse>, Status> {
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), String::new())
            .await?;
        let item = self
            .verification
            .view(&caller, &request.get_ref().review_item_id)
            .await?;
        Ok(Response::new(pb::GetReviewItemResponse {
            item: Some(self.full_item(&item).await?),
        }))
    }

    async fn concur(
        &self,
        request: Request<pb::ConcurRequest>,
    ) -> Result<Response<pb::ConcurResponse>, Status> {
        let key = key_of(request.get_ref().idempotency_key.as_ref())?;
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), key)
            .await?;
        let r = request.into_inner();
        self.decide(&caller, "Concur", &r, Action::Concur, |item, decision| {
            pb::ConcurResponse {
                item: Some(item),
                decision: Some(decision),
            }
        })
        .await
        .map(Response::new)
    }

    async fn challenge(
        &self,
        request: Request<pb::ChallengeRequest>,
    ) -> Result<Response<pb::ChallengeResponse>, Status> {
        let key = key_of(request.get_ref().idempotency_key.as_ref())?;
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), key)
            .await?;
        let r = request.into_inner();
        let act = Action::Challenge {
            ground: small(r.ground),
        };
        self.decide(&caller, "Challenge", &r, act, |item, decision| {
            pb::ChallengeResponse {
                item: Some(item),
                decision: Some(decision),
            }
        })
        .await
        .map(Response::new)
    }

    async fn resolve(
        &self,
        request: Request<pb::ResolveRequest>,
    ) -> Result<Response<pb::ResolveResponse>, Status> {
        let key = key_of(request.get_ref().idempotency_key.as_ref())?;
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), key)
            .await?;
        let r = request.into_inner();
        let act = Action::Resolve {
            resolution: small(r.resolution),
            reduce_to: small(r.reduce_to),
        };
        self.decide(&caller, "Resolve", &r, act, |item, decision| {
            pb::ResolveResponse {
                item: Some(item),
                decision: Some(decision),
            }
        })
        .await
        .map(Response::new)
    }

    async fn bulk_act(
        &self,
        request: Request<pb::BulkActRequest>,
    ) -> Result<Response<pb::BulkActResponse>, Status> {
        let key = key_of(request.get_ref().idempotency_key.as_ref())?;
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), key)
            .await?;
        let r = request.into_inner();
        let run = async {
            let filter = item_filter(r.filter.as_ref())?;
            let (act, note) = bulk_action(r.action.as_ref())?;
            let outcome = self
                .verification
                .bulk(&caller, filter, act, &note, r.expected_count, r.dry_run)
                .await?;
            Ok(pb::BulkActResponse {
                bulk_action_id: outcome.bulk_action_id,
                matched: outcome.matched,
                applied: outcome.applied,
                skipped: outcome
                    .skipped
                    .into_iter()
                    .map(|(review_item_id, reason)| pb::BulkSkip {
                        review_item_id,
                        reason,
                    })
                    .collect(),
            })
        };
        if r.dry_run {
            // A dry run changes nothing; it is answered afresh every time.
            return run.await.map(Response::new).map_err(Status::from);
        }
        self.once(&caller, "BulkAct", Need::Decide, run)
            .await
            .map(Response::new)
    }

    async fn comment(
        &self,
        request: Request<pb::CommentRequest>,
    ) -> Result<Response<pb::CommentResponse>, Status> {
        let key = key_of(request.get_ref().idempotency_key.as_ref())?;
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), key)
            .await?;
        let r = request.into_inner();
        let run = async {
            let comment = self
                .verification
                .comment(&caller, &r.review_item_id, &r.text)
                .await?;
            Ok(pb::CommentResponse {
                comment: Some(to_pb_comment(&comment)),
            })
        };
        self.once(&caller, "Comment", Need::Decide, run)
            .await
            .map(Response::new)
    }

    async fn reassign(
        &self,
        request: Request<pb::ReassignRequest>,
    ) -> Result<Response<pb::ReassignResponse>, Status> {
        let key = key_of(request.get_ref().idempotency_key.as_ref())?;
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), key)
            .await?;
        let r = request.into_inner();
        let run = async {
            let item = self
                .verification
                .reassign(
                    &caller,
                    &r.review_item_id,
                    &r.to_agency_id,
                    &r.to_reviewer_id,
                    &r.reason,
                )
                .await?;
            Ok(pb::ReassignResponse {
                item: Some(self.full_item(&item).await?),
            })
        };
        self.once(&caller, "Reassign", Need::Administer, run)
            .await
            .map(Response::new)
    }

    async fn set_deadline(
        &self,
        request: Request<pb::SetDeadlineRequest>,
    ) -> Result<Response<pb::SetDeadlineResponse>, Status> {
        let key = key_of(request.get_ref().idempotency_key.as_ref())?;
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), key)
            .await?;
        let r = request.into_inner();
        let run = async {
            let date = date_of(r.challenge_deadline.as_ref(), "challenge_deadline")?;
            let deadline = self
                .verification
                .set_deadline(&caller, date, &r.reason)
                .await?;
            Ok(pb::SetDeadlineResponse {
                deadline: Some(to_pb_deadline(&deadline, &caller.county)),
            })
        };
        self.once(&caller, "SetDeadline", Need::Administer, run)
            .await
            .map(Response::new)
    }

    async fn get_deadline(
        &self,
        request: Request<pb::GetDeadlineRequest>,
    ) -> Result<Response<pb::GetDeadlineResponse>, Status> {
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), String::new())
            .await?;
        self.verification
            .allow(
                &caller,
                crate::domain::access::Need::Read,
                None,
                "deadline",
                &[],
            )
            .await?;
        let deadline = self.verification.deadline_of(&caller).await?;
        let pending = self
            .verification
            .store
            .count_items(
                &caller.county,
                ReviewStatus::Pending,
                &[
                    decision::OUTCOME_HAND_REVIEW,
                    decision::OUTCOME_REFER_TO_CITY_PROSECUTOR,
                ],
                false,
            )
            .await
            .map_err(VerificationError::from)?;
        Ok(Response::new(pb::GetDeadlineResponse {
            deadline: Some(to_pb_deadline(&deadline, &caller.county)),
            pending_items: i64::try_from(pending).unwrap_or(i64::MAX),
        }))
    }

    async fn apply_deadline(
        &self,
        request: Request<pb::ApplyDeadlineRequest>,
    ) -> Result<Response<pb::ApplyDeadlineResponse>, Status> {
        let key = key_of(request.get_ref().idempotency_key.as_ref())?;
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), key)
            .await?;
        let r = request.into_inner();
        let today = match r.as_of.as_ref() {
            Some(date) => date_of(Some(date), "as_of")?,
            None => crate::domain::deadline::pacific_today(crate::domain::ids::now_ms()),
        };
        let applied = self
            .verification
            .apply_deadline(&caller, today, r.dry_run)
            .await?;
        Ok(Response::new(pb::ApplyDeadlineResponse {
            deemed_concurred: applied.deemed_concurred,
            hand_review_pending: applied.hand_review_pending,
            deadline: Some(to_pb_deadline(&applied.deadline, &caller.county)),
        }))
    }

    async fn list_challenged_for_defender(
        &self,
        request: Request<pb::ListChallengedForDefenderRequest>,
    ) -> Result<Response<pb::ListChallengedForDefenderResponse>, Status> {
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), String::new())
            .await?;
        let r = request.into_inner();
        let (decided_from, decided_to) =
            date_range(r.decided.as_ref(), "decided.from", "decided.to")?;
        let filter = ItemFilter {
            statuses: vec![ReviewStatus::Challenged as i16],
            agency_id: non_empty(&r.agency_id),
            decided_from_ms: decided_from.map(deadline::pacific_midnight_ms),
            decided_to_ms: decided_to.map(|to| {
                deadline::pacific_midnight_ms(deadline::civil_from_days(
                    deadline::days_from_civil(to) + 1,
                ))
            }),
            ..ItemFilter::default()
        };
        let after = queue_cursor(page_token(r.page.as_ref()))?;
        let limit = page_size(r.page.as_ref());
        let (entries, more) = self
            .verification
            .notice(&caller, filter, after.as_ref(), limit)
            .await?;
        Ok(Response::new(pb::ListChallengedForDefenderResponse {
            page: Some(common::PageResponse {
                next_page_token: next_queue_token(entries.last().map(|(i, _)| i), more),
                total_size: -1,
            }),
            entries: entries
                .iter()
                .map(|(i, d)| notice_entry(i, d.as_ref()))
                .collect::<Result<_, _>>()?,
        }))
    }

    async fn list_unchallenged_for_court(
        &self,
        request: Request<pb::ListUnchallengedForCourtRequest>,
    ) -> Result<Response<pb::ListUnchallengedForCourtResponse>, Status> {
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), String::new())
            .await?;
        let r = request.into_inner();
        let filter = ItemFilter {
            statuses: [
                ReviewStatus::Concurred,
                ReviewStatus::DeemedConcurred,
                ReviewStatus::Resolved,
            ]
            .iter()
            .map(|s| *s as i16)
            .collect(),
            agency_id: non_empty(&r.agency_id),
            court_ori_code: non_empty(&r.court_ori_code),
            relief_only: true,
            ..ItemFilter::default()
        };
        let after = queue_cursor(page_token(r.page.as_ref()))?;
        let limit = page_size(r.page.as_ref());
        let (entries, more) = self
            .verification
            .notice(&caller, filter, after.as_ref(), limit)
            .await?;
        Ok(Response::new(pb::ListUnchallengedForCourtResponse {
            page: Some(common::PageResponse {
                next_page_token: next_queue_token(entries.last().map(|(i, _)| i), more),
                total_size: -1,
            }),
            entries: entries
                .iter()
                .map(|(i, d)| notice_entry(i, d.as_ref()))
                .collect::<Result<_, _>>()?,
        }))
    }

    async fn list_audit_events(
        &self,
        request: Request<pb::ListAuditEventsRequest>,
    ) -> Result<Response<pb::ListAuditEventsResponse>, Status> {
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), String::new())
            .await?;
        let r = request.into_inner();
        let after = seq_token(page_token(r.page.as_ref()))?;
        let ms = |t: Option<&prost_types::Timestamp>| {
            t.map(|t| t.seconds * 1000 + i64::from(t.nanos) / 1_000_000)
        };
        let query = AuditQuery {
            county_key: String::new(),
            target_id: non_empty(&r.target_id),
            principal_id: non_empty(&r.principal_id),
            actions: r.actions.iter().copied().map(small).collect(),
            from_ms: ms(r.from_time.as_ref()),
            to_ms: ms(r.to_time.as_ref()),
            from_sequence: i64::try_from(r.from_sequence).unwrap_or(0).max(after + 1),
        };
        let limit = page_size(r.page.as_ref());
        let (events, more) = self
            .verification
            .audit_events(&caller, query, limit)
            .await?;
        let next = match events.last() {
            Some(last) if more => last.sequence.to_string(),
            _ => String::new(),
        };
        Ok(Response::new(pb::ListAuditEventsResponse {
            events: events.iter().map(to_pb_event).collect(),
            page: Some(common::PageResponse {
                next_page_token: next,
                total_size: -1,
            }),
        }))
    }

    async fn verify_audit_chain(
        &self,
        request: Request<pb::VerifyAuditChainRequest>,
    ) -> Result<Response<pb::VerifyAuditChainResponse>, Status> {
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), String::new())
            .await?;
        let r = request.into_inner();
        let report = self
            .verification
            .verify_chain(
                &caller,
                i64::try_from(r.from_sequence).unwrap_or(i64::MAX),
                i64::try_from(r.to_sequence).unwrap_or(i64::MAX),
            )
            .await?;
        Ok(Response::new(pb::VerifyAuditChainResponse {
            intact: report.first_broken.is_none(),
            events_checked: report.checked,
            first_broken: report.first_broken.map(|b| pb::BrokenLink {
                sequence: u64::try_from(b.sequence).unwrap_or(0),
                event_id: b.event_id,
                problem: b.problem as i32,
                expected_hash: b.expected_hash,
                actual_hash: b.actual_hash,
            }),
            head_hash: report.head_hash,
            head_sequence: u64::try_from(report.head_sequence).unwrap_or(0),
        }))
    }

    async fn put_agency(
        &self,
        request: Request<pb::PutAgencyRequest>,
    ) -> Result<Response<pb::PutAgencyResponse>, Status> {
        let key = key_of(request.get_ref().idempotency_key.as_ref())?;
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), key)
            .await?;
        let a = request.into_inner().agency.unwrap_or_default();
        let agency = self
            .verification
            .put_agency(
                &caller,
                Agency {
                    agency_id: a.agency_id,
                    county_code: String::new(),
                    county_name: String::new(),
                    kind: small(a.kind),
                    name: a.name,
                    ori_codes: a.ori_codes,
                    active: a.active,
                    county_default: a.county_default,
                    updated_at_ms: 0,
                },
            )
            .await?;
        Ok(Response::new(pb::PutAgencyResponse {
            agency: Some(to_pb_agency(&agency)),
        }))
    }

    async fn list_agencies(
        &self,
        request: Request<pb::ListAgenciesRequest>,
    ) -> Result<Response<pb::ListAgenciesResponse>, Status> {
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), String::new())
            .await?;
        let r = request.into_inner();
        let agencies: Vec<pb::Agency> = self
            .verification
            .agencies(&caller)
            .await?
            .iter()
            .filter(|a| r.kind == 0 || i32::from(a.kind) == r.kind)
            .filter(|a| r.include_inactive || a.active)
            .map(to_pb_agency)
            .collect();
        Ok(Response::new(pb::ListAgenciesResponse {
            page: Some(common::PageResponse {
                next_page_token: String::new(),
                total_size: i64::try_from(agencies.len()).unwrap_or(-1),
            }),
            agencies,
        }))
    }

    async fn put_routing_rule(
        &self,
        request: Request<pb::PutRoutingRuleRequest>,
    ) -> Result<Response<pb::PutRoutingRuleResponse>, Status> {
        let key = key_of(request.get_ref().idempotency_key.as_ref())?;
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), key)
            .await?;
        let r = request.into_inner();
        let rule = r.rule.unwrap_or_default();
        let m = rule.r#match.unwrap_or_default();
        let (stored, rerouted) = self
            .verification
            .put_rule(
                &caller,
                RoutingRule {
                    rule_id: rule.rule_id,
                    county_code: String::new(),
                    county_name: String::new(),
                    priority: rule.priority,
                    description: rule.description,
                    matcher: RoutingMatch {
                        severities: m.severities.into_iter().map(small).collect(),
                        arrest_ori_codes: m.arrest_ori_codes,
                        court_ori_codes: m.court_ori_codes,
                        sections: m.sections,
                        outcomes: m.outcomes.into_iter().map(small).collect(),
                    },
                    agency_id: rule.agency_id,
                    enabled: rule.enabled,
                    updated_at_ms: 0,
                },
                r.reroute_pending,
            )
            .await?;
        Ok(Response::new(pb::PutRoutingRuleResponse {
            rule: Some(to_pb_rule(&stored)),
            rerouted,
        }))
    }

    async fn list_routing_rules(
        &self,
        request: Request<pb::ListRoutingRulesRequest>,
    ) -> Result<Response<pb::ListRoutingRulesResponse>, Status> {
        let caller = self
            .caller(&request, request.get_ref().scope.as_ref(), String::new())
            .await?;
        let r = request.into_inner();
        let rules: Vec<pb::RoutingRule> = self
            .verification
            .rules(&caller)
            .await?
            .iter()
            .filter(|rule| r.include_disabled || rule.enabled)
            .map(to_pb_rule)
            .collect();
        Ok(Response::new(pb::ListRoutingRulesResponse {
            page: Some(common::PageResponse {
                next_page_token: String::new(),
                total_size: i64::try_from(rules.len()).unwrap_or(-1),
            }),
            rules,
        }))
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The fields Concur, Challenge and Resolve requests share.
trait DecisionRequest {
    fn review_item_id(&self) -> &str;
    fn expected_current_decision_id(&self) -> &str;
    fn note(&self) -> &str;
}

macro_rules! decision_request {
    ($($t:ty),*) => {$(
        impl DecisionRequest for $t {
            fn review_item_id(&self) -> &str {
                &self.review_item_id
            }
            fn expected_current_decision_id(&self) -> &str {
                &self.expected_current_decision_id
            }
            fn note(&self) -> &str {
                &self.note
            }
        }
    )*};
}

decision_request!(pb::ConcurRequest, pb::ChallengeRequest, pb::ResolveRequest);
