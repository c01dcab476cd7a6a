//! A small layout engine over krilla, which draws but does not lay out: text measured with the
//! embedded font and wrapped, pages broken where content would cross the bottom margin, table
//! headers repeated on every page, and a footer with "page n of m" added once the count is known.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};
use std::collections::HashMap;

/// A4 in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN: f32 = 46.0;
const BOTTOM: f32 = PAGE_H - 62.0;

/// Colours, as RGB.
pub const INK: (u8, u8, u8) = (27, 31, 29);
pub const MUTED: (u8, u8, u8) = (74, 82, 78);
pub const ACCENT: (u8, u8, u8) = (47, 93, 80);
pub const ALERT: (u8, u8, u8) = (163, 38, 27);
pub const RULE: (u8, u8, u8) = (200, 204, 200);

/// A font that can be measured.
#[derive(Clone)]
struct Face {
    font: Font,
    /// Advance widths in ems.
    widths: HashMap<char, f32>,
}

impl Face {
    fn load(bytes: &'static [u8]) -> Option<Self> {
        let font_ref = FontRef::new(bytes).ok()?;
        let per_em = f32::from(font_ref.head().ok()?.units_per_em());
        let charmap = font_ref.charmap();
        let metrics = font_ref.glyph_metrics(Size::unscaled(), LocationRef::default());
        // Every character the report can contain is in the Latin, punctuation and symbol
        // ranges; measure those once.
        let widths = (' '..='\u{24FF}')
            .filter_map(|c| {
                let g = charmap.map(c)?;
                Some((c, metrics.advance_width(g)? / per_em))
            })
            .collect();
        Some(Self {
            font: Font::new(bytes.into(), 0)?,
            widths,
        })
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.widths.get(&c).copied().unwrap_or(0.6))
            .sum::<f32>()
            * size
    }
}

/// One thing drawn on a page.
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: (u8, u8, u8),
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: (u8, u8, u8),
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: (u8, u8, u8),
    },
}

/// Pages being filled from the top down.
pub struct Layout {
    regular: Face,
    bold: Face,
    pages: Vec<Vec<Op>>,
    /// The baseline position of the next line on the current page.
    pub y: f32,
}

/// A table column: heading and width in points.
pub struct Column {
    pub heading: &'static str,
    pub width: f32,
}

impl Layout {
    /// An empty first page with DejaVu Sans (compiled into the binary, measured once).
    pub fn new() -> Option<Self> {
        static FACES: std::sync::OnceLock<Option<(Face, Face)>> = std::sync::OnceLock::new();
        let (regular, bold) = FACES
            .get_or_init(|| {
                Some((
                    Face::load(dejavu::sans::regular())?,
                    Face::load(dejavu::sans::bold())?,
                ))
            })
            .clone()?;
        Some(Self {
            regular,
            bold,
            pages: vec![Vec::new()],
            y: MARGIN,
        })
    }

    fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }

    /// The width of `text` in points.
    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        self.face(bold).width(text, size)
    }

    fn op(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.push(op);
        }
    }

    /// Starts a new page.
    pub fn page_break(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Breaks the page unless `height` more points fit; true if it broke.
    pub fn need(&mut self, height: f32) -> bool {
        if self.y + height > BOTTOM {
            self.page_break();
            true
        } else {
            false
        }
    }

    /// Text at a position (its baseline), not moving the cursor.
    pub fn text_at(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: (u8, u8, u8),
        text: &str,
    ) {
        self.op(Op::Text {
            x,
            y,
            size,
            bold,
            color,
            text: text.to_string(),
        });
    }

    /// A filled rectangle.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: (u8, u8, u8)) {
        if w > 0.0 && h > 0.0 {
            self.op(Op::Rect { x, y, w, h, color });
        }
    }

    /// A thin line.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, color: (u8, u8, u8)) {
        self.op(Op::Line {
            x1,
            y1,
            x2,
            y2,
            color,
        });
    }

    /// `text` broken into lines no wider than `width`.
    pub fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if !line.is_empty() && self.width(&candidate, size, bold) > width {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_string();
                } else {
                    line = candidate;
                }
            }
            lines.push(line);
        }
        lines
    }

    /// A paragraph across the page width, moving the cursor down.
    pub fn paragraph(&mut self, text: &str, size: f32, bold: bool, color: (u8, u8, u8)) {
        self.paragraph_at(MARGIN, PAGE_W - 2.0 * MARGIN, text, size, bold, color);
    }

    /// A paragraph from `x`, `width` wide.
    pub fn paragraph_at(
        &mut self,
        x: f32,
        width: f32,
        text: &str,
        size: f32,
        bold: bool,
        color: (u8, u8, u8),
    ) {
        let leading = size * 1.35;
        for l in self.wrap(text, size, bold, width) {
            self.need(leading);
            self.y += size;
            let y = self.y;
            self.text_at(x, y, size, bold, color, &l);
            self.y += leading - size;
        }
    }

    /// A section heading, kept with at least `keep` points of what follows.
    pub fn heading(&mut self, text: &str, keep: f32) {
        self.y += 8.0;
        self.need(20.0 + keep);
        self.y += 12.0;
        let y = self.y;
        self.text_at(MARGIN, y, 12.0, true, ACCENT, text);
        self.y += 3.0;
        let y = self.y;
        self.line(MARGIN, y, PAGE_W - MARGIN, y, RULE);
        self.y += 6.0;
    }

    fn table_header(&mut self, columns: &[Column], size: f32) {
        let mut x = MARGIN;
        self.y += size;
        let y = self.y;
        for c in columns {
            self.text_at(x, y, size, true, MUTED, c.heading);
            x += c.width;
        }
        self.y += 3.0;
        let y = self.y;
        self.line(MARGIN, y, PAGE_W - MARGIN, y, RULE);
        self.y += 3.0;
    }

    /// A table whose cells wrap; the header is drawn again at the top of every page it runs to.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>], size: f32) {
        let leading = size * 1.3;
        self.need(leading * 3.0);
        self.table_header(columns, size);
        for row in rows {
            let cells: Vec<Vec<String>> = columns
                .iter()
                .zip(row)
                .map(|(c, t)| self.wrap(t, size, false, c.width - 6.0))
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            if self.need(leading * lines as f32 + 2.0) {
                self.table_header(columns, size);
            }
            let top = self.y;
            let mut x = MARGIN;
            for (c, cell) in columns.iter().zip(&cells) {
                for (i, l) in cell.iter().enumerate() {
                    self.text_at(x, top + size + leading * i as f32, size, false, INK, l);
                }
                x += c.width;
            }
            self.y = top + leading * lines as f32 + 2.0;
        }
    }

    /// Draws every page with `footer(n, of)` at its bottom and returns the PDF.
    pub fn finish(
        self,
        title: &str,
        footer: impl Fn(usize, usize) -> String,
    ) -> Result<Vec<u8>, String> {
        let mut doc = krilla::Document::new();
        doc.set_metadata(
            krilla::metadata::Metadata::new()
                .title(title.to_string())
                .creator("Unknot".to_string())
                .language("en".to_string()),
        );
        let total = self.pages.len();
        for (i, ops) in self.pages.iter().enumerate() {
            let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("bad page size")?;
            let mut page = doc.start_page_with(settings);
            let mut s = page.surface();
            for op in ops {
                draw(&mut s, op, &self.regular, &self.bold);
            }
            let f = footer(i + 1, total);
            let mut y = PAGE_H - 44.0;
            for l in self.wrap(&f, 7.5, false, PAGE_W - 2.0 * MARGIN) {
                draw(
                    &mut s,
                    &Op::Text {
                        x: MARGIN,
                        y,
                        size: 7.5,
                        bold: false,
                        color: MUTED,
                        text: l,
                    },
                    &self.regular,
                    &self.bold,
                );
                y += 10.0;
            }
            s.finish();
            page.finish();
        }
        doc.finish().map_err(|e| format!("{e:?}"))
    }
}

fn fill(c: (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn draw(s: &mut krilla::surface::Surface<'_>, op: &Op, regular: &Face, bold: &Face) {
    match op {
        Op::Text {
            x,
            y,
            size,
            bold: b,
            color,
            text,
        } => {
            s.set_fill(Some(fill(*color)));
            let face = if *b { bold } else { regular };
            s.draw_text(
                Point::from_xy(*x, *y),
                face.font.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Rect { x, y, w, h, color } => {
            let mut pb = PathBuilder::new();
            if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                pb.push_rect(r);
            }
            if let Some(path) = pb.finish() {
                s.set_fill(Some(fill(*color)));
                s.draw_path(&path);
            }
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            color,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                s.set_fill(None);
                s.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(color.0, color.1, color.2).into(),
                    width: 0.6,
                    ..Default::default()
                }));
                s.draw_path(&path);
                s.set_stroke(None);
            }
        }
    }
}
