//! The analysis charts, laid out by `domain::chart` from the same figures as the tables
//! beside them; each is shown inline and offered as an SVG download.

use axum::response::{IntoResponse, Response};

use crate::domain::chart::{self, BarGroup, HeatCell};
use crate::service::access::ProjectAccess;
use crate::service::analysis::cooccurrence::{CodeTotal, Cooccurrence};
use crate::service::analysis::frequencies::Frequencies;
use crate::service::export;
use crate::service::progress::ProjectProgress;
use crate::web::download;

/// The codes a co-occurrence table shows: those coded at least once.
pub fn used_codes(table: &Cooccurrence) -> Vec<&CodeTotal> {
    table.codes.iter().filter(|c| c.n > 0).collect()
}

/// Co-occurrence as a heat map: shade by count (darkest: the largest count), the count
/// printed in every cell, the c-coefficient in its tooltip.
pub fn cooccurrence_heat_map(table: &Cooccurrence) -> String {
    let codes = used_codes(table);
    let names: Vec<String> = codes.iter().map(|c| c.path.clone()).collect();
    let largest = table.largest_count().max(1) as f64;
    let cells = codes
        .iter()
        .map(|row| {
            codes
                .iter()
                .map(|column| {
                    if row.id == column.id {
                        return None;
                    }
                    let (count, c) = table
                        .cell(row.id, column.id)
                        .map_or((0, 0.0), |x| (x.count, x.c));
                    Some(HeatCell {
                        intensity: count as f64 / largest,
                        text: count.to_string(),
                        title: format!("{} × {}: {count} (c = {c:.2})", row.path, column.path),
                    })
                })
                .collect()
        })
        .collect::<Vec<_>>();
    chart::heat_map(
        &format!("Code co-occurrence ({})", table.scope),
        "Each cell shows how often the code of its row and the code of its column meet; darker is more often. The table holds the same figures.",
        &names,
        &names,
        &cells,
    )
}

/// Code frequencies per coder, side by side.
pub fn frequencies_chart(frequencies: &Frequencies) -> String {
    let groups: Vec<BarGroup> = frequencies
        .codes
        .iter()
        .filter(|c| frequencies.used(c.id))
        .map(|code| BarGroup {
            label: code.path.clone(),
            values: (0..frequencies.coders.len())
                .map(|coder| {
                    let n = frequencies.count(code.id, coder);
                    Some((n as f64, n.to_string()))
                })
                .collect(),
        })
        .collect();
    chart::bar_chart(
        "Code frequencies per coder",
        "Excerpts per code, one bar per coder (the legend names the patterns). The table holds the same figures.",
        &frequencies.coders,
        &groups,
        None,
    )
}

/// Progress per coder: one bar per coder, the documents they have coded of all the
/// project's documents, with how many they marked complete printed beside it.
pub fn progress_chart(progress: &ProjectProgress) -> String {
    let totals = progress.per_coder();
    let groups: Vec<BarGroup> = totals
        .iter()
        .map(|t| BarGroup {
            label: t.coder.clone(),
            values: vec![Some((
                t.coded as f64,
                format!("{} of {} · {} complete", t.coded, t.documents, t.complete),
            ))],
        })
        .collect();
    let documents = totals.first().map_or(0, |t| t.documents);
    chart::bar_chart(
        "Progress per coder",
        "Documents each coder has coded in (in progress or complete), out of every document of the project (a full bar is every document), and how many of them the coder marked complete. The table's last row holds the same figures.",
        &[],
        &groups,
        Some(documents.max(1) as f64),
    )
}

/// A chart as a file download named for the project and what it shows.
pub fn svg_download(
    access: &ProjectAccess,
    kind: &str,
    qualifiers: &[String],
    svg: String,
) -> Response {
    let name = export::file_name(access, kind, qualifiers, "svg");
    (download::attachment("image/svg+xml", &name), svg).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::progress::{CoderCell, DocumentProgress, Status};

    #[test]
    fn the_progress_chart_has_one_bar_per_coder_scaled_to_every_document() {
        let cell = |coder: &str, status| CoderCell {
            coder: coder.into(),
            assigned: false,
            status,
            excerpts: 1,
            coded_characters: 1,
        };
        let document = |id, ann, cal| DocumentProgress {
            document_id: id,
            title: format!("D{id}"),
            length: 5,
            coders: vec![cell("ann", ann), cell("cal <c>", cal)],
        };
        let progress = ProjectProgress {
            coders: vec!["ann".into(), "cal <c>".into()],
            documents: vec![
                document(1, Status::Complete, Status::NotStarted),
                document(2, Status::InProgress, Status::NotStarted),
            ],
            uncoded: vec![],
        };
        let svg = progress_chart(&progress);
        if std::env::var_os("GLOSS_PRINT_CHART").is_some() {
            println!("{svg}");
        }
        assert!(
            svg.contains("<title>ann: 2 of 2 · 1 complete</title>"),
            "{svg}"
        );
        assert!(svg.contains("<title>cal &lt;c&gt;: 0 of 2 · 0 complete</title>"));
        assert!(
            svg.contains("width=\"320.0\""),
            "every document: a full bar"
        );
        assert!(svg.contains("width=\"0.0\""), "none: no bar");
        assert_eq!(svg.matches("<g><title>").count(), 2);
    }
}
