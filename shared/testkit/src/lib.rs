//! The harness the cmr services' integration tests share (dev-dependency only).
//!
//! - [`TestDatabase`]: a database for one service in one test, either a SQLite file in a
//!   tempdir or a fresh PostgreSQL database on `postgres://postgres@127.0.0.1:5432`. The
//!   PostgreSQL flavour panics (fails the test, never skips it) when the server is
//!   unreachable, and is dropped by [`TestDatabase::cleanup`].
//! - [`Server`]: a service's `run` on 127.0.0.1:0 with a stop signal.
//! - [`Running`]: a [`Server`] plus a connected client.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm::{ConnectionTrait, Database};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The maintenance database used to create and drop per-test databases.
pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database for one service in one test: a SQLite file in a tempdir or a fresh
/// PostgreSQL database.
#[derive(Debug)]
pub struct TestDatabase(Kind);

#[derive(Debug)]
enum Kind {
    Sqlite(tempfile::TempDir, String),
    Postgres(String),
}

impl TestDatabase {
    /// A new database for `service`: `<service>.db` in a fresh tempdir, or (`postgres`) a new
    /// database `cmr_<service>_<unique>`. Panics when PostgreSQL is unreachable.
    pub async fn new(postgres: bool, service: &str) -> Self {
        if !postgres {
            return Self(Kind::Sqlite(
                tempfile::tempdir().expect("tempdir"),
                service.to_owned(),
            ));
        }
        let admin = Database::connect(PG_ADMIN_URL)
            .await
            .expect("PostgreSQL on 127.0.0.1:5432 must be up for the PG tests");
        let name = format!("cmr_{service}_{}", unique_suffix());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create database");
        admin.close().await.expect("close");
        Self(Kind::Postgres(name))
    }

    /// The URL a service's config takes.
    #[must_use]
    pub fn url(&self) -> String {
        match &self.0 {
            Kind::Sqlite(dir, service) => format!(
                "sqlite://{}?mode=rwc",
                dir.path().join(format!("{service}.db")).display()
            ),
            Kind::Postgres(name) => format!("postgres://postgres@127.0.0.1:5432/{name}"),
        }
    }

    /// Drops the PostgreSQL database (forcibly), or removes the tempdir.
    pub async fn cleanup(self) {
        if let Kind::Postgres(name) = self.0 {
            let admin = Database::connect(PG_ADMIN_URL).await.expect("connect");
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .expect("drop database");
            admin.close().await.expect("close");
        }
    }
}

/// Lowercase, time-ordered and random: safe in an unquoted PostgreSQL identifier.
fn unique_suffix() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!(
        "{:012x}{:020x}",
        ms & 0xffff_ffff_ffff,
        rand::random::<u64>()
    )
}

/// The shutdown future handed to a service's `run`: resolves when [`Server`] signals stop
/// (or is dropped).
#[derive(Debug)]
pub struct Shutdown(oneshot::Receiver<()>);

impl Future for Shutdown {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

/// A service's `run` spawned on a listener bound to 127.0.0.1:0.
#[derive(Debug)]
pub struct Server<E> {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), E>>,
}

impl<E: Send + 'static> Server<E> {
    /// Binds 127.0.0.1:0 and spawns `run(listener, shutdown)`.
    pub async fn start<F, Fut>(run: F) -> Self
    where
        F: FnOnce(TcpListener, Shutdown) -> Fut,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(run(listener, Shutdown(stopped)));
        Self {
            addr,
            stop: Some(stop),
            task,
        }
    }

    /// `http://<addr>`, for clients.
    #[must_use]
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Signals the server to stop without waiting for it.
    pub fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Signals stop and waits for `run` to return its result. Panics if the task panicked.
    pub async fn join(mut self) -> Result<(), E> {
        self.signal_stop();
        self.task.await.expect("join")
    }
}

impl<E: Send + std::fmt::Debug + 'static> Server<E> {
    /// Signals stop, waits, and panics unless `run` returned `Ok`.
    pub async fn stop(self) {
        self.join().await.expect("run");
    }
}

/// One service's [`Server`] and a client connected to it.
#[derive(Debug)]
pub struct Running<C, E> {
    pub client: C,
    pub server: Server<E>,
}

impl<C, E: Send + std::fmt::Debug + 'static> Running<C, E> {
    /// Starts the server (see [`Server::start`]) and connects `connect(endpoint)`.
    pub async fn start<F, Fut, K, KFut, KErr>(run: F, connect: K) -> Self
    where
        F: FnOnce(TcpListener, Shutdown) -> Fut,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        K: FnOnce(String) -> KFut,
        KFut: Future<Output = Result<C, KErr>>,
        KErr: std::fmt::Debug,
    {
        let server = Server::start(run).await;
        let client = connect(server.endpoint()).await.expect("connect");
        Self { client, server }
    }

    /// Drops the client, then stops the server (see [`Server::stop`]).
    pub async fn stop(self) {
        drop(self.client);
        self.server.stop().await;
    }
}
