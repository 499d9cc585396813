//! Building and running the server. Tests use the same builder on port 0.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::db::{self, Db};
use crate::service::sessions;
use crate::web::{self, AppState};

pub struct App {
    listener: TcpListener,
    state: AppState,
}

impl App {
    /// Opens (and migrates) the database and binds the listening socket.
    pub async fn build(settings: Settings) -> anyhow::Result<App> {
        let db = db::open(&settings.db_path).await?;
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

    /// Serves until `shutdown` completes, then lets in-flight requests finish and closes
    /// the database cleanly.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let db = self.state.db.clone();
        let router = web::router(self.state);
        let (signalled, signal_seen) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            shutdown.await;
            let _ = signalled.send(());
        };
        let serving = axum::serve(self.listener, router)
            .with_graceful_shutdown(shutdown)
            .into_future();
        // In-flight requests may finish, but a stuck client must not hold the server forever.
        let grace = async {
            if signal_seen.await.is_ok() {
                tokio::time::sleep(web::SHUTDOWN_GRACE).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            served = serving => served.context("serving HTTP")?,
            () = grace => tracing::warn!(
                grace_seconds = web::SHUTDOWN_GRACE.as_secs(),
                "requests were still running after the shutdown grace period; stopping anyway"
            ),
        }
        db.close().await;
        Ok(())
    }
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
