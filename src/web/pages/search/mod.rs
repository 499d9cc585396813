//! The search page: a query with filters, its hits as keyword in context, and (for those
//! who code) auto-coding the hits with a preview, and an undo of the run just applied.

use askama::Template;
use std::collections::BTreeSet;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::tabs::{self, Section, Tab};
use super::{Layout, PageResult, PageRoute, render_with_status};
use autocode::{AutocodeFields, autocode_form, hit_value, undo_form};

mod autocode;
use crate::error::{AppError, AppResult};
use crate::service::access::ProjectAccess;
use crate::service::autocode::AutocodeOutcome;
use crate::service::coders;
use crate::service::codes::{self, CodeView};
use crate::service::documents;
use crate::service::search::{self, Hit, SearchParams, SearchResults};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::extract::Page;
use crate::web::urls;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get("/projects/{id}/search", search_page),
        PageRoute::post("/projects/{id}/search/autocode", autocode_form),
        PageRoute::post("/projects/{id}/search/undo", undo_form),
    ]
}

/// The search's fields as the page's forms send them (blank means "any").
#[derive(Debug, Default, Clone, Deserialize)]
struct SearchFields {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub role: String,
    /// Only documents with this attribute value, as `name:value`.
    #[serde(default)]
    pub attribute: String,
    #[serde(default)]
    pub code_id: String,
    #[serde(default)]
    pub coded: String,
    #[serde(default)]
    pub coder: String,
    /// Hits per page (blank: the service's default).
    #[serde(default)]
    pub limit: String,
    #[serde(default)]
    pub cursor: String,
    /// The auto-code run just applied, offered for undo.
    #[serde(default)]
    pub undo: String,
}

impl SearchFields {
    pub fn params(&self) -> SearchParams {
        SearchParams {
            q: self.q.clone(),
            role: self.role.clone(),
            attribute: self.attribute.clone(),
            code_id: self.code_id.clone(),
            coded: self.coded.clone(),
            coder: self.coder.clone(),
            limit: self.limit.clone(),
            cursor: self.cursor.clone(),
        }
    }

    /// The search as a query string, without cursor (the first page) or undo.
    fn query(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("role", &self.role),
            ("attribute", &self.attribute),
            ("code_id", &self.code_id),
            ("coded", &self.coded),
            ("coder", &self.coder),
            ("limit", &self.limit),
        ];
        pairs
            .iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, value)| format!("{name}={}", urls::path_segment(value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    pub fn page_url(&self, project_id: i64) -> String {
        urls::project_search(project_id, &self.query())
    }

    fn next_url(&self, project_id: i64, cursor: &str) -> String {
        let query = match self.query() {
            q if q.is_empty() => format!("cursor={}", urls::path_segment(cursor)),
            q => format!("{q}&cursor={}", urls::path_segment(cursor)),
        };
        urls::project_search(project_id, &query)
    }
}

/// A hit split for display: the text before it in its snippet, the hit, the text after.
struct ShownHit {
    hit: Hit,
    before: String,
    matched: String,
    after: String,
}

impl From<Hit> for ShownHit {
    fn from(hit: Hit) -> Self {
        let chars: Vec<char> = hit.snippet.chars().collect();
        let from = hit.start.saturating_sub(hit.snippet_start).min(chars.len());
        let to = hit
            .end
            .saturating_sub(hit.snippet_start)
            .clamp(from, chars.len());
        ShownHit {
            before: chars[..from].iter().collect(),
            matched: chars[from..to].iter().collect(),
            after: chars[to..].iter().collect(),
            hit,
        }
    }
}

impl ShownHit {
    /// What the hit's tick box sends.
    fn tick_value(&self) -> String {
        hit_value(self.hit.document_id, self.hit.start, self.hit.end)
    }
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    tabs: Vec<Tab>,
    project_id: i64,
    project_name: String,
    fields: SearchFields,
    codes: Vec<CodeView>,
    /// `(name, value, documents)` for the attribute filter.
    attribute_values: Vec<(String, String, i64)>,
    coder_choices: Vec<String>,
    total: usize,
    hits: Vec<ShownHit>,
    next_url: Option<String>,
    /// Why the search could not be run.
    error: Option<String>,
    /// Why the auto-code form was refused (shown in the form).
    autocode_error: Option<String>,
    can_code: bool,
    apply_code: String,
    extent: String,
    preview: Option<AutocodeOutcome>,
    undo_batch: Option<i64>,
    /// Code only the ticked hits (else every hit of the search).
    ticked_only: bool,
    /// The ticked hits' values, to tick them again.
    ticked: BTreeSet<String>,
}

impl SearchPage {
    fn extents(&self) -> [(&'static str, &'static str); 4] {
        [
            ("match", "the match only"),
            ("sentence", "its sentence"),
            ("paragraph", "its paragraph"),
            ("turn", "the whole turn"),
        ]
    }

    fn is_ticked(&self, shown: &ShownHit) -> bool {
        self.ticked.contains(&shown.tick_value())
    }
}

/// The page for `fields`, with an auto-code preview or a refusal to show, if any.
async fn show(
    app: &AppState,
    page: &mut SignedIn,
    access: &ProjectAccess,
    form: &AutocodeFields,
    outcome: AppResult<Option<AutocodeOutcome>>,
) -> PageResult {
    let fields = &form.search;
    let params = fields.params();
    let found = match fields.q.trim() {
        "" => Ok(None),
        _ => find(app, access, &params).await.map(Some),
    };
    let (found, search_error) = user_error(found)?;
    let (preview, autocode_error) = user_error(outcome)?;
    let found = found.flatten();
    let layout = Layout::for_user(app, page, format!("Search · {}", access.project.name)).await?;
    let status = match search_error.is_some() || autocode_error.is_some() {
        true => StatusCode::UNPROCESSABLE_ENTITY,
        false => StatusCode::OK,
    };
    let (total, hits, next) = match found {
        Some(found) => (found.total, found.items, found.next_cursor),
        None => (0, Vec::new(), None),
    };
    render_with_status(
        status,
        &SearchPage {
            layout,
            tabs: tabs::project(access, Section::Search),
            project_id: access.project_id(),
            project_name: access.project.name.clone(),
            codes: codes::codebook(&app.db, access).await?,
            attribute_values: documents::attribute_values(&app.db, access).await?,
            coder_choices: coders::visible_coders(&app.db, access).await?,
            total,
            hits: hits.into_iter().map(ShownHit::from).collect(),
            next_url: next.map(|c| fields.next_url(access.project_id(), &c)),
            error: search_error.map(|e| e.to_string()),
            autocode_error: autocode_error.map(|e| e.to_string()),
            can_code: access.role.can_code() && !access.project.archived,
            apply_code: form.apply_code.clone(),
            extent: form.extent.clone(),
            preview: preview.flatten(),
            undo_batch: fields.undo.trim().parse().ok(),
            ticked_only: form.only_ticked().unwrap_or(false),
            ticked: form.hits.iter().map(|h| h.trim().to_owned()).collect(),
            fields: fields.clone(),
        },
    )
}

/// A user's error becomes a message on the page; anything else an error page.
fn user_error<T>(result: AppResult<T>) -> Result<(Option<T>, Option<AppError>), PageError> {
    match result {
        Ok(value) => Ok((Some(value), None)),
        Err(AppError::Internal(cause)) => Err(PageError(AppError::Internal(cause))),
        Err(AppError::NotFound(what)) => Err(PageError(AppError::NotFound(what))),
        Err(other) => Ok((None, Some(other))),
    }
}

async fn find(
    app: &AppState,
    access: &ProjectAccess,
    params: &SearchParams,
) -> AppResult<SearchResults> {
    let request = params.request()?;
    search::search(&app.db, access, &request, params.limit()?, params.cursor()?).await
}

async fn search_page(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Query(fields): Query<SearchFields>,
) -> PageResult {
    let form = AutocodeFields {
        search: fields,
        ..AutocodeFields::default()
    };
    show(&app, &mut page, &access, &form, Ok(None)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::SpeakerRole;

    #[test]
    fn a_hit_is_split_around_its_code_points_in_the_snippet() {
        let hit = Hit {
            document_id: 1,
            document_title: "P1".into(),
            // "Ok 💛 café " is 10 code points (the emoji is one, é is one).
            start: 13,
            end: 16,
            speaker: "User".into(),
            role: SpeakerRole::Participant,
            snippet: "Ok 💛 café job done".into(),
            snippet_start: 3,
        };
        let shown = ShownHit::from(hit);
        assert_eq!(
            (shown.before.as_str(), shown.matched.as_str()),
            ("Ok 💛 café ", "job")
        );
        assert_eq!(shown.after, " done");
    }

    #[test]
    fn the_search_query_string_skips_blanks_and_encodes_values() {
        let fields = SearchFields {
            q: "\"my job\"".into(),
            code_id: "7".into(),
            cursor: "3.1".into(),
            ..SearchFields::default()
        };
        assert_eq!(fields.query(), "q=%22my%20job%22&code_id=7");
        assert_eq!(
            fields.next_url(2, "3.1"),
            "/projects/2/search?q=%22my%20job%22&code_id=7&cursor=3.1"
        );
    }
}
