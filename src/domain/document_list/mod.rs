//! The project's document list as a user browses it: search by title and attribute
//! values, filter by an attribute and by whether anything is coded, sort by any column,
//! and cut into numbered pages. Pure: the service hands it the project's rows.

use std::cmp::Ordering;

/// One document as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub title: String,
    pub length: i64,
    pub turns: i64,
    /// Code points covered by at least one excerpt the caller may see.
    pub coded: i64,
    pub created_at: String,
    pub attributes: Vec<(String, String)>,
    /// The start of the first participant turn.
    pub first_line: Option<String>,
}

impl Row {
    /// Coded share in whole per cent (0 for an empty document).
    pub fn coded_percent(&self) -> i64 {
        match self.length {
            0 => 0,
            n => self.coded * 100 / n,
        }
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Import order (the id), the default.
    #[default]
    Added,
    Title,
    Length,
    Turns,
    Coded,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [
        SortKey::Added,
        SortKey::Title,
        SortKey::Length,
        SortKey::Turns,
        SortKey::Coded,
    ];

    pub fn parse(text: &str) -> Option<SortKey> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Added => "added",
            SortKey::Title => "title",
            SortKey::Length => "length",
            SortKey::Turns => "turns",
            SortKey::Coded => "coded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Added => "date added",
            SortKey::Title => "title",
            SortKey::Length => "length",
            SortKey::Turns => "turns",
            SortKey::Coded => "coded share",
        }
    }
}

/// Whether to keep documents with or without any coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coded {
    Yes,
    No,
}

pub const PAGE_SIZES: [usize; 4] = [25, 50, 100, 200];
pub const DEFAULT_PAGE_SIZE: usize = 50;

#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Words that must each occur (any case) in the title or an attribute value.
    pub search: String,
    pub attribute: Option<(String, String)>,
    pub coded: Option<Coded>,
    pub sort: SortKey,
    pub descending: bool,
    /// 1-based; past the last page reads as the last page.
    pub page: usize,
    pub per_page: usize,
}

/// One page of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub rows: Vec<Row>,
    /// Documents that match (on every page).
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    pub per_page: usize,
}

/// The page `query` asks for, of the rows that match it, in its order.
pub fn browse(rows: Vec<Row>, query: &Query) -> Listing {
    let words: Vec<String> = query
        .search
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut kept: Vec<Row> = rows
        .into_iter()
        .filter(|row| matches_words(row, &words) && keeps(row, query))
        .collect();
    kept.sort_by(|a, b| {
        let order = compare(a, b, query.sort).then(a.id.cmp(&b.id));
        match query.descending {
            true => order.reverse(),
            false => order,
        }
    });
    let per_page = match PAGE_SIZES.contains(&query.per_page) {
        true => query.per_page,
        false => DEFAULT_PAGE_SIZE,
    };
    let matching = kept.len();
    let pages = matching.div_ceil(per_page).max(1);
    let page = query.page.clamp(1, pages);
    let rows = kept
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    Listing {
        rows,
        matching,
        page,
        pages,
        per_page,
    }
}

fn matches_words(row: &Row, words: &[String]) -> bool {
    words.iter().all(|word| {
        row.title.to_lowercase().contains(word)
            || row
                .attributes
                .iter()
                .any(|(_, value)| value.to_lowercase().contains(word))
    })
}

fn keeps(row: &Row, query: &Query) -> bool {
    let attribute = query
        .attribute
        .as_ref()
        .is_none_or(|(name, value)| row.attribute(name) == Some(value.as_str()));
    let coded = match query.coded {
        None => true,
        Some(Coded::Yes) => row.coded > 0,
        Some(Coded::No) => row.coded == 0,
    };
    attribute && coded
}

fn compare(a: &Row, b: &Row, key: SortKey) -> Ordering {
    match key {
        SortKey::Added => a.id.cmp(&b.id),
        SortKey::Title => natural(&a.title, &b.title),
        SortKey::Length => a.length.cmp(&b.length),
        SortKey::Turns => a.turns.cmp(&b.turns),
        // Compare the shares exactly: a.coded / a.length against b.coded / b.length.
        SortKey::Coded => {
            let share = |r: &Row| (r.coded as i128, r.length.max(1) as i128);
            let ((an, ad), (bn, bd)) = (share(a), share(b));
            (an * bd).cmp(&(bn * ad))
        }
    }
}

/// Case-insensitive, with runs of digits compared as numbers ("Interview 9" before
/// "Interview 10").
fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let (m, n) = (digits(&mut x), digits(&mut y));
                let order = m.len().cmp(&n.len()).then_with(|| m.cmp(&n));
                if order != Ordering::Equal {
                    return order;
                }
            }
            (Some(c), Some(d)) => {
                let order = c.to_lowercase().cmp(d.to_lowercase());
                if order != Ordering::Equal {
                    return order;
                }
                x.next();
                y.next();
            }
        }
    }
}

/// The run of digits at the front, without leading zeros.
fn digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut run = String::new();
    while let Some(c) = chars.next_if(char::is_ascii_digit) {
        run.push(c);
    }
    match run.trim_start_matches('0') {
        "" => "0".to_owned(),
        rest => rest.to_owned(),
    }
}

/// Whether a title reads as an identifier rather than a name ("work_0001", "P-17",
/// "12"): one word with a digit in it. Such titles get a line beside them.
pub fn looks_like_id(title: &str) -> bool {
    !title.trim().contains(char::is_whitespace) && title.chars().any(|c| c.is_ascii_digit())
}

/// At most `max` characters of `text` on one line, with an ellipsis when cut.
pub fn snippet(text: &str, max: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.chars().count() > max {
        true => format!("{}…", line.chars().take(max).collect::<String>().trim_end()),
        false => line,
    }
}

#[cfg(test)]
mod tests;
