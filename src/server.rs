//! Running the HTTP server: bind, serve with client addresses, background upkeep, and a
//! graceful shutdown on SIGTERM / SIGINT that lets requests in flight finish.

use crate::app::App;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Serve until `shutdown` completes.
pub async fn serve(
    app: Arc<App>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let upkeep = tokio::spawn(upkeep(app.clone()));
    let worker = tokio::spawn(crate::workers::upload_worker(
        app.clone(),
        app.upload_notify.clone(),
    ));
    let models = tokio::spawn(crate::workers::model_worker(app.clone()));
    let router = crate::http::router(app.clone());
    tracing::info!(addr = %listener.local_addr()?, "listening");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    upkeep.abort();
    worker.abort();
    models.abort();
    app.warehouses.close_all();
    tracing::info!("stopped");
    Ok(())
}

/// Purge expired sessions, idle rate-limit buckets and abandoned partial uploads every few
/// minutes (the first time at start).
async fn upkeep(app: Arc<App>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        tick.tick().await;
        match app.meta.purge_expired_sessions() {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "purged expired sessions"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "session purge failed"),
        }
        app.auth.rate_limits().prune();
        // Half-written uploads of a process killed mid-upload (kill -9, power loss).
        let n = app.objects.sweep_incoming(INCOMING_IDLE);
        if n > 0 {
            tracing::info!(files = n, "removed abandoned partial uploads");
        }
    }
}

/// An incoming file not written to for this long belongs to no live upload.
const INCOMING_IDLE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; finishing requests in flight");
}
