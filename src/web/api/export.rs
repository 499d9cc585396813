//! `/api/v1/projects/{id}/excerpts.csv` and `/api/v1/projects/{id}/matrix.csv`: exports of
//! the coding, with the same filters as the pages.

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;

use super::ApiResult;
use crate::error::AppError;
use crate::service::documents::parse_speaker_role;
use crate::service::export::{self, ExportFilter};
use crate::web::AppState;
use crate::web::extract::ApiProject;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/excerpts.csv", get(excerpts_csv))
        .route("/projects/{id}/matrix.csv", get(matrix_csv))
}

/// Export filters; lists are comma-separated, and empty means "all".
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ExportParams {
    #[serde(default)]
    pub codes: String,
    /// Include the sub-codes of the listed codes.
    #[serde(default)]
    pub subcodes: String,
    /// User names, or `consensus`.
    #[serde(default)]
    pub coders: String,
    #[serde(default)]
    pub documents: String,
    /// `name:value`
    #[serde(default)]
    pub attribute: String,
    /// `interviewer` or `participant`.
    #[serde(default)]
    pub role: String,
    /// Add a byte-order mark so Excel opens the file as UTF-8.
    #[serde(default)]
    pub excel: String,
}

fn flag(raw: &str) -> bool {
    matches!(raw.trim(), "true" | "on" | "1" | "yes")
}

fn list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn ids(field: &'static str, raw: &str) -> Result<Vec<i64>, AppError> {
    list(raw)
        .iter()
        .map(|s| {
            s.parse().map_err(|_| {
                AppError::invalid(
                    field,
                    format!("'{s}' is not an id; give ids separated by commas."),
                )
            })
        })
        .collect()
}

impl ExportParams {
    pub fn filter(&self) -> Result<ExportFilter, AppError> {
        let attribute = match self.attribute.trim() {
            "" => None,
            raw => {
                let (name, value) = raw.split_once(':').ok_or_else(|| {
                    AppError::invalid("attribute", "Filter documents as name:value.")
                })?;
                Some((name.to_owned(), value.to_owned()))
            }
        };
        let role = match self.role.trim() {
            "" => None,
            raw => Some(parse_speaker_role(raw)?),
        };
        Ok(ExportFilter {
            codes: ids("codes", &self.codes)?,
            include_subcodes: flag(&self.subcodes),
            coders: list(&self.coders),
            documents: ids("documents", &self.documents)?,
            attribute,
            role,
            excel: flag(&self.excel),
        })
    }
}

fn attachment(name: String) -> [(header::HeaderName, String); 2] {
    [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ),
    ]
}

async fn excerpts_csv(
    State(app): State<AppState>,
    ApiProject(access): ApiProject,
    Query(params): Query<ExportParams>,
) -> ApiResult<impl IntoResponse> {
    let export = export::prepare(&app.db, &access, &params.filter()?).await?;
    let name = format!("excerpts-project-{}.csv", access.project_id());
    Ok((attachment(name), Body::from_stream(export.into_stream())))
}

async fn matrix_csv(
    State(app): State<AppState>,
    ApiProject(access): ApiProject,
    Query(params): Query<ExportParams>,
) -> ApiResult<impl IntoResponse> {
    let csv = export::matrix_csv(&app.db, &access, &params.filter()?).await?;
    Ok((
        attachment(format!(
            "code-document-matrix-project-{}.csv",
            access.project_id()
        )),
        csv,
    ))
}
