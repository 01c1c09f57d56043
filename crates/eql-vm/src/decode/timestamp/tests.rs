//! Tests of the date parser and the civil-calendar conversions.

use super::*;

const H: i64 = 3600 * NANOS_PER_SEC;
const T_2024_05_21_10: i64 = 1_716_285_600_000_000_000;

#[test]
fn iso_table() {
    let table: &[(&str, Option<i64>)] = &[
        ("1970-01-01T00:00:00Z", Some(0)),
        ("1970-01-01", Some(0)),
        ("2024-05-21T10:00:00Z", Some(T_2024_05_21_10)),
        ("2024-05-21t10:00:00z", Some(T_2024_05_21_10)),
        ("2024-05-21 10:00:00", Some(T_2024_05_21_10)),
        ("2024-05-21T10:00:00", Some(T_2024_05_21_10)),
        ("2024-05-21T10:00", Some(T_2024_05_21_10)),
        ("2024-05-21T10", Some(T_2024_05_21_10)),
        (
            "2024-05-21T10:00:00.123Z",
            Some(T_2024_05_21_10 + 123_000_000),
        ),
        (
            "2024-05-21T10:00:00,5Z",
            Some(T_2024_05_21_10 + 500_000_000),
        ),
        ("2024-05-21T10:00:00.000000001Z", Some(T_2024_05_21_10 + 1)),
        (
            "2024-05-21T10:00:00.1234567899Z",
            Some(T_2024_05_21_10 + 123_456_789),
        ),
        (
            "2024-05-21T10:00:00.123456789+02:00",
            Some(T_2024_05_21_10 - 2 * H + 123_456_789),
        ),
        ("2024-05-21T10:00:00+0200", Some(T_2024_05_21_10 - 2 * H)),
        ("2024-05-21T10:00:00+02", Some(T_2024_05_21_10 - 2 * H)),
        (
            "2024-05-21T10:00:00-05:30",
            Some(T_2024_05_21_10 + 5 * H + H / 2),
        ),
        ("2024-05-21T10:00:00-00:00", Some(T_2024_05_21_10)),
        ("2024-05-21", Some(T_2024_05_21_10 - 10 * H)),
        ("2024-02-29", Some(1_709_164_800_000_000_000)),
        ("2000-02-29T12:30:00Z", Some(951_827_400_000_000_000)),
        ("2024-12-31T23:59:59Z", Some(1_735_689_599_000_000_000)),
        ("1969-12-31T23:59:59Z", Some(-NANOS_PER_SEC)),
        ("1969-12-31T23:59:59.5Z", Some(-NANOS_PER_SEC / 2)),
        ("1970-01-01T01:00:00+02:00", Some(-H)),
        ("1900-03-01", Some(-2_203_891_200_000_000_000)),
        ("1677-09-22", Some(-9_223_286_400_000_000_000)),
        ("2262-04-11", Some(9_223_286_400_000_000_000)),
        // Out of i64 nanosecond range.
        ("1677-09-21", None),
        ("2262-04-12", None),
        ("9999-12-31", None),
        // Invalid calendar dates and times.
        ("2023-02-29", None),
        ("1900-02-29", None),
        ("2024-13-01", None),
        ("2024-00-10", None),
        ("2024-04-31", None),
        ("2024-05-00", None),
        ("2024-05-21T24:00:00Z", None),
        ("2024-05-21T10:60:00Z", None),
        ("2024-05-21T10:00:60Z", None),
        ("2024-05-21T10:00:00+19:00", None),
        // Malformed.
        ("2024-05-21T", None),
        ("2024-05-21X10:00:00", None),
        ("2024-05-21T10:00:00.Z", None),
        ("2024-05-21T10:00:00Zjunk", None),
        ("2024-05-21T10:00:00+02:0", None),
        ("2024-5-21T10:00:00Z", None),
        ("2024-05-2a", None),
        ("", None),
        ("yesterday", None),
        ("12-12-2022", None),
    ];
    for (s, want) in table {
        assert_eq!(parse_date(s), *want, "{s:?}");
    }
}

#[test]
fn epoch_millis_table() {
    let table: &[(&str, Option<i64>)] = &[
        ("0", Some(0)),
        ("1504126051000", Some(1_504_126_051_000_000_000)),
        ("1504126051000.123456", Some(1_504_126_051_000_123_456)),
        ("1504126051000.1234569", Some(1_504_126_051_000_123_456)),
        ("1504126051000.5", Some(1_504_126_051_000_500_000)),
        ("-1000", Some(-NANOS_PER_SEC)),
        ("-1.5", Some(-1_500_000)),
        ("9223372036854", Some(9_223_372_036_854_000_000)),
        ("9223372036855", None),
        ("99999999999999999999", None),
        ("12.", None),
        (".5", None),
        ("-", None),
        ("1e3", None),
        ("12 ", None),
    ];
    for (s, want) in table {
        assert_eq!(parse_date(s), *want, "{s:?}");
    }
}

#[test]
fn json_number_millis() {
    assert_eq!(
        millis_to_nanos(1_504_126_051_000),
        Some(1_504_126_051_000_000_000)
    );
    assert_eq!(millis_to_nanos(-1), Some(-1_000_000));
    assert_eq!(millis_to_nanos(i64::MAX / 1000), None);
    assert_eq!(float_millis_to_nanos(1.5), Some(1_500_000));
    assert_eq!(float_millis_to_nanos(-2.25), Some(-2_250_000));
    assert_eq!(float_millis_to_nanos(1e300), None);
    assert_eq!(float_millis_to_nanos(f64::NAN), None);
}

#[test]
fn leap_years() {
    for (y, leap) in [
        (1900, false),
        (2000, true),
        (2023, false),
        (2024, true),
        (2100, false),
    ] {
        assert_eq!(is_leap_year(y), leap, "{y}");
    }
    assert!(is_leap_year(-4));
    assert_eq!(
        days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28),
        2
    );
    assert_eq!(
        days_from_civil(2023, 3, 1) - days_from_civil(2023, 2, 28),
        1
    );
    assert_eq!(
        days_from_civil(2001, 1, 1) - days_from_civil(2000, 1, 1),
        366
    );
    assert_eq!(
        days_from_civil(1901, 1, 1) - days_from_civil(1900, 1, 1),
        365
    );
}

#[test]
fn civil_round_trip() {
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(days_from_civil(1969, 12, 31), -1);
    assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    assert_eq!(civil_from_days(-1), (1969, 12, 31));
    assert_eq!(civil_from_days(11_017), (2000, 3, 1));
    // Every day from year -1000 to 3000 converts both ways and advances the calendar by one.
    let (first, last) = (days_from_civil(-1000, 1, 1), days_from_civil(3000, 12, 31));
    let mut prev = civil_from_days(first - 1);
    for d in first..=last {
        let (y, m, day) = civil_from_days(d);
        assert_eq!(days_from_civil(y, m, day), d);
        assert!((1..=12).contains(&m) && day >= 1 && day <= days_in_month(y, m));
        let next_day = (y, m, day) == (prev.0, prev.1, prev.2 + 1);
        let next_month =
            day == 1 && ((y == prev.0 && m == prev.1 + 1) || (y == prev.0 + 1 && m == 1));
        assert!(next_day || next_month, "{prev:?} -> {:?}", (y, m, day));
        prev = (y, m, day);
    }
}

#[test]
fn four_digit_years_count_days_as_the_general_conversion() {
    for year in 0..=9999u32 {
        for month in 1..=12 {
            for day in 1..=days_in_month(i64::from(year), month) {
                assert_eq!(
                    days_from_civil_4digit(year, month, day),
                    days_from_civil(i64::from(year), month, day),
                    "{year}-{month}-{day}"
                );
            }
        }
    }
}

#[test]
fn fixed_shape_checks_every_byte_value_at_every_position() {
    let t = *b"2024-05-21T10:09:08.123Z";
    let mut taken = 0;
    for i in 0..19 {
        for c in 0..=255u8 {
            let mut v = t;
            v[i] = c;
            let fast = parse_utc_seconds(&v);
            let separator = matches!(i, 4 | 7 | 10 | 13 | 16);
            let fits = if separator {
                c == t[i]
            } else {
                c.is_ascii_digit()
            };
            if fits {
                // The shape holds: the same answer as the general parser (which refuses
                // month 13, hour 24 and so on as well).
                assert_eq!(fast, parse_iso(&v), "{i} {c}");
                taken += usize::from(fast.is_some());
            } else {
                assert_eq!(fast, None, "{i} {c}");
            }
        }
    }
    assert!(taken > 90, "{taken}");
}

/// `parse_date` as it was before the fixed-shape path: the general parsers only.
fn general(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        parse_iso(b)
    } else {
        parse_epoch_millis(b)
    }
}

#[test]
fn fixed_shape_agrees_with_the_general_parser() {
    let templates = [
        "2024-05-21T10:00:00Z",
        "2024-02-29T23:59:59.9Z",
        "1900-02-28T00:00:00.123Z",
        "0000-12-31T12:34:56.123456Z",
        "9999-12-31T23:59:59.123456789Z",
        "2024-05-21T10:00:00.1234567891Z",
        "2023-02-29T10:00:00Z",
        "2024-05-21T10:00:00.Z",
        "2024-05-21T10:00:00+02:00",
        "2024-05-21t10:00:00z",
    ];
    let alphabet: &[char] = &[
        '0', '1', '2', '3', '4', '5', '6', '9', '-', ':', 'T', 't', 'Z', 'z', '.', ',', ' ', '+',
        'x', '/', 'é',
    ];
    let mut x = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let (mut taken, mut checked) = (0, 0);
    // Kept across all the strings, which mostly share their first 16 bytes with the one before.
    let mut memo = DateMemo::default();
    for t in templates {
        let mut check = |s: &str, taken: &mut usize| {
            let fast = parse_utc_seconds(s.as_bytes());
            let want = general(s);
            if fast.is_some() {
                *taken += 1;
                assert_eq!(fast, want, "{s}");
            }
            assert_eq!(parse_date(s), want, "{s}");
            assert_eq!(memo.parse(s), want, "{s}");
            assert_eq!(DateMemo::default().parse(s), want, "{s}");
        };
        check(t, &mut taken);
        let chars: Vec<char> = t.chars().collect();
        // Every position replaced by every alphabet character, then random multi-edits,
        // truncations and extensions.
        for i in 0..chars.len() {
            for &c in alphabet {
                let mut v = chars.clone();
                v[i] = c;
                check(&v.iter().collect::<String>(), &mut taken);
                checked += 1;
            }
        }
        for _ in 0..20_000 {
            let mut v = chars.clone();
            for _ in 0..1 + next(3) {
                let i = next(v.len());
                match next(4) {
                    0 => v[i] = alphabet[next(alphabet.len())],
                    1 => v.insert(i, alphabet[next(alphabet.len())]),
                    2 if v.len() > 1 => {
                        v.remove(i);
                    }
                    _ => v[i] = char::from(b'0' + next(10) as u8),
                }
            }
            check(&v.iter().collect::<String>(), &mut taken);
            checked += 1;
        }
        for n in 0..=chars.len() {
            check(&chars[..n].iter().collect::<String>(), &mut taken);
        }
    }
    assert!(taken > 5_000 && checked > 100_000, "{taken} {checked}");
}

#[test]
fn the_date_memo_reads_a_known_minute_like_a_new_one() {
    let base = *b"2024-05-21T10:09:08.123Z";
    let mut memo = DateMemo::default();
    let mut hits = 0;
    // Every byte value at every position, each right after the unchanged date (so that the
    // memo holds its minute), then again after itself.
    for i in 0..base.len() {
        for c in 0..=255u8 {
            let mut v = base.to_vec();
            v[i] = c;
            let Ok(s) = std::str::from_utf8(&v) else {
                continue;
            };
            assert_eq!(
                memo.parse("2024-05-21T10:09:08.123Z"),
                parse_date("2024-05-21T10:09:08.123Z")
            );
            let want = parse_date(s);
            assert_eq!(memo.parse(s), want, "{s}");
            assert_eq!(memo.parse(s), want, "{s}");
            hits += usize::from(i >= 16 && want.is_some());
        }
    }
    assert!(hits > 20, "{hits}");
    // Tails cut short, grown and changed after a known minute; other minutes in between.
    let tails = [
        "",
        ":",
        ":0",
        ":08",
        ":08Z",
        ":08.Z",
        ":08.1Z",
        ":08.123456789Z",
        ":08.1234567891Z",
        ":60Z",
        ":59Z",
        ":08+02:00",
        ":08z",
        ":08.123",
        ":8Z",
        "Z",
        ":08.12Z ",
        ":08.1é",
    ];
    for head in [
        "2024-05-21T10:09",
        "2024-02-29T23:59",
        "2023-02-29T23:59",
        "9999-12-31T23:59",
        "2024-05-21T24:00",
    ] {
        for tail in tails {
            let s = format!("{head}{tail}");
            assert_eq!(memo.parse(&s), parse_date(&s), "{s}");
            assert_eq!(
                memo.parse("2024-05-21T10:10:00Z"),
                parse_date("2024-05-21T10:10:00Z")
            );
            assert_eq!(memo.parse(&s), parse_date(&s), "{s}");
        }
    }
    // A minute remembered, then read for another date of the same minute.
    let mut memo = DateMemo::default();
    assert_eq!(
        memo.parse("2024-05-21T10:09:08Z"),
        parse_date("2024-05-21T10:09:08Z")
    );
    assert!(memo.last.is_some());
    assert_eq!(
        memo.parse("2024-05-21T10:09:59.5Z"),
        parse_date("2024-05-21T10:09:59.5Z")
    );
    assert_eq!(
        memo.parse("2024-05-21T10:09:00Z"),
        Some(1_716_286_140_000_000_000)
    );
}
