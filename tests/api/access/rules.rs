//! The access rules, one row per route (method and path template, exactly as the router
//! lists them), and the body each row is called with. A route the router serves without
//! a row here fails the sweep, naming it.

use serde_json::{Value, json};

use super::world::Ids;

/// Who may get through a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// The sign-in form: anyone may post it (wrong credentials are answered, not a crash).
    SignInForm,
    /// First set-up: once an account exists, nobody may post it again.
    SetUpDone,
    /// Any signed-in account.
    SignedIn,
    /// Only from a browser session: a bearer token is refused (403) whoever holds it.
    SessionOnly,
    /// Administrators only; anyone else signed in gets 403.
    Admin,
    /// The caller's own API token: the owner's here, anyone else's is "not found".
    OwnToken,
    /// Inside the project: non-members (administrators too) get 404; members need `Need`.
    Member(Need),
}

/// What a member's role must allow (`domain::Role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Any member.
    Read,
    /// Owners and coders (`can_code`).
    Code,
    /// Owners and viewers (`can_run_reports`).
    Report,
    /// Owners (settings, members, documents, the codebook, adjudication).
    Own,
    /// The excerpt's own coder (the coder who drew it); the owner and viewer get 403.
    Author,
}

/// What a route is called with. `Query` is appended to a GET's path.
#[derive(Clone, Copy)]
pub enum Body {
    None,
    Query(fn(&Ids) -> String),
    Json(fn(&Ids) -> Value),
    Form(fn(&Ids) -> Vec<(&'static str, String)>),
    /// A multipart upload of one file named `files` (as the import forms send it).
    Upload(&'static str, &'static [u8]),
    /// A `text/csv` body.
    Csv(&'static str),
}

pub struct Row {
    pub method: &'static str,
    pub path: &'static str,
    pub rule: Rule,
    pub body: Body,
}

const fn row(method: &'static str, path: &'static str, rule: Rule, body: Body) -> Row {
    Row {
        method,
        path,
        rule,
        body,
    }
}

use Body::{Csv, Form, Json, Query, Upload};
use Need::{Author, Code, Own, Read, Report};
use Rule::{Admin, Member, OwnToken, Public, SessionOnly, SetUpDone, SignInForm, SignedIn};

const NONE: Body = Body::None;
const CODEBOOK: &str = "name,description\nAccess sweep code,from the sweep\n";
const TRANSCRIPT: &[u8] = b"Interviewer: Why?\n\nUser: Because it helps.\n";
/// A small REFI-QDA project (one source, one code, one coded selection; tests/fixtures/refi).
const QDPX: &[u8] = include_bytes!("../../fixtures/refi/minimal.qdpx");
const QDC: &[u8] = include_bytes!("../../fixtures/refi/codebooks/taguette-expected.qdc");

fn agreement_query(ids: &Ids) -> String {
    // Every document, whoever coded it: the sweep is about access, not figures.
    format!("?coders=cody,olga&code={}&scope=all", ids.code)
}

fn cell_query(ids: &Ids) -> String {
    format!("?a={}&b={}", ids.code, ids.other_code)
}

fn assignment(ids: &Ids) -> Value {
    json!({ "coders": ["cody"], "documents": [ids.document] })
}

fn compare_query(ids: &Ids) -> String {
    format!(
        "?coders=cody,olga&scope=all&code={}&document={}&start=0&end=4",
        ids.code, ids.document
    )
}

fn decision(ids: &Ids) -> Value {
    json!({ "code_id": ids.code, "document_id": ids.document, "start": 0, "end": 4,
            "decision": "none" })
}

fn decision_form(ids: &Ids) -> Vec<(&'static str, String)> {
    vec![
        ("query", "coders=cody,olga".into()),
        ("code", ids.code.to_string()),
        ("document", ids.document.to_string()),
        ("start", "0".into()),
        ("end", "4".into()),
        ("decision", "none".into()),
    ]
}

/// The JSON API's operations, as `/api/v1/openapi.json` lists them.
pub const API: &[Row] = &[
    row("GET", "/api/v1/me", SignedIn, NONE),
    row("GET", "/api/v1/tokens", SignedIn, NONE),
    row(
        "POST",
        "/api/v1/tokens",
        SessionOnly,
        Json(|_| json!({ "name": "more" })),
    ),
    row("DELETE", "/api/v1/tokens/{id}", OwnToken, NONE),
    row("GET", "/api/v1/invitations", SignedIn, NONE),
    // An invitation is olga's (the owner's) to settle; anyone else's is "not found".
    row("POST", "/api/v1/invitations/{id}/accept", OwnToken, NONE),
    row("POST", "/api/v1/invitations/{id}/decline", OwnToken, NONE),
    row("GET", "/api/v1/users", Admin, NONE),
    row(
        "POST",
        "/api/v1/users",
        Admin,
        Json(
            |ids| json!({ "username": format!("new{}", ids.serial), "password": "long enough password" }),
        ),
    ),
    row(
        "PATCH",
        "/api/v1/users/{username}",
        Admin,
        Json(|_| json!({ "is_admin": false })),
    ),
    row("GET", "/api/v1/projects", SignedIn, NONE),
    row(
        "POST",
        "/api/v1/projects",
        SignedIn,
        Json(|_| json!({ "name": "Another" })),
    ),
    row(
        "POST",
        "/api/v1/projects/demo",
        SignedIn,
        Json(|_| json!({})),
    ),
    row("GET", "/api/v1/projects/{id}", Member(Read), NONE),
    row(
        "DELETE",
        "/api/v1/projects/{id}",
        Member(Own),
        Query(|ids| format!("?confirm=Spare%20{}", ids.serial)),
    ),
    row(
        "PATCH",
        "/api/v1/projects/{id}",
        Member(Own),
        Json(|_| json!({ "name": "Study" })),
    ),
    row("GET", "/api/v1/projects/{id}/events", Member(Report), NONE),
    row("GET", "/api/v1/projects/{id}/members", Member(Read), NONE),
    row(
        "POST",
        "/api/v1/projects/{id}/members",
        Member(Own),
        Json(|ids| json!({ "username": ids.newcomer, "role": "viewer" })),
    ),
    row(
        "DELETE",
        "/api/v1/projects/{id}/members/{username}",
        Member(Own),
        NONE,
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/invitations",
        Member(Own),
        NONE,
    ),
    row(
        "DELETE",
        "/api/v1/projects/{id}/invitations/{invitation_id}",
        Member(Own),
        NONE,
    ),
    row(
        "POST",
        "/api/v1/projects/import/qdpx",
        SignedIn,
        Upload("sweep.qdpx", QDPX),
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/codebook.qdc",
        Member(Read),
        NONE,
    ),
    row(
        "POST",
        "/api/v1/projects/{id}/codebook.qdc",
        Member(Own),
        Upload("codebook.qdc", QDC),
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/project.qdpx",
        Member(Read),
        NONE,
    ),
    row(
        "GET",
        "/api/v1/documents/{id}/completion",
        Member(Read),
        NONE,
    ),
    row(
        "PUT",
        "/api/v1/documents/{id}/completion",
        Member(Code),
        Json(|_| json!({ "complete": true })),
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/agreement/consensus",
        Member(Report),
        Query(agreement_query),
    ),
    row(
        "POST",
        "/api/v1/projects/{id}/assignments",
        Member(Own),
        Json(assignment),
    ),
    row(
        "POST",
        "/api/v1/projects/{id}/assignments/remove",
        Member(Own),
        Json(assignment),
    ),
    row("GET", "/api/v1/projects/{id}/progress", Member(Own), NONE),
    row(
        "GET",
        "/api/v1/projects/{id}/search",
        Member(Read),
        Query(|_| "?q=said".into()),
    ),
    row(
        "POST",
        "/api/v1/projects/{id}/autocode",
        Member(Code),
        Json(|ids| json!({ "q": "said", "code_id": ids.code, "dry_run": true })),
    ),
    row(
        "POST",
        "/api/v1/projects/{id}/autocode/undo",
        Member(Code),
        Json(|_| json!({})),
    ),
    // Any member may ask; a viewer's list is empty.
    row(
        "GET",
        "/api/v1/projects/{id}/progress/mine",
        Member(Read),
        NONE,
    ),
    row("GET", "/api/v1/projects/{id}/documents", Member(Read), NONE),
    row(
        "POST",
        "/api/v1/projects/{id}/documents",
        Member(Own),
        Json(|_| json!({ "title": "New", "text": "User: hello" })),
    ),
    row("GET", "/api/v1/documents/{id}", Member(Read), NONE),
    row(
        "PATCH",
        "/api/v1/documents/{id}",
        Member(Own),
        Json(|_| json!({ "title": "Renamed" })),
    ),
    row("DELETE", "/api/v1/documents/{id}", Member(Own), NONE),
    row("GET", "/api/v1/projects/{id}/speakers", Member(Read), NONE),
    row(
        "PATCH",
        "/api/v1/projects/{id}/speakers/{label}",
        Member(Own),
        Json(|_| json!({ "role": "participant" })),
    ),
    row("GET", "/api/v1/projects/{id}/codes", Member(Read), NONE),
    row(
        "POST",
        "/api/v1/projects/{id}/codes",
        Member(Code),
        Json(|ids| json!({ "name": format!("Code {}", ids.serial) })),
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/codebook.csv",
        Member(Read),
        NONE,
    ),
    row(
        "POST",
        "/api/v1/projects/{id}/codebook.csv",
        Member(Own),
        Csv(CODEBOOK),
    ),
    row("GET", "/api/v1/codes/{id}", Member(Read), NONE),
    row(
        "PATCH",
        "/api/v1/codes/{id}",
        Member(Code),
        Json(|ids| json!({ "name": format!("Renamed {}", ids.serial) })),
    ),
    row("DELETE", "/api/v1/codes/{id}", Member(Own), NONE),
    row(
        "POST",
        "/api/v1/codes/{id}/merge",
        Member(Own),
        Json(|ids| json!({ "into": ids.other_code })),
    ),
    row("GET", "/api/v1/codes/{id}/excerpts", Member(Read), NONE),
    row("GET", "/api/v1/documents/{id}/excerpts", Member(Read), NONE),
    row(
        "POST",
        "/api/v1/documents/{id}/excerpts",
        Member(Code),
        Json(|ids| json!({ "start": 0, "end": 4, "code_ids": [ids.code] })),
    ),
    row(
        "POST",
        "/api/v1/documents/{id}/excerpts/batch",
        Member(Code),
        Json(|ids| json!({ "excerpts": [{ "start": 0, "end": 4, "code_ids": [ids.code] }] })),
    ),
    row("GET", "/api/v1/excerpts/{id}", Member(Read), NONE),
    row(
        "PATCH",
        "/api/v1/excerpts/{id}",
        Member(Author),
        Json(|_| json!({ "memo": "changed" })),
    ),
    row("DELETE", "/api/v1/excerpts/{id}", Member(Author), NONE),
    row(
        "GET",
        "/api/v1/projects/{id}/agreement",
        Member(Report),
        Query(agreement_query),
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/agreement.csv",
        Member(Report),
        Query(agreement_query),
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/agreement/reliability.csv",
        Member(Report),
        Query(agreement_query),
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/agreement/disagreements",
        Member(Report),
        Query(agreement_query),
    ),
    row(
        "POST",
        "/api/v1/projects/{id}/agreement/decisions",
        Member(Own),
        Json(decision),
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/cooccurrence",
        Member(Read),
        NONE,
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/cooccurrence.csv",
        Member(Read),
        NONE,
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/cooccurrence/passages",
        Member(Read),
        Query(cell_query),
    ),
    row("GET", "/api/v1/projects/{id}/crosstab", Member(Read), NONE),
    row(
        "GET",
        "/api/v1/projects/{id}/crosstab.csv",
        Member(Read),
        NONE,
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/crosstab/passages",
        Member(Read),
        Query(|ids| format!("?code={}&document={}", ids.code, ids.document)),
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/excerpts.csv",
        Member(Read),
        NONE,
    ),
    row(
        "GET",
        "/api/v1/projects/{id}/matrix.csv",
        Member(Read),
        NONE,
    ),
];

/// Every route outside the API, as `gloss::web::page_routes()` lists them.
pub const PAGES: &[Row] = &[
    row("GET", "/login", Public, NONE),
    row("POST", "/logout", SignedIn, Form(|_| vec![])),
    row("GET", "/setup", Public, NONE),
    row(
        "POST",
        "/setup",
        SetUpDone,
        Form(|_| {
            vec![
                ("username", "usurper".into()),
                ("password", "long enough password".into()),
                ("password_confirm", "long enough password".into()),
            ]
        }),
    ),
    row("GET", "/settings", SignedIn, NONE),
    row(
        "POST",
        "/settings/password",
        SignedIn,
        Form(|_| {
            vec![
                ("current_password", crate::helpers::PASSWORD.into()),
                ("new_password", crate::helpers::PASSWORD.into()),
                ("new_password_confirm", crate::helpers::PASSWORD.into()),
            ]
        }),
    ),
    row(
        "POST",
        "/settings/tokens",
        SignedIn,
        Form(|_| vec![("name", "from the page".into())]),
    ),
    row(
        "POST",
        "/settings/tokens/{id}/revoke",
        OwnToken,
        Form(|_| vec![]),
    ),
    row("GET", "/", SignedIn, NONE),
    row(
        "POST",
        "/projects",
        SignedIn,
        Form(|_| vec![("name", "From the page".into())]),
    ),
    row("POST", "/projects/demo", SignedIn, Form(|_| vec![])),
    row("GET", "/projects/{id}", Member(Read), NONE),
    row(
        "POST",
        "/projects/{id}/delete",
        Member(Own),
        Form(|ids| vec![("confirm", format!("Spare {}", ids.serial))]),
    ),
    row(
        "POST",
        "/projects/{id}/settings",
        Member(Own),
        Form(|_| vec![("name", "Study".into())]),
    ),
    row("GET", "/projects/{id}/activity", Member(Report), NONE),
    row(
        "GET",
        "/projects/{id}/search",
        Member(Read),
        Query(|_| "?q=said".into()),
    ),
    row(
        "POST",
        "/projects/{id}/search/autocode",
        Member(Code),
        Form(|ids| {
            vec![
                ("q", "said".into()),
                ("apply_code", ids.code.to_string()),
                ("action", "preview".into()),
            ]
        }),
    ),
    row(
        "POST",
        "/projects/{id}/search/undo",
        Member(Code),
        Form(|_| vec![]),
    ),
    row("GET", "/projects/{id}/export", Member(Read), NONE),
    row("GET", "/projects/{id}/members", Member(Read), NONE),
    row("GET", "/projects/{id}/settings", Member(Own), NONE),
    row(
        "POST",
        "/projects/{id}/members",
        Member(Own),
        Form(|ids| {
            vec![
                ("username", ids.newcomer.clone()),
                ("role", "viewer".into()),
            ]
        }),
    ),
    row(
        "POST",
        "/projects/{id}/members/{username}/remove",
        Member(Own),
        Form(|_| vec![]),
    ),
    row(
        "POST",
        "/projects/{id}/invitations/{invitation_id}/withdraw",
        Member(Own),
        Form(|_| vec![]),
    ),
    row(
        "POST",
        "/documents/{id}/completion",
        Member(Code),
        Form(|_| vec![("complete", "true".into())]),
    ),
    row("GET", "/projects/{id}/progress", Member(Own), NONE),
    row(
        "POST",
        "/projects/import-qdpx",
        SignedIn,
        Upload("sweep.qdpx", QDPX),
    ),
    row(
        "POST",
        "/projects/{id}/assignments",
        Member(Own),
        Form(|ids| {
            vec![
                ("coder", "cody".into()),
                ("how", "documents".into()),
                ("document", ids.document.to_string()),
            ]
        }),
    ),
    row(
        "GET",
        "/projects/{id}/agreement/consensus",
        Member(Report),
        Query(agreement_query),
    ),
    row(
        "POST",
        "/invitations/{id}/accept",
        OwnToken,
        Form(|_| vec![]),
    ),
    row(
        "POST",
        "/invitations/{id}/decline",
        OwnToken,
        Form(|_| vec![]),
    ),
    row("GET", "/admin/users", Admin, NONE),
    row(
        "POST",
        "/admin/users",
        Admin,
        Form(|ids| {
            vec![
                ("username", format!("paged{}", ids.serial)),
                ("password", "long enough password".into()),
            ]
        }),
    ),
    row(
        "POST",
        "/admin/users/{username}/admin",
        Admin,
        Form(|_| vec![("admin", "on".into())]),
    ),
    row(
        "POST",
        "/admin/users/{username}/password",
        Admin,
        Form(|_| vec![("password", "another long password".into())]),
    ),
    row(
        "POST",
        "/admin/users/{username}/active",
        Admin,
        Form(|_| vec![]),
    ),
    row(
        "POST",
        "/projects/{id}/documents/import",
        Member(Own),
        Upload("sweep.txt", TRANSCRIPT),
    ),
    row(
        "GET",
        "/projects/{id}/imports/{import_id}",
        Member(Read),
        NONE,
    ),
    row(
        "POST",
        "/projects/{id}/speakers",
        Member(Own),
        Form(|_| vec![("label", "User".into()), ("role", "participant".into())]),
    ),
    row("GET", "/documents/{id}", Member(Read), NONE),
    row(
        "POST",
        "/documents/{id}/edit",
        Member(Own),
        Form(|_| vec![("title", "Renamed".into())]),
    ),
    row(
        "POST",
        "/documents/{id}/delete",
        Member(Own),
        Form(|_| vec![]),
    ),
    row("GET", "/projects/{id}/codes", Member(Read), NONE),
    row(
        "POST",
        "/projects/{id}/codes",
        Member(Code),
        Form(|ids| vec![("name", format!("Paged {}", ids.serial))]),
    ),
    row(
        "POST",
        "/projects/{id}/codebook/import",
        Member(Own),
        Upload("codebook.csv", CODEBOOK.as_bytes()),
    ),
    row("GET", "/codes/{id}", Member(Read), NONE),
    row(
        "POST",
        "/codes/{id}/edit",
        Member(Code),
        Form(|ids| vec![("name", format!("Edited {}", ids.serial))]),
    ),
    row("POST", "/codes/{id}/delete", Member(Own), Form(|_| vec![])),
    row(
        "POST",
        "/codes/{id}/merge",
        Member(Own),
        Form(|ids| vec![("into", ids.other_code.to_string())]),
    ),
    row(
        "GET",
        "/projects/{id}/agreement",
        Member(Report),
        Query(agreement_query),
    ),
    row(
        "GET",
        "/projects/{id}/agreement/disagreements",
        Member(Report),
        Query(agreement_query),
    ),
    row(
        "GET",
        "/projects/{id}/agreement/compare",
        Member(Report),
        Query(compare_query),
    ),
    row(
        "POST",
        "/projects/{id}/agreement/decide",
        Member(Own),
        Form(decision_form),
    ),
    row("GET", "/projects/{id}/analysis", Member(Read), NONE),
    row(
        "GET",
        "/projects/{id}/analysis/frequencies.svg",
        Member(Read),
        NONE,
    ),
    row(
        "GET",
        "/projects/{id}/analysis/cooccurrence",
        Member(Read),
        NONE,
    ),
    row(
        "GET",
        "/projects/{id}/analysis/cooccurrence.svg",
        Member(Read),
        NONE,
    ),
    row(
        "GET",
        "/projects/{id}/analysis/cooccurrence/cell",
        Member(Read),
        Query(cell_query),
    ),
    row(
        "GET",
        "/projects/{id}/analysis/crosstab",
        Member(Read),
        NONE,
    ),
    row(
        "GET",
        "/projects/{id}/analysis/crosstab/cell",
        Member(Read),
        Query(|ids| format!("?code={}&document={}", ids.code, ids.document)),
    ),
    row("GET", "/api", Public, NONE),
    row("GET", "/api/v1/openapi.json", Public, NONE),
    row("GET", "/healthz", Public, NONE),
    row("GET", "/static/{*path}", Public, NONE),
    row("GET", "/favicon.ico", Public, NONE),
    // Last: failed sign-ins are throttled per address, which would slow the sign-ins above.
    row(
        "POST",
        "/login",
        SignInForm,
        Form(|_| {
            vec![
                ("username", "nobody".into()),
                ("password", "wrong password".into()),
            ]
        }),
    ),
];
