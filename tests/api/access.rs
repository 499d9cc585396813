//! The access sweep (issue 16): every route the server has — each operation of the served
//! OpenAPI document and each route of `gloss::web::page_routes()`, which the router is
//! built from — is called for every role against a real server with real ids, and must
//! answer as its row in `access/rules.rs` says. A route without a row fails the sweep.
//! Refused callers send a broken body or query, so access is shown to be decided before
//! any input is read; a refused call must leave the audit log and the accounts unchanged.

mod rules;
mod world;

use reqwest::StatusCode;

use rules::{API, Body, Need, PAGES, Row, Rule};
use world::{Payload, ROLES, Reply, Role, World, fill};

use crate::helpers::json_of;

/// What a role should get from a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Done: 2xx; a page form redirects (303) without an error message.
    Allowed,
    /// 403; a page form may instead redirect back showing the error.
    Forbidden,
    NotFound,
    /// API without valid credentials: 401.
    Unauthenticated,
    /// A page without a session: 303 to the sign-in page.
    ToLogin,
    /// A page form without a session: 403 (no session, so no valid form token).
    Expired,
    /// A public route: 2xx or a redirect, for anyone.
    Served,
    /// Refused one way or another: 403 or 404, or a form sent back showing the error.
    Refused,
    /// Any answer that is not a server error (the sign-in form with wrong credentials).
    Answered,
}

impl Need {
    fn allows(self, role: Role) -> bool {
        match self {
            Need::Read => true,
            Need::Code => matches!(role, Role::Owner | Role::Coder),
            Need::Report => matches!(role, Role::Owner | Role::Viewer),
            Need::Own => role == Role::Owner,
            Need::Author => role == Role::Coder,
        }
    }
}

fn expect(rule: Rule, role: Role, page: bool, method: &str) -> Expect {
    let signed_out = matches!(role, Role::Anonymous | Role::Revoked);
    match rule {
        Rule::Public => Expect::Served,
        Rule::SignInForm => Expect::Answered,
        Rule::SetUpDone => Expect::Refused,
        _ if signed_out && !page => Expect::Unauthenticated,
        _ if signed_out && method == "GET" => Expect::ToLogin,
        _ if signed_out => Expect::Expired,
        Rule::SignedIn => Expect::Allowed,
        Rule::SessionOnly => Expect::Forbidden,
        Rule::Admin if role == Role::Admin => Expect::Allowed,
        Rule::Admin => Expect::Forbidden,
        Rule::OwnToken if role == Role::Owner => Expect::Allowed,
        // The settings page's revoke form goes back with "not found" beside the list.
        Rule::OwnToken if page => Expect::Refused,
        Rule::OwnToken => Expect::NotFound,
        Rule::Member(_) if matches!(role, Role::Outsider | Role::Admin) => Expect::NotFound,
        Rule::Member(need) if need.allows(role) => Expect::Allowed,
        Rule::Member(_) => Expect::Forbidden,
    }
}

fn answers_as_expected(expected: Expect, reply: &Reply, form: bool) -> bool {
    let status = reply.status;
    let to_login = reply
        .location
        .as_deref()
        .is_some_and(|to| to.starts_with("/login"));
    // A page form may refuse by going back with the error beside the form.
    let refused_back = form && status == StatusCode::SEE_OTHER && reply.flashed_error.is_some();
    match expected {
        Expect::Allowed if form && status == StatusCode::SEE_OTHER => !refused_back,
        Expect::Allowed => status.is_success(),
        Expect::Forbidden | Expect::Refused if refused_back => true,
        Expect::Forbidden | Expect::Expired => status == StatusCode::FORBIDDEN,
        Expect::NotFound => status == StatusCode::NOT_FOUND,
        Expect::Unauthenticated => status == StatusCode::UNAUTHORIZED,
        Expect::ToLogin => status == StatusCode::SEE_OTHER && to_login,
        Expect::Served => status.is_success() || status.is_redirection(),
        Expect::Refused => [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
        Expect::Answered => !status.is_server_error() && status != StatusCode::NOT_FOUND,
    }
}

/// Whether the row deletes its project: allowed, it is called on a spare project of its own.
fn deletes_project(row: &Row) -> bool {
    matches!(
        (row.method, row.path),
        ("DELETE", "/api/v1/projects/{id}") | ("POST", "/projects/{id}/delete")
    )
}

/// A query no route accepts, sent by refused callers of GET routes.
const BROKEN_QUERY: &str = "?limit=lots&cursor=x.y.z&coders=&code=abc&document=-";

/// Calls `row` as `role`; the failure in words, if it did not answer by its rule.
async fn check(world: &World, row: &Row, role: Role, page: bool) -> Result<(), String> {
    let expected = expect(row.rule, role, page, row.method);
    let fresh;
    let ids = if expected == Expect::Allowed {
        fresh = match deletes_project(row) {
            true => world.spare_project().await,
            false => world.fresh(row.path.contains("/members")).await,
        };
        &fresh
    } else {
        &world.shared
    };
    let broken = matches!(
        expected,
        Expect::NotFound | Expect::Unauthenticated | Expect::ToLogin | Expect::Expired
    );
    let mut path = fill(row.path, ids);
    match row.body {
        _ if broken && row.method == "GET" => path.push_str(BROKEN_QUERY),
        Body::Query(query) if !broken => path.push_str(&query(ids)),
        _ => {}
    }
    let send = match broken {
        true => Payload::Broken(&row.body),
        false => Payload::Valid(&row.body, ids),
    };
    let before = (world.events().await, world.accounts().await);
    let reply = match page {
        true => world.call_page(role, row.method, &path, send).await,
        false => world.call_api(role, row.method, &path, send).await,
    };
    let form = page && row.method == "POST";
    let mut failure = None;
    if !answers_as_expected(expected, &reply, form) {
        failure = Some(format!("expected {expected:?}, got {reply:?}"));
    } else if !matches!(
        expected,
        Expect::Allowed | Expect::Served | Expect::Answered
    ) {
        let after = (world.events().await, world.accounts().await);
        if after != before {
            failure = Some(format!(
                "refused ({expected:?}) but (events, accounts) went {before:?} -> {after:?}"
            ));
        }
    }
    match failure {
        None => Ok(()),
        Some(why) => Err(format!(
            "{} {} as {role:?} ({path}): {why}",
            row.method, row.path
        )),
    }
}

/// Every route the server has, as (method, path template): the API's from the OpenAPI
/// document it serves, the rest from the list its router is built from.
async fn served_routes(world: &World) -> Vec<(String, String)> {
    let url = world.app.url("/api/v1/openapi.json");
    let (_, document) = json_of(reqwest::get(url).await.unwrap()).await;
    let mut routes = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                routes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    for route in gloss::web::page_routes() {
        routes.push((route.method.to_string(), route.path.to_owned()));
    }
    routes
}

/// The served routes that have no row: each would ship without a rule.
fn without_a_rule(served: &[(String, String)], rows: &[&Row]) -> Vec<String> {
    served
        .iter()
        .filter(|(method, path)| !rows.iter().any(|r| r.method == method && r.path == path))
        .map(|(method, path)| format!("{method} {path}"))
        .collect()
}

#[tokio::test]
async fn every_route_answers_every_role_by_its_rule() {
    let world = World::new().await;
    let served = served_routes(&world).await;
    let rows: Vec<&Row> = API.iter().chain(PAGES).collect();
    let missing = without_a_rule(&served, &rows);
    assert!(
        missing.is_empty(),
        "routes without an access rule (add a row to tests/api/access/rules.rs): {missing:#?}"
    );
    let stale: Vec<String> = rows
        .iter()
        .filter(|r| !served.iter().any(|(m, p)| m == r.method && p == r.path))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        stale.is_empty(),
        "rows for routes the server does not have: {stale:#?}"
    );
    let mut failures = Vec::new();
    let mut calls = 0;
    for (table, page) in [(API, false), (PAGES, true)] {
        for row in table {
            for role in ROLES {
                calls += 1;
                if let Err(failure) = check(&world, row, role, page).await {
                    failures.push(failure);
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} calls broke their rule:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(calls, served.len() * ROLES.len(), "every route, every role");
}

/// The sweep's own guard: a route the router serves without a row is named.
#[test]
fn a_route_without_a_row_is_named() {
    let rows: Vec<&Row> = API.iter().chain(PAGES).collect();
    let served = vec![
        ("GET".to_owned(), "/api/v1/me".to_owned()),
        (
            "POST".to_owned(),
            "/projects/{id}/shiny-new-form".to_owned(),
        ),
    ];
    assert_eq!(
        without_a_rule(&served, &rows),
        vec!["POST /projects/{id}/shiny-new-form".to_owned()]
    );
}
