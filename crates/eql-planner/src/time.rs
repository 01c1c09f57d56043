//! Dates (ISO-8601 / RFC 3339 text or epoch milliseconds → epoch nanoseconds) and `maxspan`
//! durations.

const NS_PER_MS: i64 = 1_000_000;

/// Parses a date string compared with a `date` field: epoch-millisecond digits, `YYYY-MM-DD`, or
/// `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with an optional `Z` or `±HH[:]MM` offset (UTC when absent).
pub fn parse_date_ns(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok()?.checked_mul(NS_PER_MS);
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !(1..=12).contains(&month) {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * 86_400;
    let mut nanos = 0i64;
    let mut rest = &s[10..];
    if let Some(t) = rest.strip_prefix(['T', 't', ' ']) {
        let tb = t.as_bytes();
        let tn = |from: usize| -> Option<i64> {
            let part = tb.get(from..from + 2)?;
            part.iter()
                .all(u8::is_ascii_digit)
                .then(|| i64::from(part[0] - b'0') * 10 + i64::from(part[1] - b'0'))
        };
        let (h, m) = (tn(0)?, tn(3)?);
        if tb.get(2) != Some(&b':') || h > 23 || m > 59 {
            return None;
        }
        secs += h * 3600 + m * 60;
        let mut used = 5;
        if tb.get(5) == Some(&b':') {
            let sec = tn(6)?;
            if sec > 60 {
                return None;
            }
            secs += sec;
            used = 8;
            if matches!(tb.get(8), Some(b'.' | b',')) {
                let digits = tb[9..].iter().take_while(|c| c.is_ascii_digit()).count();
                if digits == 0 || digits > 9 {
                    return None;
                }
                let frac: i64 = t[9..9 + digits].parse().ok()?;
                nanos = frac * 10i64.pow(9 - digits as u32);
                used = 9 + digits;
            }
        }
        rest = &t[used..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = rest[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (h, m): (i64, i64) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
            sign * (h * 3600 + m * 60)
        }
    };
    (secs - offset)
        .checked_mul(1_000_000_000)?
        .checked_add(nanos)
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

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Nanoseconds per unit of a `maxspan` unit name, or `None` for an unknown unit.
pub fn unit_ns(unit: &str) -> Option<i64> {
    Some(match unit {
        "nanos" | "ns" => 1,
        "micros" | "us" => 1_000,
        "ms" => NS_PER_MS,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        "d" => 86_400_000_000_000,
        _ => return None,
    })
}

/// `value × unit` in whole nanoseconds; `None` when not a positive whole number of ns or too large.
pub fn span_ns(value: f64, per_unit: i64) -> Option<i64> {
    let ns = value * per_unit as f64;
    if !ns.is_finite() || ns < 1.0 || ns.fract() != 0.0 || ns >= i64::MAX as f64 {
        return None;
    }
    Some(ns as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date_ns("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_date_ns("1970-01-02"), Some(86_400_000_000_000));
        assert_eq!(
            parse_date_ns("2017-08-30T20:47:33Z"),
            Some(1_504_126_053_000_000_000)
        );
        assert_eq!(
            parse_date_ns("2017-08-30T20:47:33.5Z"),
            Some(1_504_126_053_500_000_000)
        );
        assert_eq!(
            parse_date_ns("2017-08-30T22:47:33+02:00"),
            Some(1_504_126_053_000_000_000)
        );
        assert_eq!(
            parse_date_ns("2017-08-30T20:47:33.123456789"),
            Some(1_504_126_053_123_456_789)
        );
        assert_eq!(
            parse_date_ns("1516116808349"),
            Some(1_516_116_808_349_000_000)
        );
        assert_eq!(
            parse_date_ns("2000-02-29T00:00"),
            Some(951_782_400_000_000_000)
        );
        for bad in [
            "",
            "yesterday",
            "2001-02-29",
            "2017-13-01",
            "2017-08-30T25:00",
            "2017-08-30X",
            "2017-08-30T20:47:33+2",
        ] {
            assert_eq!(parse_date_ns(bad), None, "{bad}");
        }
    }

    #[test]
    fn spans() {
        assert_eq!(span_ns(5.0, unit_ns("s").unwrap_or(0)), Some(5_000_000_000));
        assert_eq!(span_ns(0.5, unit_ns("s").unwrap_or(0)), Some(500_000_000));
        assert_eq!(span_ns(0.5, 1), None);
        assert_eq!(span_ns(0.0, 1), None);
        assert_eq!(span_ns(-1.0, 1_000), None);
        assert_eq!(unit_ns("fortnight"), None);
    }
}
