//! The home page: the signed-in user's projects and a form to start a new one.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use super::{Layout, PageResult, PageRoute, after_form, after_form_keeping, render};
use crate::domain::Role;
use crate::error::AppError;
use crate::service::invitations::{self, Invitation};
use crate::service::progress::{self, Status};
use crate::service::projects::Project;
use crate::service::{accounts, projects};
use crate::service::{demo, refi};
use crate::web::AppState;
use crate::web::auth::{AnySession, SignedIn};
use crate::web::error::ApiError;
use crate::web::upload::SpooledUpload;
use crate::web::upload_routes::IMPORT_QDPX_PAGE;
use crate::web::urls;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get("/", home),
        PageRoute::post("/projects", create_project),
        PageRoute::post("/projects/demo", create_demo),
        PageRoute::post("/invitations/{id}/accept", accept_invitation),
        PageRoute::post("/invitations/{id}/decline", decline_invitation),
        PageRoute::post(IMPORT_QDPX_PAGE, import_qdpx),
    ]
}

/// Imports a REFI-QDA project into a new project and goes there, with the summary
/// (what was not carried over, what was changed, how offsets were read) as the notice.
async fn import_qdpx(
    State(app): State<AppState>,
    page: SignedIn,
    upload: Result<SpooledUpload, ApiError>,
) -> PageResult {
    let result = match upload {
        Ok(upload) => match upload.files.into_iter().next() {
            Some(file) => {
                let options = refi::QdpxOptions {
                    match_users_by_name: upload.match_users,
                };
                refi::import_qdpx(&app.db, &page.user, file.file, options).await
            }
            None => Err(AppError::invalid("file", "Choose a .qdpx file to import.")),
        },
        Err(ApiError(err)) => Err(err),
    };
    let (done, to) = match &result {
        Ok((access, summary)) => (describe(summary), urls::project(access.project_id())),
        Err(_) => (String::new(), urls::home()),
    };
    let home = urls::home();
    after_form(&app, &page.session, result, &done, &to, &home).await
}

/// The import summary in words, for the notice on the new project's page.
fn describe(summary: &refi::QdpxImportSummary) -> String {
    let mut parts = vec![format!(
        "Imported “{}”: {} document(s), {} code(s), {} excerpt(s).",
        summary.project_name, summary.documents, summary.codes, summary.excerpts
    )];
    if !summary.coders_created.is_empty() {
        parts.push(format!(
            "New coders (they cannot sign in until an administrator sets a password): {}.",
            summary.coders_created.join(", ")
        ));
    }
    for source in &summary.sources {
        parts.push(format!(
            "“{}”: positions read as {} ({} of {} selections line up).",
            source.name, source.offset_model, source.aligned, source.checked
        ));
    }
    if !summary.not_imported.is_empty() {
        let lost: Vec<String> = summary
            .not_imported
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        parts.push(format!("Not carried over: {}.", lost.join("; ")));
    }
    parts.extend(summary.changed.iter().cloned());
    parts.join(" ")
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    active: Vec<(Project, Role)>,
    archived: Vec<(Project, Role)>,
    invitations: Vec<Invitation>,
    /// Per active project where the user codes: how many of their documents are not
    /// started, in progress, complete.
    my_documents: Vec<(i64, [(Status, usize); 3])>,
}

impl HomePage {
    fn my_counts(&self, project_id: &i64) -> Option<&[(Status, usize); 3]> {
        self.my_documents
            .iter()
            .find(|(id, _)| id == project_id)
            .map(|(_, counts)| counts)
    }
}

async fn home(State(app): State<AppState>, AnySession(session): AnySession) -> PageResult {
    if accounts::needs_setup(&app.db).await? {
        return Ok(Redirect::to(&urls::setup()).into_response());
    }
    let Some(mut page) = SignedIn::from_session(session) else {
        return Ok(Redirect::to(&urls::login()).into_response());
    };
    let (archived, active): (Vec<_>, Vec<_>) = projects::list_mine(&app.db, &page.user)
        .await?
        .into_iter()
        .partition(|(p, _)| p.archived);
    let invitations = invitations::mine(&app.db, &page.user).await?;
    let my_documents = progress::my_counts(&app.db, &page.user, &active).await?;
    let layout = Layout::for_user(&app, &mut page, "Projects").await?;
    render(&HomePage {
        layout,
        active,
        archived,
        invitations,
        my_documents,
    })
}

#[derive(Deserialize, Serialize)]
struct NewProjectForm {
    name: String,
    #[serde(default)]
    description: String,
}

async fn create_project(
    State(app): State<AppState>,
    page: SignedIn,
    Form(form): Form<NewProjectForm>,
) -> PageResult {
    let created = projects::create(&app.db, &page.user, &form.name, &form.description).await;
    let to = created
        .as_ref()
        .map_or_else(|_| urls::home(), |access| urls::project(access.project.id));
    let home = urls::home();
    let steps = ("Project created.", to.as_str(), home.as_str());
    after_form_keeping(&app, &page.session, created, steps, &form).await
}

/// Creates the demo project for the signed-in user and opens it.
async fn create_demo(State(app): State<AppState>, page: SignedIn) -> PageResult {
    let created = demo::create(&app.db, &page.user).await;
    let to = created
        .as_ref()
        .map_or_else(|_| urls::home(), |access| urls::project(access.project.id));
    let done = "Demo project created: 21 interviews, coded by two demo coders. \
        Delete it in its settings when you are done.";
    after_form(&app, &page.session, created, done, &to, &urls::home()).await
}

async fn accept_invitation(
    State(app): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let joined = invitations::accept(&app.db, &page.user, id).await;
    let to = joined.as_ref().map_or_else(|_| urls::home(), urls::project);
    let done = "You joined the project.";
    after_form(&app, &page.session, joined, done, &to, &urls::home()).await
}

async fn decline_invitation(
    State(app): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let declined = invitations::decline(&app.db, &page.user, id).await;
    let home = urls::home();
    after_form(
        &app,
        &page.session,
        declined,
        "Invitation declined.",
        &home,
        &home,
    )
    .await
}
