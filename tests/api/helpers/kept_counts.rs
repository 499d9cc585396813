//! The analysis counts the database keeps per document, code and coding set
//! (`code_coverage`, migration 0019) checked against the excerpts themselves: the code ×
//! document table and the document-level co-occurrence table, recomputed here from the
//! excerpt list with a plain set of covered code points per coder.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Api, Excerpt};

/// The coding set an excerpt belongs to: its coder's own, or the consensus set.
fn set_of(e: &Excerpt) -> String {
    if e.consensus {
        "consensus".to_owned()
    } else {
        e.coder.clone()
    }
}

/// `(document, code)` → `(excerpts, characters)`, each set's characters counted as a set
/// of code points and the sets added.
fn expected_cells(excerpts: &[&Excerpt]) -> BTreeMap<(i64, i64), (u64, u64)> {
    let mut points: BTreeMap<(i64, i64, String), BTreeSet<usize>> = BTreeMap::new();
    let mut cells: BTreeMap<(i64, i64), (u64, u64)> = BTreeMap::new();
    for e in excerpts {
        for &code in &e.code_ids {
            cells.entry((e.document_id, code)).or_default().0 += 1;
            points
                .entry((e.document_id, code, set_of(e)))
                .or_default()
                .extend(e.start..e.end);
        }
    }
    for ((document, code, _), covered) in points {
        cells.entry((document, code)).or_default().1 += covered.len() as u64;
    }
    cells
}

fn table_cells(table: &Value) -> BTreeMap<(i64, i64), (u64, u64)> {
    table["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| {
            let column = c["column"].as_u64().unwrap() as usize;
            let document = table["columns"][column]["document_id"].as_i64().unwrap();
            let n = |k: &str| c[k].as_u64().unwrap();
            (
                (document, c["code_id"].as_i64().unwrap()),
                (n("excerpts"), n("characters")),
            )
        })
        .collect()
}

/// `(a, b)` → the (set, document) units where both codes occur.
fn expected_meetings(excerpts: &[&Excerpt]) -> BTreeMap<(i64, i64), u64> {
    let mut units: BTreeMap<(String, i64), BTreeSet<i64>> = BTreeMap::new();
    for e in excerpts {
        units
            .entry((set_of(e), e.document_id))
            .or_default()
            .extend(&e.code_ids);
    }
    let mut counts = BTreeMap::new();
    for codes in units.values() {
        for &a in codes {
            for &b in codes.range(a + 1..) {
                *counts.entry((a, b)).or_default() += 1;
            }
        }
    }
    counts
}

/// Checks `owner`'s code × document table and document co-occurrence table of `project`,
/// for everyone and for `coder`'s excerpts alone, against `excerpts` (every excerpt of
/// the project).
pub async fn assert_tables_match(
    owner: &Api,
    project: i64,
    coder: &str,
    excerpts: &[Excerpt],
    step: &str,
) {
    for coders in ["", coder] {
        let chosen: Vec<&Excerpt> = excerpts
            .iter()
            .filter(|e| match coders {
                "" => true,
                "consensus" => e.consensus,
                coder => !e.consensus && e.coder == coder,
            })
            .collect();
        let crosstab = owner
            .get_ok::<Value>(&format!("/projects/{project}/crosstab?coders={coders}"))
            .await;
        assert_eq!(
            table_cells(&crosstab),
            expected_cells(&chosen),
            "{step}: code × document, coders '{coders}'"
        );
        let table = owner
            .get_ok::<Value>(&format!(
                "/projects/{project}/cooccurrence?scope=document&coders={coders}"
            ))
            .await;
        let cells: BTreeMap<(i64, i64), u64> = table["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .map(|c| {
                let id = |k: &str| c[k].as_i64().unwrap();
                ((id("a"), id("b")), c["count"].as_u64().unwrap())
            })
            .collect();
        assert_eq!(
            cells,
            expected_meetings(&chosen),
            "{step}: document co-occurrence, coders '{coders}'"
        );
    }
}
