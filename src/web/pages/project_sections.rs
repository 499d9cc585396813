//! A project's Export, Members and Settings sections, each a page of its own (the forms
//! on them post to the routes in `projects.rs`, whose addresses stay as they were).

use askama::Template;
use axum::extract::State;

use super::tabs::{self, Section, Tab};
use super::{Layout, PageResult, PageRoute, render};
use crate::domain::Role;
use crate::service::access::ProjectAccess;
use crate::service::codes::{self, CodeView};
use crate::service::documents as docs;
use crate::service::invitations::{self, Invitation};
use crate::service::projects::{self, Member};
use crate::web::AppState;
use crate::web::extract::Page;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get("/projects/{id}/export", export),
        PageRoute::get("/projects/{id}/members", members),
        PageRoute::get("/projects/{id}/settings", settings),
    ]
}

#[derive(Template)]
#[template(path = "project_export.html")]
struct ExportPage {
    layout: Layout,
    access: ProjectAccess,
    tabs: Vec<Tab>,
    codes: Vec<CodeView>,
    attribute_values: Vec<(String, String, i64)>,
}

/// The export forms: coded excerpts, the code × document matrix, the whole project.
async fn export(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
) -> PageResult {
    let codes = codes::codebook(&app.db, &access).await?;
    let attribute_values = docs::attribute_values(&app.db, &access).await?;
    let title = format!("Export · {}", access.project.name);
    let layout = Layout::for_user(&app, &mut page, title).await?;
    render(&ExportPage {
        layout,
        tabs: tabs::project(&access, Section::Export),
        access,
        codes,
        attribute_values,
    })
}

#[derive(Template)]
#[template(path = "project_members.html")]
struct MembersPage {
    layout: Layout,
    access: ProjectAccess,
    tabs: Vec<Tab>,
    members: Vec<Member>,
    invitations: Vec<Invitation>,
    roles: [Role; 3],
}

/// Who is in the project; owners invite, change and remove members here.
async fn members(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
) -> PageResult {
    let members = projects::members(&app.db, &access).await?;
    let invitations = match access.role.can_manage_members() {
        true => invitations::of_project(&app.db, &access).await?,
        false => Vec::new(),
    };
    let title = format!("Members · {}", access.project.name);
    let layout = Layout::for_user(&app, &mut page, title).await?;
    render(&MembersPage {
        layout,
        tabs: tabs::project(&access, Section::Members),
        access,
        members,
        invitations,
        roles: Role::ALL,
    })
}

#[derive(Template)]
#[template(path = "project_settings.html")]
struct SettingsPage {
    layout: Layout,
    access: ProjectAccess,
    tabs: Vec<Tab>,
}

/// Name, description, blind coding, archiving, and deleting the project (owners).
async fn settings(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
) -> PageResult {
    access.require(
        Role::can_manage_project,
        "Only project owners can change project settings.",
    )?;
    let title = format!("Settings · {}", access.project.name);
    let layout = Layout::for_user(&app, &mut page, title).await?;
    render(&SettingsPage {
        layout,
        tabs: tabs::project(&access, Section::Settings),
        access,
    })
}
