//! `cmr run --file-to DIR`: after the run, the court paperwork on disk, through the same
//! APIs `cmr review` and `cmr file` use:
//!
//! 1. every court ORI the run's convictions name is given a court: ORIs no court of the
//!    county covers yet join the county's superior court (`superior-<county>`, created with
//!    the caption "Superior Court of California, County of <County>" when missing, or
//!    kept with its own name and address when the county registered it);
//! 2. with `--deem-concurred-as-of DATE`, the county's challenge deadline is applied as of
//!    that date (as `cmr review deadline apply --as-of DATE` does): every undecided item
//!    becomes DEEMED_CONCURRED and verification hands the ready relief to filing;
//! 3. the QUEUED filings are generated into one DRAFT batch per court and agency;
//! 4. every current document of every DRAFT batch of the county is downloaded, checked.
//!
//! Every changing call has an idempotency key made from what it asks, so running the job
//! again replays instead of doing it twice.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use cmr_proto::common::v1 as common;
use cmr_proto::filing::v1 as pb;
use cmr_proto::verification::v1 as verif;
use cmr_proto::verification::v1::verification_service_client::VerificationServiceClient;
use sha2::{Digest, Sha256};

use super::{Client, Failure, download_batch, list_courts, refused, request};
use crate::review::{Bearer, pages};

/// What `--file-to` was given.
#[derive(Debug, Clone)]
pub struct FileTo {
    pub dir: PathBuf,
    pub document_date: common::CivilDate,
    pub deem_concurred_as_of: Option<common::CivilDate>,
    pub signer: pb::Signer,
}

/// What was done, for the closing line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filed {
    pub deemed_concurred: i64,
    pub queued: usize,
    pub without_court: usize,
    /// Of those, the ones whose relief names no court ORI at all (no court can take them).
    pub without_court_ori: usize,
    pub batches_generated: usize,
    pub batches_downloaded: usize,
    pub documents: usize,
}

fn short_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn date(d: &common::CivilDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// "SAN LUIS OBISPO" as "San Luis Obispo".
fn title_case(name: &str) -> String {
    name.split_whitespace()
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
        .join(" ")
}

/// The county's superior court id: `superior-san-luis-obispo`, or `superior-34`.
fn superior_id(scope: &common::Scope) -> String {
    let county = if scope.county_name.is_empty() {
        scope.county_code.clone()
    } else {
        scope.county_name.to_ascii_lowercase()
    };
    let slug: Vec<&str> = county.split_whitespace().collect();
    format!("superior-{}", slug.join("-"))
}

/// The court the ORIs no court covers join, or `None` when every ORI is covered.
fn court_for_uncovered(
    scope: &common::Scope,
    courts: &[pb::Court],
    oris: &BTreeSet<String>,
) -> Option<pb::Court> {
    let covered: BTreeSet<&String> = courts.iter().flat_map(|c| &c.ori_codes).collect();
    let missing: Vec<String> = oris
        .iter()
        .filter(|o| !o.is_empty() && !covered.contains(o))
        .cloned()
        .collect();
    if missing.is_empty() {
        return None;
    }
    let id = superior_id(scope);
    let mut court = courts
        .iter()
        .find(|c| c.court_id == id)
        .cloned()
        .unwrap_or_else(|| pb::Court {
            court_id: id,
            scope: Some(scope.clone()),
            name: format!(
                "Superior Court of California, County of {}",
                title_case(&scope.county_name)
            ),
            ..Default::default()
        });
    court.ori_codes.extend(missing);
    court.ori_codes.sort();
    court.ori_codes.dedup();
    court.updated_at = None;
    Some(court)
}

/// Steps 1-4 above; `who` prefixes the progress lines on stderr (ids and counts only).
pub async fn file_to(
    scope: &common::Scope,
    verification_endpoint: &str,
    filing_endpoint: &str,
    token: Option<&str>,
    oris: &BTreeSet<String>,
    to: &FileTo,
    who: &str,
) -> Result<Filed, Failure> {
    let bearer = Bearer::new(token)?;
    let mut filing: Client = super::connect(filing_endpoint, bearer.clone()).await?;
    let mut filed = Filed::default();

    let courts = list_courts(&filing, scope, filing_endpoint).await?;
    if let Some(court) = court_for_uncovered(scope, &courts, oris) {
        let key = format!(
            "cmr-run-court:{}",
            short_hash(&format!("{}|{}", court.court_id, court.ori_codes.join(",")))
        );
        let id = court.court_id.clone();
        filing
            .put_court(request::put_court(scope, &key, court))
            .await
            .map_err(refused(filing_endpoint, format!("court {id}")))?;
    }

    if let Some(as_of) = &to.deem_concurred_as_of {
        let channel = super::channel("verification", verification_endpoint).await?;
        let mut verification = VerificationServiceClient::with_interceptor(channel, bearer);
        let applied = verification
            .apply_deadline(verif::ApplyDeadlineRequest {
                scope: Some(scope.clone()),
                idempotency_key: Some(common::IdempotencyKey {
                    key: format!("cmr-run-deadline:{}", date(as_of)),
                }),
                as_of: Some(*as_of),
                dry_run: false,
            })
            .await
            .map_err(|status| Failure::Status {
                service: "verification",
                endpoint: verification_endpoint.to_owned(),
                status,
                context: format!("--deem-concurred-as-of {}", date(as_of)),
            })?
            .into_inner();
        filed.deemed_concurred = applied.deemed_concurred;
    }

    // QUEUED filings by court and agency.
    let (queued, _, _) = pages(0, |token| {
        let mut client = filing.clone();
        let req = pb::ListFilingsRequest {
            scope: Some(scope.clone()),
            page: request::page(1000, &token),
            statuses: vec![pb::FilingStatus::Queued as i32],
            ..Default::default()
        };
        async move {
            let r = client.list_filings(req).await?.into_inner();
            Ok((r.filings, r.page))
        }
    })
    .await
    .map_err(super::status_of(filing_endpoint))?;
    filed.queued = queued.len();
    let mut groups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for f in &queued {
        if f.court_id.is_empty() {
            filed.without_court += 1;
            if f.relief
                .as_ref()
                .is_none_or(|r| r.court_ori_code.is_empty())
            {
                filed.without_court_ori += 1;
            }
            continue;
        }
        let agency = f
            .relief
            .as_ref()
            .map(|r| r.agency_id.clone())
            .unwrap_or_default();
        groups
            .entry((f.court_id.clone(), agency))
            .or_default()
            .push(f.filing_id.clone());
    }
    for ((court_id, agency_id), mut filing_ids) in groups {
        filing_ids.sort();
        let key = format!(
            "cmr-run-generate:{}",
            short_hash(&format!(
                "{court_id}|{agency_id}|{}|{}",
                date(&to.document_date),
                filing_ids.join(",")
            ))
        );
        let r = filing
            .generate_filings(pb::GenerateFilingsRequest {
                scope: Some(scope.clone()),
                idempotency_key: Some(common::IdempotencyKey { key }),
                court_id: court_id.clone(),
                agency_id: agency_id.clone(),
                filing_batch_id: String::new(),
                filing_ids,
                kinds: Vec::new(),
                signer: Some(to.signer.clone()),
                document_date: Some(to.document_date),
            })
            .await
            .map_err(refused(
                filing_endpoint,
                format!("generating court {court_id}, agency {agency_id}"),
            ))?
            .into_inner();
        filed.batches_generated += 1;
        let batch = r.batch.unwrap_or_default();
        eprintln!(
            "{who}: batch {} for court {court_id}, agency {agency_id}: {} filings, {} documents",
            batch.filing_batch_id,
            batch.filings,
            r.documents.len()
        );
    }

    // Every DRAFT batch of the county: what awaits lodging with the court.
    let (drafts, _, _) = pages(0, |token| {
        let mut client = filing.clone();
        let req = pb::ListFilingBatchesRequest {
            scope: Some(scope.clone()),
            page: request::page(0, &token),
            status: pb::FilingBatchStatus::Draft as i32,
            ..Default::default()
        };
        async move {
            let r = client.list_filing_batches(req).await?.into_inner();
            Ok((r.batches, r.page))
        }
    })
    .await
    .map_err(super::status_of(filing_endpoint))?;
    for batch in &drafts {
        let written = download_batch(
            &filing,
            scope,
            &batch.filing_batch_id,
            &to.dir,
            filing_endpoint,
            who,
        )
        .await?;
        filed.documents += written.len();
        filed.batches_downloaded += 1;
    }
    Ok(filed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> common::Scope {
        common::Scope {
            county_code: String::new(),
            county_name: "SAN LUIS OBISPO".into(),
            agency_id: String::new(),
        }
    }

    #[test]
    fn uncovered_oris_join_the_superior_court() {
        let oris: BTreeSet<String> = ["CA040015J", "CA040025J", "CA040035J"]
            .into_iter()
            .map(String::from)
            .collect();
        // One ORI is a registered branch; one is already the superior court's.
        let courts = vec![
            pb::Court {
                court_id: "branch-a".into(),
                name: "Branch A".into(),
                ori_codes: vec!["CA040015J".into()],
                ..Default::default()
            },
            pb::Court {
                court_id: "superior-san-luis-obispo".into(),
                name: "Registered name".into(),
                ori_codes: vec!["CA040025J".into()],
                address_lines: vec!["1050 Monterey St".into()],
                ..Default::default()
            },
        ];
        let court = court_for_uncovered(&scope(), &courts, &oris).expect("one uncovered");
        assert_eq!(court.court_id, "superior-san-luis-obispo");
        assert_eq!(court.name, "Registered name");
        assert_eq!(court.ori_codes, vec!["CA040025J", "CA040035J"]);
        assert_eq!(court.address_lines, vec!["1050 Monterey St"]);
        // A new county gets the template caption.
        let court = court_for_uncovered(&scope(), &[], &oris).expect("all uncovered");
        assert_eq!(
            court.name,
            "Superior Court of California, County of San Luis Obispo"
        );
        assert_eq!(court.ori_codes.len(), 3);
        // Nothing to do when every ORI has a court.
        let all = vec![pb::Court {
            court_id: "x".into(),
            ori_codes: oris.iter().cloned().collect(),
            ..Default::default()
        }];
        assert_eq!(court_for_uncovered(&scope(), &all, &oris), None);
    }
}
