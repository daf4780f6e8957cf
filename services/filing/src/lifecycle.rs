//! The filing lifecycle use cases: courts, challenged items, filing batches and their
//! documents, filing, court outcomes, the DOJ update and the impact report. Knows the store,
//! the domain and the documents contract, not tonic. Errors name ids and states only.

use std::collections::HashMap;

use cmr_proto::filing::v1 as pb;
use prost::Message;
use sha2::{Digest, Sha256};

use crate::documents::{
    BatchInput, CaseLine, ChallengedLine, CourtInfo, DocumentKind, Rendered, SignerInfo,
};
use crate::domain::doj_update::{self, DojRow};
use crate::domain::ids::{new_id, now_ms};
use crate::domain::impact::{self, Dimension, ImpactRow, Report};
use crate::domain::model::{
    Batch, BatchStatus, BatchView, Challenged, County, Court, DECISION_DENIED, DECISION_GRANTED,
    Document, Filing, FilingStatus, Outcome, OutcomeFilter, date_parts,
};
use crate::error::FilingError;
use crate::service::{Filings, MAX_ITEMS, is_opaque_id};
use crate::store::{Generated, NewBatch, OutcomeWrite, Regenerate};

/// Who asks (from the request scope; the filing service has no tokens yet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Actor {
    pub principal_id: String,
    pub agency_id: String,
}

/// A validated `GenerateFilings`.
#[derive(Clone, Debug, Default)]
pub struct Generate {
    pub court_id: String,
    pub agency_id: String,
    /// Set for a regeneration.
    pub filing_batch_id: String,
    pub filing_ids: Vec<String>,
    /// Empty = all.
    pub kinds: Vec<DocumentKind>,
    pub signer: Option<pb::Signer>,
    /// `yyyymmdd`; required for a new batch.
    pub document_date: Option<i32>,
    pub actor: Actor,
}

/// A validated `RecordOutcome`.
#[derive(Clone, Debug, Default)]
pub struct RecordOutcome {
    pub filing_id: String,
    pub decision: i16,
    pub decided_on: i32,
    pub order_number: String,
    pub granted_relief: i16,
    pub supersedes_outcome_id: String,
    pub note: String,
    pub actor: Actor,
}

/// A validated `ExportDojUpdate`.
#[derive(Clone, Debug, Default)]
pub struct Export {
    pub court_id: Option<String>,
    pub decided_from: Option<i32>,
    pub decided_to: Option<i32>,
    pub not_exported_only: bool,
    pub mark_exported: bool,
}

/// A validated `ImpactReport`.
#[derive(Clone, Debug, Default)]
pub struct Impact {
    pub group_by: Vec<Dimension>,
    pub decided_from: Option<i32>,
    pub decided_to: Option<i32>,
    /// Proto `CourtDecision`; GRANTED when unspecified.
    pub decision: i16,
    pub min_cell_size: i32,
    pub run_id: Option<String>,
}

fn precondition(message: String) -> FilingError {
    FilingError::FailedPrecondition(message)
}

fn invalid(field: &'static str, description: &str) -> FilingError {
    FilingError::InvalidArgument {
        field,
        description: description.to_owned(),
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Lower-case hex SHA-256.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn decode_relief(filing: &Filing) -> Result<pb::VerifiedRelief, FilingError> {
    pb::VerifiedRelief::decode(filing.relief.as_slice())
        .map_err(|_| FilingError::Internal(format!("filing {} is corrupt", filing.id)))
}

fn ymd(number: i32) -> (i32, u32, u32) {
    let (y, m, d) = date_parts(number);
    (
        y,
        u32::try_from(m).unwrap_or(0),
        u32::try_from(d).unwrap_or(0),
    )
}

fn civil(date: Option<&cmr_proto::common::v1::CivilDate>) -> Option<(i32, u32, u32)> {
    date.map(|d| {
        (
            d.year,
            u32::try_from(d.month).unwrap_or(0),
            u32::try_from(d.day).unwrap_or(0),
        )
    })
}

fn signer_info(signer: &pb::Signer) -> SignerInfo {
    SignerInfo {
        name: signer.name.clone(),
        title: signer.title.clone(),
        bar_number: signer.bar_number.clone(),
        office_name: signer.office_name.clone(),
        address_lines: signer.address_lines.clone(),
        phone: signer.phone.clone(),
        email: signer.email.clone(),
    }
}

fn challenged_line(stored: &Challenged) -> Result<ChallengedLine, FilingError> {
    let item = pb::ChallengedItem::decode(stored.item.as_slice())
        .map_err(|_| FilingError::Internal(format!("challenged item {} is corrupt", stored.id)))?;
    let person = item.person.clone().unwrap_or_default();
    Ok(ChallengedLine {
        review_item_id: item.review_item_id.clone(),
        subject_id: item.subject_id.clone(),
        name: person.name,
        date_of_birth: civil(person.date_of_birth.as_ref()),
        cii_number: person.cii_number,
        case_number: item.case_number.clone(),
        code_section: item.code_section.clone(),
        conviction_date: civil(item.conviction_date.as_ref()),
        ground: item
            .ground
            .strip_prefix("CHALLENGE_GROUND_")
            .unwrap_or(&item.ground)
            .to_owned(),
    })
}

impl Filings {
    // ----- courts -----

    /// Creates or replaces a court; queued filings with no court whose ORI it covers join it.
    pub async fn put_court(&self, mut court: Court) -> Result<Court, FilingError> {
        if !is_opaque_id(&court.court_id) || court.court_id.len() > 64 {
            return Err(invalid(
                "court.court_id",
                "required, 1-64 characters of [A-Za-z0-9._:-]",
            ));
        }
        if court.name.trim().is_empty() {
            return Err(invalid("court.name", "the caption name is required"));
        }
        for ori in &court.ori_codes {
            if ori.is_empty() || ori.len() > 16 || ori.contains(['\n', '\r']) {
                return Err(invalid("court.ori_codes", "each 1-16 characters"));
            }
        }
        court.ori_codes.sort();
        court.ori_codes.dedup();
        for other in self.store.courts(&court.county).await? {
            if other.court_id == court.court_id {
                continue;
            }
            if let Some(ori) = other.ori_codes.iter().find(|o| court.ori_codes.contains(o)) {
                return Err(FilingError::AlreadyExists(format!(
                    "ori code {ori} already belongs to court {}",
                    other.court_id
                )));
            }
        }
        court.updated_at_ms = now_ms();
        let attached = self.store.put_court(court.clone()).await?;
        tracing::info!(court_id = %court.court_id, attached, "court put");
        Ok(court)
    }

    // ----- challenged items -----

    /// Keeps challenged items for the defender's notice; `(accepted, duplicates)`.
    pub async fn submit_challenged(
        &self,
        county: &County,
        items: Vec<pb::ChallengedItem>,
    ) -> Result<(i64, i64), FilingError> {
        if items.len() > MAX_ITEMS {
            return Err(invalid("items", "TOO_LARGE: at most 1000 per call"));
        }
        let now = now_ms();
        let offered = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let mut seen = std::collections::HashSet::new();
        let mut rows = Vec::new();
        for item in items {
            if !is_opaque_id(&item.review_item_id) {
                return Err(invalid(
                    "items.review_item_id",
                    "required, 1-128 characters of [A-Za-z0-9._:-]",
                ));
            }
            if !is_opaque_id(&item.decision_id) {
                return Err(FilingError::InvalidArgument {
                    field: "items.decision_id",
                    description: format!(
                        "required, 1-128 characters of [A-Za-z0-9._:-] (review item {})",
                        item.review_item_id
                    ),
                });
            }
            if item.run_id.len() > 64
                || item.subject_id.len() > 64
                || item.agency_id.len() > 128
                || item.court_ori_code.len() > 16
            {
                return Err(FilingError::InvalidArgument {
                    field: "items",
                    description: format!("an id is too long (review item {})", item.review_item_id),
                });
            }
            if !seen.insert((item.review_item_id.clone(), item.decision_id.clone())) {
                continue;
            }
            rows.push(Challenged {
                id: new_id(),
                county: county.clone(),
                review_item_id: item.review_item_id.clone(),
                decision_id: item.decision_id.clone(),
                run_id: item.run_id.clone(),
                subject_id: item.subject_id.clone(),
                agency_id: item.agency_id.clone(),
                court_ori_code: item.court_ori_code.clone(),
                item: item.encode_to_vec(),
                created_at_ms: now,
            });
        }
        let accepted = self.store.submit_challenged(rows).await?;
        let duplicates = offered - accepted;
        tracing::info!(accepted, duplicates, "challenged items kept");
        Ok((accepted, duplicates))
    }

    // ----- batches -----

    /// Reads a batch of `county`, or NOT_FOUND.
    pub async fn batch(&self, county: &County, id: &str) -> Result<Batch, FilingError> {
        self.store
            .batch(county, id)
            .await?
            .ok_or_else(|| FilingError::NotFound {
                what: "filing batch",
                id: id.to_owned(),
            })
    }

    /// A batch with counts and current documents.
    pub async fn batch_view(&self, county: &County, id: &str) -> Result<BatchView, FilingError> {
        let batch = self.batch(county, id).await?;
        Ok(self.store.batch_view(batch).await?)
    }

    /// A new DRAFT batch of QUEUED filings, or a DRAFT batch re-rendered; returns the batch
    /// and the documents rendered by this call.
    #[tracing::instrument(name = "filing.generate", skip_all, fields(county = %county.name))]
    pub async fn generate(
        &self,
        county: &County,
        request: Generate,
    ) -> Result<(BatchView, Vec<Document>), FilingError> {
        if request.filing_batch_id.is_empty() {
            self.generate_new(county, request).await
        } else {
            self.regenerate(county, request).await
        }
    }

    async fn generate_new(
        &self,
        county: &County,
        request: Generate,
    ) -> Result<(BatchView, Vec<Document>), FilingError> {
        if request.court_id.is_empty() {
            return Err(invalid("court_id", "court_id is required for a new batch"));
        }
        if request.agency_id.is_empty() {
            return Err(invalid(
                "agency_id",
                "agency_id is required for a new batch",
            ));
        }
        let document_date = request
            .document_date
            .ok_or_else(|| invalid("document_date", "document_date is required"))?;
        let court = self
            .store
            .court(county, &request.court_id)
            .await?
            .ok_or_else(|| FilingError::NotFound {
                what: "court",
                id: request.court_id.clone(),
            })?;
        let filings = if request.filing_ids.is_empty() {
            self.store
                .queued_filings(county, &court.court_id, &request.agency_id)
                .await?
        } else {
            let mut ids = request.filing_ids.clone();
            ids.sort();
            ids.dedup();
            let found = self.store.filings_by_ids(county, &ids).await?;
            for id in &ids {
                let Some(filing) = found.iter().find(|f| &f.id == id) else {
                    return Err(FilingError::NotFound {
                        what: "filing",
                        id: id.clone(),
                    });
                };
                if filing.status != FilingStatus::Queued {
                    return Err(precondition(format!(
                        "filing {} is {}; only QUEUED filings go into a new batch",
                        filing.id,
                        filing.status.name()
                    )));
                }
                if filing.court_id != court.court_id || filing.agency_id != request.agency_id {
                    return Err(precondition(format!(
                        "filing {} is not for court {} and agency {}",
                        filing.id, court.court_id, request.agency_id
                    )));
                }
            }
            found
        };
        if filings.is_empty() {
            return Err(precondition(format!(
                "no QUEUED filings for court {} and agency {}",
                court.court_id, request.agency_id
            )));
        }
        let now = now_ms();
        let signer = request.signer.clone().unwrap_or_default();
        let batch = Batch {
            id: new_id(),
            county: county.clone(),
            court_id: court.court_id.clone(),
            agency_id: request.agency_id.clone(),
            status: BatchStatus::Draft,
            document_date,
            filed_on: 0,
            court_filing_reference: String::new(),
            signer: signer.encode_to_vec(),
            created_by_principal: request.actor.principal_id.clone(),
            created_by_agency: request.actor.agency_id.clone(),
            created_at_ms: now,
            updated_at_ms: now,
        };
        let rendered = self
            .render(county, &batch, &court, &signer, &filings, &request.kinds)
            .await?;
        let documents = stored_documents(&batch, rendered, now);
        let outcome = self
            .store
            .create_batch(NewBatch {
                batch: batch.clone(),
                filing_ids: filings.iter().map(|f| f.id.clone()).collect(),
                documents: documents.clone(),
            })
            .await?;
        if outcome == Generated::Conflict {
            return Err(precondition(format!(
                "filings of court {} and agency {} changed while the batch was generated; retry",
                court.court_id, request.agency_id
            )));
        }
        tracing::info!(
            filing_batch_id = %batch.id,
            court_id = %court.court_id,
            agency_id = %request.agency_id,
            filings = filings.len(),
            documents = documents.len(),
            "filing batch generated"
        );
        cmr_telemetry::counter(
            "cmr.filing.filings_drafted",
            u64::try_from(filings.len()).unwrap_or(0),
            &[opentelemetry::KeyValue::new("county", county.name.clone())],
        );
        let view = self.store.batch_view(batch).await?;
        Ok((view, documents.into_iter().map(|(d, _)| d).collect()))
    }

    async fn regenerate(
        &self,
        county: &County,
        request: Generate,
    ) -> Result<(BatchView, Vec<Document>), FilingError> {
        let batch = self.batch(county, &request.filing_batch_id).await?;
        if batch.status != BatchStatus::Draft {
            return Err(precondition(format!(
                "filing batch {} is {}; only a DRAFT batch is regenerated",
                batch.id,
                batch.status.name()
            )));
        }
        let court = self
            .store
            .court(county, &batch.court_id)
            .await?
            .ok_or_else(|| FilingError::NotFound {
                what: "court",
                id: batch.court_id.clone(),
            })?;
        let signer = match &request.signer {
            Some(signer) => signer.clone(),
            None => pb::Signer::decode(batch.signer.as_slice()).unwrap_or_default(),
        };
        let document_date = request.document_date.unwrap_or(batch.document_date);
        let batch = Batch {
            document_date,
            signer: signer.encode_to_vec(),
            ..batch
        };
        let filings = self.store.batch_filings(county, &batch.id).await?;
        let rendered = self
            .render(county, &batch, &court, &signer, &filings, &request.kinds)
            .await?;
        let now = now_ms();
        let documents = stored_documents(&batch, rendered, now);
        let old = self.store.current_documents(county, &batch.id).await?;
        let mut supersede = Vec::new();
        for previous in &old {
            let same = documents
                .iter()
                .find(|(d, _)| d.kind == previous.kind && d.subject_id == previous.subject_id)
                .or_else(|| {
                    documents
                        .iter()
                        .find(|(d, _)| d.kind == previous.kind && previous.subject_id.is_empty())
                });
            if let Some((new, _)) = same {
                supersede.push((previous.id.clone(), new.id.clone()));
            }
        }
        let outcome = self
            .store
            .regenerate(Regenerate {
                county: county.clone(),
                batch_id: batch.id.clone(),
                document_date,
                signer: batch.signer.clone(),
                documents: documents.clone(),
                supersede,
                now_ms: now,
            })
            .await?;
        if outcome == Generated::Conflict {
            return Err(precondition(format!(
                "filing batch {} is no longer DRAFT",
                batch.id
            )));
        }
        tracing::info!(filing_batch_id = %batch.id, documents = documents.len(), "filing batch regenerated");
        let view = self.batch_view(county, &batch.id).await?;
        Ok((view, documents.into_iter().map(|(d, _)| d).collect()))
    }

    async fn render(
        &self,
        county: &County,
        batch: &Batch,
        court: &Court,
        signer: &pb::Signer,
        filings: &[Filing],
        kinds: &[DocumentKind],
    ) -> Result<Vec<Rendered>, FilingError> {
        let mut cases = filings
            .iter()
            .map(|f| {
                Ok(CaseLine {
                    filing_id: f.id.clone(),
                    relief: decode_relief(f)?,
                })
            })
            .collect::<Result<Vec<_>, FilingError>>()?;
        cases.sort_by(|a, b| {
            let key = |c: &CaseLine| {
                (
                    c.relief
                        .person
                        .as_ref()
                        .map(|p| p.name.clone())
                        .unwrap_or_default(),
                    c.relief.case_number.clone(),
                    c.relief.cnt_order.clone(),
                    c.filing_id.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        let challenged = self
            .store
            .challenged_for(county, &batch.agency_id, &court.ori_codes)
            .await?
            .iter()
            .map(challenged_line)
            .collect::<Result<Vec<_>, _>>()?;
        let court_info = CourtInfo {
            court_id: court.court_id.clone(),
            name: court.name.clone(),
            branch_name: court.branch_name.clone(),
            address_lines: court.address_lines.clone(),
        };
        let signer_info = signer_info(signer);
        let kinds: Vec<DocumentKind> = if kinds.is_empty() {
            DocumentKind::ALL.to_vec()
        } else {
            kinds.to_vec()
        };
        let renderer = self.renderer.clone();
        let (batch_id, agency_id, document_date) = (
            batch.id.clone(),
            batch.agency_id.clone(),
            ymd(batch.document_date),
        );
        let (county_code, county_name) = (county.code.clone(), county.name.clone());
        // Typesetting is CPU work; keep it off the async workers.
        let rendered = tokio::task::spawn_blocking(move || {
            let input = BatchInput {
                filing_batch_id: &batch_id,
                county_code: &county_code,
                county_name: &county_name,
                court: &court_info,
                agency_id: &agency_id,
                signer: &signer_info,
                document_date,
                cases: &cases,
                challenged: &challenged,
            };
            renderer(&input, &kinds)
        })
        .await
        .map_err(|_| FilingError::Internal("the renderer panicked".to_owned()))?;
        rendered.map_err(|e| {
            tracing::warn!(filing_batch_id = %batch.id, error = %e, "rendering failed");
            precondition(format!(
                "documents of filing batch {} could not be rendered: {e}",
                batch.id
            ))
        })
    }

    // ----- filed -----

    /// DRAFT → FILED; repeating it with the same date and reference is a no-op.
    pub async fn mark_filed(
        &self,
        county: &County,
        batch_id: &str,
        filed_on: i32,
        reference: &str,
    ) -> Result<BatchView, FilingError> {
        let batch = self.batch(county, batch_id).await?;
        if batch.status == BatchStatus::Draft
            && self
                .store
                .mark_filed(county, batch_id, filed_on, reference, now_ms())
                .await?
                == Generated::Done
        {
            tracing::info!(filing_batch_id = %batch_id, "filing batch filed");
            return self.batch_view(county, batch_id).await;
        }
        let batch = self.batch(county, batch_id).await?;
        if batch.status != BatchStatus::Draft
            && batch.filed_on == filed_on
            && batch.court_filing_reference == reference
        {
            return Ok(self.store.batch_view(batch).await?);
        }
        Err(precondition(format!(
            "filing batch {} is {} (filed on another date or with another reference)",
            batch.id,
            batch.status.name()
        )))
    }

    // ----- outcomes -----

    /// Records the court's order on a FILED filing, or corrects the current one.
    pub async fn record_outcome(
        &self,
        county: &County,
        request: RecordOutcome,
    ) -> Result<(Filing, Outcome), FilingError> {
        if !matches!(request.decision, DECISION_GRANTED | DECISION_DENIED) {
            return Err(invalid("decision", "decision must be GRANTED or DENIED"));
        }
        if request.decision == DECISION_GRANTED && request.order_number.trim().is_empty() {
            return Err(invalid(
                "order_number",
                "order_number is required for GRANTED",
            ));
        }
        if request.decision == DECISION_DENIED && request.granted_relief != 0 {
            return Err(invalid("granted_relief", "a denial grants no relief"));
        }
        let filing = self
            .store
            .filing(county, &request.filing_id)
            .await?
            .ok_or_else(|| FilingError::NotFound {
                what: "filing",
                id: request.filing_id.clone(),
            })?;
        let from = if request.supersedes_outcome_id.is_empty() {
            if filing.status != FilingStatus::Filed {
                return Err(precondition(format!(
                    "filing {} is {}; an outcome is recorded for a FILED filing (a correction names supersedes_outcome_id)",
                    filing.id,
                    filing.status.name()
                )));
            }
            vec![FilingStatus::Filed as i16]
        } else {
            if !matches!(filing.status, FilingStatus::Granted | FilingStatus::Denied) {
                return Err(precondition(format!(
                    "filing {} is {}; only a GRANTED or DENIED filing is corrected",
                    filing.id,
                    filing.status.name()
                )));
            }
            if filing.current_outcome_id != request.supersedes_outcome_id {
                return Err(precondition(format!(
                    "outcome {} is not the current outcome of filing {}",
                    request.supersedes_outcome_id, filing.id
                )));
            }
            vec![FilingStatus::Granted as i16, FilingStatus::Denied as i16]
        };
        let granted_relief = match request.decision {
            DECISION_GRANTED if request.granted_relief == 0 => filing.relief_type,
            DECISION_GRANTED => request.granted_relief,
            _ => 0,
        };
        let now = now_ms();
        let outcome = Outcome {
            id: new_id(),
            county: filing.county.clone(),
            filing_id: filing.id.clone(),
            filing_batch_id: filing.filing_batch_id.clone(),
            court_id: filing.court_id.clone(),
            decision: request.decision,
            decided_on: request.decided_on,
            order_number: request.order_number.clone(),
            granted_relief,
            supersedes_outcome_id: request.supersedes_outcome_id.clone(),
            superseded_by: String::new(),
            note: request.note.clone(),
            recorded_by_principal: request.actor.principal_id.clone(),
            recorded_by_agency: request.actor.agency_id.clone(),
            recorded_at_ms: now,
            exported_to_doj_at_ms: 0,
        };
        let new_status = if request.decision == DECISION_GRANTED {
            FilingStatus::Granted
        } else {
            FilingStatus::Denied
        };
        let written = self
            .store
            .record_outcome(OutcomeWrite {
                outcome: outcome.clone(),
                expected_current: filing.current_outcome_id.clone(),
                from_statuses: from,
                new_status,
            })
            .await?;
        if written == Generated::Conflict {
            return Err(precondition(format!(
                "filing {} changed while the outcome was recorded; read it again",
                filing.id
            )));
        }
        tracing::info!(filing_id = %filing.id, outcome_id = %outcome.id, decision = request.decision, "court outcome recorded");
        cmr_telemetry::counter(
            "cmr.filing.outcomes",
            1,
            &[
                opentelemetry::KeyValue::new("county", county.name.clone()),
                opentelemetry::KeyValue::new("decision", i64::from(request.decision)),
            ],
        );
        let filing = self
            .store
            .filing(county, &filing.id)
            .await?
            .ok_or_else(|| FilingError::Internal(format!("filing {} vanished", filing.id)))?;
        Ok((filing, outcome))
    }

    /// Every outcome matching `filter` (all pages).
    async fn all_outcomes(
        &self,
        county: &County,
        filter: &OutcomeFilter,
    ) -> Result<Vec<Outcome>, FilingError> {
        let mut all = Vec::new();
        loop {
            let after = all.last().map(|o: &Outcome| o.id.clone());
            let page = self
                .store
                .list_outcomes(county, filter, after.as_deref(), 1000)
                .await?;
            let done = page.len() < 1000;
            all.extend(page);
            if done {
                return Ok(all);
            }
        }
    }

    async fn filings_of(
        &self,
        county: &County,
        outcomes: &[Outcome],
    ) -> Result<HashMap<String, Filing>, FilingError> {
        let ids: Vec<String> = outcomes.iter().map(|o| o.filing_id.clone()).collect();
        Ok(self
            .store
            .filings_by_ids(county, &ids)
            .await?
            .into_iter()
            .map(|f| (f.id.clone(), f))
            .collect())
    }

    // ----- DOJ update -----

    /// The DOJ update CSV of current GRANTED outcomes; stamps them when asked.
    pub async fn export_doj_update(
        &self,
        county: &County,
        request: &Export,
    ) -> Result<Vec<u8>, FilingError> {
        let outcomes = self
            .all_outcomes(
                county,
                &OutcomeFilter {
                    court_id: request.court_id.clone(),
                    decision: Some(DECISION_GRANTED),
                    decided_from: request.decided_from,
                    decided_to: request.decided_to,
                    not_exported_only: request.not_exported_only,
                    ..OutcomeFilter::default()
                },
            )
            .await?;
        let filings = self.filings_of(county, &outcomes).await?;
        let mut rows = Vec::with_capacity(outcomes.len());
        for outcome in &outcomes {
            let filing = filings.get(&outcome.filing_id).ok_or_else(|| {
                FilingError::Internal(format!("outcome {} has no filing", outcome.id))
            })?;
            let relief = decode_relief(filing)?;
            let granted = i32::from(outcome.granted_relief);
            rows.push(DojRow {
                subject_id: relief.subject_id.clone(),
                cii_number: relief
                    .person
                    .as_ref()
                    .map(|p| p.cii_number.clone())
                    .unwrap_or_default(),
                cnt_order: relief.cnt_order.clone(),
                court_ori: relief.court_ori_code.clone(),
                case_number: relief.case_number.clone(),
                order_date: outcome.decided_on,
                order_number: outcome.order_number.clone(),
                relief_type: doj_update::relief_type_name(granted).to_owned(),
                new_offense_level: doj_update::new_offense_level(granted, relief.reduce_to)
                    .to_owned(),
                code_section: relief.code_section.clone(),
                filing_id: filing.id.clone(),
            });
        }
        let csv = doj_update::write_csv(rows);
        if request.mark_exported {
            let ids: Vec<String> = outcomes.iter().map(|o| o.id.clone()).collect();
            self.store.mark_exported(&ids, now_ms()).await?;
        }
        tracing::info!(
            rows = outcomes.len(),
            marked = request.mark_exported,
            "doj update exported"
        );
        Ok(csv)
    }

    // ----- impact -----

    /// Aggregated, suppressed counts of current outcomes.
    pub async fn impact(&self, county: &County, request: &Impact) -> Result<Report, FilingError> {
        let decision = if request.decision == 0 {
            DECISION_GRANTED
        } else {
            request.decision
        };
        let outcomes = self
            .all_outcomes(
                county,
                &OutcomeFilter {
                    decision: Some(decision),
                    decided_from: request.decided_from,
                    decided_to: request.decided_to,
                    ..OutcomeFilter::default()
                },
            )
            .await?;
        let filings = self.filings_of(county, &outcomes).await?;
        let mut rows = Vec::with_capacity(outcomes.len());
        for outcome in &outcomes {
            let Some(filing) = filings.get(&outcome.filing_id) else {
                continue;
            };
            if request.run_id.as_ref().is_some_and(|r| r != &filing.run_id) {
                continue;
            }
            let relief = decode_relief(filing)?;
            rows.push(ImpactRow {
                subject_id: filing.subject_id.clone(),
                relief_type: if decision == DECISION_GRANTED {
                    i32::from(outcome.granted_relief)
                } else {
                    i32::from(filing.relief_type)
                },
                code_section: relief.prop64_section.clone(),
                race: relief.race_descr.clone(),
            });
        }
        Ok(impact::report(
            &rows,
            &request.group_by,
            request.min_cell_size,
        ))
    }

    /// A document's metadata and bytes, audited.
    pub async fn download(
        &self,
        county: &County,
        document_id: &str,
        actor: &Actor,
    ) -> Result<(Document, Vec<u8>), FilingError> {
        let (document, bytes) = self
            .store
            .document_content(county, document_id)
            .await?
            .ok_or_else(|| FilingError::NotFound {
                what: "document",
                id: document_id.to_owned(),
            })?;
        self.store
            .record_download(
                new_id(),
                county,
                document_id,
                &actor.principal_id,
                &actor.agency_id,
                now_ms(),
            )
            .await?;
        tracing::info!(
            document_id = %document.id,
            filing_batch_id = %document.filing_batch_id,
            kind = document.kind,
            agency_id = %actor.agency_id,
            "document downloaded"
        );
        Ok((document, bytes))
    }
}

fn stored_documents(batch: &Batch, rendered: Vec<Rendered>, now: i64) -> Vec<(Document, Vec<u8>)> {
    rendered
        .into_iter()
        .map(|r| {
            (
                Document {
                    id: new_id(),
                    county: batch.county.clone(),
                    filing_batch_id: batch.id.clone(),
                    kind: r.kind as i16,
                    court_id: batch.court_id.clone(),
                    agency_id: batch.agency_id.clone(),
                    subject_id: r.subject_id,
                    filing_ids: r.filing_ids,
                    file_name: r.file_name,
                    media_type: r.media_type,
                    size_bytes: i64::try_from(r.bytes.len()).unwrap_or(i64::MAX),
                    sha256: sha256_hex(&r.bytes),
                    template_id: r.template_id,
                    superseded_by: String::new(),
                    created_at_ms: now,
                },
                r.bytes,
            )
        })
        .collect()
}
