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
        entries,
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
        .evidence;
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
fn acute_course_is_for_new_spasms_with_a_three_day_window() {
    let first = episode(ago(Duration::days(2)), BodySite::Neck, 4);
    let j = journal(vec![first.clone()]);
    let s = find(&j, "acute-course").unwrap();
    assert_eq!(
        s.suggested_window,
        Some(Window {
            from: now().date_naive(),
            to: now().date_naive() + Duration::days(3)
        })
    );
    assert_eq!(s.evidence, vec![first.id]);
    assert!(!fires(
        vec![
            first.clone(),
            episode(ago(Duration::days(50)), BodySite::Neck, 4)
        ],
        "acute-course"
    ));
    assert!(fires(
        vec![
            first.clone(),
            episode(ago(Duration::days(63)), BodySite::Neck, 4)
        ],
        "acute-course"
    ));
    let busy = vec![
        first.clone(),
        massage(ago(Duration::days(1)), Technique::Swedish, &[]),
        massage(ago(Duration::days(3)), Technique::Swedish, &[]),
    ];
    assert!(!fires(busy, "acute-course"));
}

#[test]
fn chronic_maintenance_needs_six_of_eight_weeks_and_no_massage_this_week() {
    let weeks = |n: i64| -> Vec<Entry> {
        (0..n)
            .map(|k| episode(ago(Duration::days(7 * k + 1)), BodySite::Neck, 3))
            .collect()
    };
    let s = find(&journal(weeks(6)), "chronic-maintenance").unwrap();
    assert_eq!(
        s.suggested_window.unwrap().to,
        now().date_naive() + Duration::days(7)
    );
    assert!(!fires(weeks(5), "chronic-maintenance"));
    let mut recent_massage = weeks(6);
    recent_massage.push(massage(ago(Duration::days(6)), Technique::Swedish, &[]));
    assert!(!fires(recent_massage, "chronic-maintenance"));
    let mut week_old = weeks(6);
    week_old.push(massage(ago(Duration::days(7)), Technique::Swedish, &[]));
    assert!(fires(week_old, "chronic-maintenance"));
}

#[test]
fn maintenance_lapsed_after_two_weeks_with_a_spasm_since() {
    let sessions = |last: i64| -> Vec<Entry> {
        [last + 40, last + 20, last]
            .iter()
            .map(|d| massage(ago(Duration::days(*d)), Technique::Swedish, &[]))
            .collect()
    };
    let since = episode(ago(Duration::days(2)), BodySite::Neck, 3);
    let mut lapsed = sessions(14);
    lapsed.push(since.clone());
    let j = journal(lapsed.clone());
    let refs: Vec<&Entry> = lapsed.iter().collect();
    assert_eq!(evidence_of(&j, "maintenance-lapsed"), ids(&refs));
    let mut early = sessions(13);
    early.push(since);
    assert!(!fires(early, "maintenance-lapsed"));
    assert!(
        !fires(sessions(20), "maintenance-lapsed"),
        "no spasm since the last session"
    );
}

#[test]
fn pre_event_window_ends_48_hours_before_the_event_in_local_time() {
    let race = event(DateTime::parse_from_rfc3339("2026-05-17T09:00:00+02:00").unwrap());
    let mut j = journal(vec![race.clone()]);
    j.timezone = Some("Europe/Berlin".into());
    let s = find(&j, "pre-event").unwrap();
    assert_eq!(s.evidence, vec![race.id]);
    let w = s.suggested_window.unwrap();
    assert_eq!(
        (w.from.to_string(), w.to.to_string()),
        ("2026-05-12".to_string(), "2026-05-15".to_string())
    );
    assert!(s.message.contains("deep tissue"));
    assert!(!fires(vec![event(ago(-Duration::days(11)))], "pre-event"));
    assert!(!fires(
        vec![event(ago(-Duration::days(2) + MIN))],
        "pre-event"
    ));
    assert!(fires(vec![event(ago(-Duration::days(2)))], "pre-event"));
    j.cautions = vec![crate::domain::caution::Caution::Dvt];
    assert!(
        find(&j, "pre-event")
            .unwrap()
            .message
            .contains("light technique")
    );
}

#[test]
fn hydration_low_only_for_people_who_track_water() {
    let today_ep = episode(ago(Duration::hours(2)), BodySite::Neck, 3);
    assert!(
        !fires(vec![today_ep.clone()], "hydration-low"),
        "no water logged at all"
    );
    let low = vec![today_ep.clone(), water(ago(Duration::hours(3)), 1500)];
    assert!(fires(low, "hydration-low"));
    let enough = vec![
        today_ep.clone(),
        water(ago(Duration::hours(3)), 2000),
        water(ago(Duration::days(1)), 2000),
    ];
    assert!(!fires(enough, "hydration-low"));
    let mean_low = vec![
        water(ago(Duration::days(1)), 2500),
        water(ago(Duration::days(2)), 1500),
        water(ago(Duration::days(3)), 1500),
    ];
    assert!(fires(mean_low, "hydration-low"));
}

#[test]
fn stretch_gap_counts_each_entrys_own_local_date() {
    // Now is noon on 12 May in Berlin; the last 3 dates are 10, 11 and 12 May.
    let berlin = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
    let ep = episode(berlin("2026-05-08T10:00:00+02:00"), BodySite::Neck, 3);
    let mut j = journal(vec![
        ep.clone(),
        stretch(berlin("2026-05-09T23:30:00+02:00")),
    ]);
    j.timezone = Some("Europe/Berlin".into());
    assert!(
        find(&j, "stretch-gap").is_some(),
        "23:30 on 9 May belongs to 9 May"
    );
    j.entries = vec![ep, stretch(berlin("2026-05-10T00:30:00+02:00"))];
    assert!(
        find(&j, "stretch-gap").is_none(),
        "00:30 on 10 May (22:30 UTC on the 9th) is 10 May"
    );
}

#[test]
fn heat_or_ice_picks_ice_for_a_fresh_strain_and_heat_for_recurring_spasms() {
    let fresh = episode(ago(Duration::hours(47)), BodySite::Neck, 5);
    let ice = find(&journal(vec![fresh.clone()]), "heat-or-ice").unwrap();
    assert!(ice.message.contains("ice"));
    let mut recurring = vec![fresh];
    recurring.extend(
        [10, 17]
            .iter()
            .map(|d| episode(ago(Duration::days(*d)), BodySite::Neck, 3)),
    );
    assert!(
        find(&journal(recurring), "heat-or-ice")
            .unwrap()
            .message
            .contains("warmth")
    );
    assert!(!fires(
        vec![episode(ago(Duration::hours(48)), BodySite::Neck, 5)],
        "heat-or-ice"
    ));
}

#[test]
fn post_massage_soreness_after_deep_work_and_advice_when_it_happens_every_time() {
    let deep = massage(
        ago(Duration::hours(30)),
        Technique::DeepTissue,
        &[BodySite::Neck],
    );
    let sore = episode(ago(Duration::hours(10)), BodySite::Neck, 4);
    let j = journal(vec![deep.clone(), sore.clone()]);
    assert_eq!(
        evidence_of(&j, "post-massage-soreness"),
        ids(&[&deep, &sore])
    );
    assert!(
        !find(&j, "post-massage-soreness")
            .unwrap()
            .message
            .contains("lighter technique")
    );
    assert!(!fires(
        vec![
            massage(ago(Duration::hours(30)), Technique::Swedish, &[]),
            sore.clone()
        ],
        "post-massage-soreness"
    ));
    let mut thrice = vec![deep, sore];
    for d in [10, 20] {
        thrice.push(massage(
            ago(Duration::days(d)),
            Technique::TriggerPoint,
            &[],
        ));
        thrice.push(episode(
            ago(Duration::days(d) - Duration::hours(20)),
            BodySite::Neck,
            4,
        ));
    }
    assert!(
        find(&journal(thrice), "post-massage-soreness")
            .unwrap()
            .message
            .contains("lighter technique")
    );
}

#[test]
fn movement_breaks_after_two_episodes_from_long_positions() {
    let pos = |d: i64| {
        ep_with(ago(Duration::days(d)), |e| {
            e.triggers = vec![Trigger::ProlongedPosition]
        })
    };
    assert!(fires(vec![pos(1), pos(13)], "movement-breaks"));
    assert!(!fires(vec![pos(1), pos(14)], "movement-breaks"));
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

/// For every rule with entry evidence: a journal where it fires, with the entries that should be
/// its evidence listed apart from distractors.
fn scenarios() -> Vec<(&'static str, Vec<Entry>, Vec<Entry>)> {
    let d = |days: i64| ago(Duration::days(days));
    let h = |hours: i64| ago(Duration::hours(hours));
    let flag = |t, f: RedFlag| ep_with(t, |e| e.red_flags = vec![f]);
    let noise = || vec![water(d(40), 300), stretch(d(60))];
    let mut out: Vec<(&'static str, Vec<Entry>, Vec<Entry>)> = Vec::new();
    let mut add = |id: &'static str, evidence: Vec<Entry>, mut others: Vec<Entry>| {
        others.extend(noise());
        out.push((id, evidence, others));
    };
    add(
        "red-flag-chest",
        vec![episode(d(2), BodySite::Chest, 4)],
        vec![episode(d(8), BodySite::Chest, 4)],
    );
    add(
        "red-flag-neuro",
        vec![
            flag(d(3), RedFlag::Numbness),
            flag(d(20), RedFlag::Weakness),
        ],
        vec![flag(d(31), RedFlag::Numbness)],
    );
    add(
        "red-flag-local",
        vec![flag(d(5), RedFlag::SwellingRedness)],
        vec![flag(d(5), RedFlag::NotRelieved)],
    );
    add(
        "red-flag-fluid-loss",
        vec![flag(d(13), RedFlag::AfterFluidLoss)],
        vec![flag(d(15), RedFlag::AfterFluidLoss)],
    );
    add(
        "long-cramp",
        vec![ep_with(d(9), |e| e.duration_s = Some(700))],
        vec![ep_with(d(9), |e| e.duration_s = Some(500))],
    );
    add(
        "frequent-episodes",
        (0..4)
            .map(|i| {
                episode(
                    ago(Duration::days(1) + Duration::hours(i * 30)),
                    BodySite::Neck,
                    3,
                )
            })
            .collect(),
        vec![episode(d(12), BodySite::Neck, 3)],
    );
    add(
        "persistent-after-massage",
        vec![
            massage(d(30), Technique::Swedish, &[BodySite::HipLeft]),
            episode(d(26), BodySite::HipRight, 4),
            episode(d(16), BodySite::HipLeft, 4),
            episode(d(2), BodySite::HipLeft, 4),
        ],
        vec![episode(d(20), BodySite::Neck, 4)],
    );
    add(
        "self-care-not-helping",
        (0..3)
            .map(|i| episode(d(i * 4 + 1), BodySite::Neck, 3))
            .collect(),
        (0..10).map(|i| stretch(d(i))).collect(),
    );
    add(
        "ill-postpone",
        vec![condition(d(1), ConditionStatus::Unwell, None)],
        vec![condition(d(9), ConditionStatus::Unwell, Some(d(5)))],
    );
    add(
        "active-severe-spasm",
        vec![episode(h(3), BodySite::Neck, 9)],
        vec![
            episode(h(3), BodySite::Neck, 5),
            episode(h(30), BodySite::Neck, 9),
        ],
    );
    add(
        "injury-or-wound",
        vec![condition(d(30), ConditionStatus::Injury, None)],
        vec![condition(d(30), ConditionStatus::Wound, Some(d(2)))],
    );
    add(
        "acute-course",
        vec![
            episode(d(3), BodySite::Neck, 3),
            episode(d(1), BodySite::Neck, 3),
        ],
        vec![episode(d(80), BodySite::Neck, 3)],
    );
    add(
        "maintenance-lapsed",
        vec![
            massage(d(60), Technique::Swedish, &[]),
            massage(d(40), Technique::Swedish, &[]),
            massage(d(20), Technique::Swedish, &[]),
            episode(d(3), BodySite::Neck, 3),
        ],
        vec![episode(d(25), BodySite::Neck, 3)],
    );
    add(
        "pre-event",
        vec![event(ago(-Duration::days(5)))],
        vec![event(ago(-Duration::days(12)))],
    );
    add(
        "hydration-low",
        vec![episode(h(1), BodySite::Neck, 3), water(h(2), 900)],
        vec![water(d(5), 3000)],
    );
    add(
        "stretch-gap",
        vec![episode(d(5), BodySite::Neck, 3)],
        vec![stretch(d(4))],
    );
    add(
        "heat-or-ice",
        vec![episode(h(20), BodySite::Neck, 3)],
        vec![episode(d(4), BodySite::Neck, 3)],
    );
    add(
        "post-massage-soreness",
        vec![
            massage(h(40), Technique::TriggerPoint, &[]),
            episode(h(20), BodySite::Neck, 3),
        ],
        vec![massage(h(44), Technique::Swedish, &[])],
    );
    add(
        "movement-breaks",
        vec![
            ep_with(d(2), |e| e.triggers = vec![Trigger::ProlongedPosition]),
            ep_with(d(9), |e| e.triggers = vec![Trigger::ProlongedPosition]),
        ],
        vec![ep_with(d(15), |e| {
            e.triggers = vec![Trigger::ProlongedPosition]
        })],
    );
    out
}

#[test]
fn every_evidence_rule_names_exactly_its_evidence_and_ignores_deleted_and_future_entries() {
    let table = scenarios();
    let covered: Vec<&str> = table.iter().map(|s| s.0).collect();
    for rule in catalogue() {
        let profile_only = rule.id == "caution-conditions";
        let composite = matches!(rule.id, "worsening-trend" | "chronic-maintenance");
        assert!(
            covered.contains(&rule.id) || profile_only || composite,
            "no scenario for {}",
            rule.id
        );
    }
    for (id, evidence, others) in table {
        let mut all = evidence.clone();
        all.extend(others.clone());
        let j = journal(all);
        let refs: Vec<&Entry> = evidence.iter().collect();
        assert_eq!(
            evidence_of(&j, id),
            ids(&refs),
            "{id}: evidence is exactly the entries that made it fire"
        );
        // Deleted evidence never counts.
        let mut deleted = evidence.clone();
        for e in &mut deleted {
            e.deleted = true;
        }
        deleted.extend(others.clone());
        assert!(
            find(&journal(deleted), id).is_none(),
            "{id}: fired on deleted entries"
        );
        // Evidence moved after `now` never counts (events are in the future already).
        if id != "pre-event" {
            let mut future = evidence.clone();
            for e in &mut future {
                e.occurred_at = ago(-Duration::hours(1));
            }
            future.extend(others);
            assert!(
                find(&journal(future), id).is_none(),
                "{id}: fired on future entries"
            );
        }
    }
}

#[test]
fn chronic_maintenance_and_worsening_trend_ignore_deleted_episodes() {
    let weeks: Vec<Entry> = (0..6)
        .map(|k| episode(ago(Duration::days(7 * k + 1)), BodySite::Neck, 3))
        .collect();
    let j = journal(weeks.clone());
    let refs: Vec<&Entry> = weeks.iter().collect();
    assert_eq!(evidence_of(&j, "chronic-maintenance"), ids(&refs));
    let mut one_deleted = weeks.clone();
    one_deleted[5].deleted = true;
    assert!(
        !fires(one_deleted, "chronic-maintenance"),
        "five live weeks are not enough"
    );
    let earlier: Vec<Entry> = (0..3)
        .map(|i| episode(ago(Duration::days(30 + i * 5)), BodySite::Neck, 3))
        .collect();
    let mut recent: Vec<Entry> = (0..6)
        .map(|i| episode(ago(Duration::days(i * 3 + 1)), BodySite::Neck, 3))
        .collect();
    let mut all = earlier.clone();
    all.extend(recent.clone());
    assert!(fires(all, "worsening-trend"));
    recent[0].deleted = true;
    let mut all = earlier;
    all.extend(recent);
    assert!(
        !fires(all, "worsening-trend"),
        "5 live recent episodes are not enough"
    );
}
