//! The codebook's values and shape: code names, colours (with a default palette), and the
//! tree — paths like `Concerns > Job displacement`, descendants, and cycle checks.

use std::collections::HashMap;

use super::Invalid;
use super::names::single_line;

/// Separates the levels of a code path, in exports and codebook files.
pub const PATH_SEPARATOR: &str = " > ";

/// A code's name: one line, 1–100 characters, without `>` (which separates path levels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeName(String);

impl CodeName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = single_line("name", raw, 100, "a code name")?;
        if name.contains('>') {
            return Err(Invalid::new(
                "name",
                "Code names cannot contain '>', which separates the levels of a code path.",
            ));
        }
        Ok(CodeName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A colour as `#rrggbb` (lower case). Accepts `#rgb` and upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Color(String);

impl Color {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let hex = raw.trim().trim_start_matches('#').to_ascii_lowercase();
        let expanded = match hex.len() {
            3 => hex.chars().flat_map(|c| [c, c]).collect(),
            6 => hex,
            _ => String::new(),
        };
        if expanded.len() != 6 || !expanded.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(Invalid::new(
                "color",
                format!(
                    "'{}' is not a colour; use #rrggbb, e.g. #4e79a7.",
                    raw.trim()
                ),
            ));
        }
        Ok(Color(format!("#{expanded}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The default colour for the `n`-th code of a project: distinct, calm, legible under text.
    pub fn default_for(n: usize) -> Color {
        Color(PALETTE[n % PALETTE.len()].to_owned())
    }

    /// The palette colour the fewest of `taken` already use (the first such, in palette
    /// order), so that a new code stands apart from the codes there are, even after some
    /// were deleted or recoloured.
    pub fn least_used<'a>(taken: impl IntoIterator<Item = &'a str>) -> Color {
        let mut uses = [0usize; PALETTE.len()];
        for color in taken {
            if let Some(i) = PALETTE.iter().position(|p| p.eq_ignore_ascii_case(color)) {
                uses[i] += 1;
            }
        }
        let fewest = (0..PALETTE.len())
            .min_by_key(|&i| (uses[i], i))
            .unwrap_or(0);
        Color(PALETTE[fewest].to_owned())
    }
}

/// Tableau 10 with two additions: colour-blind friendly and distinct at low opacity.
const PALETTE: [&str; 12] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#2f9e9e", "#8f6bd6",
];

/// The minimal view of a code the tree functions need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub position: i64,
}

/// Full paths (`Parent > Child`) of every code, by id.
pub fn paths(nodes: &[Node]) -> HashMap<i64, String> {
    let by_id: HashMap<i64, &Node> = nodes.iter().map(|n| (n.id, n)).collect();
    nodes
        .iter()
        .map(|node| {
            let mut names = vec![node.name.as_str()];
            let mut parent = node.parent_id;
            // Bounded by the number of codes, so a corrupt cycle cannot loop forever.
            for _ in 0..nodes.len() {
                let Some(p) = parent.and_then(|id| by_id.get(&id)) else {
                    break;
                };
                names.push(p.name.as_str());
                parent = p.parent_id;
            }
            names.reverse();
            (node.id, names.join(PATH_SEPARATOR))
        })
        .collect()
}

/// Codes in reading order: depth-first, siblings by position then name; with their depth.
pub fn tree_order(nodes: &[Node]) -> Vec<(i64, usize)> {
    let mut children: HashMap<Option<i64>, Vec<&Node>> = HashMap::new();
    let known: std::collections::HashSet<i64> = nodes.iter().map(|n| n.id).collect();
    for node in nodes {
        // A code whose parent is missing is shown at the top level rather than lost.
        let parent = node.parent_id.filter(|p| known.contains(p));
        children.entry(parent).or_default().push(node);
    }
    for siblings in children.values_mut() {
        siblings.sort_by(|a, b| {
            (a.position, a.name.to_lowercase(), a.id).cmp(&(
                b.position,
                b.name.to_lowercase(),
                b.id,
            ))
        });
    }
    let mut out = Vec::with_capacity(nodes.len());
    let mut stack: Vec<(&Node, usize)> = children
        .get(&None)
        .map(|c| c.iter().rev().map(|n| (*n, 0)).collect())
        .unwrap_or_default();
    while let Some((node, depth)) = stack.pop() {
        if out.len() > nodes.len() {
            break; // cycle guard
        }
        out.push((node.id, depth));
        if let Some(kids) = children.get(&Some(node.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

/// The ids of `root` and everything below it.
pub fn subtree(nodes: &[Node], root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut frontier = vec![root];
    while let Some(id) = frontier.pop() {
        for child in nodes.iter().filter(|n| n.parent_id == Some(id)) {
            if !out.contains(&child.id) {
                out.push(child.id);
                frontier.push(child.id);
            }
        }
    }
    out
}

/// Whether putting `code` under `new_parent` would make a code its own ancestor.
pub fn would_cycle(nodes: &[Node], code: i64, new_parent: i64) -> bool {
    subtree(nodes, code).contains(&new_parent)
}

/// One row of a codebook file: the code's full path (parents first), colour, description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodebookEntry {
    pub path: Vec<String>,
    pub color: Option<Color>,
    pub description: String,
}

/// Most codes a project's codebook may have. A codebook file with more rows is refused as
/// a whole; creating codes one by one is checked by the service.
pub const MAX_CODES_PER_PROJECT: usize = 5_000;

/// The columns of a codebook CSV file, in order.
pub const CODEBOOK_HEADER: [&str; 4] = ["name", "parent_path", "color", "description"];

/// Reads a codebook CSV (`name,parent_path,color,description`; only `name` is required).
/// Rows are returned parents-first, so they can be created in order.
pub fn read_codebook_csv(bytes: &[u8]) -> Result<Vec<CodebookEntry>, Invalid> {
    let text = codebook_text(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            Invalid::new(
                "file",
                format!("The codebook file's header row cannot be read: {e}."),
            )
        })?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let columns = CodebookColumns::find(&headers)?;
    let mut entries = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 1;
        let record = record.map_err(|e| {
            Invalid::new("file", format!("Codebook row {row} cannot be read: {e}."))
        })?;
        let Some(entry) = columns.entry(&record, row)? else {
            continue;
        };
        if entries.len() == MAX_CODES_PER_PROJECT {
            return Err(Invalid::new(
                "file",
                format!(
                    "The codebook file has more than {MAX_CODES_PER_PROJECT} codes, the most \
                     a project may have."
                ),
            ));
        }
        entries.push(entry);
    }
    entries.sort_by_key(|e| e.path.len());
    Ok(entries)
}

/// The file as text, refused with a reason if it is not UTF-8, empty, or its quotes do not
/// balance (a BOM is dropped).
fn codebook_text(bytes: &[u8]) -> Result<&str, Invalid> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).map_err(
        |_| {
            Invalid::new(
                "file",
                "The codebook file is not UTF-8 text. Save it as CSV UTF-8 and try again.",
            )
        },
    )?;
    if text.trim().is_empty() {
        return Err(Invalid::new(
            "file",
            "The codebook file is empty: it needs a header row with a 'name' column and a row \
             per code.",
        ));
    }
    if let Some(line) = super::import::unbalanced_quote_line(text, b',') {
        return Err(Invalid::new(
            "file",
            format!(
                "The codebook file's quotes do not balance: the quoted field that starts on \
                 line {line} is never closed or has text after its closing quote. Add the \
                 missing quote and import it again."
            ),
        ));
    }
    Ok(text)
}

/// Where a codebook file keeps each field (only the name is required).
struct CodebookColumns {
    name: usize,
    parent: Option<usize>,
    color: Option<usize>,
    description: Option<usize>,
}

impl CodebookColumns {
    fn find(headers: &[String]) -> Result<Self, Invalid> {
        let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
        let name = column(&["name", "code"]).ok_or_else(|| {
            Invalid::new(
                "file",
                format!(
                    "The codebook file needs a 'name' column; its columns are: {}.",
                    headers.join(", ")
                ),
            )
        })?;
        Ok(Self {
            name,
            parent: column(&["parent_path", "parent", "path"]),
            color: column(&["color", "colour"]),
            description: column(&["description", "definition"]),
        })
    }

    /// One row as a code; `None` for a blank row.
    fn entry(
        &self,
        record: &csv::StringRecord,
        row: usize,
    ) -> Result<Option<CodebookEntry>, Invalid> {
        let cell = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .map(|v| super::spreadsheet::restore(v.trim()).to_owned())
                .unwrap_or_default()
        };
        let at_row =
            |e: Invalid| Invalid::new("file", format!("Codebook row {row}: {}", e.message));
        let name = cell(Some(self.name));
        if name.is_empty() && record.iter().all(|v| v.trim().is_empty()) {
            return Ok(None);
        }
        let mut path: Vec<String> = cell(self.parent)
            .split(PATH_SEPARATOR.trim())
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| CodeName::parse(p).map(|n| n.as_str().to_owned()))
            .collect::<Result<_, _>>()
            .map_err(at_row)?;
        path.push(CodeName::parse(&name).map_err(at_row)?.as_str().to_owned());
        let color = Some(cell(self.color))
            .filter(|c| !c.is_empty())
            .map(|c| Color::parse(&c))
            .transpose()
            .map_err(at_row)?;
        Ok(Some(CodebookEntry {
            path,
            color,
            description: cell(self.description),
        }))
    }
}

/// Writes a codebook CSV from `(name, parent_path, color, description)` rows, with cells
/// neutralised for spreadsheets.
pub fn write_codebook_csv<'a>(rows: impl IntoIterator<Item = [&'a str; 4]>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail; errors would only come from the underlying writer.
    let _ = writer.write_record(CODEBOOK_HEADER);
    for row in rows {
        let _ = writer.write_record(
            row.iter()
                .map(|cell| super::spreadsheet::neutralise(cell).into_owned()),
        );
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codebook_csv_round_trips_with_hostile_cells() {
        let csv = write_codebook_csv([
            ["Concerns", "", "#e15759", "Worries about work"],
            [
                "Job displacement",
                "Concerns",
                "#f28e2b",
                "=HYPERLINK(\"x\"), \"quoted\"\nline",
            ],
        ]);
        assert!(csv.starts_with("name,parent_path,color,description\n"));
        assert!(csv.contains("'=HYPERLINK"), "formula neutralised: {csv}");
        let entries = read_codebook_csv(csv.as_bytes()).unwrap();
        assert_eq!(entries[0].path, vec!["Concerns"]);
        assert_eq!(entries[1].path, vec!["Concerns", "Job displacement"]);
        assert_eq!(
            entries[1].description,
            "=HYPERLINK(\"x\"), \"quoted\"\nline"
        );
        assert_eq!(entries[1].color.as_ref().unwrap().as_str(), "#f28e2b");
    }

    #[test]
    fn an_empty_codebook_or_one_whose_quotes_do_not_balance_is_refused_saying_so() {
        let err = read_codebook_csv(b"\xEF\xBB\xBF \n").unwrap_err();
        assert!(err.message.contains("is empty"), "{}", err.message);
        let err = read_codebook_csv(b"name,description\nTrust,fine\n\"Doubt,open\nLast,row\n")
            .unwrap_err();
        assert!(
            err.message.contains("quotes do not balance") && err.message.contains("line 3"),
            "{}",
            err.message
        );
    }

    #[test]
    fn codebook_csv_errors_name_the_row() {
        let err = read_codebook_csv(b"name,color\nTrust,#123456\nBad,purple\n").unwrap_err();
        assert!(
            err.message.contains("row 2") && err.message.contains("purple"),
            "{}",
            err.message
        );
        let err = read_codebook_csv(b"label,color\nTrust,#123456\n").unwrap_err();
        assert!(err.message.contains("'name' column"));
        assert!(read_codebook_csv(b"\xff\xfe").is_err());
    }

    #[test]
    fn codebook_rows_come_parents_first() {
        let entries =
            read_codebook_csv(b"\xEF\xBB\xBFname,parent_path\nC,A > B\nA,\nB,A\n").unwrap();
        let paths: Vec<usize> = entries.iter().map(|e| e.path.len()).collect();
        assert_eq!(paths, vec![1, 2, 3]);
    }

    fn node(id: i64, parent: Option<i64>, name: &str) -> Node {
        Node {
            id,
            parent_id: parent,
            name: name.into(),
            position: 0,
        }
    }

    #[test]
    fn code_names_are_single_lines_without_path_separators() {
        assert_eq!(CodeName::parse("  Trust ").unwrap().as_str(), "Trust");
        assert!(CodeName::parse("").is_err());
        assert!(CodeName::parse("a > b").is_err());
        assert!(CodeName::parse("line\nbreak").is_err());
        assert!(CodeName::parse(&"x".repeat(101)).is_err());
        assert_eq!(
            CodeName::parse("=SUM(A1) 💛").unwrap().as_str(),
            "=SUM(A1) 💛"
        );
    }

    #[test]
    fn colours_are_normalised_hex() {
        assert_eq!(Color::parse("#4E79A7").unwrap().as_str(), "#4e79a7");
        assert_eq!(Color::parse("f80").unwrap().as_str(), "#ff8800");
        assert!(Color::parse("red").is_err());
        assert!(Color::parse("#12345").is_err());
        assert!(Color::parse("#gggggg").is_err());
        assert_eq!(Color::default_for(0), Color::default_for(12));
        assert_eq!(Color::least_used([]).as_str(), PALETTE[0]);
        assert_eq!(
            Color::least_used([PALETTE[0], "#F28E2B", "#123456"]).as_str(),
            PALETTE[2],
            "skips the taken ones, whatever their case; ignores colours off the palette"
        );
        let all_once_but_fifth: Vec<&str> = PALETTE
            .iter()
            .copied()
            .filter(|c| *c != PALETTE[4])
            .collect();
        assert_eq!(Color::least_used(all_once_but_fifth).as_str(), PALETTE[4]);
        let twice: Vec<&str> = PALETTE.iter().chain(PALETTE.iter()).copied().collect();
        assert_eq!(
            Color::least_used(twice).as_str(),
            PALETTE[0],
            "ties go to palette order"
        );
        assert_ne!(Color::default_for(0), Color::default_for(1));
    }

    #[test]
    fn paths_follow_parents() {
        let nodes = [
            node(1, None, "Concerns"),
            node(2, Some(1), "Job displacement"),
            node(3, Some(2), "Retraining"),
        ];
        let paths = paths(&nodes);
        assert_eq!(paths[&1], "Concerns");
        assert_eq!(paths[&3], "Concerns > Job displacement > Retraining");
    }

    #[test]
    fn tree_order_is_depth_first_by_position_then_name() {
        let mut nodes = vec![
            node(1, None, "b"),
            node(2, None, "a"),
            node(3, Some(1), "z"),
            node(4, Some(1), "y"),
            node(5, Some(9), "orphan"),
        ];
        nodes[0].position = 0;
        assert_eq!(
            tree_order(&nodes),
            vec![(2, 0), (1, 0), (4, 1), (3, 1), (5, 0)]
        );
    }

    #[test]
    fn codebook_files_over_the_project_limit_are_refused() {
        let rows = |n: usize| -> String {
            std::iter::once("name\n".to_owned())
                .chain((0..n).map(|i| format!("Code {i}\n")))
                .collect()
        };
        assert!(read_codebook_csv(rows(MAX_CODES_PER_PROJECT).as_bytes()).is_ok());
        let error = read_codebook_csv(rows(MAX_CODES_PER_PROJECT + 1).as_bytes()).unwrap_err();
        assert!(
            error.message.contains("more than 5000 codes"),
            "{}",
            error.message
        );
    }

    #[test]
    fn subtrees_and_cycles() {
        let nodes = [
            node(1, None, "a"),
            node(2, Some(1), "b"),
            node(3, Some(2), "c"),
            node(4, None, "d"),
        ];
        let mut sub = subtree(&nodes, 1);
        sub.sort();
        assert_eq!(sub, vec![1, 2, 3]);
        assert!(would_cycle(&nodes, 1, 3));
        assert!(would_cycle(&nodes, 1, 1));
        assert!(!would_cycle(&nodes, 3, 4));
    }
}
