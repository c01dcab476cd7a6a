//! One or more tests per rule id: fires at its threshold and not one below, evidence is exactly
//! the entries that made it fire, deleted and future entries never count, local dates are each
//! entry's own, and the output is ordered and suppressed as RULES.md says.

use super::*;
use crate::domain::entry::*;
use crate::domain::ids::EntryId;
use chrono::{DateTime, Duration, FixedOffset, Utc};

const NOW: &str = "2026-05-12T12:00:00+00:00";

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(NOW).unwrap()
}

/// A time `d` before now, in UTC.
fn ago(d: Duration) -> DateTime<FixedOffset> {
    (now() - d).with_timezone(&Utc).fixed_offset()
}

fn entry(t: DateTime<FixedOffset>, data: EntryData) -> Entry {
    Entry {
        id: EntryId::new_v7(),
        occurred_at: t,
        data,
        version: 1,
        deleted: false,
        seq: 1,
        updated_at: Utc::now(),
    }
}

fn episode(t: DateTime<FixedOffset>, site: BodySite, intensity: u8) -> Entry {
    entry(
        t,
        EntryData::Episode(Episode {
            body_site: site,
            intensity,
            duration_s: None,
            pattern: None,
            triggers: vec![],
            red_flags: vec![],
            relief: vec![],
            notes: None,
        }),
    )
}

fn ep_with(t: DateTime<FixedOffset>, f: impl FnOnce(&mut Episode)) -> Entry {
    let mut e = episode(t, BodySite::CalfLeft, 5);
    if let EntryData::Episode(ep) = &mut e.data {
        f(ep);
    }
    e
}

fn water(t: DateTime<FixedOffset>, ml: u32) -> Entry {
    entry(
        t,
        EntryData::Hydration(Hydration {
            volume_ml: ml,
            electrolytes: false,
        }),
    )
}

fn stretch(t: DateTime<FixedOffset>) -> Entry {
    entry(
        t,
        EntryData::Stretch(Stretch {
            minutes: 5,
            body_sites: vec![],
            routine: None,
        }),
    )
}

fn massage(t: DateTime<FixedOffset>, technique: Technique, sites: &[BodySite]) -> Entry {
    entry(
        t,
        EntryData::Massage(Massage {
            technique,
            duration_min: Some(60),
            pressure: None,
            body_sites: sites.to_vec(),
            therapist: None,
            notes: None,
        }),
    )
}

fn condition(
    t: DateTime<FixedOffset>,
    status: ConditionStatus,
    ended: Option<DateTime<FixedOffset>>,
) -> Entry {
    entry(
        t,
        EntryData::Condition(Condition {
            status,
            ended_at: ended.map(|e| crate::domain::time::rfc3339(&e)),
            body_site: None,
            notes: None,
        }),
    )
}

fn event(t: DateTime<FixedOffset>) -> Entry {
    entry(
        t,
        EntryData::Event(Event {
            name: "Race".into(),
        }),
    )
}

fn journal(entries: Vec<Entry>) -> Journal {
    Journal {
        entries: entries.into(),
        cautions: vec![],
        timezone: None,
    }
}

fn eval(j: &Journal) -> Evaluation {
    evaluate(j, now(), &Thresholds::default())
}

fn find(j: &Journal, id: &str) -> Option<Suggestion> {
    eval(j).suggestions.into_iter().find(|s| s.rule_id == id)
}

fn fires(entries: Vec<Entry>, id: &str) -> bool {
    find(&journal(entries), id).is_some()
}

fn evidence_of(j: &Journal, id: &str) -> Vec<EntryId> {
    let mut v = find(j, id)
        .unwrap_or_else(|| panic!("{id} did not fire"))
        .evidence_ids();
    v.sort();
    v
}

fn ids(entries: &[&Entry]) -> Vec<EntryId> {
    let mut v: Vec<EntryId> = entries.iter().map(|e| e.id).collect();
    v.sort();
    v
}

const MIN: Duration = Duration::minutes(1);

#[test]
fn red_flag_chest_is_urgent_within_seven_days_with_exact_evidence() {
    let chest = episode(ago(Duration::days(7) - MIN), BodySite::Chest, 3);
    let pain = ep_with(ago(Duration::days(1)), |e| {
        e.red_flags = vec![RedFlag::ChestPain]
    });
    let other = episode(ago(Duration::days(1)), BodySite::Neck, 3);
    let j = journal(vec![chest.clone(), pain.clone(), other]);
    let s = find(&j, "red-flag-chest").unwrap();
    assert_eq!(s.kind, Kind::Urgent);
    assert_eq!(evidence_of(&j, "red-flag-chest"), ids(&[&chest, &pain]));
    assert!(!fires(
        vec![episode(ago(Duration::days(7)), BodySite::Chest, 3)],
        "red-flag-chest"
    ));
}

#[test]
fn red_flag_neuro_and_local_look_back_thirty_days() {
    let numb = ep_with(ago(Duration::days(30) - MIN), |e| {
        e.red_flags = vec![RedFlag::Numbness]
    });
    assert!(fires(vec![numb], "red-flag-neuro"));
    let weak = ep_with(ago(Duration::days(30)), |e| {
        e.red_flags = vec![RedFlag::Weakness]
    });
    assert!(!fires(vec![weak], "red-flag-neuro"));
    let wasting = ep_with(ago(Duration::days(10)), |e| {
        e.red_flags = vec![RedFlag::MuscleWasting]
    });
    let j = journal(vec![wasting.clone()]);
    assert_eq!(
        find(&j, "red-flag-local").unwrap().kind,
        Kind::MedicalReview
    );
    assert_eq!(evidence_of(&j, "red-flag-local"), ids(&[&wasting]));
    assert!(!fires(
        vec![ep_with(ago(Duration::days(31)), |e| e.red_flags =
            vec![RedFlag::SwellingRedness])],
        "red-flag-local"
    ));
}

#[test]
fn red_flag_fluid_loss_looks_back_fourteen_days() {
    assert!(fires(
        vec![ep_with(ago(Duration::days(14) - MIN), |e| e.red_flags =
            vec![RedFlag::AfterFluidLoss])],
        "red-flag-fluid-loss"
    ));
    assert!(!fires(
        vec![ep_with(ago(Duration::days(14)), |e| e.red_flags =
            vec![RedFlag::AfterFluidLoss])],
        "red-flag-fluid-loss"
    ));
}

#[test]
fn long_cramp_means_more_than_ten_minutes() {
    assert!(fires(
        vec![ep_with(ago(Duration::days(3)), |e| e.duration_s = Some(601))],
        "long-cramp"
    ));
    assert!(!fires(
        vec![ep_with(ago(Duration::days(3)), |e| e.duration_s = Some(600))],
        "long-cramp"
    ));
}

#[test]
fn frequent_episodes_finds_four_within_a_week_or_eight_in_a_month() {
    let old = episode(ago(Duration::days(20)), BodySite::Neck, 3);
    let cluster: Vec<Entry> = (0..4)
        .map(|i| {
            episode(
                ago(Duration::days(1) + Duration::hours(i * 40)),
                BodySite::Neck,
                3,
            )
        })
        .collect();
    let mut all = cluster.clone();
    all.push(old);
    let j = journal(all);
    let refs: Vec<&Entry> = cluster.iter().collect();
    assert_eq!(evidence_of(&j, "frequent-episodes"), ids(&refs));
    assert!(
        find(&j, "frequent-episodes")
            .unwrap()
            .because
            .starts_with("4 episodes in the 7 days to")
    );
    // Four spanning exactly seven days are not "less than 7 days first to last".
    let spread: Vec<Entry> = [0, 2, 4, 7]
        .iter()
        .map(|d| episode(ago(Duration::days(*d)), BodySite::Neck, 3))
        .collect();
    assert!(!fires(spread, "frequent-episodes"));
    let month: Vec<Entry> = (0..8)
        .map(|i| episode(ago(Duration::days(i * 3 + 1)), BodySite::Neck, 3))
        .collect();
    assert!(fires(month.clone(), "frequent-episodes"));
    assert!(!fires(month[..7].to_vec(), "frequent-episodes"));
}

#[test]
fn worsening_trend_compares_the_last_28_days_with_the_28_before() {
    let earlier: Vec<Entry> = (0..3)
        .map(|i| episode(ago(Duration::days(30 + i * 5)), BodySite::Neck, 3))
        .collect();
    let recent = |n: i64, intensity: u8| -> Vec<Entry> {
        (0..n)
            .map(|i| episode(ago(Duration::days(i * 3 + 1)), BodySite::Neck, intensity))
            .collect()
    };
    let mut six = earlier.clone();
    let six_recent = recent(6, 3);
    six.extend(six_recent.clone());
    let j = journal(six);
    let refs: Vec<&Entry> = six_recent.iter().collect();
    assert_eq!(evidence_of(&j, "worsening-trend"), ids(&refs));
    let mut five = earlier.clone();
    five.extend(recent(5, 3));
    assert!(!fires(five, "worsening-trend"));
    let mut stronger = earlier.clone();
    stronger.extend(recent(3, 5));
    assert!(fires(stronger, "worsening-trend"), "mean intensity up by 2");
    let mut slightly = earlier.clone();
    slightly.extend(recent(3, 4));
    assert!(!fires(slightly, "worsening-trend"));
    let mut too_few_before = earlier[..2].to_vec();
    too_few_before.extend(recent(8, 9));
    assert!(!fires(too_few_before, "worsening-trend"));
}

#[test]
fn persistent_after_massage_needs_three_dates_over_three_weeks_in_a_treated_region() {
    let session = massage(
        ago(Duration::days(30)),
        Technique::DeepTissue,
        &[BodySite::CalfLeft],
    );
    let eps = vec![
        episode(ago(Duration::days(25)), BodySite::CalfRight, 4),
        episode(ago(Duration::days(15)), BodySite::CalfLeft, 4),
        episode(ago(Duration::days(3)), BodySite::CalfLeft, 4),
    ];
    let elsewhere = episode(ago(Duration::days(2)), BodySite::Neck, 4);
    let mut all = vec![session.clone(), elsewhere];
    all.extend(eps.clone());
    let j = journal(all.clone());
    let mut want: Vec<&Entry> = eps.iter().collect();
    want.push(&session);
    assert_eq!(evidence_of(&j, "persistent-after-massage"), ids(&want));
    // Only 20 dates apart.
    let short = vec![
        session.clone(),
        episode(ago(Duration::days(23)), BodySite::CalfLeft, 4),
        eps[1].clone(),
        eps[2].clone(),
    ];
    assert!(!fires(short, "persistent-after-massage"));
    // A newer session on the calves in between resets it.
    let mut renewed = all.clone();
    renewed.push(massage(
        ago(Duration::days(10)),
        Technique::Swedish,
        &[BodySite::CalfRight],
    ));
    assert!(!fires(renewed, "persistent-after-massage"));
    // The last one more than 14 days ago.
    let stale = vec![
        session.clone(),
        episode(ago(Duration::days(29)), BodySite::CalfLeft, 4),
        eps[0].clone(),
        episode(ago(Duration::days(15)), BodySite::CalfLeft, 4),
    ];
    assert!(!fires(stale, "persistent-after-massage"));
    // A session that listed no body sites treats nothing.
    let mut unlisted = vec![massage(ago(Duration::days(30)), Technique::Swedish, &[])];
    unlisted.extend(eps);
    assert!(!fires(unlisted, "persistent-after-massage"));
}

#[test]
fn self_care_not_helping_needs_ten_cared_for_dates_of_fourteen() {
    let eps: Vec<Entry> = (0..3)
        .map(|i| episode(ago(Duration::days(i * 3)), BodySite::Neck, 4))
        .collect();
    let mut ten = eps.clone();
    ten.extend((0..10).map(|d| stretch(ago(Duration::days(d)))));
    let j = journal(ten);
    let refs: Vec<&Entry> = eps.iter().collect();
    assert_eq!(evidence_of(&j, "self-care-not-helping"), ids(&refs));
    let mut nine = eps.clone();
    nine.extend((0..9).map(|d| stretch(ago(Duration::days(d)))));
    nine.push(water(ago(Duration::days(9)), 1999));
    assert!(!fires(nine.clone(), "self-care-not-helping"));
    nine.push(water(ago(Duration::days(9)), 1));
    assert!(
        fires(nine, "self-care-not-helping"),
        "2000 ml counts as a self-care date"
    );
}

#[test]
fn ill_postpone_holds_back_booking_while_a_recent_illness_is_open() {
    let ill = condition(ago(Duration::days(2)), ConditionStatus::Unwell, None);
    let first_ep = episode(ago(Duration::days(1)), BodySite::Neck, 4);
    let j = journal(vec![ill.clone(), first_ep]);
    let e = eval(&j);
    assert!(e.suggestions.iter().any(|s| s.rule_id == "ill-postpone"));
    assert!(e.suggestions.iter().all(|s| s.kind != Kind::Book));
    let held = e
        .suppressed
        .iter()
        .find(|s| s.rule_id == "acute-course")
        .expect("acute-course held back");
    assert!(
        held.because
            .contains("Wait with massage until you are well")
    );
    assert!(!fires(
        vec![condition(
            ago(Duration::days(3)),
            ConditionStatus::Unwell,
            None
        )],
        "ill-postpone"
    ));
    assert!(!fires(
        vec![condition(
            ago(Duration::days(2)),
            ConditionStatus::Unwell,
            Some(ago(Duration::days(1)))
        )],
        "ill-postpone"
    ));
}

#[test]
fn active_severe_spasm_is_intensity_eight_within_a_day() {
    assert!(fires(
        vec![episode(ago(Duration::hours(24) - MIN), BodySite::Neck, 8)],
        "active-severe-spasm"
    ));
    assert!(!fires(
        vec![episode(ago(Duration::hours(2)), BodySite::Neck, 7)],
        "active-severe-spasm"
    ));
    assert!(!fires(
        vec![episode(ago(Duration::hours(24)), BodySite::Neck, 9)],
        "active-severe-spasm"
    ));
}

#[test]
fn injury_or_wound_lasts_until_its_end() {
    assert!(fires(
        vec![condition(
            ago(Duration::days(40)),
            ConditionStatus::Injury,
            None
        )],
        "injury-or-wound"
    ));
    assert!(fires(
        vec![condition(
            ago(Duration::days(4)),
            ConditionStatus::Wound,
            Some(ago(-Duration::days(2)))
        )],
        "injury-or-wound"
    ));
    assert!(!fires(
        vec![condition(
            ago(Duration::days(4)),
            ConditionStatus::Infection,
            Some(ago(Duration::hours(1)))
        )],
        "injury-or-wound"
    ));
    assert!(!fires(
        vec![condition(
            ago(Duration::days(4)),
            ConditionStatus::Unwell,
            None
        )],
        "injury-or-wound"
    ));
}

#[test]
fn caution_conditions_comes_from_the_profile_and_softens_booking_without_suppressing_it() {
    let mut j = journal(vec![
        episode(ago(Duration::days(1)), BodySite::Neck, 4),
        condition(
            ago(Duration::days(90)),
            ConditionStatus::Injury,
            Some(ago(Duration::days(80))),
        ),
    ]);
    j.cautions = vec![crate::domain::caution::Caution::Osteoporosis];
    let e = eval(&j);
    let c = e
        .suggestions
        .iter()
        .find(|s| s.rule_id == "caution-conditions")
        .unwrap();
    assert!(c.evidence.is_empty());
    assert!(c.because.contains("osteoporosis"));
    let book = e
        .suggestions
        .iter()
        .find(|s| s.rule_id == "acute-course")
        .expect("not suppressed");
    assert!(book.message.contains("light technique"));
    assert!(e.suppressed.is_empty());
}

#[test]
fn deleted_and_future_entries_never_count() {
    let mut deleted = episode(ago(Duration::days(1)), BodySite::Chest, 9);
    deleted.deleted = true;
    let future = ep_with(ago(-Duration::hours(1)), |e| {
        e.red_flags = vec![RedFlag::ChestPain]
    });
    let e = eval(&journal(vec![deleted, future]));
    assert!(
        e.suggestions.is_empty(),
        "{:?}",
        e.suggestions.iter().map(|s| s.rule_id).collect::<Vec<_>>()
    );
}

#[test]
fn output_is_ordered_by_kind_then_newest_evidence_and_booking_waits_for_doctors() {
    let flag_old = ep_with(ago(Duration::days(20)), |e| {
        e.red_flags = vec![RedFlag::Numbness]
    });
    let long_new = ep_with(ago(Duration::days(1)), |e| e.duration_s = Some(900));
    let mut j = journal(vec![flag_old, long_new, event(ago(-Duration::days(5)))]);
    j.cautions = vec![crate::domain::caution::Caution::RecentSurgery];
    let e = eval(&j);
    let order: Vec<&str> = e.suggestions.iter().map(|s| s.rule_id).collect();
    let pos = |id: &str| {
        order
            .iter()
            .position(|x| *x == id)
            .unwrap_or_else(|| panic!("{id} missing from {order:?}"))
    };
    assert!(
        pos("long-cramp") < pos("red-flag-neuro"),
        "newest evidence first: {order:?}"
    );
    assert!(pos("red-flag-neuro") < pos("caution-conditions"));
    assert!(pos("caution-conditions") < pos("stretch-gap"));
    assert!(order.iter().all(|id| *id != "pre-event"));
    let held = e
        .suppressed
        .iter()
        .find(|s| s.rule_id == "pre-event")
        .unwrap();
    assert!(held.because.contains("A cramp lasted more than 10 minutes"));
    let kinds: Vec<Kind> = e.suggestions.iter().map(|s| s.kind).collect();
    let mut sorted = kinds.clone();
    sorted.sort();
    assert_eq!(kinds, sorted);
}

#[test]
fn every_catalogue_id_is_unique_and_kebab_case() {
    let ids: Vec<&str> = catalogue().iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 22);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    assert!(
        ids.iter()
            .all(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
    );
}

#[test]
fn entries_on_a_date_are_those_of_its_own_local_date_far_back_or_recent() {
    // Drinks every 5 hours for 30 days, in offsets from -12 to +14 hours, so many fall on
    // another local date than their UTC one; one deleted and one after now never count.
    let offsets = [-12, -5, 0, 3, 9, 14];
    let mut list: Vec<Entry> = (0..144)
        .map(|k| {
            let off = FixedOffset::east_opt(offsets[k % offsets.len()] * 3600).unwrap();
            water(ago(Duration::hours(5 * k as i64)).with_timezone(&off), 100)
        })
        .collect();
    list[7].deleted = true;
    list.push(water(now() + Duration::minutes(30), 100));
    let j = journal(list.clone());
    let ctx = context::Ctx::new(&j, now());
    let today = now().date_naive();
    for back in -2..30 {
        let d = today - Duration::days(back);
        let mut want: Vec<EntryId> = list
            .iter()
            .filter(|e| !e.deleted && e.occurred_at <= now() && e.occurred_at.date_naive() == d)
            .map(|e| e.id)
            .collect();
        want.sort();
        let mut got: Vec<EntryId> = ctx.on_date(d).map(|e| e.id).collect();
        got.sort();
        assert_eq!(got, want, "{d}");
        assert_eq!(ctx.water_on(d), 100 * want.len() as u32, "{d}");
    }
}

mod booking_and_self_care;
mod scenarios;
