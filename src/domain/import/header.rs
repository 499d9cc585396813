//! The optional header at the top of a text transcript, which becomes the
//! document's title and attributes instead of part of its text:
//!
//! ```text
//! # Dialog 00355            ← title
//!
//! **Transcript ID:** work_0759   ← attribute (also `Key: value`)
//!
//! ---                       ← closes the header
//! ```
//!
//! Attribute lines are taken only when a `---` rule closes them: without
//! the rule, `**Interviewer:** Hello` would be indistinguishable from a
//! bold speaker label. For the same reason unbolded `Key: value` lines
//! count only below a `# Title`. A lone leading `# Title` needs no rule.
//! YAML front matter (`---` / `key: value` lines / `---`) is read too.

/// Title and attributes found in a header.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Header {
    pub title: Option<String>,
    pub attributes: Vec<(String, String)>,
}

/// The longest key accepted in `Key: value` header lines.
const MAX_KEY_CHARS: usize = 60;

/// Splits `text` into its header and the rest (the text after the header,
/// starting right after the header's last line).
pub(super) fn split_header(text: &str) -> (Header, &str) {
    let lines = lines_with_offsets(text);
    let Some(first) = lines.iter().position(|line| !is_blank(line.text)) else {
        return (Header::default(), text);
    };
    if is_rule(lines[first].text) {
        if let Some((header, rest_at)) = front_matter(&lines[first + 1..]) {
            return (header, &text[rest_at..]);
        }
        return (Header::default(), text);
    }
    if let Some((header, rest_at)) = ruled_header(&lines[first..]) {
        return (header, &text[rest_at..]);
    }
    match heading_title(lines[first].text) {
        Some(title) => {
            let header = Header {
                title: Some(title),
                attributes: Vec::new(),
            };
            (header, &text[lines[first].next..])
        }
        None => (Header::default(), text),
    }
}

/// A line and the byte offset where the line after it starts.
struct Line<'a> {
    text: &'a str,
    next: usize,
}

fn lines_with_offsets(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        start += piece.len();
        lines.push(Line {
            text: piece.strip_suffix('\n').unwrap_or(piece),
            next: start,
        });
    }
    lines
}

/// `# Title` lines, attribute lines and blank lines closed by a rule.
fn ruled_header(lines: &[Line<'_>]) -> Option<(Header, usize)> {
    let mut header = Header {
        title: heading_title(lines.first()?.text),
        attributes: Vec::new(),
    };
    let body_from = usize::from(header.title.is_some());
    for line in &lines[body_from..] {
        if is_rule(line.text) {
            let has_content = header.title.is_some() || !header.attributes.is_empty();
            return has_content.then_some((header, line.next));
        }
        if is_blank(line.text) {
            continue;
        }
        // Unbolded `Key: value` lines look exactly like speaker turns, so
        // they count as a header only below a `# Title`.
        let parsed = if header.title.is_some() {
            attribute(line.text)
        } else {
            bold_attribute(line.text)
        };
        header.attributes.push(parsed?);
    }
    None
}

/// `key: value` lines up to a closing rule.
fn front_matter(lines: &[Line<'_>]) -> Option<(Header, usize)> {
    let mut header = Header::default();
    for line in lines {
        if is_rule(line.text) {
            return Some((header, line.next));
        }
        if is_blank(line.text) {
            continue;
        }
        let (key, value) = plain_attribute(line.text)?;
        let value = unquote(&value).to_owned();
        if key.eq_ignore_ascii_case("title") && header.title.is_none() && !value.is_empty() {
            header.title = Some(value);
        } else {
            header.attributes.push((key, value));
        }
    }
    None
}

/// `# Title` … `###### Title` → `Title`.
fn heading_title(line: &str) -> Option<String> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let title = line[hashes..].strip_prefix([' ', '\t'])?.trim();
    (!title.is_empty()).then(|| title.trim_end_matches('#').trim_end().to_owned())
}

/// `**Key:** value`, `**Key**: value` or `Key: value`.
fn attribute(line: &str) -> Option<(String, String)> {
    bold_attribute(line).or_else(|| plain_attribute(line))
}

fn bold_attribute(line: &str) -> Option<(String, String)> {
    let inner = line.trim_start().strip_prefix("**")?;
    let close = inner.find("**")?;
    let (key, after) = (&inner[..close], &inner[close + 2..]);
    let (key, value) = match key.strip_suffix(':') {
        Some(key) => (key, after),
        None => (key, after.strip_prefix(':')?),
    };
    valid_key(key).then(|| (key.trim().to_owned(), value.trim().to_owned()))
}

fn plain_attribute(line: &str) -> Option<(String, String)> {
    let (key, value) = line.split_once(':')?;
    let separated = value.is_empty() || value.starts_with([' ', '\t']);
    (separated && valid_key(key)).then(|| (key.trim().to_owned(), value.trim().to_owned()))
}

fn valid_key(key: &str) -> bool {
    let key = key.trim();
    !key.is_empty() && key.chars().count() <= MAX_KEY_CHARS && !key.contains(['*', '#'])
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// A Markdown thematic break: three or more `-`, `*` or `_`.
fn is_rule(line: &str) -> bool {
    let line = line.trim();
    line.len() >= 3
        && ['-', '*', '_']
            .iter()
            .any(|&mark| line.chars().all(|c| c == mark))
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn reads_the_seed_header() {
        let text = "# Dialog 00355\n\n**Transcript ID:** work_0759\n\n---\n\nAssistant: Hi";
        let (header, rest) = split_header(text);
        assert_eq!(header.title.as_deref(), Some("Dialog 00355"));
        assert_eq!(header.attributes, attrs(&[("Transcript ID", "work_0759")]));
        assert_eq!(rest, "\nAssistant: Hi");
    }

    #[test]
    fn reads_plain_and_bold_keys_before_a_rule() {
        let text = "# Talk\nDate: 2024-05-01\n**Place**: Berlin\n***\nUser: hi";
        let (header, rest) = split_header(text);
        assert_eq!(header.title.as_deref(), Some("Talk"));
        assert_eq!(
            header.attributes,
            attrs(&[("Date", "2024-05-01"), ("Place", "Berlin")])
        );
        assert_eq!(rest, "User: hi");
    }

    #[test]
    fn a_lone_heading_is_a_title_without_a_rule() {
        let text = "\n# Interview 3\n\n**Interviewer:** Hello\n**Maria:** Hi";
        let (header, rest) = split_header(text);
        assert_eq!(header.title.as_deref(), Some("Interview 3"));
        assert!(header.attributes.is_empty());
        assert_eq!(rest, "\n**Interviewer:** Hello\n**Maria:** Hi");
    }

    #[test]
    fn reads_yaml_front_matter() {
        let text = "---\ntitle: \"Site visit\"\nsite: Leeds\n---\nBody";
        let (header, rest) = split_header(text);
        assert_eq!(header.title.as_deref(), Some("Site visit"));
        assert_eq!(header.attributes, attrs(&[("site", "Leeds")]));
        assert_eq!(rest, "Body");
    }

    #[test]
    fn text_without_a_header_is_returned_whole() {
        for text in [
            "User: hi\n---\nAI: hello",
            "Interviewer: hi\n\nMaria: hello",
            "---\nnot front matter\n---",
            "#hashtag first",
            "",
            "# \n",
        ] {
            let (header, rest) = split_header(text);
            assert_eq!(header, Header::default(), "{text:?}");
            assert_eq!(rest, text);
        }
    }
}
