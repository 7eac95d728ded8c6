//! Rotation policies and deadlines (DESIGN.md, Rotation).
//!
//! A secret's policy says when it falls due: its kind's default interval, an interval of its
//! own, at the first deployment after its last rotation, or never (manual). A project or one of
//! its environments may impose a stricter interval (prod stricter than dev). Whether something
//! is due is a pure function of those dates and `now`, so tests move time instead of waiting.

pub mod calendar;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::duration::Duration;
use crate::error::Error;
use crate::kind::SecretKind;

/// How far ahead "due soon" looks unless asked otherwise.
pub const WARNING_WINDOW: Duration = Duration::days(14);

/// How long the old value stays readable after a promotion unless asked otherwise.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(24 * 3600);

/// An overlap as typed: a duration, `0` to retire the old value at once (an exposed key), or
/// nothing for the default. One rule for every shell.
pub fn parse_overlap(text: Option<&str>) -> Result<Duration, Error> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(DEFAULT_OVERLAP),
        Some("0" | "0s" | "0m" | "0h" | "0d" | "0w") => Ok(Duration::from_secs(0)),
        Some(other) => other.parse(),
    }
}

/// The source of time. Production code uses [`SystemClock`]; tests pass a fixed instant.
pub trait Clock: Send + Sync {
    /// Unix seconds.
    fn now(&self) -> i64;
}

/// Wall-clock time (with the debug-only test offset of [`crate::clock`]).
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        crate::clock::now()
    }
}

/// A clock that says what it is told, for tests.
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0
    }
}

/// A secret's rotation policy, as stored and as typed (`90d`, `default`, `on-deploy`, `manual`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotationPolicy {
    /// The kind's default interval, tightened by any project/environment override.
    Default,
    Every(Duration),
    OnDeploy,
    Manual,
}

impl RotationPolicy {
    /// The `policy` column's value.
    pub fn as_column(self) -> &'static str {
        match self {
            RotationPolicy::Default => "default",
            RotationPolicy::Every(_) => "every",
            RotationPolicy::OnDeploy => "on-deploy",
            RotationPolicy::Manual => "manual",
        }
    }

    /// The `rotate_every_secs` column's value.
    pub fn every_secs(self) -> Option<i64> {
        match self {
            RotationPolicy::Every(d) => Some(d.as_secs()),
            _ => None,
        }
    }

    /// Back from the two columns; anything unexpected reads as the default policy.
    pub fn from_columns(policy: &str, every_secs: Option<i64>) -> Self {
        match (policy, every_secs) {
            ("every", Some(secs)) if secs > 0 => RotationPolicy::Every(Duration::from_secs(secs)),
            ("on-deploy", _) => RotationPolicy::OnDeploy,
            ("manual", _) => RotationPolicy::Manual,
            _ => RotationPolicy::Default,
        }
    }

    /// The interval that applies to a secret of `kind` under this policy, given the strictest
    /// override of its project/environment (`cap_secs`). `None`: no interval deadline.
    pub fn effective_interval(self, kind: SecretKind, cap_secs: Option<i64>) -> Option<i64> {
        let own = match self {
            RotationPolicy::Default => kind.default_rotation().map(Duration::as_secs),
            RotationPolicy::Every(d) => Some(d.as_secs()),
            RotationPolicy::OnDeploy | RotationPolicy::Manual => return None,
        };
        match (own, cap_secs) {
            (Some(own), Some(cap)) => Some(own.min(cap)),
            (own, cap) => own.or(cap),
        }
    }
}

impl FromStr for RotationPolicy {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        match input.trim().to_ascii_lowercase().as_str() {
            "default" => Ok(RotationPolicy::Default),
            "manual" | "never" => Ok(RotationPolicy::Manual),
            "on-deploy" | "deploy" => Ok(RotationPolicy::OnDeploy),
            text => text
                .parse::<Duration>()
                .map(RotationPolicy::Every)
                .map_err(|_| Error::InvalidRotation {
                    input: input.to_owned(),
                }),
        }
    }
}

impl fmt::Display for RotationPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RotationPolicy::Every(d) => write!(f, "every {d}"),
            other => f.write_str(other.as_column()),
        }
    }
}

/// Where a secret stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum RotationStatus {
    /// Someone who read it lost access: rotate at the provider, whatever the date says.
    Exposed,
    Overdue,
    DueSoon,
    Fresh,
    /// No deadline (manual, or on-deploy with no deployment since the last rotation).
    NoDeadline,
}

impl RotationStatus {
    pub fn label(self) -> &'static str {
        match self {
            RotationStatus::Exposed => "exposed",
            RotationStatus::Overdue => "overdue",
            RotationStatus::DueSoon => "due soon",
            RotationStatus::Fresh => "fresh",
            RotationStatus::NoDeadline => "no deadline",
        }
    }

    /// Whether `keyshelf due` lists it.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            RotationStatus::Exposed | RotationStatus::Overdue | RotationStatus::DueSoon
        )
    }
}

/// The status at `now`: exposed beats any date; a deadline within `window` is due soon; a deadline
/// at or before `now` is overdue.
pub fn status(due_at: Option<i64>, exposed: bool, now: i64, window: Duration) -> RotationStatus {
    if exposed {
        return RotationStatus::Exposed;
    }
    match due_at {
        None => RotationStatus::NoDeadline,
        Some(due) if due <= now => RotationStatus::Overdue,
        Some(due) if due <= now.saturating_add(window.as_secs()) => RotationStatus::DueSoon,
        Some(_) => RotationStatus::Fresh,
    }
}

/// The deadline of a secret: `last_rotated_at` plus the interval, or, for on-deploy secrets, the
/// first deployment after the last rotation.
pub fn due_at(interval_secs: Option<i64>, last_rotated_at: i64, first_deploy_since: Option<i64>) -> Option<i64> {
    match interval_secs {
        Some(every) => Some(last_rotated_at.saturating_add(every)),
        None => first_deploy_since,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overlap_is_a_duration_zero_or_the_default() {
        assert_eq!(parse_overlap(None).expect("default"), DEFAULT_OVERLAP);
        assert_eq!(parse_overlap(Some(" ")).expect("default"), DEFAULT_OVERLAP);
        assert_eq!(parse_overlap(Some("0")).expect("zero").as_secs(), 0);
        assert_eq!(parse_overlap(Some("0h")).expect("zero").as_secs(), 0);
        assert_eq!(parse_overlap(Some("2h")).expect("2h").as_secs(), 7200);
        assert!(parse_overlap(Some("soon")).is_err());
    }

    const DAY: i64 = 86_400;

    #[test]
    fn a_90_day_key_is_due_soon_at_day_76_and_overdue_at_day_91() {
        let clock_at = |day: i64| FixedClock(day * DAY);
        let interval = RotationPolicy::Default.effective_interval(SecretKind::Openai, None);
        assert_eq!(interval, Some(90 * DAY));
        let due = due_at(interval, 0, None);
        let at = |day| status(due, false, clock_at(day).now(), WARNING_WINDOW);
        assert_eq!(at(75), RotationStatus::Fresh);
        assert_eq!(at(76), RotationStatus::DueSoon);
        assert_eq!(at(89), RotationStatus::DueSoon);
        assert_eq!(at(90), RotationStatus::Overdue);
        assert_eq!(at(91), RotationStatus::Overdue);
        assert_eq!(status(due, true, 0, WARNING_WINDOW), RotationStatus::Exposed);
    }

    #[test]
    fn overrides_only_tighten() {
        let prod_cap = Some(30 * DAY);
        assert_eq!(
            RotationPolicy::Default.effective_interval(SecretKind::Openai, prod_cap),
            Some(30 * DAY)
        );
        assert_eq!(
            RotationPolicy::Every(Duration::days(7)).effective_interval(SecretKind::Openai, prod_cap),
            Some(7 * DAY)
        );
        // A generic secret has no default, so the environment's interval applies.
        assert_eq!(
            RotationPolicy::Default.effective_interval(SecretKind::Generic, prod_cap),
            Some(30 * DAY)
        );
        assert_eq!(
            RotationPolicy::Manual.effective_interval(SecretKind::Openai, prod_cap),
            None
        );
        assert_eq!(
            RotationPolicy::OnDeploy.effective_interval(SecretKind::DatabaseUrl, prod_cap),
            None
        );
    }

    #[test]
    fn on_deploy_is_due_at_the_first_deployment_after_the_last_rotation() {
        assert_eq!(due_at(None, 100, None), None);
        assert_eq!(due_at(None, 100, Some(150)), Some(150));
        assert_eq!(
            status(due_at(None, 100, Some(150)), false, 151, WARNING_WINDOW),
            RotationStatus::Overdue
        );
    }

    #[test]
    fn policies_parse_and_round_trip_through_columns() {
        for text in ["default", "manual", "on-deploy", "30d"] {
            let policy: RotationPolicy = text.parse().expect("policy");
            assert_eq!(
                RotationPolicy::from_columns(policy.as_column(), policy.every_secs()),
                policy
            );
        }
        assert_eq!(
            "never".parse::<RotationPolicy>().expect("alias"),
            RotationPolicy::Manual
        );
        let err = "sometimes".parse::<RotationPolicy>().expect_err("bad");
        assert!(err.to_string().contains("sometimes"), "{err}");
    }
}
