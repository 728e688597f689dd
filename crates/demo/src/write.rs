//! Writing the export files. Everything is written under `.partial/` inside the target
//! directory and renamed into place at the end, so an interrupted run never leaves a file
//! that looks complete.

use crate::calendar::Day;
use crate::catalog::{CATEGORIES, Product};
use crate::people::Customer;
use crate::{DemoError, Order, Promotion, ReturnRow, channel_of, region_of};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};
use serde::Serialize;
use sr360_warehouse::{HardenedDb, Limits};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    pub name: String,
    pub bytes: u64,
}

type CsvW = csv::Writer<BufWriter<File>>;

pub struct Writers {
    work: PathBuf,
    orders: CsvW,
    events: CsvW,
    event_id: u64,
}

fn csv_writer(p: &Path) -> Result<CsvW, DemoError> {
    let f = File::create(p).map_err(DemoError::io(p))?;
    Ok(csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(1 << 20, f)))
}

fn ts(day: &Day, secs: u32) -> String {
    format!(
        "{} {:02}:{:02}:{:02}",
        day.ymd,
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

const ORDER_HEADER: &[&str] = &[
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Currency",
    "Subtotal",
    "Discount Code",
    "Discount Amount",
    "Total",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem sku",
    "Billing City",
    "Billing Province",
    "Billing Country",
    "Source",
];

impl Writers {
    pub fn create(dir: &Path) -> Result<Self, DemoError> {
        let work = dir.join(".partial");
        if work.exists() {
            std::fs::remove_dir_all(&work).map_err(DemoError::io(&work))?;
        }
        std::fs::create_dir_all(&work).map_err(DemoError::io(&work))?;
        let mut orders = csv_writer(&work.join("orders.csv"))?;
        orders.write_record(ORDER_HEADER)?;
        let mut events = csv_writer(&work.join("events.csv"))?;
        events.write_record([
            "event_id",
            "event_time",
            "session_id",
            "customer_id",
            "event_type",
            "product_sku",
            "search_query",
            "order_name",
            "channel",
            "device",
        ])?;
        Ok(Self {
            work,
            orders,
            events,
            event_id: 0,
        })
    }

    pub fn orders(
        &mut self,
        day: &Day,
        orders: &[Order],
        products: &[Product],
        customers: &[Customer],
    ) -> Result<(), DemoError> {
        for o in orders {
            let c = &customers[o.customer];
            let (country, province, city) = region_of(c);
            let subtotal: f64 = o
                .lines
                .iter()
                .map(|l| l.unit_price * f64::from(l.qty))
                .sum();
            let created = format!("{} +0000", ts(day, o.secs));
            let subtotal_s = format!("{subtotal:.2}");
            let disc = format!("{:.2}", o.discount_amount);
            for l in &o.lines {
                let p = &products[l.product];
                self.orders.write_record([
                    o.name.as_str(),
                    c.email.as_str(),
                    "paid",
                    created.as_str(),
                    "USD",
                    subtotal_s.as_str(),
                    o.discount_code.as_deref().unwrap_or(""),
                    disc.as_str(),
                    subtotal_s.as_str(),
                    created.as_str(),
                    &l.qty.to_string(),
                    p.name.as_str(),
                    &format!("{:.2}", l.unit_price),
                    p.sku.as_str(),
                    city,
                    province,
                    country,
                    o.source,
                ])?;
            }
        }
        Ok(())
    }

    /// Returns are rows of the original order with a negative quantity, dated when the goods
    /// came back.
    pub fn returns(
        &mut self,
        day: &Day,
        rets: &[ReturnRow],
        products: &[Product],
        customers: &[Customer],
    ) -> Result<(), DemoError> {
        for r in rets {
            let c = &customers[r.customer];
            let (country, province, city) = region_of(c);
            let p = &products[r.product];
            let created = format!("{} +0000", ts(day, r.secs));
            let amount = format!("{:.2}", -r.unit_price * f64::from(r.qty));
            self.orders.write_record([
                r.order_name.as_str(),
                c.email.as_str(),
                "refunded",
                "",
                "USD",
                amount.as_str(),
                "",
                "0.00",
                amount.as_str(),
                created.as_str(),
                &(-r.qty).to_string(),
                p.name.as_str(),
                &format!("{:.2}", r.unit_price),
                p.sku.as_str(),
                city,
                province,
                country,
                r.source,
            ])?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        day: &Day,
        secs: u32,
        session: &str,
        customer: &str,
        kind: &str,
        sku: &str,
        query: &str,
        order: &str,
        channel: &str,
        device: &str,
    ) -> Result<(), DemoError> {
        self.event_id += 1;
        self.events.write_record([
            &self.event_id.to_string(),
            &ts(day, secs.min(86_399)),
            session,
            customer,
            kind,
            sku,
            query,
            order,
            channel,
            device,
        ])?;
        Ok(())
    }

    /// Web events of the day: one purchase session per order, and browsing sessions that
    /// view, sometimes add to cart and check out, but do not buy. Returns the count.
    #[allow(clippy::too_many_arguments)]
    pub fn events(
        &mut self,
        rng: &mut ChaCha8Rng,
        day: &Day,
        orders: &[Order],
        products: &[Product],
        customers: &[Customer],
        view_cum: &[f64],
        session_no: &mut u64,
    ) -> Result<usize, DemoError> {
        let before = self.event_id;
        const CH: &[(&str, f64)] = &[
            ("direct", 25.0),
            ("organic", 30.0),
            ("paid_search", 18.0),
            ("social", 12.0),
            ("email", 9.0),
            ("referral", 6.0),
        ];
        let ch_cum = crate::cumulative(CH.iter().map(|c| c.1));
        let device = |rng: &mut ChaCha8Rng| match rng.random::<f64>() {
            x if x < 0.45 => "desktop",
            x if x < 0.93 => "mobile",
            _ => "tablet",
        };
        for o in orders {
            *session_no += 1;
            let sid = format!("s{:09}", *session_no);
            let cust = customers[o.customer].id.as_str();
            let ch = if rng.random_bool(0.4) {
                channel_of(&customers[o.customer])
            } else {
                CH[crate::pick_weighted(rng, &ch_cum)].0
            };
            let dev = if o.source == "mobile_app" {
                "mobile"
            } else {
                device(rng)
            };
            let mut t = o.secs.saturating_sub(rng.random_range(180..2400));
            if rng.random_bool(0.3) {
                let p = &products[o.lines[0].product];
                let q = search_query(rng, p);
                self.event(day, t, &sid, cust, "search", "", &q, "", ch, dev)?;
                t += rng.random_range(5..60);
            }
            for l in &o.lines {
                let sku = products[l.product].sku.as_str();
                for _ in 0..rng.random_range(1..=2) {
                    self.event(day, t, &sid, cust, "view", sku, "", "", ch, dev)?;
                    t += rng.random_range(10..200);
                }
                self.event(day, t, &sid, cust, "add_to_cart", sku, "", "", ch, dev)?;
                t += rng.random_range(5..120);
            }
            self.event(
                day,
                t.min(o.secs.saturating_sub(1)),
                &sid,
                cust,
                "checkout",
                "",
                "",
                "",
                ch,
                dev,
            )?;
            self.event(
                day, o.secs, &sid, cust, "purchase", "", "", &o.name, ch, dev,
            )?;
        }
        let browse = Poisson::new(4.0 * orders.len() as f64 + 1.0)
            .map(|p| p.sample(rng) as usize)
            .unwrap_or(0);
        for _ in 0..browse {
            *session_no += 1;
            let sid = format!("s{:09}", *session_no);
            let cust = if rng.random_bool(0.35) {
                customers[rng.random_range(0..customers.len())].id.as_str()
            } else {
                ""
            };
            let ch = CH[crate::pick_weighted(rng, &ch_cum)].0;
            let dev = device(rng);
            let mut t = rng.random_range(0..86_000);
            let views = 1 + Poisson::new(1.3)
                .map(|p| p.sample(rng) as usize)
                .unwrap_or(0)
                .min(8);
            let mut carted = false;
            if rng.random_bool(0.15) {
                let p = &products[crate::pick_weighted(rng, view_cum)];
                let q = search_query(rng, p);
                self.event(day, t, &sid, cust, "search", "", &q, "", ch, dev)?;
                t += rng.random_range(5..60);
            }
            for _ in 0..views {
                let p = &products[crate::pick_weighted(rng, view_cum)];
                self.event(day, t, &sid, cust, "view", &p.sku, "", "", ch, dev)?;
                t += rng.random_range(10..240);
                if rng.random_bool((0.12 * p.quality).min(1.0)) {
                    self.event(day, t, &sid, cust, "add_to_cart", &p.sku, "", "", ch, dev)?;
                    carted = true;
                    t += rng.random_range(5..120);
                }
            }
            if carted && rng.random_bool(0.35) {
                self.event(day, t, &sid, cust, "checkout", "", "", "", ch, dev)?;
            }
        }
        Ok((self.event_id - before) as usize)
    }

    pub fn finish(
        mut self,
        dir: &Path,
        products: &[Product],
        customers: &[Customer],
        promos: &[Promotion],
        days: &[Day],
    ) -> Result<Vec<FileInfo>, DemoError> {
        self.orders.flush().map_err(DemoError::io(&self.work))?;
        self.events.flush().map_err(DemoError::io(&self.work))?;
        drop(self.orders);
        drop(self.events);
        let work = self.work;

        // customers.csv (Shopify customer export columns)
        let mut cw = csv_writer(&work.join("customers.csv"))?;
        cw.write_record([
            "Customer ID",
            "First Name",
            "Last Name",
            "Email",
            "Accepts Email Marketing",
            "Default Address City",
            "Default Address Province Code",
            "Default Address Country Code",
            "Phone",
            "Created At",
            "Tags",
        ])?;
        let first = &days[0];
        for c in customers {
            let (country, province, city) = region_of(c);
            let created = if c.signup_day == 0 {
                format!("{} 09:00:00 +0000", first.ymd)
            } else {
                format!("{} 12:00:00 +0000", days[c.signup_day as usize].ymd)
            };
            cw.write_record([
                c.id.as_str(),
                c.first,
                c.last,
                c.email.as_str(),
                if c.accepts_marketing { "yes" } else { "no" },
                city,
                province,
                country,
                c.phone.as_str(),
                created.as_str(),
                &format!("channel:{}", channel_of(c)),
            ])?;
        }
        cw.flush().map_err(DemoError::io(&work))?;

        // products.json (WooCommerce product export shape)
        let items: Vec<serde_json::Value> = products
            .iter()
            .map(|p| {
                serde_json::json!({
                    "id": p.id,
                    "sku": p.sku,
                    "name": p.name,
                    "type": "simple",
                    "status": "publish",
                    "categories": [{ "name": CATEGORIES[p.category].name }],
                    "tags": p.tags.iter().map(|t| serde_json::json!({ "name": t })).collect::<Vec<_>>(),
                    "brands": [{ "name": p.brand }],
                    "regular_price": format!("{:.2}", p.price),
                    "description": p.description,
                    "short_description": format!("{} by {}", p.name, p.brand),
                    "date_created": format!("{}T08:00:00", days[p.launch_day as usize].ymd),
                    "meta_data": [{ "key": "_wc_cog_cost", "value": format!("{:.2}", p.cost) }],
                })
            })
            .collect();
        write_json(&work.join("products.json"), &items)?;
        write_json(&work.join("promotions.json"), &promos)?;

        // web_events.parquet, converted by DuckDB confined to the work directory.
        let db = HardenedDb::open(
            None,
            &work,
            &Limits {
                memory_limit: "1GB".into(),
                threads: 1,
            },
        )?;
        let root = db.root().to_path_buf();
        let csv = root.join("events.csv");
        let pq = root.join("web_events.parquet");
        db.conn()
            .execute_batch(&format!(
                "COPY (SELECT * FROM read_csv('{}', header = true, columns = {{'event_id': 'BIGINT', 'event_time': 'TIMESTAMP', 'session_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'event_type': 'VARCHAR', 'product_sku': 'VARCHAR', 'search_query': 'VARCHAR', 'order_name': 'VARCHAR', 'channel': 'VARCHAR', 'device': 'VARCHAR'}}))
                 TO '{}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)",
                csv.display(),
                pq.display()
            ))
            .map_err(sr360_warehouse::WarehouseError::from)?;
        drop(db);
        std::fs::remove_file(&csv).map_err(DemoError::io(&csv))?;

        let mut out = Vec::new();
        for name in [
            "orders.csv",
            "customers.csv",
            "products.json",
            "promotions.json",
            "web_events.parquet",
        ] {
            let from = work.join(name);
            let to = dir.join(name);
            File::open(&from)
                .and_then(|f| f.sync_all())
                .map_err(DemoError::io(&from))?;
            std::fs::rename(&from, &to).map_err(DemoError::io(&to))?;
            out.push(FileInfo {
                name: name.into(),
                bytes: std::fs::metadata(&to).map_err(DemoError::io(&to))?.len(),
            });
        }
        std::fs::remove_dir_all(&work).map_err(DemoError::io(&work))?;
        Ok(out)
    }
}

fn search_query(rng: &mut ChaCha8Rng, p: &Product) -> String {
    let words: Vec<&str> = p.name.split(' ').skip(1).collect();
    let mut q = words
        .iter()
        .rev()
        .take(2)
        .rev()
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if rng.random_bool(0.15) && q.len() > 4 {
        // a typo: drop one character
        let i = rng.random_range(1..q.len() - 1);
        if q.is_char_boundary(i) && q.is_char_boundary(i + 1) {
            q.remove(i);
        }
    }
    q
}

fn write_json<T: Serialize + ?Sized>(p: &Path, v: &T) -> Result<(), DemoError> {
    let f = File::create(p).map_err(DemoError::io(p))?;
    let mut w = BufWriter::new(f);
    serde_json::to_writer_pretty(&mut w, v)?;
    w.write_all(b"\n").map_err(DemoError::io(p))?;
    w.flush().map_err(DemoError::io(p))?;
    Ok(())
}

pub fn atomic_json(dir: &Path, name: &str, v: &serde_json::Value) -> Result<FileInfo, DemoError> {
    let tmp = dir.join(format!(".{name}.tmp"));
    write_json(&tmp, v)?;
    File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(DemoError::io(&tmp))?;
    let to = dir.join(name);
    std::fs::rename(&tmp, &to).map_err(DemoError::io(&to))?;
    Ok(FileInfo {
        name: name.into(),
        bytes: std::fs::metadata(&to).map_err(DemoError::io(&to))?.len(),
    })
}
