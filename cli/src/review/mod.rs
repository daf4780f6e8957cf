//! `cmr review`: the operators' command for the prosecutors' review (issue 5), on the
//! verification gRPC API only (never a database): the queue (`list`, `show`), decisions
//! (`concur`, `challenge`, `resolve`, `bulk`), comments and reassignment, the county's
//! challenge deadline, the notice lists, agencies, routing rules and the audit trail.
//!
//! Every call carries `authorization: Bearer <token>` (`--token` / `CMR_TOKEN`) and the
//! `--county` scope. Flags become requests in [`request`] and responses become text in
//! [`format`], both pure; this module only connects, calls and prints. Personal data is
//! printed to the operator's stdout and goes nowhere else: nothing here logs.

pub mod args;
pub mod format;
pub mod json;
pub mod request;

use std::future::Future;
use std::time::Duration;

use cmr_proto::common::v1 as common;
use cmr_proto::verification::v1::verification_service_client::VerificationServiceClient;
use cmr_telemetry::TracedChannel;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;

pub use args::ReviewArgs;
use args::{
    AgenciesCommand, AuditCommand, BulkCommand, CommonArgs, DeadlineCommand, NoticesCommand,
    ReviewCommand, RoutingCommand,
};
use json::Json;
use request::{BulkKind, Usage};

/// How long connecting to the endpoint may take before it counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The flags cannot make the request.
    Usage(String),
    /// The endpoint could not be reached (or is not a URL).
    Unreachable { endpoint: String, error: String },
    /// The service answered with an error.
    Status(tonic::Status),
}

impl From<Usage> for Failure {
    fn from(usage: Usage) -> Self {
        Self::Usage(usage.0)
    }
}

impl From<tonic::Status> for Failure {
    fn from(status: tonic::Status) -> Self {
        Self::Status(status)
    }
}

impl Failure {
    /// The error text (after `cmr review: `).
    #[must_use]
    pub fn text(&self, endpoint: &str) -> String {
        match self {
            Self::Usage(text) => text.clone(),
            Self::Unreachable { endpoint, error } => {
                format!("cannot reach the verification service at {endpoint}: {error}")
            }
            Self::Status(status) => format::error_text(status, endpoint),
        }
    }
}

/// Runs the command; returns the process exit code.
pub fn run(args: &ReviewArgs) -> i32 {
    crate::printed::print_outcome("cmr review", async {
        execute(args)
            .await
            .map_err(|failure| failure.text(&args.common.endpoint))
    })
}

/// Sends the bearer token on every call.
#[derive(Clone)]
pub struct Bearer(Option<MetadataValue<Ascii>>);

impl Bearer {
    /// The `authorization` value for `token` (none when absent or blank).
    pub fn new(token: Option<&str>) -> Result<Self, Usage> {
        let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Self(None));
        };
        // The token is never echoed, even when it is malformed.
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Usage(
                "the token (--token / CMR_TOKEN) is not printable ASCII".into(),
            ));
        }
        let mut value: MetadataValue<Ascii> = format!("Bearer {token}")
            .parse()
            .map_err(|_| Usage("the token (--token / CMR_TOKEN) is not printable ASCII".into()))?;
        value.set_sensitive(true);
        Ok(Self(Some(value)))
    }
}

impl Interceptor for Bearer {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(value) = &self.0 {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        Ok(request)
    }
}

type Client = VerificationServiceClient<InterceptedService<TracedChannel, Bearer>>;

/// The connection, made on first use (after the flags were checked).
struct Connection {
    endpoint: String,
    bearer: Bearer,
    client: Option<Client>,
}

impl Connection {
    async fn client(&mut self) -> Result<Client, Failure> {
        if let Some(client) = &self.client {
            return Ok(client.clone());
        }
        let unreachable = |error: String| Failure::Unreachable {
            endpoint: self.endpoint.clone(),
            error,
        };
        let channel = tonic::transport::Endpoint::from_shared(self.endpoint.clone())
            .map_err(|e| unreachable(format!("not a valid URL ({e})")))?
            .connect_timeout(CONNECT_TIMEOUT)
            .connect()
            .await
            .map_err(|e| unreachable(error_chain(&e)))?;
        let client = VerificationServiceClient::with_interceptor(
            cmr_telemetry::traced(channel),
            self.bearer.clone(),
        )
        .max_decoding_message_size(64 << 20);
        self.client = Some(client.clone());
        Ok(client)
    }
}

/// An error and its sources: tonic's "transport error" alone says nothing.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// The idempotency key of a changing call: `--idempotency-key`, else a new one.
fn idempotency_key(common: &CommonArgs) -> String {
    common
        .idempotency_key
        .clone()
        .unwrap_or_else(|| fresh_key("cmr-review"))
}

/// A new idempotency key for this invocation: `PREFIX-<seconds>.<nanoseconds>-<pid>`.
pub(crate) fn fresh_key(prefix: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{prefix}-{}.{:09}-{}",
        now.as_secs(),
        now.subsec_nanos(),
        std::process::id()
    )
}

/// Every page of a listing, up to `limit` entries (0 = all): the entries, the total the
/// server last reported (-1 when unknown) and whether more were left.
pub(crate) async fn pages<T, Fut>(
    limit: usize,
    mut call: impl FnMut(String) -> Fut,
) -> Result<(Vec<T>, i64, bool), Failure>
where
    Fut: Future<Output = Result<(Vec<T>, Option<common::PageResponse>), tonic::Status>>,
{
    let mut all = Vec::new();
    let mut token = String::new();
    loop {
        let (entries, page) = call(token).await?;
        let page = page.unwrap_or_default();
        let total = page.total_size;
        all.extend(entries);
        token = page.next_page_token;
        if limit > 0 && all.len() >= limit {
            let more = all.len() > limit || !token.is_empty();
            all.truncate(limit);
            return Ok((all, total, more));
        }
        if token.is_empty() {
            return Ok((all, total, false));
        }
    }
}

/// One JSON value per line.
pub(crate) fn json_lines<T>(entries: &[T], to_json: impl Fn(&T) -> Json) -> String {
    entries
        .iter()
        .map(|e| format!("{}\n", to_json(e)))
        .collect()
}

pub(crate) fn json_line(value: &Json) -> String {
    format!("{value}\n")
}

/// The command's output, or why it failed.
async fn execute(args: &ReviewArgs) -> Result<String, Failure> {
    let common = &args.common;
    let scope = request::scope(common)?;
    let mut conn = Connection {
        endpoint: common.endpoint.clone(),
        bearer: Bearer::new(common.token.as_deref())?,
        client: None,
    };
    let key = idempotency_key(common);
    let json = common.json;
    match &args.command {
        ReviewCommand::List(list) => {
            let filter = request::filter(&list.filter)?;
            let size = request::page_size(list.limit, list.page_size);
            let client = conn.client().await?;
            let (items, total, more) = pages(list.limit, |token| {
                let mut client = client.clone();
                let req = request::list(&scope, &filter, size, &token);
                async move {
                    let r = client.list_review_items(req).await?.into_inner();
                    Ok((r.items, r.page))
                }
            })
            .await?;
            Ok(if json {
                json_lines(&items, |i| format::item_json(i, false))
            } else {
                format!(
                    "{}{}\n",
                    format::items_table(&items),
                    format::count_line(items.len(), total, more)
                )
            })
        }
        ReviewCommand::Show { item } => {
            let req = request::get(&scope, item)?;
            let r = conn
                .client()
                .await?
                .get_review_item(req)
                .await?
                .into_inner();
            let item = r.item.unwrap_or_default();
            Ok(if json {
                json_line(&format::item_json(&item, true))
            } else {
                format::item_page(&item)
            })
        }
        ReviewCommand::Concur(a) => {
            let req = request::concur(&scope, &key, a)?;
            let r = conn.client().await?.concur(req).await?.into_inner();
            Ok(decided(json, r.item.as_ref(), r.decision.as_ref()))
        }
        ReviewCommand::Challenge(a) => {
            let req = request::challenge(
                &scope,
                &key,
                &a.item,
                &a.challenge,
                a.supersedes.supersedes.as_ref(),
            )?;
            let r = conn.client().await?.challenge(req).await?.into_inner();
            Ok(decided(json, r.item.as_ref(), r.decision.as_ref()))
        }
        ReviewCommand::Resolve(a) => {
            let req = request::resolve(
                &scope,
                &key,
                &a.item,
                &a.resolve,
                a.supersedes.supersedes.as_ref(),
            )?;
            let r = conn.client().await?.resolve(req).await?.into_inner();
            Ok(decided(json, r.item.as_ref(), r.decision.as_ref()))
        }
        ReviewCommand::Comment { item, text } => {
            let req = request::comment(&scope, &key, item, text)?;
            let r = conn.client().await?.comment(req).await?.into_inner();
            let c = r.comment.unwrap_or_default();
            Ok(if json {
                json_line(&Json::Obj(vec![
                    ("comment_id", Json::str(c.comment_id)),
                    ("review_item_id", Json::str(c.review_item_id)),
                ]))
            } else {
                format!("{}: comment {} added\n", c.review_item_id, c.comment_id)
            })
        }
        ReviewCommand::Reassign(a) => {
            let req = request::reassign(&scope, &key, a)?;
            let r = conn.client().await?.reassign(req).await?.into_inner();
            let item = r.item.unwrap_or_default();
            Ok(if json {
                json_line(&format::item_json(&item, false))
            } else {
                let a = item.assignment.clone().unwrap_or_default();
                format!(
                    "{}: now with {}{}\n",
                    item.review_item_id,
                    a.agency_id,
                    if a.reviewer_id.is_empty() {
                        String::new()
                    } else {
                        format!(" / {}", a.reviewer_id)
                    }
                )
            })
        }
        ReviewCommand::Bulk(bulk) => {
            let (bulk_scope, kind) = match bulk {
                BulkCommand::Concur { scope, note } => (scope, BulkKind::Concur(note.as_ref())),
                BulkCommand::Challenge { scope, challenge } => {
                    (scope, BulkKind::Challenge(challenge))
                }
                BulkCommand::Resolve { scope, resolve } => (scope, BulkKind::Resolve(resolve)),
            };
            let req = request::bulk(&scope, &key, bulk_scope, &kind)?;
            let r = conn.client().await?.bulk_act(req).await?.into_inner();
            Ok(if json {
                json_line(&format::bulk_json(&r, bulk_scope.dry_run))
            } else {
                format::bulk_text(&r, bulk_scope.dry_run)
            })
        }
        ReviewCommand::Deadline(DeadlineCommand::Get) => {
            let req = request::get_deadline(&scope);
            let r = conn.client().await?.get_deadline(req).await?.into_inner();
            Ok(if json {
                json_line(&format::deadline_json(
                    r.deadline.as_ref(),
                    Some(r.pending_items),
                ))
            } else {
                format::deadline_text(r.deadline.as_ref(), Some(r.pending_items))
            })
        }
        ReviewCommand::Deadline(DeadlineCommand::Set { date, reason }) => {
            let req = request::set_deadline(&scope, &key, date, reason.as_ref())?;
            let r = conn.client().await?.set_deadline(req).await?.into_inner();
            Ok(if json {
                json_line(&format::deadline_json(r.deadline.as_ref(), None))
            } else {
                format::deadline_text(r.deadline.as_ref(), None)
            })
        }
        ReviewCommand::Deadline(DeadlineCommand::Apply { as_of, dry_run }) => {
            let req = request::apply_deadline(&scope, &key, as_of.as_ref(), *dry_run)?;
            let r = conn.client().await?.apply_deadline(req).await?.into_inner();
            Ok(if json {
                json_line(&format::applied_json(&r, *dry_run))
            } else {
                format::applied_text(&r, *dry_run)
            })
        }
        ReviewCommand::Notices(notices) => notices_command(&mut conn, &scope, notices, json).await,
        ReviewCommand::Agencies(AgenciesCommand::List {
            kind,
            include_inactive,
        }) => {
            let client = conn.client().await?;
            let (agencies, _, _) = pages(0, |token| {
                let mut client = client.clone();
                let req = request::list_agencies(&scope, *kind, *include_inactive, &token);
                async move {
                    let r = client.list_agencies(req).await?.into_inner();
                    Ok((r.agencies, r.page))
                }
            })
            .await?;
            Ok(if json {
                json_lines(&agencies, format::agency_json)
            } else {
                format::agencies_table(&agencies)
            })
        }
        ReviewCommand::Agencies(AgenciesCommand::Put {
            agency_id,
            kind,
            name,
            ori,
            county_default,
            inactive,
        }) => {
            let req = request::put_agency(
                &scope,
                &key,
                agency_id,
                *kind,
                name,
                ori,
                *county_default,
                *inactive,
            )?;
            let r = conn.client().await?.put_agency(req).await?.into_inner();
            let agency = r.agency.unwrap_or_default();
            Ok(if json {
                json_line(&format::agency_json(&agency))
            } else {
                format::agencies_table(std::slice::from_ref(&agency))
            })
        }
        ReviewCommand::Routing(RoutingCommand::List { include_disabled }) => {
            let client = conn.client().await?;
            let (rules, _, _) = pages(0, |token| {
                let mut client = client.clone();
                let req = request::list_rules(&scope, *include_disabled, &token);
                async move {
                    let r = client.list_routing_rules(req).await?.into_inner();
                    Ok((r.rules, r.page))
                }
            })
            .await?;
            Ok(if json {
                json_lines(&rules, format::rule_json)
            } else {
                format::rules_table(&rules)
            })
        }
        ReviewCommand::Routing(RoutingCommand::Put(a)) => {
            let req = request::put_rule(&scope, &key, a)?;
            let r = conn
                .client()
                .await?
                .put_routing_rule(req)
                .await?
                .into_inner();
            let rule = r.rule.unwrap_or_default();
            Ok(if json {
                let mut value = format::rule_json(&rule);
                if let Json::Obj(fields) = &mut value {
                    fields.push(("rerouted", Json::Int(r.rerouted)));
                }
                json_line(&value)
            } else {
                format!(
                    "{}{} pending items re-routed\n",
                    format::rules_table(std::slice::from_ref(&rule)),
                    r.rerouted
                )
            })
        }
        ReviewCommand::Audit(AuditCommand::List {
            target,
            principal,
            from_sequence,
            limit,
        }) => {
            let client = conn.client().await?;
            let size = request::page_size(*limit, 0);
            let (events, total, more) = pages(*limit, |token| {
                let mut client = client.clone();
                let req = request::list_audit(
                    &scope,
                    target.as_ref(),
                    principal.as_ref(),
                    *from_sequence,
                    size,
                    &token,
                );
                async move {
                    let r = client.list_audit_events(req).await?.into_inner();
                    Ok((r.events, r.page))
                }
            })
            .await?;
            Ok(if json {
                json_lines(&events, format::audit_json)
            } else {
                let mut out = format::audit_table(&events);
                if more {
                    out.push_str(&format::count_line(events.len(), total, more));
                    out.push('\n');
                }
                out
            })
        }
        ReviewCommand::Audit(AuditCommand::Verify {
            from_sequence,
            to_sequence,
        }) => {
            let req = request::verify_audit(&scope, *from_sequence, *to_sequence);
            let r = conn
                .client()
                .await?
                .verify_audit_chain(req)
                .await?
                .into_inner();
            Ok(if json {
                json_line(&format::verify_json(&r))
            } else {
                format::verify_text(&r)
            })
        }
    }
}

fn decided(
    json: bool,
    item: Option<&cmr_proto::verification::v1::ReviewItem>,
    decision: Option<&cmr_proto::verification::v1::Decision>,
) -> String {
    if json {
        json_line(&Json::Obj(vec![
            (
                "review_item_id",
                Json::str(item.map(|i| i.review_item_id.clone()).unwrap_or_default()),
            ),
            (
                "status",
                Json::opt(
                    item.map(|i| format::status_text(i.status))
                        .unwrap_or_default(),
                ),
            ),
            (
                "decision",
                decision.map_or(Json::Null, format::decision_json),
            ),
        ]))
    } else {
        format!("{}\n", format::decided_line(item, decision))
    }
}

async fn notices_command(
    conn: &mut Connection,
    scope: &common::Scope,
    notices: &NoticesCommand,
    json: bool,
) -> Result<String, Failure> {
    let (entries, defender) = match notices {
        NoticesCommand::Defender {
            agency,
            decided_from,
            decided_to,
            limit,
        } => {
            // Checks the dates before connecting.
            request::defender_notice(
                scope,
                agency.as_ref(),
                decided_from.as_ref(),
                decided_to.as_ref(),
                0,
                "",
            )?;
            let size = request::page_size(*limit, 0);
            let client = conn.client().await?;
            let (entries, _, _) = pages(*limit, |token| {
                let mut client = client.clone();
                let req = request::defender_notice(
                    scope,
                    agency.as_ref(),
                    decided_from.as_ref(),
                    decided_to.as_ref(),
                    size,
                    &token,
                );
                async move {
                    let req = req.map_err(|u| tonic::Status::invalid_argument(u.0))?;
                    let r = client.list_challenged_for_defender(req).await?.into_inner();
                    Ok((r.entries, r.page))
                }
            })
            .await?;
            (entries, true)
        }
        NoticesCommand::Court {
            court_ori,
            agency,
            include_pending,
            limit,
        } => {
            let size = request::page_size(*limit, 0);
            let client = conn.client().await?;
            let (entries, _, _) = pages(*limit, |token| {
                let mut client = client.clone();
                let req = request::court_notice(
                    scope,
                    court_ori.as_ref(),
                    agency.as_ref(),
                    *include_pending,
                    size,
                    &token,
                );
                async move {
                    let r = client.list_unchallenged_for_court(req).await?.into_inner();
                    Ok((r.entries, r.page))
                }
            })
            .await?;
            (entries, false)
        }
    };
    Ok(if json {
        json_lines(&entries, format::notice_json)
    } else {
        format::notice_table(&entries, defender)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_goes_in_the_authorization_header() {
        let mut bearer = Bearer::new(Some(" abc.DEF-123 ")).expect("token");
        let request = bearer.call(tonic::Request::new(())).expect("call");
        let value = request.metadata().get("authorization").expect("header");
        assert_eq!(value.to_str().expect("ascii"), "Bearer abc.DEF-123");
        assert!(value.is_sensitive());
        let mut none = Bearer::new(None).expect("no token");
        let request = none.call(tonic::Request::new(())).expect("call");
        assert!(request.metadata().get("authorization").is_none());
        let err = Bearer::new(Some("se cret")).err().expect("space");
        assert!(!err.0.contains("cret"), "{}", err.0);
    }
}
