//! REFI-QDA exchange: `/api/v1/projects/{id}/codebook.qdc` and
//! `/api/v1/projects/{id}/project.qdpx`, files that ATLAS.ti, NVivo, MAXQDA and QualCoder
//! read.

use axum::body::Body;
use axum::extract::{Query, State};

use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::Json;
use axum::http::StatusCode;

use super::{ApiResult, ErrorBody};
use crate::error::AppError;
use crate::service::access::ProjectAccess;
use crate::service::params::ExportParams;
use crate::service::{export, refi};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::download;
use crate::web::extract::Api;
use crate::web::upload::{SpooledUpload, Upload};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(codebook_qdc, import_codebook_qdc))
        .routes(routes!(project_qdpx))
        .routes(routes!(import_qdpx))
}

/// The multipart form of a REFI-QDA codebook import.
#[allow(dead_code)] // describes the multipart form for the OpenAPI document only
#[derive(utoipa::ToSchema)]
struct QdcUpload {
    /// The `.qdc` file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Imports a REFI-QDA codebook (`.qdc`) into this project's codebook (owners): a code
/// with a GUID the project has merges into that code, else one at the same path merges
/// into it, else it is created. Answers with what was created and what merged, and how.
#[utoipa::path(post, path = "/projects/{id}/codebook.qdc", tag = "codes", params(("id" = i64, Path, description = "Project id")),
    request_body(content((QdcUpload = "multipart/form-data"))),
    responses((status = 200, body = refi::QdcImportSummary), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_codebook_qdc(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    upload: Upload,
) -> ApiResult<Json<refi::QdcImportSummary>> {
    let Some(file) = upload.files.into_iter().next() else {
        return Err(AppError::invalid("file", "Send the .qdc file in the field `file`.").into());
    };
    Ok(Json(refi::import_qdc(&app.db, &access, &file.bytes).await?))
}

/// The multipart form of a REFI-QDA project import.
#[allow(dead_code)] // describes the multipart form for the OpenAPI document only
#[derive(utoipa::ToSchema)]
struct QdpxUpload {
    /// The `.qdpx` file (a ZIP with the project file and its sources).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// "true": a file user whose name is an existing account's is that account
    /// (default: every file user becomes a new coder who cannot sign in until an
    /// administrator sets a password).
    match_users: Option<bool>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Imported {
    project: super::projects::ProjectView,
    summary: refi::QdpxImportSummary,
}

/// Imports a REFI-QDA project (`.qdpx` from ATLAS.ti, NVivo, MAXQDA, QualCoder or
/// Gloss) into a new project that you own. Answers with the project and the import
/// summary: per source the offset model detected and how sure, what was not carried
/// over (per kind) and what was changed. A file that cannot be imported leaves nothing
/// behind.
#[utoipa::path(post, path = "/projects/import/qdpx", tag = "projects",
    request_body(content((QdpxUpload = "multipart/form-data"))),
    responses((status = 201, body = Imported), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_qdpx(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    upload: SpooledUpload,
) -> ApiResult<(StatusCode, Json<Imported>)> {
    let mut files = upload.files.into_iter();
    let (Some(file), None) = (files.next(), files.next()) else {
        return Err(
            AppError::invalid("file", "Send exactly one .qdpx file in the field `file`.").into(),
        );
    };
    let options = refi::QdpxOptions {
        match_users_by_name: upload.match_users,
    };
    let (access, summary) = refi::import_qdpx(&app.db, &user, file.file, options).await?;
    Ok((
        StatusCode::CREATED,
        Json(Imported {
            project: access.into(),
            summary,
        }),
    ))
}

/// The codebook as a REFI-QDA codebook (`.qdc`, schema `urn:QDA-XML:codebook:1.0`):
/// every code with its nesting, colour and definition (as `Description`). GUIDs are
/// stored, so every export of a code carries the same one. 409 if there are no codes.
#[utoipa::path(get, path = "/projects/{id}/codebook.qdc", tag = "exports", params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, content_type = "application/xml", body = String), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn codebook_qdc(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
) -> ApiResult<impl IntoResponse> {
    let xml = refi::codebook_qdc(&app.db, &access).await?;
    let name = export::file_name(&access, "codebook", &[], "qdc");
    Ok((
        download::attachment("application/xml; charset=utf-8", &name),
        xml,
    ))
}

/// The project as a REFI-QDA project (`.qdpx`: a ZIP with `project.qde` and
/// `sources/<guid>.txt`), streamed: users (with the consensus set as a user of its own),
/// the codebook, attributes as variables and cases, and per document its transcript
/// (speaker labels, blank lines between turns) with every excerpt as a selection whose
/// positions are code points into that text, its codings by coder and its memo. The
/// filters of the excerpts CSV apply, and so do blind coding and membership.
#[utoipa::path(get, path = "/projects/{id}/project.qdpx", tag = "exports", params(("id" = i64, Path, description = "Project id"), ExportParams),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn project_qdpx(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<ExportParams>,
) -> ApiResult<impl IntoResponse> {
    let filter = params.filter()?;
    let export = refi::prepare_qdpx(&app.db, &access, &filter).await?;
    let name = export::file_name(&access, "project", &filter.qualifiers(), "qdpx");
    Ok((
        download::attachment("application/zip", &name),
        Body::from_stream(export.into_stream()),
    ))
}
