//! Insight: suggestions over a journal, trends, the technique selector and the therapist's view
//! of the clients who need attention first. Every evaluation goes through [`evaluate`], so the
//! client's own page, the API and the therapist dashboard read the same entries the same way.

use crate::domain::entry::{Entry, EntryKind};
use crate::domain::ids::UserId;
use crate::domain::rules::{self, Evaluation, Journal};
use crate::domain::technique::{self, Advice, Question};
use crate::domain::time::LocalZone;
use crate::domain::trends::{Bucket, Days, Trends, compute};
use crate::error::AppError;
use crate::state::{AppState, Evaluated, EvaluationKey};
use crate::store::StoreError;
use crate::store::entries;
use crate::store::notes::{self, Note};
use crate::store::rows::User;
use crate::store::shares::{self, SharedClient};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use std::sync::Arc;
use tracing::instrument;

/// Evaluates every rule over `entries` (as [`entries::for_insight`] loads them) with the user's
/// profile: cautions, time zone and threshold overrides. Returns the journal too, so pages can
/// describe the evidence.
pub fn evaluate(
    user: &User,
    entries: impl Into<Arc<Vec<Entry>>>,
    now: DateTime<FixedOffset>,
) -> (Evaluation, Journal) {
    let journal = Journal {
        entries: entries.into(),
        cautions: user.cautions.clone(),
        timezone: user.timezone.clone(),
    };
    let e = rules::evaluate(&journal, now, &user.thresholds.thresholds());
    (e, journal)
}

/// Loads what the rules read of a user's journal and evaluates it at `at`.
#[instrument(name = "app.insight.evaluate_journal", skip_all)]
async fn evaluate_journal(
    state: &AppState,
    user: &User,
    at: DateTime<FixedOffset>,
) -> Result<Arc<Evaluated>, AppError> {
    let list = state
        .recent
        .for_insight(&state.db, user.id, user.seq, at.with_timezone(&Utc))
        .await?;
    let (evaluation, _) = evaluate(user, list, at);
    Ok(Arc::new(Evaluated { evaluation, at }))
}

/// The user's journal evaluated at the server clock: answered once per change of the journal or
/// the profile and at most once a minute, however many pages, devices and therapists ask
/// meanwhile. Within the minute, what only the passing of time changes (an entry leaving a
/// window) shows at the next minute.
#[instrument(name = "app.insight.evaluate_current", skip_all)]
pub async fn evaluate_current(state: &AppState, user: &User) -> Result<Arc<Evaluated>, AppError> {
    let now = state.now();
    let key = EvaluationKey {
        seq: user.seq,
        minute: now.timestamp().div_euclid(60),
        timezone: user.timezone.clone(),
        cautions: user.cautions.clone(),
        thresholds: user.thresholds.clone(),
    };
    state
        .evaluations
        .get_or_make(
            user.id,
            key,
            evaluate_journal(state, user, now.fixed_offset()),
        )
        .await
}

/// The user's journal evaluated at `now` if given (an instant of the API's `?now=`), else at
/// the server clock ([`evaluate_current`]).
pub async fn evaluate_at(
    state: &AppState,
    user: &User,
    now: Option<DateTime<FixedOffset>>,
) -> Result<Arc<Evaluated>, AppError> {
    match now {
        Some(at) => evaluate_journal(state, user, at).await,
        None => evaluate_current(state, user).await,
    }
}

/// Today's local date for a user (profile time zone, else UTC).
pub fn today_for(user: &User, now: DateTime<Utc>) -> NaiveDate {
    LocalZone::pick(user.timezone.as_deref(), None)
        .at(now)
        .date_naive()
}

/// Trends of a user's journal over `from..=to`.
#[instrument(name = "app.insight.trends", skip_all)]
pub async fn trends(
    state: &AppState,
    user: &User,
    from: NaiveDate,
    to: NaiveDate,
    bucket: Bucket,
) -> Result<Trends, AppError> {
    let list = state
        .recent
        .in_local_range(&state.db, user.id, user.seq, state.now(), (from, to), None)
        .await?;
    Ok(compute(&list, from, to, bucket))
}

/// What the trends page charts, folded by date: every kind from `recent_from` to `today`, and
/// episodes only from `from` before that, which keeps a long journal cheap to chart. A recent
/// range is folded from the journal kept in memory without copying its entries.
#[instrument(name = "app.insight.chart_days", skip_all)]
pub async fn chart_days(
    state: &AppState,
    user: &User,
    from: NaiveDate,
    recent_from: NaiveDate,
    today: NaiveDate,
) -> Result<Days, AppError> {
    let (cache, db, now) = (&state.recent, &state.db, state.now());
    let key = (user.id, user.seq);
    let range = (from, recent_from - Duration::days(1));
    let mut days = cache
        .read_local_range(db, key, now, range, Some(EntryKind::Episode), |list| {
            Days::fold(list.filter(|e| e.occurred_at.date_naive() < recent_from))
        })
        .await?;
    let range = (recent_from, today);
    let recent = cache
        .read_local_range(db, key, now, range, None, |list| {
            Days::fold(list.filter(|e| e.occurred_at.date_naive() >= recent_from))
        })
        .await?;
    days.merge(recent);
    Ok(days)
}

/// The technique selector, with the user's active warnings checked first.
#[instrument(name = "app.insight.advise_technique", skip_all)]
pub async fn advise_technique(
    state: &AppState,
    user: &User,
    question: &Question,
) -> Result<Advice, AppError> {
    let active = evaluate_current(state, user).await?;
    Ok(technique::select(question, &active.evaluation))
}

/// One client on a therapist's dashboard, evaluated.
pub struct ClientSummary {
    pub share: SharedClient,
    pub evaluation: Evaluation,
    pub journal: Journal,
}

/// Every client who shares with `therapist`, each evaluated exactly as the client's own pages
/// evaluate them; the reads are logged for each client.
#[instrument(name = "app.insight.dashboard", skip_all)]
pub async fn dashboard(
    state: &AppState,
    therapist: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<ClientSummary>, AppError> {
    let (list, mut journals) = state
        .db
        .write(move |c| {
            let list = shares::clients_of(c, therapist, now)?;
            let ids: Vec<UserId> = list.iter().map(|s| s.client.id).collect();
            let journals = entries::for_insight_of(c, &ids, now)?;
            shares::record_reads(c, &ids, therapist, "/clients (summary)", now)?;
            Ok::<_, StoreError>((list, journals))
        })
        .await?;
    Ok(list
        .into_iter()
        .map(|share| {
            let list = journals.remove(&share.client.id).unwrap_or_default();
            let (evaluation, journal) = evaluate(&share.client, list, now.fixed_offset());
            ClientSummary {
                share,
                evaluation,
                journal,
            }
        })
        .collect())
}

/// What a therapist's page of one client shows.
pub struct ClientView {
    /// Entries whose local date may fall in the charted range.
    pub recent: Vec<Entry>,
    /// The client's journal evaluated at the server clock: the evaluation the client sees.
    pub evaluated: Arc<Evaluated>,
    /// What the rules read of the journal (as [`entries::for_insight`] loads it).
    pub insight: Arc<Vec<Entry>>,
    pub notes: Vec<Note>,
    /// The 30 newest entries up to now.
    pub latest: Vec<Entry>,
}

/// Loads a client's journal for their therapist: charts from `from` to `today`, suggestions,
/// notes the therapist may see, and the newest entries.
#[instrument(name = "app.insight.client_view", skip_all)]
pub async fn client_view(
    state: &AppState,
    client: &User,
    therapist: UserId,
    from: NaiveDate,
    today: NaiveDate,
) -> Result<ClientView, AppError> {
    let (cid, now) = (client.id, state.now());
    let (recent, notes, latest) = state
        .db
        .read(move |c| {
            let recent = entries::in_local_range(c, cid, from, today, None)?;
            let notes = notes::for_client(c, cid, Some(therapist))?;
            let q = entries::ListQuery {
                limit: 30,
                to: Some(now + Duration::seconds(1)),
                ..Default::default()
            };
            let latest = entries::list(c, cid, &q)?.0;
            Ok::<_, StoreError>((recent, notes, latest))
        })
        .await?;
    let evaluated = evaluate_current(state, client).await?;
    let insight = state
        .recent
        .for_insight(&state.db, cid, client.seq, now)
        .await?;
    Ok(ClientView {
        recent,
        evaluated,
        insight,
        notes,
        latest,
    })
}
