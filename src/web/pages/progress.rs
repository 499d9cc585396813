//! Team workflow pages: marking a document complete from the coding page, and the owners'
//! progress page with its assignment form.

use askama::Template;
use axum::extract::{Form, State};

use super::analysis_charts as charts;
use super::tabs::{self, Section, Tab};
use super::{Layout, PageResult, PageRoute, after_form, render};
use crate::domain::Role;
use crate::error::AppError;
use crate::service::access::{InDocument, ProjectAccess};
use crate::service::documents as docs;
use crate::service::progress::assignments::{self, AssignmentRequest};
use crate::service::progress::{self, CoderTotal, ProjectProgress};
use crate::web::AppState;
use crate::web::extract::Page;
use crate::web::urls;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::post("/documents/{id}/completion", set_completion),
        PageRoute::get("/projects/{id}/progress", progress_page),
        PageRoute::get("/projects/{id}/progress.svg", progress_svg),
        PageRoute::post("/projects/{id}/assignments", assign),
    ]
}

/// The form's fields as sent: repeated names (`coder`, `document`) come as several pairs.
type Fields = Vec<(String, String)>;

fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn all_of(fields: &Fields, name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

async fn set_completion(
    State(app): State<AppState>,
    Page(page, doc): Page<InDocument>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let complete = crate::service::params::flag(field(&fields, "complete"));
    let result = progress::set_completion(&app.db, &doc, complete).await;
    let done = match complete {
        true => "Marked complete. Reopen it from this page if you need to change anything.",
        false => "Reopened: your coding of this document is in progress again.",
    };
    let back = urls::document(doc.document.summary.id);
    after_form(&app, &page.session, result, done, &back, &back).await
}

#[derive(Template)]
#[template(path = "progress.html")]
struct ProgressPage {
    layout: Layout,
    tabs: Vec<Tab>,
    project_id: i64,
    project_name: String,
    progress: ProjectProgress,
    /// The chart's figures, per coder in the table's column order.
    totals: Vec<CoderTotal>,
    chart: String,
    attribute_values: Vec<(String, String, i64)>,
    can_assign: bool,
}

impl ProgressPage {
    fn title_of(&self, id: &i64) -> &str {
        self.progress
            .documents
            .iter()
            .find(|d| d.document_id == *id)
            .map_or("", |d| d.title.as_str())
    }
}

async fn progress_page(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
) -> PageResult {
    let progress = progress::project_progress(&app.db, &access).await?;
    let attribute_values = docs::attribute_values(&app.db, &access).await?;
    let layout = Layout::for_user(
        &app,
        &mut page,
        format!("Progress · {}", access.project.name),
    )
    .await?;
    render(&ProgressPage {
        layout,
        tabs: tabs::project(&access, Section::Progress),
        project_id: access.project_id(),
        project_name: access.project.name.clone(),
        totals: progress.per_coder(),
        chart: charts::progress_chart(&progress),
        progress,
        attribute_values,
        can_assign: access.role.can_plan_work() && !access.project.archived,
    })
}

/// The progress chart as an SVG file (the same figures as the page's chart).
async fn progress_svg(
    State(app): State<AppState>,
    Page(_, access): Page<ProjectAccess>,
) -> PageResult {
    let progress = progress::project_progress(&app.db, &access).await?;
    let svg = charts::progress_chart(&progress);
    Ok(charts::svg_download(&access, "progress", &[], svg))
}

/// The assignment form: coders ticked, and the documents ticked in the table, an
/// attribute value, or a percentage at random.
fn assignment_request(fields: &Fields) -> Result<AssignmentRequest, AppError> {
    let mut request = AssignmentRequest {
        coders: all_of(fields, "coder"),
        ..AssignmentRequest::default()
    };
    match field(fields, "how") {
        "documents" => {
            let ids = all_of(fields, "document")
                .iter()
                .map(|raw| raw.trim().parse::<i64>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| AppError::invalid("documents", "Tick documents in the table."))?;
            request.documents = Some(ids);
        }
        "attribute" => request.attribute = Some(field(fields, "attribute").to_owned()),
        "percent" => {
            let percent = field(fields, "percent").trim().parse().map_err(|_| {
                AppError::invalid("percent", "Give the share as a whole number, 1 to 100.")
            })?;
            request.percent = Some(percent);
        }
        _ => {
            return Err(AppError::invalid(
                "documents",
                "Choose which documents: ticked, by attribute, or a share at random.",
            ));
        }
    }
    Ok(request)
}

async fn assign(
    State(app): State<AppState>,
    Page(page, access): Page<ProjectAccess>,
    Form(fields): Form<Fields>,
) -> PageResult {
    access.require(Role::can_plan_work, "Only project owners assign documents.")?;
    let assign = field(&fields, "action") != "unassign";
    let result = match assignment_request(&fields) {
        Ok(request) => assignments::set(&app.db, &access, &request, assign).await,
        Err(err) => Err(err),
    };
    let done = match &result {
        Ok(outcome) => format!(
            "{} {} document{} {} {} ({} change{}).",
            if assign { "Assigned" } else { "Unassigned" },
            outcome.documents.len(),
            if outcome.documents.len() == 1 {
                ""
            } else {
                "s"
            },
            if assign { "to" } else { "from" },
            outcome.coders.join(", "),
            outcome.changed,
            if outcome.changed == 1 { "" } else { "s" },
        ),
        Err(_) => String::new(),
    };
    let back = urls::project_progress(access.project_id());
    after_form(&app, &page.session, result, &done, &back, &back).await
}
