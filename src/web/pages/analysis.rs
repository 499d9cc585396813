//! The analysis pages: code frequencies per coder, the co-occurrence table and heat map,
//! the code × document and code × attribute tables, and the passages behind every cell.

use askama::Template;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::analysis_charts::{self as charts, used_codes};
use super::tabs::{self, Section, Tab};
use super::{Layout, PageResult, PageRoute, render};
use crate::error::AppResult;
use crate::service::access::ProjectAccess;
use crate::service::analysis::cooccurrence::{self, CodeTotal, Cooccurrence, Passages};
use crate::service::analysis::crosstab::{self, CellExcerpts, Crosstab};
use crate::service::analysis::frequencies::{self, Frequencies};
use crate::service::coders;
use crate::service::documents as docs;
use crate::service::params::{
    CellParams, CooccurrenceParams, CrosstabCellParams, CrosstabParams, list,
};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::extract::Page;
use crate::web::urls;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get("/projects/{id}/analysis", overview_page),
        PageRoute::get("/projects/{id}/analysis/frequencies.svg", frequencies_svg),
        PageRoute::get("/projects/{id}/analysis/cooccurrence", cooccurrence_page),
        PageRoute::get("/projects/{id}/analysis/cooccurrence.svg", cooccurrence_svg),
        PageRoute::get(
            "/projects/{id}/analysis/cooccurrence/cell",
            cooccurrence_cell,
        ),
        PageRoute::get("/projects/{id}/analysis/crosstab", crosstab_page),
        PageRoute::get("/projects/{id}/analysis/crosstab/cell", crosstab_cell),
    ]
}

/// What every analysis page shows around its figures.
struct Frame {
    project_id: i64,
    project_name: String,
    /// Names the coders field may take (in a blind project, only one's own).
    coder_choices: Vec<String>,
    /// The project's sections, with Analysis current.
    tabs: Vec<Tab>,
}

async fn frame(
    app: &AppState,
    page: &mut SignedIn,
    access: &ProjectAccess,
    title: &str,
) -> AppResult<(Layout, Frame)> {
    let layout = Layout::for_user(app, page, format!("{title} · {}", access.project.name)).await?;
    let frame = Frame {
        project_id: access.project_id(),
        project_name: access.project.name.clone(),
        coder_choices: coders::visible_coders(&app.db, access).await?,
        tabs: tabs::project(access, Section::Analysis),
    };
    Ok((layout, frame))
}

#[derive(Debug, Default, Deserialize)]
struct CodersParam {
    #[serde(default)]
    coders: String,
}

impl CodersParam {
    fn query(&self) -> String {
        match self.coders.trim() {
            "" => String::new(),
            coders => format!("coders={}", urls::path_segment(coders)),
        }
    }
}

#[derive(Template)]
#[template(path = "analysis.html")]
struct OverviewPage {
    layout: Layout,
    frame: Frame,
    coders: String,
    query: String,
    frequencies: Frequencies,
    chart: String,
}

async fn overview_page(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Query(params): Query<CodersParam>,
) -> PageResult {
    let frequencies = frequencies::frequencies(&app.db, &access, &list(&params.coders)).await?;
    let chart = charts::frequencies_chart(&frequencies);
    let (layout, frame) = frame(&app, &mut page, &access, "Analysis").await?;
    render(&OverviewPage {
        layout,
        frame,
        coders: params.coders.clone(),
        query: params.query(),
        frequencies,
        chart,
    })
}

async fn frequencies_svg(
    State(app): State<AppState>,
    Page(_, access): Page<ProjectAccess>,
    Query(params): Query<CodersParam>,
) -> PageResult {
    let frequencies = frequencies::frequencies(&app.db, &access, &list(&params.coders)).await?;
    let qualifiers = [frequencies.coders.join(" ")];
    let svg = charts::frequencies_chart(&frequencies);
    Ok(charts::svg_download(
        &access,
        "frequencies",
        &qualifiers,
        svg,
    ))
}

#[derive(Template)]
#[template(path = "cooccurrence.html")]
struct CooccurrencePage {
    layout: Layout,
    frame: Frame,
    params: CooccurrenceParams,
    query: String,
    table: Cooccurrence,
    chart: String,
}

impl OverviewPage {
    fn count(&self, code_id: &i64, coder: &usize) -> u64 {
        self.frequencies.count(*code_id, *coder)
    }

    fn used(&self, code_id: &i64) -> bool {
        self.frequencies.used(*code_id)
    }
}

impl CooccurrencePage {
    fn codes(&self) -> Vec<&CodeTotal> {
        used_codes(&self.table)
    }

    fn count(&self, a: &i64, b: &i64) -> u64 {
        self.table.cell(*a, *b).map_or(0, |c| c.count)
    }

    fn c(&self, a: &i64, b: &i64) -> String {
        format!("{:.2}", self.table.cell(*a, *b).map_or(0.0, |c| c.c))
    }
}

async fn cooccurrence_page(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Query(params): Query<CooccurrenceParams>,
) -> PageResult {
    let table = cooccurrence::table(&app.db, &access, &params.request()?).await?;
    let chart = charts::cooccurrence_heat_map(&table);
    let (layout, frame) = frame(&app, &mut page, &access, "Co-occurrence").await?;
    render(&CooccurrencePage {
        layout,
        frame,
        query: urls::cooccurrence_query(&params),
        params,
        table,
        chart,
    })
}

async fn cooccurrence_svg(
    State(app): State<AppState>,
    Page(_, access): Page<ProjectAccess>,
    Query(params): Query<CooccurrenceParams>,
) -> PageResult {
    let table = cooccurrence::table(&app.db, &access, &params.request()?).await?;
    let qualifiers = [table.scope.clone(), table.coders.join(" ")];
    let svg = charts::cooccurrence_heat_map(&table);
    Ok(charts::svg_download(
        &access,
        "cooccurrence",
        &qualifiers,
        svg,
    ))
}

#[derive(Template)]
#[template(path = "cooccurrence_cell.html")]
struct CooccurrenceCellPage {
    layout: Layout,
    frame: Frame,
    query: String,
    passages: Passages,
}

async fn cooccurrence_cell(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Query(params): Query<CooccurrenceParams>,
    Query(cell): Query<CellParams>,
) -> PageResult {
    let request = params.request()?;
    let passages = cooccurrence::passages(&app.db, &access, &request, &cell.a, &cell.b).await?;
    let (layout, frame) = frame(&app, &mut page, &access, "Where two codes meet").await?;
    render(&CooccurrenceCellPage {
        layout,
        frame,
        query: urls::cooccurrence_query(&params),
        passages,
    })
}

#[derive(Template)]
#[template(path = "crosstab.html")]
struct CrosstabPage {
    layout: Layout,
    frame: Frame,
    params: CrosstabParams,
    query: String,
    attribute_names: Vec<String>,
    table: Crosstab,
}

impl CrosstabPage {
    fn cell(&self, code_id: &i64, column: &usize) -> Option<&crosstab::CrosstabCell> {
        self.table.cell(*code_id, *column)
    }

    fn used(&self) -> Vec<&crosstab::CodeName> {
        self.table
            .codes
            .iter()
            .filter(|c| self.table.cells.iter().any(|x| x.code_id == c.id))
            .collect()
    }

    /// The `document=…` or `value=…` of a column, for its cells' links.
    fn column_key(&self, column: &crosstab::Column) -> String {
        match column.document_id {
            Some(id) => format!("document={id}"),
            None => format!("value={}", urls::path_segment(&column.value)),
        }
    }

    fn percent(share: &f64) -> String {
        format!("{:.0} %", share * 100.0)
    }
}

async fn crosstab_page(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Query(params): Query<CrosstabParams>,
) -> PageResult {
    let table = crosstab::table(&app.db, &access, &params.request()).await?;
    let mut attribute_names: Vec<String> = docs::attribute_values(&app.db, &access)
        .await?
        .into_iter()
        .map(|(name, _, _)| name)
        .collect();
    attribute_names.dedup();
    let title = match &table.attribute {
        Some(name) => format!("Codes by {name}"),
        None => "Codes by document".to_owned(),
    };
    let (layout, frame) = frame(&app, &mut page, &access, &title).await?;
    render(&CrosstabPage {
        layout,
        frame,
        query: urls::crosstab_query(&params),
        params,
        attribute_names,
        table,
    })
}

#[derive(Template)]
#[template(path = "crosstab_cell.html")]
struct CrosstabCellPage {
    layout: Layout,
    frame: Frame,
    query: String,
    cell: CellExcerpts,
}

async fn crosstab_cell(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Query(params): Query<CrosstabParams>,
    Query(key): Query<CrosstabCellParams>,
) -> PageResult {
    let cell = crosstab::cell(&app.db, &access, &params.request(), &key.key()).await?;
    let (layout, frame) = frame(&app, &mut page, &access, "Excerpts of a cell").await?;
    render(&CrosstabCellPage {
        layout,
        frame,
        query: urls::crosstab_query(&params),
        cell,
    })
}
