//! Consensus progress: per code, the disagreement regions decided and open; and each
//! coder's agreement with the consensus set.

use askama::Template;
use axum::extract::{Query, State};

use super::{Layout, PageResult, PageRoute, render};
use crate::service::access::ProjectAccess;
use crate::service::adjudication;
use crate::service::params::AgreementParams;
use crate::web::AppState;
use crate::web::extract::Page;
use crate::web::urls;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![PageRoute::get(
        "/projects/{id}/agreement/consensus",
        consensus_page,
    )]
}

#[derive(Template)]
#[template(path = "consensus.html")]
struct ConsensusPage {
    layout: Layout,
    project_id: i64,
    project_name: String,
    query: String,
    progress: adjudication::ConsensusProgress,
}

impl ConsensusPage {
    fn shown(value: &Option<f64>) -> String {
        value.map_or("—".to_owned(), |v| format!("{v:.3}"))
    }
}

async fn consensus_page(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Query(params): Query<AgreementParams>,
) -> PageResult {
    let progress = adjudication::consensus_progress(&app.db, &access, &params.request()?).await?;
    let layout = Layout::for_user(
        &app,
        &mut page,
        format!("Consensus · {}", access.project.name),
    )
    .await?;
    render(&ConsensusPage {
        layout,
        project_id: access.project_id(),
        project_name: access.project.name.clone(),
        query: urls::agreement_query(&params),
        progress,
    })
}
