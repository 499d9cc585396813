//! A document's coding in a few bytes: every (excerpt, code) pair of the document, as the
//! database keeps it beside the excerpts (`coding_digests`) so that an analysis across a
//! project reads one short value per document instead of joining every excerpt to its
//! codes (issue 13: that join and turning 150,000 rows into text was most of a
//! co-occurrence table's time).
//!
//! Each pair is six integers: excerpt id, coder id, consensus (0 or 1), start, end, code
//! id. Each integer is zig-zag mapped (so a negative value costs no more than its
//! magnitude) and written as a LEB128 varint: ids and offsets of a real project take 1-3
//! bytes each, about 11 bytes a pair against 48 as plain integers (1.5 MB for the 141,000
//! pairs of issue 13's benchmark project).

/// One (excerpt, code) pair: excerpt id, coder id, consensus, start, end, code id.
pub type Pair = [i64; 6];

/// The digest of `pairs`, in their order.
pub fn encode(pairs: &[Pair]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(pairs.len() * 12);
    for value in pairs.iter().flatten() {
        let mut rest = ((value << 1) ^ (value >> 63)) as u64;
        while rest >= 0x80 {
            bytes.push((rest as u8) | 0x80);
            rest >>= 7;
        }
        bytes.push(rest as u8);
    }
    bytes
}

/// The pairs of a digest that [`encode`] wrote; `None` if the bytes are not one.
pub fn decode(bytes: &[u8]) -> Option<Vec<Pair>> {
    let mut values = Vec::with_capacity(bytes.len() / 2);
    let (mut value, mut shift) = (0u64, 0u32);
    for &byte in bytes {
        // The tenth byte holds the 64th bit only.
        if shift > 63 || (shift == 63 && byte > 1) {
            return None;
        }
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            values.push((value >> 1) as i64 ^ -((value & 1) as i64));
            (value, shift) = (0, 0);
        } else {
            shift += 7;
        }
    }
    if shift != 0 || values.len() % 6 != 0 {
        return None;
    }
    Some(
        values
            .chunks_exact(6)
            .map(|p| [p[0], p[1], p[2], p[3], p[4], p[5]])
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_come_back_exactly_as_they_went_in() {
        let pairs = vec![
            [1, 2, 0, 0, 5, 7],
            [1, 2, 0, 0, 5, 9],
            [300, 4, 1, 127, 128, 16_384],
            [i64::MAX, 1, 0, i64::MAX - 1, i64::MAX, 1],
            [-1, i64::MIN, 1, -64, 63, -65],
        ];
        assert_eq!(decode(&encode(&pairs)), Some(pairs));
        assert_eq!(decode(&encode(&[])), Some(vec![]));
    }

    #[test]
    fn small_values_take_one_byte_and_a_real_pair_about_a_dozen() {
        assert_eq!(encode(&[[0, 1, 0, 63, -64, 2]]).len(), 6);
        assert_eq!(encode(&[[64, 1, 0, 0, 0, 0]]).len(), 7);
        // Excerpt 151,361 of coder 3, a span at 20,000-20,400, code 50.
        assert_eq!(encode(&[[151_361, 3, 0, 20_000, 20_400, 50]]).len(), 12);
    }

    #[test]
    fn bytes_that_are_not_a_digest_are_refused() {
        let whole = encode(&[[1, 2, 0, 3, 400, 5]]);
        assert_eq!(decode(&whole[..whole.len() - 1]), None, "a pair cut short");
        assert_eq!(decode(&[0x80]), None, "a varint cut short");
        assert_eq!(decode(&[0xff; 11]), None, "a varint longer than 64 bits");
        let mut too_wide = vec![0xff; 9];
        too_wide.push(0x02);
        assert_eq!(decode(&too_wide), None, "a tenth byte beyond the 64th bit");
        assert_eq!(decode(&whole[..4]), None, "four integers are no pair");
    }
}
