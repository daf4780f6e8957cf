//! Progress on a terminal, silence on a pipe: the bar draws to stderr only when stderr
//! is a terminal, so scripted runs and CI logs get nothing extra.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(path: &str) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {prefix} {msg} [{elapsed_precise}] {human_pos} rows",
            )
            .expect("static template"),
        );
        bar.set_prefix(path.to_string());
        bar.set_message("reading");
        Progress { bar: Some(bar) }
    }

    /// Rows read or written so far in the current pass.
    pub fn rows(&self, rows: u64) {
        // Called once per chunk (about a thousand rows), so no throttling is needed.
        if let Some(b) = &self.bar {
            b.set_position(rows);
        }
    }

    pub fn evaluating(&self, subjects: usize) {
        if let Some(b) = &self.bar {
            b.set_message(format!("evaluating {subjects} subjects"));
        }
    }

    /// The second pass: a bar over the rows counted in the first.
    pub fn writing(&self, rows: u64) {
        if let Some(b) = &self.bar {
            b.set_length(rows);
            b.set_position(0);
            b.set_style(
                ProgressStyle::with_template(
                    "{prefix} {msg} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} rows",
                )
                .expect("static template"),
            );
            b.set_message("writing");
        }
    }

    pub fn done(&self, rows: u64) {
        if let Some(b) = &self.bar {
            b.set_position(rows);
            b.finish_with_message("done");
        }
    }
}
