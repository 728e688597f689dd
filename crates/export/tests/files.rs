//! A report with a chart and a long table drawn as PNG and PDF, read back.
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]

use resvg::tiny_skia::Pixmap;
use sr360_export::{Cell, Item, Renderer, Report, Table};

fn roboto() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/fonts/Roboto.ttf"
    ))
    .unwrap()
}

fn report() -> Report {
    let chart = r##"<svg width="640" height="200" viewBox="0 0 640 200" xmlns="http://www.w3.org/2000/svg"><rect x="10" y="10" width="300" height="150" fill="#5470c6"/><text x="400" y="100" font-family="SR360 Charts">Revenue</text></svg>"##;
    let rows = (0..55)
        .map(|i| {
            vec![
                Cell::text(format!("Product <{i}> & co")),
                Cell::number(format!("${i}.00"), i as f64),
            ]
        })
        .collect();
    Report {
        title: "Sales report".into(),
        lines: vec![
            "Filters: 2025-01-01 – 2025-03-31, category Tea".into(),
            "Generated 2026-11-28 10:00 UTC".into(),
        ],
        items: vec![
            Item {
                title: "Sales trend".into(),
                svg: Some(chart.into()),
                summary: "Revenue rose 12% over the period. ".repeat(8),
                table: Table::default(),
            },
            Item {
                title: "Top products".into(),
                svg: None,
                summary: String::new(),
                table: Table {
                    headers: vec!["Product".into(), "Revenue".into()],
                    rows,
                },
            },
        ],
        more_rows: "{n} more rows in the CSV export".into(),
    }
}

#[test]
fn png_is_an_image_with_ink_on_white() {
    let png = Renderer::new([roboto()], false).png(&report()).unwrap();
    let img = Pixmap::decode_png(&png).unwrap();
    assert_eq!(img.width(), 1440);
    let px = img.pixels();
    assert!(
        px.iter()
            .any(|p| (p.red(), p.green(), p.blue()) == (0x54, 0x70, 0xc6)),
        "the chart is drawn"
    );
    let dark = px
        .iter()
        .filter(|p| p.red() < 80 && p.green() < 80 && p.blue() < 80)
        .count();
    assert!(dark > 2000, "text is drawn ({dark} dark pixels)");
    assert_eq!(px[0].red(), 255, "white background");
}

/// Read back with poppler (scripts/install-deps.sh installs it): page count, text, and the
/// first page drawn as an image.
#[test]
fn pdf_opens_with_pages_text_and_an_image() {
    let pdf = Renderer::new([roboto()], false).pdf(&report()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let run = |cmd: &str, args: &[&str]| {
        let out = std::process::Command::new(cmd)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{cmd}: {e} (run scripts/install-deps.sh)"));
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let p = path.to_str().unwrap();
    let info = run("pdfinfo", &[p]);
    // Header + chart + summary on page one; the table (40 of its 55 rows) on page two.
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 2")),
        "{info}"
    );
    assert!(
        info.contains("Title:") && info.contains("Sales report"),
        "{info}"
    );
    assert!(info.contains("A4"), "{info}");
    let text = run("pdftotext", &["-layout", p, "-"]);
    for want in [
        "Sales report",
        "Generated 2026-11-28",
        "Revenue rose 12%",
        "Product <39> & co",
        "15 more rows in the CSV export",
        "2 / 2",
    ] {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
    assert!(!text.contains("Product <40>"), "only 40 rows are drawn");
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            p,
            dir.path().join("page").to_str().unwrap(),
        ],
    );
    let page = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("page"))
        .unwrap();
    let img = Pixmap::decode_png(&std::fs::read(page.path()).unwrap()).unwrap();
    assert!(
        img.pixels()
            .iter()
            .any(|p| (p.red(), p.green(), p.blue()) == (0x54, 0x70, 0xc6)),
        "the chart is drawn on page one"
    );
}

#[test]
fn nothing_to_export_is_an_error() {
    let r = Report {
        items: vec![],
        ..report()
    };
    assert!(matches!(
        Renderer::new([], false).pdf(&r),
        Err(sr360_export::ExportError::Empty)
    ));
}
