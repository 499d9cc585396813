//! Value types shared by every coefficient: a possibly-undefined statistic,
//! means that skip undefined values, and exact-ratio helpers.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

/// Human-readable reasons for undefined statistics (spec §6). They are shown
/// to users verbatim, so they say what happened in the data, not in the code.
pub mod reason {
    pub const FEWER_THAN_TWO_CODERS: &str = "fewer than two coders: agreement needs at least two";
    pub const NO_UNITS: &str = "there are no units to compare";
    pub const NO_TURNS: &str = "no document declares speaker turns, so there are no turn units";
    pub const COHEN_ONE_VALUE: &str =
        "both coders gave one and the same value to every unit: expected agreement is 1";
    pub const NO_DEFINED_PAIR: &str = "no coder pair has a defined kappa";
    pub const FLEISS_ONE_VALUE: &str = "only one value occurs: expected agreement is 1";
    pub const ALPHA_ONE_VALUE: &str = "only one value occurs: expected disagreement is 0";
    pub const TOO_FEW_VALUES: &str = "fewer than two pairable values";
    pub const UNEQUAL_RATERS: &str = "subjects were rated by different numbers of raters";
    pub const CODE_UNUSED: &str = "nobody used this code: expected disagreement is 0";
    pub const UNITIZING_NO_CHANCE: &str =
        "expected disagreement is 0: no unit could be placed differently than it is";
    pub const NO_CODE_USED: &str = "no code has any coded unit: expected disagreement is 0";
    pub const NO_TEXT: &str = "the documents contain no text";
    pub const NO_DEFINED_VALUE: &str = "no code has a defined value";
    pub const TOO_LARGE: &str = "the counts are too large for exact 128-bit arithmetic";
}

/// A statistic that is either a number or undefined with a reason (spec §6).
///
/// Undefined is never papered over with 1.0 or 0.0: a chance term of 0/0
/// means the data cannot tell agreement from chance, and the user must see why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stat {
    Value(f64),
    Undefined(&'static str),
}

impl Stat {
    pub fn value(self) -> Option<f64> {
        match self {
            Stat::Value(v) => Some(v),
            Stat::Undefined(_) => None,
        }
    }

    pub fn reason(self) -> Option<&'static str> {
        match self {
            Stat::Value(_) => None,
            Stat::Undefined(why) => Some(why),
        }
    }

    pub fn is_defined(self) -> bool {
        matches!(self, Stat::Value(_))
    }

    /// `num / den`, undefined with `reason` when `den == 0`, and undefined
    /// with [`reason::TOO_LARGE`] when the exact computation overflowed
    /// (`None`). Taking the parts as an `Option` lets callers write the
    /// integer formula with `checked_*` and `?`.
    pub(super) fn exact_ratio(parts: Option<(i128, i128)>, reason: &'static str) -> Stat {
        match parts {
            None => Stat::Undefined(reason::TOO_LARGE),
            Some((_, 0)) => Stat::Undefined(reason),
            Some((num, den)) => Stat::Value(ratio_to_f64(num, den)),
        }
    }
}

/// Serialises as `{"value": 0.73, "reason": null}` or
/// `{"value": null, "reason": "..."}` so the web layer can emit JSON `null`.
impl Serialize for Stat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Stat", 2)?;
        out.serialize_field("value", &self.value())?;
        out.serialize_field("reason", &self.reason())?;
        out.end()
    }
}

/// The arithmetic mean of the defined values among several statistics,
/// with the number of values that entered it (spec §4.1 mean Cohen, §2 macro).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mean {
    pub value: Stat,
    pub used: usize,
}

impl Mean {
    /// Skips undefined inputs; undefined with `reason` when none is defined.
    pub(super) fn of_defined(values: impl IntoIterator<Item = Stat>, reason: &'static str) -> Mean {
        let (sum, used) = values
            .into_iter()
            .filter_map(Stat::value)
            .fold((0.0, 0usize), |(sum, n), v| (sum + v, n + 1));
        let value = if used == 0 {
            Stat::Undefined(reason)
        } else {
            Stat::Value(sum / used as f64)
        };
        Mean { value, used }
    }
}

/// Converts an exact ratio to f64. Reducing by the gcd first keeps both
/// parts small, usually exactly representable, so the only rounding is the
/// final division: the result is then the correctly rounded value.
pub(super) fn ratio_to_f64(num: i128, den: i128) -> f64 {
    let g = gcd(num.unsigned_abs(), den.unsigned_abs()).max(1) as i128;
    (num / g) as f64 / (den / g) as f64
}

pub(super) fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Converts an unsigned count to `i128` for signed exact formulas; `None` if
/// it does not fit (only possible for counts beyond 2^127).
pub(super) fn signed(x: u128) -> Option<i128> {
    i128::try_from(x).ok()
}
