//! The one table of rule thresholds: defaults from RULES.md, and the bounds within which a client
//! (or their therapist) may override them. Red-flag thresholds are fixed: they cannot be loosened.

use crate::domain::fields::FieldErrors;

macro_rules! thresholds {
    ($(#[doc = $doc:literal] $name:ident = $default:expr, $min:expr, $max:expr, $over:expr;)+) => {
        /// Rule thresholds (whole numbers; ratios in percent).
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct Thresholds {
            $(#[doc = $doc] pub $name: i64,)+
        }

        impl Default for Thresholds {
            fn default() -> Self {
                Self { $($name: $default,)+ }
            }
        }

        /// One threshold: its name, default, allowed range and whether clients may change it.
        #[derive(Clone, Copy, Debug)]
        pub struct Spec {
            pub name: &'static str,
            pub default: i64,
            pub min: i64,
            pub max: i64,
            pub overridable: bool,
            /// What it means, for people.
            pub label: &'static str,
        }

        /// Every threshold, in catalogue order.
        pub const SPECS: &[Spec] = &[
            $(Spec { name: stringify!($name), default: $default, min: $min, max: $max, overridable: $over, label: $doc.trim_ascii() },)+
        ];

        /// A client's own thresholds: each `Some` replaces a default. Made only by
        /// [`ThresholdOverrides::parse`] (every value checked) or [`ThresholdOverrides::lenient`].
        #[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
        pub struct ThresholdOverrides {
            $(#[doc = $doc] #[serde(skip_serializing_if = "Option::is_none")] pub $name: Option<i64>,)+
        }

        impl ThresholdOverrides {
            fn slot(&mut self, name: &str) -> Option<&mut Option<i64>> {
                match name {
                    $(stringify!($name) => Some(&mut self.$name),)+
                    _ => None,
                }
            }
            /// The thresholds in force: defaults with these overrides applied.
            pub fn thresholds(&self) -> Thresholds {
                Thresholds { $($name: self.$name.unwrap_or($default),)+ }
            }
            /// The overridden values by name, in catalogue order.
            pub fn iter(&self) -> impl Iterator<Item = (&'static str, i64)> + '_ {
                [$((stringify!($name), self.$name),)+].into_iter().filter_map(|(n, v)| v.map(|v| (n, v)))
            }
        }

        impl Thresholds {
            /// The value of a threshold by name.
            pub fn get(&self, name: &str) -> Option<i64> {
                match name {
                    $(stringify!($name) => Some(self.$name),)+
                    _ => None,
                }
            }
        }
    };
}

thresholds! {
    /// red-flag-chest looks back this many days.
    red_flag_chest_days = 7, 7, 7, false;
    /// red-flag-neuro and red-flag-local look back this many days.
    red_flag_days = 30, 30, 30, false;
    /// red-flag-fluid-loss looks back this many days.
    red_flag_fluid_days = 14, 14, 14, false;
    /// long-cramp: an episode longer than this many seconds.
    long_cramp_seconds = 600, 600, 600, false;
    /// Suggest seeing a doctor after this many spasms within 7 days.
    frequent_cluster_count = 4, 3, 4, true;
    /// …or after this many spasms within 30 days.
    frequent_month_count = 8, 5, 8, true;
    /// worsening-trend: at least this many episodes in the earlier 28 days.
    worsening_min_earlier = 3, 3, 3, false;
    /// Call spasms worsening when the last 4 weeks had at least this percentage of the 4 weeks before.
    worsening_ratio_pct = 150, 120, 150, true;
    /// …and at least this many spasms in the last 4 weeks.
    worsening_min_recent = 6, 4, 6, true;
    /// …or their mean intensity rose by at least this many points.
    worsening_intensity_rise = 2, 1, 2, true;
    /// persistent-after-massage: episodes on at least this many dates.
    persistent_min_dates = 3, 3, 3, false;
    /// Ask about spasms that keep coming after a massage once they span this many days.
    persistent_span_dates = 21, 14, 21, true;
    /// Say self-care is not helping after this many spasms in 14 days…
    not_helping_min_episodes = 3, 2, 5, true;
    /// …with self-care on at least this many of those 14 days.
    not_helping_min_dates = 10, 7, 14, true;
    /// Your daily water target, in ml.
    hydration_target_ml = 2000, 1500, 4000, true;
    /// Hold massage back for this many days after an illness starts.
    ill_recent_days = 3, 1, 7, true;
    /// Call a spasm severe from this intensity (0 to 10).
    severe_intensity = 8, 6, 10, true;
    /// Warn about a severe spasm for this many hours.
    severe_hours = 24, 12, 72, true;
    /// Treat spasms as new after this many days without any.
    acute_quiet_days = 60, 30, 120, true;
    /// Suggest regular massage when spasms came in at least this many of the last 8 weeks…
    chronic_min_blocks = 6, 4, 8, true;
    /// …and the last massage was at least this many days ago.
    chronic_session_gap_days = 7, 5, 28, true;
    /// Notice a lapsed massage routine after this many sessions within 60 days…
    lapsed_min_sessions = 3, 2, 6, true;
    /// …and this many days since the last session.
    lapsed_after_days = 14, 7, 42, true;
    /// Remind me to stretch after this many days without stretching.
    stretch_gap_dates = 3, 2, 7, true;
    /// Suggest heat when spasms came in at least this many of the last 8 weeks.
    heat_min_blocks = 3, 2, 8, true;
    /// Suggest movement breaks after this many spasms from sitting or standing a long time in 14 days.
    movement_min_episodes = 2, 1, 5, true;
}

impl ThresholdOverrides {
    /// Checks overrides given as (name, whole number or `None` when the value was not one).
    /// Unknown names, fixed thresholds and values out of range are errors keyed
    /// `thresholds.<name>`.
    pub fn parse<'a>(
        items: impl IntoIterator<Item = (&'a str, Option<i64>)>,
    ) -> Result<Self, FieldErrors> {
        let mut t = Self::default();
        let mut errors = FieldErrors::default();
        for (name, value) in items {
            let key = format!("thresholds.{name}");
            let Some(spec) = SPECS.iter().find(|s| s.name == name) else {
                errors.add(&key, "is not a known threshold");
                continue;
            };
            if !spec.overridable {
                errors.add(&key, "is fixed: warning-sign rules cannot be changed");
                continue;
            }
            match value.filter(|v| (spec.min..=spec.max).contains(v)) {
                Some(v) => {
                    if let Some(slot) = t.slot(name) {
                        *slot = Some(v);
                    }
                }
                None => errors.add(
                    &key,
                    format!("must be a whole number from {} to {}", spec.min, spec.max),
                ),
            }
        }
        if errors.is_empty() {
            Ok(t)
        } else {
            Err(errors)
        }
    }

    /// Stored overrides, dropping any that no longer validate (a bound may have tightened).
    pub fn lenient<'a>(items: impl IntoIterator<Item = (&'a str, Option<i64>)>) -> Self {
        let mut t = Self::default();
        for (name, value) in items {
            if let (Some(spec), Some(v)) = (SPECS.iter().find(|s| s.name == name), value)
                && spec.overridable
                && (spec.min..=spec.max).contains(&v)
                && let Some(slot) = t.slot(name)
            {
                *slot = Some(v);
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_stay_within_safe_bounds_and_red_flags_are_fixed() {
        let ok = [
            ("hydration_target_ml", Some(2500)),
            ("stretch_gap_dates", Some(5)),
        ];
        let o = ThresholdOverrides::parse(ok).unwrap();
        assert_eq!(
            o.iter().collect::<Vec<_>>(),
            vec![("hydration_target_ml", 2500), ("stretch_gap_dates", 5)]
        );
        let t = o.thresholds();
        assert_eq!(t.hydration_target_ml, 2500);
        assert_eq!(t.stretch_gap_dates, 5);
        assert_eq!(t.severe_intensity, 8);
        let bad = [
            ("hydration_target_ml", Some(100)),
            ("long_cramp_seconds", Some(900)),
            ("moon", Some(1)),
            ("severe_intensity", None),
        ];
        let e = ThresholdOverrides::parse(bad).unwrap_err();
        assert_eq!(
            e.get("thresholds.hydration_target_ml"),
            Some("must be a whole number from 1500 to 4000")
        );
        assert!(
            e.get("thresholds.long_cramp_seconds")
                .unwrap()
                .contains("fixed")
        );
        assert!(e.get("thresholds.moon").is_some());
        assert!(e.get("thresholds.severe_intensity").is_some());
    }

    #[test]
    fn stored_overrides_out_of_bounds_are_dropped_not_applied() {
        let o = ThresholdOverrides::lenient([
            ("hydration_target_ml", Some(2500)),
            ("severe_intensity", Some(99)),
            ("long_cramp_seconds", Some(600)),
            ("moon", Some(1)),
        ]);
        assert_eq!(
            o.iter().collect::<Vec<_>>(),
            vec![("hydration_target_ml", 2500)]
        );
        assert_eq!(o.thresholds().severe_intensity, 8);
    }

    #[test]
    fn every_default_lies_within_its_bounds() {
        for s in SPECS {
            assert!((s.min..=s.max).contains(&s.default), "{}", s.name);
            assert_eq!(Thresholds::default().get(s.name), Some(s.default));
        }
    }
}
