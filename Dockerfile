# syntax=docker/dockerfile:1
# The one container image of the suite: the `cmr` binary, nothing else.
# Build:  docker build -t cmr:0.1.0 .
# Run:    docker run --rm --read-only -p 50051:50051 cmr:0.1.0 serve ingest --listen 0.0.0.0:50051
# Every service is `cmr serve <service>` from this image (deploy/k8s, docs/DEPLOY.md).

FROM rust:1.95-bookworm AS builder
WORKDIR /src
# rust-toolchain.toml pins the exact toolchain; install it (and its components) in its own layer.
COPY rust-toolchain.toml ./
RUN rustup toolchain install && cargo --version
# protoc comes from protoc-bin-vendored (a build dependency): no system packages needed.
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin cmr \
    && install -D -m 0555 target/release/cmr /out/cmr

# glibc, libgcc and CA certificates; no shell, no package manager. UID/GID 65532 ("nonroot").
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /out/cmr /cmr
USER 65532:65532
# The binary writes nothing outside its database path (a mounted volume for SQLite),
# so the container runs with a read-only root file system.
ENTRYPOINT ["/cmr"]
CMD ["--help"]
