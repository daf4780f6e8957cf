//! The verification use cases: take determinations into the review queue and read it back.
//! Knows the store and the domain, not tonic.

use std::collections::HashSet;

use crate::domain::ids::{new_id, now_ms};
use crate::domain::model::{
    County, OUTCOME_NO_RELIEF, ReviewItem, ReviewStatus, Submission, SubmissionOutcome,
};
use crate::error::VerificationError;
use crate::store::{Store, Submitted};

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
}

impl Verification {
    #[must_use]
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Queues every determination that needs a prosecutor's decision, once: a replayed key
    /// returns what the first call did, and a (run, determination id) already queued is a
    /// duplicate, not a second item. NO_RELIEF determinations are counted, not queued.
    pub async fn submit(&self, request: Submit) -> Result<SubmissionOutcome, VerificationError> {
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
        let now = now_ms();
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
            items.push(ReviewItem {
                id: new_id(),
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
                agency_id: agency_id.clone(),
                status: ReviewStatus::Pending,
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
            },
            created_at_ms: now,
        };
        match self.store.submit(items, record).await? {
            Submitted::Stored(outcome) => {
                tracing::info!(
                    accepted = outcome.accepted,
                    duplicates = outcome.duplicates,
                    agency_id = %outcome.agency_id,
                    "determinations queued"
                );
                Ok(outcome)
            }
            Submitted::KeyTaken(existing) => replay(existing, &request.request_sha256),
        }
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
