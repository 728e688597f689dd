//! Only the host names this instance is meant to be reached by are answered. A page on any
//! web site can point its own DNS name at 127.0.0.1 (DNS rebinding) and then talk to a
//! localhost-bound instance as a same-origin site — sign up, try passwords. The `Host` header
//! still carries the attacker's name, so it is checked before anything else runs: localhost
//! names, the address the server is bound to, and `server.allowed_hosts` pass; everything
//! else gets `421 Misdirected Request` and a line saying which setting to change.

use super::AppState;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sr360_core::config::ServerConfig;

/// The host part of a `Host` value: no port, no IPv6 brackets, lower case.
fn host_name(value: &str) -> String {
    let v = value.trim();
    let host = if let Some(rest) = v.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        v.rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
            .map(|(h, _)| h)
            .unwrap_or(v)
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// May a request for `host` be answered?
pub fn allowed(server: &ServerConfig, host: &str) -> bool {
    let h = host_name(host);
    if h.is_empty() {
        return false;
    }
    let local = h == "localhost"
        || h.ends_with(".localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let bound = server.addr.ip();
    let own_address = !bound.is_unspecified() && h.parse::<std::net::IpAddr>().ok() == Some(bound);
    local
        || own_address
        || server.allowed_hosts.iter().any(|a| {
            let a = a.trim().to_ascii_lowercase();
            a == "*"
                || a == h
                // ".example.com": the domain and every name under it.
                || a.strip_prefix('.').is_some_and(|d| h == d || h.ends_with(&format!(".{d}")))
        })
}

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_default();
    if allowed(&state.config.server, &host) {
        return next.run(req).await;
    }
    tracing::warn!(host = %host, "request for a host name this server does not answer to");
    (
        StatusCode::MISDIRECTED_REQUEST,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "This SmartRetail360 server does not answer to this host name. To reach it by this \
         name, add it to server.allowed_hosts in the configuration (SR360_SERVER__ALLOWED_HOSTS).\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_names_the_bound_address_and_configured_names_only() {
        let mut c = ServerConfig::default();
        for ok in [
            "127.0.0.1:8360",
            "localhost",
            "LOCALHOST:80",
            "[::1]:8360",
            "shop.localhost",
        ] {
            assert!(allowed(&c, ok), "{ok}");
        }
        for no in [
            "evil.example",
            "evil.example:8360",
            "",
            "127.0.0.1.evil.example",
            "10.0.0.5",
        ] {
            assert!(!allowed(&c, no), "{no}");
        }
        c.addr = "10.0.0.5:8360".parse().unwrap();
        assert!(allowed(&c, "10.0.0.5:8360"));
        c.allowed_hosts = vec!["shop.example.com".into(), ".internal".into()];
        assert!(allowed(&c, "shop.example.com"));
        assert!(allowed(&c, "stats.internal:443"));
        assert!(!allowed(&c, "example.com"));
    }
}
