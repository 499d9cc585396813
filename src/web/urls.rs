//! Every URL the pages link to is built here, so no path string is repeated in templates
//! or handlers.

use std::fmt::Display;

use crate::service::params::{AgreementParams, CooccurrenceParams, CrosstabParams};

/// The JSON API's paths, for the page scripts that call it.
pub mod api {
    pub fn document_excerpts(document_id: i64) -> String {
        format!("/api/v1/documents/{document_id}/excerpts")
    }

    /// The prefix of `/api/v1/excerpts/{id}` (scripts append the id).
    pub fn excerpt_prefix() -> String {
        "/api/v1/excerpts/".into()
    }

    pub fn project_codes(project_id: i64) -> String {
        format!("/api/v1/projects/{project_id}/codes")
    }

    /// The prefix of `/api/v1/codes/{id}` (scripts append the id).
    pub fn code_prefix() -> String {
        "/api/v1/codes/".into()
    }

    pub fn openapi() -> String {
        "/api/v1/openapi.json".into()
    }
}

pub fn home() -> String {
    "/".into()
}

pub fn login() -> String {
    "/login".into()
}

pub fn logout() -> String {
    "/logout".into()
}

pub fn setup() -> String {
    "/setup".into()
}

pub fn settings() -> String {
    "/settings".into()
}

pub fn settings_password() -> String {
    "/settings/password".into()
}

pub fn settings_tokens() -> String {
    "/settings/tokens".into()
}

pub fn settings_token_revoke(id: impl Display) -> String {
    format!("/settings/tokens/{id}/revoke")
}

pub fn admin_users() -> String {
    "/admin/users".into()
}

pub fn admin_user_admin(username: &str) -> String {
    format!("/admin/users/{}/admin", path_segment(username))
}

pub fn admin_user_password(username: &str) -> String {
    format!("/admin/users/{}/password", path_segment(username))
}

pub fn admin_user_active(username: &str) -> String {
    format!("/admin/users/{}/active", path_segment(username))
}

pub fn api_docs() -> String {
    "/api".into()
}

pub fn projects() -> String {
    "/projects".into()
}

pub fn project(id: impl Display) -> String {
    format!("/projects/{id}")
}

/// Creates the demo project (a form on the home page).
pub fn demo_project() -> String {
    "/projects/demo".into()
}

/// The project's Export section (the export forms).
pub fn project_export(id: impl Display) -> String {
    format!("/projects/{id}/export")
}

pub fn project_delete(id: impl Display) -> String {
    format!("/projects/{id}/delete")
}

pub fn project_settings(id: impl Display) -> String {
    format!("/projects/{id}/settings")
}

pub fn project_members(id: impl Display) -> String {
    format!("/projects/{id}/members")
}

pub fn project_member_remove(id: impl Display, username: &str) -> String {
    format!("/projects/{id}/members/{}/remove", path_segment(username))
}

pub fn project_invitation_withdraw(id: impl Display, invitation_id: impl Display) -> String {
    format!("/projects/{id}/invitations/{invitation_id}/withdraw")
}

pub fn invitation_accept(invitation_id: impl Display) -> String {
    format!("/invitations/{invitation_id}/accept")
}

pub fn invitation_decline(invitation_id: impl Display) -> String {
    format!("/invitations/{invitation_id}/decline")
}

pub fn project_page(id: impl Display, cursor: impl Display, attribute: &str) -> String {
    let mut url = format!("/projects/{id}?cursor={cursor}");
    if !attribute.is_empty() {
        url.push_str(&format!("&attribute={}", path_segment(attribute)));
    }
    url
}

pub fn project_activity(id: impl Display) -> String {
    format!("/projects/{id}/activity")
}

/// The search page; `query` is a url-encoded query string (may be empty).
pub fn project_search(id: impl Display, query: &str) -> String {
    with_query(format!("/projects/{id}/search"), query)
}

pub fn project_autocode(id: impl Display) -> String {
    format!("/projects/{id}/search/autocode")
}

pub fn project_autocode_undo(id: impl Display) -> String {
    format!("/projects/{id}/search/undo")
}

pub fn project_import(id: impl Display) -> String {
    format!("/projects/{id}/documents/import")
}

pub fn import_summary(project_id: impl Display, import_id: impl Display) -> String {
    format!("/projects/{project_id}/imports/{import_id}")
}

pub fn project_speakers(id: impl Display) -> String {
    format!("/projects/{id}/speakers")
}

pub fn document(id: impl Display) -> String {
    format!("/documents/{id}")
}

pub fn document_completion(id: impl Display) -> String {
    format!("/documents/{id}/completion")
}

pub fn project_progress(project_id: impl Display) -> String {
    format!("/projects/{project_id}/progress")
}

pub fn project_progress_svg(project_id: impl Display) -> String {
    format!("/projects/{project_id}/progress.svg")
}

pub fn project_assignments(project_id: impl Display) -> String {
    format!("/projects/{project_id}/assignments")
}

pub fn document_edit(id: impl Display) -> String {
    format!("/documents/{id}/edit")
}

pub fn document_delete(id: impl Display) -> String {
    format!("/documents/{id}/delete")
}

pub fn document_excerpt(document_id: impl Display, excerpt_id: impl Display) -> String {
    format!("/documents/{document_id}#excerpt-{excerpt_id}")
}

pub fn project_codes(id: impl Display) -> String {
    format!("/projects/{id}/codes")
}

pub fn codebook_import(id: impl Display) -> String {
    format!("/projects/{id}/codebook/import")
}

pub fn codebook_export(id: impl Display) -> String {
    format!("/api/v1/projects/{id}/codebook.csv")
}

pub fn import_qdpx() -> String {
    crate::web::upload_routes::IMPORT_QDPX_PAGE.to_owned()
}

pub fn codebook_qdc(id: impl Display) -> String {
    format!("/api/v1/projects/{id}/codebook.qdc")
}

pub fn project_qdpx(id: impl Display) -> String {
    format!("/api/v1/projects/{id}/project.qdpx")
}

pub fn code(id: impl Display) -> String {
    format!("/codes/{id}")
}

pub fn code_edit(id: impl Display) -> String {
    format!("/codes/{id}/edit")
}

pub fn code_delete(id: impl Display) -> String {
    format!("/codes/{id}/delete")
}

pub fn code_merge(id: impl Display) -> String {
    format!("/codes/{id}/merge")
}

pub fn agreement(project_id: impl Display, query: &str) -> String {
    format!("/projects/{project_id}/agreement?{query}")
}

pub fn agreement_csv(project_id: impl Display, query: &str) -> String {
    format!("/api/v1/projects/{project_id}/agreement.csv?{query}")
}

pub fn reliability_csv(project_id: impl Display, query: &str) -> String {
    format!("/api/v1/projects/{project_id}/agreement/reliability.csv?{query}")
}

pub fn consensus_progress(project_id: impl Display, query: &str) -> String {
    format!("/projects/{project_id}/agreement/consensus?{query}")
}

pub fn disagreements(project_id: impl Display, query: &str, code_id: impl Display) -> String {
    format!("/projects/{project_id}/agreement/disagreements?{query}&code={code_id}")
}

pub fn compare(
    project_id: impl Display,
    query: &str,
    document_id: impl Display,
    start: impl Display,
    end: impl Display,
) -> String {
    format!(
        "/projects/{project_id}/agreement/compare?{query}&document={document_id}&start={start}&end={end}"
    )
}

pub fn adjudicate(project_id: impl Display) -> String {
    format!("/projects/{project_id}/agreement/decide")
}

pub fn excerpts_csv(project_id: impl Display) -> String {
    format!("/api/v1/projects/{project_id}/excerpts.csv")
}

pub fn matrix_csv(project_id: impl Display) -> String {
    format!("/api/v1/projects/{project_id}/matrix.csv")
}

/// `coders=…&scope=…` of a co-occurrence table, blanks left out.
pub fn cooccurrence_query(params: &CooccurrenceParams) -> String {
    [("coders", &params.coders), ("scope", &params.scope)]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", path_segment(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
}

fn with_query(path: String, query: &str) -> String {
    match query {
        "" => path,
        query => format!("{path}?{query}"),
    }
}

pub fn analysis(project_id: impl Display) -> String {
    format!("/projects/{project_id}/analysis")
}

pub fn cooccurrence(project_id: impl Display, query: &str) -> String {
    with_query(
        format!("/projects/{project_id}/analysis/cooccurrence"),
        query,
    )
}

pub fn cooccurrence_cell(
    project_id: impl Display,
    query: &str,
    a: impl Display,
    b: impl Display,
) -> String {
    let cell = format!("a={a}&b={b}");
    let query = if query.is_empty() {
        cell
    } else {
        format!("{query}&{cell}")
    };
    with_query(
        format!("/projects/{project_id}/analysis/cooccurrence/cell"),
        &query,
    )
}

pub fn cooccurrence_csv(project_id: impl Display, query: &str) -> String {
    with_query(
        format!("/projects/{project_id}/analysis/cooccurrence.csv"),
        query,
    )
}

pub fn cooccurrence_svg(project_id: impl Display, query: &str) -> String {
    with_query(
        format!("/projects/{project_id}/analysis/cooccurrence.svg"),
        query,
    )
}

/// `coders=…&attribute=…` of a crosstab, blanks left out.
pub fn crosstab_query(params: &CrosstabParams) -> String {
    [("coders", &params.coders), ("attribute", &params.attribute)]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", path_segment(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn frequencies_svg(project_id: impl Display, query: &str) -> String {
    with_query(
        format!("/projects/{project_id}/analysis/frequencies.svg"),
        query,
    )
}

pub fn crosstab(project_id: impl Display, query: &str) -> String {
    with_query(format!("/projects/{project_id}/analysis/crosstab"), query)
}

/// The excerpts behind one crosstab cell: `column` is `document=ID` or `value=…`.
pub fn crosstab_cell(
    project_id: impl Display,
    query: &str,
    code: impl Display,
    column: impl Display,
) -> String {
    let cell = format!("code={code}&{column}");
    let query = if query.is_empty() {
        cell
    } else {
        format!("{query}&{cell}")
    };
    with_query(
        format!("/projects/{project_id}/analysis/crosstab/cell"),
        &query,
    )
}

/// A table's CSV in the API (`kind`: `cooccurrence` or `crosstab`).
pub fn analysis_csv(project_id: impl Display, kind: &str, query: &str) -> String {
    with_query(format!("/api/v1/projects/{project_id}/{kind}.csv"), query)
}

pub fn asset(path: &str) -> String {
    format!("/static/{path}")
}

/// An agreement report's parameters as a query string (without `?`), e.g. for links to
/// the CSVs and the disagreements.
pub fn agreement_query(params: &AgreementParams) -> String {
    let fields = [
        ("coders", &params.coders),
        ("unit", &params.unit),
        ("codes", &params.codes),
        ("subtree", &params.subtree),
        ("documents", &params.documents),
        ("scope", &params.scope),
        ("attribute", &params.attribute),
        ("participant_only", &params.participant_only),
        ("code", &params.code),
    ];
    fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", path_segment(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes a value for use as one path segment.
pub fn path_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Only same-site paths are accepted as a post-sign-in destination (no open redirects).
/// Browsers drop tabs and newlines from URLs (`/\t/evil` becomes `//evil`), so any
/// control character or backslash disqualifies a path.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.chars().any(|c| c.is_control() || c == '\\') =>
        {
            path.to_owned()
        }
        _ => home(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_next_rejects_other_sites() {
        assert_eq!(safe_next(Some("/projects/3")), "/projects/3");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n")), "/");
        assert_eq!(safe_next(Some("/projects?x=1")), "/projects?x=1");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(path_segment("a.b-c_d"), "a.b-c_d");
        assert_eq!(path_segment("a b/é"), "a%20b%2F%C3%A9");
    }
}
