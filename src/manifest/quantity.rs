//! Kubernetes resource quantities ("250m", "1.5", "1Gi", "1e3", "1k"), parsed exactly as
//! apimachinery's `resource.ParseQuantity` grammar reads them. Owns only parsing and exact
//! scaling to integers; choosing units (millicores, bytes) and rounding direction is `ir/`'s call.
//!
//! Why not the kube_quantity crate: its integer conversions truncate or refuse sub-unit
//! scales ("250m" cannot be turned into 250 millicores without going through f64), see
//! docs/adr/0001-dependencies.md.

use std::fmt;

/// An exact non-negative-or-negative rational: `mantissa × 10^exp10 × 1024^exp1024`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    mantissa: i128,
    exp10: i32,
    exp1024: u32,
}

/// How to round when a quantity is not a whole number of the target unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Round {
    Up,
    Down,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantityError(pub String);

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const EXPECTED: &str =
    "expected a Kubernetes quantity such as \"250m\", \"2\", \"1.5\", \"512Mi\", \"1Gi\", \"1e3\" or \"1k\"";

impl Quantity {
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let bad = |why: &str| QuantityError(format!("invalid quantity {text:?}: {why}; {EXPECTED}"));
        let s = text.trim();
        if s.is_empty() {
            return Err(bad("empty"));
        }
        let (negative, rest) = match s.as_bytes()[0] {
            b'+' => (false, &s[1..]),
            b'-' => (true, &s[1..]),
            _ => (false, s),
        };
        // The number: digits, optionally one '.', more digits; at least one digit in all.
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(num_len);
        if number.matches('.').count() > 1 {
            return Err(bad("more than one decimal point"));
        }
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(bad("no digits"));
        }
        let digits = format!("{int_part}{frac_part}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 30 {
            return Err(bad("too many significant digits"));
        }
        let mut mantissa: i128 = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| bad("not a number"))? };
        if negative {
            mantissa = -mantissa;
        }
        let mut exp10 = -(frac_part.len() as i32);
        let mut exp1024 = 0u32;
        match suffix {
            "" => {}
            "n" => exp10 -= 9,
            "u" => exp10 -= 6,
            "m" => exp10 -= 3,
            "k" => exp10 += 3,
            "M" => exp10 += 6,
            "G" => exp10 += 9,
            "T" => exp10 += 12,
            "P" => exp10 += 15,
            "E" => exp10 += 18,
            "Ki" => exp1024 = 1,
            "Mi" => exp1024 = 2,
            "Gi" => exp1024 = 3,
            "Ti" => exp1024 = 4,
            "Pi" => exp1024 = 5,
            "Ei" => exp1024 = 6,
            _ if suffix.starts_with(['e', 'E']) => {
                let e = &suffix[1..];
                let valid = !e.is_empty()
                    && e.trim_start_matches(['+', '-']).chars().all(|c| c.is_ascii_digit())
                    && e.len() - e.trim_start_matches(['+', '-']).len() <= 1
                    && !e.trim_start_matches(['+', '-']).is_empty();
                if !valid {
                    return Err(bad(&format!("unknown suffix {suffix:?}")));
                }
                let e: i32 = e.parse().map_err(|_| bad("exponent out of range"))?;
                if !(-30..=30).contains(&e) {
                    return Err(bad("exponent out of range"));
                }
                exp10 += e;
            }
            _ => return Err(bad(&format!("unknown suffix {suffix:?}"))),
        }
        Ok(Quantity { mantissa, exp10, exp1024 })
    }

    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// Exact comparison, as apimachinery's `Quantity.Cmp`. `None` only where both values,
    /// brought to a common scale, overflow i128 (far beyond any quantity kbmc can hold).
    pub fn cmp_exact(&self, other: &Quantity) -> Option<std::cmp::Ordering> {
        let (e10, e1024) = (self.exp10.min(other.exp10), self.exp1024.min(other.exp1024));
        let scale = |q: &Quantity| -> Option<i128> {
            let mut n = q.mantissa.checked_mul(10i128.checked_pow((q.exp10 - e10) as u32)?)?;
            for _ in e1024..q.exp1024 {
                n = n.checked_mul(1024)?;
            }
            Some(n)
        };
        match (scale(self), scale(other)) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            // The side that overflows is the larger in magnitude.
            (None, Some(_)) => {
                Some(if self.is_negative() { std::cmp::Ordering::Less } else { std::cmp::Ordering::Greater })
            }
            (Some(_), None) => {
                Some(if other.is_negative() { std::cmp::Ordering::Greater } else { std::cmp::Ordering::Less })
            }
            (None, None) => None,
        }
    }

    /// `self × num / den`, rounded as asked, as an i64. Errors when the result does not fit.
    pub fn scaled(&self, num: i64, den: i64, round: Round) -> Result<i64, QuantityError> {
        let overflow = || QuantityError(format!("quantity {self} is too large"));
        let mut n: i128 = self.mantissa.checked_mul(num as i128).ok_or_else(overflow)?;
        let mut d: i128 = den as i128;
        for _ in 0..self.exp1024 {
            n = n.checked_mul(1024).ok_or_else(overflow)?;
        }
        if self.exp10 >= 0 {
            n = n.checked_mul(10i128.checked_pow(self.exp10 as u32).ok_or_else(overflow)?).ok_or_else(overflow)?;
        } else {
            d = d.checked_mul(10i128.checked_pow((-self.exp10) as u32).ok_or_else(overflow)?).ok_or_else(overflow)?;
        }
        let q = match round {
            Round::Down => n.div_euclid(d),
            Round::Up => -((-n).div_euclid(d)),
        };
        i64::try_from(q).map_err(|_| overflow())
    }

    /// Millicores (CPU), rounded as asked: "250m" -> 250, "1.5" -> 1500.
    pub fn millis(&self, round: Round) -> Result<i64, QuantityError> {
        self.scaled(1000, 1, round)
    }

    /// The whole value, rounded as asked ("110" pods -> 110).
    pub fn units(&self, round: Round) -> Result<i64, QuantityError> {
        self.scaled(1, 1, round)
    }

    /// apimachinery's `Quantity.Value()`: the whole value with a fraction rounded up
    /// (`ScaledValue(0)` takes the ceiling): bytes of memory, "0.5" -> 1, "1Gi" -> 1073741824.
    pub fn value(&self) -> Result<i64, QuantityError> {
        self.units(Round::Up)
    }

    /// apimachinery's `Quantity.MilliValue()`: thousandths with a fraction rounded up
    /// (`ScaledValue(-3)`): millicores, or milli-bytes of memory; "0.1m" -> 1.
    pub fn milli_value(&self) -> Result<i64, QuantityError> {
        self.millis(Round::Up)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}e{}", self.mantissa, self.exp10)?;
        if self.exp1024 > 0 {
            write!(f, "*1024^{}", self.exp1024)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form_kubernetes_writes() {
        // (text, millicores rounded up, bytes rounded up)
        let table: &[(&str, i64, i64)] = &[
            ("250m", 250, 1),
            ("2", 2000, 2),
            ("1.5", 1500, 2),
            ("1Gi", 1024 * 1024 * 1024 * 1000, 1 << 30),
            ("512Mi", 512 * 1024 * 1024 * 1000, 512 << 20),
            ("1e3", 1_000_000, 1000),
            ("1k", 1_000_000, 1000),
            ("1E3", 1_000_000, 1000),
            ("0.5", 500, 1),
            (".5", 500, 1),
            ("5.", 5000, 5),
            ("+3", 3000, 3),
            ("100M", 100_000_000_000, 100_000_000),
            ("1Ki", 1_024_000, 1024),
            ("0", 0, 0),
            ("0.1m", 1, 1),
            ("1500u", 2, 1),
            ("64Gi", 64 * 1024 * 1024 * 1024 * 1000, 64 << 30),
            ("10.2Mi", 10_695_475_200, 10_695_476),
            ("1.5Gi", 1_610_612_736_000, 1_610_612_736),
            ("1e9", 1_000_000_000_000, 1_000_000_000),
        ];
        for &(text, milli, bytes) in table {
            let q = Quantity::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(q.millis(Round::Up).unwrap(), milli, "millis of {text}");
            assert_eq!(q.milli_value().unwrap(), milli, "MilliValue of {text}");
            assert_eq!(q.value().unwrap(), bytes, "Value of {text}");
        }
    }

    #[test]
    fn rounds_in_the_asked_direction() {
        let q = Quantity::parse("2.5").unwrap();
        assert_eq!(q.units(Round::Down).unwrap(), 2);
        assert_eq!(q.units(Round::Up).unwrap(), 3);
        let q = Quantity::parse("0.1m").unwrap();
        assert_eq!(q.millis(Round::Down).unwrap(), 0);
        assert!(Quantity::parse("-1").unwrap().is_negative());
    }

    #[test]
    fn rejects_malformed_quantities() {
        for text in ["", "abc", "1.2.3", "5Xi", "--1", "1e", "1Ki5", "m", "1 Gi", "1e+", "1e1.5", "1ee3", "."] {
            let err = Quantity::parse(text).expect_err(text);
            assert!(err.0.contains("invalid quantity"), "{text}: {err}");
        }
    }

    #[test]
    fn compares_exactly_across_suffixes() {
        use std::cmp::Ordering::*;
        let c = |a: &str, b: &str| Quantity::parse(a).unwrap().cmp_exact(&Quantity::parse(b).unwrap());
        assert_eq!(c("1", "1000m"), Some(Equal));
        assert_eq!(c("1001m", "1"), Some(Greater));
        assert_eq!(c("1Gi", "1G"), Some(Greater));
        assert_eq!(c("1024Mi", "1Gi"), Some(Equal));
        assert_eq!(c("0.5", "501m"), Some(Less));
        assert_eq!(c("1e30", "1n"), Some(Greater));
        assert_eq!(c("-1", "0"), Some(Less));
    }

    #[test]
    fn reports_overflow_instead_of_wrapping() {
        let q = Quantity::parse("9Ei").unwrap();
        assert!(q.millis(Round::Up).is_err());
    }
}
