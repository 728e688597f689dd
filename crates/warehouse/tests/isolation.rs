//! A tenant's warehouse connection must not reach another tenant's file, arbitrary files on
//! the machine, or loosen its own configuration.
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]

use sr360_core::{ManualClock, TenantId};
use sr360_meta::{AuditEvent, MetaStore};
use sr360_warehouse::{Limits, Warehouses};
use std::sync::Arc;

fn setup() -> (tempfile::TempDir, MetaStore, Warehouses) {
    let dir = tempfile::tempdir().unwrap();
    let meta = MetaStore::open(
        &dir.path().join("meta.sqlite"),
        Arc::new(ManualClock::new(time::OffsetDateTime::UNIX_EPOCH)),
    )
    .unwrap();
    for t in ["shop-a", "shop-b"] {
        meta.create_tenant(&TenantId::parse(t).unwrap(), t, &AuditEvent::cli())
            .unwrap();
    }
    let wh = Warehouses::new(
        dir.path(),
        Limits {
            memory_limit: "256MB".into(),
            threads: 1,
        },
    );
    (dir, meta, wh)
}

#[test]
fn tenant_connection_is_confined_to_its_directory() {
    let (dir, meta, wh) = setup();
    let a = meta
        .system_scope(&TenantId::parse("shop-a").unwrap())
        .unwrap();
    let b = meta
        .system_scope(&TenantId::parse("shop-b").unwrap())
        .unwrap();
    let wb = wh.provision(&b).unwrap();
    wb.with_conn(|c| {
        Ok(c.execute_batch("CREATE TABLE secret AS SELECT 42 AS answer; CHECKPOINT;")?)
    })
    .unwrap();
    let b_csv = wb.root().join("objects").join("x.csv");
    std::fs::write(&b_csv, "secret\n42\n").unwrap();
    let wa = wh.provision(&a).unwrap();

    // Its own directory works: write and read a file under tenants/shop-a/objects.
    let own = wa.root().join("objects").join("t.csv");
    wa.with_conn(|c| {
        Ok(c.execute_batch(&format!(
            "COPY (SELECT 1 AS x) TO '{}' (HEADER)",
            own.display()
        ))?)
    })
    .unwrap();
    let n: i64 = wa
        .with_conn(|c| {
            Ok(c.query_row(
                &format!("SELECT count(*) FROM read_csv('{}')", own.display()),
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(n, 1);

    let b_file = dir
        .path()
        .join("tenants/shop-b/warehouse.duckdb")
        .canonicalize()
        .unwrap();
    let attempts = [
        format!("ATTACH '{}' AS other (READ_ONLY)", b_file.display()),
        "SELECT * FROM read_csv('/etc/passwd')".to_string(),
        "SELECT * FROM read_text('/etc/passwd')".to_string(),
        format!(
            "SELECT * FROM read_csv('{}/../shop-b/objects/x.csv')",
            wa.root().display()
        ),
        format!("SELECT * FROM read_csv('{}')", b_csv.display()),
        "COPY (SELECT 1) TO '/tmp/sr360-escape.csv'".to_string(),
        "SET enable_external_access = true".to_string(),
        "SET allowed_directories = ['/']".to_string(),
        "SET lock_configuration = false".to_string(),
        "INSTALL httpfs".to_string(),
        "LOAD httpfs".to_string(),
        "SELECT * FROM read_csv('https://example.com/x.csv')".to_string(),
    ];
    for sql in &attempts {
        let r = wa.with_conn(|c| Ok(c.execute_batch(sql)?));
        assert!(r.is_err(), "must be refused: {sql}");
    }
    assert!(!std::path::Path::new("/tmp/sr360-escape.csv").exists());
    // Shop B's table is not visible from A.
    assert!(
        wa.with_conn(|c| Ok(c.query_row("SELECT answer FROM secret", [], |r| r.get::<_, i64>(0))?))
            .is_err()
    );
}

#[test]
fn settings_are_applied_and_locked() {
    let (_dir, meta, wh) = setup();
    let a = meta
        .system_scope(&TenantId::parse("shop-a").unwrap())
        .unwrap();
    let w = wh.provision(&a).unwrap();
    let (threads, ext, autoload): (String, String, String) = w
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT current_setting('threads')::VARCHAR, current_setting('enable_external_access')::VARCHAR, current_setting('autoload_known_extensions')::VARCHAR",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .unwrap();
    assert_eq!(threads, "1");
    assert_eq!(ext, "false");
    assert_eq!(autoload, "false");
}

#[test]
fn readers_do_not_wait_for_a_writer_and_see_committed_data() {
    let (_dir, meta, wh) = setup();
    let a = meta
        .system_scope(&TenantId::parse("shop-a").unwrap())
        .unwrap();
    let w = wh.provision(&a).unwrap();
    w.with_conn(|c| Ok(c.execute_batch("CREATE TABLE t AS SELECT 1 AS x")?))
        .unwrap();
    let w2 = w.clone();
    w.with_conn(|c| {
        c.execute_batch("BEGIN; INSERT INTO t VALUES (2);")?;
        // While the writer's transaction is open, a reader runs and sees only committed rows.
        let seen = std::thread::spawn(move || {
            w2.with_reader(|r| {
                Ok(r.query_row("SELECT count(*) FROM t", [], |x| x.get::<_, i64>(0))?)
            })
            .unwrap()
        })
        .join()
        .unwrap();
        assert_eq!(seen, 1);
        c.execute_batch("COMMIT")?;
        Ok(())
    })
    .unwrap();
    assert_eq!(
        w.with_reader(|r| Ok(r.query_row("SELECT count(*) FROM t", [], |x| x.get::<_, i64>(0))?))
            .unwrap(),
        2
    );
    // Readers are confined like the writer.
    assert!(
        w.with_reader(|r| Ok(r.execute_batch("SELECT * FROM read_text('/etc/passwd')")?))
            .is_err()
    );
}
