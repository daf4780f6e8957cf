//! The tonic trait impl: converts proto to domain, calls [`Verification`], converts back.

use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as eligibility;
use cmr_proto::verification::v1 as pb;
use cmr_proto::verification::v1::verification_service_server::VerificationService;
use prost::Message;
use sha2::{Digest, Sha256};
use tonic::{Request, Response, Status};

use crate::domain::model::{County, ItemFilter, QueueCursor, ReviewItem};
use crate::domain::validate;
use crate::error::VerificationError;
use crate::service::{IncomingDetermination, Submit, Verification};

const DEFAULT_PAGE: u64 = 100;
const MAX_PAGE: u64 = 1000;
/// The issue that brings the rest of the review workflow.
const WORKFLOW_ISSUE: &str = "5";

/// The gRPC face of the verification service.
#[derive(Clone, Debug)]
pub struct VerificationGrpc {
    verification: Verification,
}

impl VerificationGrpc {
    #[must_use]
    pub fn new(verification: Verification) -> Self {
        Self { verification }
    }
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

fn unimplemented(rpc: &'static str) -> Status {
    VerificationError::Unimplemented {
        rpc,
        issue: WORKFLOW_ISSUE,
    }
    .into()
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
        conviction_date: date_number(conviction.and_then(|c| c.conviction_date.as_ref())),
        reason_code: reason.map(|r| r.code.clone()).unwrap_or_default(),
        rule_id: reason.map(|r| r.rule_id.clone()).unwrap_or_default(),
        snapshot: determination.encode_to_vec(),
    }
}

fn assignment(item: &ReviewItem) -> pb::Assignment {
    pb::Assignment {
        agency_id: item.agency_id.clone(),
        reviewer_id: String::new(),
        routing_rule_id: String::new(),
        reason: String::new(),
        actor: None,
        assigned_at: Some(timestamp(item.created_at_ms)),
    }
}

/// The proto item; `history` adds the assignment history (GetReviewItem).
fn to_pb_item(item: &ReviewItem, history: bool) -> Result<pb::ReviewItem, VerificationError> {
    let determination = eligibility::Determination::decode(item.determination.as_slice())
        .map_err(|_| VerificationError::Internal(format!("review item {} is corrupt", item.id)))?;
    let current = assignment(item);
    Ok(pb::ReviewItem {
        review_item_id: item.id.clone(),
        scope: Some(common::Scope {
            county_code: item.county.code.clone(),
            county_name: item.county.name.clone(),
            agency_id: String::new(),
        }),
        determination: Some(determination),
        status: item.status as i32,
        assignment_history: if history {
            vec![current.clone()]
        } else {
            Vec::new()
        },
        assignment: Some(current),
        current_decision: None,
        decisions: Vec::new(),
        comments: Vec::new(),
        effective_relief: None,
        challenge_deadline: None,
        created_at: Some(timestamp(item.created_at_ms)),
        updated_at: Some(timestamp(item.updated_at_ms)),
    })
}

fn item_filter(filter: Option<&pb::ReviewFilter>) -> Result<ItemFilter, Status> {
    let Some(filter) = filter else {
        return Ok(ItemFilter::default());
    };
    if !filter.reviewer_id.is_empty() {
        return Err(unimplemented("ListReviewItems filter reviewer_id"));
    }
    if filter.ground != 0 {
        return Err(unimplemented("ListReviewItems filter ground"));
    }
    if filter.conviction_date.is_some() {
        return Err(unimplemented("ListReviewItems filter conviction_date"));
    }
    Ok(ItemFilter {
        statuses: filter.statuses.iter().copied().map(small).collect(),
        outcomes: filter.outcomes.iter().copied().map(small).collect(),
        agency_id: non_empty(&filter.agency_id),
        run_id: non_empty(&filter.run_id),
        batch_id: non_empty(&filter.batch_id),
        subject_id: non_empty(&filter.subject_id),
        prop64_section: non_empty(&filter.section),
        court_ori_code: non_empty(&filter.court_ori_code),
        track: (filter.track != 0).then(|| small(filter.track)),
    })
}

#[tonic::async_trait]
impl VerificationService for VerificationGrpc {
    async fn submit_determinations(
        &self,
        request: Request<pb::SubmitDeterminationsRequest>,
    ) -> Result<Response<pb::SubmitDeterminationsResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let key = validate::idempotency_key(
            request
                .idempotency_key
                .as_ref()
                .map_or("", |k| k.key.as_str()),
        )
        .map_err(VerificationError::from)?;
        let request_sha256 = hex(&Sha256::digest(request.encode_to_vec()));
        let outcome = self
            .verification
            .submit(Submit {
                county,
                idempotency_key: key,
                request_sha256,
                determinations: request.determinations.iter().map(incoming).collect(),
            })
            .await?;
        Ok(Response::new(pb::SubmitDeterminationsResponse {
            accepted: outcome.accepted,
            duplicates: outcome.duplicates,
            not_queued: outcome.not_queued,
            routed: if outcome.accepted > 0 {
                vec![pb::RoutedCount {
                    agency_id: outcome.agency_id,
                    count: outcome.accepted,
                }]
            } else {
                Vec::new()
            },
            unroutable_determination_ids: Vec::new(),
        }))
    }

    async fn list_review_items(
        &self,
        request: Request<pb::ListReviewItemsRequest>,
    ) -> Result<Response<pb::ListReviewItemsResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let filter = item_filter(request.filter.as_ref())?;
        let token = page_token(request.page.as_ref());
        let after = if token.is_empty() {
            None
        } else {
            let (date, id) = token.split_once('.').ok_or_else(bad_token)?;
            Some(QueueCursor {
                conviction_date: date.parse::<i32>().map_err(|_| bad_token())?,
                id: id.to_owned(),
            })
        };
        let limit = page_size(request.page.as_ref());
        let mut items = self
            .verification
            .store
            .list_items(&county, &filter, after.as_ref(), limit + 1)
            .await
            .map_err(VerificationError::from)?;
        let next = if items.len() as u64 > limit {
            items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            items
                .last()
                .map(|i| format!("{}.{}", i.conviction_date, i.id))
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListReviewItemsResponse {
            items: items
                .iter()
                .map(|i| to_pb_item(i, false))
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
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let item = self
            .verification
            .item_in_county(&county, &request.review_item_id)
            .await?;
        Ok(Response::new(pb::GetReviewItemResponse {
            item: Some(to_pb_item(&item, true)?),
        }))
    }

    async fn concur(
        &self,
        _request: Request<pb::ConcurRequest>,
    ) -> Result<Response<pb::ConcurResponse>, Status> {
        Err(unimplemented("Concur"))
    }

    async fn challenge(
        &self,
        _request: Request<pb::ChallengeRequest>,
    ) -> Result<Response<pb::ChallengeResponse>, Status> {
        Err(unimplemented("Challenge"))
    }

    async fn resolve(
        &self,
        _request: Request<pb::ResolveRequest>,
    ) -> Result<Response<pb::ResolveResponse>, Status> {
        Err(unimplemented("Resolve"))
    }

    async fn bulk_act(
        &self,
        _request: Request<pb::BulkActRequest>,
    ) -> Result<Response<pb::BulkActResponse>, Status> {
        Err(unimplemented("BulkAct"))
    }

    async fn comment(
        &self,
        _request: Request<pb::CommentRequest>,
    ) -> Result<Response<pb::CommentResponse>, Status> {
        Err(unimplemented("Comment"))
    }

    async fn reassign(
        &self,
        _request: Request<pb::ReassignRequest>,
    ) -> Result<Response<pb::ReassignResponse>, Status> {
        Err(unimplemented("Reassign"))
    }

    async fn set_deadline(
        &self,
        _request: Request<pb::SetDeadlineRequest>,
    ) -> Result<Response<pb::SetDeadlineResponse>, Status> {
        Err(unimplemented("SetDeadline"))
    }

    async fn get_deadline(
        &self,
        _request: Request<pb::GetDeadlineRequest>,
    ) -> Result<Response<pb::GetDeadlineResponse>, Status> {
        Err(unimplemented("GetDeadline"))
    }

    async fn apply_deadline(
        &self,
        _request: Request<pb::ApplyDeadlineRequest>,
    ) -> Result<Response<pb::ApplyDeadlineResponse>, Status> {
        Err(unimplemented("ApplyDeadline"))
    }

    async fn list_challenged_for_defender(
        &self,
        _request: Request<pb::ListChallengedForDefenderRequest>,
    ) -> Result<Response<pb::ListChallengedForDefenderResponse>, Status> {
        Err(unimplemented("ListChallengedForDefender"))
    }

    async fn list_unchallenged_for_court(
        &self,
        _request: Request<pb::ListUnchallengedForCourtRequest>,
    ) -> Result<Response<pb::ListUnchallengedForCourtResponse>, Status> {
        Err(unimplemented("ListUnchallengedForCourt"))
    }

    async fn list_audit_events(
        &self,
        _request: Request<pb::ListAuditEventsRequest>,
    ) -> Result<Response<pb::ListAuditEventsResponse>, Status> {
        Err(unimplemented("ListAuditEvents"))
    }

    async fn verify_audit_chain(
        &self,
        _request: Request<pb::VerifyAuditChainRequest>,
    ) -> Result<Response<pb::VerifyAuditChainResponse>, Status> {
        Err(unimplemented("VerifyAuditChain"))
    }

    async fn put_agency(
        &self,
        _request: Request<pb::PutAgencyRequest>,
    ) -> Result<Response<pb::PutAgencyResponse>, Status> {
        Err(unimplemented("PutAgency"))
    }

    async fn list_agencies(
        &self,
        _request: Request<pb::ListAgenciesRequest>,
    ) -> Result<Response<pb::ListAgenciesResponse>, Status> {
        Err(unimplemented("ListAgencies"))
    }

    async fn put_routing_rule(
        &self,
        _request: Request<pb::PutRoutingRuleRequest>,
    ) -> Result<Response<pb::PutRoutingRuleResponse>, Status> {
        Err(unimplemented("PutRoutingRule"))
    }

    async fn list_routing_rules(
        &self,
        _request: Request<pb::ListRoutingRulesRequest>,
    ) -> Result<Response<pb::ListRoutingRulesResponse>, Status> {
        Err(unimplemented("ListRoutingRules"))
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
