//! Dates between sites: each Osclass site writes its dates in its own time zone (the
//! `timezone` preference), so dates travel in UTC and each side converts with its zone's
//! rules. The rules come from PHP (`DateTimeZone::getTransitions`), which has the zone
//! database; the library only looks offsets up.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::record::{UserRecord, Value};
use crate::error::{Error, Result};

/// A zone as a list of (UTC second from which an offset holds, offset in seconds), sorted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeZone {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub transitions: Vec<(i64, i32)>,
}

impl TimeZone {
    /// Checks the rules PHP handed over: ascending, offsets within ±18 hours.
    pub fn check(&self) -> Result<()> {
        if self.transitions.windows(2).any(|w| w[0].0 > w[1].0) {
            return Err(Error::input(
                "timezone.transitions must be in ascending order",
            ));
        }
        if self.transitions.iter().any(|(_, o)| o.abs() > 18 * 3600) {
            return Err(Error::input(
                "timezone.transitions holds an offset beyond 18 hours",
            ));
        }
        Ok(())
    }

    /// The offset in force at a UTC second.
    pub fn offset_at(&self, utc: i64) -> i32 {
        match self.transitions.partition_point(|(at, _)| *at <= utc) {
            0 => self.transitions.first().map(|t| t.1).unwrap_or(0),
            n => self.transitions[n - 1].1,
        }
    }

    /// A local date of this site (`YYYY-MM-DD HH:MM:SS`) as UTC (`YYYY-MM-DDTHH:MM:SSZ`). A
    /// local time that happens twice (when clocks go back) is read as the first; one that never
    /// happens (when clocks go forward) as if the clocks had not moved yet.
    pub fn local_to_utc(&self, local: &str) -> Option<String> {
        let seconds = parse(local, ' ')?;
        let before = self.offset_at(seconds - 86_400) as i64;
        let after = self.offset_at(seconds + 86_400) as i64;
        let utc = [seconds - before, seconds - after]
            .into_iter()
            .filter(|u| self.offset_at(*u) as i64 == seconds - u)
            .min()
            .unwrap_or(seconds - before);
        Some(format(utc, 'T') + "Z")
    }

    /// A UTC date (`…Z` or with a `±HH:MM` offset) as a local date of this site.
    pub fn utc_to_local(&self, stamped: &str) -> Option<String> {
        let utc = parse_stamped(stamped)?;
        Some(format(utc + self.offset_at(utc) as i64, ' '))
    }
}

/// Turns a record's dates (columns `dt_…`) from this site's local time into UTC before it
/// travels. A date that is no date (Osclass' `0000-00-00 00:00:00`) travels as null.
pub fn dates_to_utc(record: &mut UserRecord, zone: &TimeZone) {
    for (name, value) in record.columns.iter_mut() {
        if name.starts_with("dt_") {
            if let Value::Text(local) = value {
                *value = zone
                    .local_to_utc(local)
                    .map(Value::Text)
                    .unwrap_or(Value::Null);
            }
        }
    }
}

/// Turns received dates into this site's local time, as Osclass stores them.
pub fn dates_to_local(values: &mut BTreeMap<String, Value>, zone: &TimeZone) {
    for (name, value) in values.iter_mut() {
        if name.starts_with("dt_") {
            if let Value::Text(stamped) = value {
                *value = zone
                    .utc_to_local(stamped)
                    .map(Value::Text)
                    .unwrap_or(Value::Null);
            }
        }
    }
}

/// Now, in this site's local time.
pub fn now_local(zone: &TimeZone) -> String {
    let now = crate::transport::signing::now() as i64;
    format(now + zone.offset_at(now) as i64, ' ')
}

/// Seconds since 1970 of `YYYY-MM-DD<sep>HH:MM:SS`, read as UTC.
fn parse(s: &str, separator: char) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != separator as u8
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let number = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))?
            .parse::<i64>()
            .ok()
    };
    let (y, m, d) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (h, i, sec) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) || h > 23 || i > 59 || sec > 59 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + h * 3600 + i * 60 + sec)
}

/// `YYYY-MM-DDTHH:MM:SSZ` or `…±HH:MM`, as seconds since 1970 UTC.
pub fn parse_stamped(s: &str) -> Option<i64> {
    let (base, zone) = s.split_at_checked(19)?;
    let local = parse(base, 'T')?;
    let offset = match zone {
        "Z" => 0,
        z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) && &z[3..4] == ":" => {
            let h: i64 = z[1..3].parse().ok()?;
            let m: i64 = z[4..6].parse().ok()?;
            if h > 18 || m > 59 {
                return None;
            }
            let sign = if z.starts_with('-') { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
        _ => return None,
    };
    Some(local - offset)
}

fn format(seconds: i64, separator: char) -> String {
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}{separator}{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a date of the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Madrid in 2024: CET (+1) until 31 March 01:00 UTC, CEST (+2) until 27 October 01:00 UTC.
    fn madrid() -> TimeZone {
        TimeZone {
            name: "Europe/Madrid".into(),
            transitions: vec![(0, 3600), (1_711_846_800, 7200), (1_729_990_800, 3600)],
        }
    }

    #[test]
    fn civil_days_round_trip() {
        for days in [-800_000, -1, 0, 1, 11_016, 19_783, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn local_dates_become_utc_and_back() {
        let z = madrid();
        assert_eq!(
            z.local_to_utc("2024-01-15 10:00:00").unwrap(),
            "2024-01-15T09:00:00Z"
        );
        assert_eq!(
            z.local_to_utc("2024-07-01 12:00:00").unwrap(),
            "2024-07-01T10:00:00Z"
        );
        assert_eq!(
            z.utc_to_local("2024-07-01T10:00:00Z").unwrap(),
            "2024-07-01 12:00:00"
        );
        assert_eq!(
            z.utc_to_local("2024-07-01T12:00:00+02:00").unwrap(),
            "2024-07-01 12:00:00"
        );
        assert_eq!(
            z.local_to_utc("2024-10-27 02:30:00").unwrap(),
            "2024-10-27T00:30:00Z",
            "the first of two"
        );
        let utc = TimeZone::default();
        assert_eq!(
            utc.local_to_utc("2024-02-29 23:59:59").unwrap(),
            "2024-02-29T23:59:59Z"
        );
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        let z = madrid();
        for bad in [
            "2024-13-01 00:00:00",
            "2023-02-29 10:00:00",
            "0000-00-00 00:00:00",
            "2024-01-01",
            "2024-01-01 25:00:00",
        ] {
            assert!(z.local_to_utc(bad).is_none(), "{bad}");
        }
        for bad in [
            "2024-01-01 10:00:00",
            "2024-01-01T10:00:00",
            "2024-01-01T10:00:00+1",
            "2024-01-01T10:00:00+25:00",
            "2024-01-01T10:00:00z",
        ] {
            assert!(parse_stamped(bad).is_none(), "{bad}");
        }
        assert!(TimeZone {
            name: String::new(),
            transitions: vec![(5, 0), (1, 0)]
        }
        .check()
        .is_err());
    }
}
