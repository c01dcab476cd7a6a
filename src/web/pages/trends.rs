//! `/trends`: charts of a chosen period (the last 4 weeks, 3 months, 12 months, or dates), a
//! calendar heat map, and self-care effect.

use crate::app::insight::{chart_days, today_for};
use crate::auth::csrf::CsrfToken;
use crate::domain::effect;
use crate::domain::fields::Choice;
use crate::domain::trends::{Bucket, BucketStat, Days, Trends};
use crate::state::{AppState, Kept};
use crate::web::charts::{Bars, Chart, bars, hbars, heatmap};
use crate::web::session::WebClient;
use crate::web::{Layout, PageError, render};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike, Duration, NaiveDate};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "journal/trends.html")]
struct TrendsPage {
    layout: Layout,
    /// The period choices: (key, words, link, current).
    choices: Vec<(&'static str, &'static str, String, bool)>,
    custom: bool,
    from: String,
    to: String,
    /// A wrong custom period, in words.
    error: Option<String>,
    drawn: Arc<Drawn>,
}

/// What the page draws from the journal: the same for every request until the journal, the
/// period, the day or the water target changes.
struct Drawn {
    comparison: String,
    charts: Vec<Chart>,
    heat: Chart,
    effects: Vec<String>,
}

/// What [`Drawn`] depends on besides the entries, which the journal's change sequence stands for.
#[derive(PartialEq)]
struct DrawnKey {
    seq: i64,
    key: &'static str,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    target: i64,
}

/// Each served user's last drawn trends page.
#[derive(Default)]
pub struct Drawings(Kept<DrawnKey, Drawn>);

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
    let (unit, axis) = bucket_words(weekly.bucket);
    bars(Bars {
        id,
        title,
        summary: summary.into(),
        labels: labels(weekly, axis),
        values: values(weekly, |s| f64::from(s.episodes)),
        y_label: "episodes",
        columns: vec![
            capitalised(unit),
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

/// How a bucket is named, and how its dates are shown on an axis.
fn bucket_words(b: Bucket) -> (&'static str, &'static str) {
    match b {
        Bucket::Day => ("day", "%-d %b"),
        Bucket::Week => ("week", "%-d %b"),
        Bucket::Month => ("month", "%b"),
    }
}

fn intensity_chart(weekly: &Trends, b: Bucket) -> Chart {
    let (unit, axis) = bucket_words(b);
    bars(Bars {
        id: "intensity",
        title: &format!("Mean intensity per {unit} (0 to 10)"),
        summary: format!(
            "Mean intensity of each {unit}'s episodes; a {unit} without episodes is empty."
        ),
        labels: labels(weekly, axis),
        values: values(weekly, |s| s.mean_intensity.unwrap_or(0.0)),
        y_label: "intensity",
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

fn hours_chart(weekly: &Trends, label: &str) -> Chart {
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
        title: &format!("Time of day, {label}"),
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
    let days = daily.series.len();
    bars(Bars {
        id: "water",
        title: &format!("Water per day, last {days} days"),
        summary: format!("The {target:.0} ml target was met on {met} of the last {days} days."),
        labels: labels(daily, "%-d"),
        values: values(daily, |s| f64::from(s.water_ml)),
        y_label: "ml",
        line: Some((target, "target")),
        columns: vec!["Date".into(), "Water (ml)".into()],
        rows: rows(daily, "%a %-d %b", |s| vec![s.water_ml.to_string()]),
    })
}

fn self_care_chart(weekly: &Trends, b: Bucket, label: &str) -> Chart {
    let total = |f: fn(&BucketStat) -> u32| weekly.series.iter().map(f).sum::<u32>();
    let (unit, axis) = bucket_words(b);
    bars(Bars {
        id: "selfcare",
        title: &format!("Stretching minutes per {unit}, {label}"),
        summary: format!(
            "{}: {} minutes of stretching, heat {} times, ice {} times, {} massage sessions.",
            capitalised(label),
            total(|s| s.stretch_min),
            total(|s| s.heat),
            total(|s| s.ice),
            total(|s| s.massage)
        ),
        labels: labels(weekly, axis),
        values: values(weekly, |s| f64::from(s.stretch_min)),
        y_label: "minutes",
        columns: ["From", "Stretching (min)", "Heat", "Ice", "Massage"]
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

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// One square a day over the period (its last year when it is longer).
fn calendar(folded: &Days, view: &View) -> Chart {
    let from = view.from.max(view.to - Duration::days(365));
    let days = folded.trends(from, view.to, Bucket::Day);
    let cells: Vec<(NaiveDate, u32)> = days.series.iter().map(|s| (s.start, s.episodes)).collect();
    let label = if from == view.from {
        view.label.clone()
    } else {
        "its last year".into()
    };
    heatmap(
        "calendar",
        &format!("Episodes per day, {label}"),
        &format!(
            "{} on {} of {} days.",
            episodes(days.episodes),
            cells.iter().filter(|c| c.1 > 0).count(),
            cells.len()
        ),
        &cells,
    )
}

/// The period the page charts: a choice of the last 4 weeks, 3 months or 12 months, or dates.
struct View {
    key: &'static str,
    from: NaiveDate,
    to: NaiveDate,
    /// In words: "last 3 months", "1 Mar 2026 to 31 May 2026".
    label: String,
    bucket: Bucket,
}

/// The period choices: key, words.
const PERIODS: &[(&str, &str)] = &[("4w", "4 weeks"), ("3m", "3 months"), ("12m", "12 months")];

impl View {
    fn last(key: &str, today: NaiveDate) -> View {
        let (key, from, label, bucket) = match key {
            "4w" => (
                "4w",
                today - Duration::days(27),
                "last 4 weeks",
                Bucket::Day,
            ),
            "12m" => {
                let back = today - Duration::days(334);
                let first = NaiveDate::from_ymd_opt(back.year(), back.month(), 1).unwrap_or(back);
                ("12m", first, "last 12 months", Bucket::Month)
            }
            _ => (
                "3m",
                Bucket::Week.start(today) - Duration::weeks(12),
                "last 3 months",
                Bucket::Week,
            ),
        };
        View {
            key,
            from,
            to: today,
            label: label.into(),
            bucket,
        }
    }

    /// Dates chosen by the person: days up to six weeks, weeks up to about six months, then
    /// months.
    fn between(from: NaiveDate, to: NaiveDate) -> Result<View, &'static str> {
        let p = crate::domain::report::Period::new(from, to)?;
        let bucket = match p.days() {
            ..=42 => Bucket::Day,
            43..=190 => Bucket::Week,
            _ => Bucket::Month,
        };
        Ok(View {
            key: "custom",
            from,
            to,
            label: format!("{} to {}", from.format("%-d %b %Y"), to.format("%-d %b %Y")),
            bucket,
        })
    }

    /// The period a query asks for (`period=`, or `from=` and `to=`), and what is wrong with
    /// dates that cannot be used (the default period is shown then).
    fn from_query(
        q: &std::collections::HashMap<String, String>,
        today: NaiveDate,
    ) -> (View, Option<String>) {
        let date = |k: &str| q.get(k).and_then(|v| v.trim().parse::<NaiveDate>().ok());
        match (q.get("from"), q.get("to")) {
            (Some(_), Some(_)) => match (date("from"), date("to")) {
                (Some(f), Some(t)) => match View::between(f, t) {
                    Ok(v) => (v, None),
                    Err(e) => (View::last("3m", today), Some(format!("From {e}."))),
                },
                _ => (
                    View::last("3m", today),
                    Some("From and To must be dates like 2026-05-12.".into()),
                ),
            },
            _ => (
                View::last(q.get("period").map(String::as_str).unwrap_or("3m"), today),
                None,
            ),
        }
    }

    fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// "1 episode", "3 episodes".
pub fn episodes(n: u32) -> String {
    if n == 1 {
        "1 episode".to_string()
    } else {
        format!("{n} episodes")
    }
}

/// The charts of a period: episodes and intensity per bucket, places, triggers, time of day,
/// water per day and self-care.
fn period_charts(
    main: &Trends,
    daily: &Trends,
    view: &View,
    comparison: &str,
    target: f64,
) -> Vec<Chart> {
    let (unit, _) = bucket_words(view.bucket);
    vec![
        weekly_episodes_chart(
            "weekly",
            &format!("Episodes per {unit}, {}", view.label),
            main,
            comparison,
        ),
        intensity_chart(main, view.bucket),
        counts_chart(
            "sites",
            &format!("Where, {}", view.label),
            "Most often:",
            "No episodes.",
            &main.by_body_site,
        ),
        counts_chart(
            "triggers",
            &format!("Possible triggers, {}", view.label),
            "Most often noted:",
            "No triggers noted.",
            &main.by_trigger,
        ),
        hours_chart(main, &view.label),
        water_chart(daily, target),
        self_care_chart(main, view.bucket, &view.label),
    ]
}

/// Draws the charts of `view` from the journal.
async fn draw(
    state: &AppState,
    user: &crate::store::rows::User,
    view: &View,
    today: NaiveDate,
) -> Result<Drawn, PageError> {
    // Every kind over the period and the last 90 days (self-care effect); episodes only for the
    // period before it (the comparison), which keeps a long journal cheap to chart.
    let len = view.days();
    let recent_from = view.from.min(today - Duration::days(effect::DAYS + 2));
    // One pass over the entries; every chart is drawn from its totals per date.
    let folded = chart_days(
        state,
        user,
        view.from - Duration::days(len),
        recent_from,
        view.to.max(today),
    )
    .await?;
    let main = folded.trends(view.from, view.to, view.bucket);
    let daily = folded.trends(
        view.from.max(view.to - Duration::days(27)),
        view.to,
        Bucket::Day,
    );
    let (recent, earlier) = folded.compare_periods(view.to, len);
    let comparison = format!(
        "{} in the {}, {earlier} in the {len} days before.",
        episodes(recent),
        if view.key == "custom" {
            format!("{len} days from {}", view.from.format("%-d %b %Y"))
        } else {
            view.label.clone()
        }
    );
    let target = user.thresholds.thresholds().hydration_target_ml;
    Ok(Drawn {
        charts: period_charts(&main, &daily, view, &comparison, target as f64),
        comparison,
        heat: calendar(&folded, view),
        effects: effect::compare_days(&folded, today, target as u32)
            .iter()
            .map(|e| e.sentence())
            .collect(),
    })
}

/// `GET /trends[?period=4w|3m|12m | ?from=&to=]`.
pub async fn get_trends(
    state: web::Data<AppState>,
    drawings: web::Data<Drawings>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    q: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let today = today_for(&a.user, state.now());
    let (view, error) = View::from_query(&q, today);
    let key = DrawnKey {
        seq: a.user.seq,
        key: view.key,
        from: view.from,
        to: view.to,
        today,
        target: a.user.thresholds.thresholds().hydration_target_ml,
    };
    let drawn = drawings
        .0
        .get_or_make(a.user.id, key, async {
            Ok::<_, PageError>(Arc::new(draw(&state, &a.user, &view, today).await?))
        })
        .await?;
    let page = TrendsPage {
        layout: Layout::new("Trends", "trends", &csrf, Some(&a)),
        choices: PERIODS
            .iter()
            .map(|(k, w)| (*k, *w, format!("/trends?period={k}"), view.key == *k))
            .collect(),
        custom: view.key == "custom",
        from: q.get("from").cloned().unwrap_or_default(),
        to: q.get("to").cloned().unwrap_or_default(),
        error,
        drawn,
    };
    render(StatusCode::OK, &page)
}
