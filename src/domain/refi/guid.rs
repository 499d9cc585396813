//! GUIDs: the ones Gloss stores (users, codes, documents, excerpts) are random v4 UUIDs
//! minted by the database; the ones that name derived things (a coding = excerpt × code,
//! a variable = project × attribute name, a case = document) are computed from the
//! stored ones, so they too are the same in every export.

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

/// A random GUID (RFC 9562 version 4) from 16 random bytes, in Gloss's form. The
/// database can mint one too (a trigger fills a missing GUID), but minting it before the
/// insert saves rewriting every new row.
pub fn random_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC variant
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
    fn random_guids_are_version_4_and_parse() {
        let guid = random_v4([0xff; 16]);
        assert_eq!(guid, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(normalise(&guid).as_deref(), Some(guid.as_str()));
        assert_eq!(random_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
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
