//! `/api/v1/codes/{id}/excerpts`: every excerpt with a code across the project's
//! documents, as the code's page shows them.

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, ErrorBody};
use crate::domain::import::SpeakerRole;
use crate::service::access::InCode;
use crate::service::retrieval::{self, RetrievalQuery, Retrieved};
use crate::web::AppState;
use crate::web::extract::Api;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(excerpts_with_code))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RetrievalParams {
    /// Include the code's sub-codes (`true`).
    #[serde(default)]
    subcodes: bool,
    /// Only this coder's excerpts: a user name, or `consensus`.
    coder: Option<String>,
    /// Only documents with this attribute value, as `name:value`.
    attribute: Option<String>,
    /// Only excerpts touching a turn of this role: `interviewer` or `participant`.
    role: Option<String>,
    /// 0-based page of 100 excerpts.
    #[serde(default)]
    page: usize,
}

#[derive(Serialize, ToSchema)]
struct SpeakerJson {
    speaker: String,
    role: String,
}

#[derive(Serialize, ToSchema)]
struct RetrievedJson {
    id: i64,
    document_id: i64,
    document: String,
    coder: String,
    consensus: bool,
    start: i64,
    end: i64,
    /// Up to 120 code points of the document before the excerpt.
    before: String,
    text: String,
    after: String,
    code_ids: Vec<i64>,
    memo: String,
    speakers: Vec<SpeakerJson>,
    created_at: String,
    updated_at: String,
}

impl From<Retrieved> for RetrievedJson {
    fn from(r: Retrieved) -> Self {
        let e = r.excerpt;
        RetrievedJson {
            id: e.id,
            document_id: e.document_id,
            document: r.document_title,
            coder: e.coder,
            consensus: e.consensus,
            start: e.start,
            end: e.end,
            before: r.before,
            text: r.text,
            after: r.after,
            code_ids: r.code_ids,
            memo: e.memo,
            speakers: r
                .speakers
                .into_iter()
                .map(|(speaker, role)| SpeakerJson {
                    speaker,
                    role: role.to_string(),
                })
                .collect(),
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct RetrievalJson {
    /// Matching excerpts in all pages.
    total: usize,
    page: usize,
    pages: usize,
    excerpts: Vec<RetrievedJson>,
}

/// Every excerpt with the code (and its sub-codes, on request) across the project's
/// documents, with context and speakers, by document and position; 100 per page. Blind
/// coding applies: coders get only their own.
#[utoipa::path(get, path = "/codes/{id}/excerpts", tag = "codes", params(("id" = i64, Path, description = "Code id"), RetrievalParams),
    responses((status = 200, body = RetrievalJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn excerpts_with_code(
    State(app): State<AppState>,
    Api(InCode { access, code }): Api<InCode>,
    Query(params): Query<RetrievalParams>,
) -> ApiResult<Json<RetrievalJson>> {
    let role = params.role.as_deref().map(SpeakerRole::parse).transpose()?;
    let query = RetrievalQuery {
        include_subcodes: params.subcodes,
        coder: params.coder.as_deref().filter(|c| !c.is_empty()),
        attribute: params.attribute.as_deref().and_then(|a| a.split_once(':')),
        role,
        page: params.page,
    };
    let found = retrieval::retrieve(&app.db, &access, &code, &query).await?;
    Ok(Json(RetrievalJson {
        total: found.total,
        page: found.page,
        pages: found.pages,
        excerpts: found.items.into_iter().map(Into::into).collect(),
    }))
}
