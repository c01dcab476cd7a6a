//! The seed 003 technique selector: from where, how it feels, how long, cause and pressure
//! preference to a technique with its reasons and aftercare. Active warnings are checked first.

use crate::choice;
use crate::domain::entry::{BodySite, Technique};
use crate::domain::fields::{Choice, FieldErrors, Fields, Reader};
use crate::domain::rules::{Evaluation, Kind, Suggestion};

choice!(
    /// How the problem feels.
    Feel {
        SharpKnot => ("sharp_knot", "A sharp knot in one spot"),
        Radiating => ("radiating", "Pain that spreads out"),
        DeepAche => ("deep_ache", "A deep ache"),
        StiffRestricted => ("stiff_restricted", "Stiff, hard to move"),
        GeneralTension => ("general_tension", "General tension"),
    }
);

choice!(
    /// How long it has been going on.
    Course {
        Acute => ("acute", "Two weeks or less"),
        Chronic => ("chronic", "Longer than two weeks"),
    }
);

choice!(
    /// What probably caused it.
    Cause {
        RepetitiveStrain => ("repetitive_strain", "Repeating the same movement"),
        Exercise => ("exercise", "Exercise or sport"),
        Posture => ("posture", "Posture, sitting a lot"),
        Stress => ("stress", "Stress"),
        Unknown => ("unknown", "Not sure"),
    }
);

pub use crate::domain::entry::Pressure;

/// The selector's inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question {
    pub body_site: BodySite,
    pub feel: Feel,
    pub duration: Course,
    pub cause: Cause,
    pub pressure: Pressure,
}

/// The selector's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Advice {
    /// `None` when an active warning replaces the recommendation.
    pub technique: Option<Technique>,
    /// The pressure to ask for, in words.
    pub pressure: Option<&'static str>,
    pub why: String,
    pub aftercare: Vec<String>,
    /// Rule ids of the active warnings checked first.
    pub blocked_by: Vec<&'static str>,
}

/// Parses the selector's inputs (JSON or a query form).
pub fn parse_question(src: &dyn Fields) -> Result<Question, FieldErrors> {
    let mut r = Reader::new(src);
    r.deny_unknown(&["body_site", "feel", "duration", "cause", "pressure"]);
    let body_site = r.required_choice::<BodySite>("body_site");
    let feel = r.required_choice::<Feel>("feel");
    let duration = r.required_choice::<Course>("duration");
    let cause = r.choice::<Cause>("cause").unwrap_or(Cause::Unknown);
    let pressure = r.required_choice::<Pressure>("pressure");
    match (body_site, feel, duration, pressure) {
        (Some(body_site), Some(feel), Some(duration), Some(pressure)) if r.errors.is_empty() => {
            Ok(Question {
                body_site,
                feel,
                duration,
                cause,
                pressure,
            })
        }
        _ => Err(r.errors),
    }
}

/// Recommends a technique; any active urgent, medical-review or caution suggestion in `active`
/// replaces the recommendation with the referral.
pub fn select(q: &Question, active: &Evaluation) -> Advice {
    let blockers: Vec<&Suggestion> = active
        .suggestions
        .iter()
        .filter(|s| matches!(s.kind, Kind::Urgent | Kind::MedicalReview | Kind::Caution))
        .collect();
    if !blockers.is_empty() {
        return referral(&blockers);
    }
    let (technique, pressure, why) = choose(q);
    Advice {
        technique: Some(technique),
        pressure: Some(pressure),
        why,
        aftercare: aftercare(q, technique),
        blocked_by: Vec::new(),
    }
}

/// The answer while a warning is active: no technique, see a doctor first.
fn referral(blockers: &[&Suggestion]) -> Advice {
    let titles: Vec<&str> = blockers.iter().map(|s| s.title.as_str()).collect();
    Advice {
        technique: None,
        pressure: None,
        why: format!(
            "Not a massage recommendation for now: {}. {}",
            titles.join("; "),
            blockers[0].message
        ),
        aftercare: vec![
            "Rest the area and keep movements gentle.".into(),
            "Drink regularly through the day.".into(),
            "Take your Unknot report of the last 90 days to your doctor.".into(),
        ],
        blocked_by: blockers.iter().map(|s| s.rule_id).collect(),
    }
}

/// The technique, the pressure in words and why (seed 003's selector).
fn choose(q: &Question) -> (Technique, &'static str, String) {
    let site = q.body_site.label().to_lowercase();
    if q.pressure == Pressure::Light {
        if q.feel == Feel::StiffRestricted {
            (
                Technique::Myofascial,
                "gentle, sustained",
                format!(
                    "Stiffness in your {site} responds to slow, sustained pressure on the fascia, and it can be done gently as you prefer."
                ),
            )
        } else {
            (
                Technique::Swedish,
                "light",
                format!(
                    "You prefer light pressure: long, gentle strokes relax the superficial muscles of your {site} and bring circulation."
                ),
            )
        }
    } else if matches!(q.feel, Feel::SharpKnot | Feel::Radiating) {
        let what = if q.feel == Feel::SharpKnot {
            "a sharp knot in one spot"
        } else {
            "pain that spreads out from one spot"
        };
        (
            Technique::TriggerPoint,
            "firm, focused (holds of 30 to 90 seconds)",
            format!(
                "With {what} in your {site}, focused pressure on the irritable point releases it and eases the pain it sends elsewhere."
            ),
        )
    } else if q.feel == Feel::StiffRestricted || q.cause == Cause::RepetitiveStrain {
        (
            Technique::Myofascial,
            "sustained, gentle to medium",
            format!(
                "Restricted movement from repetitive strain is often fascial: slow, sustained stretching of the tissue around your {site} frees it."
            ),
        )
    } else if q.feel == Feel::DeepAche
        && (q.duration == Course::Chronic || q.pressure == Pressure::Firm)
    {
        (
            Technique::DeepTissue,
            "medium to firm",
            format!(
                "A lasting deep ache in your {site} sits in the deeper layers; slow, firm strokes reach them."
            ),
        )
    } else {
        let reason = match (q.feel, q.cause, q.duration) {
            (_, Cause::Stress, _) => "Tension from stress",
            (Feel::GeneralTension, _, _) => "General tension",
            (_, _, Course::Acute) => "A recent, sensitive problem",
            _ => "This",
        };
        (
            Technique::Swedish,
            "light to medium",
            format!(
                "{reason} in your {site} responds well to flowing, light to medium strokes that calm the muscles and the nervous system."
            ),
        )
    }
}

/// What to do after the session.
fn aftercare(q: &Question, technique: Technique) -> Vec<String> {
    let mut aftercare = vec![
        "Drink at least 2 litres of water today.".to_string(),
        "Stretch the treated area gently for 5 minutes.".to_string(),
        "Warmth for 10 minutes (a warm shower or heating pad) eases any leftover tightness."
            .to_string(),
    ];
    if matches!(technique, Technique::DeepTissue | Technique::TriggerPoint) {
        aftercare.push(
            "Some soreness for a day or two is normal; tell your therapist if it lasts longer."
                .into(),
        );
    }
    if q.cause == Cause::Posture {
        aftercare.push("If you sit a lot, stand up and roll your shoulders every hour.".into());
    }
    aftercare
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rules::{Suggestion, Suppressed};

    fn q(feel: Feel, duration: Course, cause: Cause, pressure: Pressure) -> Question {
        Question {
            body_site: BodySite::UpperBack,
            feel,
            duration,
            cause,
            pressure,
        }
    }

    fn calm() -> Evaluation {
        Evaluation {
            suggestions: vec![],
            suppressed: vec![],
        }
    }

    #[test]
    fn each_row_of_the_seed_table_is_reachable() {
        let pick = |q: Question| select(&q, &calm()).technique.unwrap();
        assert_eq!(
            pick(q(
                Feel::GeneralTension,
                Course::Acute,
                Cause::Stress,
                Pressure::Medium
            )),
            Technique::Swedish
        );
        assert_eq!(
            pick(q(
                Feel::DeepAche,
                Course::Chronic,
                Cause::Exercise,
                Pressure::Firm
            )),
            Technique::DeepTissue
        );
        assert_eq!(
            pick(q(
                Feel::StiffRestricted,
                Course::Chronic,
                Cause::RepetitiveStrain,
                Pressure::Medium
            )),
            Technique::Myofascial
        );
        assert_eq!(
            pick(q(
                Feel::SharpKnot,
                Course::Acute,
                Cause::Unknown,
                Pressure::Medium
            )),
            Technique::TriggerPoint
        );
        assert_eq!(
            pick(q(
                Feel::Radiating,
                Course::Chronic,
                Cause::Posture,
                Pressure::Firm
            )),
            Technique::TriggerPoint
        );
        assert_eq!(
            pick(q(
                Feel::DeepAche,
                Course::Acute,
                Cause::Unknown,
                Pressure::Medium
            )),
            Technique::Swedish,
            "acute and not firm"
        );
    }

    #[test]
    fn light_pressure_preference_is_respected() {
        let a = select(
            &q(
                Feel::SharpKnot,
                Course::Chronic,
                Cause::Unknown,
                Pressure::Light,
            ),
            &calm(),
        );
        assert_eq!(a.technique, Some(Technique::Swedish));
        assert_eq!(a.pressure, Some("light"));
        let b = select(
            &q(
                Feel::StiffRestricted,
                Course::Chronic,
                Cause::Unknown,
                Pressure::Light,
            ),
            &calm(),
        );
        assert_eq!(b.technique, Some(Technique::Myofascial));
    }

    #[test]
    fn deep_work_adds_soreness_aftercare_and_posture_adds_breaks() {
        let a = select(
            &q(
                Feel::DeepAche,
                Course::Chronic,
                Cause::Posture,
                Pressure::Firm,
            ),
            &calm(),
        );
        assert!(a.aftercare.iter().any(|s| s.contains("soreness")));
        assert!(a.aftercare.iter().any(|s| s.contains("every hour")));
        assert!(a.why.contains("upper back"));
    }

    #[test]
    fn an_active_warning_replaces_the_recommendation_with_the_referral() {
        let active = Evaluation {
            suggestions: vec![Suggestion {
                rule_id: "red-flag-neuro",
                kind: Kind::MedicalReview,
                title: "See a doctor about numbness or weakness".into(),
                message: "Please see a doctor before more massage.".into(),
                because: String::new(),
                evidence: vec![],
                source: String::new(),
                suggested_window: None,
                newest: None,
            }],
            suppressed: vec![Suppressed {
                rule_id: "acute-course",
                because: String::new(),
                suggested_window: None,
            }],
        };
        let a = select(
            &q(
                Feel::DeepAche,
                Course::Chronic,
                Cause::Exercise,
                Pressure::Firm,
            ),
            &active,
        );
        assert_eq!(a.technique, None);
        assert_eq!(a.blocked_by, vec!["red-flag-neuro"]);
        assert!(a.why.contains("See a doctor about numbness"));
    }
}
