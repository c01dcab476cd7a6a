//! `/trends`: charts of the last weeks and months, a calendar heat map, and self-care effect.

use crate::app::insight::{chart_entries, today_for};
use crate::auth::csrf::CsrfToken;
use crate::domain::effect;
use crate::domain::entry::Entry;
use crate::domain::fields::Choice;
use crate::domain::trends::{Bucket, BucketStat, Trends, compare_periods, compute};
use crate::state::AppState;
use crate::web::charts::{Bars, Chart, bars, hbars, heatmap};
use crate::web::session::WebClient;
use crate::web::{Layout, PageError, render};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike, Duration, NaiveDate};

#[derive(Template)]
#[template(path = "journal/trends.html")]
struct TrendsPage {
    layout: Layout,
    comparison: String,
    charts: Vec<Chart>,
    heat: Chart,
    effects: Vec<String>,
}

fn fmt1(v: Option<f64>) -> String {
    v.map(|m| format!("{m:.1}")).unwrap_or_else(|| "–".into())
}

/// Short labels of a series' steps.
fn labels(t: &Trends, format: &str) -> Vec<String> {
    t.series
        .iter()
        .map(|s| s.start.format(format).to_string())
        .collect()
}

/// A chart's table: each step's date (in `format`) and then its `cells`.
fn rows(t: &Trends, format: &str, cells: impl Fn(&BucketStat) -> Vec<String>) -> Vec<Vec<String>> {
    t.series
        .iter()
        .map(|s| {
            let mut row = vec![s.start.format(format).to_string()];
            row.extend(cells(s));
            row
        })
        .collect()
}

fn values(t: &Trends, f: impl Fn(&BucketStat) -> f64) -> Vec<f64> {
    t.series.iter().map(f).collect()
}

/// Episodes per week with mean and maximum intensity in its table (the trends page and a
/// therapist's view of a client share it).
pub fn weekly_episodes_chart(id: &str, title: &str, weekly: &Trends, summary: &str) -> Chart {
    bars(Bars {
        id,
        title,
        summary: summary.into(),
        labels: labels(weekly, "%-d %b"),
        values: values(weekly, |s| f64::from(s.episodes)),
        y_label: "episodes",
        columns: vec![
            "Week of".into(),
            "Episodes".into(),
            "Mean intensity".into(),
            "Max intensity".into(),
        ],
        rows: rows(weekly, "%-d %b %Y", |s| {
            vec![
                s.episodes.to_string(),
                fmt1(s.mean_intensity),
                s.max_intensity
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "–".into()),
            ]
        }),
        ..Bars::default()
    })
}

fn intensity_chart(weekly: &Trends) -> Chart {
    bars(Bars {
        id: "intensity",
        title: "Mean intensity per week (0 to 10)",
        summary: "Mean intensity of the week's episodes; weeks without episodes are empty.".into(),
        labels: labels(weekly, "%-d %b"),
        values: values(weekly, |s| s.mean_intensity.unwrap_or(0.0)),
        y_label: "intensity",
        ..Bars::default()
    })
}

fn monthly_chart(monthly: &Trends) -> Chart {
    bars(Bars {
        id: "monthly",
        title: "Episodes per month, last 12 months",
        summary: format!("{} episodes in the last 12 months.", monthly.episodes),
        labels: labels(monthly, "%b"),
        values: values(monthly, |s| f64::from(s.episodes)),
        y_label: "episodes",
        columns: vec!["Month".into(), "Episodes".into(), "Mean intensity".into()],
        rows: rows(monthly, "%B %Y", |s| {
            vec![s.episodes.to_string(), fmt1(s.mean_intensity)]
        }),
        ..Bars::default()
    })
}

/// Named counts, most first, as a horizontal bar chart; `lead` opens the summary.
fn counts_chart<C: Choice>(
    id: &str,
    title: &str,
    lead: &str,
    none: &str,
    items: &[(C, u32)],
) -> Chart {
    let named: Vec<(String, u32)> = items
        .iter()
        .map(|(s, n)| (s.label().to_string(), *n))
        .collect();
    let summary = named
        .first()
        .map(|(s, n)| format!("{lead} {} ({n}).", s.to_lowercase()))
        .unwrap_or_else(|| none.into());
    hbars(id, title, &summary, &named, "Episodes")
}

fn hours_chart(weekly: &Trends) -> Chart {
    let hour_labels: Vec<String> = (0..12)
        .map(|i| format!("{:02}–{:02}", i * 2, i * 2 + 2))
        .collect();
    let peak = weekly
        .by_hour
        .iter()
        .enumerate()
        .max_by_key(|(_, n)| **n)
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| {
            format!(
                "Most episodes between {:02}:00 and {:02}:00 ({n}).",
                i * 2,
                i * 2 + 2
            )
        })
        .unwrap_or_else(|| "No episodes.".into());
    bars(Bars {
        id: "hours",
        title: "Time of day, last 12 weeks",
        summary: peak,
        values: weekly.by_hour.iter().map(|n| f64::from(*n)).collect(),
        y_label: "episodes",
        columns: vec!["Hours".into(), "Episodes".into()],
        rows: hour_labels
            .iter()
            .zip(weekly.by_hour)
            .map(|(l, n)| vec![l.clone(), n.to_string()])
            .collect(),
        labels: hour_labels,
        ..Bars::default()
    })
}

fn water_chart(daily: &Trends, target: f64) -> Chart {
    let met = daily
        .series
        .iter()
        .filter(|s| f64::from(s.water_ml) >= target)
        .count();
    bars(Bars {
        id: "water",
        title: "Water per day, last 28 days",
        summary: format!("The {target:.0} ml target was met on {met} of the last 28 days."),
        labels: labels(daily, "%-d"),
        values: values(daily, |s| f64::from(s.water_ml)),
        y_label: "ml",
        line: Some((target, "target")),
        columns: vec!["Date".into(), "Water (ml)".into()],
        rows: rows(daily, "%a %-d %b", |s| vec![s.water_ml.to_string()]),
    })
}

fn self_care_chart(weekly: &Trends) -> Chart {
    let total = |f: fn(&BucketStat) -> u32| weekly.series.iter().map(f).sum::<u32>();
    bars(Bars {
        id: "selfcare",
        title: "Stretching minutes per week, last 12 weeks",
        summary: format!(
            "In 12 weeks: {} minutes of stretching, heat {} times, ice {} times, {} massage sessions.",
            total(|s| s.stretch_min),
            total(|s| s.heat),
            total(|s| s.ice),
            total(|s| s.massage)
        ),
        labels: labels(weekly, "%-d %b"),
        values: values(weekly, |s| f64::from(s.stretch_min)),
        y_label: "minutes",
        columns: ["Week of", "Stretching (min)", "Heat", "Ice", "Massage"]
            .map(String::from)
            .to_vec(),
        rows: rows(weekly, "%-d %b %Y", |s| {
            [s.stretch_min, s.heat, s.ice, s.massage]
                .map(|n| n.to_string())
                .to_vec()
        }),
        ..Bars::default()
    })
}

fn calendar(list: &[Entry], today: NaiveDate) -> Chart {
    let days = compute(list, today - Duration::days(181), today, Bucket::Day);
    let cells: Vec<(NaiveDate, u32)> = days.series.iter().map(|s| (s.start, s.episodes)).collect();
    heatmap(
        "calendar",
        "Episodes per day, last 6 months",
        &format!(
            "{} episodes on {} of the last 182 days.",
            days.episodes,
            cells.iter().filter(|c| c.1 > 0).count()
        ),
        &cells,
    )
}

/// "1 episode", "3 episodes".
pub fn episodes(n: u32) -> String {
    if n == 1 {
        "1 episode".to_string()
    } else {
        format!("{n} episodes")
    }
}

/// `GET /trends`.
pub async fn get_trends(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
) -> Result<HttpResponse, PageError> {
    let today = today_for(&a.user, state.now());
    let month_from = {
        let back = today - Duration::days(334);
        NaiveDate::from_ymd_opt(back.year(), back.month(), 1).unwrap_or(back)
    };
    // Every kind for the last 13 weeks (weekly charts, water, self-care effect); older months
    // need episodes only, which keeps a long journal cheap to chart.
    let recent_from = (today - Duration::days(effect::DAYS + 2))
        .min(Bucket::Week.start(today) - Duration::weeks(11));
    let list = chart_entries(&state, a.user.id, month_from, recent_from, today).await?;
    let monthly = compute(&list, month_from, today, Bucket::Month);
    let weekly = compute(
        &list,
        Bucket::Week.start(today) - Duration::weeks(11),
        today,
        Bucket::Week,
    );
    let daily = compute(&list, today - Duration::days(27), today, Bucket::Day);
    let (recent, earlier) = compare_periods(&list, today, 28);
    let comparison = format!(
        "{} in the last 28 days, {earlier} in the 28 before.",
        episodes(recent)
    );
    let summary = format!(
        "{} episodes in the last 12 weeks; {comparison}",
        weekly.episodes
    );
    let target = a.user.thresholds.thresholds().hydration_target_ml as f64;
    let charts = vec![
        weekly_episodes_chart(
            "weekly",
            "Episodes per week, last 12 weeks",
            &weekly,
            &summary,
        ),
        intensity_chart(&weekly),
        monthly_chart(&monthly),
        counts_chart(
            "sites",
            "Where, last 12 weeks",
            "Most often:",
            "No episodes.",
            &weekly.by_body_site,
        ),
        counts_chart(
            "triggers",
            "Possible triggers, last 12 weeks",
            "Most often noted:",
            "No triggers noted.",
            &weekly.by_trigger,
        ),
        hours_chart(&weekly),
        water_chart(&daily, target),
        self_care_chart(&weekly),
    ];
    let effects = effect::compare(&list, today, target as u32)
        .iter()
        .map(|e| e.sentence())
        .collect();
    let page = TrendsPage {
        layout: Layout::new("Trends", "trends", &csrf, Some(&a)),
        comparison,
        charts,
        heat: calendar(&list, today),
        effects,
    };
    render(StatusCode::OK, &page)
}
