//! Formatting epoch nanoseconds as RFC 3339 text (for `string()` of dates and for alerts).

use crate::decode::timestamp::civil_from_days;
use std::fmt::Write;

/// Appends `ns` as `YYYY-MM-DDTHH:MM:SS.fffZ` (more fraction digits when needed).
pub fn format_rfc3339(ns: i64, out: &mut String) {
    let secs = ns.div_euclid(1_000_000_000);
    let frac = ns.rem_euclid(1_000_000_000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    );
    if frac % 1_000_000 == 0 {
        let _ = write!(out, ".{:03}Z", frac / 1_000_000);
    } else if frac % 1_000 == 0 {
        let _ = write!(out, ".{:06}Z", frac / 1_000);
    } else {
        let _ = write!(out, ".{frac:09}Z");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_epochs() {
        let f = |ns| {
            let mut s = String::new();
            format_rfc3339(ns, &mut s);
            s
        };
        assert_eq!(f(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(f(1_504_126_051_000_000_000), "2017-08-30T20:47:31.000Z");
        assert_eq!(f(-1_000_000), "1969-12-31T23:59:59.999Z");
        assert_eq!(f(951_782_400_000_000_123), "2000-02-29T00:00:00.000000123Z");
    }
}
