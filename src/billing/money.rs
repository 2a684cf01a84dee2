//! Money and minutes, exactly: amounts are integer cents (one currency per MSP), tax rates basis points,
//! durations whole minutes. No floating point anywhere.
//!
//! Rounding rules, stated once:
//! - Time: each entry is billed at `max(minutes rounded up to the client's increment, the client's minimum)`.
//! - A line's amount: `billed minutes × hourly rate / 60`, rounded half up to the cent.
//! - Tax: on the invoice's subtotal, `subtotal × basis points / 10,000`, rounded half up to the cent.

/// The client's rule for billing one entry's minutes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rounding {
    /// Round each entry up to a multiple of this many minutes (0: no rounding).
    pub up_to: i32,
    /// Bill at least this many minutes per entry (0: none).
    pub minimum: i32,
}

impl Rounding {
    pub fn billed_minutes(&self, minutes: i32) -> i32 {
        let rounded = if self.up_to > 0 { (minutes + self.up_to - 1) / self.up_to * self.up_to } else { minutes };
        rounded.max(self.minimum)
    }

    /// "Up to the next 15 minutes, at least 30 minutes per entry", or "Exact minutes".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.up_to > 0 {
            parts.push(format!("up to the next {} minutes", self.up_to));
        }
        if self.minimum > 0 {
            parts.push(format!("at least {} minutes per entry", self.minimum));
        }
        match parts.is_empty() {
            true => "Exact minutes".to_string(),
            false => {
                let text = parts.join(", ");
                let mut chars = text.chars();
                chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
            }
        }
    }
}

/// `numerator / denominator` rounded half up (both non-negative).
fn div_half_up(numerator: i128, denominator: i128) -> i64 {
    i64::try_from((numerator * 2 + denominator) / (denominator * 2)).unwrap_or(i64::MAX)
}

/// A line's amount: minutes at an hourly rate, rounded half up to the cent.
pub fn time_amount(minutes: i64, hourly_rate_cents: i64) -> i64 {
    div_half_up(i128::from(minutes) * i128::from(hourly_rate_cents), 60)
}

/// Tax on a subtotal at a rate in basis points, rounded half up to the cent.
pub fn tax(subtotal_cents: i64, rate_bp: i32) -> i64 {
    div_half_up(i128::from(subtotal_cents) * i128::from(rate_bp), 10_000)
}

/// The largest amount a form takes: ten million.
const MAX_CENTS: i64 = 1_000_000_000;

/// "125", "125.5", "125.50", "1,250.00" as cents; None for anything else (negative, more than two decimals).
pub fn parse_cents(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', "");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || whole.len() > 10 {
        return None;
    }
    if fraction.len() > 2 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let cents = format!("{fraction:0<2}").parse::<i64>().ok()?;
    let amount = whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)?;
    (amount <= MAX_CENTS).then_some(amount)
}

/// "1,250.00" from 125000.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (whole, fraction) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{fraction:02}")
}

/// A percentage with up to two decimals ("8.25") as basis points (825), from 0 to 100 %.
pub fn parse_percent_bp(text: &str) -> Option<i32> {
    let bp = parse_cents(text)?;
    (bp <= 10_000).then(|| i32::try_from(bp).ok()).flatten()
}

/// "8.25 %" from 825.
pub fn format_bp(bp: i32) -> String {
    let text = format!("{}.{:02}", bp / 100, bp % 100);
    format!("{} %", text.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_up_to_the_increment_then_to_the_minimum() {
        let rule = Rounding { up_to: 15, minimum: 30 };
        assert_eq!(rule.billed_minutes(1), 30);
        assert_eq!(rule.billed_minutes(30), 30);
        assert_eq!(rule.billed_minutes(31), 45);
        assert_eq!(rule.billed_minutes(46), 60);
        assert_eq!(Rounding::default().billed_minutes(7), 7);
        assert_eq!(Rounding { up_to: 6, minimum: 0 }.billed_minutes(7), 12);
        assert_eq!(rule.describe(), "Up to the next 15 minutes, at least 30 minutes per entry");
        assert_eq!(Rounding::default().describe(), "Exact minutes");
    }

    #[test]
    fn amounts_and_tax_round_half_up_to_the_cent() {
        // 50 minutes at 125.00/h = 104.1666… -> 104.17
        assert_eq!(time_amount(50, 12_500), 10_417);
        // 45 minutes at 99.99/h = 74.9925 -> 74.99
        assert_eq!(time_amount(45, 9_999), 7_499);
        // 1 minute at 0.30/h = 0.005 -> 0.01 (half up)
        assert_eq!(time_amount(1, 30), 1);
        // 8.25 % of 104.17 = 8.594025 -> 8.59; 7.5 % of 0.10 = 0.0075 -> 0.01
        assert_eq!(tax(10_417, 825), 859);
        assert_eq!(tax(10, 750), 1);
        assert_eq!(tax(123_456, 0), 0);
    }

    #[test]
    fn amounts_are_read_and_written_exactly() {
        assert_eq!(parse_cents("125"), Some(12_500));
        assert_eq!(parse_cents("125.5"), Some(12_550));
        assert_eq!(parse_cents("1,250.05"), Some(125_005));
        assert_eq!(parse_cents("0.01"), Some(1));
        for bad in ["", "-5", "1.234", "abc", "1e3", ".5", "10000000.01"] {
            assert_eq!(parse_cents(bad), None, "{bad}");
        }
        assert_eq!(format_cents(125_005), "1,250.05");
        assert_eq!(format_cents(5), "0.05");
        assert_eq!(format_cents(100_000_000), "1,000,000.00");
        assert_eq!(parse_percent_bp("8.25"), Some(825));
        assert_eq!(parse_percent_bp("100"), Some(10_000));
        assert_eq!(parse_percent_bp("100.01"), None);
        assert_eq!(format_bp(825), "8.25 %");
        assert_eq!(format_bp(2000), "20 %");
        assert_eq!(format_bp(0), "0 %");
    }
}
