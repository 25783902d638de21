//! Resource quantities (`500m`, `1Gi`, `1.5`, `2e3`) as exact integers, as Kubernetes
//! compares them: no floating point, so `0.1 + 0.2` CPUs is 300 millicores and `1Gi` is
//! 1073741824 bytes exactly.

/// A parsed quantity: `digits × 10^exp10 × 1024^exp1024`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    digits: i128,
    exp10: i32,
    exp1024: u32,
}

impl Quantity {
    /// Parses Kubernetes' quantity syntax: a signed decimal number, then one of the binary
    /// suffixes (`Ki`…`Ei`), the decimal ones (`n u m k M G T P E`) or an exponent (`e3`).
    pub fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let number_end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
            .unwrap_or(text.len());
        let (number, suffix) = text.split_at(number_end);
        let (negative, unsigned) = match number.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, number.strip_prefix('+').unwrap_or(number)),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let mut digits: i128 = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            digits = digits.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        if negative {
            digits = -digits;
        }
        let mut exp10 = -i32::try_from(fraction.len()).ok()?;
        let mut exp1024 = 0;
        match suffix {
            "" => {}
            "Ki" => exp1024 = 1,
            "Mi" => exp1024 = 2,
            "Gi" => exp1024 = 3,
            "Ti" => exp1024 = 4,
            "Pi" => exp1024 = 5,
            "Ei" => exp1024 = 6,
            "n" => exp10 -= 9,
            "u" => exp10 -= 6,
            "m" => exp10 -= 3,
            "k" => exp10 += 3,
            "M" => exp10 += 6,
            "G" => exp10 += 9,
            "T" => exp10 += 12,
            "P" => exp10 += 15,
            "E" => exp10 += 18,
            exponent if exponent.starts_with(['e', 'E']) => {
                exp10 += exponent[1..].parse::<i32>().ok()?;
            }
            _ => return None,
        }
        Some(Quantity {
            digits,
            exp10,
            exp1024,
        })
    }

    /// The value in units of `10^-scale` (3 for milli), rounded up as Kubernetes'
    /// `MilliValue`/`Value` do; `None` when it does not fit.
    fn scaled(self, scale: i32) -> Option<i128> {
        let mut value = self
            .digits
            .checked_mul(1024i128.checked_pow(self.exp1024)?)?;
        let exp = self.exp10.checked_add(scale)?;
        if exp >= 0 {
            value = value.checked_mul(10i128.checked_pow(u32::try_from(exp).ok()?)?)?;
        } else {
            let divisor = 10i128.checked_pow(u32::try_from(-exp).ok()?)?;
            let rounded_down = value.div_euclid(divisor);
            value = if value.rem_euclid(divisor) == 0 {
                rounded_down
            } else {
                rounded_down + 1
            };
        }
        Some(value)
    }

    /// The value in thousandths, rounded up (CPU in millicores).
    pub fn milli(self) -> Option<i64> {
        self.scaled(3).and_then(|v| i64::try_from(v).ok())
    }

    /// The value in whole units, rounded up (memory in bytes, a pod count).
    pub fn value(self) -> Option<i64> {
        self.scaled(0).and_then(|v| i64::try_from(v).ok())
    }
}

/// CPU millicores of a quantity text (`500m` → 500, `2` → 2000).
pub fn millicores(text: &str) -> Option<i64> {
    Quantity::parse(text)?.milli()
}

/// Whole units of a quantity text (`1Gi` → 1073741824, `110` → 110).
pub fn units(text: &str) -> Option<i64> {
    Quantity::parse(text)?.value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_exact() {
        assert_eq!(millicores("500m"), Some(500));
        assert_eq!(millicores("0.5"), Some(500));
        assert_eq!(millicores("2"), Some(2000));
        assert_eq!(millicores("0.1"), Some(100));
        assert_eq!(
            millicores("1e-4"),
            Some(1),
            "rounded up, as MilliValue does"
        );
        assert_eq!(units("1Gi"), Some(1 << 30));
        assert_eq!(units("1536Mi"), Some(1536 << 20));
        assert_eq!(units("1.5Gi"), Some(3 << 29));
        assert_eq!(units("2k"), Some(2000));
        assert_eq!(units("1e3"), Some(1000));
        assert_eq!(units("8E"), Some(8_000_000_000_000_000_000));
        assert_eq!(units("100m"), Some(1), "a fraction of a byte rounds up");
        assert_eq!(units("16Ei"), None, "does not fit in i64");
        for bad in ["", "abc", "1.2.3", "Gi", "5Q", ".", "1-2"] {
            assert_eq!(Quantity::parse(bad), None, "{bad}");
        }
    }
}
