//! Local times: every entry keeps its local time together with the UTC offset it was logged with.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// Where a local wall-clock time typed into a form is placed on the timeline.
#[derive(Clone, Copy, Debug)]
pub enum LocalZone {
    /// The profile's IANA time zone.
    Named(Tz),
    /// A fixed offset (from the browser, or UTC when nothing is known).
    Fixed(FixedOffset),
}

impl LocalZone {
    /// The zone from a profile time zone name, else the given offset in minutes, else UTC.
    pub fn pick(timezone: Option<&str>, offset_min: Option<i32>) -> Self {
        if let Some(tz) = timezone.and_then(|t| t.parse::<Tz>().ok()) {
            return LocalZone::Named(tz);
        }
        let fixed = offset_min
            .and_then(|m| FixedOffset::east_opt(m * 60))
            .unwrap_or_else(|| Utc.fix());
        LocalZone::Fixed(fixed)
    }

    /// `instant` as local time in this zone.
    pub fn at(&self, instant: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self {
            LocalZone::Named(tz) => instant.with_timezone(tz).fixed_offset(),
            LocalZone::Fixed(off) => instant.with_timezone(off),
        }
    }

    /// A wall-clock time in this zone. In a DST overlap the earlier instant is taken;
    /// a time skipped by a DST jump is an error.
    pub fn resolve(&self, local: NaiveDateTime) -> Result<DateTime<FixedOffset>, String> {
        let result = match self {
            LocalZone::Named(tz) => match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => Some(t.fixed_offset()),
                LocalResult::Ambiguous(a, _) => Some(a.fixed_offset()),
                LocalResult::None => None,
            },
            LocalZone::Fixed(off) => off.from_local_datetime(&local).single(),
        };
        result.ok_or_else(|| "that local time does not exist (clocks changed)".to_string())
    }
}

/// Whether `name` is a known IANA time zone.
pub fn is_known_timezone(name: &str) -> bool {
    name.parse::<Tz>().is_ok()
}

/// All IANA time zone names, sorted, for a picker.
pub fn timezone_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()).collect();
    names.sort_unstable();
    names
}

/// An RFC 3339 timestamp keeping its offset, with `Z` for UTC.
pub fn rfc3339(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn named_zone_resolves_local_time_with_its_dst_offset() {
        let zone = LocalZone::pick(Some("Europe/Berlin"), Some(0));
        let summer = NaiveDate::from_ymd_opt(2026, 7, 1)
            .unwrap()
            .and_hms_opt(23, 30, 0)
            .unwrap();
        let t = zone.resolve(summer).unwrap();
        assert_eq!(rfc3339(&t), "2026-07-01T23:30:00+02:00");
        let winter = NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        assert_eq!(
            rfc3339(&zone.resolve(winter).unwrap()),
            "2026-01-01T08:00:00+01:00"
        );
    }

    #[test]
    fn skipped_local_time_is_refused_and_fixed_offset_falls_back_to_utc() {
        let zone = LocalZone::pick(Some("Europe/Berlin"), None);
        let gap = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert!(zone.resolve(gap).is_err());
        let utc = LocalZone::pick(Some("Not/AZone"), None);
        assert_eq!(rfc3339(&utc.resolve(gap).unwrap()), "2026-03-29T02:30:00Z");
        let browser = LocalZone::pick(None, Some(-300));
        assert_eq!(
            rfc3339(&browser.resolve(gap).unwrap()),
            "2026-03-29T02:30:00-05:00"
        );
    }
}
