//! Short byte strings summed up by two little-endian words: with its length, the pair
//! determines a string of up to [`SHORT`] bytes, so two such strings compare in two word
//! comparisons, without a call to `memcmp`; of a longer string it covers the first and last 8
//! bytes. The decoder's key tables, the VM's string lists and the prefilter's string maps all
//! read short strings this way.

/// Longest string its [`words`] determine.
pub(crate) const SHORT: usize = 16;

/// The first and last 8 bytes of `s` (overlapping below 16 bytes); below 8 bytes, the first
/// and last 4 packed into the first word; below 4, the first, middle and last byte (every
/// byte of such a string); the second word is 0 below 8 bytes, both are 0 for "".
#[inline(always)]
pub(crate) fn words(s: &[u8]) -> (u64, u64) {
    if let (Some(a), Some(b)) = (s.first_chunk::<8>(), s.last_chunk::<8>()) {
        return (u64::from_le_bytes(*a), u64::from_le_bytes(*b));
    }
    let n = s.len();
    let w = if let (Some(a), Some(b)) = (s.first_chunk::<4>(), s.last_chunk::<4>()) {
        u64::from(u32::from_le_bytes(*a)) | u64::from(u32::from_le_bytes(*b)) << 32
    } else if let (Some(&first), Some(&last)) = (s.first(), s.last()) {
        let middle = s.get(n / 2).copied().unwrap_or(0);
        u64::from(first) | u64::from(middle) << 8 | u64::from(last) << 16
    } else {
        0
    };
    (w, 0)
}

/// The string of `len` bytes (at most [`SHORT`]) whose words are `head` and `tail`: the
/// inverse of [`words`] (`None` for a longer length).
pub(crate) fn unwords(len: usize, head: u64, tail: u64) -> Option<Vec<u8>> {
    let (h, t) = (head.to_le_bytes(), tail.to_le_bytes());
    let mut s = vec![0u8; len];
    match len {
        0 => {}
        1..=3 => {
            // First, middle and last byte: for one or two bytes some are the same byte.
            for (at, b) in [(0, h[0]), (len / 2, h[1]), (len - 1, h[2])] {
                *s.get_mut(at)? = b;
            }
        }
        4..=7 => {
            s.get_mut(..4)?.copy_from_slice(h.get(..4)?);
            s.get_mut(len - 4..)?.copy_from_slice(h.get(4..)?);
        }
        8..=SHORT => {
            s.get_mut(..8)?.copy_from_slice(&h);
            s.get_mut(len - 8..)?.copy_from_slice(&t);
        }
        _ => return None,
    }
    Some(s)
}

/// `a == b`, without a call to `memcmp` for strings of at most [`SHORT`] bytes (event values
/// and literals mostly are): those are compared by the loads [`words`] makes, as they are read.
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // The first and last 4 or 8 bytes of each, compared pair by pair (the second pair is
    // read only when the first agrees): fixed-size arrays, compared as one word each.
    match a.len() {
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => ends::<4>(a) == ends::<4>(b),
        8..=SHORT => ends::<8>(a) == ends::<8>(b),
        _ => a == b,
    }
}

/// The first and last `N` bytes of `s` (`None` below `N` bytes).
#[inline(always)]
fn ends<const N: usize>(s: &[u8]) -> Option<(&[u8; N], &[u8; N])> {
    Some((s.first_chunk::<N>()?, s.last_chunk::<N>()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings of one length up to 16 bytes have the same words exactly when they are equal:
    /// one byte changed at each position (each word, each overlap) changes them.
    #[test]
    fn words_tell_strings_of_one_length_apart() {
        for n in 0..=SHORT {
            let a: Vec<u8> = (0..n as u8).map(|i| b'a' + i).collect();
            assert_eq!(words(&a), words(&a.clone()), "{n}");
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 0x01;
                assert_ne!(words(&a), words(&b), "{n} {i}");
            }
        }
    }

    /// `unwords` gives back every string of up to 16 bytes from its words.
    #[test]
    fn unwords_inverts_words() {
        for n in 0..=SHORT {
            let s: Vec<u8> = (0..n as u8).map(|i| b'a' + i * 7 % 26).collect();
            let (head, tail) = words(&s);
            assert_eq!(unwords(n, head, tail), Some(s), "{n}");
        }
        assert_eq!(unwords(SHORT + 1, 0, 0), None);
    }

    /// Longer strings: the words are the first and last 8 bytes.
    #[test]
    fn words_of_a_long_string_are_its_ends() {
        let s = b"0123456789abcdefXYZ";
        let want = (
            u64::from_le_bytes(*b"01234567"),
            u64::from_le_bytes(*b"bcdefXYZ"),
        );
        assert_eq!(words(s), want);
    }

    /// `same_bytes` agrees with `==` on every length up to 20, with one byte changed at
    /// each position and with lengths that differ.
    #[test]
    fn same_bytes_is_slice_equality() {
        for n in 0..=20usize {
            let a: Vec<u8> = (0..n as u8).map(|i| b'a' + i).collect();
            assert!(same_bytes(&a, &a.clone()), "{n}");
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 0x01;
                assert!(!same_bytes(&a, &b), "{n} {i}");
            }
            let mut longer = a.clone();
            longer.push(b'a');
            assert!(!same_bytes(&a, &longer), "{n}");
            assert!(!same_bytes(&longer, &a), "{n}");
        }
    }
}
