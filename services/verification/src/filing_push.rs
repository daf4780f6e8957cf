//! Hands verified relief to the filing service (`SubmitVerifiedRelief`) once the county's
//! deadline has been applied: concurred, deemed-concurred and resolved-to-relief items, never
//! challenged ones. Idempotent: filing ignores a (review item, decision) it has, and an item
//! is marked sent only after filing accepted it; a failure is logged and retried on the
//! next ApplyDeadline or decision.
//!
//! Then the final challenged items (challenged, not hand-review or referral) go to
//! `SubmitChallengedItems` for the public defender's notice. They are not marked sent (a
//! challenged item stays as it is for the review record); each push is idempotent instead:
//! its key is derived from the (review item, decision) pairs, so a repeat is answered from
//! filing's idempotency record, and filing ignores pairs it already has.

use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as eligibility;
use cmr_proto::filing::v1 as filing;
use cmr_proto::filing::v1::filing_service_client::FilingServiceClient;
use prost::Message;

use crate::domain::decision::{self, DecisionKind};
use crate::domain::ids::now_ms;
use crate::domain::model::ReviewStatus;
use crate::service::{Caller, Verification};
use crate::store::SendableItem;

/// Items per SubmitVerifiedRelief call (filing's limit).
const PUSH_BATCH: u64 = 1000;

impl Verification {
    /// Sends every ready item of the caller's county to filing, when a filing endpoint is
    /// configured. Never fails the caller's request.
    pub async fn send_ready(&self, caller: &Caller) {
        let Some(endpoint) = self.filing_endpoint.clone() else {
            return;
        };
        if let Err(problem) = self.push(caller, &endpoint).await {
            tracing::warn!(error = %problem, "sending ready relief to filing failed; will retry");
        }
    }

    async fn push(&self, caller: &Caller, endpoint: &str) -> Result<(), String> {
        let channel = tonic::transport::Endpoint::from_shared(endpoint.to_owned())
            .map_err(|e| format!("filing endpoint: {e}"))?
            .connect()
            .await
            .map_err(|e| format!("cannot connect to filing: {e}"))?;
        // The push happens inside the caller's RPC: filing's spans join its trace.
        let mut client = FilingServiceClient::new(cmr_telemetry::traced(channel));
        loop {
            let ready = self
                .store
                .sendable(&caller.county, PUSH_BATCH)
                .await
                .map_err(|e| e.to_string())?;
            if ready.is_empty() {
                break;
            }
            let ids: Vec<String> = ready.iter().map(|r| r.item.id.clone()).collect();
            let items: Vec<filing::VerifiedRelief> = ready.iter().filter_map(relief).collect();
            let request = timed(filing::SubmitVerifiedReliefRequest {
                scope: Some(scope_of(caller)),
                idempotency_key: Some(content_key("verification", &ids)),
                items,
            });
            let response = client
                .submit_verified_relief(request)
                .await
                .map_err(|s| format!("filing answered {:?}", s.code()))?
                .into_inner();
            tracing::info!(
                sent = ids.len(),
                accepted = response.accepted,
                duplicates = response.duplicates,
                "ready relief sent to filing"
            );
            self.store
                .mark_sent(ids, now_ms())
                .await
                .map_err(|e| e.to_string())?;
        }
        self.push_challenged(caller, &mut client).await
    }

    async fn push_challenged(
        &self,
        caller: &Caller,
        client: &mut FilingServiceClient<cmr_telemetry::TracedChannel>,
    ) -> Result<(), String> {
        let mut after: Option<String> = None;
        loop {
            let page = self
                .store
                .final_challenged(&caller.county, after.as_deref(), PUSH_BATCH)
                .await
                .map_err(|e| e.to_string())?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = Some(last.item.id.clone());
            let items: Vec<filing::ChallengedItem> = page.iter().filter_map(challenged).collect();
            if items.is_empty() {
                continue;
            }
            let pairs: Vec<String> = items
                .iter()
                .map(|i| format!("{}/{}", i.review_item_id, i.decision_id))
                .collect();
            let request = timed(filing::SubmitChallengedItemsRequest {
                scope: Some(scope_of(caller)),
                idempotency_key: Some(content_key("verification-challenged", &pairs)),
                items,
            });
            let response = client
                .submit_challenged_items(request)
                .await
                .map_err(|s| format!("filing answered {:?}", s.code()))?
                .into_inner();
            tracing::info!(
                sent = pairs.len(),
                accepted = response.accepted,
                duplicates = response.duplicates,
                "challenged items sent to filing"
            );
        }
    }
}

/// A key derived from what is sent, so a retry of the same items replays the first call
/// (and other items never collide with it).
fn content_key(prefix: &str, parts: &[String]) -> common::IdempotencyKey {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(parts.join(","));
    common::IdempotencyKey {
        key: format!("{prefix}-{}", &crate::domain::hex(&digest)[..32]),
    }
}

/// The county of the caller, as filing scopes it.
fn scope_of(caller: &Caller) -> common::Scope {
    common::Scope {
        county_code: caller.county.code.clone(),
        county_name: caller.county.name.clone(),
        agency_id: String::new(),
    }
}

/// A request that gives up after 30 s: a push must not hold the caller's RPC for long.
fn timed<T>(message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.set_timeout(std::time::Duration::from_secs(30));
    request
}

/// The hand-off message of one finally challenged item; `None` when its snapshot or
/// decision cannot be read. The reviewer's note is never handed over.
fn challenged(entry: &SendableItem) -> Option<filing::ChallengedItem> {
    let item = &entry.item;
    let determination = eligibility::Determination::decode(item.determination.as_slice()).ok()?;
    let current = entry.decision.as_ref()?;
    let ground = match current.ground {
        crate::domain::decision::GROUND_NOT_ELIGIBLE => "CHALLENGE_GROUND_NOT_ELIGIBLE",
        crate::domain::decision::GROUND_PUBLIC_SAFETY_RISK => "CHALLENGE_GROUND_PUBLIC_SAFETY_RISK",
        _ => "CHALLENGE_GROUND_UNSPECIFIED",
    };
    let conviction = determination.conviction.clone().unwrap_or_default();
    Some(filing::ChallengedItem {
        review_item_id: item.id.clone(),
        decision_id: current.id.clone(),
        determination_id: item.determination_id.clone(),
        run_id: item.run_id.clone(),
        subject_id: item.subject_id.clone(),
        agency_id: item.agency_id.clone(),
        person: determination.person.clone(),
        case_number: conviction.case_number.clone(),
        court_ori_code: conviction.court_ori_code.clone(),
        code_section: conviction.code_section.clone(),
        conviction_date: conviction.conviction_date,
        ground: ground.to_owned(),
        decided_at: Some(prost_types::Timestamp {
            seconds: current.decided_at_ms.div_euclid(1000),
            nanos: 0,
        }),
    })
}

/// The hand-off message of one ready item; `None` when its snapshot cannot be read.
fn relief(ready: &SendableItem) -> Option<filing::VerifiedRelief> {
    let item = &ready.item;
    let determination = eligibility::Determination::decode(item.determination.as_slice()).ok()?;
    let current = ready.decision.as_ref()?;
    let resolution = current.resolution;
    let effective = decision::effective_relief(
        item.outcome,
        item.track,
        i16::try_from(determination.reduce_to).unwrap_or(0),
        item.status,
        resolution,
        current.reduce_to,
    );
    if !effective.relief {
        return None;
    }
    let basis = match (item.status, DecisionKind::from_i16(current.kind)) {
        (ReviewStatus::DeemedConcurred, _) => filing::ReliefBasis::DeemedConcurred,
        (ReviewStatus::Resolved, _) => filing::ReliefBasis::Resolved,
        _ => filing::ReliefBasis::Concurred,
    };
    let conviction = determination.conviction.clone().unwrap_or_default();
    let mut reason_codes = vec![item.reason_code.clone()];
    if !current.note.is_empty() || current.kind != 0 {
        reason_codes.push(format!("DECISION_KIND_{}", current.kind));
    }
    Some(filing::VerifiedRelief {
        review_item_id: item.id.clone(),
        decision_id: current.id.clone(),
        determination_id: item.determination_id.clone(),
        run_id: item.run_id.clone(),
        subject_id: item.subject_id.clone(),
        count_id: conviction.count_id.clone(),
        cnt_order: conviction.cnt_order.clone(),
        agency_id: item.agency_id.clone(),
        person: determination.person.clone(),
        case_number: conviction.case_number.clone(),
        court_ori_code: conviction.court_ori_code.clone(),
        code_section: conviction.code_section.clone(),
        prop64_section: conviction.prop64_section.clone(),
        conviction_date: conviction.conviction_date,
        severity: conviction.severity,
        relief_type: i32::from(effective.relief_type),
        track: determination.track,
        reduce_to: i32::from(effective.reduce_to),
        basis: basis as i32,
        decided_at: Some(prost_types::Timestamp {
            seconds: current.decided_at_ms.div_euclid(1000),
            nanos: 0,
        }),
        reason_codes,
        race_code: determination.race_code.clone(),
        race_descr: determination.race_descr.clone(),
    })
}
