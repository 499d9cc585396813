//! Clock times as they appear in transcripts and subtitles
//! (`01:02:03`, `2:03`, `00:00:01.500`, `00:00:01,500`), in milliseconds.

/// Parses `h:mm:ss`, `mm:ss`, each optionally followed by a fraction of a
/// second after `.` or `,` (SRT uses a comma). Returns `None` for anything
/// else, including minutes or seconds ≥ 60 and values that would overflow.
pub(super) fn parse_clock(text: &str) -> Option<u64> {
    let (clock, fraction) = match text.find(['.', ',']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let (hours, minutes, seconds) = match parts.as_slice() {
        [h, m, s] => (number(h, 1..=4)?, number(m, 2..=2)?, number(s, 2..=2)?),
        [m, s] => (0, number(m, 1..=2)?, number(s, 2..=2)?),
        _ => return None,
    };
    if minutes >= 60 || seconds >= 60 {
        return None;
    }
    let millis = match fraction {
        Some(digits) => fraction_millis(digits)?,
        None => 0,
    };
    let whole_seconds = hours * 3600 + minutes * 60 + seconds;
    whole_seconds.checked_mul(1000)?.checked_add(millis)
}

/// A timestamp in brackets or parentheses at the very start of `text`:
/// `[00:01:02]`, `(1:02)`, `[00:01:02.5]`. Returns the time and the byte
/// length of the bracketed part.
pub(super) fn bracketed_prefix(text: &str) -> Option<(u64, usize)> {
    let close = match text.as_bytes().first()? {
        b'[' => ']',
        b'(' => ')',
        _ => return None,
    };
    let end = text.find(close)?;
    let millis = parse_clock(text[1..end].trim())?;
    Some((millis, end + 1))
}

/// An unsigned decimal with a digit count in `digits`; the bound keeps
/// multiplication far from overflow.
fn number(text: &str, digits: std::ops::RangeInclusive<usize>) -> Option<u64> {
    if !digits.contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `5` → 500 ms, `05` → 50 ms, `123456` → 123 ms (digits past the
/// millisecond are dropped, not rounded, so a time never moves forward).
fn fraction_millis(digits: &str) -> Option<u64> {
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let padded = format!("{digits:0<3}");
    padded[..3].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_clock_shapes() {
        assert_eq!(parse_clock("00:00:52"), Some(52_000));
        assert_eq!(parse_clock("1:02:03"), Some(3_723_000));
        assert_eq!(parse_clock("02:03"), Some(123_000));
        assert_eq!(parse_clock("2:03"), Some(123_000));
        assert_eq!(parse_clock("00:00:01.500"), Some(1_500));
        assert_eq!(parse_clock("00:00:01,5"), Some(1_500));
        assert_eq!(parse_clock("100:00:00.000"), Some(360_000_000));
    }

    #[test]
    fn rejects_what_is_not_a_clock() {
        for text in [
            "",
            "12",
            "1:2",
            "00:60:00",
            "00:00:61",
            "a:bc",
            "00:00:01.",
            "1:2:3:4",
            "00:00:01.x",
            "99999:00:00",
        ] {
            assert_eq!(parse_clock(text), None, "{text:?}");
        }
    }

    #[test]
    fn finds_a_bracketed_timestamp_only_at_the_start() {
        assert_eq!(bracketed_prefix("[00:01:02] hi"), Some((62_000, 10)));
        assert_eq!(bracketed_prefix("(01:02) hi"), Some((62_000, 7)));
        assert_eq!(bracketed_prefix("[inaudible 00:01:02]"), None);
        assert_eq!(bracketed_prefix("hi [00:01:02]"), None);
        assert_eq!(bracketed_prefix("[00:01:02"), None);
    }
}
