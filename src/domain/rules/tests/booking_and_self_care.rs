//! Booking and self-care rules: each at its threshold and not one below.

use super::*;

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
    assert_eq!(s.evidence_ids(), vec![first.id]);
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
    assert_eq!(s.evidence_ids(), vec![race.id]);
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
    j.entries = vec![ep, stretch(berlin("2026-05-10T00:30:00+02:00"))].into();
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
