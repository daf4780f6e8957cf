//! The verification use cases: take determinations into the review queue, route them and read
//! them back; who is calling and the audit events of what they do. Knows the store and the
//! domain, not tonic. The review workflow itself is in [`crate::review`].

use std::collections::HashSet;

use crate::domain::access::{self, Need, Principal};
use crate::domain::audit_chain::AuditRecord;
use crate::domain::ids::{new_id, now_ms};
use crate::domain::model::{
    ActorRef, Assignment, County, OUTCOME_NO_RELIEF, ReviewItem, ReviewStatus, Submission,
    SubmissionOutcome,
};
use crate::domain::routing::{self, RouteFacts};
use crate::error::VerificationError;
use crate::store::{Store, Submitted};

/// Proto `AuditAction` values.
pub mod action {
    pub const DETERMINATIONS_SUBMITTED: i16 = 1;
    pub const ITEM_ROUTED: i16 = 2;
    pub const ITEM_VIEWED: i16 = 3;
    pub const LIST_VIEWED: i16 = 4;
    pub const CONCURRED: i16 = 5;
    pub const CHALLENGED: i16 = 6;
    pub const RESOLVED: i16 = 7;
    pub const DEEMED_CONCURRED: i16 = 8;
    pub const BULK_ACTION: i16 = 9;
    pub const COMMENTED: i16 = 10;
    pub const REASSIGNED: i16 = 11;
    pub const DEADLINE_SET: i16 = 12;
    pub const DEADLINE_APPLIED: i16 = 13;
    pub const NOTICE_EXPORTED: i16 = 14;
    pub const AGENCY_PUT: i16 = 15;
    pub const ROUTING_RULE_PUT: i16 = 16;
    pub const ACCESS_DENIED: i16 = 17;
}

/// Who calls, for which county, with which request: what every use case needs to authorize
/// and audit.
#[derive(Clone, Debug)]
pub struct Caller {
    pub principal: Principal,
    /// The county the request names (already checked against the token by [`Verification::allow`]).
    pub county: County,
    /// The agency the request's scope names, if any.
    pub scope_agency: String,
    pub idempotency_key: String,
    pub request_sha256: String,
}

impl Caller {
    /// The actor recorded for what the caller does.
    #[must_use]
    pub fn actor(&self) -> ActorRef {
        ActorRef {
            principal_id: self.principal.principal_id.clone(),
            agency_id: self.principal.agency_id.clone(),
            role: self.principal.role as i16,
        }
    }

    /// The county whose audit chain records the caller's actions: the token's, or the
    /// request's in open mode.
    #[must_use]
    pub fn audit_county(&self) -> &County {
        if self.principal.open {
            &self.county
        } else {
            &self.principal.county
        }
    }

    /// An unsealed audit event of the caller.
    #[must_use]
    pub fn event(
        &self,
        action: i16,
        target_type: &str,
        target_ids: Vec<String>,
        reason_code: &str,
        result: &str,
    ) -> AuditRecord {
        let county = self.audit_county();
        AuditRecord {
            county_key: county.key(),
            sequence: 0,
            event_id: new_id(),
            occurred_at_ms: now_ms(),
            county_code: county.code.clone(),
            county_name: county.name.clone(),
            principal_id: self.principal.principal_id.clone(),
            agency_id: self.principal.agency_id.clone(),
            role: self.principal.role as i16,
            action,
            target_type: target_type.to_owned(),
            target_ids,
            reason_code: reason_code.to_owned(),
            result: result.to_owned(),
            idempotency_key: self.idempotency_key.clone(),
            request_sha256: self.request_sha256.clone(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }
}

/// Determinations accepted per call.
pub const MAX_DETERMINATIONS: usize = 1000;

/// One submitted determination, as the queue needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingDetermination {
    pub determination_id: String,
    pub run_id: String,
    pub batch_id: String,
    pub subject_id: String,
    /// The determination's own county, when it names one.
    pub county: Option<County>,
    pub data_row_index: i64,
    pub outcome: i16,
    pub track: i16,
    pub prop64_section: String,
    pub court_ori_code: String,
    /// Proto `Severity` at conviction.
    pub severity: i16,
    pub arrest_ori_code: String,
    /// `yyyymmdd`, 0 when unknown.
    pub conviction_date: i32,
    pub reason_code: String,
    pub rule_id: String,
    /// The encoded determination (the item's snapshot).
    pub snapshot: Vec<u8>,
}

/// A validated `SubmitDeterminations` request.
#[derive(Clone, Debug)]
pub struct Submit {
    pub county: County,
    pub idempotency_key: String,
    /// SHA-256 of the request, to tell a replay from a reused key.
    pub request_sha256: String,
    pub determinations: Vec<IncomingDetermination>,
}

/// The verification service's state.
#[derive(Clone, Debug)]
pub struct Verification {
    pub store: Store,
    /// No token is configured: every call is the open-mode principal (see the crate docs).
    pub open: bool,
    /// Where ready relief is handed to (the filing service), if configured.
    pub filing_endpoint: Option<String>,
}

impl Verification {
    #[must_use]
    pub fn new(store: Store) -> Self {
        Self {
            store,
            open: true,
            filing_endpoint: None,
        }
    }

    /// The principal of a bearer token (the `authorization` header's value after
    /// `Bearer `). In open mode every call, with or without a token, is the open principal of
    /// the requested county.
    pub async fn authenticate(
        &self,
        token: Option<&str>,
        county: &County,
    ) -> Result<Principal, VerificationError> {
        if self.open {
            return Ok(Principal::open(county.clone()));
        }
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(VerificationError::Unauthenticated);
        };
        self.store
            .principal_for(&access::token_sha256(token))
            .await?
            .ok_or(VerificationError::Unauthenticated)
    }

    /// Checks `need` for the caller (on an entity of `entity_agency` when given); a refusal
    /// is audited as ACCESS_DENIED, naming the targets, and answered PERMISSION_DENIED.
    pub async fn allow(
        &self,
        caller: &Caller,
        need: Need,
        entity_agency: Option<&str>,
        target_type: &str,
        target_ids: &[String],
    ) -> Result<(), VerificationError> {
        match access::authorize(
            &caller.principal,
            &caller.county,
            &caller.scope_agency,
            need,
            entity_agency,
        ) {
            Ok(()) => Ok(()),
            Err(denial) => {
                let mut targets = target_ids.to_vec();
                if denial == access::Denial::ScopeNotPermitted
                    && !access::same_county(&caller.principal.county, &caller.county)
                {
                    targets.push(format!("county:{}", caller.county.key()));
                }
                let event = caller.event(
                    action::ACCESS_DENIED,
                    target_type,
                    targets,
                    denial.code(),
                    denial.code(),
                );
                self.store.append_audit(vec![event]).await?;
                tracing::warn!(
                    principal_id = %caller.principal.principal_id,
                    reason = denial.code(),
                    "access denied"
                );
                Err(VerificationError::PermissionDenied(denial))
            }
        }
    }

    /// Queues every determination that needs a prosecutor's decision, once: a replayed key
    /// returns what the first call did, and a (run, determination id) already queued is a
    /// duplicate, not a second item. NO_RELIEF determinations are counted, not queued.
    /// Metrics for newly queued items: the count, the backlog, and how many days reviewers
    /// have left before the county's deadline (below zero once it has passed).
    async fn record_queued(&self, caller: &Caller, accepted: i64) {
        let county = [opentelemetry::KeyValue::new(
            "county",
            caller.county.name.clone(),
        )];
        cmr_telemetry::counter(
            "cmr.review.queued",
            u64::try_from(accepted).unwrap_or(0),
            &county,
        );
        cmr_telemetry::up_down("cmr.review.backlog", accepted, &county);
        if let Ok(deadline) = self.deadline_of(caller).await {
            let today = crate::domain::deadline::pacific_today(crate::domain::ids::now_ms());
            let days = crate::domain::deadline::days_from_civil(deadline.challenge_deadline)
                - crate::domain::deadline::days_from_civil(today);
            #[allow(clippy::cast_precision_loss)] // a few thousand days are exact in f64
            cmr_telemetry::gauge("cmr.review.deadline_distance_days", days as f64, &county);
        }
    }

    #[tracing::instrument(name = "verification.submit", skip_all, fields(county = %caller.county.name))]
    pub async fn submit(
        &self,
        caller: &Caller,
        request: Submit,
    ) -> Result<SubmissionOutcome, VerificationError> {
        self.allow(caller, Need::Submit, None, "submission", &[])
            .await?;
        if let Some(existing) = self
            .store
            .find_submission(&request.county, &request.idempotency_key)
            .await?
        {
            return replay(existing, &request.request_sha256);
        }
        if request.determinations.len() > MAX_DETERMINATIONS {
            return Err(VerificationError::InvalidArgument {
                field: "determinations",
                description: format!("TOO_LARGE: at most {MAX_DETERMINATIONS} per call"),
            });
        }
        for determination in &request.determinations {
            check(&request.county, determination)?;
        }
        let agency_id = request.county.district_attorney();
        let agencies = self.store.agencies(&request.county).await?;
        let rules = self.store.rules(&request.county.key()).await?;
        let now = now_ms();
        let mut assignments = Vec::new();
        let mut seen = HashSet::new();
        let mut not_queued = 0;
        let mut duplicates = 0;
        let mut items = Vec::new();
        for d in request.determinations {
            if d.outcome == OUTCOME_NO_RELIEF {
                not_queued += 1;
                continue;
            }
            if !seen.insert((d.run_id.clone(), d.determination_id.clone())) {
                duplicates += 1;
                continue;
            }
            let facts = RouteFacts {
                severity: d.severity,
                arrest_ori_code: d.arrest_ori_code.clone(),
                court_ori_code: d.court_ori_code.clone(),
                prop64_section: d.prop64_section.clone(),
                outcome: d.outcome,
            };
            let route = routing::route(&agencies, &rules, &facts, &agency_id);
            let id = new_id();
            assignments.push(Assignment {
                id: new_id(),
                review_item_id: id.clone(),
                agency_id: route.agency_id().to_owned(),
                reviewer_id: String::new(),
                routing_rule_id: route.rule_id().to_owned(),
                reason: String::new(),
                actor: caller.actor(),
                assigned_at_ms: now,
            });
            items.push(ReviewItem {
                id,
                county: request.county.clone(),
                run_id: d.run_id,
                batch_id: d.batch_id,
                determination_id: d.determination_id,
                subject_id: d.subject_id,
                data_row_index: d.data_row_index,
                outcome: d.outcome,
                track: d.track,
                prop64_section: d.prop64_section,
                court_ori_code: d.court_ori_code,
                conviction_date: d.conviction_date,
                reason_code: d.reason_code,
                rule_id: d.rule_id,
                severity: d.severity,
                arrest_ori_code: d.arrest_ori_code,
                agency_id: route.agency_id().to_owned(),
                reviewer_id: String::new(),
                routing_rule_id: route.rule_id().to_owned(),
                status: ReviewStatus::Pending,
                current_decision_id: String::new(),
                relief: 0,
                sent_to_filing_at_ms: 0,
                determination: d.snapshot,
                created_at_ms: now,
                updated_at_ms: now,
            });
        }
        let record = Submission {
            county: request.county,
            idempotency_key: request.idempotency_key,
            request_sha256: request.request_sha256.clone(),
            outcome: SubmissionOutcome {
                accepted: 0,
                duplicates,
                not_queued,
                agency_id,
                routed: Vec::new(),
                unroutable: Vec::new(),
            },
            created_at_ms: now,
        };
        let event = caller.event(
            action::DETERMINATIONS_SUBMITTED,
            "review_item",
            Vec::new(),
            "",
            "OK",
        );
        match self.store.submit(items, assignments, record, event).await? {
            Submitted::Stored(outcome) => {
                tracing::info!(
                    accepted = outcome.accepted,
                    duplicates = outcome.duplicates,
                    agency_id = %outcome.agency_id,
                    "determinations queued"
                );
                self.record_queued(caller, outcome.accepted).await;
                Ok(outcome)
            }
            Submitted::KeyTaken(existing) => replay(existing, &request.request_sha256),
        }
    }

    /// An item of the caller's county the caller may `need`; reads of personal data are
    /// audited by the caller of this.
    pub async fn item_for(
        &self,
        caller: &Caller,
        need: Need,
        id: &str,
    ) -> Result<ReviewItem, VerificationError> {
        self.allow(caller, need, None, "review_item", &[id.to_owned()])
            .await?;
        let item = self.item_in_county(&caller.county, id).await?;
        self.allow(
            caller,
            need,
            Some(&item.agency_id),
            "review_item",
            &[id.to_owned()],
        )
        .await?;
        Ok(item)
    }

    /// An item visible in `county`.
    pub async fn item_in_county(
        &self,
        county: &County,
        id: &str,
    ) -> Result<ReviewItem, VerificationError> {
        match self.store.get_item(id).await? {
            Some(item) if county_matches(county, &item.county) => Ok(item),
            _ => Err(VerificationError::NotFound {
                what: "review item",
                id: id.to_owned(),
            }),
        }
    }
}

/// The first call's outcome for a replayed key, or IDEMPOTENCY_KEY_REUSED for other content.
fn replay(existing: Submission, sha256: &str) -> Result<SubmissionOutcome, VerificationError> {
    if existing.request_sha256 == sha256 {
        Ok(existing.outcome)
    } else {
        Err(VerificationError::AlreadyExists(
            "IDEMPOTENCY_KEY_REUSED: the key was used for another submission".to_owned(),
        ))
    }
}

fn check(county: &County, d: &IncomingDetermination) -> Result<(), VerificationError> {
    let invalid = |field, description: &str| {
        Err(VerificationError::InvalidArgument {
            field,
            description: format!("{description} (determination {})", d.determination_id),
        })
    };
    if d.determination_id.is_empty() || d.determination_id.len() > 128 {
        return invalid(
            "determinations.determination_id",
            "required, at most 128 characters",
        );
    }
    if d.run_id.is_empty() || d.run_id.len() > 64 {
        return invalid("determinations.run_id", "required, at most 64 characters");
    }
    if d.batch_id.len() > 64 || d.subject_id.len() > 64 {
        return invalid(
            "determinations",
            "batch_id and subject_id are at most 64 characters",
        );
    }
    if d.outcome <= 0 {
        return invalid("determinations.outcome", "outcome is required");
    }
    if d.prop64_section.len() > 16 || d.court_ori_code.len() > 16 {
        return invalid("determinations.conviction", "section or court ORI too long");
    }
    if d.reason_code.len() > 64 || d.rule_id.len() > 128 {
        return invalid("determinations.reason", "reason code or rule id too long");
    }
    if let Some(own) = &d.county
        && !(county_matches(county, own) || county_matches(own, county))
    {
        return invalid(
            "determinations.scope",
            "the determination is of another county",
        );
    }
    Ok(())
}

/// Whether a stored county agrees with every part the request gives.
#[must_use]
pub fn county_matches(request: &County, stored: &County) -> bool {
    (request.code.is_empty() || request.code == stored.code)
        && (request.name.is_empty() || request.name == stored.name)
}
