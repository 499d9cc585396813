//! Making CSV cells safe to open in a spreadsheet. Excel, LibreOffice and Google Sheets
//! run a cell that begins with `=`, `+`, `-` or `@` (and, after trimming, tab or carriage
//! return) as a formula — a known injection route (CWE-1236). Such cells are prefixed with
//! a single quote, which spreadsheets treat as "this is text" and do not display.

use std::borrow::Cow;

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as written to a CSV file: unchanged, or prefixed with `'` if it could run.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(TRIGGERS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The inverse of [`neutralise`], for reading back files Gloss wrote.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(TRIGGERS) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_triggers_are_prefixed() {
        for cell in ["=SUM(A1:A9)", "+1", "-2", "@cmd", "\tindent", "\rreturn"] {
            assert_eq!(neutralise(cell), format!("'{cell}"));
            assert_eq!(restore(&neutralise(cell)), cell);
        }
    }

    #[test]
    fn ordinary_cells_are_untouched() {
        for cell in ["Trust", "", "'quoted already", "a=b", "💛", " =padded"] {
            assert_eq!(neutralise(cell), cell);
            assert_eq!(restore(cell), cell);
        }
    }
}
