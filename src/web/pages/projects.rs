//! A project's overview page, its settings, and its members.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use serde::{Deserialize, Serialize};

use super::document_list::{ListParams, ListView, view as list_view};
use super::tabs::{self, Section, Tab};
use super::{Layout, PageResult, PageRoute, after_form, after_form_keeping, render};
use crate::service::access::ProjectAccess;
use crate::service::activity::{self, ActivityEntry};
use crate::service::document_list;
use crate::service::documents as docs;
use crate::service::documents::Speaker;
use crate::service::invitations;
use crate::service::progress::{self, DocumentProgress};
use crate::service::projects::Membership;
use crate::service::projects::{self, ProjectChanges};
use crate::web::AppState;
use crate::web::extract::Page;
use crate::web::urls;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get("/projects/{id}", overview),
        PageRoute::post("/projects/{id}/settings", save_settings),
        PageRoute::post("/projects/{id}/delete", delete_project),
        PageRoute::get("/projects/{id}/activity", activity),
        PageRoute::post("/projects/{id}/members", set_member),
        PageRoute::post("/projects/{id}/members/{username}/remove", remove_member),
        PageRoute::post(
            "/projects/{id}/invitations/{invitation_id}/withdraw",
            withdraw_invitation,
        ),
    ]
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    layout: Layout,
    access: ProjectAccess,
    tabs: Vec<Tab>,
    list: ListView,
    document_count: i64,
    attribute_names: Vec<String>,
    attribute_values: Vec<(String, String, i64)>,
    speakers: Vec<Speaker>,
    /// The caller's assigned (or coded) documents with their status.
    my_documents: Vec<DocumentProgress>,
}

async fn overview(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Query(params): Query<ListParams>,
) -> PageResult {
    let listing = document_list::browse(&app.db, &access, &params.query()).await?;
    let list = list_view(access.project_id(), params, listing);
    let document_count = docs::count(&app.db, &access).await?;
    let attribute_values = docs::attribute_values(&app.db, &access).await?;
    let mut attribute_names: Vec<String> =
        attribute_values.iter().map(|(n, _, _)| n.clone()).collect();
    attribute_names.dedup();
    let speakers = docs::speakers(&app.db, &access).await?;
    let my_documents = match access.role.can_code() {
        true => progress::my_documents(&app.db, &access).await?,
        false => Vec::new(),
    };
    let layout = Layout::for_user(&app, &mut page, access.project.name.clone()).await?;
    render(&ProjectPage {
        layout,
        tabs: tabs::project(&access, Section::Documents),
        access,
        list,
        document_count,
        attribute_names,
        attribute_values,
        speakers,
        my_documents,
    })
}

#[derive(Deserialize)]
struct SettingsForm {
    name: String,
    #[serde(default)]
    description: String,
    /// Checkboxes are absent when unticked.
    archived: Option<String>,
    blind_coding: Option<String>,
}

async fn save_settings(
    State(app): State<AppState>,
    Page(page, access): Page<ProjectAccess>,
    Form(form): Form<SettingsForm>,
) -> PageResult {
    let changes = ProjectChanges {
        name: Some(form.name),
        description: Some(form.description),
        archived: Some(form.archived.is_some()),
        blind_coding: Some(form.blind_coding.is_some()),
    };
    let result = projects::update(&app.db, &access, &changes).await;
    let back = urls::project_settings(access.project_id());
    after_form(
        &app,
        &page.session,
        result,
        "Project settings saved.",
        &back,
        &back,
    )
    .await
}

#[derive(Deserialize, Serialize)]
struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

/// Deletes the project once its name is typed, and goes home.
async fn delete_project(
    State(app): State<AppState>,
    Page(page, access): Page<ProjectAccess>,
    Form(form): Form<DeleteForm>,
) -> PageResult {
    let result = projects::delete(&app.db, &access, &form.confirm).await;
    let done = format!("Deleted the project “{}”.", access.project.name);
    let (home, back) = (urls::home(), urls::project_settings(access.project_id()));
    after_form_keeping(&app, &page.session, result, (&done, &home, &back), &form).await
}

#[derive(Deserialize, Serialize)]
struct MemberForm {
    username: String,
    role: String,
}

async fn set_member(
    State(app): State<AppState>,
    Page(page, access): Page<ProjectAccess>,
    Form(form): Form<MemberForm>,
) -> PageResult {
    let result = projects::set_member(&app.db, &access, &form.username, &form.role).await;
    let back = urls::project_members(access.project_id());
    let done = match &result {
        Ok(Membership::Invited(invitation)) => format!(
            "Invited {} to join as {}. They join when they accept the invitation on their \
             home page.",
            invitation.username, invitation.role
        ),
        _ => format!(
            "{} is now a {} of this project.",
            form.username.trim(),
            form.role.trim().to_lowercase()
        ),
    };
    after_form_keeping(&app, &page.session, result, (&done, &back, &back), &form).await
}

async fn remove_member(
    State(app): State<AppState>,
    Page(page, access): Page<ProjectAccess>,
    Path((_, username)): Path<(i64, String)>,
) -> PageResult {
    let result = projects::remove_member(&app.db, &access, &username).await;
    // Who removes themselves can no longer see the project.
    let back = urls::project_members(access.project_id());
    let to = match username == access.user.username {
        true => urls::home(),
        false => back.clone(),
    };
    let done = format!("{username} was removed from the project.");
    after_form(&app, &page.session, result, &done, &to, &back).await
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    layout: Layout,
    tabs: Vec<Tab>,
    project_id: i64,
    project_name: String,
    entries: Vec<ActivityEntry>,
    next: Option<i64>,
}

#[derive(Deserialize)]
struct ActivityQuery {
    before: Option<i64>,
}

async fn activity(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Query(query): Query<ActivityQuery>,
) -> PageResult {
    let (entries, next) = activity::entries(&app.db, &access, query.before, 200).await?;
    let layout = Layout::for_user(
        &app,
        &mut page,
        format!("Activity · {}", access.project.name),
    )
    .await?;
    render(&ActivityPage {
        layout,
        tabs: tabs::project(&access, Section::Activity),
        project_id: access.project_id(),
        project_name: access.project.name,
        entries,
        next,
    })
}

async fn withdraw_invitation(
    State(app): State<AppState>,
    Page(page, access): Page<ProjectAccess>,
    Path((_, invitation_id)): Path<(i64, i64)>,
) -> PageResult {
    let result = invitations::withdraw(&app.db, &access, invitation_id).await;
    let back = urls::project_members(access.project_id());
    let done = "Invitation withdrawn.";
    after_form(&app, &page.session, result, done, &back, &back).await
}
