//! Compiled rule packs: a verified [`Program`] plus one opaque metadata string per query (the
//! rule layer stores each rule's alert metadata there), behind a small header that lets a loader
//! refuse a file that is not a pack, comes from another format version, or was damaged.
//!
//! Layout (integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 0..8 | magic `EQLVMPK\0` |
//! | 8..12 | pack format version ([`PACK_VERSION`]) |
//! | 12..20 | payload length in bytes |
//! | 20..28 | FNV-1a 64 checksum of the payload |
//! | 28.. | payload: JSON `{"program": …, "meta": ["…", …]}` |
//!
//! The checksum catches accidental damage (truncation, flipped bytes), not tampering: a
//! hand-made pack with a valid checksum still goes through [`verify`], which rejects any index
//! out of range, so loading never yields a program the VM could mis-execute.

use crate::program::Program;
use crate::verify::{verify, VerifyError};
use serde::{Deserialize, Serialize};

/// The first bytes of every pack.
pub const MAGIC: [u8; 8] = *b"EQLVMPK\0";
/// The pack format this build writes and reads.
pub const PACK_VERSION: u32 = 1;
/// Header size in bytes.
pub const HEADER_LEN: usize = 28;

/// A program and the per-query metadata that travels with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pack {
    pub program: Program,
    /// `meta[q]` belongs to query `q` of the program (opaque here; JSON in practice).
    pub meta: Vec<String>,
}

/// Why a pack was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    #[error("not an eqlvm rule pack (bad magic bytes)")]
    BadMagic,
    #[error("rule pack format {found} is not supported (this build reads format {expected})")]
    Version { found: u32, expected: u32 },
    #[error("rule pack is truncated: header says {expected} payload bytes, file has {found}")]
    Truncated { expected: u64, found: u64 },
    #[error("rule pack has {0} unexpected bytes after its payload")]
    Trailing(u64),
    #[error("rule pack checksum mismatch (stored {stored:016x}, computed {computed:016x}): the file is corrupted")]
    Checksum { stored: u64, computed: u64 },
    #[error("rule pack payload does not decode: {0}")]
    Payload(String),
    #[error("rule pack has {meta} metadata entries for {queries} queries")]
    MetaCount { meta: usize, queries: usize },
    #[error("rule pack program rejected by the verifier: {0}")]
    Verify(#[from] VerifyError),
}

/// FNV-1a, 64-bit: the pack checksum.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Wraps an already-encoded payload in a header (also used by tests to build hand-made packs).
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&PACK_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a64(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Serialises a pack.
pub fn write(pack: &Pack) -> Result<Vec<u8>, PackError> {
    let payload = serde_json::to_vec(pack).map_err(|e| PackError::Payload(e.to_string()))?;
    Ok(frame(&payload))
}

fn le_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(b);
    u32::from_le_bytes(a)
}

fn le_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    u64::from_le_bytes(a)
}

/// Checks the header and checksum and returns the payload.
pub fn unframe(bytes: &[u8]) -> Result<&[u8], PackError> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(PackError::BadMagic);
    }
    if bytes.len() < HEADER_LEN {
        return Err(PackError::Truncated {
            expected: HEADER_LEN as u64,
            found: bytes.len() as u64,
        });
    }
    let version = le_u32(&bytes[8..12]);
    if version != PACK_VERSION {
        return Err(PackError::Version {
            found: version,
            expected: PACK_VERSION,
        });
    }
    let len = le_u64(&bytes[12..20]);
    let stored = le_u64(&bytes[20..28]);
    let payload = &bytes[HEADER_LEN..];
    let have = payload.len() as u64;
    if have < len {
        return Err(PackError::Truncated {
            expected: len,
            found: have,
        });
    }
    if have > len {
        return Err(PackError::Trailing(have - len));
    }
    let computed = fnv1a64(payload);
    if computed != stored {
        return Err(PackError::Checksum { stored, computed });
    }
    Ok(payload)
}

/// Reads a pack: header, checksum, payload, metadata count, then the verifier.
pub fn read(bytes: &[u8]) -> Result<Pack, PackError> {
    let payload = unframe(bytes)?;
    let pack: Pack =
        serde_json::from_slice(payload).map_err(|e| PackError::Payload(e.to_string()))?;
    if pack.meta.len() != pack.program.queries.len() {
        return Err(PackError::MetaCount {
            meta: pack.meta.len(),
            queries: pack.program.queries.len(),
        });
    }
    verify(&pack.program)?;
    Ok(pack)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Pack {
        Pack {
            program: Program::new(),
            meta: Vec::new(),
        }
    }

    #[test]
    fn round_trip() {
        let bytes = write(&sample()).unwrap();
        assert_eq!(read(&bytes).unwrap(), sample());
    }

    #[test]
    fn header_damage_is_named() {
        let good = write(&sample()).unwrap();
        assert_eq!(read(b"{}"), Err(PackError::BadMagic));
        let mut v = good.clone();
        v[8] = 9;
        assert!(matches!(read(&v), Err(PackError::Version { found: 9, .. })));
        let cut = &good[..good.len() - 3];
        assert!(matches!(read(cut), Err(PackError::Truncated { .. })));
        let mut v = good.clone();
        let last = v.len() - 2;
        v[last] ^= 0x20;
        assert!(matches!(read(&v), Err(PackError::Checksum { .. })));
        let mut v = good;
        v.push(b' ');
        assert_eq!(read(&v), Err(PackError::Trailing(1)));
    }

    #[test]
    fn fnv_known_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
