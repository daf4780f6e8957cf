//! The filing use cases: take verified relief in, kept per court, and read it back. Knows the
//! store and the domain, not tonic. The lifecycle (courts, batches, documents, outcomes, the
//! DOJ update and the impact report) is in [`crate::lifecycle`].

use std::collections::HashSet;
use std::sync::Arc;

use crate::documents::{BatchInput, DocumentError, DocumentKind, Rendered, Templates};
use crate::domain::ids::{new_id, now_ms};
use crate::domain::model::{
    County, Filing, FilingStatus, Submission, SubmissionOutcome, court_for_ori,
};
use crate::error::FilingError;
use crate::store::{Store, Submitted};

/// What renders a batch's documents: [`crate::documents::render_batch`] with the configured
/// templates in production; tests may put a fake in its place.
pub type Renderer = Arc<
    dyn Fn(&BatchInput<'_>, &[DocumentKind]) -> Result<Vec<Rendered>, DocumentError> + Send + Sync,
>;

/// The production renderer: `render_batch` with `templates`.
#[must_use]
pub fn typeset_with(templates: Templates) -> Renderer {
    Arc::new(move |input, kinds| crate::documents::render_batch(&templates, input, kinds))
}

/// Relief items accepted per call.
pub const MAX_ITEMS: usize = 1000;

/// One verified relief, as filing needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingRelief {
    pub review_item_id: String,
    pub decision_id: String,
    pub determination_id: String,
    pub run_id: String,
    pub subject_id: String,
    pub agency_id: String,
    pub court_ori_code: String,
    pub relief_type: i16,
    /// The encoded relief (kept whole).
    pub snapshot: Vec<u8>,
}

/// A validated `SubmitVerifiedRelief` request.
#[derive(Clone, Debug)]
pub struct Submit {
    pub county: County,
    pub idempotency_key: String,
    /// SHA-256 of the request, to tell a replay from a reused key.
    pub request_sha256: String,
    pub items: Vec<IncomingRelief>,
}

/// The filing service's state.
#[derive(Clone)]
pub struct Filings {
    pub store: Store,
    pub(crate) renderer: Renderer,
}

impl std::fmt::Debug for Filings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filings")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl Filings {
    /// The service with the built-in templates.
    #[must_use]
    pub fn new(store: Store) -> Self {
        Self::with_renderer(store, typeset_with(Templates::builtin()))
    }

    /// The service with another renderer (configured templates, or a test's fake).
    #[must_use]
    pub fn with_renderer(store: Store, renderer: Renderer) -> Self {
        Self { store, renderer }
    }

    /// Makes each relief a QUEUED filing of its court, once: a replayed key returns what the
    /// first call did, and a (review item, decision) already known is a duplicate.
    pub async fn submit(&self, request: Submit) -> Result<SubmissionOutcome, FilingError> {
        if let Some(existing) = self
            .store
            .find_submission(&request.county, &request.idempotency_key)
            .await?
        {
            return replay_outcome(existing, &request.request_sha256);
        }
        if request.items.len() > MAX_ITEMS {
            return Err(FilingError::InvalidArgument {
                field: "items",
                description: format!("TOO_LARGE: at most {MAX_ITEMS} per call"),
            });
        }
        for item in &request.items {
            check(item)?;
        }
        let now = now_ms();
        let courts = self.store.courts(&request.county).await?;
        let mut seen = HashSet::new();
        let mut duplicates = 0;
        let mut filings = Vec::new();
        for item in request.items {
            if !seen.insert((item.review_item_id.clone(), item.decision_id.clone())) {
                duplicates += 1;
                continue;
            }
            filings.push(Filing {
                id: new_id(),
                county: request.county.clone(),
                court_id: court_for_ori(&courts, &item.court_ori_code)
                    .map(|c| c.court_id.clone())
                    .unwrap_or_default(),
                review_item_id: item.review_item_id,
                decision_id: item.decision_id,
                determination_id: item.determination_id,
                run_id: item.run_id,
                subject_id: item.subject_id,
                agency_id: item.agency_id,
                court_ori_code: item.court_ori_code,
                relief_type: item.relief_type,
                status: FilingStatus::Queued,
                relief: item.snapshot,
                filing_batch_id: String::new(),
                filed_on: 0,
                current_outcome_id: String::new(),
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
                unmatched_court: Vec::new(),
            },
            created_at_ms: now,
        };
        match self.store.submit(filings, record).await? {
            Submitted::Stored(outcome) => {
                tracing::info!(
                    accepted = outcome.accepted,
                    duplicates = outcome.duplicates,
                    "verified relief queued"
                );
                Ok(outcome)
            }
            Submitted::KeyTaken(existing) => replay_outcome(existing, &request.request_sha256),
        }
    }
}

/// The first call's outcome for a replayed key, or IDEMPOTENCY_KEY_REUSED for other content.
pub(crate) fn replay_outcome(
    existing: Submission,
    sha256: &str,
) -> Result<SubmissionOutcome, FilingError> {
    if existing.request_sha256 == sha256 {
        Ok(existing.outcome)
    } else {
        Err(FilingError::AlreadyExists(
            "IDEMPOTENCY_KEY_REUSED: the key was used for another submission".to_owned(),
        ))
    }
}

/// An opaque id: 1-128 characters of `[A-Za-z0-9._:-]`.
pub(crate) fn is_opaque_id(text: &str) -> bool {
    (1..=128).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

fn check(item: &IncomingRelief) -> Result<(), FilingError> {
    let invalid = |field, description: &str| {
        Err(FilingError::InvalidArgument {
            field,
            description: format!("{description} (review item {})", item.review_item_id),
        })
    };
    if !is_opaque_id(&item.review_item_id) {
        return Err(FilingError::InvalidArgument {
            field: "items.review_item_id",
            description: "required, 1-128 characters of [A-Za-z0-9._:-]".to_owned(),
        });
    }
    if !is_opaque_id(&item.decision_id) {
        return invalid(
            "items.decision_id",
            "required, 1-128 characters of [A-Za-z0-9._:-]",
        );
    }
    if item.relief_type <= 0 {
        return invalid("items.relief_type", "relief_type is required");
    }
    if item.determination_id.len() > 128 || item.agency_id.len() > 128 {
        return invalid(
            "items",
            "determination_id and agency_id are at most 128 characters",
        );
    }
    if item.run_id.len() > 64 || item.subject_id.len() > 64 {
        return invalid("items", "run_id and subject_id are at most 64 characters");
    }
    if item.court_ori_code.len() > 16 {
        return invalid("items.court_ori_code", "at most 16 characters");
    }
    Ok(())
}
