//! The access rules of the pages (outside the JSON API), one row per route.

use super::*;

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
    row("GET", "/projects/{id}/progress.svg", Member(Own), NONE),
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
