//! `cmr file`: the operators' command for court paperwork (issue 6), on the filing gRPC API
//! only: courts, generating a batch's documents, downloading them (size and SHA-256
//! checked), marking a batch filed, recording the court's orders (one, or a CSV of them),
//! the DOJ update file and the impact report.
//!
//! The conventions are `cmr review`'s: `--county` scope, `--token` / `CMR_TOKEN` as
//! `authorization: Bearer`, `--json`, `--idempotency-key`; flags become requests in
//! [`request`] and responses become text in [`format`], both pure. Personal data goes to
//! files the operator asked for and to stdout, never to stderr: progress and errors name
//! ids, files, lines and fields only.

pub mod args;
pub mod auto;
pub mod format;
pub mod request;
pub mod transfer;

use std::path::Path;
use std::time::Duration;

use cmr_filing::documents::impact::{ImpactSummary, SubjectCounts, impact_csv, impact_pdf};
use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as elig;
use cmr_proto::eligibility::v1::eligibility_service_client::EligibilityServiceClient;
use cmr_proto::filing::v1 as pb;
use cmr_proto::filing::v1::filing_service_client::FilingServiceClient;
use cmr_telemetry::TracedChannel;
use sha2::{Digest, Sha256};
use tonic::service::interceptor::InterceptedService;

pub use args::FileArgs;
use args::{CourtsCommand, FileCommand};
use request::OutcomeLine;
use transfer::{Destination, Part, TransferError, Written};

use crate::review::json::Json;
use crate::review::request::Usage;
use crate::review::{Bearer, error_chain, fresh_key, json_line, json_lines, pages};

/// How long connecting to an endpoint may take before it counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A batch with at least this many documents reports its download progress on stderr.
const PROGRESS_FROM: usize = 20;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The flags or an input file cannot make the request.
    Usage(String),
    /// An endpoint could not be reached (or is not a URL).
    Unreachable {
        service: &'static str,
        endpoint: String,
        error: String,
    },
    /// A service answered with an error.
    Status {
        service: &'static str,
        endpoint: String,
        status: tonic::Status,
        /// What was being done, e.g. "outcomes.csv line 4".
        context: String,
    },
    /// A file could not be written, or did not match what the server announced.
    File(String),
}

impl From<Usage> for Failure {
    fn from(usage: Usage) -> Self {
        Self::Usage(usage.0)
    }
}

impl Failure {
    /// The error text (after `cmr file: `).
    #[must_use]
    pub fn text(&self) -> String {
        match self {
            Self::Usage(text) | Self::File(text) => text.clone(),
            Self::Unreachable {
                service,
                endpoint,
                error,
            } => format!("cannot reach the {service} service at {endpoint}: {error}"),
            Self::Status {
                service,
                endpoint,
                status,
                context,
            } => {
                let text = format::error_text(status, service, endpoint);
                if context.is_empty() {
                    text
                } else {
                    format!("{context}: {text}")
                }
            }
        }
    }
}

/// Runs the command; returns the process exit code.
pub fn run(args: &FileArgs) -> i32 {
    crate::printed::print_outcome("cmr file", async {
        execute(args).await.map_err(|failure| failure.text())
    })
}

pub type Client = FilingServiceClient<InterceptedService<TracedChannel, Bearer>>;

/// A channel to `endpoint` that carries the caller's trace context, or why not.
pub async fn channel(service: &'static str, endpoint: &str) -> Result<TracedChannel, Failure> {
    let unreachable = |error: String| Failure::Unreachable {
        service,
        endpoint: endpoint.to_owned(),
        error,
    };
    tonic::transport::Endpoint::from_shared(endpoint.to_owned())
        .map_err(|e| unreachable(format!("not a valid URL ({e})")))?
        .connect_timeout(CONNECT_TIMEOUT)
        .connect()
        .await
        .map(cmr_telemetry::traced)
        .map_err(|e| unreachable(error_chain(&e)))
}

/// A filing client that sends `bearer` on every call.
pub async fn connect(endpoint: &str, bearer: Bearer) -> Result<Client, Failure> {
    Ok(
        FilingServiceClient::with_interceptor(channel("filing", endpoint).await?, bearer)
            .max_decoding_message_size(64 << 20),
    )
}

/// Turns a refused call into a [`Failure`] of the filing service.
pub fn refused(endpoint: &str, context: impl Into<String>) -> impl Fn(tonic::Status) -> Failure {
    let endpoint = endpoint.to_owned();
    let context = context.into();
    move |status| Failure::Status {
        service: "filing",
        endpoint: endpoint.clone(),
        status,
        context: context.clone(),
    }
}

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
        let client = connect(&self.endpoint, self.bearer.clone()).await?;
        self.client = Some(client.clone());
        Ok(client)
    }
}

/// The idempotency key of a changing call: `--idempotency-key`, else a new one.
fn idempotency_key(common: &args::CommonArgs) -> String {
    common
        .idempotency_key
        .clone()
        .unwrap_or_else(|| fresh_key("cmr-file"))
}

/// The command's output, or why it failed.
async fn execute(args: &FileArgs) -> Result<String, Failure> {
    let common = &args.common;
    let scope = crate::review::request::county_scope(
        common.county.as_deref(),
        common.scope_agency.as_deref(),
    )?;
    let mut conn = Connection {
        endpoint: common.endpoint.clone(),
        bearer: Bearer::new(common.token.as_deref())?,
        client: None,
    };
    let endpoint = common.endpoint.as_str();
    let key = idempotency_key(common);
    let json = common.json;
    match &args.command {
        FileCommand::Courts(CourtsCommand::Put(a)) => {
            let courts = match &a.from_json {
                Some(path) => {
                    let bytes = std::fs::read(path).map_err(|e| {
                        Failure::Usage(format!("--from-json: cannot read {}: {e}", path.display()))
                    })?;
                    request::courts_from_json(&path.display().to_string(), &bytes, &scope)?
                }
                None => vec![request::court_from_flags(&scope, a)?],
            };
            let mut client = conn.client().await?;
            let mut put = Vec::new();
            for (i, court) in courts.into_iter().enumerate() {
                let id = court.court_id.clone();
                let req = request::put_court(&scope, &format!("{key}-{i}"), court);
                let r = client
                    .put_court(req)
                    .await
                    .map_err(refused(endpoint, format!("court {id}")))?
                    .into_inner();
                put.extend(r.court);
            }
            Ok(if json {
                json_lines(&put, format::court_json)
            } else {
                format::courts_table(&put)
            })
        }
        FileCommand::Courts(CourtsCommand::List) => {
            let courts = list_courts(&conn.client().await?, &scope, endpoint).await?;
            Ok(if json {
                json_lines(&courts, format::court_json)
            } else {
                format::courts_table(&courts)
            })
        }
        FileCommand::Generate(a) => {
            let req = request::generate(&scope, &key, a)?;
            let r = conn
                .client()
                .await?
                .generate_filings(req)
                .await
                .map_err(refused(endpoint, ""))?
                .into_inner();
            let batch = r.batch.unwrap_or_default();
            Ok(if json {
                json_line(&format::generated_json(&batch, &r.documents))
            } else {
                format::generated_text(&batch, &r.documents)
            })
        }
        FileCommand::Batches(a) => {
            let client = conn.client().await?;
            let (batches, _, _) = pages(0, |token| {
                let mut client = client.clone();
                let req = pb::ListFilingBatchesRequest {
                    scope: Some(scope.clone()),
                    page: request::page(0, &token),
                    court_id: a.court.clone().unwrap_or_default(),
                    agency_id: a.agency.clone().unwrap_or_default(),
                    status: a.status.map_or(0, |s| request::batch_status(s) as i32),
                };
                async move {
                    let r = client.list_filing_batches(req).await?.into_inner();
                    Ok((r.batches, r.page))
                }
            })
            .await
            .map_err(status_of(endpoint))?;
            Ok(if json {
                json_lines(&batches, format::batch_json)
            } else {
                format::batches_table(&batches)
            })
        }
        FileCommand::Filings(a) => {
            let client = conn.client().await?;
            let statuses: Vec<i32> = a
                .status
                .iter()
                .map(|s| request::filing_status(*s) as i32)
                .collect();
            let (filings, _, more) = pages(a.limit, |token| {
                let mut client = client.clone();
                let req = pb::ListFilingsRequest {
                    scope: Some(scope.clone()),
                    page: request::page(0, &token),
                    filing_batch_id: a.batch.clone().unwrap_or_default(),
                    court_id: a.court.clone().unwrap_or_default(),
                    statuses: statuses.clone(),
                    ..Default::default()
                };
                async move {
                    let r = client.list_filings(req).await?.into_inner();
                    Ok((r.filings, r.page))
                }
            })
            .await
            .map_err(status_of(endpoint))?;
            Ok(if json {
                json_lines(&filings, format::filing_json)
            } else {
                let mut out = format::filings_table(&filings);
                let _ = std::fmt::Write::write_fmt(
                    &mut out,
                    format_args!(
                        "{} filings{}\n",
                        filings.len(),
                        if more { " (more: raise --limit)" } else { "" }
                    ),
                );
                out
            })
        }
        FileCommand::Download(a) => {
            let client = conn.client().await?;
            let written = match (&a.batch, &a.document) {
                (Some(batch), _) => {
                    download_batch(&client, &scope, batch, &a.out, endpoint, "cmr file").await?
                }
                (None, Some(document)) => {
                    create_dir(&a.out)?;
                    vec![download_document(&client, &scope, document, &a.out, endpoint).await?]
                }
                (None, None) => return Err(Failure::Usage("--batch or --document".into())),
            };
            Ok(if json {
                json_lines(&written, |w| {
                    Json::Obj(vec![
                        ("path", Json::str(w.path.display().to_string())),
                        (
                            "size_bytes",
                            Json::Int(i64::try_from(w.size_bytes).unwrap_or(-1)),
                        ),
                        ("sha256", Json::str(&w.sha256)),
                    ])
                })
            } else {
                written
                    .iter()
                    .map(|w| {
                        format!(
                            "{}  {} bytes  {}\n",
                            w.sha256,
                            w.size_bytes,
                            w.path.display()
                        )
                    })
                    .collect()
            })
        }
        FileCommand::MarkFiled(a) => {
            let req = request::mark_filed(&scope, &key, a)?;
            let r = conn
                .client()
                .await?
                .mark_filed(req)
                .await
                .map_err(refused(endpoint, ""))?
                .into_inner();
            let batch = r.batch.unwrap_or_default();
            Ok(if json {
                json_line(&format::batch_json(&batch))
            } else {
                format::batch_text(&batch)
            })
        }
        FileCommand::RecordOutcome(a) => {
            let (lines, keyed, source) = match &a.from_csv {
                Some(path) => {
                    let bytes = std::fs::read(path).map_err(|e| {
                        Failure::Usage(format!("--from-csv: cannot read {}: {e}", path.display()))
                    })?;
                    let label = path.display().to_string();
                    let lines = request::outcomes_from_csv(&label, &bytes)?;
                    // Re-running the same file replays it: the key is the file's content
                    // and the line, unless a key was given.
                    let base = common.idempotency_key.clone().unwrap_or_else(|| {
                        let digest = Sha256::digest(&bytes);
                        let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
                        format!("cmr-file-outcomes-{hex}")
                    });
                    (lines, base, Some(label))
                }
                None => (vec![request::outcome_from_flags(a)?], key.clone(), None),
            };
            let mut client = conn.client().await?;
            let mut recorded = Vec::new();
            for line in &lines {
                let (req, context) = match &source {
                    Some(file) => (
                        line.request(&scope, &format!("{keyed}-{}", line.line)),
                        format!(
                            "{file} line {}{}",
                            line.line,
                            recorded_so_far(&lines, recorded.len())
                        ),
                    ),
                    None => (line.request(&scope, &keyed), String::new()),
                };
                let r = client
                    .record_outcome(req)
                    .await
                    .map_err(refused(endpoint, context))?
                    .into_inner();
                recorded.push(r.outcome.unwrap_or_default());
            }
            Ok(if json {
                json_lines(&recorded, format::outcome_json)
            } else {
                recorded
                    .iter()
                    .map(|o| format!("{}\n", format::outcome_line(o)))
                    .collect()
            })
        }
        FileCommand::DojUpdate(a) => {
            let req = request::doj_update(&scope, &key, a)?;
            if let Some(parent) = a.out.parent().filter(|p| !p.as_os_str().is_empty()) {
                create_dir(parent)?;
            }
            let mut stream = conn
                .client()
                .await?
                .export_doj_update(req)
                .await
                .map_err(refused(endpoint, ""))?
                .into_inner();
            let written = transfer::receive(
                &mut stream,
                |m: pb::ExportDojUpdateResponse| {
                    m.part.map(|p| match p {
                        pb::export_doj_update_response::Part::Info(i) => Part::Info(i),
                        pb::export_doj_update_response::Part::Data(d) => Part::Data(d),
                    })
                },
                Destination::File(&a.out),
            )
            .await
            .map_err(|e| transfer_failure(e, endpoint, "the DOJ update"))?;
            let rows = count_rows(&written.path);
            Ok(if json {
                json_line(&Json::Obj(vec![
                    ("path", Json::str(written.path.display().to_string())),
                    ("rows", Json::Int(rows)),
                    (
                        "size_bytes",
                        Json::Int(i64::try_from(written.size_bytes).unwrap_or(-1)),
                    ),
                    ("sha256", Json::str(&written.sha256)),
                ]))
            } else {
                format!(
                    "{}: {rows} rows, {} bytes, sha256 {}\n",
                    written.path.display(),
                    written.size_bytes,
                    written.sha256
                )
            })
        }
        FileCommand::Report(a) => report(&mut conn, &scope, common, a).await,
    }
}

/// ", lines A–B were recorded" when some lines of a CSV went through before one failed.
fn recorded_so_far(lines: &[OutcomeLine], done: usize) -> String {
    match done {
        0 => " (nothing recorded; fix the line and run the file again)".to_owned(),
        n => format!(
            " (lines {}-{} were recorded; fix the line and run the same file again: recorded lines replay)",
            lines[0].line,
            lines[n - 1].line
        ),
    }
}

fn status_of(endpoint: &str) -> impl Fn(crate::review::Failure) -> Failure {
    let endpoint = endpoint.to_owned();
    move |failure| match failure {
        crate::review::Failure::Status(status) => Failure::Status {
            service: "filing",
            endpoint: endpoint.clone(),
            status,
            context: String::new(),
        },
        crate::review::Failure::Usage(text) => Failure::Usage(text),
        crate::review::Failure::Unreachable { endpoint, error } => Failure::Unreachable {
            service: "filing",
            endpoint,
            error,
        },
    }
}

fn transfer_failure(e: TransferError, endpoint: &str, what: &str) -> Failure {
    match e {
        TransferError::Status(status) => Failure::Status {
            service: "filing",
            endpoint: endpoint.to_owned(),
            status,
            context: what.to_owned(),
        },
        TransferError::Integrity(text) | TransferError::Io(text) => Failure::File(text),
    }
}

fn create_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::File(format!("cannot create {}: {e}", dir.display())))
}

/// Data lines of a CSV file (lines after the header); -1 when it cannot be read.
fn count_rows(path: &Path) -> i64 {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_or(-1, |mut r| {
            i64::try_from(r.records().filter(Result::is_ok).count()).unwrap_or(-1)
        })
}

/// Every court of the county.
pub async fn list_courts(
    client: &Client,
    scope: &common::Scope,
    endpoint: &str,
) -> Result<Vec<pb::Court>, Failure> {
    let (courts, _, _) = pages(0, |token| {
        let mut client = client.clone();
        let req = pb::ListCourtsRequest {
            scope: Some(scope.clone()),
            page: request::page(0, &token),
        };
        async move {
            let r = client.list_courts(req).await?.into_inner();
            Ok((r.courts, r.page))
        }
    })
    .await
    .map_err(status_of(endpoint))?;
    Ok(courts)
}

/// One document into `dir`, checked.
pub async fn download_document(
    client: &Client,
    scope: &common::Scope,
    document_id: &str,
    dir: &Path,
    endpoint: &str,
) -> Result<Written, Failure> {
    let context = format!("document {document_id}");
    let mut stream = client
        .clone()
        .download_document(pb::DownloadDocumentRequest {
            scope: Some(scope.clone()),
            document_id: document_id.to_owned(),
        })
        .await
        .map_err(refused(endpoint, context.clone()))?
        .into_inner();
    transfer::receive(
        &mut stream,
        |m: pb::DownloadDocumentResponse| {
            m.part.map(|p| match p {
                pb::download_document_response::Part::Info(i) => Part::Info(i),
                pb::download_document_response::Part::Data(d) => Part::Data(d),
            })
        },
        Destination::Dir(dir),
    )
    .await
    .map_err(|e| transfer_failure(e, endpoint, &context))
}

/// Every current document of a batch into `dir` (created if missing). A batch of many
/// documents reports progress on stderr, as `<who>: batch B: n/N documents`.
pub async fn download_batch(
    client: &Client,
    scope: &common::Scope,
    batch_id: &str,
    dir: &Path,
    endpoint: &str,
    who: &str,
) -> Result<Vec<Written>, Failure> {
    let (documents, _, _) = pages(0, |token| {
        let mut client = client.clone();
        let req = pb::ListDocumentsRequest {
            scope: Some(scope.clone()),
            page: request::page(0, &token),
            filing_batch_id: batch_id.to_owned(),
            ..Default::default()
        };
        async move {
            let r = client.list_documents(req).await?.into_inner();
            Ok((r.documents, r.page))
        }
    })
    .await
    .map_err(status_of(endpoint))?;
    create_dir(dir)?;
    let total = documents.len();
    let step = (total / 10).max(1);
    let mut written = Vec::with_capacity(total);
    let mut names = std::collections::HashSet::new();
    for (i, document) in documents.iter().enumerate() {
        let got = download_document(client, scope, &document.document_id, dir, endpoint).await?;
        if !names.insert(got.path.clone()) {
            return Err(Failure::File(format!(
                "two documents of batch {batch_id} are both named {}",
                got.path.display()
            )));
        }
        written.push(got);
        let done = i + 1;
        if total >= PROGRESS_FROM && (done % step == 0 || done == total) {
            let bytes: u64 = written.iter().map(|w| w.size_bytes).sum();
            eprintln!(
                "{who}: batch {batch_id}: {done}/{total} documents ({:.1} MiB)",
                bytes as f64 / f64::from(1u32 << 20)
            );
        }
    }
    Ok(written)
}

/// `cmr file report`: ImpactReport from filing, the run's subject counts from eligibility,
/// then impact.csv and impact.pdf.
async fn report(
    conn: &mut Connection,
    scope: &common::Scope,
    common: &args::CommonArgs,
    a: &args::ReportArgs,
) -> Result<String, Failure> {
    let endpoint = common.endpoint.as_str();
    let req = request::impact(
        scope,
        a.run.as_ref(),
        &a.group_by,
        a.min_cell_size,
        a.decision,
    )?;
    let group_by = req.group_by.clone();
    let report = conn
        .client()
        .await?
        .impact_report(req)
        .await
        .map_err(refused(endpoint, ""))?
        .into_inner();
    let counts = match &a.run {
        Some(run_id) => subject_counts(common, scope, &a.eligibility_endpoint, run_id).await?,
        None => None,
    };
    let generated_on = report
        .generated_at
        .as_ref()
        .map_or((1970, 1, 1), |t| civil_from_unix(t.seconds));
    let summary = ImpactSummary {
        scope_label: scope_label(scope),
        run_id: a.run.clone().unwrap_or_default(),
        group_by,
        generated_on,
        report: report.clone(),
        subject_counts: counts.clone(),
    };
    create_dir(&a.out)?;
    let csv_path = a.out.join("impact.csv");
    let pdf_path = a.out.join("impact.pdf");
    let pdf = impact_pdf(&summary)
        .map_err(|e| Failure::File(format!("cannot render {}: {e}", pdf_path.display())))?;
    let csv = impact_csv(&summary);
    for (path, bytes) in [(&csv_path, csv.as_slice()), (&pdf_path, pdf.as_slice())] {
        transfer::write_atomically(path, bytes)
            .map_err(|e| Failure::File(format!("cannot write {}: {e}", path.display())))?;
    }
    let text = format::report_text(&report, counts.as_ref(), a.run.as_deref());
    Ok(if common.json {
        json_line(&Json::Obj(vec![
            ("csv", Json::str(csv_path.display().to_string())),
            ("pdf", Json::str(pdf_path.display().to_string())),
            (
                "cells",
                Json::Int(i64::try_from(report.cells.len()).unwrap_or(-1)),
            ),
            (
                "suppressed_cells",
                Json::Int(i64::from(report.suppressed_cells)),
            ),
            ("min_cell_size", Json::Int(i64::from(report.min_cell_size))),
            (
                "subject_counts",
                counts.as_ref().map_or(Json::Null, |c| {
                    Json::Obj(vec![
                        ("subjects_with_relief", Json::Int(c.subjects_with_relief)),
                        ("no_felonies", Json::Int(c.no_felonies)),
                        ("no_convictions", Json::Int(c.no_convictions)),
                        (
                            "no_convictions_last_7_years",
                            Json::Int(c.no_convictions_last_7_years),
                        ),
                    ])
                }),
            ),
        ]))
    } else {
        format!(
            "{text}wrote {} and {}\n",
            csv_path.display(),
            pdf_path.display()
        )
    })
}

/// gogen's three subject counts of the run, from eligibility's GetRun; `None` when the run
/// has none (still running, failed).
async fn subject_counts(
    common: &args::CommonArgs,
    scope: &common::Scope,
    endpoint: &str,
    run_id: &str,
) -> Result<Option<SubjectCounts>, Failure> {
    let bearer = Bearer::new(common.token.as_deref())?;
    let mut client =
        EligibilityServiceClient::with_interceptor(channel("eligibility", endpoint).await?, bearer);
    let run = client
        .get_run(elig::GetRunRequest {
            scope: Some(scope.clone()),
            run_id: run_id.to_owned(),
        })
        .await
        .map_err(|status| Failure::Status {
            service: "eligibility",
            endpoint: endpoint.to_owned(),
            status,
            context: format!("--run {run_id}"),
        })?
        .into_inner()
        .run
        .unwrap_or_default();
    Ok(run
        .summary
        .filter(|s| s.subject_counts_available)
        .map(|s| SubjectCounts {
            subjects_with_relief: s.subjects_with_relief,
            no_felonies: s.subjects_no_felony,
            no_convictions: s.subjects_no_conviction,
            no_convictions_last_7_years: s.subjects_no_conviction_last_7_years,
        }))
}

/// "County of Sacramento", or "County 34" for a code.
fn scope_label(scope: &common::Scope) -> String {
    if scope.county_name.is_empty() {
        return format!("County {}", scope.county_code);
    }
    let name = scope
        .county_name
        .split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ");
    format!("County of {name}")
}

/// The UTC calendar date of a Unix time.
fn civil_from_unix(seconds: i64) -> (i32, u32, u32) {
    let iso = crate::review::format::instant_text(Some(seconds));
    let year = iso.get(0..4).and_then(|s| s.parse::<i32>().ok());
    let month = iso.get(5..7).and_then(|s| s.parse::<u32>().ok());
    let day = iso.get(8..10).and_then(|s| s.parse::<u32>().ok());
    match (year, month, day) {
        (Some(y), Some(m), Some(d)) => (y, m, d),
        _ => (1970, 1, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_dates() {
        let scope = common::Scope {
            county_code: String::new(),
            county_name: "SAN LUIS OBISPO".into(),
            agency_id: String::new(),
        };
        assert_eq!(scope_label(&scope), "County of San Luis Obispo");
        // 2026-11-30T12:00:00Z
        assert_eq!(civil_from_unix(1_796_040_000), (2026, 11, 30));
    }
}
