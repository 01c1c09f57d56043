//! IP addresses for IP slots: the dotted-quad IPv4 form is read directly, everything else by the
//! standard library's parser, whose answers the direct path repeats exactly (see the tests).

use std::net::{IpAddr, Ipv4Addr};

/// The address `s` stands for: the same answer as `s.parse::<IpAddr>().ok()`.
#[inline]
pub(crate) fn parse_ip(s: &str) -> Option<IpAddr> {
    match dotted_quad(s.as_bytes()) {
        Some(v4) => Some(IpAddr::V4(v4)),
        None => s.parse().ok(),
    }
}

/// Four decimal octets (0 to 255, no leading zeros) joined by dots and nothing else: the IPv4
/// form the standard parser takes. `None` for anything else, which that parser then judges.
fn dotted_quad(b: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut i = 0;
    for (k, octet) in octets.iter_mut().enumerate() {
        if k > 0 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let start = i;
        let mut v = 0u32;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() || i - start == 3 {
                break;
            }
            v = v * 10 + u32::from(c - b'0');
            i += 1;
        }
        let digits = i - start;
        if digits == 0 || (digits > 1 && b.get(start) == Some(&b'0')) || v > 255 {
            return None;
        }
        *octet = v as u8;
    }
    (i == b.len()).then_some(Ipv4Addr::from(octets))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_std(s: &str) -> bool {
        let want = s.parse::<IpAddr>().ok();
        assert_eq!(parse_ip(s), want, "{s:?}");
        want.is_some()
    }

    #[test]
    fn edge_cases_agree_with_std() {
        let cases = [
            "0.0.0.0",
            "255.255.255.255",
            "10.3.4.26",
            "1.2.3.4",
            "256.0.0.0",
            "1.2.3.256",
            "999.1.1.1",
            "01.2.3.4",
            "1.2.3.04",
            "00.0.0.0",
            "0.0.0.00",
            "1.2.3",
            "1.2.3.4.",
            ".1.2.3.4",
            "1..2.3",
            "1.2.3.4.5",
            "1234.1.1.1",
            "1.2.3.4 ",
            " 1.2.3.4",
            "1.2.3.+4",
            "1.2.3.-4",
            "",
            ".",
            "fe80::1326:bda9",
            "::1",
            "::",
            "::ffff:1.2.3.4",
            "1.2.3.4:80",
            "1:2:3:4:5:6:7:8",
            "1.2.3.٣",
        ];
        for c in cases {
            same_as_std(c);
        }
    }

    #[test]
    fn random_strings_agree_with_std() {
        let mut x = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut v4 = 0;
        for _ in 0..200_000 {
            let mut s = String::new();
            if next(2) == 0 {
                // Four octets, some with leading zeros, too many digits or out of range, with
                // now and then a wrong separator or a stray byte.
                for k in 0..4 {
                    if k > 0 {
                        s.push(match next(40) {
                            0 => ':',
                            1 => ',',
                            _ => '.',
                        });
                    }
                    let n = match next(10) {
                        0 => 1000 + next(9000),
                        1 => 256 + next(744),
                        _ => next(256),
                    };
                    let zeros = if next(12) == 0 { 1 + next(2) } else { 0 };
                    s.push_str(&"0".repeat(zeros as usize));
                    s.push_str(&n.to_string());
                }
                if next(20) == 0 {
                    s.insert(
                        next(s.len() as u64 + 1) as usize,
                        ['.', '1', 'a', ' '][next(4) as usize],
                    );
                }
            } else {
                let alphabet = b"0123456789..::abcdef%";
                for _ in 0..next(20) {
                    s.push(char::from(alphabet[next(alphabet.len() as u64) as usize]));
                }
            }
            v4 += usize::from(same_as_std(&s) && s.contains('.'));
        }
        assert!(v4 > 10_000, "{v4}");
    }
}
