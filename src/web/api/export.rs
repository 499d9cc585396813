//! `/api/v1/projects/{id}/excerpts.csv` and `/api/v1/projects/{id}/matrix.csv`: exports of
//! the coding, with the same filters as the pages.

use super::ApiResult;
use crate::service::export::{self, ExportParams};
use crate::web::AppState;
use crate::web::extract::ApiProject;
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/excerpts.csv", get(excerpts_csv))
        .route("/projects/{id}/matrix.csv", get(matrix_csv))
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
