//! SVG layouts to PNG (resvg) and PDF (krilla). The fonts are loaded once: the ones the
//! caller hands in (the Roboto the charts were measured with) and, for scripts it lacks,
//! whatever the system has. Nothing is fetched.

use crate::layout::{self, Block};
use crate::{ExportError, Report};
use krilla::Document;
use krilla::geom::Size;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla_svg::{SurfaceExt, SvgSettings};
use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};
use std::sync::Arc;

/// The largest PNG drawn at double resolution; taller canvases are drawn at 1×.
const SHARP_UP_TO: f32 = 2400.0;

#[derive(Clone)]
pub struct Renderer {
    fonts: Arc<fontdb::Database>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("fonts", &self.fonts.len())
            .finish()
    }
}

impl Renderer {
    /// `fonts`: font files to prefer; `system`: also use the machine's fonts as fallback.
    pub fn new(fonts: impl IntoIterator<Item = Vec<u8>>, system: bool) -> Self {
        let mut db = fontdb::Database::new();
        for f in fonts {
            db.load_font_data(f);
        }
        if system {
            db.load_system_fonts();
        }
        db.set_sans_serif_family("Roboto");
        Self {
            fonts: Arc::new(db),
        }
    }

    fn tree(&self, svg: &str) -> Result<usvg::Tree, ExportError> {
        let opt = usvg::Options {
            fontdb: self.fonts.clone(),
            font_family: "Roboto".into(),
            ..Default::default()
        };
        usvg::Tree::from_str(svg, &opt).map_err(|e| ExportError::Draw(e.to_string()))
    }

    fn blocks(r: &Report) -> Result<Vec<Block>, ExportError> {
        if r.items.is_empty() {
            return Err(ExportError::Empty);
        }
        let mut blocks = vec![layout::header(r)];
        blocks.extend(r.items.iter().map(|i| layout::item(i, &r.more_rows)));
        Ok(blocks)
    }

    /// The whole report on one image, white background.
    pub fn png(&self, r: &Report) -> Result<Vec<u8>, ExportError> {
        let tree = self.tree(&layout::canvas(&Self::blocks(r)?))?;
        let size = tree.size();
        let scale = if size.height() <= SHARP_UP_TO {
            2.0
        } else {
            1.0
        };
        let (w, h) = (
            (size.width() * scale).ceil() as u32,
            (size.height() * scale).ceil() as u32,
        );
        let mut pixmap =
            Pixmap::new(w, h).ok_or_else(|| ExportError::Draw(format!("no {w}×{h} image")))?;
        resvg::render(
            &tree,
            Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        pixmap
            .encode_png()
            .map_err(|e| ExportError::Draw(e.to_string()))
    }

    /// A4 pages with selectable text; the title is also the document's metadata.
    pub fn pdf(&self, r: &Report) -> Result<Vec<u8>, ExportError> {
        let footer = |i: usize, n: usize| format!("SmartRetail360 · {} · {i} / {n}", r.title);
        let pages = layout::pages(&Self::blocks(r)?, &footer);
        let size =
            Size::from_wh(595.0, 842.0).ok_or_else(|| ExportError::Draw("page size".into()))?;
        let mut doc = Document::new();
        for svg in &pages {
            let tree = self.tree(svg)?;
            let mut page = doc.start_page_with(PageSettings::new(size));
            let mut surface = page.surface();
            let drawn = surface.draw_svg(&tree, size, SvgSettings::default());
            surface.finish();
            page.finish();
            drawn.ok_or_else(|| ExportError::Draw("a page could not be drawn".into()))?;
        }
        doc.set_metadata(
            Metadata::new()
                .title(r.title.clone())
                .creator("SmartRetail360".into()),
        );
        doc.finish()
            .map_err(|e| ExportError::Draw(format!("{e:?}")))
    }
}
