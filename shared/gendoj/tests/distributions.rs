//! Distributions over ~10,000-row samples, against the figures gogen-compat §7 reports for a
//! 10,131-row file from gogen's own generator: county 77% target / 23% NARNIA, 54% court /
//! 46% arrest, CONVICTED 2850 / DISMISSED 2613 / blank 4668, felony about 50%, 358 Prop 64
//! convictions evaluated. Bounds are tolerant: one file holds only ~110 subjects.

mod common;

use cmr_gendoj::{OTHER_COUNTY, Target};
use cmr_record::columns as col;
use common::{gen_bytes, parse};

struct Shares {
    rows: f64,
    target_county: f64,
    narnia: f64,
    court: f64,
    convicted: f64,
    dismissed: f64,
    blank_disposition: f64,
    felony: f64,
    prop64_in_county_per_10131: f64,
    rows_per_subject: f64,
}

fn shares(seed: u64) -> Shares {
    let (bytes, stats) = gen_bytes("SACRAMENTO", Target::Rows(10_131), seed);
    let (_, rows) = parse(&bytes);
    let n = rows.len() as f64;
    let share =
        |f: &dyn Fn(&csv::StringRecord) -> bool| rows.iter().filter(|r| f(r)).count() as f64 / n;
    Shares {
        rows: n,
        target_county: share(&|r| &r[col::STP_ORI_CNTY_NAME] == "SACRAMENTO"),
        narnia: share(&|r| &r[col::STP_ORI_CNTY_NAME] == OTHER_COUNTY),
        court: share(&|r| &r[col::STP_TYPE_DESCR] == "COURT ACTION"),
        convicted: share(&|r| &r[col::DISP_DESCR] == "CONVICTED"),
        dismissed: share(&|r| &r[col::DISP_DESCR] == "DISMISSED"),
        blank_disposition: share(&|r| r[col::DISP_DESCR].is_empty()),
        felony: share(&|r| &r[col::CONV_STAT_DESCR] == "FELONY"),
        prop64_in_county_per_10131: stats.prop64_convictions_in_county as f64 * 10_131.0 / n,
        rows_per_subject: n / stats.subjects as f64,
    }
}

fn assert_near(name: &str, seed: u64, actual: f64, expected: f64, tolerance: f64) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "seed {seed}: {name} = {actual:.4}, expected {expected} ± {tolerance}"
    );
}

const SEEDS: [u64; 5] = [1, 2, 3, 2019, 0xC0FFEE];

#[test]
fn each_sample_is_near_gogen_figures() {
    for seed in SEEDS {
        let s = shares(seed);
        assert!(s.rows >= 10_131.0 && s.rows < 10_131.0 + 1_000.0);
        assert_near("target county share", seed, s.target_county, 0.77, 0.04);
        assert_near("NARNIA share", seed, s.narnia, 0.23, 0.04);
        assert_near("court share", seed, s.court, 0.54, 0.025);
        assert_near("CONVICTED share", seed, s.convicted, 2850.0 / 10131.0, 0.05);
        assert_near("DISMISSED share", seed, s.dismissed, 2613.0 / 10131.0, 0.05);
        assert_near(
            "blank share",
            seed,
            s.blank_disposition,
            4668.0 / 10131.0,
            0.025,
        );
        assert_near("felony share", seed, s.felony, 0.50, 0.025);
        assert_near(
            "Prop 64 in county",
            seed,
            s.prop64_in_county_per_10131,
            358.0,
            110.0,
        );
        assert_near("rows per subject", seed, s.rows_per_subject, 93.0, 30.0);
    }
}

#[test]
fn pooled_samples_are_close_to_gogen_figures() {
    let all: Vec<Shares> = SEEDS.iter().map(|&seed| shares(seed)).collect();
    let mean = |f: fn(&Shares) -> f64| all.iter().map(f).sum::<f64>() / all.len() as f64;
    assert_near(
        "target county share",
        0,
        mean(|s| s.target_county),
        0.77,
        0.02,
    );
    assert_near("court share", 0, mean(|s| s.court), 0.54, 0.01);
    assert_near("CONVICTED share", 0, mean(|s| s.convicted), 0.281, 0.025);
    assert_near("DISMISSED share", 0, mean(|s| s.dismissed), 0.258, 0.025);
    assert_near("blank share", 0, mean(|s| s.blank_disposition), 0.461, 0.01);
    assert_near("felony share", 0, mean(|s| s.felony), 0.50, 0.01);
    assert_near(
        "Prop 64 in county",
        0,
        mean(|s| s.prop64_in_county_per_10131),
        358.0,
        50.0,
    );
}
