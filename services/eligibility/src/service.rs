//! The eligibility use cases: policies (immutable versions), runs and their
//! determinations. Knows the store, the domain and the ingest source, not the server.
//!
//! `StartRun` is synchronous: it evaluates the whole batch before it answers, so a
//! returned run is SUCCEEDED (or the call fails and the run is stored FAILED). A repeat of
//! a FAILED run (including one a crash interrupted: start-up marks RUNNING runs FAILED)
//! redoes it under the same run id: its determinations are deleted and written again
//! (delete-and-redo), so nothing is duplicated; `(run_id, row_index)` is also the
//! determinations' primary key.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Instant as Clock;

use cmr_engine::{FlowSpec, Policy};
use cmr_record::Instant;

use crate::domain::evaluate::RunEvaluation;
use crate::domain::explain::{ExplainedSubject, explain_subject};
use crate::domain::ids::{new_id, now_ms};
use crate::domain::model::{County, Run, RunStatus, StoredDetermination, StoredPolicy};
use crate::domain::policy::{body_json, engine_policy, run_key, sha256_hex};
use crate::error::EligibilityError;
use crate::source::IngestSource;
use crate::store::Store;

/// The built-in policy a run (or a what-if Explain) uses when its policy name is empty:
/// H&S 11361.8 as written, the default for a county with no policy of its own.
pub const DEFAULT_POLICY: &str = "statute";

/// Determinations buffered before a store transaction.
pub const DETERMINATIONS_PER_TRANSACTION: usize = 2000;

/// A policy to store.
#[derive(Clone, Debug)]
pub struct NewPolicy {
    pub county_name: String,
    pub name: String,
    pub description: String,
    pub flow: FlowSpec,
    /// When > 0, the current latest version must equal this.
    pub expected_latest_version: i32,
    pub validate_only: bool,
}

/// A validated StartRun request.
#[derive(Clone, Debug)]
pub struct StartRun {
    pub county: County,
    pub batch_id: String,
    pub policy_name: String,
    /// 0 = latest.
    pub policy_version: i32,
    pub compute_at: Instant,
}

/// A validated Explain request.
#[derive(Clone, Debug)]
pub struct ExplainQuery {
    pub county: County,
    pub subject_id: String,
    /// Explain as evaluated in this run; empty = what-if with the fields below.
    pub run_id: String,
    /// What-if: the policy (an empty name is [`DEFAULT_POLICY`]) and version (0 = latest).
    pub policy_name: String,
    pub policy_version: i32,
    /// What-if: required.
    pub compute_at: Option<Instant>,
}

/// The decision path of one subject, with what it was evaluated under.
#[derive(Clone, Debug)]
pub struct Explanation {
    pub subject_id: String,
    pub batch_id: String,
    /// Empty for a what-if.
    pub run_id: String,
    pub county: County,
    pub policy: Policy,
    /// YYYY-MM-DD.
    pub compute_at: String,
    pub explained: ExplainedSubject,
}

/// The eligibility service's state. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Eligibility {
    pub store: Store,
    source: IngestSource,
    /// Runs being evaluated by this process (run ids).
    running: Arc<Mutex<HashSet<String>>>,
}

/// Releases a claimed run id when dropped.
struct Claim {
    running: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let Ok(mut set) = self.running.lock() {
            set.remove(&self.id);
        }
    }
}

impl Eligibility {
    #[must_use]
    pub fn new(store: Store, source: IngestSource) -> Self {
        Self {
            store,
            source,
            running: Arc::default(),
        }
    }

    fn claim(&self, id: &str) -> Option<Claim> {
        let mut set = self.running.lock().ok()?;
        set.insert(id.to_owned()).then(|| Claim {
            running: Arc::clone(&self.running),
            id: id.to_owned(),
        })
    }

    // ----- policies -----

    /// Stores the built-in policies (`Policy::catalog()`) under their own counties;
    /// unchanged bodies store nothing, so this is idempotent.
    pub async fn seed_catalog(&self) -> Result<(), EligibilityError> {
        for policy in Policy::catalog() {
            self.put_policy(NewPolicy {
                county_name: policy.county.clone().unwrap_or_default(),
                name: policy.name.clone(),
                description: policy.description.clone(),
                flow: policy.flow.clone(),
                expected_latest_version: 0,
                validate_only: false,
            })
            .await?;
        }
        Ok(())
    }

    /// Stores a policy version: a changed body becomes latest + 1, an unchanged body
    /// returns the latest (`created = false`).
    pub async fn put_policy(
        &self,
        new: NewPolicy,
    ) -> Result<(StoredPolicy, bool), EligibilityError> {
        let body = body_json(&new.county_name, &new.flow);
        let latest = self
            .store
            .latest_policy(&new.county_name, &new.name)
            .await?;
        let latest_version = latest.as_ref().map_or(0, |p| p.version);
        if new.expected_latest_version > 0 && new.expected_latest_version != latest_version {
            return Err(EligibilityError::Aborted(format!(
                "STALE_VERSION: latest version of {} is {latest_version}, not {}",
                new.name, new.expected_latest_version
            )));
        }
        if let Some(latest) = latest
            && latest.body_json == body
        {
            return Ok((latest, false));
        }
        let stored = StoredPolicy {
            id: new_id(),
            county_name: new.county_name,
            name: new.name,
            version: latest_version + 1,
            description: new.description,
            body_sha256: sha256_hex(body.as_bytes()),
            body_json: body,
            created_at_ms: now_ms(),
        };
        engine_policy(&stored).map_err(|e| EligibilityError::InvalidArgument {
            field: "policy",
            description: format!("POLICY_INVALID: {e}"),
        })?;
        if new.validate_only {
            return Ok((stored, false));
        }
        if let Err(error) = self.store.insert_policy(&stored).await {
            // A concurrent put took the version.
            tracing::warn!(%error, "policy insert failed");
            return Err(EligibilityError::Aborted(format!(
                "version {} of {} was stored concurrently; retry",
                stored.version, stored.name
            )));
        }
        Ok((stored, true))
    }

    /// One policy version (0 = latest).
    pub async fn get_policy(
        &self,
        county_name: &str,
        name: &str,
        version: i32,
    ) -> Result<StoredPolicy, EligibilityError> {
        let found = if version <= 0 {
            self.store.latest_policy(county_name, name).await?
        } else {
            self.store.get_policy(county_name, name, version).await?
        };
        found.ok_or_else(|| EligibilityError::NotFound {
            what: "policy",
            id: if version <= 0 {
                name.to_owned()
            } else {
                format!("{name}@{version}")
            },
        })
    }

    /// The policy a run of `county_name` uses: an empty name is [`DEFAULT_POLICY`]; a name
    /// is looked up among the county's policies first, then among the built-in policies
    /// written for any county (seeded under the empty county name).
    pub async fn resolve_policy(
        &self,
        county_name: &str,
        name: &str,
        version: i32,
    ) -> Result<StoredPolicy, EligibilityError> {
        let name = if name.is_empty() {
            DEFAULT_POLICY
        } else {
            name
        };
        match self.get_policy(county_name, name, version).await {
            Err(EligibilityError::NotFound { .. }) if !county_name.is_empty() => {
                self.get_policy("", name, version).await
            }
            found => found,
        }
    }

    /// The county's policies: every version, or the latest of each name.
    pub async fn list_policies(
        &self,
        county_name: &str,
        name: Option<&str>,
        all_versions: bool,
    ) -> Result<Vec<StoredPolicy>, EligibilityError> {
        let mut all = self.store.list_policies(county_name, name).await?;
        if !all_versions {
            // Ordered by name then version: keep the last of each name.
            let mut latest: Vec<StoredPolicy> = Vec::new();
            for p in all.drain(..) {
                match latest.last_mut() {
                    Some(last) if last.name == p.name => *last = p,
                    _ => latest.push(p),
                }
            }
            all = latest;
        }
        Ok(all)
    }

    // ----- runs -----

    /// Starts the run of the natural key, or returns it (`reused = true`) when the key has
    /// a run. A FAILED run is redone under the same id.
    #[tracing::instrument(
        name = "eligibility.start_run",
        skip_all,
        fields(county = %request.county.name, batch_id = %request.batch_id, policy = %request.policy_name)
    )]
    pub async fn start_run(&self, request: StartRun) -> Result<(Run, bool), EligibilityError> {
        let stored = self
            .resolve_policy(
                &request.county.name,
                &request.policy_name,
                request.policy_version,
            )
            .await?;
        let policy = engine_policy(&stored)
            .map_err(|e| EligibilityError::Internal(format!("stored policy is invalid: {e}")))?;
        policy
            .check_county(&request.county.name)
            .map_err(|e| EligibilityError::FailedPrecondition(e.to_string()))?;
        let date = request.compute_at.iso_date();
        let key = run_key(
            &request.batch_id,
            &request.county.name,
            &stored.name,
            stored.version,
            &date,
        );

        let (run, reused) = match self.store.find_run_by_key(&key).await? {
            // The key names the county by name only: a run stored under another county
            // code is another county's, and its batch is not there for this scope.
            Some(run) if !in_county(&request.county, &run) => {
                return Err(EligibilityError::NotFound {
                    what: "batch",
                    id: request.batch_id,
                });
            }
            Some(run) => (run, true),
            None => {
                // A batch that is not there (or not this county's) must not leave a run.
                self.source
                    .complete_batch(&request.county, &request.batch_id)
                    .await?;
                let run = Run {
                    id: new_id(),
                    run_key: key.clone(),
                    batch_id: request.batch_id.clone(),
                    county: request.county.clone(),
                    policy_name: stored.name.clone(),
                    policy_version: stored.version,
                    compute_at: date,
                    status: RunStatus::Failed,
                    rows_received: 0,
                    subjects_evaluated: 0,
                    convictions_evaluated: 0,
                    subjects_with_relief: 0,
                    outcome_counts: Vec::new(),
                    summary_json: String::new(),
                    report_text: String::new(),
                    error: Some("not started".to_owned()),
                    created_at_ms: now_ms(),
                    started_at_ms: None,
                    finished_at_ms: None,
                };
                match self.store.insert_run(&run).await {
                    Ok(()) => (run, false),
                    // Lost a race for the key: the winner's run is the run.
                    Err(error) => match self.store.find_run_by_key(&key).await? {
                        Some(existing) => (existing, true),
                        None => return Err(error.into()),
                    },
                }
            }
        };
        if run.status != RunStatus::Failed {
            return Ok((run, reused));
        }
        let Some(_claim) = self.claim(&run.id) else {
            // Another request of this process is evaluating it.
            return Ok((run, true));
        };
        // Re-read under the claim: another request may have finished it meanwhile.
        let run = self.store.get_run(&run.id).await?.unwrap_or(run);
        if run.status != RunStatus::Failed {
            return Ok((run, reused));
        }
        self.execute(&run, policy, request.compute_at).await?;
        let done = self
            .store
            .get_run(&run.id)
            .await?
            .ok_or_else(|| EligibilityError::Internal(format!("run {} vanished", run.id)))?;
        Ok((done, reused))
    }

    /// Evaluates a run from scratch (delete-and-redo) and records the outcome.
    async fn execute(
        &self,
        run: &Run,
        policy: Policy,
        compute_at: Instant,
    ) -> Result<(), EligibilityError> {
        self.store.begin_run(&run.id, now_ms()).await?;
        match self.evaluate(run, policy, compute_at).await {
            Ok(totals) => {
                self.store.finish_run(&run.id, &totals).await?;
                for (outcome, count) in &totals.outcome_counts {
                    cmr_telemetry::counter(
                        "cmr.eligibility.determinations",
                        u64::try_from(*count).unwrap_or(0),
                        &[
                            opentelemetry::KeyValue::new("county", run.county.name.clone()),
                            opentelemetry::KeyValue::new("outcome", i64::from(*outcome)),
                        ],
                    );
                }
                Ok(())
            }
            Err(error) => {
                tracing::warn!(run_id = %run.id, %error, "run failed");
                self.store.fail_run(&run.id, &error.to_string()).await?;
                Err(error)
            }
        }
    }

    #[tracing::instrument(name = "eligibility.evaluate", skip_all, fields(run_id = %run.id))]
    async fn evaluate(
        &self,
        run: &Run,
        policy: Policy,
        compute_at: Instant,
    ) -> Result<crate::domain::model::RunTotals, EligibilityError> {
        let started = Clock::now();
        let (line_count, mut subjects) = self.source.open(&run.county, &run.batch_id).await?;
        let mut evaluation = RunEvaluation::new(policy, &run.county.name, compute_at, line_count);
        // The store writes one transaction while the next subjects are evaluated.
        let (full, mut to_write) = tokio::sync::mpsc::channel::<Vec<StoredDetermination>>(2);
        let store = self.store.clone();
        let writer = tokio::spawn(async move {
            while let Some(batch) = to_write.recv().await {
                store.write_determinations(&batch).await?;
            }
            Ok::<(), crate::store::StoreError>(())
        });
        let mut pending: Vec<StoredDetermination> = Vec::new();
        let evaluated = async {
            while let Some(subject) = subjects.next().await? {
                let decided = evaluation.subject(&subject.rows).map_err(|e| {
                    EligibilityError::FailedPrecondition(format!("batch {}: {e}", run.batch_id))
                })?;
                pending.extend(
                    decided
                        .into_iter()
                        .map(|d| d.stored(&run.id, &subject.subject_id)),
                );
                if pending.len() >= DETERMINATIONS_PER_TRANSACTION
                    && full.send(std::mem::take(&mut pending)).await.is_err()
                {
                    break; // the writer failed: its error is returned below
                }
            }
            if !pending.is_empty() {
                let _ = full.send(std::mem::take(&mut pending)).await;
            }
            Ok::<(), EligibilityError>(())
        }
        .await;
        drop(full);
        let written = writer
            .await
            .map_err(|e| EligibilityError::Internal(format!("determination writer failed: {e}")))?;
        evaluated?;
        written?;
        Ok(evaluation.finish(started.elapsed().as_secs_f64()))
    }

    // ----- explain -----

    /// Re-evaluates one subject, as a run did (its batch, policy and compute-at) or as a
    /// what-if (nothing stored), and returns every rule tried. The subject is fetched from
    /// ingest by id; it must be in the run's batch (or, for a what-if, in a COMPLETE
    /// batch of the county).
    pub async fn explain(&self, query: ExplainQuery) -> Result<Explanation, EligibilityError> {
        let (run, stored, compute_at) = if query.run_id.is_empty() {
            let compute_at = query
                .compute_at
                .ok_or_else(|| EligibilityError::InvalidArgument {
                    field: "compute_at",
                    description: "compute_at is required without run_id".to_owned(),
                })?;
            let stored = self
                .resolve_policy(&query.county.name, &query.policy_name, query.policy_version)
                .await?;
            (None, stored, compute_at)
        } else {
            let run = self.run_in_county(&query.county, &query.run_id).await?;
            if run.status != RunStatus::Succeeded {
                return Err(EligibilityError::FailedPrecondition(format!(
                    "INVALID_STATE: run {} has not succeeded",
                    run.id
                )));
            }
            let stored = self
                .resolve_policy(&run.county.name, &run.policy_name, run.policy_version)
                .await?;
            let compute_at = iso_instant(&run.compute_at).ok_or_else(|| {
                EligibilityError::Internal(format!("run {} has a bad compute_at", run.id))
            })?;
            (Some(run), stored, compute_at)
        };
        let county = run.as_ref().map_or(&query.county, |r| &r.county).clone();
        let policy = engine_policy(&stored)
            .map_err(|e| EligibilityError::Internal(format!("stored policy is invalid: {e}")))?;
        policy
            .check_county(&county.name)
            .map_err(|e| EligibilityError::FailedPrecondition(e.to_string()))?;
        let (batch_id, subject) = self.source.subject(&county, &query.subject_id).await?;
        match &run {
            Some(run) if run.batch_id != batch_id => {
                return Err(EligibilityError::NotFound {
                    what: "subject",
                    id: format!("{} in run {}", query.subject_id, run.id),
                });
            }
            Some(_) => {}
            None => {
                self.source.complete_batch(&county, &batch_id).await?;
            }
        }
        let explained = explain_subject(policy.clone(), &county.name, compute_at, &subject.rows)
            .map_err(|e| EligibilityError::FailedPrecondition(format!("batch {batch_id}: {e}")))?;
        Ok(Explanation {
            subject_id: subject.subject_id,
            batch_id,
            run_id: run.map(|r| r.id).unwrap_or_default(),
            county,
            policy,
            compute_at: compute_at.iso_date(),
            explained,
        })
    }

    /// One run of the county.
    pub async fn run_in_county(&self, county: &County, id: &str) -> Result<Run, EligibilityError> {
        match self.store.get_run(id).await? {
            Some(run) if in_county(county, &run) => Ok(run),
            _ => Err(EligibilityError::NotFound {
                what: "run",
                id: id.to_owned(),
            }),
        }
    }
}

/// Whether a stored run is the county's: the same name, and the same code when the request
/// gives one.
fn in_county(county: &County, run: &Run) -> bool {
    run.county.name == county.name && (county.code.is_empty() || county.code == run.county.code)
}

/// The instant of a stored `YYYY-MM-DD` date.
fn iso_instant(iso: &str) -> Option<Instant> {
    let mut parts = iso.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let instant = Instant::from_ymd(y, m, d);
    (instant.iso_date() == iso).then_some(instant)
}
