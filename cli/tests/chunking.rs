//! The parallel chunk pipeline must give exactly what one sequential reader gives:
//! same bytes in every output, and the same first error on the same line, whatever the
//! chunk size or thread count.

use std::fs;
use std::path::Path;
use std::process::Command;

fn cmr() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cmr"))
}

fn options(dir: &Path) -> String {
    let p = dir.join("options.json");
    fs::write(
        &p,
        r#"{"baselineEligibility":{"dismiss":["11357","11358"],"reduce":["11359","11360"]},
            "additionalRelief":{"subjectUnder21AtConviction":true,"subjectAgeThreshold":57,
            "yearsSinceConvictionThreshold":10,"yearsCrimeFreeThreshold":5,
            "subjectHasOnlyProp64Charges":true,"subjectIsDeceased":true}}"#,
    )
    .unwrap();
    p.display().to_string()
}

fn evaluate(input: &Path, out: &Path, opts: &str, chunk: usize, threads: usize) -> i32 {
    cmr()
        .args([
            "evaluate",
            "--county",
            "SACRAMENTO",
            "--compute-at",
            "2019-11-11",
        ])
        .arg("--input-doj")
        .arg(input)
        .args(["--eligibility-options", opts, "--outputs"])
        .arg(out)
        .args([
            "--chunk-bytes",
            &chunk.to_string(),
            "--threads",
            &threads.to_string(),
        ])
        .status()
        .unwrap()
        .code()
        .unwrap()
}

fn generate(dir: &Path, rows: u64) -> std::path::PathBuf {
    let input = dir.join("gen.csv");
    let status = cmr()
        .args([
            "gen-doj",
            "--rows",
            &rows.to_string(),
            "--county",
            "SACRAMENTO",
            "--seed",
            "42",
            "--output",
        ])
        .arg(&input)
        .status()
        .unwrap();
    assert!(status.success());
    input
}

#[test]
fn outputs_do_not_depend_on_chunking_or_threads() {
    let dir = tempfile::tempdir().unwrap();
    let input = generate(dir.path(), 3_000);
    let opts = options(dir.path());
    let reference = dir.path().join("one_chunk");
    assert_eq!(evaluate(&input, &reference, &opts, usize::MAX / 2, 1), 0);
    for (chunk, threads) in [(1, 2), (997, 3), (64 * 1024, 2), (1 << 20, 4)] {
        let out = dir.path().join(format!("c{chunk}_t{threads}"));
        assert_eq!(evaluate(&input, &out, &opts, chunk, threads), 0);
        for name in [
            "All_Results.csv",
            "All_Results_Condensed.csv",
            "Prop64_Results.csv",
        ] {
            let a = fs::read(reference.join(name)).unwrap();
            let b = fs::read(out.join(name)).unwrap();
            assert!(
                a == b,
                "{name} differs with chunk {chunk}, {threads} threads"
            );
        }
        let summary = |d: &Path| {
            let mut v: serde_json::Value =
                serde_json::from_slice(&fs::read(d.join("gogen.json")).unwrap()).unwrap();
            v.as_object_mut().unwrap().remove("processingTimeInSeconds");
            v
        };
        assert_eq!(summary(&reference), summary(&out), "chunk {chunk}");
    }
}

#[test]
fn the_first_error_is_reported_on_the_same_line_whatever_the_chunking() {
    let dir = tempfile::tempdir().unwrap();
    let input = generate(dir.path(), 2_000);
    let text = fs::read_to_string(&input).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let opts = options(dir.path());
    // (what to do to data line 1500, expected message)
    let cases: [(&str, &str); 3] = [
        ("drop-field", "record on line 1500: wrong number of fields"),
        (
            "bare-quote",
            "parse error on line 1500, column 3: bare \" in non-quoted-field",
        ),
        ("open-quote", "extraneous or missing \" in quoted-field"),
    ];
    for (how, message) in cases {
        let mut broken: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let target = &mut broken[1500]; // index 0 is the header, so this is data line 1500
        match how {
            "drop-field" => *target = target.rsplit_once(',').unwrap().0.to_string(),
            "bare-quote" => *target = format!("ab\"c{}", &target[target.find(',').unwrap()..]),
            _ => *target = format!("\"open,{target}"),
        }
        let bad = dir.path().join(format!("{how}.csv"));
        fs::write(&bad, broken.join("\n") + "\n").unwrap();
        let mut errors = vec![];
        for (chunk, threads) in [(usize::MAX / 2, 1), (1, 2), (4096, 2), (100_000, 3)] {
            let out = dir.path().join(format!("{how}_{chunk}"));
            assert_eq!(evaluate(&bad, &out, &opts, chunk, threads), 1, "{how}");
            let err: serde_json::Value =
                serde_json::from_slice(&fs::read(out.join("gogen.err")).unwrap()).unwrap();
            let msg = err[bad.display().to_string()]["errorMessage"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(msg.contains(message), "{how}, chunk {chunk}: {msg}");
            assert!(!out.join("All_Results.csv").exists());
            errors.push(msg);
        }
        assert!(errors.windows(2).all(|w| w[0] == w[1]), "{how}: {errors:?}");
    }
}
