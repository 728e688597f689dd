//! The lake on an S3-compatible store: uploads are stored in the bucket (not on disk),
//! processed from there, and deduplicated by content. The store is moto's S3 server
//! (`pip install moto[server]`, done by scripts/install-deps.sh), started on a free port.

use crate::harness::{PW, TestServer, wait_done};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use sr360_core::config::StorageKind;
use std::process::{Child, Command, Stdio};

struct S3Server {
    child: Child,
    url: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn s3_server() -> S3Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("python3")
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with moto (pip install 'moto[server]'; scripts/install-deps.sh does)");
    // Owned at once, so the server is stopped (Drop) however this ends.
    let server = S3Server {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .put(format!("{}/lake", server.url))
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false)
        {
            return server;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the S3 server did not start");
}

#[tokio::test]
async fn uploads_live_in_an_s3_bucket_when_configured() {
    let s3 = s3_server().await;
    let url = s3.url.clone();
    let s = TestServer::start_with(|c| {
        c.storage.kind = StorageKind::S3;
        c.storage.s3.bucket = "lake".into();
        c.storage.s3.endpoint = url;
        c.storage.s3.allow_http = true;
        c.storage.s3.access_key_id = "AKIATESTLAKE".into();
        c.storage.s3.secret_access_key = Some(sr360_core::Secret::new("k3Jd8sLq0ZvWm2Rt".into()));
    })
    .await;
    let mut owner = s.signup("Bucket Shop", "b@example.com", PW).await;
    let tok = owner
        .api(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(serde_json::json!({"email": "b@example.com", "password": PW})),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let csv = "order_id,order_date,sku,quantity,unit_price\nA1,2025-01-02 10:00:00,S1,2,5.00\nA2,2025-01-03 11:00:00,S2,1,7.50\n";
    let send = || async {
        let form = Form::new().part(
            "file",
            Part::bytes(csv.as_bytes().to_vec()).file_name("orders.csv"),
        );
        let r = reqwest::Client::new()
            .post(format!("{}/api/v1/uploads", s.url))
            .bearer_auth(&tok)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        r.json::<serde_json::Value>().await.unwrap()["uploads"][0].clone()
    };
    let u = send().await;
    let id = u["id"].as_i64().unwrap();
    let v = wait_done(&mut owner, &tok, id).await;
    assert_eq!(v["status"], "succeeded", "{v}");
    assert_eq!(v["rows_accepted"], 2);
    // The object is in the bucket under its content key, and not on the local disk.
    let hash = v["blake3"].as_str().unwrap().to_string();
    let tenant = s.tenant_of("b@example.com");
    let key = format!("{tenant}/objects/raw/{}/{hash}", &hash[..2]);
    assert_eq!(
        s.app
            .objects
            .keys(&format!("{tenant}/objects/"))
            .await
            .unwrap(),
        vec![key.clone()],
        "one object, under its content key"
    );
    let copy = tempfile::tempdir().unwrap();
    let path = s.app.objects.local_copy(&key, copy.path()).await.unwrap();
    assert_eq!(std::fs::read_to_string(path).unwrap(), csv);
    let local = s
        .dir
        .path()
        .join("tenants")
        .join(&tenant)
        .join("objects/raw");
    assert!(
        !local.exists() || std::fs::read_dir(&local).unwrap().next().is_none(),
        "nothing stored locally"
    );
    let tmp = s.dir.path().join("tenants").join(&tenant).join("tmp");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "fetched copies are removed: {left:?}");
    // The same bytes again: a duplicate, and no second object (no leftover incoming key).
    let again = send().await;
    assert_eq!(again["status"], "duplicate", "{again}");
    assert_eq!(
        s.app
            .objects
            .keys(&format!("{tenant}/objects/"))
            .await
            .unwrap(),
        vec![key],
        "no second object, no leftover incoming key"
    );
    s.stop().await;
}
