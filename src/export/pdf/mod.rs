//! The doctor report as a PDF of A4 pages, drawn in-process with a font compiled into the
//! binary: who and which period, headline figures against the period before, warning signs and
//! medical advice first, weekly episodes and body sites as vector charts, triggers and what
//! helped, self-care and massage, illness and injury, then every episode in a dated table.

mod layout;

use crate::domain::fields::Choice;
use crate::domain::report::{self, Report};
use crate::domain::rules::DISCLAIMER;
use layout::{ACCENT, ALERT, Column, INK, Layout, MARGIN, MUTED, PAGE_W, RULE};

/// `5 May 2026`.
fn day(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn count<C: Choice>(items: &[(C, u32)]) -> String {
    if items.is_empty() {
        return "none noted".into();
    }
    items
        .iter()
        .map(|(c, n)| format!("{} {n}", c.label()))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn title(l: &mut Layout, r: &Report) {
    l.y += 18.0;
    let y = l.y;
    l.text_at(
        MARGIN,
        y,
        17.0,
        true,
        INK,
        &format!("Muscle spasm report: {}", r.name),
    );
    l.y += 8.0;
    l.paragraph(
        &format!(
            "{} to {} ({} days), compared with the {} days before. From the person's own journal in Unknot.",
            day(r.period.from),
            day(r.period.to),
            r.period.days(),
            r.period.days()
        ),
        10.0,
        false,
        MUTED,
    );
}

fn headlines(l: &mut Layout, r: &Report) {
    l.heading("In this period", 60.0);
    let rows: Vec<Vec<String>> = report::figures(r)
        .into_iter()
        .map(|(name, this, before)| vec![name.to_string(), this, before])
        .collect();
    let cols = [
        Column {
            heading: "",
            width: 200.0,
        },
        Column {
            heading: "This period",
            width: 120.0,
        },
        Column {
            heading: "Period before",
            width: 120.0,
        },
    ];
    l.table(&cols, &rows, 10.0);
}

fn warnings(l: &mut Layout, r: &Report) {
    l.heading("Warning signs and medical advice", 30.0);
    if r.warnings.is_empty() && r.advice.is_empty() {
        l.paragraph(
            "No warning signs were logged in this period.",
            10.0,
            false,
            INK,
        );
        return;
    }
    for a in &r.advice {
        let lead = if a.urgent { "Urgent" } else { "See a doctor" };
        l.paragraph(
            &format!("{lead}: {}. {}.", a.title, a.because),
            10.0,
            true,
            ALERT,
        );
    }
    for w in &r.warnings {
        let signs: Vec<&str> = w.signs.iter().map(|s| s.label()).collect();
        l.paragraph(
            &format!(
                "{} · {}: {}",
                w.at.format("%-d %b %Y %H:%M"),
                w.site.label(),
                signs.join(", ")
            ),
            10.0,
            false,
            INK,
        );
    }
}

/// Episodes per week as vertical bars, with the count over each bar.
fn weekly_chart(l: &mut Layout, r: &Report) {
    l.heading("Episodes per week", 120.0);
    let series = &r.weekly.series;
    let max = series.iter().map(|s| s.episodes).max().unwrap_or(0).max(1) as f32;
    let (x0, h, w) = (MARGIN + 4.0, 80.0, PAGE_W - 2.0 * MARGIN - 8.0);
    let slot = w / series.len().max(1) as f32;
    let base = l.y + h + 10.0;
    l.line(x0, base, x0 + w, base, RULE);
    let every = (series.len() as f32 / 13.0).ceil().max(1.0) as usize;
    for (i, s) in series.iter().enumerate() {
        let bh = s.episodes as f32 / max * h;
        let x = x0 + slot * i as f32 + slot * 0.15;
        l.rect(x, base - bh, slot * 0.7, bh, ACCENT);
        if s.episodes > 0 && slot > 14.0 {
            l.text_at(x, base - bh - 2.0, 7.0, false, INK, &s.episodes.to_string());
        }
        if i % every == 0 {
            l.text_at(
                x,
                base + 10.0,
                7.0,
                false,
                MUTED,
                &s.start.format("%-d %b").to_string(),
            );
        }
    }
    l.y = base + 16.0;
}

/// Episodes by body site as horizontal bars, most first.
fn sites_chart(l: &mut Layout, r: &Report) {
    l.heading("Episodes by body site", 40.0);
    let sites = &r.weekly.by_body_site;
    if sites.is_empty() {
        l.paragraph("No episodes in this period.", 10.0, false, INK);
        return;
    }
    let max = sites.iter().map(|s| s.1).max().unwrap_or(1).max(1) as f32;
    for (site, n) in sites.iter().take(10) {
        l.need(14.0);
        let y = l.y;
        l.text_at(MARGIN, y + 9.0, 9.0, false, INK, site.label());
        let w = *n as f32 / max * 260.0;
        l.rect(MARGIN + 130.0, y + 1.0, w, 9.0, ACCENT);
        l.text_at(MARGIN + 134.0 + w, y + 9.0, 9.0, false, INK, &n.to_string());
        l.y += 13.0;
    }
}

fn care(l: &mut Layout, r: &Report) {
    l.heading("Triggers and what helped", 30.0);
    l.paragraph(
        &format!("Possible triggers: {}", count(&r.weekly.by_trigger)),
        10.0,
        false,
        INK,
    );
    l.paragraph(
        &format!("What helped: {}", count(&r.relief)),
        10.0,
        false,
        INK,
    );
    l.heading("Self-care and massage", 30.0);
    let water = r
        .water_per_day
        .map(|w| format!("water on average {w} ml on the days it was logged"))
        .unwrap_or_else(|| "no water logged".into());
    l.paragraph(
        &format!(
            "Stretching {} minutes; heat {} times; ice {} times; {water}.",
            r.stretch_min, r.heat, r.ice
        ),
        10.0,
        false,
        INK,
    );
    let sessions: Vec<String> = r
        .massages
        .iter()
        .map(|(d, m)| {
            let pressure = m
                .pressure
                .map(|p| format!(", {}", p.label().to_lowercase()))
                .unwrap_or_default();
            format!("{} {}{pressure}", d.format("%-d %b"), m.technique.label())
        })
        .collect();
    let massage = if sessions.is_empty() {
        "Massage sessions: none logged.".to_string()
    } else {
        format!(
            "Massage sessions ({}): {}.",
            sessions.len(),
            sessions.join("; ")
        )
    };
    l.paragraph(&massage, 10.0, false, INK);
    for e in &r.effects {
        l.paragraph(e, 9.0, false, MUTED);
    }
}

fn conditions(l: &mut Layout, r: &Report) {
    if r.conditions.is_empty() {
        return;
    }
    l.heading("Illness and injury", 20.0);
    for (d, c) in &r.conditions {
        let end = c
            .ended_at
            .as_deref()
            .and_then(|e| crate::domain::entry::parse_instant(e).ok())
            .map(|e| format!(" to {}", e.format("%-d %b %Y")))
            .unwrap_or_else(|| ", not ended".into());
        let notes = c
            .notes
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        l.paragraph(
            &format!("{}{end} · {}{notes}", day(*d), c.status.label()),
            10.0,
            false,
            INK,
        );
    }
}

fn episodes(l: &mut Layout, r: &Report) {
    l.heading("Every episode", 60.0);
    let cols = [
        Column {
            heading: "When",
            width: 88.0,
        },
        Column {
            heading: "Where",
            width: 86.0,
        },
        Column {
            heading: "Intensity",
            width: 48.0,
        },
        Column {
            heading: "Lasted",
            width: 56.0,
        },
        Column {
            heading: "Warning signs",
            width: 96.0,
        },
        Column {
            heading: "Triggers · notes",
            width: 129.0,
        },
    ];
    let rows: Vec<Vec<String>> = report::episode_rows(r).into_iter().map(Vec::from).collect();
    if rows.is_empty() {
        l.paragraph("No episodes in this period.", 10.0, false, INK);
    } else {
        l.table(&cols, &rows, 8.5);
    }
}

/// The report as PDF bytes; `generated` is shown in every footer.
pub fn render(r: &Report, generated: &str) -> Result<Vec<u8>, String> {
    let mut l = Layout::new().ok_or("the embedded font could not be read")?;
    title(&mut l, r);
    headlines(&mut l, r);
    warnings(&mut l, r);
    weekly_chart(&mut l, r);
    sites_chart(&mut l, r);
    care(&mut l, r);
    conditions(&mut l, r);
    episodes(&mut l, r);
    let name = format!("Muscle spasm report: {}", r.name);
    l.finish(&name, |n, of| {
        format!("{name} · generated {generated} by Unknot · page {n} of {of} · {DISCLAIMER}")
    })
}
