//! The 10,000-case bulk motion: time to typeset it and the process's peak memory.
//!
//! `cargo bench -p cmr-filing-documents --bench bulk_motion [-- CASES REPEAT]`
//! prints one line per pass and a summary; figures go to docs/PERFORMANCE.md.

use std::time::Instant;

use cmr_filing_documents::{
    BatchInput, CaseLine, CourtInfo, DocumentKind, SignerInfo, Templates, render_batch,
};
use cmr_proto::common::v1::{CivilDate, PersonIdentity, ReliefType, Severity, Track};
use cmr_proto::filing::v1::VerifiedRelief;

fn cases(n: usize) -> Vec<CaseLine> {
    (0..n)
        .map(|i| CaseLine {
            filing_id: format!("f-{i:06}"),
            relief: VerifiedRelief {
                subject_id: format!("s-{:06}", i / 2),
                cnt_order: format!("{i:06}-001"),
                person: Some(PersonIdentity {
                    name: format!("SURNAME{:05}, GIVEN MIDDLE", i / 2),
                    date_of_birth: Some(CivilDate {
                        year: 1950 + (i % 40) as i32,
                        month: 1 + (i % 12) as i32,
                        day: 1 + (i % 28) as i32,
                    }),
                    cii_number: format!("A{i:08}"),
                    ..PersonIdentity::default()
                }),
                case_number: format!("{:02}F{i:06}", i % 30),
                code_section: "11359 HS".to_owned(),
                prop64_section: "11359".to_owned(),
                conviction_date: Some(CivilDate {
                    year: 1990 + (i % 25) as i32,
                    month: 6,
                    day: 15,
                }),
                severity: Severity::Felony as i32,
                relief_type: if i % 3 == 0 {
                    ReliefType::RedesignateMisdemeanor
                } else {
                    ReliefType::DismissAndSeal
                } as i32,
                track: Track::Application as i32,
                ..VerifiedRelief::default()
            },
        })
        .collect()
}

/// Peak resident set size so far, from /proc (Linux), in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(10_000);
    let repeat = args.get(1).copied().unwrap_or(3);
    let input_cases = cases(n);
    let court = CourtInfo::default();
    let signer = SignerInfo {
        name: "Jane Prosecutor".to_owned(),
        title: "Deputy District Attorney".to_owned(),
        bar_number: "234567".to_owned(),
        ..SignerInfo::default()
    };
    let templates = Templates::builtin();
    let before = peak_rss_mib();
    let mut times = Vec::new();
    let mut size = 0;
    for pass in 1..=repeat {
        let input = BatchInput {
            filing_batch_id: "bench",
            county_code: "34",
            county_name: "SACRAMENTO",
            court: &court,
            agency_id: "DA",
            signer: &signer,
            document_date: (2026, 11, 30),
            cases: &input_cases,
            challenged: &[],
        };
        let start = Instant::now();
        let docs = render_batch(&templates, &input, &[DocumentKind::BulkMotion]).expect("renders");
        let secs = start.elapsed().as_secs_f64();
        size = docs[0].bytes.len();
        println!(
            "pass {pass}: {n} cases, {secs:.2} s, {} KiB, peak RSS {:.0} MiB",
            size / 1024,
            peak_rss_mib()
        );
        times.push(secs);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "bulk motion, {n} cases: median {:.2} s, best {:.2} s over {repeat}; PDF {:.1} MiB; peak RSS {:.0} MiB (cases in memory before rendering: {before:.0} MiB)",
        times[times.len() / 2],
        times[0],
        size as f64 / 1_048_576.0,
        peak_rss_mib()
    );
}
