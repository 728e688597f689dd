//! The server's own limits against hostile clients: foreign host names (DNS rebinding), a
//! client that never finishes its headers, more connections than the cap.

use crate::harness::TestServer;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn addr(s: &TestServer) -> String {
    s.url.trim_start_matches("http://").to_string()
}

/// One raw HTTP/1.1 request; the status code, or None when the server closed without one.
fn raw(addr: &str, request: &str) -> Option<u16> {
    let mut c = TcpStream::connect(addr).ok()?;
    c.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    c.write_all(request.as_bytes()).ok()?;
    let mut buf = vec![0u8; 4096];
    let n = c.read(&mut buf).ok()?;
    std::str::from_utf8(&buf[..n])
        .ok()?
        .get(9..12)?
        .parse()
        .ok()
}

#[tokio::test]
async fn only_local_and_configured_host_names_are_answered() {
    let s =
        TestServer::start_with(|c| c.server.allowed_hosts = vec!["shop.example.com".into()]).await;
    let a = addr(&s);
    let get =
        |host: &str| format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let a2 = a.clone();
    let (local, named, foreign, signup) = tokio::task::spawn_blocking(move || {
        (
            raw(&a2, &get(&a2)),
            raw(&a2, &get("shop.example.com")),
            raw(&a2, &get("rebind.attacker.example")),
            raw(
                &a2,
                "POST /signup HTTP/1.1\r\nHost: rebind.attacker.example\r\nOrigin: http://rebind.attacker.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            ),
        )
    })
    .await
    .unwrap();
    assert_eq!(local, Some(200));
    assert_eq!(named, Some(200));
    assert_eq!(foreign, Some(421));
    assert_eq!(signup, Some(421));
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let s = TestServer::start_with(|c| c.server.header_read_timeout_secs = 1).await;
    let a = addr(&s);
    let closed = tokio::task::spawn_blocking(move || {
        let mut c = TcpStream::connect(&a).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .unwrap();
        let mut buf = Vec::new();
        // The server closes the connection (with or without a 408 first); a hang would end
        // in a read timeout error instead.
        c.read_to_end(&mut buf).is_ok()
    })
    .await
    .unwrap();
    assert!(closed, "the half-sent request was not cut off");
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_a_free_one() {
    let s = TestServer::start_with(|c| c.server.max_connections = 16).await;
    let a = addr(&s);
    let a2 = a.clone();
    let (waited, served) = tokio::task::spawn_blocking(move || {
        // Sixteen clients hold every slot (connected, nothing sent yet).
        let held: Vec<TcpStream> = (0..16).map(|_| TcpStream::connect(&a2).unwrap()).collect();
        std::thread::sleep(Duration::from_millis(300));
        let mut extra = TcpStream::connect(&a2).unwrap();
        extra
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .unwrap();
        extra
            .set_read_timeout(Some(Duration::from_millis(800)))
            .unwrap();
        let mut buf = [0u8; 64];
        let waited = extra.read(&mut buf).is_err();
        drop(held);
        extra
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let n = extra.read(&mut buf).unwrap_or(0);
        (
            waited,
            String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
        )
    })
    .await
    .unwrap();
    assert!(
        waited,
        "the seventeenth connection was served while sixteen were open"
    );
    assert!(served, "it is served once a slot frees");
}

#[tokio::test]
async fn metrics_answer_this_machine_or_the_token_holder_only() {
    // Behind a proxy that passes the client's address on: a client elsewhere is refused.
    let s = TestServer::start_with(|c| c.server.trust_forwarded_for = true).await;
    let mut far = s.agent();
    far.forwarded_for = Some("203.0.113.9".into());
    assert_eq!(far.get("/metrics").await.status, 404);
    assert_eq!(s.agent().get("/metrics").await.status, 200, "this machine");
    // With a token, anyone holding it and nobody else.
    let s = TestServer::start_with(|c| {
        c.server.trust_forwarded_for = true;
        c.server.metrics_token = Some(sr360_core::Secret::new("metrics-token-0123456789".into()));
    })
    .await;
    let mut far = s.agent();
    far.forwarded_for = Some("203.0.113.9".into());
    assert_eq!(far.get("/metrics").await.status, 404);
    let r = far
        .send(
            reqwest::Client::new()
                .get(format!("{}/metrics", s.url))
                .bearer_auth("metrics-token-0123456789"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("sr360_"), "{}", r.body);
}
