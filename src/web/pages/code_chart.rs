//! The code page's charts: how often the code occurs per value of each document
//! attribute, from the crosstab service (so blind coding limits a coder to their own
//! excerpts, as everywhere), drawn by `domain::chart` beside a table of the same figures.

use crate::domain::chart::{self, BarGroup};
use crate::error::{AppError, AppResult};
use crate::service::access::ProjectAccess;
use crate::service::analysis::crosstab::{self, Crosstab, CrosstabRequest};
use crate::web::AppState;

/// At most this many attributes get a chart (the first, by name).
const MOST_ATTRIBUTES: usize = 3;

/// One value of the attribute: the code's excerpts, and the documents it occurs in out of
/// those with the value.
pub struct ValueRow {
    pub value: String,
    pub excerpts: u64,
    pub documents_with_code: u64,
    pub documents: u64,
}

pub struct AttributeChart {
    pub attribute: String,
    pub svg: String,
    pub rows: Vec<ValueRow>,
}

/// The attribute names of `attribute_values`, once each, in their order.
pub fn attribute_names(attribute_values: &[(String, String, i64)]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (name, _, _) in attribute_values {
        if !names.contains(name) && names.len() < MOST_ATTRIBUTES {
            names.push(name.clone());
        }
    }
    names
}

/// A chart per attribute of the code's excerpts per value, by `coder` when one is chosen
/// (else everyone the caller may see). A coder the caller may not see or that does not
/// exist gives no charts: the page says why in its excerpt list already.
pub async fn by_attribute(
    app: &AppState,
    access: &ProjectAccess,
    code_id: i64,
    coder: &str,
    names: &[String],
) -> AppResult<Vec<AttributeChart>> {
    let mut charts = Vec::new();
    for name in names {
        let request = CrosstabRequest {
            coders: Some(coder.trim())
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .into_iter()
                .collect(),
            attribute: Some(name.clone()),
        };
        match crosstab::table(&app.db, access, &request).await {
            Ok(table) => charts.push(chart_of(&table, code_id, name)),
            Err(AppError::Internal(cause)) => return Err(AppError::Internal(cause)),
            Err(_) => return Ok(Vec::new()),
        }
    }
    Ok(charts)
}

fn plural(n: u64, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

/// The code's row of a code × attribute value table, as a chart and its table.
pub fn chart_of(table: &Crosstab, code_id: i64, attribute: &str) -> AttributeChart {
    let rows: Vec<ValueRow> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let cell = table.cell(code_id, i);
            ValueRow {
                value: column.value.clone(),
                excerpts: cell.map_or(0, |c| c.excerpts),
                documents_with_code: cell.map_or(0, |c| c.documents),
                documents: column.documents,
            }
        })
        .collect();
    let groups: Vec<BarGroup> = rows
        .iter()
        .map(|row| BarGroup {
            label: row.value.clone(),
            values: vec![Some((
                row.excerpts as f64,
                format!(
                    "{} in {} of {}",
                    plural(row.excerpts, "excerpt"),
                    row.documents_with_code,
                    plural(row.documents, "document")
                ),
            ))],
        })
        .collect();
    let svg = chart::bar_chart(
        &format!("Excerpts with this code per {attribute}"),
        "One bar per value of the attribute: how many excerpts carry the code in documents with that value. The table beside it holds the same figures.",
        &[],
        &groups,
        None,
    );
    AttributeChart {
        attribute: attribute.to_owned(),
        svg,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::analysis::crosstab::{Column, CrosstabCell};

    fn column(value: &str, documents: u64) -> Column {
        Column {
            value: value.into(),
            document_id: None,
            documents,
        }
    }

    #[test]
    fn attribute_names_come_once_each_and_at_most_three() {
        let values: Vec<(String, String, i64)> = [
            ("age", "30"),
            ("age", "40"),
            ("b", "x"),
            ("c", "y"),
            ("d", "z"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string(), 1))
        .collect();
        assert_eq!(attribute_names(&values), ["age", "b", "c"]);
    }

    #[test]
    fn the_code_row_becomes_one_bar_per_value_with_its_counts_printed() {
        let cell = |code_id, column, excerpts, documents| CrosstabCell {
            code_id,
            column,
            excerpts,
            documents,
            share: 0.0,
            characters: 0,
        };
        let table = Crosstab {
            attribute: Some("site".into()),
            coders: Vec::new(),
            codes: Vec::new(),
            columns: vec![column("Leeds", 2), column("York", 1)],
            cells: vec![cell(7, 0, 3, 2), cell(8, 1, 5, 1)],
        };
        let chart = chart_of(&table, 7, "site");
        let counts: Vec<(u64, u64, u64)> = chart
            .rows
            .iter()
            .map(|r| (r.excerpts, r.documents_with_code, r.documents))
            .collect();
        assert_eq!(
            counts,
            [(3, 2, 2), (0, 0, 1)],
            "another code's cell is not ours"
        );
        assert!(
            chart
                .svg
                .contains("<title>Excerpts with this code per site</title>")
        );
        assert!(
            chart
                .svg
                .contains("<title>Leeds: 3 excerpts in 2 of 2 documents</title>")
        );
        assert!(
            chart
                .svg
                .contains("<title>York: 0 excerpts in 0 of 1 document</title>")
        );
    }
}
