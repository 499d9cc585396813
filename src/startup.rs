//! Building and running the server. Tests use the same builder on port 0.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::db::{self, Db};
use crate::service::sessions;
use crate::web::server::{self, ConnectionLimits};
use crate::web::{self, AppState};

pub struct App {
    listener: TcpListener,
    state: AppState,
}

impl App {
    /// Opens (and migrates) the database and binds the listening socket.
    pub async fn build(settings: Settings) -> anyhow::Result<App> {
        let db = db::open_with(&settings.db_path, Some(settings.request_timeout)).await?;
        let form_tokens = sessions::form_tokens(&db).await?;
        let listener = TcpListener::bind(&settings.bind)
            .await
            .with_context(|| format!("listening on {}", settings.bind))?;
        Ok(App {
            listener,
            state: AppState::new(db, settings, form_tokens),
        })
    }

    /// The bound address: the real port when the settings asked for port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn db(&self) -> Db {
        self.state.db.clone()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish (for at most
    /// the shutdown grace period) and closes the database, waiting at most
    /// `DB_CLOSE_TIMEOUT` for connections still busy. A transaction cut off this way is
    /// rolled back by SQLite (WAL), so stopping is always safe.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let db = self.state.db.clone();
        let settings = self.state.settings.clone();
        let limits = ConnectionLimits {
            max_connections: settings.max_connections,
            header_timeout: settings.header_timeout,
            shutdown_grace: settings.shutdown_grace,
        };
        let router = web::router(self.state);
        server::serve(self.listener, router, limits, shutdown).await;
        if tokio::time::timeout(DB_CLOSE_TIMEOUT, db.close())
            .await
            .is_err()
        {
            tracing::warn!(
                seconds = DB_CLOSE_TIMEOUT.as_secs(),
                "database connections were still busy; stopping without waiting for them"
            );
        }
        Ok(())
    }
}

/// How long closing the database may wait for connections still running a statement.
pub const DB_CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Completes on Ctrl-C (SIGINT) or SIGTERM. The handlers are installed when this is
/// called, not when the future is first polled: a SIGTERM that arrives as soon as the
/// server answers (before the serving loop polls this) must still shut it down cleanly
/// rather than kill it.
#[cfg(unix)]
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        let received = async |handler: std::io::Result<tokio::signal::unix::Signal>| match handler {
            Ok(mut handler) => {
                handler.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        };
        tokio::select! {
            () = received(interrupt) => {},
            () = received(terminate) => {},
        }
        tracing::info!("shutdown signal received; finishing in-flight requests");
    }
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutdown signal received; finishing in-flight requests");
    }
}
