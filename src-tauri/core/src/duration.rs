//! Durations as people write them on a command line: `30s`, `15m`, `24h`, `7d`, `12w`.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Duration {
    secs: i64,
}

impl Duration {
    pub const fn from_secs(secs: i64) -> Self {
        Self { secs }
    }

    pub const fn days(days: i64) -> Self {
        Self { secs: days * 86_400 }
    }

    pub const fn as_secs(self) -> i64 {
        self.secs
    }
}

impl Duration {
    /// A duration typed in a form or flag that may be left empty: blank text is `None`.
    pub fn parse_optional(text: Option<&str>) -> Result<Option<Self>, Error> {
        text.map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::parse)
            .transpose()
    }
}

impl FromStr for Duration {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let bad = || Error::InvalidDuration {
            input: input.to_owned(),
        };
        let text = input.trim();
        let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (number, unit) = text.split_at(split);
        let n: i64 = number.parse().map_err(|_| bad())?;
        let unit_secs = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 604_800,
            _ => return Err(bad()),
        };
        let secs = n.checked_mul(unit_secs).filter(|s| *s > 0).ok_or_else(bad)?;
        Ok(Self { secs })
    }
}

impl fmt::Display for Duration {
    /// The largest unit that divides evenly, so `90d` prints as `90d`, not `7776000s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (unit, secs) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)] {
            if self.secs % secs == 0 {
                return write!(f, "{}{unit}", self.secs / secs);
            }
        }
        write!(f, "{}s", self.secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_every_unit() {
        for (text, secs) in [
            ("30s", 30),
            ("15m", 900),
            ("24h", 86_400),
            ("7d", 604_800),
            ("12w", 7_257_600),
        ] {
            assert_eq!(text.parse::<Duration>().expect(text).as_secs(), secs);
        }
    }

    #[test]
    fn refuses_junk_with_the_input_named() {
        for junk in ["", "d", "7", "7y", "-1d", "0d", "1.5h", "99999999999999999999w", "7 d"] {
            let err = junk.parse::<Duration>().expect_err(junk);
            assert!(err.to_string().contains(&format!("{junk:?}")), "{err}");
        }
    }

    proptest! {
        #[test]
        fn display_parses_back(secs in 1i64..10_000_000_000) {
            let d = Duration::from_secs(secs);
            prop_assert_eq!(d.to_string().parse::<Duration>().ok(), Some(d));
        }
    }
}
