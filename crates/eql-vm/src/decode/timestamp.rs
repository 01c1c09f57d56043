//! Date parsing for [`SlotKind::Date`](crate::event::SlotKind::Date) slots: ISO-8601 / RFC 3339
//! strings and epoch milliseconds, to epoch nanoseconds, with a civil-calendar conversion.

const NANOS_PER_MILLI: i64 = 1_000_000;
const NANOS_PER_SEC: i64 = 1_000_000_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (`month` 1..=12, `day` 1..=31).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let mp = (month as i64 + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + day as i64 - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// [`days_from_civil`] for the years a four-digit field holds (0 to 9999), in unsigned
/// arithmetic without a call: the fixed-shape parser's hot path.
#[inline(always)]
fn days_from_civil_4digit(year: u32, month: u32, day: u32) -> i64 {
    // Counted from 400 years (one era, 146_097 days) earlier, so that January and February of
    // year 0 (which belong to year -1 here) stay positive.
    let y = year + 400 - u32::from(month <= 2);
    let (era, yoe) = (y / 400, y % 400);
    let mp = if month > 2 { month - 3 } else { month + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i64::from(era * 146_097 + doe) - 719_468 - 146_097
}

/// The proleptic Gregorian `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whether `year` is a Gregorian leap year.
pub fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses a date string to epoch nanoseconds: ISO-8601 (`2024-05-21`, `2024-05-21T10:00`,
/// `2024-05-21T10:00:00.123456789+02:00`, …; no zone means UTC) or epoch milliseconds
/// (`1504126051000`, `1504126051000.123456`). `None` when unparsable or out of `i64` range.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if let Some(ns) = parse_utc_seconds(b) {
        return Some(ns);
    }
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        parse_iso(b)
    } else {
        parse_epoch_millis(b)
    }
}

/// Epoch milliseconds, as a JSON integer, to nanoseconds.
pub fn millis_to_nanos(ms: i64) -> Option<i64> {
    ms.checked_mul(NANOS_PER_MILLI)
}

/// Epoch milliseconds, as a JSON float, to nanoseconds (rounded to the nearest).
pub fn float_millis_to_nanos(ms: f64) -> Option<i64> {
    let ns = (ms * NANOS_PER_MILLI as f64).round();
    // i64::MAX as f64 rounds up to 2^63, which is itself out of range.
    (ns.is_finite() && ns >= i64::MIN as f64 && ns < i64::MAX as f64).then_some(ns as i64)
}

/// `-?digits(.digits)?` milliseconds; fraction digits beyond nanoseconds are dropped.
fn parse_epoch_millis(b: &[u8]) -> Option<i64> {
    let (neg, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let dot = b.iter().position(|&c| c == b'.').unwrap_or(b.len());
    let (int, frac) = (&b[..dot], b.get(dot + 1..));
    if int.is_empty() || frac.is_some_and(|f| f.is_empty()) {
        return None;
    }
    let ms = digits(int)?;
    let mut sub = 0i64; // nanoseconds below the millisecond
    let mut scale = 100_000;
    for &c in frac.unwrap_or(&[]) {
        if !c.is_ascii_digit() {
            return None;
        }
        sub += i64::from(c - b'0') * scale;
        scale /= 10;
    }
    let ns = ms.checked_mul(NANOS_PER_MILLI)?.checked_add(sub)?;
    Some(if neg { -ns } else { ns })
}

/// The value of an all-digit slice, `None` if empty, not digits, or too big.
fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() {
        return None;
    }
    b.iter().try_fold(0i64, |acc, &c| {
        if c.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(i64::from(c - b'0'))
        } else {
            None
        }
    })
}

/// Exactly `n` digits at `at`.
fn fixed(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let d = b.get(at..at + n)?;
    d.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// What a fraction of a second with n digits (1 to 9) is multiplied by to give nanoseconds.
const FRACTION_SCALE: [i64; 9] = [
    100_000_000,
    10_000_000,
    1_000_000,
    100_000,
    10_000,
    1_000,
    100,
    10,
    1,
];

/// The common shape `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.fZ` with 1 to 9 fraction
/// digits, read at fixed offsets. `None` for any other shape or an invalid field; the caller
/// then asks [`parse_iso`], which gives the same value for every string this one takes.
#[inline]
fn parse_utc_seconds(b: &[u8]) -> Option<i64> {
    utc_minute(b.first_chunk()?).and_then(|minute| utc_rest(b, minute))
}

/// The first 16 bytes of a date, `YYYY-MM-DDTHH:MM`, as two little-endian words.
#[inline(always)]
fn head_words(head: &[u8; 16]) -> [u64; 2] {
    let (a, b) = head.split_at(8);
    let word = |w: &[u8]| {
        let mut x = [0u8; 8];
        x.copy_from_slice(w);
        u64::from_le_bytes(x)
    };
    [word(a), word(b)]
}

/// The first part of [`parse_utc_seconds`]: the seconds since the epoch at the start of the
/// minute `YYYY-MM-DDTHH:MM` that `head` spells, when it has that shape and valid fields. It
/// reads nothing else, so a date that starts with the same 16 bytes has the same minute.
#[inline]
fn utc_minute(head: &[u8; 16]) -> Option<i64> {
    // Each word XORed with the expected shape: a digit becomes its value (0 to 9) and a right
    // separator becomes 0.
    let [w0, w1] = head_words(head);
    let w0 = w0 ^ u64::from_le_bytes(*b"0000-00-");
    let w1 = w1 ^ u64::from_le_bytes(*b"00T00:00");
    // Every byte at most 9: adding 0x76 to each sets its top bit exactly when it is 10 to
    // 0x7f, and a byte of 0x80 or more has that bit already (a carry out of such a byte only
    // reaches bytes of a word that fails anyway).
    const TOP: u64 = 0x8080_8080_8080_8080;
    const ADD: u64 = 0x7676_7676_7676_7676;
    let over_9 = |w: u64| (w.wrapping_add(ADD) | w) & TOP;
    // The separators: bytes 4 and 7 of the first word, 2 and 5 of the second.
    let separators = (w0 & 0xff00_00ff_0000_0000) | (w1 & 0x0000_ff00_00ff_0000);
    if over_9(w0) | over_9(w1) | separators != 0 {
        return None;
    }
    let d = |w: u64, k: u32| (w >> (8 * k)) as u32 & 0xff;
    let year = d(w0, 0) * 1000 + d(w0, 1) * 100 + d(w0, 2) * 10 + d(w0, 3);
    let month = d(w0, 5) * 10 + d(w0, 6);
    let day = d(w1, 0) * 10 + d(w1, 1);
    let (h, m) = (d(w1, 3) * 10 + d(w1, 4), d(w1, 6) * 10 + d(w1, 7));
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(i64::from(year), month) {
        return None;
    }
    if h >= 24 || m >= 60 {
        return None;
    }
    // Within ±3.7 million days of 1970, so the seconds fit easily.
    let days = days_from_civil_4digit(year, month, day);
    Some(days * 86_400 + i64::from(h * 3600 + m * 60))
}

/// The rest of [`parse_utc_seconds`] once the first 16 bytes gave `minute`: `:SS`, an
/// optional fraction of 1 to 9 digits and `Z`, ending the string.
#[inline]
fn utc_rest(b: &[u8], minute: i64) -> Option<i64> {
    let tail = b.get(16..)?;
    let (&zone, frac) = tail.get(3..)?.split_last()?;
    if zone != b'Z' || tail[0] != b':' {
        return None;
    }
    let (s1, s2) = (tail[1].wrapping_sub(b'0'), tail[2].wrapping_sub(b'0'));
    if s1 > 9 || s2 > 9 {
        return None;
    }
    let s = i64::from(s1 * 10 + s2);
    if s >= 60 {
        return None;
    }
    let mut nanos = 0i64;
    if let Some((&dot, digits)) = frac.split_first() {
        if dot != b'.' || digits.is_empty() || digits.len() > 9 {
            return None;
        }
        for &c in digits {
            let v = c.wrapping_sub(b'0');
            if v > 9 {
                return None;
            }
            nanos = nanos * 10 + i64::from(v);
        }
        nanos *= FRACTION_SCALE[digits.len() - 1];
    }
    // The nanoseconds may not fit.
    (minute + s).checked_mul(NANOS_PER_SEC)?.checked_add(nanos)
}

/// The minute of the last date of the fixed shape a decoder read: events come in time order,
/// so most dates share their first 16 bytes (`YYYY-MM-DDTHH:MM`) with the one before, and
/// only the seconds and the fraction are left to read.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DateMemo {
    /// The first 16 bytes of that date (as [`head_words`]) and the seconds at the start of
    /// its minute ([`utc_minute`]); `None` until a date of the fixed shape was read.
    last: Option<([u64; 2], i64)>,
}

impl DateMemo {
    /// [`parse_date`], remembering the minute of a date of the fixed shape for the next call.
    #[inline]
    pub(crate) fn parse(&mut self, s: &str) -> Option<i64> {
        let b = s.as_bytes();
        if let Some(head) = b.first_chunk::<16>() {
            let key = head_words(head);
            let minute = match self.last {
                Some((k, minute)) if k == key => Some(minute),
                _ => utc_minute(head).inspect(|&minute| self.last = Some((key, minute))),
            };
            if let Some(ns) = minute.and_then(|minute| utc_rest(b, minute)) {
                return Some(ns);
            }
        }
        parse_date(s)
    }
}

fn parse_iso(b: &[u8]) -> Option<i64> {
    let year = i64::from(fixed(b, 0, 4)?);
    let month = fixed(b, 5, 2)?;
    let day = fixed(b, 8, 2)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let (mut secs, mut nanos, mut offset) = (0i64, 0i64, 0i64);
    let mut i = 10;
    if i < b.len() {
        if !matches!(b[i], b'T' | b't' | b' ') {
            return None;
        }
        let (h, m, s, n, next) = parse_time(b, i + 1)?;
        secs = i64::from(h * 3600 + m * 60 + s);
        nanos = n;
        i = next;
        offset = parse_zone(b, i)?;
    }
    days.checked_mul(86_400)?
        .checked_add(secs - offset)?
        .checked_mul(NANOS_PER_SEC)?
        .checked_add(nanos)
}

/// `HH[:MM[:SS[.fraction]]]` at `at`: hours, minutes, seconds, nanoseconds, and the next index.
fn parse_time(b: &[u8], at: usize) -> Option<(u32, u32, u32, i64, usize)> {
    let h = fixed(b, at, 2)?;
    let mut i = at + 2;
    let (mut m, mut s, mut n) = (0, 0, 0i64);
    if b.get(i) == Some(&b':') {
        m = fixed(b, i + 1, 2)?;
        i += 3;
        if b.get(i) == Some(&b':') {
            s = fixed(b, i + 1, 2)?;
            i += 3;
            if matches!(b.get(i), Some(b'.' | b',')) {
                i += 1;
                let start = i;
                // The first 9 digits, read as an integer and then scaled to nanoseconds; digits
                // past nanoseconds add 0.
                while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                    if i - start < 9 {
                        n = n * 10 + i64::from(c - b'0');
                    }
                    i += 1;
                }
                if i == start {
                    return None;
                }
                n *= FRACTION_SCALE[(i - start).min(9) - 1];
            }
        }
    }
    (h < 24 && m < 60 && s < 60).then_some((h, m, s, n, i))
}

/// The zone at `at` (nothing, `Z`, `±HH`, `±HHMM` or `±HH:MM`) as seconds east of UTC; it
/// must end the string.
fn parse_zone(b: &[u8], at: usize) -> Option<i64> {
    let sign = match b.get(at) {
        None => return Some(0),
        Some(b'Z' | b'z') => return (b.len() == at + 1).then_some(0),
        Some(b'+') => 1,
        Some(b'-') => -1,
        Some(_) => return None,
    };
    let h = fixed(b, at + 1, 2)?;
    let m = match b.len() - at {
        3 => 0,
        5 => fixed(b, at + 3, 2)?,
        6 if b[at + 3] == b':' => fixed(b, at + 4, 2)?,
        _ => return None,
    };
    (h <= 18 && m < 60).then_some(sign * i64::from(h * 3600 + m * 60))
}

#[cfg(test)]
mod tests;
