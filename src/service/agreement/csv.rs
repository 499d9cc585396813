//! Audit downloads: the report as CSV, and the reliability data behind it.

use std::collections::BTreeMap;

use super::AgreementData;
use super::report::{AgreementReport, unit_name};
use crate::domain::agreement::{self, ReliabilityRow};
use crate::error::{AppError, AppResult};

/// Columns after the figures, filled only on the document rows.
const DOCUMENT_COLUMNS: usize = 3;

/// The report as CSV: one row per code, then the pooled and macro-mean rows, then one row
/// per document used (`document_used`) and left out (`document_left_out`, with the reason).
/// The figure columns come first, so the rows for codes read as they always did.
pub fn report_csv(report: &AgreementReport) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "row",
        "code_id",
        "code_path",
        "units",
        "percent_agreement",
        "cohen_kappa_mean",
        "fleiss_kappa",
        "krippendorff_alpha",
        "unitizing_alpha",
        "undefined",
        "document_id",
        "document_title",
        "reason",
    ];
    let _ = writer.write_record(header);
    let figures_width = header.len() - DOCUMENT_COLUMNS;
    let mut write = |mut record: Vec<String>| {
        record.resize(header.len(), String::new());
        let _ = writer.write_record(&record);
    };
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let reasons = |u: &BTreeMap<&str, &str>| {
        u.iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    for code in &report.codes {
        write(vec![
            "code".to_owned(),
            code.code_id.to_string(),
            crate::domain::spreadsheet::neutralise(&code.path).into_owned(),
            code.units.to_string(),
            num(code.percent_agreement),
            num(code.cohen_kappa),
            num(code.fleiss_kappa),
            num(code.krippendorff_alpha),
            num(code.unitizing_alpha),
            reasons(&code.undefined),
        ]);
    }
    let p = &report.overall.pooled;
    write(vec![
        "pooled".to_owned(),
        String::new(),
        String::new(),
        p.units.to_string(),
        num(p.percent_agreement),
        num(p.cohen_kappa),
        num(p.fleiss_kappa),
        num(p.krippendorff_alpha),
        num(p.unitizing_alpha),
        reasons(&p.undefined),
    ]);
    let m = &report.overall.macro_mean;
    write(vec![
        "macro_mean".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        num(m.percent_agreement),
        num(m.cohen_kappa),
        num(m.fleiss_kappa),
        num(m.krippendorff_alpha),
        num(m.unitizing_alpha),
        reasons(&m.undefined),
    ]);
    for record in document_rows(report, figures_width) {
        write(record);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The rows naming the documents used and left out: the figure columns empty, then the
/// document's id, title and (when left out) the reason.
fn document_rows(report: &AgreementReport, figures_width: usize) -> Vec<Vec<String>> {
    let scope = &report.document_scope;
    let row = |kind: &str, id: i64, title: &str, reason: &str| {
        let mut record = vec![String::new(); figures_width];
        record[0] = kind.to_owned();
        record.extend([
            id.to_string(),
            crate::domain::spreadsheet::neutralise(title).into_owned(),
            crate::domain::spreadsheet::neutralise(reason).into_owned(),
        ]);
        record
    };
    let used = scope
        .used
        .iter()
        .map(|d| row("document_used", d.id, &d.title, ""));
    let left_out = scope
        .left_out
        .iter()
        .map(|d| row("document_left_out", d.id, &d.title, &d.reason));
    used.chain(left_out).collect()
}

/// The reliability data behind the report: one row per unit (or run of identical
/// character units, with its `weight`) and code, one 0/1 column per coder.
pub fn reliability_csv(data: &AgreementData) -> AppResult<String> {
    let rows: Vec<ReliabilityRow> = agreement::reliability_rows(&data.input, data.unit)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "code_id".to_owned(),
        "code_path".to_owned(),
        "document_id".to_owned(),
        "document".to_owned(),
        "unit".to_owned(),
        "start".to_owned(),
        "end".to_owned(),
        "weight".to_owned(),
    ];
    header.extend(
        data.coders
            .iter()
            .map(|c| crate::domain::spreadsheet::neutralise(c).into_owned()),
    );
    let _ = writer.write_record(&header);
    let unit = unit_name(data.unit);
    for row in rows {
        let code = &data.codes[row.code];
        let (document_id, title) = &data.documents[row.document];
        let mut record = vec![
            code.id.to_string(),
            crate::domain::spreadsheet::neutralise(&code.path).into_owned(),
            document_id.to_string(),
            crate::domain::spreadsheet::neutralise(title).into_owned(),
            unit.to_owned(),
            row.start.to_string(),
            row.end.to_string(),
            row.weight.to_string(),
        ];
        record.extend(row.values.iter().map(u8::to_string));
        let _ = writer.write_record(&record);
    }
    Ok(String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default())
}
