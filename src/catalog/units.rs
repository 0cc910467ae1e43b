//! Parameter counts (`7B`, `1.5B`, `560M`) and context lengths (`8K`, `128K`, `1M`):
//! parsing operator input and displaying values the way catalog users read them.
//!
//! Parameter counts use decimal units (K = 10³, M = 10⁶, B = 10⁹, T = 10¹²). Context lengths use
//! binary units (K = 1024, M = 1024²), because that is how context windows are sized:
//! `128K` is 131072 tokens. A context that is not a multiple of 1024 (such as 128000) is shown
//! with decimal `K`, as model cards do.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::CatalogError;

/// The number of parameters of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ParameterCount(u64);

/// The largest accepted parameter count (1 quadrillion): far above any model, far below overflow.
const MAX_PARAMETERS: u64 = 1_000_000_000_000_000;
/// The largest accepted context length: 1 billion tokens.
const MAX_CONTEXT: u64 = 1 << 30;

impl ParameterCount {
    pub fn new(value: u64) -> Option<Self> {
        (1..=MAX_PARAMETERS).contains(&value).then_some(Self(value))
    }

    /// Parses `7B`, `1.5b`, `560M`, `1.2T`, `7000000000` or `7_000_000_000`.
    pub fn parse(input: &str) -> Result<Self, CatalogError> {
        let invalid = || CatalogError::InvalidParameterCount {
            input: input.to_owned(),
        };
        let value = parse_scaled(input, |suffix| match suffix {
            "" => Some(1),
            "k" => Some(1_000),
            "m" => Some(1_000_000),
            "b" => Some(1_000_000_000),
            "t" => Some(1_000_000_000_000),
            _ => None,
        })
        .ok_or_else(invalid)?;
        Self::new(value).ok_or_else(invalid)
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ParameterCount {
    /// Shows the largest decimal unit with at most two decimals, trailing zeros trimmed:
    /// `7B`, `1.5B`, `560M`, `7.24B`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, &str); 4] = [
            (1_000_000_000_000, "T"),
            (1_000_000_000, "B"),
            (1_000_000, "M"),
            (1_000, "K"),
        ];
        // The largest unit the value reaches; if rounding carries it to 1000 of that unit, the
        // next unit up (999_995 shows as `1M`, not `1000K`; 995_000_000 stays `995M`).
        for (i, (scale, unit)) in UNITS.iter().enumerate() {
            if self.0 >= *scale {
                let carries = rounded_hundredths(self.0, *scale) >= 100_000 && i > 0;
                let (scale, unit) = if carries {
                    UNITS[i - 1]
                } else {
                    (*scale, *unit)
                };
                return f.write_str(&format_decimal(self.0, scale, unit));
            }
        }
        write!(f, "{}", self.0)
    }
}

/// The context window of a model, in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContextLength(u64);

impl ContextLength {
    pub fn new(value: u64) -> Option<Self> {
        (1..=MAX_CONTEXT).contains(&value).then_some(Self(value))
    }

    /// Parses `128K` (131072), `1M` (1048576), `32768`, `8k`.
    pub fn parse(input: &str) -> Result<Self, CatalogError> {
        let invalid = || CatalogError::InvalidContextLength {
            input: input.to_owned(),
        };
        let value = parse_scaled(input, |suffix| match suffix {
            "" => Some(1),
            "k" => Some(1 << 10),
            "m" => Some(1 << 20),
            _ => None,
        })
        .ok_or_else(invalid)?;
        Self::new(value).ok_or_else(invalid)
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ContextLength {
    /// `131072` → `128K`, `1048576` → `1M`, `128000` → `128K`, `514` → `514`. A round decimal
    /// number (128000, which is also 125 × 1024) is shown in decimal units, as its author meant.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        if n.is_multiple_of(1000) && n >= 1000 {
            let unit = if rounded_hundredths(n, 1_000_000) >= 100 {
                (1_000_000, "M")
            } else {
                (1_000, "K")
            };
            f.write_str(&format_decimal(n, unit.0, unit.1))
        } else if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
            write!(f, "{}M", n >> 20)
        } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
            write!(f, "{}K", n >> 10)
        } else if rounded_hundredths(n, 1_000_000) >= 100 {
            f.write_str(&format_decimal(n, 1_000_000, "M"))
        } else if n >= 10_000 {
            f.write_str(&format_decimal(n, 1_000, "K"))
        } else {
            write!(f, "{n}")
        }
    }
}

fn rounded_hundredths(value: u64, scale: u64) -> u128 {
    (u128::from(value) * 100 + u128::from(scale) / 2) / u128::from(scale)
}

/// Formats `value / scale` with at most two decimals (rounded half up), zeros trimmed.
fn format_decimal(value: u64, scale: u64, unit: &str) -> String {
    let hundredths = rounded_hundredths(value, scale);
    let whole = hundredths / 100;
    let frac = hundredths % 100;
    match frac {
        0 => format!("{whole}{unit}"),
        f if f % 10 == 0 => format!("{whole}.{}{unit}", f / 10),
        f => format!("{whole}.{f:02}{unit}"),
    }
}

/// Parses `<digits>[.<digits>]<suffix>` exactly (no floats), where `scale_of` maps the
/// lower-cased suffix to its multiplier. Fractions must come out whole: `1.5B` is fine,
/// `1.5` alone is not. Underscores between digits are allowed, as in `7_000_000_000`.
fn parse_scaled(input: &str, scale_of: impl Fn(&str) -> Option<u64>) -> Option<u64> {
    let trimmed = input.trim();
    if trimmed.is_empty() || trimmed.len() > 32 {
        return None;
    }
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(trimmed.len());
    let (number, suffix) = trimmed.split_at(split);
    let scale = u128::from(scale_of(&suffix.trim().to_ascii_lowercase())?);
    let number = number.replace('_', "");
    let (whole, frac) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number.as_str(), ""),
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    if frac.len() > 12 {
        return None;
    }
    let whole: u128 = whole.parse().ok()?;
    let frac_value: u128 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let denominator = 10u128.pow(frac.len() as u32);
    let total = whole
        .checked_mul(scale)?
        .checked_add(frac_value.checked_mul(scale)? / denominator)?;
    if !(frac_value * scale).is_multiple_of(denominator) {
        return None;
    }
    u64::try_from(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parameter_counts_parse_the_usual_spellings() {
        let cases = [
            ("7B", 7_000_000_000),
            ("7b", 7_000_000_000),
            ("1.5b", 1_500_000_000),
            ("560M", 560_000_000),
            ("7000000000", 7_000_000_000),
            ("7_000_000_000", 7_000_000_000),
            (" 70B ", 70_000_000_000),
            ("1.2T", 1_200_000_000_000),
            ("0.5B", 500_000_000),
            ("125k", 125_000),
        ];
        for (input, expected) in cases {
            assert_eq!(
                ParameterCount::parse(input).map(ParameterCount::get),
                Ok(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn parameter_counts_reject_nonsense() {
        for input in [
            "",
            "B",
            "7Q",
            "-7B",
            "1e9",
            "NaN",
            "1.5",
            "7.B5",
            "18446744073709551616",
            "0",
            "1..5B",
            "7 B B",
            "1.0000000000001B",
        ] {
            assert!(
                ParameterCount::parse(input).is_err(),
                "{input:?} should be rejected"
            );
        }
    }

    #[test]
    fn parameter_counts_display_like_catalog_cards() {
        let cases = [
            (7_000_000_000, "7B"),
            (1_500_000_000, "1.5B"),
            (560_000_000, "560M"),
            (7_241_732_096, "7.24B"),
            (70_553_706_496, "70.55B"),
            (2_400_000_000_000, "2.4T"),
            (950, "950"),
        ];
        for (value, shown) in cases {
            assert_eq!(ParameterCount::new(value).unwrap().to_string(), shown);
        }
    }

    #[test]
    fn context_lengths_use_binary_units() {
        assert_eq!(ContextLength::parse("128K").unwrap().get(), 131_072);
        assert_eq!(ContextLength::parse("1M").unwrap().get(), 1_048_576);
        assert_eq!(ContextLength::parse("32768").unwrap().get(), 32_768);
        assert_eq!(ContextLength::new(131_072).unwrap().to_string(), "128K");
        assert_eq!(ContextLength::new(8_192).unwrap().to_string(), "8K");
        assert_eq!(ContextLength::new(1_048_576).unwrap().to_string(), "1M");
        assert_eq!(ContextLength::new(128_000).unwrap().to_string(), "128K");
        assert_eq!(ContextLength::new(1_010_000).unwrap().to_string(), "1.01M");
        assert_eq!(ContextLength::new(514).unwrap().to_string(), "514");
        for bad in ["", "128Q", "-1", "0", "2G", "1.5"] {
            assert!(
                ContextLength::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    proptest! {
        #[test]
        fn parameter_counts_with_two_significant_decimals_round_trip(
            hundredths in 1u64..100_000, unit in 0usize..3
        ) {
            let scale = [1_000_000u64, 1_000_000_000, 1_000_000_000_000][unit];
            let value = hundredths * scale / 100;
            let count = ParameterCount::new(value).unwrap();
            prop_assert_eq!(ParameterCount::parse(&count.to_string()).unwrap(), count);
        }

        #[test]
        fn displayed_parameter_counts_always_parse_back(value in 1u64..MAX_PARAMETERS) {
            let shown = ParameterCount::new(value).unwrap().to_string();
            let parsed = ParameterCount::parse(&shown).unwrap();
            prop_assert_eq!(parsed.to_string(), shown);
        }

        #[test]
        fn binary_context_lengths_round_trip(kib in 1u64..(1 << 20)) {
            // Multiples of 125 KiB are also round decimal numbers and display as such.
            prop_assume!(kib % 125 != 0);
            let context = ContextLength::new(kib * 1024).unwrap();
            prop_assert_eq!(ContextLength::parse(&context.to_string()).unwrap(), context);
        }

        #[test]
        fn integer_input_parses_to_itself(value in 1u64..MAX_PARAMETERS) {
            prop_assert_eq!(ParameterCount::parse(&value.to_string()).unwrap().get(), value);
        }

        #[test]
        fn arbitrary_strings_never_panic(input in ".{0,40}") {
            let _ = ParameterCount::parse(&input);
            let _ = ContextLength::parse(&input);
        }
    }
}
