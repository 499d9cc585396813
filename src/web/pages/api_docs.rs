//! `/api`: a readable page of the JSON API, generated from the same OpenAPI document that
//! `/api/v1/openapi.json` serves, so it cannot drift from the code.

use askama::Template;
use axum::extract::State;

use super::{Layout, PageResult, PageRoute, render};
use crate::web::AppState;
use crate::web::api;
use crate::web::auth::{AnySession, SignedIn};

pub(super) fn routes() -> Vec<PageRoute> {
    vec![PageRoute::get("/api", api_page)]
}

struct Operation {
    method: String,
    path: String,
    summary: String,
    description: String,
}

struct Group {
    tag: String,
    about: String,
    operations: Vec<Operation>,
}

#[derive(Template)]
#[template(path = "api.html")]
struct ApiPage {
    layout: Layout,
    groups: Vec<Group>,
}

/// Operations of the OpenAPI document grouped by tag, in the document's tag order.
fn groups() -> Vec<Group> {
    let doc = serde_json::to_value(api::openapi()).unwrap_or_default();
    let mut groups: Vec<Group> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| Group {
            tag: t["name"].as_str().unwrap_or_default().to_owned(),
            about: t["description"].as_str().unwrap_or_default().to_owned(),
            operations: Vec::new(),
        })
        .collect();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in ["get", "post", "patch", "put", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let tag = op["tags"][0].as_str().unwrap_or_default();
            let operation = Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: op["summary"].as_str().unwrap_or_default().to_owned(),
                description: op["description"].as_str().unwrap_or_default().to_owned(),
            };
            match groups.iter_mut().find(|g| g.tag == tag) {
                Some(group) => group.operations.push(operation),
                None => groups.push(Group {
                    tag: tag.to_owned(),
                    about: String::new(),
                    operations: vec![operation],
                }),
            }
        }
    }
    groups
}

async fn api_page(State(app): State<AppState>, AnySession(session): AnySession) -> PageResult {
    let layout = match SignedIn::from_session(session) {
        Some(mut page) => Layout::for_user(&app, &mut page, "API").await?,
        None => Layout::anonymous("API", ""),
    };
    render(&ApiPage {
        layout,
        groups: groups(),
    })
}
