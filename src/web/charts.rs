//! Server-rendered SVG charts: no JavaScript, a title and description for screen readers, and a
//! data table beside each chart. All text placed in SVG is escaped here.

use chrono::{Datelike, Duration, NaiveDate};
use std::fmt::Write;

/// A chart with its accessible text and data table.
#[derive(Clone, Debug)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// SVG markup built (and escaped) by this module.
    pub svg: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Escapes text for SVG/HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const W: f64 = 400.0;
const H: f64 = 200.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 30.0;
const TOP: f64 = 14.0;

fn open(id: &str, title: &str, summary: &str, height: f64) -> String {
    open_sized(id, "chart", title, summary, W, height)
}

fn open_sized(
    id: &str,
    class: &str,
    title: &str,
    summary: &str,
    width: f64,
    height: f64,
) -> String {
    format!(
        r#"<svg viewBox="0 0 {width:.0} {height:.0}" role="img" aria-labelledby="{id}-t {id}-d" class="{class}" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(summary)
    )
}

/// The axis maximum: four equal ticks of 1, 2 or 5 times a power of ten (at least 4 for counts).
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 4.0;
    }
    let raw = v / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    (step * 4.0).max(4.0)
}

/// A vertical bar chart to draw.
#[derive(Default)]
pub struct Bars<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub summary: String,
    /// One label per bar.
    pub labels: Vec<String>,
    pub values: Vec<f64>,
    /// What the y axis counts.
    pub y_label: &'a str,
    /// A labelled reference line (e.g. the 2 L target).
    pub line: Option<(f64, &'a str)>,
    /// The data table's column names and rows (for screen readers and print).
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The plot area of a bar chart: where values land on the y axis.
struct Plot {
    max: f64,
    height: f64,
}

impl Plot {
    fn y(&self, v: f64) -> f64 {
        TOP + self.height - v / self.max * self.height
    }
}

fn grid(svg: &mut String, plot: &Plot) {
    for k in 0..=4 {
        let v = plot.max * f64::from(k) / 4.0;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#d5d8d4"/><text x="{}" y="{:.1}" text-anchor="end" font-size="12" fill="#4a524e">{}</text>"##,
            W - 8.0,
            LEFT - 4.0,
            plot.y(v) + 4.0,
            number(v),
            y = plot.y(v)
        );
    }
}

fn columns(svg: &mut String, plot: &Plot, labels: &[String], values: &[f64]) {
    let n = values.len().max(1) as f64;
    let slot = (W - LEFT - 8.0) / n;
    let every = (n / 7.0).ceil().max(1.0) as usize;
    for (i, v) in values.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let h = v / plot.max * plot.height;
        let label = labels.get(i).map(String::as_str).unwrap_or("");
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="#2f5d50"><title>{}: {}</title></rect>"##,
            TOP + plot.height - h,
            slot * 0.7,
            esc(label),
            number(*v)
        );
        if i % every == 0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="#4a524e">{}</text>"##,
                x + slot * 0.35,
                H - BOTTOM + 14.0,
                esc(label)
            );
        }
    }
}

/// Draws a vertical bar chart.
pub fn bars(spec: Bars<'_>) -> Chart {
    let mut svg = open(spec.id, spec.title, &spec.summary, H);
    let top = spec
        .values
        .iter()
        .copied()
        .fold(spec.line.map(|l| l.0).unwrap_or(0.0), f64::max);
    let plot = Plot {
        max: nice_max(top),
        height: H - TOP - BOTTOM,
    };
    grid(&mut svg, &plot);
    columns(&mut svg, &plot, &spec.labels, &spec.values);
    if let Some((v, name)) = spec.line {
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#a3261b" stroke-dasharray="6 4" stroke-width="2"/><text x="{}" y="{:.1}" text-anchor="end" font-size="12" fill="#a3261b">{}</text>"##,
            W - 8.0,
            W - 10.0,
            plot.y(v) - 4.0,
            esc(name),
            y = plot.y(v)
        );
    }
    let mid = TOP + plot.height / 2.0;
    let _ = write!(
        svg,
        r##"<text x="12" y="{mid:.1}" transform="rotate(-90 12 {mid:.1})" text-anchor="middle" font-size="12" fill="#4a524e">{}</text></svg>"##,
        esc(spec.y_label)
    );
    Chart {
        id: spec.id.into(),
        title: spec.title.into(),
        summary: spec.summary,
        svg,
        columns: spec.columns,
        rows: spec.rows,
    }
}

/// A horizontal bar chart of named counts (body sites, triggers).
pub fn hbars(id: &str, title: &str, summary: &str, items: &[(String, u32)], what: &str) -> Chart {
    let row_h = 22.0;
    let height = (items.len().max(1) as f64) * row_h + 10.0;
    let mut svg = open(id, title, summary, height);
    let max = f64::from(items.iter().map(|i| i.1).max().unwrap_or(1).max(1));
    let label_w = 130.0;
    for (i, (name, n)) in items.iter().enumerate() {
        let y = 5.0 + row_h * i as f64;
        let w = f64::from(*n) / max * (W - label_w - 50.0);
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="12" fill="#1b1f1d">{}</text><rect x="{label_w}" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="#2f5d50"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#1b1f1d">{n}</text>"##,
            label_w - 8.0,
            y + row_h * 0.6,
            esc(name),
            row_h * 0.7,
            label_w + w + 6.0,
            y + row_h * 0.6
        );
    }
    svg.push_str("</svg>");
    let rows = items
        .iter()
        .map(|(n, c)| vec![n.clone(), c.to_string()])
        .collect();
    Chart {
        id: id.into(),
        title: title.into(),
        summary: summary.into(),
        svg,
        columns: vec!["".into(), what.into()],
        rows,
    }
}

fn shade(n: u32) -> &'static str {
    match n {
        0 => "#e9ece8",
        1 => "#c6a88f",
        2 => "#b0714a",
        _ => "#7a2e0e",
    }
}

/// One square per day in its week's column, with month names under the first days.
fn day_cells(svg: &mut String, days: &[(NaiveDate, u32)], start: NaiveDate, cell: f64) {
    for (d, n) in days {
        let col = ((*d - start).num_days() / 7) as f64;
        let row = f64::from(d.weekday().num_days_from_monday());
        let _ = write!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="2" fill="{}"><title>{}: {}</title></rect>"##,
            30.0 + col * cell,
            row * cell,
            cell - 2.0,
            cell - 2.0,
            shade(*n),
            d.format("%a %-d %b %Y"),
            if *n == 1 {
                "1 episode".to_string()
            } else {
                format!("{n} episodes")
            }
        );
        if d.day() == 1 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#4a524e">{}</text>"##,
                30.0 + col * cell,
                7.0 * cell + 14.0,
                d.format("%b")
            );
        }
    }
}

/// Episodes per month, for the heat map's table.
fn by_month(days: &[(NaiveDate, u32)]) -> Vec<Vec<String>> {
    let mut months: Vec<(String, u32)> = Vec::new();
    for (d, n) in days {
        let key = d.format("%B %Y").to_string();
        match months.last_mut() {
            Some((k, total)) if *k == key => *total += n,
            _ => months.push((key, *n)),
        }
    }
    months
        .into_iter()
        .map(|(m, n)| vec![m, n.to_string()])
        .collect()
}

/// A calendar heat map: one square per day, weeks as columns (Monday on top).
pub fn heatmap(id: &str, title: &str, summary: &str, days: &[(NaiveDate, u32)]) -> Chart {
    let cell = 14.0;
    let Some(first) = days.first().map(|d| d.0) else {
        return Chart {
            id: id.into(),
            title: title.into(),
            summary: summary.into(),
            svg: String::new(),
            columns: vec![],
            rows: vec![],
        };
    };
    let start = first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
    let weeks = ((days.last().map(|d| d.0).unwrap_or(first) - start).num_days() / 7 + 1) as f64;
    let height = 7.0 * cell + 30.0;
    let mut svg = open_sized(
        id,
        "chart heatmap",
        title,
        summary,
        30.0 + weeks * cell + 4.0,
        height,
    );
    for (row, name) in [(0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")] {
        let _ = write!(
            svg,
            r##"<text x="0" y="{:.1}" font-size="10" fill="#4a524e">{name}</text>"##,
            f64::from(row) * cell + cell * 0.8
        );
    }
    day_cells(&mut svg, days, start, cell);
    svg.push_str("</svg>");
    let rows = by_month(days);
    Chart {
        id: id.into(),
        title: title.into(),
        summary: summary.into(),
        svg,
        columns: vec!["Month".into(), "Episodes".into()],
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_the_chart_is_labelled_for_screen_readers() {
        let c = bars(Bars {
            id: "x",
            title: "Water <per> day",
            summary: "s & t".into(),
            labels: vec!["a<b".into()],
            values: vec![3.0],
            y_label: "ml",
            line: Some((2.0, "2 L")),
            ..Bars::default()
        });
        assert!(c.svg.contains("aria-labelledby=\"x-t x-d\""));
        assert!(c.svg.contains("Water &lt;per&gt; day"));
        assert!(c.svg.contains("a&lt;b"));
        assert!(!c.svg.contains("a<b"));
        assert!(c.svg.contains("2 L"));
    }

    #[test]
    fn nice_axis_maxima_round_up() {
        assert_eq!(nice_max(5.0), 8.0);
        assert_eq!(nice_max(7.5), 8.0);
        assert_eq!(nice_max(2300.0), 4000.0);
        assert_eq!(nice_max(0.0), 4.0);
        assert_eq!(nice_max(1.0), 4.0);
    }
}
