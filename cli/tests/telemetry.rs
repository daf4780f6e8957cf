//! Issue 7's acceptance: four real `cmr serve` processes and `cmr run --connect` export to an
//! in-process OTLP collector. One run is one trace across all four services, and neither
//! the exported spans nor any log line carries a name, date of birth or CII number of the
//! input file (`samples/doj_sample.csv`).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use support::{CMR, Service, within};
use tokio_stream::wrappers::TcpListenerStream;

/// What the fake collector received.
#[derive(Clone, Default)]
struct Collected {
    traces: Arc<Mutex<Vec<ExportTraceServiceRequest>>>,
    metrics: Arc<Mutex<Vec<ExportMetricsServiceRequest>>>,
}

#[tonic::async_trait]
impl TraceService for Collected {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        self.traces.lock().unwrap().push(request.into_inner());
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

#[tonic::async_trait]
impl MetricsService for Collected {
    async fn export(
        &self,
        request: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        self.metrics.lock().unwrap().push(request.into_inner());
        Ok(tonic::Response::new(ExportMetricsServiceResponse::default()))
    }
}

async fn collector() -> (String, Collected) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let collected = Collected::default();
    let server = tonic::transport::Server::builder()
        .add_service(TraceServiceServer::new(collected.clone()))
        .add_service(MetricsServiceServer::new(collected.clone()))
        .serve_with_incoming(TcpListenerStream::new(listener));
    tokio::spawn(server);
    (format!("http://{addr}"), collected)
}

/// Every string an attribute list holds, nested values included.
fn strings(attributes: &[KeyValue], out: &mut Vec<String>) {
    fn value(v: &AnyValue, out: &mut Vec<String>) {
        match &v.value {
            Some(any_value::Value::StringValue(s)) => out.push(s.clone()),
            Some(any_value::Value::ArrayValue(a)) => a.values.iter().for_each(|v| value(v, out)),
            Some(any_value::Value::KvlistValue(l)) => strings(&l.values, out),
            Some(other) => out.push(format!("{other:?}")),
            None => {}
        }
    }
    for kv in attributes {
        out.push(kv.key.clone());
        if let Some(v) = &kv.value {
            value(v, out);
        }
    }
}

fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    attributes.iter().find(|kv| kv.key == key).and_then(|kv| {
        match kv.value.as_ref()?.value.as_ref()? {
            any_value::Value::StringValue(s) => Some(s.as_str()),
            _ => None,
        }
    })
}

/// Names, dates of birth and CII numbers of the sample file, read from its columns.
fn personal_values(csv_path: &Path) -> BTreeSet<String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(csv_path)
        .expect("sample csv");
    let headers = reader.headers().unwrap().clone();
    let wanted = [
        "PRI_NAME",
        "REQ_NAME",
        "PRI_DOB",
        "REQ_DOB",
        "CII_NUMBER",
        "REQ_CII_NUMBER",
    ];
    let columns: Vec<usize> = wanted
        .iter()
        .map(|w| headers.iter().position(|h| h == *w).expect(w))
        .collect();
    let mut values = BTreeSet::new();
    for record in reader.records() {
        let record = record.unwrap();
        for &c in &columns {
            let v = record.get(c).unwrap_or_default().trim();
            // Blanks and zero dates are not personal; anything 6 characters or longer is.
            if v.len() >= 6 && v != "00000000" {
                values.insert(v.to_owned());
            }
        }
    }
    assert!(
        values.len() >= 10,
        "the sample should name several people: {}",
        values.len()
    );
    values
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_run_is_one_trace_across_four_services_and_nothing_personal_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let sample = root.join("samples/doj_sample.csv");
    let (endpoint, collected) = collector().await;
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("CMR_LOG_FORMAT", "json"),
        ("RUST_LOG", "info"),
    ];
    let filing = Service::start_with_env("filing", &dir.path().join("filing.db"), &[], &env).await;
    let ingest = Service::start_with_env("ingest", &dir.path().join("ingest.db"), &[], &env).await;
    let eligibility = Service::start_with_env(
        "eligibility",
        &dir.path().join("eligibility.db"),
        &["--ingest-endpoint", &ingest.endpoint],
        &env,
    )
    .await;
    let verification = Service::start_with_env(
        "verification",
        &dir.path().join("verification.db"),
        &["--verification-filing-endpoint", &filing.endpoint],
        &env,
    )
    .await;

    let path = |p: &Path| p.display().to_string();
    let out = dir.path().join("out");
    let mut command = std::process::Command::new(CMR);
    command
        .args(["run", "--connect", "--input-doj"])
        .arg(path(&sample))
        .args(["--county", "SACRAMENTO", "--compute-at", "2020-07-01"])
        .arg("--eligibility-options")
        .arg(path(&root.join("samples/eligibility_options.json")))
        .arg("--outputs")
        .arg(path(&out))
        .args(["--ingest-endpoint", &ingest.endpoint])
        .args(["--eligibility-endpoint", &eligibility.endpoint])
        .args(["--verification-endpoint", &verification.endpoint])
        .args(["--filing-endpoint", &filing.endpoint])
        .arg("--file-to")
        .arg(path(&out.join("filings")))
        .args([
            "--document-date",
            "2026-11-30",
            "--deem-concurred-as-of",
            "2026-11-30",
        ])
        .args([
            "--signer-name",
            "A. Prosecutor",
            "--signer-title",
            "Deputy District Attorney",
        ])
        .args([
            "--bar-number",
            "123456",
            "--office",
            "Office of the District Attorney",
        ])
        .envs(env);
    let run = tokio::task::spawn_blocking(move || command.output());
    let run = within(Duration::from_secs(300), "cmr run --connect", run)
        .await
        .expect("join")
        .expect("cmr run");
    let run_log = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "cmr run failed:\n{run_log}");
    let trace_line = run_log
        .lines()
        .find_map(|l| l.strip_prefix("cmr run: trace "))
        .unwrap_or_else(|| panic!("cmr run names no trace:\n{run_log}"))
        .trim()
        .to_owned();

    let mut logs: Vec<String> = run_log.lines().map(str::to_owned).collect();
    for service in [verification, eligibility, ingest, filing] {
        logs.extend(service.stop());
    }

    // Spans, by the service.name of the process that exported them.
    let mut trace_ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut exported: Vec<String> = Vec::new();
    let mut spans = 0;
    for request in collected.traces.lock().unwrap().iter() {
        for resource_spans in &request.resource_spans {
            let resource = resource_spans.resource.clone().unwrap_or_default();
            let service = attribute(&resource.attributes, "service.name")
                .unwrap_or("?")
                .to_owned();
            strings(&resource.attributes, &mut exported);
            for scope in &resource_spans.scope_spans {
                for span in &scope.spans {
                    spans += 1;
                    let id: String = span.trace_id.iter().map(|b| format!("{b:02x}")).collect();
                    trace_ids.entry(service.clone()).or_default().insert(id);
                    exported.push(span.name.clone());
                    strings(&span.attributes, &mut exported);
                    for event in &span.events {
                        exported.push(event.name.clone());
                        strings(&event.attributes, &mut exported);
                    }
                }
            }
        }
    }
    for service in [
        "cmr-run",
        "cmr-ingest",
        "cmr-eligibility",
        "cmr-verification",
        "cmr-filing",
    ] {
        let ids = trace_ids
            .get(service)
            .unwrap_or_else(|| panic!("no spans from {service}: {trace_ids:?}"));
        assert_eq!(
            ids,
            &BTreeSet::from([trace_line.clone()]),
            "{service}'s spans are not all in the run's trace"
        );
    }
    assert!(spans >= 10, "only {spans} spans exported");
    eprintln!(
        "spans: {spans} from {:?}; log lines: {}",
        trace_ids.keys(),
        logs.len()
    );

    // Metrics arrived too: RPC latency from the services.
    let metric_names: BTreeSet<String> = collected
        .metrics
        .lock()
        .unwrap()
        .iter()
        .flat_map(|r| r.resource_metrics.iter())
        .flat_map(|r| r.scope_metrics.iter())
        .flat_map(|s| s.metrics.iter())
        .map(|m| m.name.clone())
        .collect();
    for name in [
        "cmr.rpc.server.duration_ms",
        "cmr.ingest.rows_stored",
        "cmr.ingest.rows_quarantined",
        "cmr.eligibility.determinations",
        "cmr.review.queued",
        "cmr.review.deemed_concurred",
        "cmr.review.backlog",
        "cmr.review.deadline_distance_days",
    ] {
        assert!(
            metric_names.contains(name),
            "{name} missing from {metric_names:?}"
        );
    }

    let personal = personal_values(&sample);
    for text in &exported {
        for value in &personal {
            assert!(
                !text.contains(value.as_str()),
                "an exported attribute holds personal data: {text:?}"
            );
        }
    }
    assert!(
        logs.len() > 20,
        "too few log lines to mean anything: {}",
        logs.len()
    );
    for line in &logs {
        for value in &personal {
            assert!(
                !line.contains(value.as_str()),
                "a log line holds personal data: {line}"
            );
        }
    }
    // Services log JSON when asked to (one object per line).
    let json_lines = logs
        .iter()
        .filter(|l| l.starts_with('{') && serde_json::from_str::<serde_json::Value>(l).is_ok())
        .count();
    assert!(
        json_lines > 10,
        "expected JSON log lines, found {json_lines}"
    );
}
