//! The coded-excerpts CSV: its columns and how one row is written. One row per
//! (excerpt, code); cells that a spreadsheet would run as formulas are neutralised.

use super::spreadsheet::neutralise;

/// Byte-order mark that makes Excel read the file as UTF-8.
pub const EXCEL_BOM: &str = "\u{feff}";

/// The columns of an export: fixed ones around the project's attribute names, with time
/// columns only when some transcript has times.
#[derive(Debug, Clone)]
pub struct Columns {
    pub attributes: Vec<String>,
    pub times: bool,
}

const LEADING: [&str; 3] = ["project", "document_id", "document"];
const EXCERPT: [&str; 8] = [
    "excerpt_id",
    "coder",
    "code",
    "code_path",
    "start",
    "end",
    "speakers",
    "speaker_roles",
];
const TIMES: [&str; 2] = ["start_time", "end_time"];
const TRAILING: [&str; 4] = ["text", "memo", "created_at", "updated_at"];

impl Columns {
    pub fn header(&self) -> Vec<String> {
        let mut header: Vec<String> = LEADING.map(String::from).to_vec();
        header.extend(self.attributes.iter().map(|name| attribute_column(name)));
        header.extend(EXCERPT.map(String::from));
        if self.times {
            header.extend(TIMES.map(String::from));
        }
        header.extend(TRAILING.map(String::from));
        header
    }
}

/// An attribute's column name: its own, neutralised like a cell (it comes from the
/// data), and prefixed with `attribute:` where it would repeat a fixed column's name
/// (a data set with a `text` column would otherwise give two `text` columns, and R or
/// pandas would read the wrong one as the excerpt text).
fn attribute_column(name: &str) -> String {
    let fixed = LEADING
        .iter()
        .chain(&EXCERPT)
        .chain(&TIMES)
        .chain(&TRAILING)
        .any(|column| column.eq_ignore_ascii_case(name.trim()));
    if fixed {
        format!("attribute: {name}")
    } else {
        neutralise(name).into_owned()
    }
}

/// Everything one row says about one code on one excerpt.
pub struct Row<'a> {
    pub project: &'a str,
    pub document_id: i64,
    pub document: &'a str,
    /// Values in the order of `Columns::attributes` (empty when the document lacks one).
    pub attributes: Vec<&'a str>,
    pub excerpt_id: i64,
    pub coder: &'a str,
    pub code: &'a str,
    pub code_path: &'a str,
    pub start: i64,
    pub end: i64,
    pub speakers: &'a str,
    pub speaker_roles: &'a str,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub text: &'a str,
    pub memo: &'a str,
    pub created_at: &'a str,
    pub updated_at: &'a str,
}

impl Row<'_> {
    /// The row's cells in header order, neutralised for spreadsheets.
    pub fn cells(&self, columns: &Columns) -> Vec<String> {
        let mut cells: Vec<String> = vec![
            self.project.into(),
            self.document_id.to_string(),
            self.document.into(),
        ];
        cells.extend(self.attributes.iter().map(|a| (*a).to_owned()));
        cells.extend([
            self.excerpt_id.to_string(),
            self.coder.into(),
            self.code.into(),
            self.code_path.into(),
            self.start.to_string(),
            self.end.to_string(),
            self.speakers.into(),
            self.speaker_roles.into(),
        ]);
        if columns.times {
            cells.push(self.start_time.clone().unwrap_or_default());
            cells.push(self.end_time.clone().unwrap_or_default());
        }
        cells.extend([
            self.text.into(),
            self.memo.into(),
            self.created_at.into(),
            self.updated_at.into(),
        ]);
        cells
            .into_iter()
            .map(|c| neutralise(&c).into_owned())
            .collect()
    }
}

/// `hh:mm:ss.mmm`, the time format of the export.
pub fn clock(ms: i64) -> String {
    let ms = ms.max(0);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> Row<'static> {
        Row {
            project: "P",
            document_id: 7,
            document: "=cmd",
            attributes: vec!["Leeds", ""],
            excerpt_id: 3,
            coder: "alice",
            code: "Trust",
            code_path: "Concerns > Trust",
            start: 10,
            end: 20,
            speakers: "User",
            speaker_roles: "participant",
            start_time: Some(clock(62_500)),
            end_time: None,
            text: "-1 said \"yes\", then\nleft",
            memo: "@home",
            created_at: "2026-11-27T12:00:00.000Z",
            updated_at: "2026-11-27T12:00:00.000Z",
        }
    }

    #[test]
    fn attributes_named_like_fixed_columns_are_told_apart() {
        let columns = Columns {
            attributes: vec!["text".into(), "Coder".into(), "site".into()],
            times: false,
        };
        let header = columns.header();
        assert_eq!(
            &header[3..6],
            ["attribute: text", "attribute: Coder", "site"]
        );
        let distinct: std::collections::HashSet<_> = header.iter().collect();
        assert_eq!(
            distinct.len(),
            header.len(),
            "no column name twice: {header:?}"
        );
    }

    #[test]
    fn header_places_attributes_and_optional_times() {
        let columns = Columns {
            attributes: vec!["site".into(), "wave".into()],
            times: true,
        };
        let header = columns.header();
        assert_eq!(
            &header[..5],
            ["project", "document_id", "document", "site", "wave"]
        );
        assert!(header.contains(&"start_time".to_string()));
        let hostile = Columns {
            attributes: vec!["=HYPERLINK(\"x\")".into()],
            times: false,
        }
        .header();
        assert_eq!(hostile[3], "'=HYPERLINK(\"x\")");
        let without = Columns {
            attributes: vec![],
            times: false,
        }
        .header();
        assert!(!without.contains(&"start_time".to_string()));
        assert_eq!(without.len(), 3 + 8 + 4);
    }

    #[test]
    fn cells_follow_the_header_and_are_neutralised() {
        let columns = Columns {
            attributes: vec!["site".into(), "wave".into()],
            times: true,
        };
        let cells = row().cells(&columns);
        assert_eq!(cells.len(), columns.header().len());
        assert_eq!(cells[2], "'=cmd");
        assert_eq!(cells[3], "Leeds");
        assert_eq!(cells[13], "00:01:02.500");
        assert_eq!(cells[15], "'-1 said \"yes\", then\nleft");
        assert_eq!(cells[16], "'@home");
    }
}
