//! The home page: the signed-in user's projects and a form to start a new one.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use super::{Layout, PageResult, PageRoute, after_form, after_form_keeping, render};
use crate::domain::Role;
use crate::service::invitations::{self, Invitation};
use crate::service::progress::{self, Status};
use crate::service::projects::Project;
use crate::service::{accounts, projects};
use crate::web::AppState;
use crate::web::auth::{AnySession, SignedIn};
use crate::web::urls;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get("/", home),
        PageRoute::post("/projects", create_project),
        PageRoute::post("/invitations/{id}/accept", accept_invitation),
        PageRoute::post("/invitations/{id}/decline", decline_invitation),
    ]
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
