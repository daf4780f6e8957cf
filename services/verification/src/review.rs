//! The review workflow: reading the queue, decisions (concur, challenge, resolve, bulk),
//! comments, reassignment, the deadline and the notice lists. Every read of personal data
//! and every change is audited; the state machine is [`crate::domain::decision`].

use crate::domain::access::{Need, SYSTEM_PRINCIPAL};
use crate::domain::deadline::{self, DEFAULT_DEADLINE};
use crate::domain::decision::{self, Action, DecisionKind, ItemState, Refusal};
use crate::domain::ids::{new_id, now_ms};
use crate::domain::model::{
    ActorRef, Assignment, Comment, Deadline, Decision, ItemFilter, QueueCursor, ReviewItem,
    ReviewStatus,
};
use crate::error::VerificationError;
use crate::service::{Caller, Verification, action};
use crate::store::{Decide, Decided};

/// Items read per page when a use case walks a whole filter.
const WALK_PAGE: u64 = 1000;

/// What a bulk action did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    pub bulk_action_id: String,
    pub matched: i64,
    pub applied: i64,
    /// (item id, reason code).
    pub skipped: Vec<(String, String)>,
}

/// What ApplyDeadline did (or would do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub deemed_concurred: i64,
    pub hand_review_pending: i64,
    pub deadline: Deadline,
}

fn refused(refusal: Refusal) -> VerificationError {
    match refusal {
        Refusal::InvalidArgument(description) => VerificationError::InvalidArgument {
            field: "decision",
            description: description.to_owned(),
        },
        Refusal::NoteRequired => VerificationError::InvalidArgument {
            field: "note",
            description: "NOTE_REQUIRED: a non-blank note is required".to_owned(),
        },
        Refusal::InvalidState(why) => {
            VerificationError::FailedPrecondition(format!("INVALID_STATE: {why}"))
        }
        Refusal::DeadlinePassed => VerificationError::FailedPrecondition(
            "DEADLINE_PASSED: the challenge deadline was applied".to_owned(),
        ),
    }
}

fn decision_action(kind: DecisionKind) -> i16 {
    match kind {
        DecisionKind::Concur => action::CONCURRED,
        DecisionKind::Challenge => action::CHALLENGED,
        DecisionKind::Resolve => action::RESOLVED,
        DecisionKind::DeemedConcur => action::DEEMED_CONCURRED,
    }
}

impl Verification {
    /// The county's deadline (the default when never set).
    pub async fn deadline_of(&self, caller: &Caller) -> Result<Deadline, VerificationError> {
        let key = caller.county.key();
        Ok(self.store.deadline(&key).await?.unwrap_or(Deadline {
            county_key: key,
            challenge_deadline: DEFAULT_DEADLINE,
            is_default: true,
            applied_at_ms: 0,
            updated_by: ActorRef::default(),
            updated_at_ms: 0,
        }))
    }

    /// One page of the queue the caller may see (reviewers: their agency only), at most
    /// `limit` items and whether more follow; audited as LIST_VIEWED when it returns items.
    pub async fn list(
        &self,
        caller: &Caller,
        mut filter: ItemFilter,
        after: Option<&QueueCursor>,
        limit: u64,
    ) -> Result<(Vec<ReviewItem>, bool), VerificationError> {
        self.allow(
            caller,
            Need::Read,
            filter.agency_id.as_deref(),
            "review_item",
            &[],
        )
        .await?;
        if !caller.principal.county_wide() {
            filter.agency_id = Some(caller.principal.agency_id.clone());
        }
        let (items, more) = self.page(caller, &filter, after, limit).await?;
        if !items.is_empty() {
            let ids = items.iter().map(|i| i.id.clone()).collect();
            let event = caller.event(action::LIST_VIEWED, "review_item", ids, "", "OK");
            self.store.append_audit(vec![event]).await?;
        }
        Ok((items, more))
    }

    /// At most `limit` items of the caller's county matching `filter` after `after`, and
    /// whether more follow.
    async fn page(
        &self,
        caller: &Caller,
        filter: &ItemFilter,
        after: Option<&QueueCursor>,
        limit: u64,
    ) -> Result<(Vec<ReviewItem>, bool), VerificationError> {
        let mut items = self
            .store
            .list_items(&caller.county, filter, after, limit.saturating_add(1))
            .await?;
        let more = items.len() as u64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok((items, more))
    }

    /// One item with its history, audited as ITEM_VIEWED.
    pub async fn view(&self, caller: &Caller, id: &str) -> Result<ReviewItem, VerificationError> {
        let item = self.item_for(caller, Need::Read, id).await?;
        let event = caller.event(
            action::ITEM_VIEWED,
            "review_item",
            vec![id.to_owned()],
            "",
            "OK",
        );
        self.store.append_audit(vec![event]).await?;
        Ok(item)
    }

    fn state(item: &ReviewItem, deadline: &Deadline) -> ItemState {
        ItemState {
            outcome: item.outcome,
            status: item.status,
            deadline_applied: deadline.applied_at_ms > 0,
            sent_to_filing: item.sent_to_filing_at_ms > 0,
        }
    }

    fn decide_of(
        caller: &Caller,
        item: &ReviewItem,
        expected: &str,
        act: &Action,
        note: &str,
        bulk_action_id: &str,
    ) -> Decide {
        let (ground, resolution, reduce_to) = match act {
            Action::Concur => (0, 0, 0),
            Action::Challenge { ground } => (*ground, 0, 0),
            Action::Resolve {
                resolution,
                reduce_to,
            } => (0, *resolution, *reduce_to),
        };
        let status = act.status();
        let relief =
            decision::effective_relief(item.outcome, item.track, 0, status, resolution, reduce_to);
        let decision = Decision {
            id: new_id(),
            review_item_id: item.id.clone(),
            county: item.county.clone(),
            kind: act.kind() as i16,
            ground,
            resolution,
            reduce_to,
            note: note.to_owned(),
            supersedes_decision_id: String::new(),
            superseded_by: String::new(),
            bulk_action_id: bulk_action_id.to_owned(),
            actor: caller.actor(),
            idempotency_key: caller.idempotency_key.clone(),
            decided_at_ms: now_ms(),
        };
        let event = caller.event(
            decision_action(act.kind()),
            "review_item",
            vec![item.id.clone(), decision.id.clone()],
            act.reason_code(),
            "OK",
        );
        Decide {
            expected_current: expected.to_owned(),
            decision,
            status,
            relief: i16::from(relief.relief),
            audit: event,
        }
    }

    /// Concur, challenge or resolve one item, if `expected` is still its current decision.
    pub async fn decide(
        &self,
        caller: &Caller,
        id: &str,
        expected: &str,
        act: Action,
        note: &str,
    ) -> Result<(ReviewItem, Decision), VerificationError> {
        let item = self.item_for(caller, Need::Decide, id).await?;
        let deadline = self.deadline_of(caller).await?;
        decision::check(Self::state(&item, &deadline), &act, note).map_err(refused)?;
        if item.current_decision_id != expected {
            return Err(stale(id));
        }
        let decide = Self::decide_of(caller, &item, expected, &act, note, "");
        match self.store.decide(vec![decide]).await?.pop() {
            Some(Decided::Done(made)) => {
                tracing::info!(review_item_id = %id, decision_id = %made.id, "decision made");
                cmr_telemetry::up_down(
                    "cmr.review.backlog",
                    -1,
                    &[opentelemetry::KeyValue::new(
                        "county",
                        caller.county.name.clone(),
                    )],
                );
                if deadline.applied_at_ms > 0 {
                    self.send_ready(caller).await;
                }
                let item = self.item_in_county(&caller.county, id).await?;
                Ok((item, *made))
            }
            _ => Err(stale(id)),
        }
    }

    /// Applies one action to every item matching `filter`, if exactly `expected_count` match.
    pub async fn bulk(
        &self,
        caller: &Caller,
        mut filter: ItemFilter,
        act: Action,
        note: &str,
        expected_count: i64,
        dry_run: bool,
    ) -> Result<BulkOutcome, VerificationError> {
        self.allow(
            caller,
            Need::Decide,
            filter.agency_id.as_deref(),
            "review_item",
            &[],
        )
        .await?;
        if !caller.principal.county_wide() {
            filter.agency_id = Some(caller.principal.agency_id.clone());
        }
        let items = self.walk(caller, &filter).await?;
        let matched = i64::try_from(items.len()).unwrap_or(i64::MAX);
        if matched != expected_count {
            return Err(VerificationError::FailedPrecondition(format!(
                "COUNT_MISMATCH: the filter matches {matched} items, not {expected_count}"
            )));
        }
        let deadline = self.deadline_of(caller).await?;
        let bulk_action_id = if dry_run { String::new() } else { new_id() };
        let mut outcome = BulkOutcome {
            bulk_action_id: bulk_action_id.clone(),
            matched,
            ..BulkOutcome::default()
        };
        let mut decides = Vec::new();
        for item in &items {
            match decision::check(Self::state(item, &deadline), &act, note) {
                Err(Refusal::InvalidArgument(_) | Refusal::NoteRequired) => {
                    return Err(refused(
                        decision::check(Self::state(item, &deadline), &act, note)
                            .err()
                            .unwrap_or(Refusal::NoteRequired),
                    ));
                }
                Err(refusal) => outcome
                    .skipped
                    .push((item.id.clone(), refusal.code().to_owned())),
                Ok(()) => decides.push(Self::decide_of(
                    caller,
                    item,
                    &item.current_decision_id,
                    &act,
                    note,
                    &bulk_action_id,
                )),
            }
        }
        if dry_run {
            outcome.applied = i64::try_from(decides.len()).unwrap_or(i64::MAX);
            return Ok(outcome);
        }
        let mut summary = caller.event(
            action::BULK_ACTION,
            "bulk_action",
            vec![bulk_action_id.clone()],
            act.reason_code(),
            "OK",
        );
        summary.target_ids.push(format!("matched:{matched}"));
        for (made, id) in self
            .store
            .decide(decides)
            .await?
            .into_iter()
            .zip(items.iter().map(|i| i.id.clone()))
        {
            match made {
                Decided::Done(_) => outcome.applied += 1,
                Decided::Stale { .. } => outcome.skipped.push((id, "STALE_VERSION".to_owned())),
            }
        }
        self.store.append_audit(vec![summary]).await?;
        if deadline.applied_at_ms > 0 {
            self.send_ready(caller).await;
        }
        Ok(outcome)
    }

    /// Every item of the caller's county matching `filter`.
    async fn walk(
        &self,
        caller: &Caller,
        filter: &ItemFilter,
    ) -> Result<Vec<ReviewItem>, VerificationError> {
        let mut all = Vec::new();
        let mut after: Option<QueueCursor> = None;
        loop {
            let page = self
                .store
                .list_items(&caller.county, filter, after.as_ref(), WALK_PAGE)
                .await?;
            let done = (page.len() as u64) < WALK_PAGE;
            after = page.last().map(|i| QueueCursor {
                conviction_date: i.conviction_date,
                id: i.id.clone(),
            });
            all.extend(page);
            if done {
                return Ok(all);
            }
        }
    }

    /// Adds a comment (not a decision).
    pub async fn comment(
        &self,
        caller: &Caller,
        id: &str,
        text: &str,
    ) -> Result<Comment, VerificationError> {
        if text.trim().is_empty() || text.chars().count() > 4000 {
            return Err(VerificationError::InvalidArgument {
                field: "text",
                description: "required, at most 4000 characters".to_owned(),
            });
        }
        self.item_for(caller, Need::Decide, id).await?;
        let comment = Comment {
            id: new_id(),
            review_item_id: id.to_owned(),
            text: text.to_owned(),
            actor: caller.actor(),
            created_at_ms: now_ms(),
        };
        let event = caller.event(
            action::COMMENTED,
            "review_item",
            vec![id.to_owned(), comment.id.clone()],
            "",
            "OK",
        );
        self.store.comment(comment.clone(), event).await?;
        Ok(comment)
    }

    /// Moves an item to another agency and/or reviewer. Supervisor only; reason required.
    pub async fn reassign(
        &self,
        caller: &Caller,
        id: &str,
        to_agency: &str,
        to_reviewer: &str,
        reason: &str,
    ) -> Result<ReviewItem, VerificationError> {
        self.allow(
            caller,
            Need::Administer,
            None,
            "review_item",
            &[id.to_owned()],
        )
        .await?;
        if reason.trim().is_empty() {
            return Err(VerificationError::InvalidArgument {
                field: "reason",
                description: "NOTE_REQUIRED: a reason is required".to_owned(),
            });
        }
        let item = self.item_in_county(&caller.county, id).await?;
        let agency_id = if to_agency.is_empty() {
            item.agency_id.clone()
        } else {
            match self.store.agency(to_agency).await? {
                Some(agency) if agency.reviews() && agency.county_code == caller.county.code => {
                    agency.agency_id
                }
                _ => {
                    return Err(VerificationError::NotFound {
                        what: "agency",
                        id: to_agency.to_owned(),
                    });
                }
            }
        };
        let assignment = Assignment {
            id: new_id(),
            review_item_id: id.to_owned(),
            agency_id: agency_id.clone(),
            reviewer_id: to_reviewer.to_owned(),
            routing_rule_id: String::new(),
            reason: reason.to_owned(),
            actor: caller.actor(),
            assigned_at_ms: now_ms(),
        };
        let event = caller.event(
            action::REASSIGNED,
            "review_item",
            vec![id.to_owned(), agency_id],
            "MANUAL",
            "OK",
        );
        self.store.assign(vec![assignment], vec![event]).await?;
        self.item_in_county(&caller.county, id).await
    }

    /// Sets the county's deadline. Supervisor only; reason required.
    pub async fn set_deadline(
        &self,
        caller: &Caller,
        date: i32,
        reason: &str,
    ) -> Result<Deadline, VerificationError> {
        self.allow(caller, Need::Administer, None, "deadline", &[])
            .await?;
        if !deadline::valid_date(date) {
            return Err(VerificationError::InvalidArgument {
                field: "challenge_deadline",
                description: "a real date is required".to_owned(),
            });
        }
        if reason.trim().is_empty() {
            return Err(VerificationError::InvalidArgument {
                field: "reason",
                description: "NOTE_REQUIRED: a reason is required".to_owned(),
            });
        }
        let mut value = self.deadline_of(caller).await?;
        if value.applied_at_ms > 0 {
            return Err(VerificationError::FailedPrecondition(
                "DEADLINE_PASSED: the deadline was already applied".to_owned(),
            ));
        }
        value.challenge_deadline = date;
        value.is_default = false;
        value.updated_by = caller.actor();
        value.updated_at_ms = now_ms();
        let event = caller.event(
            action::DEADLINE_SET,
            "deadline",
            vec![date.to_string()],
            "",
            "OK",
        );
        self.store.put_deadline(value.clone(), vec![event]).await?;
        Ok(value)
    }

    /// After the deadline: every pending item that needs no person's resolution becomes
    /// DEEMED_CONCURRED, decided by the system principal; ready relief goes to filing.
    /// Idempotent. `today` is the date considered current (`yyyymmdd`).
    #[tracing::instrument(name = "verification.apply_deadline", skip_all, fields(county = %caller.county.name))]
    pub async fn apply_deadline(
        &self,
        caller: &Caller,
        today: i32,
        dry_run: bool,
    ) -> Result<Applied, VerificationError> {
        self.allow(caller, Need::Administer, None, "deadline", &[])
            .await?;
        let mut value = self.deadline_of(caller).await?;
        if !deadline::has_passed(value.challenge_deadline, today) {
            return Err(VerificationError::FailedPrecondition(
                "INVALID_STATE: the challenge deadline has not passed".to_owned(),
            ));
        }
        let resolvable = [
            decision::OUTCOME_HAND_REVIEW,
            decision::OUTCOME_REFER_TO_CITY_PROSECUTOR,
        ];
        let hand_review_pending = i64::try_from(
            self.store
                .count_items(&caller.county, ReviewStatus::Pending, &resolvable, true)
                .await?,
        )
        .unwrap_or(i64::MAX);
        let ids = self
            .store
            .item_ids(&caller.county, ReviewStatus::Pending, &resolvable)
            .await?;
        let mut deemed = 0i64;
        if dry_run {
            deemed = i64::try_from(ids.len()).unwrap_or(i64::MAX);
        } else {
            let system = Caller {
                principal: crate::domain::access::Principal {
                    principal_id: SYSTEM_PRINCIPAL.to_owned(),
                    agency_id: String::new(),
                    role: crate::domain::access::Role::Service,
                    ..caller.principal.clone()
                },
                ..caller.clone()
            };
            for part in ids.chunks(WALK_PAGE as usize) {
                let mut decides = Vec::new();
                for id in part {
                    let Some(item) = self.store.get_item(id).await? else {
                        continue;
                    };
                    let relief = decision::effective_relief(
                        item.outcome,
                        item.track,
                        0,
                        ReviewStatus::DeemedConcurred,
                        0,
                        0,
                    );
                    let decision = Decision {
                        id: new_id(),
                        review_item_id: item.id.clone(),
                        county: item.county.clone(),
                        kind: DecisionKind::DeemedConcur as i16,
                        ground: 0,
                        resolution: 0,
                        reduce_to: 0,
                        note: String::new(),
                        supersedes_decision_id: String::new(),
                        superseded_by: String::new(),
                        bulk_action_id: String::new(),
                        actor: system.actor(),
                        idempotency_key: caller.idempotency_key.clone(),
                        decided_at_ms: now_ms(),
                    };
                    let event = system.event(
                        action::DEEMED_CONCURRED,
                        "review_item",
                        vec![item.id.clone(), decision.id.clone()],
                        "NO_CHALLENGE_BY_DEADLINE",
                        "OK",
                    );
                    decides.push(Decide {
                        expected_current: item.current_decision_id.clone(),
                        decision,
                        status: ReviewStatus::DeemedConcurred,
                        relief: i16::from(relief.relief),
                        audit: event,
                    });
                }
                for made in self.store.decide(decides).await? {
                    if matches!(made, Decided::Done(_)) {
                        deemed += 1;
                    }
                }
            }
            let now = now_ms();
            if value.applied_at_ms == 0 {
                value.applied_at_ms = now;
            }
            value.updated_at_ms = now;
            let event = caller.event(
                action::DEADLINE_APPLIED,
                "deadline",
                vec![
                    value.challenge_deadline.to_string(),
                    format!("deemed:{deemed}"),
                ],
                "",
                "OK",
            );
            self.store.put_deadline(value.clone(), vec![event]).await?;
            tracing::info!(deemed_concurred = deemed, "challenge deadline applied");
            let county = [opentelemetry::KeyValue::new(
                "county",
                caller.county.name.clone(),
            )];
            cmr_telemetry::counter(
                "cmr.review.deemed_concurred",
                u64::try_from(deemed).unwrap_or(0),
                &county,
            );
            cmr_telemetry::up_down("cmr.review.backlog", -deemed, &county);
            self.send_ready(caller).await;
        }
        Ok(Applied {
            deemed_concurred: deemed,
            hand_review_pending,
            deadline: value,
        })
    }

    /// One page of a notice list: items of the caller's county (reviewers: their agency)
    /// matching `filter` after `after`, at most `limit`, with their current decisions, and
    /// whether more follow; audited as NOTICE_EXPORTED when it returns items.
    pub async fn notice(
        &self,
        caller: &Caller,
        mut filter: ItemFilter,
        after: Option<&QueueCursor>,
        limit: u64,
    ) -> Result<(Vec<(ReviewItem, Option<Decision>)>, bool), VerificationError> {
        let requested_agency = filter.agency_id.clone();
        self.allow(
            caller,
            Need::Read,
            requested_agency.as_deref(),
            "notice",
            &[],
        )
        .await?;
        if !caller.principal.county_wide() {
            filter.agency_id = Some(caller.principal.agency_id.clone());
        }
        let (items, more) = self.page(caller, &filter, after, limit).await?;
        let decisions = self
            .store
            .decisions(
                items
                    .iter()
                    .map(|i| i.current_decision_id.clone())
                    .collect(),
            )
            .await?;
        if !items.is_empty() {
            let ids = items.iter().map(|i| i.id.clone()).collect();
            let event = caller.event(action::NOTICE_EXPORTED, "review_item", ids, "", "OK");
            self.store.append_audit(vec![event]).await?;
        }
        let entries = items
            .into_iter()
            .map(|item| {
                let current = decisions
                    .iter()
                    .find(|d| d.id == item.current_decision_id)
                    .cloned();
                (item, current)
            })
            .collect();
        Ok((entries, more))
    }
}

fn stale(id: &str) -> VerificationError {
    VerificationError::Aborted(format!(
        "STALE_VERSION: the current decision of review item {id} is not the expected one"
    ))
}
