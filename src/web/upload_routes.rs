//! Which routes read the CSRF token from their multipart body: the upload routes, named
//! here and registered by these names, so the guard asks the router's own answer (the
//! matched route) instead of matching URL text.

use axum::extract::{MatchedPath, Request};

/// The routes whose handlers read their body with [`Upload`](super::upload::Upload), which checks the form's
/// `_csrf` field before anything is stored; the page routers register them by these
/// names. Any other multipart request must carry the token in its header.
pub const IMPORT_DOCUMENTS_PAGE: &str = "/projects/{id}/documents/import";
pub const IMPORT_CODEBOOK_PAGE: &str = "/projects/{id}/codebook/import";
/// The API's upload route (`POST /projects/{id}/documents` under the API prefix): its
/// path is written in the handler's `utoipa::path`, which takes only a literal; a test
/// checks the OpenAPI document has it.
pub const IMPORT_DOCUMENTS_API: &str = "/api/v1/projects/{id}/documents";

/// The API's REFI-QDA project import (`POST /projects/import/qdpx`).
pub const IMPORT_QDPX_API: &str = "/api/v1/projects/import/qdpx";

/// The home page's "Import a REFI-QDA project" form.
pub const IMPORT_QDPX_PAGE: &str = "/projects/import-qdpx";

/// The API's REFI-QDA codebook import (`POST /projects/{id}/codebook.qdc`).
pub const IMPORT_QDC_API: &str = "/api/v1/projects/{id}/codebook.qdc";

pub const UPLOAD_ROUTES: [&str; 6] = [
    IMPORT_QDPX_PAGE,
    IMPORT_QDC_API,
    IMPORT_DOCUMENTS_PAGE,
    IMPORT_CODEBOOK_PAGE,
    IMPORT_DOCUMENTS_API,
    IMPORT_QDPX_API,
];

/// Whether the request was routed to an upload handler (by its route, not its URL text).
pub fn reads_token_from_body(request: &Request) -> bool {
    request
        .extensions()
        .get::<MatchedPath>()
        .is_some_and(|matched| UPLOAD_ROUTES.contains(&matched.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_upload_route_is_the_one_the_api_serves() {
        let doc = crate::web::api::openapi();
        let item = doc
            .paths
            .paths
            .get(IMPORT_DOCUMENTS_API)
            .expect("the upload route is in the OpenAPI document");
        assert!(item.post.is_some(), "and takes POST");
    }
}
