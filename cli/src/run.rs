//! `cmr run`: what `cmr evaluate` does, through the suite's gRPC APIs. The file is uploaded to
//! ingest, the policy stored and the run started in eligibility, and the run's relief
//! determinations submitted to verification's review queue; gogen's files are then written
//! from the rows ingest stored and the cells eligibility printed, byte for byte the files
//! `cmr evaluate` writes.
//!
//! Without `--connect` the four services run inside this process (as `cmr up` runs them)
//! with SQLite stores under `--data-dir`, so one command does the whole job on a machine with
//! nothing installed.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant as Clock;

use clap::Args;
use cmr_engine::output::columns_for;
use cmr_engine::{FlowSpec, Policy, reading_rules};
use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as elig;
use cmr_proto::eligibility::v1::eligibility_service_client::EligibilityServiceClient;
use cmr_proto::ingest::v1 as ingest;
use cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use cmr_proto::verification::v1 as verif;
use cmr_proto::verification::v1::verification_service_client::VerificationServiceClient;
use cmr_record::chunks::Chunk;
use cmr_record::doj::{DojSource, go_os_message};
use cmr_record::{ErrorType, FieldCheck, FileError, Instant};
use cmr_telemetry::TracedChannel;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tracing::Instrument as _;

use crate::chunk_output::{OutputFiles, check_same_count, format_chunk};
use crate::evaluate::{EvaluateArgs, Settings, validate};
use crate::file::args::SignerArgs;
use crate::file::auto::FileTo;
use crate::file::request as file_request;
use crate::outputs::{
    Failure, Staged, output_paths, partial_path, report_failures, report_path, run_failure,
};
use crate::pipeline::for_each_chunk;
use crate::serve::{Endpoints, Suite, SuiteListen};

/// Bytes per upload message (the contract allows at most 1 MiB).
const UPLOAD_CHUNK: usize = 1 << 20;
/// Determinations per SubmitDeterminations call (the contract's maximum).
const SUBMIT_BATCH: usize = 1000;

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub evaluate: EvaluateArgs,
    /// Use services that are already running (e.g. `cmr up`, or a county's deployment) at
    /// the endpoints below, instead of starting the four services in this process.
    #[arg(long)]
    pub connect: bool,
    #[arg(
        long,
        env = "CMR_INGEST_ENDPOINT",
        default_value = "http://127.0.0.1:50051"
    )]
    pub ingest_endpoint: String,
    #[arg(
        long,
        env = "CMR_ELIGIBILITY_ENDPOINT",
        default_value = "http://127.0.0.1:50052"
    )]
    pub eligibility_endpoint: String,
    #[arg(
        long,
        env = "CMR_VERIFICATION_ENDPOINT",
        default_value = "http://127.0.0.1:50053"
    )]
    pub verification_endpoint: String,
    /// The filing service (with --connect and --file-to).
    #[arg(
        long,
        env = "CMR_FILING_ENDPOINT",
        default_value = "http://127.0.0.1:50054"
    )]
    pub filing_endpoint: String,
    /// Where the in-process services keep their SQLite stores (without --connect).
    #[arg(long, default_value = "cmr-data")]
    pub data_dir: PathBuf,
    #[command(flatten)]
    pub file_to: FileToArgs,
}

/// After the run, the court paperwork on disk (docs/FILING.md, "Command line").
#[derive(Args, Debug, Clone, Default)]
pub struct FileToArgs {
    /// Write the documents of every DRAFT filing batch here after the run: courts for the
    /// run's court ORIs, relief ready in verification generated per court and agency, each
    /// document downloaded and checked. Needs --document-date and the signer flags.
    #[arg(long, value_name = "DIR")]
    pub file_to: Option<PathBuf>,
    /// Date printed on the documents (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "file_to")]
    pub document_date: Option<String>,
    /// Apply the county's challenge deadline as of this date first (as `cmr review deadline
    /// apply --as-of`): every undecided item becomes DEEMED_CONCURRED and goes to filing.
    /// Without it only items already concurred or resolved are filed.
    #[arg(long, value_name = "YYYY-MM-DD", requires = "file_to")]
    pub deem_concurred_as_of: Option<String>,
    #[command(flatten)]
    pub signer: SignerArgs,
}

impl FileToArgs {
    /// The checked `--file-to` request, `None` without `--file-to`.
    fn checked(&self) -> Result<Option<FileTo>, Failure> {
        let Some(dir) = &self.file_to else {
            return Ok(None);
        };
        let usage = |u: crate::review::request::Usage| run_failure(u.0);
        let document_date = self
            .document_date
            .as_deref()
            .ok_or_else(|| run_failure("--document-date YYYY-MM-DD is required with --file-to"))?;
        Ok(Some(FileTo {
            dir: dir.clone(),
            document_date: file_request::date_flag("--document-date", document_date)
                .map_err(usage)?,
            deem_concurred_as_of: self
                .deem_concurred_as_of
                .as_deref()
                .map(|d| file_request::date_flag("--deem-concurred-as-of", d))
                .transpose()
                .map_err(usage)?,
            signer: file_request::signer(&self.signer).map_err(usage)?,
        }))
    }
}

/// Runs the command; returns the process exit code.
pub fn run(args: &RunArgs) -> i32 {
    let suffix = args
        .evaluate
        .file_name_suffix
        .as_deref()
        .map(|s| format!("_{s}"))
        .unwrap_or_default();
    let err_dir = args
        .evaluate
        .outputs
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let err_path = err_dir.join(format!("gogen{suffix}.err"));
    let settings = match validate(&args.evaluate, suffix) {
        Ok(settings) => settings,
        Err(failure) => return report_failures(&err_path, &[failure]),
    };
    if let Some(failure) = unsupported(args, &settings) {
        return report_failures(&err_path, &[failure]);
    }
    let file_to = match args.file_to.checked() {
        Ok(file_to) => file_to,
        Err(failure) => return report_failures(&err_path, &[failure]),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cmr run: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let outcome = runtime.block_on(async {
        let telemetry = cmr_telemetry::init("cmr-run", "warn,sqlx=warn,sea_orm=warn");
        // One span for the whole job: every call below carries it, so the run is one trace
        // across the four services. County and ids only.
        let span = tracing::info_span!("cmr.run", county = %settings.county);
        if telemetry.exporting() {
            let _entered = span.enter();
            if let Some(trace) = cmr_telemetry::current_trace_id() {
                eprintln!("cmr run: trace {trace}");
            }
        }
        let outcome = run_job(args, &settings, file_to.as_ref())
            .instrument(span)
            .await;
        telemetry.shutdown().await;
        outcome
    });
    if args.evaluate.report_peak_rss {
        eprintln!("peak_rss_kib={}", crate::evaluate::peak_rss_kib());
    }
    match outcome {
        Ok(()) => 0,
        Err(failure) => report_failures(&err_path, &[failure]),
    }
}

/// The job against running services (`--connect`) or a suite started in this process.
async fn run_job(
    args: &RunArgs,
    settings: &Settings,
    file_to: Option<&FileTo>,
) -> Result<(), Failure> {
    {
        if args.connect {
            let endpoints = Endpoints {
                ingest: args.ingest_endpoint.clone(),
                eligibility: args.eligibility_endpoint.clone(),
                verification: args.verification_endpoint.clone(),
                filing: args.filing_endpoint.clone(),
            };
            job(settings, &endpoints, file_to).await
        } else {
            let suite = Suite::start(&args.data_dir, SuiteListen::any_free_port())
                .await
                .map_err(|e| Failure {
                    key: String::new(),
                    error: FileError::other(format!("cannot start the services: {e:#}")),
                })?;
            let endpoints = suite.endpoints.clone();
            let outcome = job(settings, &endpoints, file_to).await;
            if let Err(e) = suite.stop().await {
                eprintln!("cmr run: the services did not stop cleanly: {e:#}");
            }
            outcome
        }
    }
}

/// What `cmr evaluate` takes that this command does not do over the wire yet.
fn unsupported(args: &RunArgs, settings: &Settings) -> Option<Failure> {
    let why = if args.evaluate.input_rap_sheet.is_some() {
        "cmr run takes a DOJ file; evaluate a RAP sheet with cmr evaluate --input-rap-sheet, or send it to ingest's IngestRapSheet"
    } else if settings.inputs.len() > 1 {
        "cmr run takes one --input-doj file (several files' gogen.json cannot be merged over the wire yet; use cmr evaluate)"
    } else if args.evaluate.last_7_years_from.is_some() {
        "--last-7-years-from is not supported by cmr run (the services count the last 7 years from --compute-at)"
    } else if matches!(settings.policy.flow, FlowSpec::LosAngeles(_))
        && (args.evaluate.individual_age.is_some() || args.evaluate.years_conviction_free.is_some())
    {
        "--individual-age and --years-conviction-free are not supported by cmr run"
    } else {
        return None;
    };
    Some(run_failure(why))
}

/// Clients of the three services a run talks to.
struct Clients {
    ingest: IngestServiceClient<TracedChannel>,
    eligibility: EligibilityServiceClient<TracedChannel>,
    verification: VerificationServiceClient<TracedChannel>,
}

fn status_error(service: &str, call: &str, status: &tonic::Status) -> Failure {
    run_failure(format!(
        "{service} {call}: {:?}: {}",
        status.code(),
        status.message()
    ))
}

async fn connect(endpoints: &Endpoints) -> Result<Clients, Failure> {
    let channel = |name: &'static str, url: String| async move {
        // Windows as large as the services' (see cmr-runtime): the batch streams both ways.
        let endpoint = tonic::transport::Endpoint::from_shared(url.clone())
            .map_err(|e| run_failure(format!("{name} endpoint {url}: {e}")))?
            .initial_stream_window_size(Some(4 << 20))
            .initial_connection_window_size(Some(8 << 20));
        endpoint
            .connect()
            .await
            .map(cmr_telemetry::traced)
            .map_err(|e| run_failure(format!("cannot reach the {name} service at {url}: {e}")))
    };
    Ok(Clients {
        ingest: IngestServiceClient::new(channel("ingest", endpoints.ingest.clone()).await?)
            .max_decoding_message_size(64 << 20),
        eligibility: EligibilityServiceClient::new(
            channel("eligibility", endpoints.eligibility.clone()).await?,
        ),
        verification: VerificationServiceClient::new(
            channel("verification", endpoints.verification.clone()).await?,
        ),
    })
}

/// The run, then (with `--file-to`) the paperwork.
async fn job(
    settings: &Settings,
    endpoints: &Endpoints,
    file_to: Option<&FileTo>,
) -> Result<(), Failure> {
    let started = Clock::now();
    let court_oris = pipeline(settings, endpoints).await?;
    let Some(to) = file_to else {
        return Ok(());
    };
    let scope = common::Scope {
        county_code: String::new(),
        county_name: settings.county.clone(),
        agency_id: String::new(),
    };
    let token = std::env::var("CMR_TOKEN").ok();
    let filed = crate::file::auto::file_to(
        &scope,
        &endpoints.verification,
        &endpoints.filing,
        token.as_deref(),
        &court_oris,
        to,
        "cmr run",
    )
    .await
    .map_err(|failure| run_failure(format!("--file-to: {}", failure.text())))?;
    if to.deem_concurred_as_of.is_some() {
        eprintln!(
            "cmr run: challenge deadline applied: {} items deemed concurred",
            filed.deemed_concurred
        );
    }
    if filed.without_court_ori > 0 {
        eprintln!(
            "cmr run: {} queued filings name no court ORI (their conviction rows have no STP_ORI_CODE) and cannot be filed",
            filed.without_court_ori
        );
    }
    if filed.without_court > filed.without_court_ori {
        eprintln!(
            "cmr run: {} queued filings have no court (give their ORI to a court with `cmr file courts put`)",
            filed.without_court - filed.without_court_ori
        );
    }
    eprintln!(
        "cmr run: {} documents of {} draft batches written to {} ({} batches generated from {} queued filings; {:.1} s)",
        filed.documents,
        filed.batches_downloaded,
        to.dir.display(),
        filed.batches_generated,
        filed.queued,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The whole job for the one input file; returns the court ORI codes of the run's
/// convictions.
async fn pipeline(settings: &Settings, endpoints: &Endpoints) -> Result<BTreeSet<String>, Failure> {
    let started = Clock::now();
    let path = settings.inputs[0].as_str();
    // The same "open" error `cmr evaluate` reports, before anything is sent.
    DojSource::open(path).map_err(|error| Failure {
        key: path.to_owned(),
        error,
    })?;
    let mut clients = connect(endpoints).await?;
    let scope = Some(common::Scope {
        county_code: String::new(),
        county_name: settings.county.clone(),
        agency_id: String::new(),
    });

    let batch = upload(&mut clients.ingest, &scope, settings, path).await?;
    let accounting = batch.accounting.unwrap_or_default();
    eprintln!(
        "cmr run: batch {}: {} rows received, {} stored, {} quarantined ({:.1} s)",
        batch.batch_id,
        accounting.rows_received,
        accounting.rows_stored,
        accounting.rows_quarantined,
        started.elapsed().as_secs_f64()
    );

    let policy = policy_ref(&mut clients.eligibility, &scope, &settings.policy).await?;
    let run = start_run(
        &mut clients.eligibility,
        &scope,
        &batch.batch_id,
        &policy,
        settings,
    )
    .await?;
    let summary = run.summary.clone().unwrap_or_default();
    let ran = run.policy.clone().unwrap_or(policy);
    eprintln!(
        "cmr run: run {} ({}@{}): {} subjects, {} convictions evaluated ({:.1} s)",
        run.run_id,
        ran.name,
        ran.version,
        summary.subjects_evaluated,
        summary.convictions_evaluated,
        started.elapsed().as_secs_f64()
    );

    let (staged, court_oris) =
        write_outputs(&mut clients, &scope, settings, &batch, &run, started).await?;
    let json_path = settings
        .outputs
        .join(format!("gogen{}.json", settings.suffix));
    let mut staged = staged;
    staged
        .add(json_path, summary.gogen_summary_json.as_bytes())
        .map_err(|error| Failure {
            key: String::new(),
            error,
        })?;
    if !summary.report_text.is_empty() {
        staged
            .add(report_path(settings, None), summary.report_text.as_bytes())
            .map_err(|error| Failure {
                key: String::new(),
                error,
            })?;
    }
    staged.commit().map_err(|error| Failure {
        key: path.to_owned(),
        error,
    })?;
    eprintln!(
        "cmr run: outputs written to {} ({:.1} s)",
        settings.outputs.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(court_oris)
}

/// Streams the file to ingest in 1 MiB messages. The upload announces the file's size, so a
/// broken-off upload can never pass for a complete file, and ingest, which hashes what it
/// receives, answers with the batch it already has for a file it has seen. The idempotency
/// key names this file on this machine (size, modification time, inode): repeating a
/// `cmr run` replays it instead of storing the file again. Hashing the file here first
/// would cost a second read of it before the first byte is sent.
async fn upload(
    client: &mut IngestServiceClient<TracedChannel>,
    scope: &Option<common::Scope>,
    settings: &Settings,
    path: &str,
) -> Result<ingest::Batch, Failure> {
    use std::os::unix::fs::MetadataExt;
    let file_failure = |error: FileError| Failure {
        key: path.to_owned(),
        error,
    };
    let meta = std::fs::metadata(path).map_err(|e| {
        file_failure(FileError::other(format!(
            "stat {path}: {}",
            go_os_message(&e)
        )))
    })?;
    let size = i64::try_from(meta.len()).unwrap_or(i64::MAX);
    let key = format!(
        "cmr-run:{size}-{}.{}-{}",
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ino()
    );
    let (check, _) = reading_rules(&settings.policy);
    let metadata = ingest::UploadMetadata {
        scope: scope.clone(),
        idempotency_key: Some(common::IdempotencyKey { key }),
        file_name: Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        expected_sha256: String::new(),
        expected_size_bytes: size,
        field_check: match check {
            FieldCheck::SameAsFirst => ingest::FieldCheck::SameAsFirst as i32,
            _ => ingest::FieldCheck::Strict95 as i32,
        },
    };
    let (tx, rx) = mpsc::channel::<ingest::UploadDojFileRequest>(4);
    let first = ingest::UploadDojFileRequest {
        payload: Some(ingest::upload_doj_file_request::Payload::Metadata(metadata)),
    };
    tx.send(first)
        .await
        .map_err(|_| run_failure("upload channel closed"))?;
    let owned = path.to_owned();
    let reader = tokio::task::spawn_blocking(move || send_chunks(&owned, &tx));
    let response = client.upload_doj_file(ReceiverStream::new(rx)).await;
    let read = reader
        .await
        .map_err(|e| run_failure(format!("upload reader failed: {e}")))?;
    match response {
        Ok(response) => {
            read.map_err(|e| {
                file_failure(FileError::other(format!(
                    "read {path}: {}",
                    go_os_message(&e)
                )))
            })?;
            let response = response.into_inner();
            response
                .batch
                .ok_or_else(|| run_failure("ingest UploadDojFile answered without a batch"))
        }
        Err(status) => Err(upload_failure(client, scope, path, &status).await),
    }
}

/// The failure to report for a refused upload: gogen's own error for a file gogen could not
/// read (kept by ingest on the failed batch), else the status.
async fn upload_failure(
    client: &mut IngestServiceClient<TracedChannel>,
    scope: &Option<common::Scope>,
    path: &str,
    status: &tonic::Status,
) -> Failure {
    let batch_id = status
        .message()
        .split_once("(batch ")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(id, _)| id.to_owned());
    if status.code() == tonic::Code::InvalidArgument
        && let Some(batch_id) = batch_id
        && let Ok(found) = client
            .get_batch(ingest::GetBatchRequest {
                scope: scope.clone(),
                batch_id,
            })
            .await
        && let Some(error) = found.into_inner().batch.and_then(|b| b.gogen_file_error)
    {
        let error_type = if error.error_type == ErrorType::Parsing.as_str() {
            ErrorType::Parsing
        } else {
            ErrorType::Other
        };
        let mut file_error = FileError::other(error.error_message);
        file_error.error_type = error_type;
        file_error.detail = Some(status.message().to_owned());
        return Failure {
            key: path.to_owned(),
            error: file_error,
        };
    }
    let mut failure = status_error("ingest", "UploadDojFile", status);
    failure.key = path.to_owned();
    failure
}

/// Reads the file into upload messages until it ends or the upload stops listening.
fn send_chunks(path: &str, tx: &mpsc::Sender<ingest::UploadDojFileRequest>) -> std::io::Result<()> {
    let mut file = File::open(path)?;
    loop {
        let mut chunk = vec![0u8; UPLOAD_CHUNK];
        let mut filled = 0;
        while filled < chunk.len() {
            let n = file.read(&mut chunk[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            return Ok(());
        }
        chunk.truncate(filled);
        let message = ingest::UploadDojFileRequest {
            payload: Some(ingest::upload_doj_file_request::Payload::Chunk(chunk)),
        };
        if tx.blocking_send(message).is_err() {
            // The call ended (its error is reported from the response).
            return Ok(());
        }
    }
}

/// The stored policy to run: a catalog policy by name, or the options file stored as a
/// version of the county's `cmr-run-options` policy (a changed file is a new version).
async fn policy_ref(
    client: &mut EligibilityServiceClient<TracedChannel>,
    scope: &Option<common::Scope>,
    policy: &Policy,
) -> Result<elig::PolicyRef, Failure> {
    let FlowSpec::Configurable(options) = &policy.flow else {
        return Ok(elig::PolicyRef {
            name: policy.name.clone(),
            version: 0,
        });
    };
    let threshold = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
    let body = elig::GogenConfigurable {
        dismiss_sections: options.dismiss.clone(),
        reduce_sections: options.reduce.clone(),
        subject_under_21_at_conviction: options.subject_under_21_at_conviction,
        subject_age_threshold: threshold(options.subject_age_threshold),
        years_since_conviction_threshold: threshold(options.years_since_conviction_threshold),
        years_crime_free_threshold: threshold(options.years_crime_free_threshold),
        subject_has_only_prop64_charges: options.subject_has_only_prop64_charges,
        subject_is_deceased: options.subject_is_deceased,
        seven_year_clock: elig::SevenYearClock::ComputeAt as i32,
        options_json: String::new(),
    };
    let key = {
        let mut hasher = Sha256::new();
        hasher.update(format!("{body:?}"));
        let digest = hasher.finalize();
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        format!("cmr-run-policy:{hex}")
    };
    let response = client
        .put_policy(elig::PutPolicyRequest {
            scope: scope.clone(),
            idempotency_key: Some(common::IdempotencyKey { key }),
            policy: Some(elig::Policy {
                r#ref: Some(elig::PolicyRef {
                    name: "cmr-run-options".to_owned(),
                    version: 0,
                }),
                description: "eligibility options given to cmr run".to_owned(),
                body: Some(elig::policy::Body::GogenConfigurable(body)),
                ..Default::default()
            }),
            expected_latest_version: 0,
            validate_only: false,
        })
        .await
        .map_err(|s| status_error("eligibility", "PutPolicy", &s))?
        .into_inner();
    response
        .policy
        .and_then(|p| p.r#ref)
        .ok_or_else(|| run_failure("eligibility PutPolicy answered without a policy"))
}

fn civil(date: Instant) -> common::CivilDate {
    let (year, month, day) = date.ymd();
    common::CivilDate {
        year: i32::try_from(year).unwrap_or(0),
        month: i32::try_from(month).unwrap_or(0),
        day: i32::try_from(day).unwrap_or(0),
    }
}

async fn start_run(
    client: &mut EligibilityServiceClient<TracedChannel>,
    scope: &Option<common::Scope>,
    batch_id: &str,
    policy: &elig::PolicyRef,
    settings: &Settings,
) -> Result<elig::Run, Failure> {
    let compute_at = settings.dates.compute_at;
    let key = format!(
        "cmr-run:{batch_id}:{}:{}:{}",
        policy.name,
        policy.version,
        compute_at.iso_date()
    );
    let response = client
        .start_run(elig::StartRunRequest {
            scope: scope.clone(),
            idempotency_key: Some(common::IdempotencyKey { key }),
            batch_id: batch_id.to_owned(),
            policy: Some(policy.clone()),
            compute_at: Some(civil(compute_at)),
            submit_to_verification: false,
        })
        .await
        .map_err(|s| status_error("eligibility", "StartRun", &s))?
        .into_inner();
    let run = response
        .run
        .ok_or_else(|| run_failure("eligibility StartRun answered without a run"))?;
    if run.status != elig::RunStatus::Succeeded as i32 {
        return Err(run_failure(format!(
            "run {} did not succeed (status {})",
            run.run_id, run.status
        )));
    }
    Ok(run)
}

/// Writes the three CSVs: the input rows, read again from the file this command uploaded,
/// with the cells eligibility printed for the rows it evaluated (merged on the data row
/// index). The file is read on a blocking thread while the determinations stream in and go
/// on to verification's review queue. Reading the local file rather than streaming the
/// stored rows back from ingest saves sending the whole batch over the wire again, and
/// keeps rows ingest quarantined (a blank SUBJECT_ID) in All_Results, as gogen does.
async fn write_outputs(
    clients: &mut Clients,
    scope: &Option<common::Scope>,
    settings: &Settings,
    batch: &ingest::Batch,
    run: &elig::Run,
    started: Clock,
) -> Result<(Staged, BTreeSet<String>), Failure> {
    let path = settings.inputs[0].clone();
    let before = file_stamp(&path);
    let columns = columns_for(&settings.policy);
    let (check, _) = reading_rules(&settings.policy);
    let finals = output_paths(settings, None);
    let temps: Vec<PathBuf> = finals.iter().map(|p| partial_path(p)).collect();
    let mut determinations = clients
        .eligibility
        .stream_run_results(elig::StreamRunResultsRequest {
            scope: scope.clone(),
            run_id: run.run_id.clone(),
            outcomes: Vec::new(),
            resume_after_determination_id: String::new(),
        })
        .await
        .map_err(|s| status_error("eligibility", "StreamRunResults", &s))?
        .into_inner();

    // The determinations are few beside the rows (one per conviction): collect their cells,
    // then format the file on every core as `cmr evaluate` does, while the review queue
    // takes the determinations on its own task.
    let mut printed = PrintedCells::new(columns.len());
    let mut review = ReviewQueue::start(clients.verification.clone(), &run.run_id, scope.clone());
    let mut court_oris = BTreeSet::new();
    while let Some(determination) = next_determination(&mut determinations).await? {
        if let Some(ori) = determination
            .conviction
            .as_ref()
            .map(|c| &c.court_ori_code)
            .filter(|o| !o.is_empty() && !court_oris.contains(*o))
        {
            court_oris.insert(ori.clone());
        }
        // A copy of the cells: the determination goes on to verification whole.
        let mut gogen = determination.gogen.clone().unwrap_or_default();
        let cells = columns
            .iter()
            .map(|&c| std::mem::take(cmr_eligibility::grpc::gogen_slot(&mut gogen, c)));
        printed.push(row_of(&determination), cells)?;
        review.push(determination).await?;
    }
    eprintln!(
        "cmr run: {} determinations received ({:.1} s)",
        printed.rows.len(),
        started.elapsed().as_secs_f64()
    );
    let writer = {
        let (path, temps) = (path.clone(), temps.clone());
        let layout = (settings.chunk_bytes, settings.threads);
        tokio::task::spawn_blocking(move || {
            write_csvs(&path, check, columns, &temps, &printed, layout)
        })
    };
    let review = review.finish().await;
    let rows = writer
        .await
        .map_err(|e| run_failure(format!("the output writer failed: {e}")))??;
    let review = review?;
    eprintln!(
        "cmr run: {} determinations sent to verification: {} queued for review, {} already queued, {} not needing review",
        review.sent, review.accepted, review.duplicates, review.not_queued
    );
    let received = batch.accounting.as_ref().map_or(0, |a| a.rows_received);
    if before != file_stamp(&path) || i64::try_from(rows).ok() != Some(received) {
        return Err(Failure {
            key: path.clone(),
            error: FileError::other(format!("{path} changed while it was being read")),
        });
    }
    Ok((
        Staged {
            temps,
            finals: finals.into(),
        },
        court_oris,
    ))
}

/// Size and modification time: enough to notice a file replaced between upload and output.
fn file_stamp(path: &str) -> Option<(u64, std::time::SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// The cells eligibility printed for the evaluated rows, in row order, in one buffer (a
/// `String` per cell would cost more than the bytes).
struct PrintedCells {
    width: usize,
    rows: Vec<u64>,
    /// End of every cell in `bytes`, `width` per row.
    ends: Vec<usize>,
    bytes: Vec<u8>,
}

impl PrintedCells {
    fn new(width: usize) -> Self {
        PrintedCells {
            width,
            rows: Vec::new(),
            ends: Vec::new(),
            bytes: Vec::new(),
        }
    }

    /// Adds the cells of data row `row`, which must come after every row added so far.
    fn push(&mut self, row: i64, cells: impl Iterator<Item = String>) -> Result<(), Failure> {
        let row = u64::try_from(row).map_err(|_| {
            run_failure(format!(
                "a determination names row {row}, which is not a row of the file"
            ))
        })?;
        if self.rows.last().is_some_and(|&last| last >= row) {
            return Err(run_failure(format!(
                "the determination of row {row} came out of row order"
            )));
        }
        self.rows.push(row);
        for cell in cells {
            self.bytes.extend_from_slice(cell.as_bytes());
            self.ends.push(self.bytes.len());
        }
        if self.ends.len() != self.rows.len() * self.width {
            return Err(run_failure(format!(
                "row {row} has the wrong number of cells"
            )));
        }
        Ok(())
    }

    /// Position of the first row at or after `row`.
    fn seek(&self, row: u64) -> usize {
        self.rows.partition_point(|&r| r < row)
    }

    /// The row at `position` and its cells.
    fn get(&self, position: usize) -> Option<(u64, Vec<&[u8]>)> {
        let row = *self.rows.get(position)?;
        let ends = &self.ends[position * self.width..(position + 1) * self.width];
        let mut start = if position == 0 {
            0
        } else {
            self.ends[position * self.width - 1]
        };
        let cells = ends
            .iter()
            .map(|&end| {
                let cell = &self.bytes[start..end];
                start = end;
                cell
            })
            .collect();
        Some((row, cells))
    }
}

/// Reads the file in chunks on worker threads and writes the three CSVs (under their
/// temporary names), each evaluated row with its printed cells. Returns the rows read.
fn write_csvs(
    path: &str,
    check: FieldCheck,
    columns: &'static [cmr_engine::output::Column],
    temps: &[PathBuf],
    printed: &PrintedCells,
    (chunk_bytes, threads): (usize, usize),
) -> Result<u64, Failure> {
    let file_failure = |error: FileError| Failure {
        key: path.to_owned(),
        error,
    };
    let mut files = OutputFiles::create(temps, columns).map_err(file_failure)?;
    // Formats a chunk whose first record is data row `first_row`; also counts the rows
    // that took printed cells.
    let format = |chunk: &Chunk, first_row: u64| {
        let mut next = printed.seek(first_row);
        let mut matched = 0usize;
        let out = format_chunk(
            chunk,
            check,
            columns,
            first_row,
            &mut |writer, record, row| match printed.get(next) {
                Some((at, cells)) if at == row => {
                    next += 1;
                    matched += 1;
                    writer.write_printed_row(record, Some(&cells))
                }
                _ => writer.write_printed_row(record, None),
            },
        );
        (out, matched)
    };
    let mut rows = 0u64;
    let mut matched = 0usize;
    let mut first_fields = None;
    for_each_chunk(
        DojSource::open(path)
            .map_err(file_failure)?
            .splitter(chunk_bytes),
        threads,
        // A worker cannot know how many records came before its chunk; it guesses one per
        // line, which holds unless a quoted field spans lines or a line is blank.
        |chunk| format(chunk, chunk.first_line - 1),
        |chunk, (mut out, mut used)| {
            if chunk.first_line - 1 != rows {
                (out, used) = format(chunk, rows); // the guess was wrong: format it again
            }
            std::mem::replace(&mut out.outcome, Ok(()))?;
            check_same_count(&mut first_fields, out.first_fields)?;
            files.append(&out)?;
            rows += out.rows;
            matched += used;
            Ok(())
        },
    )
    .map_err(file_failure)?;
    files.finish().map_err(file_failure)?;
    if matched != printed.rows.len() {
        let missing = printed.rows[printed.seek(rows).min(printed.rows.len() - 1)];
        return Err(run_failure(format!(
            "a determination names row {missing}, beyond the end of the file"
        )));
    }
    Ok(rows)
}

fn row_of(d: &elig::Determination) -> i64 {
    d.conviction.as_ref().map_or(-1, |c| c.data_row_index)
}

async fn next_determination(
    stream: &mut tonic::Streaming<elig::StreamRunResultsResponse>,
) -> Result<Option<elig::Determination>, Failure> {
    Ok(stream
        .message()
        .await
        .map_err(|s| status_error("eligibility", "StreamRunResults", &s))?
        .and_then(|m| m.determination))
}

/// Determinations on their way to verification, sent 1,000 at a time by a task of their
/// own, so the output files are written while verification stores. Each call's
/// idempotency key is the run and the call's position, so a repeated `cmr run` queues
/// nothing twice.
struct ReviewQueue {
    pending: Vec<elig::Determination>,
    batches: mpsc::Sender<Vec<elig::Determination>>,
    task: tokio::task::JoinHandle<Result<Submitted, Failure>>,
}

/// What verification answered, summed over the calls.
#[derive(Debug, Default)]
struct Submitted {
    sent: i64,
    accepted: i64,
    duplicates: i64,
    not_queued: i64,
}

impl ReviewQueue {
    fn start(
        mut client: VerificationServiceClient<TracedChannel>,
        run_id: &str,
        scope: Option<common::Scope>,
    ) -> Self {
        let (batches, mut incoming) = mpsc::channel::<Vec<elig::Determination>>(8);
        let run_id = run_id.to_owned();
        let task = tokio::spawn(
            async move {
                let mut totals = Submitted::default();
                let mut call = 0u64;
                while let Some(determinations) = incoming.recv().await {
                    let count = i64::try_from(determinations.len()).unwrap_or(i64::MAX);
                    let response = client
                        .submit_determinations(verif::SubmitDeterminationsRequest {
                            scope: scope.clone(),
                            idempotency_key: Some(common::IdempotencyKey {
                                key: format!("cmr-run:{run_id}:{call}"),
                            }),
                            determinations,
                        })
                        .await
                        .map_err(|s| status_error("verification", "SubmitDeterminations", &s))?
                        .into_inner();
                    call += 1;
                    totals.sent += count;
                    totals.accepted += response.accepted;
                    totals.duplicates += response.duplicates;
                    totals.not_queued += response.not_queued;
                }
                Ok(totals)
            }
            .instrument(tracing::Span::current()),
        );
        Self {
            pending: Vec::with_capacity(SUBMIT_BATCH),
            batches,
            task,
        }
    }

    async fn push(&mut self, determination: elig::Determination) -> Result<(), Failure> {
        self.pending.push(determination);
        if self.pending.len() >= SUBMIT_BATCH {
            let full = std::mem::replace(&mut self.pending, Vec::with_capacity(SUBMIT_BATCH));
            if self.batches.send(full).await.is_err() {
                // The task stopped on an error: report it.
                return Err(self.stopped().await);
            }
        }
        Ok(())
    }

    async fn stopped(&mut self) -> Failure {
        match (&mut self.task).await {
            Ok(Err(failure)) => failure,
            Ok(Ok(_)) => run_failure("the verification submitter stopped early"),
            Err(e) => run_failure(format!("the verification submitter failed: {e}")),
        }
    }

    /// Sends what is left and waits for every call to be answered.
    async fn finish(mut self) -> Result<Submitted, Failure> {
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() && self.batches.send(rest).await.is_err() {
            return Err(self.stopped().await);
        }
        drop(self.batches);
        self.task
            .await
            .map_err(|e| run_failure(format!("the verification submitter failed: {e}")))?
    }
}
