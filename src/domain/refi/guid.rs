//! GUIDs: the ones Gloss stores for users, codes and documents are random v4 UUIDs
//! minted by the database, excerpts' are time-ordered v7 UUIDs minted before the insert;
//! the ones that name derived things (a coding = excerpt × code, a variable = project ×
//! attribute name, a case = document) are computed from the stored ones, so they too are
//! the same in every export.

use sha2::{Digest, Sha256};

/// A name-based GUID (RFC 9562 version 8, from SHA-256) for `kind` and `parts`: the
/// same inputs give the same GUID in every export.
pub fn derived(kind: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"gloss-refi:");
    hasher.update(kind.as_bytes());
    for part in parts {
        // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC variant
    format_uuid(&bytes)
}

/// A time-ordered GUID (RFC 9562 version 7): `unix_ms` in the first 48 bits, then
/// `sequence` (its low 18 bits, the RFC's "dedicated counter" method) and 56 bits of
/// `random`. Excerpt GUIDs are minted this way because the unique index on them is the
/// one index every excerpt insert would otherwise write at a random place: a project of
/// 150,000 excerpts then touched a different leaf page for nearly every row, more pages
/// than the cache holds, and an import spent much of its time reading and spilling them.
/// GUIDs minted in one batch (one `sequence` run in one millisecond) sort in order, and
/// every later millisecond's after them, so new index entries go to one narrow place.
pub fn time_ordered(unix_ms: u64, sequence: u32, random: [u8; 16]) -> String {
    let mut bytes = random;
    bytes[..6].copy_from_slice(&unix_ms.to_be_bytes()[2..]);
    let sequence = sequence & 0x3_ffff;
    bytes[6] = 0x70 | (sequence >> 14) as u8; // version 7, then the sequence's top 4 bits
    bytes[7] = (sequence >> 6) as u8;
    bytes[8] = 0x80 | (sequence & 0x3f) as u8; // RFC variant, then its low 6 bits
    format_uuid(&bytes)
}

fn format_uuid(bytes: &[u8; 16]) -> String {
    let text = uuid_text(bytes);
    std::str::from_utf8(&text).expect("ASCII").to_owned()
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lower case, without allocating: an import
/// formats one for every selection, and `format!` per byte was a tenth of its time.
fn uuid_text(bytes: &[u8; 16]) -> [u8; 36] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'-'; 36];
    let mut at = 0;
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        text[at] = HEX[usize::from(byte >> 4)];
        text[at + 1] = HEX[usize::from(byte & 0x0f)];
        at += 2;
    }
    text
}

/// A GUID held as its 16 bytes: a parsed project keeps one for every selection, its
/// codes and its creating user, which as strings cost ~70 bytes each (~20 MB on a
/// 150,000-selection import). Displays in Gloss's form, like [`normalise`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Guid([u8; 16]);

impl Guid {
    /// A GUID as peers write it; `None` if it is not one.
    /// Accepts exactly what [`normalise`] accepts, without allocating.
    pub fn parse(raw: &str) -> Option<Self> {
        let trimmed = raw.trim();
        let inner = trimmed
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .unwrap_or(trimmed)
            .as_bytes();
        if inner.len() != 36 || [8, 13, 18, 23].iter().any(|&i| inner[i] != b'-') {
            return None;
        }
        let mut digits = inner.iter().filter(|&&c| c != b'-');
        let mut bytes = [0u8; 16];
        for byte in &mut bytes {
            let high = hex_value(*digits.next()?)?;
            let low = hex_value(*digits.next()?)?;
            *byte = high << 4 | low;
        }
        // A dash anywhere else leaves too few digits for the 16 bytes.
        digits.next().is_none().then_some(Self(bytes))
    }
}

impl std::fmt::Display for Guid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(std::str::from_utf8(&uuid_text(&self.0)).expect("ASCII"))
    }
}

fn hex_value(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// A GUID as peers write it (either case, with or without braces) in Gloss's form:
/// lower case, no braces; `None` if it is not a GUID at all.
pub fn normalise(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let inner = trimmed
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(trimmed);
    let groups: Vec<&str> = inner.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    let well_formed = groups.len() == 5
        && groups
            .iter()
            .zip(lengths)
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()));
    well_formed.then(|| inner.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_ordered_guids_are_version_7_and_sort_by_time_then_sequence() {
        let guid = time_ordered(0x0123_4567_89ab, 0x3_ffff, [0xff; 16]);
        assert_eq!(guid, "01234567-89ab-7fff-bfff-ffffffffffff");
        assert_eq!(normalise(&guid).as_deref(), Some(guid.as_str()));
        assert_eq!(
            time_ordered(0, 0, [0; 16]),
            "00000000-0000-7000-8000-000000000000"
        );
        // Whatever the random bytes, a batch sorts in sequence order, and a later
        // millisecond after the whole batch.
        let noise = |i: u32| {
            let mut bytes = [0u8; 16];
            for (j, byte) in bytes.iter_mut().enumerate() {
                *byte = (i as u8)
                    .wrapping_mul(151)
                    .wrapping_add((j as u8).wrapping_mul(37));
            }
            bytes
        };
        let batch: Vec<String> = (0..1000)
            .map(|i| time_ordered(5_000, i, noise(i)))
            .collect();
        assert!(batch.windows(2).all(|pair| pair[0] < pair[1]));
        let later = time_ordered(5_001, 0, [0; 16]);
        assert!(batch.iter().all(|guid| *guid < later));
        assert!(batch.iter().all(|guid| &guid[14..15] == "7"));
    }

    #[test]
    fn derived_guids_are_stable_distinct_and_well_formed() {
        let a = derived("coding", &["e1", "c1"]);
        assert_eq!(a, derived("coding", &["e1", "c1"]));
        assert_ne!(a, derived("coding", &["e1c", "1"]));
        assert_ne!(a, derived("case", &["e1", "c1"]));
        assert_eq!(normalise(&a).as_deref(), Some(a.as_str()));
        assert_eq!(&a[14..15], "8");
    }

    #[test]
    fn peers_guid_spellings_are_normalised() {
        let want = Some("68bbdc14-c361-4432-b4dd-ae1dbfc12890".to_owned());
        assert_eq!(normalise("68BBDC14-C361-4432-B4DD-AE1DBFC12890"), want);
        assert_eq!(normalise("{68bbdc14-c361-4432-b4dd-ae1dbfc12890}"), want);
        assert_eq!(normalise(" 68bbdc14-c361-4432-b4dd-ae1dbfc12890 "), want);
        assert_eq!(normalise("68bbdc14-c361-4432-b4dd-ae1dbfc1289"), None);
        assert_eq!(normalise("not-a-guid"), None);
    }

    #[test]
    fn a_compact_guid_displays_as_the_normalised_string() {
        let raw = "{68BBDC14-C361-4432-B4DD-AE1DBFC12890}";
        let guid = Guid::parse(raw).expect("a GUID");
        assert_eq!(Some(guid.to_string()), normalise(raw));
        assert_eq!(
            Guid::parse("68bbdc14-c361-4432-b4dd-ae1dbfc12890"),
            Some(guid)
        );
        assert_eq!(Guid::parse("not-a-guid"), None);
        assert_eq!(Guid::parse("68bbdc14-c361-4432-b4dd-ae1dbfc1289g"), None);
        assert_eq!(Guid::parse("68bbdc14-c361-4432-b4dd-ae1dbfc128-9"), None);
        assert_eq!(
            Guid::parse(" {68bbdc14-c361-4432-b4dd-ae1dbfc12890} "),
            Some(guid)
        );
    }
}
