//! How the client commands (`cmr review`, `cmr file`) end: their text on stdout, or one error
//! line on stderr, and the exit code.

use std::future::Future;
use std::io::Write as _;

/// Runs `work` on a current-thread runtime and prints the text it returns; an error is printed
/// to stderr after `command: `. Returns the exit code. A closed stdout (`cmr review list |
/// head`) is not an error.
pub fn print_outcome(command: &str, work: impl Future<Output = Result<String, String>>) -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("{command}: cannot start the async runtime: {e}");
            return 1;
        }
    };
    match runtime.block_on(work) {
        Ok(text) => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => 0,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
                Err(e) => {
                    eprintln!("{command}: cannot write the output: {e}");
                    1
                }
            }
        }
        Err(message) => {
            eprintln!("{command}: {message}");
            1
        }
    }
}
