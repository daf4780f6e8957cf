//! What `cmr evaluate` and `cmr run` write the same way: output file names, outputs staged
//! under temporary names until a file is complete, and `gogen.err`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use cmr_engine::summary::go_json_string;
use cmr_record::FileError;
use cmr_record::doj::go_os_message;

use crate::evaluate::Settings;

/// A failure keyed as gogen keys it: `""` for the run, the input path for a file.
#[derive(Debug)]
pub struct Failure {
    pub key: String,
    pub error: FileError,
}

pub fn run_failure(message: impl Into<String>) -> Failure {
    Failure {
        key: String::new(),
        error: FileError::other(message),
    }
}

/// Writes `gogen.err` and the same lines to stderr; returns exit code 1.
pub fn report_failures(err_path: &Path, failures: &[Failure]) -> i32 {
    let mut by_key: BTreeMap<&str, &FileError> = BTreeMap::new();
    for f in failures {
        by_key.insert(&f.key, &f.error);
    }
    let body: Vec<String> = by_key
        .iter()
        .map(|(k, e)| {
            format!(
                "{}:{{\"errorType\":\"{}\",\"errorMessage\":{}}}",
                go_json_string(k),
                e.error_type.as_str(),
                go_json_string(&e.message)
            )
        })
        .collect();
    for (k, e) in &by_key {
        eprintln!("{k}: {}", e.message);
        if e.field.is_some() || e.detail.is_some() {
            eprintln!("  detail: {}", e.describe());
        }
    }
    if let Err(e) = fs::write(err_path, format!("{{{}}}", body.join(","))) {
        eprintln!("open {}: {}", err_path.display(), go_os_message(&e));
    }
    1
}

/// Output names of one input: `All_Results[_i][_S].csv` and friends.
pub fn output_paths(run: &Settings, index: Option<usize>) -> [PathBuf; 3] {
    let i = index.map(|i| format!("_{i}")).unwrap_or_default();
    let s = &run.suffix;
    [
        run.outputs.join(format!("All_Results{i}{s}.csv")),
        run.outputs.join(format!("All_Results_Condensed{i}{s}.csv")),
        run.outputs.join(format!("Prop64_Results{i}{s}.csv")),
    ]
}

/// The pilots' text report of one input: `summary[_i][_S].txt`.
pub fn report_path(run: &Settings, index: Option<usize>) -> PathBuf {
    let i = index.map(|i| format!("_{i}")).unwrap_or_default();
    run.outputs.join(format!("summary{i}{}.txt", run.suffix))
}

pub fn write_error(p: &Path, e: std::io::Error) -> FileError {
    FileError::other(format!("write {}: {}", p.display(), go_os_message(&e)))
}

/// `<name>.partial`: where an output is written before it is complete.
pub fn partial_path(p: &Path) -> PathBuf {
    let mut name = p.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Outputs written under temporary names and renamed together at the end, so a failed
/// run never leaves a file that looks complete.
#[derive(Default)]
pub struct Staged {
    pub temps: Vec<PathBuf>,
    pub finals: Vec<PathBuf>,
}

impl Staged {
    /// Writes a whole output under its temporary name.
    pub fn add(&mut self, final_path: PathBuf, bytes: &[u8]) -> Result<(), FileError> {
        let temp = partial_path(&final_path);
        fs::write(&temp, bytes).map_err(|e| write_error(&temp, e))?;
        self.temps.push(temp);
        self.finals.push(final_path);
        Ok(())
    }

    pub fn commit(self) -> Result<(), FileError> {
        for (t, f) in self.temps.iter().zip(&self.finals) {
            fs::rename(t, f).map_err(|e| write_error(f, e))?;
        }
        Ok(())
    }
}
