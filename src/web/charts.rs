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

// Charts are drawn 400 units wide and shown at the page's width: at a 360 px phone that is about
// 326 px, so text of 15 units reads at 12 px or more (the stylesheet caps the width, so text
// never grows past about 18 px on wide screens).
const W: f64 = 400.0;
const H: f64 = 220.0;
const LEFT: f64 = 50.0;
const BOTTOM: f64 = 30.0;
const TOP: f64 = 30.0;
/// Text size in chart units (see above).
const FONT: f64 = 15.0;
/// The narrowest width a chart is shown at (a 360 px phone less the page's margins).
pub const PHONE_WIDTH_PX: f64 = 326.0;

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

/// An SVG coordinate, written as `{:.1}` writes it but by integer arithmetic: formatting an
/// `f64` to a precision takes a slow exact path for many values, and a chart writes hundreds.
#[derive(Clone, Copy, Debug)]
struct P(f64);

impl std::fmt::Display for P {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let t = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", t / 10, t % 10)
    }
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
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#d5d8d4"/><text x="{}" y="{:.1}" text-anchor="end" font-size="{FONT}" fill="#4a524e">{}</text>"##,
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
    // Labels at least 60 units apart, so none runs into the next.
    let every = (60.0 / slot).ceil().max(1.0) as usize;
    for (i, v) in values.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let h = v / plot.max * plot.height;
        let label = labels.get(i).map(String::as_str).unwrap_or("");
        let _ = write!(
            svg,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#2f5d50"><title>{}: {}</title></rect>"##,
            P(x),
            P(TOP + plot.height - h),
            P(slot * 0.7),
            P(h),
            esc(label),
            number(*v)
        );
        if i % every == 0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="{FONT}" fill="#4a524e">{}</text>"##,
                (x + slot * 0.35).clamp(LEFT + 20.0, W - 30.0),
                H - BOTTOM + 18.0,
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
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#a3261b" stroke-dasharray="6 4" stroke-width="2"/><text x="{}" y="{:.1}" text-anchor="end" font-size="{FONT}" fill="#a3261b">{}</text>"##,
            W - 8.0,
            W - 10.0,
            plot.y(v) - 4.0,
            esc(name),
            y = plot.y(v)
        );
    }
    // What the y axis counts, above it (not over its numbers).
    let _ = write!(
        svg,
        r##"<text x="4" y="{:.1}" font-size="{FONT}" fill="#4a524e">{}</text></svg>"##,
        FONT,
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
    // Each name on its own line above its bar, so a long name is never cut off.
    let row_h = 44.0;
    let height = (items.len().max(1) as f64) * row_h + 6.0;
    let mut svg = open(id, title, summary, height);
    let max = f64::from(items.iter().map(|i| i.1).max().unwrap_or(1).max(1));
    for (i, (name, n)) in items.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let w = f64::from(*n) / max * (W - 56.0);
        let _ = write!(
            svg,
            r##"<text x="6" y="{:.1}" font-size="{FONT}" fill="#1b1f1d">{}</text><rect x="6" y="{:.1}" width="{w:.1}" height="16" fill="#2f5d50"/><text x="{:.1}" y="{:.1}" font-size="{FONT}" fill="#1b1f1d">{n}</text>"##,
            y + FONT,
            esc(name),
            y + FONT + 5.0,
            w + 12.0,
            y + FONT + 18.0
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
/// The calendar's layout: it is shown at the page's width, so its units shrink as weeks are
/// added; its text size is chosen to read at 12 px on a phone, with room for the day names.
struct HeatLayout {
    cell: f64,
    font: f64,
    left: f64,
}

impl HeatLayout {
    fn for_weeks(weeks: f64) -> Self {
        let cell = 14.0;
        let font = (12.0 * (weeks * cell + 8.0) / (PHONE_WIDTH_PX - 12.0 * 2.6)).max(FONT);
        Self {
            cell,
            font,
            left: font * 2.6 + 4.0,
        }
    }
}

fn day_cells(svg: &mut String, days: &[(NaiveDate, u32)], start: NaiveDate, l: &HeatLayout) {
    let cell = l.cell;
    // Parsed once, not once per day.
    let day_name: Vec<_> = chrono::format::StrftimeItems::new("%a %-d %b %Y").collect();
    for (d, n) in days {
        let col = ((*d - start).num_days() / 7) as f64;
        let row = f64::from(d.weekday().num_days_from_monday());
        let _ = write!(
            svg,
            r##"<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"><title>{}: {}</title></rect>"##,
            P(l.left + col * cell),
            P(row * cell),
            P(cell - 2.0),
            P(cell - 2.0),
            shade(*n),
            d.format_with_items(day_name.iter()),
            if *n == 1 {
                "1 episode".to_string()
            } else {
                format!("{n} episodes")
            }
        );
        if d.day() == 1 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="{}" fill="#4a524e">{}</text>"##,
                l.left + col * cell,
                7.0 * cell + l.font + 2.0,
                l.font,
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
    let l = HeatLayout::for_weeks(weeks);
    let height = 7.0 * l.cell + l.font + 8.0;
    let mut svg = open_sized(
        id,
        "chart heatmap",
        title,
        summary,
        l.left + weeks * l.cell + 4.0,
        height,
    );
    for (row, name) in [(0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")] {
        let _ = write!(
            svg,
            r##"<text x="4" y="{:.1}" font-size="{:.1}" fill="#4a524e">{name}</text>"##,
            f64::from(row) * l.cell + l.cell * 0.9,
            l.font
        );
    }
    day_cells(&mut svg, days, start, &l);
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
mod coordinate_tests {
    use super::P;

    #[test]
    fn coordinates_read_as_one_decimal_formatting_writes_them() {
        for v in [
            0.0, 0.04, 0.06, 1.0, 12.34, 12.36, 399.99, 326.0, -3.21, -0.04, 57.8,
        ] {
            assert_eq!(
                P(v).to_string(),
                format!("{v:.1}").replace("-0.0", "0.0"),
                "{v}"
            );
        }
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

    /// Every text's size in chart units and the chart's width, for each text in `svg`.
    fn text_px_on_a_phone(svg: &str) -> Vec<f64> {
        let width: f64 = svg
            .split("viewBox=\"0 0 ")
            .nth(1)
            .and_then(|v| v.split(' ').next())
            .and_then(|w| w.parse().ok())
            .expect("a viewBox");
        svg.split("font-size=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next()?.parse::<f64>().ok())
            .map(|units| units * PHONE_WIDTH_PX / width)
            .collect()
    }

    #[test]
    fn chart_text_reads_at_12_px_or_more_on_a_360_px_phone() {
        let days: Vec<(NaiveDate, u32)> = (0..365)
            .map(|i| {
                (
                    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(i),
                    (i % 3) as u32,
                )
            })
            .collect();
        let charts = [
            bars(Bars {
                id: "b",
                labels: (0..13).map(|i| format!("{i} Oct")).collect(),
                values: (0..13).map(f64::from).collect(),
                y_label: "ml",
                line: Some((2000.0, "2 L target")),
                ..Bars::default()
            }),
            hbars(
                "h",
                "t",
                "s",
                &[("Sitting or standing a long time".into(), 3)],
                "n",
            ),
            heatmap("m", "t", "s", &days[..183]),
            heatmap("y", "t", "s", &days),
        ];
        for c in charts {
            let sizes = text_px_on_a_phone(&c.svg);
            assert!(!sizes.is_empty());
            for px in sizes {
                assert!(px >= 11.95, "{}: text at {px:.1} px", c.id);
            }
        }
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
