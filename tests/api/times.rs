//! Reads by time answer exactly what a scan of the whole journal answers, while big pushes leave
//! their times waiting to be indexed and small writes, edits and deletions come in between.

use crate::helpers::*;
use chrono::{Duration, NaiveDate, SecondsFormat, TimeZone, Utc};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use unknot::domain::entry::{Entry, EntryKind};
use unknot::domain::ids::UserId;
use unknot::store::entries::{self, ListQuery};
use unknot::store::times::{SETTLE_AT, SMALL_WRITE};

const DEVICE: &str = "0196c0de-0000-7000-8000-00000000d00d";

/// A hydration, episode or massage entry at a time spread over about 400 days before 2026-11-01.
fn entry(rng: &mut Rng, n: usize) -> Value {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
        - Duration::minutes(rng.below(400 * 1440) as i64);
    let at = at
        .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap())
        .to_rfc3339_opts(SecondsFormat::Secs, false);
    let id = format!("0196c0de-0000-7000-8000-{n:012}");
    if n.is_multiple_of(7) {
        json!({"id": id, "kind": "massage", "occurred_at": at,
               "data": {"technique": "deep_tissue", "duration_min": 60, "body_sites": ["calf_left"]}})
    } else if n.is_multiple_of(3) {
        json!({"id": id, "kind": "episode", "occurred_at": at,
               "data": {"body_site": "calf_left", "intensity": n % 11}})
    } else {
        json!({"id": id, "kind": "hydration", "occurred_at": at, "data": {"volume_ml": 100 + n % 900}})
    }
}

/// The journal as the sync log has it: every live entry's latest state (read by sequence, not
/// through the time index).
async fn scanned(app: &TestApp, user: UserId) -> Vec<Entry> {
    let all = app
        .state
        .db
        .read(move |c| unknot::store::sync::changed_after(c, user, 0, i64::MAX))
        .await
        .unwrap();
    all.into_iter().filter(|e| !e.deleted).collect()
}

fn keys<'a>(list: impl IntoIterator<Item = &'a Entry>) -> Vec<(String, i64)> {
    let mut k: Vec<_> = list
        .into_iter()
        .map(|e| (e.id.to_string(), e.version))
        .collect();
    k.sort();
    k
}

/// Every read by time agrees with the scan: the timeline followed page by page (whole, by kind
/// and within a range), a range of local dates, an export and the rules' window.
async fn agree(app: &TestApp, user: UserId, step: &str) {
    let journal = scanned(app, user).await;
    let db = &app.state.db;
    let at = |e: &Entry| (e.occurred_at.naive_utc(), e.id.to_string());
    let (from, to) = (
        Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap(),
    );
    for (kind, range, limit) in [
        (None, None, 700),
        (Some(EntryKind::Episode), None, 300),
        (None, Some((from, to)), 250),
    ] {
        let mut want: Vec<&Entry> = journal
            .iter()
            .filter(|e| kind.is_none_or(|k| e.kind() == k))
            .filter(|e| range.is_none_or(|(f, t)| e.occurred_at >= f && e.occurred_at < t))
            .collect();
        want.sort_by_key(|e| std::cmp::Reverse(at(e)));
        let mut got: Vec<Entry> = Vec::new();
        let mut cursor = None;
        loop {
            let q = ListQuery {
                kind,
                from: range.map(|r| r.0),
                to: range.map(|r| r.1),
                limit,
                cursor: cursor.take(),
                ..Default::default()
            };
            let (page, next) = db.read(move |c| entries::list(c, user, &q)).await.unwrap();
            assert!(page.len() as i64 <= limit, "{step}: a page of {limit}");
            assert!(
                next.is_none() || page.len() as i64 == limit,
                "{step}: a short page with a next one"
            );
            got.extend(page);
            match next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        let order = |l: &[&Entry]| l.iter().map(|e| (e.id, e.version)).collect::<Vec<_>>();
        assert_eq!(
            order(&got.iter().collect::<Vec<_>>()),
            order(&want),
            "{step}: the timeline ({kind:?}, {range:?}) newest first, each entry once"
        );
    }
    let (first, last) = (
        NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
        NaiveDate::from_ymd_opt(2026, 8, 20).unwrap(),
    );
    let ranged = db
        .read(move |c| entries::in_local_range(c, user, first, last, None))
        .await
        .unwrap();
    let local = |e: &Entry| e.occurred_at.date_naive();
    let current: BTreeSet<_> = keys(&journal).into_iter().collect();
    assert!(
        keys(&ranged).iter().all(|k| current.contains(k)),
        "{step}: a range reads live entries in their latest state"
    );
    let in_range: BTreeSet<_> = ranged
        .iter()
        .filter(|e| (first..=last).contains(&local(e)))
        .map(|e| e.id)
        .collect();
    let want: BTreeSet<_> = journal
        .iter()
        .filter(|e| (first..=last).contains(&local(e)))
        .map(|e| e.id)
        .collect();
    assert_eq!(in_range, want, "{step}: every entry of the local dates");
    assert!(
        ranged.windows(2).all(|p| at(&p[0]) <= at(&p[1])),
        "{step}: a range reads oldest first"
    );
    let export = db
        .read(move |c| entries::for_export(c, user, None, None))
        .await
        .unwrap();
    assert_eq!(keys(&export), keys(&journal), "{step}: the export");
    assert!(export.windows(2).all(|p| at(&p[0]) <= at(&p[1])));
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let rules = db
        .read(move |c| entries::for_insight(c, user, now))
        .await
        .unwrap();
    let since = now - Duration::days(entries::INSIGHT_DAYS);
    let mut older: Vec<&Entry> = journal
        .iter()
        .filter(|e| e.kind() == EntryKind::Massage && e.occurred_at <= since)
        .collect();
    older.sort_by_key(|e| std::cmp::Reverse(at(e)));
    older.truncate(entries::OLDER_SESSIONS);
    let want = journal
        .iter()
        .filter(|e| e.occurred_at > since)
        .chain(older);
    assert_eq!(keys(&rules), keys(want), "{step}: the rules' window");
}

/// How far the user's times are indexed, and how many entries wait.
async fn waiting(app: &TestApp, user: UserId) -> (i64, i64) {
    app.state
        .db
        .write(move |c| {
            use diesel::prelude::*;
            use unknot::store::schema::{entries, entry_times};
            // Under the user's row lock, as every write takes it: the thread that adds waiting
            // times cannot commit between these reads.
            let (seq, num, timed) = unknot::store::times::lock(c, user)?.unwrap();
            // The index holds exactly the live entries up to `timed_seq`: none left behind by
            // an edit or a deletion.
            let indexed: i64 = entry_times::table
                .filter(entry_times::user_num.eq(num))
                .count()
                .get_result(c)?;
            let settled: i64 = entries::table
                .filter(entries::user_num.eq(num))
                .filter(entries::seq.le(timed))
                .filter(entries::deleted.eq(false))
                .count()
                .get_result(c)?;
            assert_eq!(indexed, settled, "the time index holds what it should");
            Ok::<_, unknot::store::StoreError>((timed, seq - timed))
        })
        .await
        .unwrap()
}

/// A push of `ops` through the API; the outcome of each.
async fn push_api(c: &mut Client, device: &str, ops: Vec<Value>) -> Vec<Value> {
    let r = c
        .post_json(
            "/api/v1/sync/push",
            &json!({"client_id": device, "mutations": ops}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let results = r.json()["results"].as_array().unwrap().clone();
    assert!(
        results.iter().all(|r| r["status"] == "applied"),
        "{results:?}"
    );
    results.iter().map(|r| r["version"].clone()).collect()
}

/// A push of `ops` straight through the store, as the API applies it but without telling the
/// thread that indexes a big push once pushes stop: what waits stays waiting.
async fn push_store(app: &TestApp, user: UserId, ops: Vec<Value>) -> Vec<Value> {
    use unknot::domain::entry::{EntryData, NewEntry, parse_instant};
    use unknot::domain::fields::Choice;
    use unknot::domain::ids::EntryId;
    use unknot::domain::sync::{Op, Outcome};
    let muts: Vec<(i64, Op)> = ops
        .iter()
        .map(|o| {
            let e = &o["entry"];
            let kind = EntryKind::parse(e["kind"].as_str().unwrap()).unwrap();
            let entry = NewEntry {
                id: EntryId::parse(e["id"].as_str().unwrap()).unwrap(),
                occurred_at: parse_instant(e["occurred_at"].as_str().unwrap()).unwrap(),
                data: EntryData::from_json_str(kind, &e["data"].to_string()).unwrap(),
            };
            let base_version = o["base_version"].as_i64().unwrap();
            (
                o["mid"].as_i64().unwrap(),
                Op::Upsert {
                    entry,
                    base_version,
                },
            )
        })
        .collect();
    let now = Utc::now();
    let (_, outcomes) = app
        .state
        .db
        .write(move |c| unknot::store::sync::push(c, user, DEVICE, &muts, now))
        .await
        .unwrap()
        .unwrap();
    outcomes
        .iter()
        .map(|o| match o {
            Outcome::Applied { version, .. } | Outcome::Merged { version, .. } => {
                Value::from(*version)
            }
            other => panic!("{other:?}"),
        })
        .collect()
}

/// Which way a push goes.
#[derive(Clone, Copy)]
enum Via {
    Api,
    Store,
}

/// The device's journal: each entry's id, version and number (which fixes its kind).
struct Device {
    client: &'static str,
    mid: i64,
    made: usize,
    live: Vec<(String, i64, usize)>,
}

impl Device {
    /// A device `client` with nothing pushed yet, numbering its entries after `first`.
    fn new(client: &'static str, first: usize) -> Self {
        Device {
            client,
            mid: 0,
            made: first,
            live: Vec::new(),
        }
    }

    /// A push of `new` entries and `edits` of live ones (new times), `edits` first.
    async fn push(
        &mut self,
        (app, c, user): (&TestApp, &mut Client, UserId),
        rng: &mut Rng,
        (new, edits): (usize, usize),
        via: Via,
    ) {
        let mut ops = Vec::new();
        let mut touched = Vec::new();
        for _ in 0..edits {
            let i = rng.below(self.live.len());
            if touched.contains(&i) {
                continue;
            }
            touched.push(i);
            let (_, version, k) = &self.live[i];
            self.mid += 1;
            ops.push(json!({"mid": self.mid, "op": "upsert", "entry": entry(rng, *k), "base_version": version}));
        }
        for _ in 0..new {
            self.made += 1;
            self.mid += 1;
            let n = self.made;
            ops.push(
                json!({"mid": self.mid, "op": "upsert", "entry": entry(rng, n), "base_version": 0}),
            );
            self.live
                .push((format!("0196c0de-0000-7000-8000-{n:012}"), 0, n));
            touched.push(self.live.len() - 1);
        }
        let versions = match via {
            Via::Api => push_api(c, self.client, ops).await,
            Via::Store => push_store(app, user, ops).await,
        };
        for (v, i) in versions.iter().zip(touched) {
            self.live[i].1 = v.as_i64().unwrap();
        }
    }
}

#[actix_web::test]
async fn reads_by_time_agree_with_the_journal_while_big_pushes_wait_to_be_indexed() {
    let app = spawn_app().await;
    let mut c = api_user(&app, "times@example.com", "client").await;
    let user = user_by_email(&app, "times@example.com").await.id;
    let mut rng = Rng::new(0x7173_0001);
    let mut device = Device::new(DEVICE, 0);
    // A device's first push: batches of 100, times scattered over a year. Their times wait
    // until 2,048 changes have, then the next push indexes them all.
    let batches = SETTLE_AT as usize / 100 + 2;
    for b in 1..=batches {
        device
            .push((&app, &mut c, user), &mut rng, (100, 0), Via::Store)
            .await;
        let (timed, wait) = waiting(&app, user).await;
        if b * 100 <= SETTLE_AT as usize + 100 {
            assert_eq!((timed, wait), (0, b as i64 * 100), "batch {b}");
        } else {
            assert!(
                timed >= SETTLE_AT && wait == 100,
                "batch {b}: {timed}, {wait}"
            );
        }
        if [1, 2, batches - 1, batches].contains(&b) {
            agree(&app, user, &format!("batch {b}")).await;
        }
    }
    // Then the everyday mix: edits and deletions on a page or through the API (each indexes
    // what waited), big pushes with edits among them, and small pushes.
    for round in 0..4 {
        device
            .push((&app, &mut c, user), &mut rng, (90, 10), Via::Store)
            .await;
        agree(&app, user, &format!("round {round}, a big push with edits")).await;
        for _ in 0..6 {
            let i = rng.below(device.live.len());
            let (id, version, k) = device.live[i].clone();
            if rng.below(3) == 0 {
                device.live.swap_remove(i);
                let r = c
                    .delete(&format!("/api/v1/entries/{id}?version={version}"))
                    .await;
                assert_eq!(r.status, 204, "{}", r.body);
            } else {
                let mut e = entry(&mut rng, k);
                e["version"] = json!(version);
                let r = c
                    .send_json("PUT", &format!("/api/v1/entries/{id}"), &e)
                    .await;
                assert_eq!(r.status, 200, "{}", r.body);
                device.live[i].1 = r.json()["version"].as_i64().unwrap();
            }
        }
        assert!(
            waiting(&app, user).await.1 <= 1,
            "round {round}: an edit indexes what waited"
        );
        agree(&app, user, &format!("round {round}, after edits")).await;
        device
            .push((&app, &mut c, user), &mut rng, (60, 0), Via::Store)
            .await;
        let before = waiting(&app, user).await;
        let small = (SMALL_WRITE - 2, 1);
        device
            .push((&app, &mut c, user), &mut rng, small, Via::Api)
            .await;
        let after = waiting(&app, user).await;
        assert_eq!(
            after.0,
            before.0 + before.1,
            "round {round}: a small push indexes what waited"
        );
        assert_eq!(
            after.1,
            SMALL_WRITE as i64 - 1,
            "round {round}: its own changes wait"
        );
        agree(&app, user, &format!("round {round}, after a small push")).await;
    }
    // A big push through the API: once the device stops pushing, its times are added.
    for _ in 0..3 {
        device
            .push((&app, &mut c, user), &mut rng, (150, 5), Via::Api)
            .await;
    }
    let started = std::time::Instant::now();
    while waiting(&app, user).await.1 > 0 && started.elapsed().as_secs() < 10 {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        waiting(&app, user).await.1,
        0,
        "indexed once the pushes stopped"
    );
    agree(&app, user, "after the pushes stopped").await;
    assert_eq!(scanned(&app, user).await.len(), device.live.len());
}

#[actix_web::test]
async fn one_device_still_syncing_does_not_hold_up_indexing_anothers_finished_push() {
    let app = spawn_app().await;
    let mut a = api_user(&app, "done@example.com", "client").await;
    let mut b = api_user(&app, "busy@example.com", "client").await;
    let done = user_by_email(&app, "done@example.com").await.id;
    let mut rng = Rng::new(0x7173_0002);
    let (mut da, mut db) = (
        Device::new(DEVICE, 0),
        Device::new("0196c0de-0000-7000-8000-00000000b0b0", 100_000),
    );
    da.push((&app, &mut a, done), &mut rng, (SMALL_WRITE, 0), Via::Api)
        .await;
    assert!(
        waiting(&app, done).await.1 > 0,
        "a big push leaves its times waiting"
    );
    let busy = user_by_email(&app, "busy@example.com").await.id;
    let started = std::time::Instant::now();
    let mut indexed_after = None;
    while started.elapsed().as_secs() < 5 {
        db.push((&app, &mut b, busy), &mut rng, (SMALL_WRITE, 0), Via::Api)
            .await;
        if indexed_after.is_none() && waiting(&app, done).await.1 == 0 {
            indexed_after = Some(started.elapsed());
            break;
        }
    }
    let after = indexed_after.expect("indexed while the other device kept pushing");
    assert!(
        after.as_secs_f64() < 2.0,
        "indexed {after:?} after the push, while the other device kept pushing"
    );
}

#[actix_web::test]
async fn a_deleted_account_leaves_no_entry_times_behind() {
    use diesel::prelude::*;
    use unknot::store::schema::{entry_times, users};
    let app = spawn_app().await;
    let mut c = api_user(&app, "leaving@example.com", "client").await;
    let user = user_by_email(&app, "leaving@example.com").await.id;
    let mut rng = Rng::new(0x7173_0003);
    let mut device = Device::new(DEVICE, 0);
    // Some times indexed (a small push indexes what came before it), some waiting.
    for n in [SMALL_WRITE - 1, 1] {
        device
            .push((&app, &mut c, user), &mut rng, (n, 0), Via::Api)
            .await;
    }
    device
        .push((&app, &mut c, user), &mut rng, (100, 0), Via::Store)
        .await;
    device
        .push((&app, &mut c, user), &mut rng, (100, 0), Via::Store)
        .await;
    let (timed, wait) = waiting(&app, user).await;
    assert!(timed > 0 && wait > 0, "{timed}, {wait}");
    let count = |db: unknot::store::Db| async move {
        db.read(|c| {
            let all: i64 = entry_times::table.count().get_result(c)?;
            let owned: i64 = entry_times::table
                .inner_join(users::table.on(users::num.eq(entry_times::user_num)))
                .count()
                .get_result(c)?;
            Ok::<_, unknot::store::StoreError>((all, owned))
        })
        .await
        .unwrap()
    };
    let (all, owned) = count(app.state.db.clone()).await;
    assert!(all > 0 && all == owned);
    let r = c
        .send_json("DELETE", "/api/v1/account", &json!({"password": PASSWORD}))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        count(app.state.db.clone()).await,
        (0, 0),
        "nothing of the journal's times is left"
    );
}
