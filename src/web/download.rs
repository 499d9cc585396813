//! Headers for a file the browser saves: its type, and a name that says what it holds
//! (`service::export::file_name`). Every download of the pages and API goes through here.

use axum::http::header;

/// `Content-Type` and `Content-Disposition: attachment` for `name` (ASCII from
/// `domain::file_names`, so it needs no escaping).
pub fn attachment(content_type: &str, name: &str) -> [(header::HeaderName, String); 2] {
    [
        (header::CONTENT_TYPE, content_type.to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ),
    ]
}

/// A CSV download.
pub fn csv(name: &str) -> [(header::HeaderName, String); 2] {
    attachment("text/csv; charset=utf-8", name)
}
