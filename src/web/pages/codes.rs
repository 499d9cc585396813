//! The codebook page (the tree, with forms to grow and tidy it) and a code's page (every
//! excerpt with the code, across documents, with filters).

use askama::Template;
use axum::extract::{Form, Query, State};
use serde::{Deserialize, Serialize};

use super::tabs::{self, Section, Tab};
use super::{
    Layout, PageResult, PageRoute, after_form, after_form_keeping, code_chart, redirect_with_flash,
    render,
};
use crate::domain::import::SpeakerRole;
use crate::error::AppError;
use crate::service::access::{InCode, ProjectAccess};
use crate::service::coders;
use crate::service::codes::{self, CodeChanges, CodeView, NewCodeInput};
use crate::service::documents as docs;
use crate::service::refi;
use crate::service::retrieval::{self, Retrieval, RetrievalQuery};
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::extract::Page;
use crate::web::upload::Upload;
use crate::web::upload_routes;
use crate::web::urls;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get("/projects/{id}/codes", codebook_page),
        PageRoute::post("/projects/{id}/codes", create_code),
        PageRoute::post(upload_routes::IMPORT_CODEBOOK_PAGE, import_codebook),
        PageRoute::get("/codes/{id}", code_page),
        PageRoute::post("/codes/{id}/edit", edit_code),
        PageRoute::post("/codes/{id}/delete", delete_code),
        PageRoute::post("/codes/{id}/merge", merge_code),
    ]
}

#[derive(Template)]
#[template(path = "codebook.html")]
struct CodebookPage {
    layout: Layout,
    tabs: Vec<Tab>,
    project_id: i64,
    project_name: String,
    codes: Vec<CodeView>,
    can_code: bool,
    can_manage: bool,
    /// The New code form's colour: the palette's least-used.
    suggested_color: String,
}

async fn codebook_page(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
) -> PageResult {
    let codes = codes::codebook(&app.db, &access).await?;
    let suggested_color = codes::suggested_color(&codes);
    let layout = Layout::for_user(
        &app,
        &mut page,
        format!("Codebook · {}", access.project.name),
    )
    .await?;
    render(&CodebookPage {
        layout,
        tabs: tabs::project(&access, Section::Codebook),
        project_id: access.project_id(),
        can_code: access.role.can_code() && !access.project.archived,
        can_manage: access.role.can_manage_codebook() && !access.project.archived,
        project_name: access.project.name,
        codes,
        suggested_color,
    })
}

#[derive(Deserialize, Serialize)]
struct CodeForm {
    name: String,
    #[serde(default)]
    color: String,
    #[serde(default)]
    description: String,
    /// Empty for the top level.
    #[serde(default)]
    parent_id: String,
}

fn parent_from_form(raw: &str) -> Result<Option<i64>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        id => id
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid("parent_id", "Choose a parent code from the list.")),
    }
}

async fn create_code(
    State(app): State<AppState>,
    Page(page, access): Page<ProjectAccess>,
    Form(form): Form<CodeForm>,
) -> PageResult {
    let back = urls::project_codes(access.project_id());
    let result = match parent_from_form(&form.parent_id) {
        Ok(parent_id) => {
            let input = NewCodeInput {
                name: form.name.clone(),
                color: Some(form.color.clone()),
                description: form.description.clone(),
                parent_id,
            };
            codes::create(&app.db, &access, &input).await
        }
        Err(err) => Err(err),
    };
    let done = "Code created.";
    after_form_keeping(&app, &page.session, result, (done, &back, &back), &form).await
}

async fn import_codebook(
    State(app): State<AppState>,
    Page(page, access): Page<ProjectAccess>,
    upload: Result<Upload, ApiError>,
) -> PageResult {
    let back = urls::project_codes(access.project_id());
    let result = match upload {
        Ok(upload) => match upload.files.first() {
            // A REFI-QDA codebook (ATLAS.ti, NVivo, MAXQDA, Taguette) merges by GUID or path.
            Some(file) if file.name.to_ascii_lowercase().ends_with(".qdc") => {
                refi::import_qdc(&app.db, &access, &file.bytes)
                    .await
                    .map(|s| describe_qdc(&s))
            }
            Some(file) => codes::import_csv(&app.db, &access, &file.bytes)
                .await
                .map(|summary| {
                    format!(
                        "Codebook imported: {} code(s) created, {} updated.",
                        summary.created, summary.updated
                    )
                }),
            None => Err(AppError::invalid(
                "file",
                "Choose a codebook file (.csv or .qdc) to import.",
            )),
        },
        Err(ApiError(err)) => Err(err),
    };
    let done = result.as_ref().cloned().unwrap_or_default();
    after_form(&app, &page.session, result, &done, &back, &back).await
}

/// A `.qdc` import's summary in words: what was created and what merged, and how.
fn describe_qdc(summary: &refi::QdcImportSummary) -> String {
    let mut parts = vec![format!(
        "Codebook imported: {} code(s) created, {} merged by GUID, {} merged by path.",
        summary.created.len(),
        summary.merged_by_guid.len(),
        summary.merged_by_path.len()
    )];
    if !summary.merged_by_path.is_empty() {
        parts.push(format!("Merged: {}.", summary.merged_by_path.join(", ")));
    }
    if !summary.not_imported.is_empty() {
        let lost: Vec<String> = summary
            .not_imported
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        parts.push(format!("Not imported: {}.", lost.join("; ")));
    }
    parts.join(" ")
}

#[derive(Template)]
#[template(path = "code.html")]
struct CodePage {
    layout: Layout,
    project_id: i64,
    project_name: String,
    code: CodeView,
    /// Codes this one may be moved under or merged into: not itself, not its sub-codes.
    targets: Vec<CodeView>,
    usage: i64,
    retrieval: Retrieval,
    filters: Filters,
    coders: Vec<String>,
    attribute_values: Vec<(String, String, i64)>,
    /// The code's excerpts per value of each document attribute (none without attributes).
    attribute_charts: Vec<code_chart::AttributeChart>,
    can_code: bool,
    can_manage: bool,
    sees_all_coders: bool,
}

#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    subcodes: Option<String>,
    #[serde(default)]
    coder: String,
    #[serde(default)]
    attribute: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    page: usize,
}

impl Filters {
    fn include_subcodes(&self) -> bool {
        self.subcodes.is_some()
    }

    /// The query string of these filters on another page of results.
    fn page_link(&self, code_id: impl std::fmt::Display, page: usize) -> String {
        let mut query = vec![format!("page={page}")];
        if self.include_subcodes() {
            query.push("subcodes=on".into());
        }
        query.extend(self.encoded("coder"));
        format!("{}?{}", urls::code(code_id), query.join("&"))
    }

    /// The CSV export of the excerpts these filters show.
    fn export_link(&self, project_id: &i64, code_id: &i64) -> String {
        let mut query = vec![format!("codes={code_id}")];
        if self.include_subcodes() {
            query.push("subcodes=true".into());
        }
        query.extend(self.encoded("coders"));
        format!("{}?{}", urls::excerpts_csv(*project_id), query.join("&"))
    }

    /// `key=value` pairs, percent-encoded, for the filters that are set; the coder
    /// filter's key is the target page's name for it.
    fn encoded(&self, coder_key: &'static str) -> impl Iterator<Item = String> + '_ {
        [
            (coder_key, &self.coder),
            ("attribute", &self.attribute),
            ("role", &self.role),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{key}={}", urls::path_segment(value)))
    }
}

async fn code_page(
    State(app): State<AppState>,
    Page(mut page, InCode { access, code }): Page<InCode>,
    Query(filters): Query<Filters>,
) -> PageResult {
    let role = match filters.role.as_str() {
        "" => None,
        raw => Some(SpeakerRole::parse(raw)?),
    };
    let query = RetrievalQuery {
        include_subcodes: filters.include_subcodes(),
        coder: Some(filters.coder.as_str()).filter(|c| !c.is_empty()),
        attribute: filters.attribute.split_once(':'),
        role,
        page: filters.page,
    };
    let retrieval = retrieval::retrieve(&app.db, &access, &code, &query).await?;
    let codes = codes::codebook(&app.db, &access).await?;
    let view = codes
        .iter()
        .find(|c| c.id == code.id)
        .cloned()
        .ok_or(AppError::NotFound("Code"))?;
    let excluded = codes::subtree_ids(&codes, code.id);
    let targets = codes
        .into_iter()
        .filter(|c| !excluded.contains(&c.id))
        .collect();
    let usage = codes::usage(&app.db, &code).await?;
    let sees_all_coders = access.sees_all_coders();
    let coders = coders::visible_coders(&app.db, &access).await?;
    let attribute_values = docs::attribute_values(&app.db, &access).await?;
    let names = code_chart::attribute_names(&attribute_values);
    let attribute_charts =
        code_chart::by_attribute(&app, &access, code.id, &filters.coder, &names).await?;
    let layout = Layout::for_user(&app, &mut page, view.path.clone()).await?;
    render(&CodePage {
        layout,
        project_id: access.project_id(),
        project_name: access.project.name.clone(),
        code: view,
        targets,
        usage,
        retrieval,
        filters,
        coders,
        attribute_values,
        attribute_charts,
        can_code: access.role.can_code() && !access.project.archived,
        can_manage: access.role.can_manage_codebook() && !access.project.archived,
        sees_all_coders,
    })
}

async fn edit_code(
    State(app): State<AppState>,
    Page(page, InCode { access, code }): Page<InCode>,
    Form(form): Form<CodeForm>,
) -> PageResult {
    let back = urls::code(code.id);
    let result = match parent_from_form(&form.parent_id) {
        Ok(parent_id) => {
            let changes = CodeChanges {
                name: Some(form.name.clone()),
                color: Some(form.color.clone()).filter(|c| !c.is_empty()),
                description: Some(form.description.clone()),
                parent_id: Some(parent_id),
            };
            codes::update(&app.db, &access, &code, &changes).await
        }
        Err(err) => Err(err),
    };
    let steps = ("Code saved.", back.as_str(), back.as_str());
    after_form_keeping(&app, &page.session, result, steps, &form).await
}

async fn delete_code(
    State(app): State<AppState>,
    Page(page, InCode { access, code }): Page<InCode>,
) -> PageResult {
    match codes::delete(&app.db, &access, &code).await {
        Ok(affected) => {
            let message = format!(
                "Deleted the code “{}”; {affected} excerpt(s) lost it.",
                code.name
            );
            redirect_with_flash(
                &app,
                &page.session,
                &message,
                &urls::project_codes(access.project_id()),
            )
            .await
        }
        Err(err) => {
            after_form::<()>(&app, &page.session, Err(err), "", "", &urls::code(code.id)).await
        }
    }
}

#[derive(Deserialize)]
struct MergeForm {
    into: String,
}

async fn merge_code(
    State(app): State<AppState>,
    Page(page, InCode { access, code }): Page<InCode>,
    Form(form): Form<MergeForm>,
) -> PageResult {
    let back = urls::code(code.id);
    let into = match form.into.trim().parse::<i64>() {
        Ok(into) => into,
        Err(_) => {
            return after_form::<()>(
                &app,
                &page.session,
                Err(AppError::invalid("into", "Choose the code to merge into.")),
                "",
                &back,
                &back,
            )
            .await;
        }
    };
    match codes::merge(&app.db, &access, &code, into).await {
        Ok(target) => {
            let message = format!("Merged “{}” into “{}”.", code.name, target.path);
            redirect_with_flash(&app, &page.session, &message, &urls::code(target.id)).await
        }
        Err(err) => after_form::<()>(&app, &page.session, Err(err), "", &back, &back).await,
    }
}
