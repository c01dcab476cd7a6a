//! `/trends`: charts of the last weeks and months, a calendar heat map, and self-care effect.

use crate::app::insight::{chart_entries, today_for};
use crate::auth::csrf::CsrfToken;
use crate::domain::effect;
use crate::domain::fields::Choice;
use crate::domain::trends::{Bucket, compare_periods, compute};
use crate::state::AppState;
use crate::web::charts::{Chart, bars, hbars, heatmap};
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

/// Episodes per week with mean and maximum intensity in its table (the trends page and a
/// therapist's view of a client share it).
pub fn weekly_episodes_chart(
    id: &str,
    weekly: &crate::domain::trends::Trends,
    summary: &str,
) -> Chart {
    let labels: Vec<String> = weekly
        .series
        .iter()
        .map(|s| s.start.format("%-d %b").to_string())
        .collect();
    let counts: Vec<f64> = weekly
        .series
        .iter()
        .map(|s| f64::from(s.episodes))
        .collect();
    let rows = weekly
        .series
        .iter()
        .map(|s| {
            vec![
                s.start.format("%-d %b %Y").to_string(),
                s.episodes.to_string(),
                fmt1(s.mean_intensity),
                s.max_intensity
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "–".into()),
            ]
        })
        .collect();
    let columns = vec![
        "Week of".into(),
        "Episodes".into(),
        "Mean intensity".into(),
        "Max intensity".into(),
    ];
    bars(
        id,
        "Episodes per week, last 12 weeks",
        summary,
        &labels,
        &counts,
        "episodes",
        None,
        (columns, rows),
    )
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
    let week_from = Bucket::Week.start(today) - Duration::weeks(11);
    let weekly = compute(&list, week_from, today, Bucket::Week);
    let (recent, earlier) = compare_periods(&list, today, 28);
    let comparison = format!(
        "{} in the last 28 days, {} in the 28 before.",
        if recent == 1 {
            "1 episode".to_string()
        } else {
            format!("{recent} episodes")
        },
        earlier
    );
    let week_labels: Vec<String> = weekly
        .series
        .iter()
        .map(|s| s.start.format("%-d %b").to_string())
        .collect();
    let mut charts = Vec::new();
    let summary = format!(
        "{} episodes in the last 12 weeks; {comparison}",
        weekly.episodes
    );
    charts.push(weekly_episodes_chart("weekly", &weekly, &summary));
    charts.push(bars(
        "intensity",
        "Mean intensity per week (0 to 10)",
        "Mean intensity of the week's episodes; weeks without episodes are empty.",
        &week_labels,
        &weekly
            .series
            .iter()
            .map(|s| s.mean_intensity.unwrap_or(0.0))
            .collect::<Vec<_>>(),
        "intensity",
        None,
        (vec![], vec![]),
    ));
    charts.push(bars(
        "monthly",
        "Episodes per month, last 12 months",
        &format!("{} episodes in the last 12 months.", monthly.episodes),
        &monthly
            .series
            .iter()
            .map(|s| s.start.format("%b").to_string())
            .collect::<Vec<_>>(),
        &monthly
            .series
            .iter()
            .map(|s| f64::from(s.episodes))
            .collect::<Vec<_>>(),
        "episodes",
        None,
        (
            vec!["Month".into(), "Episodes".into(), "Mean intensity".into()],
            monthly
                .series
                .iter()
                .map(|s| {
                    vec![
                        s.start.format("%B %Y").to_string(),
                        s.episodes.to_string(),
                        fmt1(s.mean_intensity),
                    ]
                })
                .collect(),
        ),
    ));
    let sites: Vec<(String, u32)> = weekly
        .by_body_site
        .iter()
        .map(|(s, n)| (s.label().to_string(), *n))
        .collect();
    let top_site = sites
        .first()
        .map(|(s, n)| format!("Most often: {} ({n}).", s.to_lowercase()))
        .unwrap_or_else(|| "No episodes.".into());
    charts.push(hbars(
        "sites",
        "Where, last 12 weeks",
        &top_site,
        &sites,
        "Episodes",
    ));
    let triggers: Vec<(String, u32)> = weekly
        .by_trigger
        .iter()
        .map(|(s, n)| (s.label().to_string(), *n))
        .collect();
    let top_trigger = triggers
        .first()
        .map(|(s, n)| format!("Most often noted: {} ({n}).", s.to_lowercase()))
        .unwrap_or_else(|| "No triggers noted.".into());
    charts.push(hbars(
        "triggers",
        "Possible triggers, last 12 weeks",
        &top_trigger,
        &triggers,
        "Episodes",
    ));
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
    charts.push(bars(
        "hours",
        "Time of day, last 12 weeks",
        &peak,
        &hour_labels,
        &weekly
            .by_hour
            .iter()
            .map(|n| f64::from(*n))
            .collect::<Vec<_>>(),
        "episodes",
        None,
        (
            vec!["Hours".into(), "Episodes".into()],
            hour_labels
                .iter()
                .zip(weekly.by_hour)
                .map(|(l, n)| vec![l.clone(), n.to_string()])
                .collect(),
        ),
    ));
    let water_from = today - Duration::days(27);
    let daily = compute(&list, water_from, today, Bucket::Day);
    let target = a.user.thresholds.thresholds().hydration_target_ml as f64;
    let met = daily
        .series
        .iter()
        .filter(|s| f64::from(s.water_ml) >= target)
        .count();
    charts.push(bars(
        "water",
        "Water per day, last 28 days",
        &format!(
            "The {:.0} ml target was met on {met} of the last 28 days.",
            target
        ),
        &daily
            .series
            .iter()
            .map(|s| s.start.format("%-d").to_string())
            .collect::<Vec<_>>(),
        &daily
            .series
            .iter()
            .map(|s| f64::from(s.water_ml))
            .collect::<Vec<_>>(),
        "ml",
        Some((target, "target")),
        (
            vec!["Date".into(), "Water (ml)".into()],
            daily
                .series
                .iter()
                .map(|s| {
                    vec![
                        s.start.format("%a %-d %b").to_string(),
                        s.water_ml.to_string(),
                    ]
                })
                .collect(),
        ),
    ));
    charts.push(bars(
        "selfcare",
        "Stretching minutes per week, last 12 weeks",
        &format!(
            "In 12 weeks: {} minutes of stretching, heat {} times, ice {} times, {} massage sessions.",
            weekly.series.iter().map(|s| s.stretch_min).sum::<u32>(),
            weekly.series.iter().map(|s| s.heat).sum::<u32>(),
            weekly.series.iter().map(|s| s.ice).sum::<u32>(),
            weekly.series.iter().map(|s| s.massage).sum::<u32>()
        ),
        &week_labels,
        &weekly.series.iter().map(|s| f64::from(s.stretch_min)).collect::<Vec<_>>(),
        "minutes",
        None,
        (
            vec!["Week of".into(), "Stretching (min)".into(), "Heat".into(), "Ice".into(), "Massage".into()],
            weekly.series.iter().map(|s| vec![s.start.format("%-d %b %Y").to_string(), s.stretch_min.to_string(), s.heat.to_string(), s.ice.to_string(), s.massage.to_string()]).collect(),
        ),
    ));
    let heat_from = today - Duration::days(181);
    let days = compute(&list, heat_from, today, Bucket::Day);
    let cells: Vec<(NaiveDate, u32)> = days.series.iter().map(|s| (s.start, s.episodes)).collect();
    let heat = heatmap(
        "calendar",
        "Episodes per day, last 6 months",
        &format!(
            "{} episodes on {} of the last 182 days.",
            days.episodes,
            cells.iter().filter(|c| c.1 > 0).count()
        ),
        &cells,
    );
    let effects = effect::compare(&list, today, target as u32)
        .iter()
        .map(|e| e.sentence())
        .collect();
    let page = TrendsPage {
        layout: Layout::new("Trends", "trends", &csrf, Some(&a)),
        comparison,
        charts,
        heat,
        effects,
    };
    render(StatusCode::OK, &page)
}
