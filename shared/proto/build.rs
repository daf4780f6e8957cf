//! Compiles every `.proto` under the workspace's `proto/` directory with tonic-prost-build
//! and writes the descriptor set used for gRPC reflection.
//!
//! protoc is `$PROTOC` when set and non-empty, otherwise the binary shipped by
//! `protoc-bin-vendored` (hermetic build, no system install needed).

use std::env;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let proto_root = manifest_dir.join("../../proto").canonicalize()?;
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);

    let mut proto_files = Vec::new();
    collect_protos(&proto_root, &mut proto_files)?;
    proto_files.sort();
    if proto_files.is_empty() {
        return Err(format!("no .proto files under {}", proto_root.display()).into());
    }

    // A directory makes cargo rerun when anything inside it changes (new files too).
    println!("cargo:rerun-if-changed={}", proto_root.display());
    for file in &proto_files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    println!("cargo:rerun-if-env-changed=PROTOC");

    let protoc = match env::var_os("PROTOC") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => protoc_bin_vendored::protoc_bin_path()?,
    };

    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out_dir.join("cmr_descriptor.bin"))
        .compile_with_config(config, &proto_files, std::slice::from_ref(&proto_root))?;
    Ok(())
}

/// Every `*.proto` file below `dir`, recursively.
fn collect_protos(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_protos(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "proto") {
            out.push(path);
        }
    }
    Ok(())
}
