//! `shutdown_signal` resolves on SIGTERM. Its own test binary, so the signal sent to this
//! process reaches no other test.

#![cfg(unix)]

use std::time::Duration;

#[tokio::test]
async fn sigterm_resolves_shutdown_signal() {
    // The handlers are installed by this call, so SIGTERM from here on cannot kill the
    // process and cannot be missed.
    let shutdown = cmr_runtime::shutdown_signal();

    let status = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill failed: {status}");

    tokio::time::timeout(Duration::from_secs(5), shutdown)
        .await
        .expect("shutdown_signal did not resolve within 5 s of SIGTERM");
}
