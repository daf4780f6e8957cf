//! The process shutdown signal.

use std::future::Future;

/// Resolves when the process receives SIGINT (Ctrl-C) or SIGTERM (what Kubernetes sends).
///
/// The handlers are installed when this function is called, not when the future is first
/// polled, so a signal that arrives in between is not lost. Once installed, these signals no
/// longer terminate the process: whoever awaits this future decides what happens. If the OS
/// refuses a handler, that is logged and the other signal still works.
///
/// # Panics
///
/// When called outside a tokio runtime.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};

        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            let signal_name = tokio::select! {
                () = recv_or_pending(interrupt, "SIGINT") => "SIGINT",
                () = recv_or_pending(terminate, "SIGTERM") => "SIGTERM",
            };
            tracing::info!(signal = signal_name, "shutdown signal received");
        }
    }
    #[cfg(not(unix))]
    {
        async {
            match tokio::signal::ctrl_c().await {
                Ok(()) => tracing::info!(signal = "ctrl-c", "shutdown signal received"),
                Err(error) => {
                    tracing::error!(%error, "cannot listen for ctrl-c");
                    std::future::pending::<()>().await;
                }
            }
        }
    }
}

/// Waits for one delivery of `signal`; never resolves if its handler could not be installed.
#[cfg(unix)]
async fn recv_or_pending(signal: std::io::Result<tokio::signal::unix::Signal>, name: &'static str) {
    match signal {
        Ok(mut stream) => {
            // `None` means the runtime is going away; treat it like the signal.
            stream.recv().await;
        }
        Err(error) => {
            tracing::error!(%error, signal = name, "cannot install signal handler");
            std::future::pending::<()>().await;
        }
    }
}
