//! The agreement report page, the list of disagreements on a code, the side-by-side
//! comparison of one disagreement, and adjudication into the consensus set.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::tabs::{self, Section, Tab};
use super::{Layout, PageResult, PageRoute, after_form, agreement_chart, render};
use crate::domain::Role;
use crate::error::AppError;
use crate::service::access::ProjectAccess;
use crate::service::adjudication::{self, Comparison, Decision, RegionView};
use crate::service::agreement::{self, AgreementReport, chance_flattered, interpretation};
use crate::service::coders;
use crate::service::codes::{self, CodeView};
use crate::service::documents as docs;
use crate::service::params::AgreementParams;
use crate::web::AppState;
use crate::web::extract::Page;
use crate::web::urls;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get("/projects/{id}/agreement", report_page),
        PageRoute::get("/projects/{id}/agreement/disagreements", disagreements_page),
        PageRoute::get("/projects/{id}/agreement/compare", compare_page),
        PageRoute::post("/projects/{id}/agreement/decide", decide),
    ]
}

/// A figure as shown: three decimals, or "—" with the reason on hover.
pub struct Shown {
    pub text: String,
    pub reason: Option<&'static str>,
    pub value: Option<f64>,
}

impl Shown {
    fn of(value: Option<f64>, reason: Option<&'static str>) -> Self {
        match value {
            Some(v) => Shown {
                text: format!("{v:.3}"),
                reason: None,
                value: Some(v),
            },
            None => Shown {
                text: "—".into(),
                reason: Some(reason.unwrap_or("undefined")),
                value: None,
            },
        }
    }

    /// Width of the alpha bar, in percent of the cell (negative values show no bar).
    pub fn bar(&self) -> i64 {
        self.value
            .map_or(0, |v| (v.clamp(0.0, 1.0) * 100.0).round() as i64)
    }

    /// The bar's class: the same thresholds as the written reading, on the exact value.
    pub fn band(&self) -> &'static str {
        match self.value {
            Some(a) if a >= 0.8 => "reliable",
            Some(a) if a >= 0.667 => "tentative",
            _ => "",
        }
    }

    pub fn negative(&self) -> bool {
        self.value.is_some_and(|v| v < 0.0)
    }
}

struct Row {
    code_id: i64,
    path: String,
    color: String,
    units: u64,
    pa: Shown,
    kappa: Shown,
    pairs: Vec<(String, Shown)>,
    fleiss: Shown,
    alpha: Shown,
    unitizing: Shown,
    /// Percent agreement is high only because of units nobody coded (see the note).
    flattered: bool,
}

fn rows(report: &AgreementReport) -> Vec<Row> {
    report
        .codes
        .iter()
        .map(|c| {
            let why = |name: &str| c.undefined.get(name).copied();
            Row {
                code_id: c.code_id,
                path: c.path.clone(),
                color: c.color.clone(),
                units: c.units,
                pa: Shown::of(c.percent_agreement, why("percent_agreement")),
                kappa: Shown::of(c.cohen_kappa, why("cohen_kappa")),
                pairs: c
                    .cohen_kappa_pairs
                    .iter()
                    .map(|p| {
                        (
                            format!("{} × {}", p.coders[0], p.coders[1]),
                            Shown::of(p.value, p.reason),
                        )
                    })
                    .collect(),
                fleiss: Shown::of(c.fleiss_kappa, why("fleiss_kappa")),
                alpha: Shown::of(c.krippendorff_alpha, why("krippendorff_alpha")),
                unitizing: Shown::of(c.unitizing_alpha, why("unitizing_alpha")),
                flattered: chance_flattered(c.percent_agreement, c.krippendorff_alpha),
            }
        })
        .collect()
}

struct Summary {
    units: u64,
    pa: Shown,
    kappa: Shown,
    fleiss: Shown,
    alpha: Shown,
    unitizing: Shown,
    macro_pa: Shown,
    macro_kappa: Shown,
    macro_fleiss: Shown,
    macro_alpha: Shown,
    macro_unitizing: Shown,
    codes_used: usize,
    reading: &'static str,
    flattered: bool,
}

fn summary(report: &AgreementReport) -> Summary {
    let p = &report.overall.pooled;
    let m = &report.overall.macro_mean;
    let why = |name: &str| p.undefined.get(name).copied();
    let none = Some(agreement::NO_CODE_DEFINED);
    Summary {
        units: p.units,
        pa: Shown::of(p.percent_agreement, why("percent_agreement")),
        kappa: Shown::of(p.cohen_kappa, why("cohen_kappa")),
        fleiss: Shown::of(p.fleiss_kappa, why("fleiss_kappa")),
        alpha: Shown::of(p.krippendorff_alpha, why("krippendorff_alpha")),
        unitizing: Shown::of(p.unitizing_alpha, why("unitizing_alpha")),
        macro_pa: Shown::of(m.percent_agreement, none),
        macro_kappa: Shown::of(m.cohen_kappa, none),
        macro_fleiss: Shown::of(m.fleiss_kappa, none),
        macro_alpha: Shown::of(m.krippendorff_alpha, none),
        macro_unitizing: Shown::of(m.unitizing_alpha, none),
        codes_used: m.codes_used,
        reading: interpretation(p.krippendorff_alpha),
        flattered: chance_flattered(p.percent_agreement, p.krippendorff_alpha),
    }
}

/// One row of the per-document breakdown.
struct DocumentRow {
    document_id: i64,
    title: String,
    pair: String,
    units: u64,
    pa: Shown,
    alpha: Shown,
}

fn document_rows(report: &AgreementReport) -> Vec<DocumentRow> {
    report
        .by_document
        .iter()
        .map(|d| {
            let why = |name: &str| d.undefined.get(name).copied();
            DocumentRow {
                document_id: d.document_id,
                title: d.title.clone(),
                pair: format!("{} × {}", d.coders[0], d.coders[1]),
                units: d.units,
                pa: Shown::of(d.percent_agreement, why("percent_agreement")),
                alpha: Shown::of(d.krippendorff_alpha, why("krippendorff_alpha")),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct ReportPage {
    layout: Layout,
    tabs: Vec<Tab>,
    project_id: i64,
    project_name: String,
    params: AgreementParams,
    query: String,
    coder_choices: Vec<String>,
    /// Who has coded in the project (for the empty state: fewer than two, nothing to compare).
    coded_by: Vec<String>,
    codes: Vec<CodeView>,
    attribute_values: Vec<(String, String, i64)>,
    /// `(id, title, attributes as text)` for the document picker.
    document_choices: Vec<(i64, String, String)>,
    scope_choices: Vec<(&'static str, &'static str)>,
    report: Option<AgreementReport>,
    rows: Vec<Row>,
    /// Some percent agreement shown is flattered by uncoded units: explain it.
    flattered: bool,
    summary: Option<Summary>,
    document_rows: Vec<DocumentRow>,
    /// The charts of α per code and per document (SVG), when there are rows.
    code_chart: Option<String>,
    document_chart: Option<String>,
    error: Option<String>,
}

async fn report_page(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Query(params): Query<AgreementParams>,
) -> PageResult {
    access.require(
        Role::can_run_reports,
        "Agreement reports are for project owners and viewers.",
    )?;
    let coder_choices = coders::choices(&app.db, &access).await?;
    let coded_by = coders::visible_coders(&app.db, &access).await?;
    let codes = codes::codebook(&app.db, &access).await?;
    let attribute_values = docs::attribute_values(&app.db, &access).await?;
    let document_choices = document_choices(&app, &access).await?;
    let (mut report, mut error) = (None, None);
    if params.has_coders() {
        let computed = match params.request() {
            Ok(request) => match agreement::load(&app.db, &access, &request).await {
                Ok(data) => agreement::compute(data)
                    .await
                    .map(|(data, computed)| agreement::figures(&data, &computed)),
                Err(err) => Err(err),
            },
            Err(err) => Err(err),
        };
        match computed {
            Ok(figures) => report = Some(figures),
            Err(AppError::Internal(cause)) => return Err(AppError::Internal(cause).into()),
            Err(err) => error = Some(err.to_string()),
        }
    }
    let rows = report.as_ref().map(rows).unwrap_or_default();
    let summary = report.as_ref().map(summary);
    let document_rows = report.as_ref().map(document_rows).unwrap_or_default();
    let code_chart = agreement_chart::per_code(
        rows.iter()
            .map(|r| (r.path.clone(), r.units, r.alpha.value)),
    );
    let document_chart = agreement_chart::per_document(
        document_rows
            .iter()
            .map(|r| (format!("{} · {}", r.title, r.pair), r.units, r.alpha.value)),
    );
    let layout = Layout::for_user(
        &app,
        &mut page,
        format!("Agreement · {}", access.project.name),
    )
    .await?;
    render(&ReportPage {
        layout,
        tabs: tabs::project(&access, Section::Agreement),
        project_id: access.project_id(),
        project_name: access.project.name.clone(),
        query: urls::agreement_query(&params),
        params,
        coder_choices,
        coded_by,
        codes,
        attribute_values,
        document_choices,
        scope_choices: agreement::Coverage::CHOICES
            .iter()
            .map(|c| (c.name(), c.label()))
            .collect(),
        report,
        flattered: rows.iter().any(|r| r.flattered)
            || summary.as_ref().is_some_and(|s| s.flattered),
        rows,
        summary,
        document_rows,
        code_chart,
        document_chart,
        error,
    })
}

/// The project's documents for the picker (the first page of the list, as on the project
/// page), with their attributes to search by.
async fn document_choices(
    app: &AppState,
    access: &ProjectAccess,
) -> Result<Vec<(i64, String, String)>, AppError> {
    let query = docs::ListQuery {
        cursor: None,
        limit: docs::MAX_PAGE,
        attribute: None,
    };
    let list = docs::list(&app.db, access, &query).await?;
    Ok(list
        .items
        .into_iter()
        .map(|item| {
            let attributes = item
                .attributes
                .iter()
                .map(|(name, value)| format!("{name}: {value}"))
                .collect::<Vec<_>>()
                .join(" · ");
            (item.summary.id, item.summary.title, attributes)
        })
        .collect())
}

#[derive(Template)]
#[template(path = "disagreements.html")]
struct DisagreementsPage {
    layout: Layout,
    project_id: i64,
    project_name: String,
    query: String,
    /// The query with the code, for links to each region.
    code_query: String,
    code: CodeView,
    regions: Vec<RegionView>,
    open: usize,
}

fn code_param(params: &AgreementParams) -> Result<i64, AppError> {
    params
        .code
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("code", "Choose a code from the report."))
}

async fn disagreements_page(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Query(params): Query<AgreementParams>,
) -> PageResult {
    let code_id = code_param(&params)?;
    let adjudication::OnCode { code, regions, .. } =
        adjudication::on_code(&app.db, &access, &params.request()?, code_id).await?;
    let open = regions.iter().filter(|r| r.decision.is_none()).count();
    let mut base = params.clone();
    base.code = String::new();
    let layout =
        Layout::for_user(&app, &mut page, format!("Disagreements · {}", code.path)).await?;
    render(&DisagreementsPage {
        layout,
        project_id: access.project_id(),
        project_name: access.project.name.clone(),
        code_query: urls::agreement_query(&params),
        query: urls::agreement_query(&base),
        code,
        regions,
        open,
    })
}

impl DisagreementsPage {
    /// The first open region (largest first): where "review next" goes.
    fn next_open(&self) -> Option<&RegionView> {
        self.regions.iter().find(|r| r.decision.is_none())
    }
}

#[derive(Deserialize)]
struct Focus {
    document: i64,
    start: usize,
    end: usize,
}

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    layout: Layout,
    project_id: i64,
    project_name: String,
    query: String,
    code: CodeView,
    region: RegionView,
    comparison: Comparison,
    position: usize,
    total: usize,
    can_adjudicate: bool,
    /// The report's coders (not the consensus set) with the key that accepts each one's
    /// version: `a`, `b`, … for the first coders.
    coder_keys: Vec<(String, Option<char>)>,
    /// `accept:` with every coder: "both" (all of them together).
    accept_all: String,
}

/// The keys that accept the first coders' versions on the compare page (compare.js).
const ACCEPT_KEYS: [char; 2] = ['a', 'b'];

async fn compare_page(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Query(params): Query<AgreementParams>,
    Query(focus): Query<Focus>,
) -> PageResult {
    let code_id = code_param(&params)?;
    let adjudication::OnCode {
        data,
        code,
        regions,
    } = adjudication::on_code(&app.db, &access, &params.request()?, code_id).await?;
    let position = regions
        .iter()
        .position(|r| {
            r.document_id == focus.document
                && r.start == focus.start as u64
                && r.end == focus.end as u64
        })
        .ok_or_else(|| AppError::NotFound("Disagreement"))?;
    let comparison = adjudication::compare(
        &app.db,
        &access,
        &data,
        code_id,
        focus.document,
        focus.start,
        focus.end,
    )
    .await?;
    let coders: Vec<String> = data
        .coders
        .iter()
        .filter(|c| !c.eq_ignore_ascii_case(crate::domain::names::CONSENSUS))
        .cloned()
        .collect();
    let mut base = params.clone();
    base.code = String::new();
    let layout = Layout::for_user(&app, &mut page, format!("Disagreement · {}", code.path)).await?;
    render(&ComparePage {
        layout,
        project_id: access.project_id(),
        project_name: access.project.name.clone(),
        query: urls::agreement_query(&base),
        code,
        total: regions.len(),
        region: regions[position].clone(),
        comparison,
        position,
        can_adjudicate: access.role.can_manage_codebook() && !access.project.archived,
        accept_all: format!("accept:{}", coders.join(",")),
        coder_keys: coders
            .into_iter()
            .enumerate()
            .map(|(i, name)| (name, ACCEPT_KEYS.get(i).copied()))
            .collect(),
    })
}

#[derive(Deserialize)]
struct DecisionForm {
    /// The report's query string, to come back to the same list.
    query: String,
    code: i64,
    document: i64,
    start: i64,
    end: i64,
    /// `accept:<coder>`, `none` or `draw`.
    decision: String,
    #[serde(default)]
    draw_start: String,
    #[serde(default)]
    draw_end: String,
}

async fn decide(
    State(app): State<AppState>,
    Page(page, access): Page<ProjectAccess>,
    Form(form): Form<DecisionForm>,
) -> PageResult {
    // The report's query comes back in a hidden field and ends up in redirect URLs: check
    // it before deciding anything, so a tampered form changes nothing.
    let params: AgreementParams =
        serde_urlencoded::from_str(&format!("{}&code={}", form.query, form.code)).map_err(
            |_| AppError::bad_request("The form's report settings are damaged; reload the page."),
        )?;
    params.request()?;
    if form.query.chars().any(|c| c.is_control() || c == '#') {
        return Err(AppError::bad_request(
            "The form's report settings are damaged; reload the page.",
        )
        .into());
    }
    let number = |raw: &str| raw.trim().parse::<i64>().ok();
    let decision = Decision::parse(
        &form.decision,
        number(&form.draw_start),
        number(&form.draw_end),
    );
    let result = match decision {
        Ok(decision) => {
            adjudication::decide(
                &app.db,
                &access,
                form.code,
                form.document,
                form.start,
                form.end,
                &decision,
            )
            .await
        }
        Err(err) => Err(err),
    };
    let list = urls::disagreements(access.project_id(), &form.query, form.code);
    if result.is_err() {
        let back = urls::compare(
            access.project_id(),
            &format!("{}&code={}", form.query, form.code),
            form.document,
            form.start,
            form.end,
        );
        return after_form(&app, &page.session, result, "", &back, &back).await;
    }
    let next = next_open_region(&app, &access, &params, &form).await?;
    match next {
        Some(to) => {
            after_form(
                &app,
                &page.session,
                result,
                "Decision recorded. Here is the next disagreement.",
                &to,
                &to,
            )
            .await
        }
        None => {
            super::redirect_with_flash(
                &app,
                &page.session,
                "Decision recorded. No open disagreements remain on this code.",
                &list,
            )
            .await?;
            Ok(Redirect::to(&list).into_response())
        }
    }
}

/// The next open disagreement on the form's code (largest first), as a compare URL.
async fn next_open_region(
    app: &AppState,
    access: &ProjectAccess,
    params: &AgreementParams,
    form: &DecisionForm,
) -> Result<Option<String>, AppError> {
    let Ok(request) = params.request() else {
        return Ok(None);
    };
    let regions = adjudication::on_code(&app.db, access, &request, form.code)
        .await?
        .regions;
    Ok(regions.into_iter().find(|r| r.decision.is_none()).map(|r| {
        urls::compare(
            access.project_id(),
            &format!("{}&code={}", form.query, form.code),
            r.document_id,
            r.start,
            r.end,
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_follow_the_reading_on_the_exact_value() {
        let band = |v: f64| Shown::of(Some(v), None).band();
        assert_eq!(
            band(0.7996),
            "tentative",
            "0.7996 rounds to 80 but is below 0.800"
        );
        assert_eq!(band(0.8), "reliable");
        assert_eq!(band(0.6669), "");
        assert_eq!(band(0.667), "tentative");
        assert_eq!(Shown::of(None, Some("why")).band(), "");
    }
}
