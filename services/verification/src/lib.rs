//! `cmr-verification`: the verification gRPC service (`cmr.verification.v1.VerificationService`).
//!
//! Eligibility submits the determinations that need a prosecutor's decision; each becomes
//! one PENDING review item routed to exactly one agency by the county's routing rules (first
//! enabled match by priority, else the county default agency; a county with no agency data
//! routes to the implicit District Attorney queue `da-<county>`, and items no agency takes are
//! left unassigned until `PutRoutingRule` with `reroute_pending`). Reviewers concur,
//! challenge or resolve (decisions are superseded, never edited, and a conditional update on
//! the expected current decision lets only one of two racing deciders win); after the county
//! deadline `ApplyDeadline` deems every unchallenged item concurred and ready relief is sent
//! to the filing service when `--verification-filing-endpoint` is set.
//!
//! # Access
//! Callers send `authorization: Bearer <token>`. Tokens are stored only as SHA-256 hashes,
//! loaded from `--verification-tokens-file` (see [`VerificationConfig::tokens_file`]; make a
//! line with `printf %s "$TOKEN" | sha256sum`). The token's county must be the request's,
//! reviewers and read-only callers see and act only within their agency, supervisors act
//! county-wide and alone reassign, set and apply deadlines and edit agencies and rules, the
//! service role alone submits determinations. Every refusal is PERMISSION_DENIED and is
//! audited. With no token configured the service runs in open (development) mode: every
//! call acts as the county-wide principal `open-mode` (so `cmr run` and `cmr up` work
//! unchanged) and is audited under that name.
//!
//! # Retries
//! Concur, Challenge, Resolve, Comment, Reassign, BulkAct (not dry runs) and SetDeadline
//! remember their outcome under the request's idempotency key, per county and method
//! (`idempotent_calls`): a retry of the same request by the same principal gets the original
//! response, or the original error unless it was transient or a denial; another request under
//! the key is ALREADY_EXISTS (`IDEMPOTENCY_KEY_REUSED`). Copies of one request run one after
//! the other within a process.
//!
//! # Dates
//! "Today" for ApplyDeadline and the defender notice's `decided` range are California dates,
//! with daylight time ([`domain::deadline::pacific_offset_hours`]).
//!
//! # Audit
//! Every decision, read of personal data, read of the audit trail itself (`ListAuditEvents`,
//! as LIST_VIEWED of `audit_event`s) and denial appends an event to the county's hash chain
//! ([`domain::audit_chain`]); `VerifyAuditChain` recomputes it and names the first broken
//! link.
//! [`run`] connects the store, migrates, and serves with health and reflection through
//! `cmr-runtime`.

pub mod admin;
pub mod config;
pub mod domain;
pub mod error;
pub mod filing_push;
pub mod grpc;
pub mod review;
pub mod service;
pub mod store;

use std::future::Future;

use cmr_proto::verification::v1::verification_service_server::VerificationServiceServer;
use cmr_runtime::{RuntimeError, ServeConfig, Server};
use tokio::net::TcpListener;

pub use config::VerificationConfig;
pub use error::VerificationError;

/// The fully qualified gRPC service name.
pub const SERVICE_NAME: &str = "cmr.verification.v1.VerificationService";

/// Why [`run`] stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot open the verification store")]
    Store(#[from] store::StoreError),
    #[error("cannot read the tokens file: {0}")]
    Tokens(String),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// Connects and migrates the store, then serves on `listener` until `shutdown` resolves;
/// after draining, closes the store.
pub async fn run(
    config: VerificationConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RunError> {
    let store = store::Store::connect(&config.database_url).await?;
    if let Some(path) = &config.tokens_file {
        let text =
            std::fs::read_to_string(path).map_err(|e| RunError::Tokens(e.kind().to_string()))?;
        let grants = domain::access::parse_tokens_file(&text)
            .map_err(|e| RunError::Tokens(e.to_string()))?;
        store.replace_tokens(grants).await?;
    }
    let mut verification = service::Verification::new(store.clone());
    verification.open = store.token_count().await? == 0;
    verification
        .filing_endpoint
        .clone_from(&config.filing_endpoint);
    let routes = tonic::service::Routes::new(VerificationServiceServer::new(
        grpc::VerificationGrpc::new(verification),
    ));
    let serve_config = ServeConfig::new([SERVICE_NAME]).with_drain_timeout(config.drain_timeout());
    let served = Server::from_listener(listener, serve_config)?
        .serve(routes, shutdown)
        .await;
    store.close().await?;
    served?;
    Ok(())
}
