//! Lucene numeric intervals `<n-m>` as regular expressions over decimal digits.
//!
//! When both bounds are written with the same number of digits the match is fixed-width (zero
//! padded: `<01-10>` matches `01` … `10`); otherwise any number of leading zeros is accepted
//! (`<1-100>` matches `7`, `007`, `100`).

/// The regex (no anchors) for the interval written as `<lo-hi>`.
pub(super) fn interval(lo: &str, hi: &str) -> Result<String, String> {
    let parse = |s: &str| {
        s.parse::<u64>()
            .map_err(|_| format!("interval bound `{s}` is too large"))
    };
    let (min, max) = (parse(lo)?, parse(hi)?);
    if min > max {
        return Err(format!(
            "interval `<{lo}-{hi}>` has its bounds out of order"
        ));
    }
    if lo.len() == hi.len() {
        let width = lo.len();
        return Ok(format!("(?:{})", fixed(&pad(min, width), &pad(max, width))));
    }
    // Variable width: one fixed-width range per number of significant digits.
    let mut alts = Vec::new();
    let (lo_len, hi_len) = (digits(min), digits(max));
    for len in lo_len..=hi_len {
        let first = if len == 1 {
            0
        } else {
            10u64.pow(len as u32 - 1)
        };
        let last = 10u64.checked_pow(len as u32).map_or(u64::MAX, |p| p - 1);
        let (a, b) = (min.max(first), max.min(last));
        alts.push(fixed(&pad(a, len), &pad(b, len)));
    }
    Ok(format!("0*(?:{})", alts.join("|")))
}

fn digits(n: u64) -> usize {
    n.to_string().len()
}

fn pad(n: u64, width: usize) -> String {
    format!("{n:0width$}")
}

/// A regex matching exactly the digit strings of `lo.len()` characters between `lo` and `hi`.
fn fixed(lo: &str, hi: &str) -> String {
    let (lo, hi) = (lo.as_bytes(), hi.as_bytes());
    let mut out = String::new();
    fixed_into(lo, hi, &mut out);
    out
}

fn fixed_into(lo: &[u8], hi: &[u8], out: &mut String) {
    let Some((&l, lrest)) = lo.split_first() else {
        return;
    };
    let Some((&h, hrest)) = hi.split_first() else {
        return;
    };
    if l == h {
        out.push(l as char);
        fixed_into(lrest, hrest, out);
        return;
    }
    let all = |s: &[u8], d: u8| s.iter().all(|&c| c == d);
    let any_tail = |out: &mut String, n: usize| {
        if n > 0 {
            out.push_str(&format!("[0-9]{{{n}}}"));
        }
    };
    let n = lrest.len();
    let mut alts: Vec<String> = Vec::new();
    // Digits whose whole tail range is free: from `l` (if lo's tail is all zeros) or `l+1`, to
    // `h` (if hi's tail is all nines) or `h-1`.
    let start = if all(lrest, b'0') { l } else { l + 1 };
    let end = if all(hrest, b'9') { h } else { h - 1 };
    if start != l {
        let mut s = String::new();
        s.push(l as char);
        fixed_into(lrest, &vec![b'9'; n], &mut s);
        alts.push(s);
    }
    if start <= end {
        let mut s = if start == end {
            (start as char).to_string()
        } else {
            format!("[{}-{}]", start as char, end as char)
        };
        any_tail(&mut s, n);
        alts.push(s);
    }
    if end != h {
        let mut s = String::new();
        s.push(h as char);
        fixed_into(&vec![b'0'; n], hrest, &mut s);
        alts.push(s);
    }
    if alts.len() == 1 {
        out.push_str(&alts[0]);
    } else {
        out.push_str("(?:");
        out.push_str(&alts.join("|"));
        out.push(')');
    }
}
