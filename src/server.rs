//! Running the HTTP server: bind, serve with client addresses, background upkeep, and a
//! graceful shutdown on SIGTERM / SIGINT that lets requests in flight finish — for at most
//! `SHUTDOWN_GRACE`: a stop is bounded, and work cut short is queued again at the next start.

use crate::app::App;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

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
    let stopping = app.stopping.clone();
    let shutdown = async move {
        shutdown.await;
        stopping.cancel();
    };
    tracing::info!(addr = %listener.local_addr()?, signup = ?app.config.auth.signup, "listening");
    if app.mailer.is_configured() {
        let mailer = app.mailer.clone();
        tokio::spawn(async move {
            match mailer.check().await {
                Ok(()) => tracing::info!("mail server answers"),
                Err(e) => {
                    tracing::warn!(error = %e, "mail server does not answer; sign-up links will not arrive")
                }
            }
        });
    }
    connections(
        listener,
        router,
        connection_cap(app.config.server.max_connections),
        Duration::from_secs(app.config.server.header_read_timeout_secs.max(1)),
        shutdown,
    )
    .await;
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

/// Accept connections until `shutdown`, each served by hyper with the router. Bounded where
/// `axum::serve` is not: at most `cap` connections are open at once (the next waits in the
/// OS's queue — 20,000 half-open connections once took every file descriptor, and a running
/// load failed on its WAL), and a client gets `header_timeout` to send its request's headers.
/// After `shutdown`, open requests get `SHUTDOWN_GRACE` to finish.
async fn connections(
    listener: TcpListener,
    router: axum::Router,
    cap: usize,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let permits = Arc::new(tokio::sync::Semaphore::new(cap));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder.http2().timer(TokioTimer::new());
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors or a connection reset before accept: wait a
                    // moment instead of spinning.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let router = router.clone();
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(req.map(axum::body::Body::new))
            });
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!(
            grace_secs = SHUTDOWN_GRACE.as_secs(),
            "requests still open after the grace time; stopping anyway"
        ),
    }
}

/// Connections open at once: as configured, but at most half the process's file descriptors
/// (the rest stay for warehouses, logs and uploads).
fn connection_cap(configured: usize) -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            l.lines()
                .find(|x| x.starts_with("Max open files"))
                .and_then(|x| x.split_whitespace().nth(3)?.parse::<usize>().ok())
        })
        .unwrap_or(1024);
    configured.clamp(16, (soft / 2).max(16))
}

/// How long requests in flight may take to finish once a stop is asked for.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

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
