//! Agencies, routing rules (with re-routing of pending items) and the audit trail's list and
//! verification.

use crate::domain::access::Need;
use crate::domain::audit_chain::{AuditRecord, Broken, ChainCheck, GENESIS};
use crate::domain::ids::{new_id, now_ms};
use crate::domain::model::{Assignment, ItemFilter, ReviewStatus};
use crate::domain::routing::{self, Agency, RouteFacts, RoutingRule};
use crate::error::VerificationError;
use crate::service::{Caller, Verification, action};
use crate::store::AuditQuery;

/// Events read per step of a verification.
const VERIFY_PAGE: u64 = 1000;

/// What VerifyAuditChain found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainReport {
    pub checked: u64,
    pub first_broken: Option<Broken>,
    pub head_hash: String,
    pub head_sequence: i64,
}

impl Verification {
    /// Creates or replaces an agency of the caller's county. Supervisor only.
    pub async fn put_agency(
        &self,
        caller: &Caller,
        mut agency: Agency,
    ) -> Result<Agency, VerificationError> {
        self.allow(
            caller,
            Need::Administer,
            None,
            "agency",
            &[agency.agency_id.clone()],
        )
        .await?;
        if agency.agency_id.is_empty() || agency.agency_id.len() > 128 {
            return Err(VerificationError::InvalidArgument {
                field: "agency.agency_id",
                description: "required, at most 128 characters".to_owned(),
            });
        }
        if let Some(existing) = self.store.agency(&agency.agency_id).await?
            && existing.county_code != caller.county.code
        {
            return Err(VerificationError::AlreadyExists(
                "the agency id belongs to another county".to_owned(),
            ));
        }
        agency.county_code = caller.principal.county.code.clone();
        agency.county_name = caller.principal.county.name.clone();
        if caller.principal.open {
            agency.county_code = caller.county.code.clone();
            agency.county_name = caller.county.name.clone();
        }
        agency.updated_at_ms = now_ms();
        let event = caller.event(
            action::AGENCY_PUT,
            "agency",
            vec![agency.agency_id.clone()],
            "",
            "OK",
        );
        self.store.put_agency(agency.clone(), event).await?;
        Ok(agency)
    }

    /// Agencies of the caller's county.
    pub async fn agencies(&self, caller: &Caller) -> Result<Vec<Agency>, VerificationError> {
        self.allow(caller, Need::Read, None, "agency", &[]).await?;
        Ok(self.store.agencies(&caller.county).await?)
    }

    /// Routing rules of the caller's county, in evaluation order.
    pub async fn rules(&self, caller: &Caller) -> Result<Vec<RoutingRule>, VerificationError> {
        self.allow(caller, Need::Read, None, "routing_rule", &[])
            .await?;
        Ok(self.store.rules(&caller.county.key()).await?)
    }

    /// Creates or replaces a routing rule; with `reroute_pending`, undecided items whose route
    /// changes are re-routed (each audited). Returns the number re-routed.
    pub async fn put_rule(
        &self,
        caller: &Caller,
        mut rule: RoutingRule,
        reroute_pending: bool,
    ) -> Result<(RoutingRule, i64), VerificationError> {
        self.allow(
            caller,
            Need::Administer,
            None,
            "routing_rule",
            &[rule.rule_id.clone()],
        )
        .await?;
        if !routing::valid_rule_id(&rule.rule_id) {
            return Err(VerificationError::InvalidArgument {
                field: "rule.rule_id",
                description: "rule_id must be [a-z0-9_-]{1,64}".to_owned(),
            });
        }
        match self.store.agency(&rule.agency_id).await? {
            Some(agency) if agency.reviews() && agency.county_code == caller.county.code => {}
            _ => {
                return Err(VerificationError::InvalidArgument {
                    field: "rule.agency_id",
                    description: "must be an active DA or city prosecutor of the county".to_owned(),
                });
            }
        }
        rule.county_code = caller.county.code.clone();
        rule.county_name = caller.county.name.clone();
        rule.updated_at_ms = now_ms();
        let event = caller.event(
            action::ROUTING_RULE_PUT,
            "routing_rule",
            vec![rule.rule_id.clone()],
            "",
            "OK",
        );
        self.store
            .put_rule(&caller.county.key(), rule.clone(), event)
            .await?;
        let mut rerouted = 0;
        if reroute_pending {
            rerouted = self.reroute(caller).await?;
        }
        Ok((rule, rerouted))
    }

    /// Re-routes every pending, undecided item of the county whose route changed.
    async fn reroute(&self, caller: &Caller) -> Result<i64, VerificationError> {
        let agencies = self.store.agencies(&caller.county).await?;
        let rules = self.store.rules(&caller.county.key()).await?;
        let implicit = caller.county.district_attorney();
        let filter = ItemFilter {
            statuses: vec![ReviewStatus::Pending as i16],
            ..ItemFilter::default()
        };
        let items = self
            .store
            .list_items(&caller.county, &filter, None, u64::MAX >> 1)
            .await?;
        let now = now_ms();
        let mut assignments = Vec::new();
        let mut events = Vec::new();
        for item in items {
            let facts = RouteFacts {
                severity: item.severity,
                arrest_ori_code: item.arrest_ori_code.clone(),
                court_ori_code: item.court_ori_code.clone(),
                prop64_section: item.prop64_section.clone(),
                outcome: item.outcome,
            };
            let route = routing::route(&agencies, &rules, &facts, &implicit);
            if route.agency_id() == item.agency_id || route.agency_id().is_empty() {
                continue;
            }
            events.push(caller.event(
                action::ITEM_ROUTED,
                "review_item",
                vec![item.id.clone(), route.agency_id().to_owned()],
                route.rule_id(),
                "OK",
            ));
            assignments.push(Assignment {
                id: new_id(),
                review_item_id: item.id,
                agency_id: route.agency_id().to_owned(),
                reviewer_id: String::new(),
                routing_rule_id: route.rule_id().to_owned(),
                reason: String::new(),
                actor: caller.actor(),
                assigned_at_ms: now,
            });
        }
        let count = i64::try_from(assignments.len()).unwrap_or(i64::MAX);
        self.store.assign(assignments, events).await?;
        Ok(count)
    }

    /// At most `limit` audit events of the caller's county and whether more follow. A read
    /// that returns events is itself audited (LIST_VIEWED of target type `audit_event`,
    /// naming the event ids returned).
    pub async fn audit_events(
        &self,
        caller: &Caller,
        mut query: AuditQuery,
        limit: u64,
    ) -> Result<(Vec<AuditRecord>, bool), VerificationError> {
        self.allow(caller, Need::Audit, None, "audit", &[]).await?;
        query.county_key = caller.county.key();
        let mut events = self
            .store
            .list_audit(&query, limit.saturating_add(1))
            .await?;
        let more = events.len() as u64 > limit;
        events.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        if !events.is_empty() {
            let ids = events.iter().map(|e| e.event_id.clone()).collect();
            let read = caller.event(action::LIST_VIEWED, "audit_event", ids, "", "OK");
            self.store.append_audit(vec![read]).await?;
        }
        Ok((events, more))
    }

    /// Recomputes the county's chain over `from..=to` (0 = first / last).
    pub async fn verify_chain(
        &self,
        caller: &Caller,
        from: i64,
        to: i64,
    ) -> Result<ChainReport, VerificationError> {
        self.allow(caller, Need::Audit, None, "audit", &[]).await?;
        let key = caller.county.key();
        let from = from.max(1);
        let to = if to <= 0 { i64::MAX } else { to };
        let prev = if from > 1 {
            self.store
                .audit_range(&key, from - 1, from - 1, 1)
                .await?
                .pop()
                .map_or_else(String::new, |e| e.hash)
        } else {
            GENESIS.to_owned()
        };
        let mut check = ChainCheck::new(from, &prev);
        let mut report = ChainReport {
            checked: 0,
            first_broken: None,
            head_hash: String::new(),
            head_sequence: 0,
        };
        let mut next = from;
        loop {
            let page = self.store.audit_range(&key, next, to, VERIFY_PAGE).await?;
            let Some(last) = page.last() else { break };
            next = last.sequence + 1;
            for event in &page {
                if let Err(broken) = check.next(event) {
                    report.first_broken = Some(broken);
                    report.checked = check.checked;
                    return Ok(report);
                }
                report.head_hash.clone_from(&event.hash);
                report.head_sequence = event.sequence;
            }
            if (page.len() as u64) < VERIFY_PAGE {
                break;
            }
        }
        report.checked = check.checked;
        Ok(report)
    }
}
