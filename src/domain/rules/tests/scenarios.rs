//! The evidence table: for every rule with entry evidence, a journal where it fires, with the
//! entries that should be its evidence listed apart from distractors.

use super::*;

type Scenario = (&'static str, Vec<Entry>, Vec<Entry>);

fn d(days: i64) -> DateTime<FixedOffset> {
    ago(Duration::days(days))
}

fn h(hours: i64) -> DateTime<FixedOffset> {
    ago(Duration::hours(hours))
}

fn flag(t: DateTime<FixedOffset>, f: RedFlag) -> Entry {
    ep_with(t, |e| e.red_flags = vec![f])
}

/// One row: `others` get the same unrelated entries in every row.
fn scenario(id: &'static str, evidence: Vec<Entry>, mut others: Vec<Entry>) -> Scenario {
    others.extend([water(d(40), 300), stretch(d(60))]);
    (id, evidence, others)
}

/// Warning-sign and medical-review rules.
fn medical() -> Vec<Scenario> {
    vec![
        scenario(
            "red-flag-chest",
            vec![episode(d(2), BodySite::Chest, 4)],
            vec![episode(d(8), BodySite::Chest, 4)],
        ),
        scenario(
            "red-flag-neuro",
            vec![
                flag(d(3), RedFlag::Numbness),
                flag(d(20), RedFlag::Weakness),
            ],
            vec![flag(d(31), RedFlag::Numbness)],
        ),
        scenario(
            "red-flag-local",
            vec![flag(d(5), RedFlag::SwellingRedness)],
            vec![flag(d(5), RedFlag::NotRelieved)],
        ),
        scenario(
            "red-flag-fluid-loss",
            vec![flag(d(13), RedFlag::AfterFluidLoss)],
            vec![flag(d(15), RedFlag::AfterFluidLoss)],
        ),
        scenario(
            "long-cramp",
            vec![ep_with(d(9), |e| e.duration_s = Some(700))],
            vec![ep_with(d(9), |e| e.duration_s = Some(500))],
        ),
        scenario(
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
        ),
        scenario(
            "persistent-after-massage",
            vec![
                massage(d(30), Technique::Swedish, &[BodySite::HipLeft]),
                episode(d(26), BodySite::HipRight, 4),
                episode(d(16), BodySite::HipLeft, 4),
                episode(d(2), BodySite::HipLeft, 4),
            ],
            vec![episode(d(20), BodySite::Neck, 4)],
        ),
        scenario(
            "self-care-not-helping",
            (0..3)
                .map(|i| episode(d(i * 4 + 1), BodySite::Neck, 3))
                .collect(),
            (0..10).map(|i| stretch(d(i))).collect(),
        ),
    ]
}

/// Caution, booking and self-care rules.
fn care() -> Vec<Scenario> {
    vec![
        scenario(
            "ill-postpone",
            vec![condition(d(1), ConditionStatus::Unwell, None)],
            vec![condition(d(9), ConditionStatus::Unwell, Some(d(5)))],
        ),
        scenario(
            "active-severe-spasm",
            vec![episode(h(3), BodySite::Neck, 9)],
            vec![
                episode(h(3), BodySite::Neck, 5),
                episode(h(30), BodySite::Neck, 9),
            ],
        ),
        scenario(
            "injury-or-wound",
            vec![condition(d(30), ConditionStatus::Injury, None)],
            vec![condition(d(30), ConditionStatus::Wound, Some(d(2)))],
        ),
        scenario(
            "acute-course",
            vec![
                episode(d(3), BodySite::Neck, 3),
                episode(d(1), BodySite::Neck, 3),
            ],
            vec![episode(d(80), BodySite::Neck, 3)],
        ),
        scenario(
            "maintenance-lapsed",
            vec![
                massage(d(60), Technique::Swedish, &[]),
                massage(d(40), Technique::Swedish, &[]),
                massage(d(20), Technique::Swedish, &[]),
                episode(d(3), BodySite::Neck, 3),
            ],
            vec![episode(d(25), BodySite::Neck, 3)],
        ),
        scenario(
            "pre-event",
            vec![event(ago(-Duration::days(5)))],
            vec![event(ago(-Duration::days(12)))],
        ),
        scenario(
            "hydration-low",
            vec![episode(h(1), BodySite::Neck, 3), water(h(2), 900)],
            vec![water(d(5), 3000)],
        ),
        scenario(
            "stretch-gap",
            vec![episode(d(5), BodySite::Neck, 3)],
            vec![stretch(d(4))],
        ),
        scenario(
            "heat-or-ice",
            vec![episode(h(20), BodySite::Neck, 3)],
            vec![episode(d(4), BodySite::Neck, 3)],
        ),
        scenario(
            "post-massage-soreness",
            vec![
                massage(h(40), Technique::TriggerPoint, &[]),
                episode(h(20), BodySite::Neck, 3),
            ],
            vec![massage(h(44), Technique::Swedish, &[])],
        ),
        scenario(
            "movement-breaks",
            vec![
                ep_with(d(2), |e| e.triggers = vec![Trigger::ProlongedPosition]),
                ep_with(d(9), |e| e.triggers = vec![Trigger::ProlongedPosition]),
            ],
            vec![ep_with(d(15), |e| {
                e.triggers = vec![Trigger::ProlongedPosition]
            })],
        ),
    ]
}

fn scenarios() -> Vec<Scenario> {
    [medical(), care()].concat()
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
