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

mod pages;
pub use pages::PAGES;
