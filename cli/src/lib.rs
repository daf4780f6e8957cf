//! The `cmr` command as a library, so the end-to-end tests (`tests/e2e`) drive exactly the
//! code the binary runs: `evaluate` in process, `run` through the four gRPC services.

pub mod bench;
pub mod bench_pipeline;
mod chunk_output;
pub mod evaluate;
pub mod explain;
pub mod file;
pub mod gen_doj;
pub mod outputs;
pub mod pipeline;
mod printed;
pub mod progress;
mod rap_input;
pub mod review;
pub mod run;
pub mod serve;
