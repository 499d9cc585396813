//! The search page's forms that code: auto-coding every hit of the search or only the
//! ticked ones (preview, then apply), and undoing the run just applied.

use std::collections::BTreeSet;

use axum::extract::{Form, State};
use serde::Deserialize;
use serde::de::value::{Error as FieldsError, MapDeserializer};

use super::{SearchFields, show};
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::service::access::ProjectAccess;
use crate::service::autocode::{self, AutocodeInput, HitRef};
use crate::service::search;
use crate::web::AppState;
use crate::web::extract::Page;
use crate::web::pages::{Flash, PageResult, after_form, redirect_with_flash};

/// What the auto-code form was sent with, kept to show it again.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct AutocodeFields {
    #[serde(flatten)]
    pub search: SearchFields,
    #[serde(default)]
    pub apply_code: String,
    #[serde(default)]
    pub extent: String,
    #[serde(default)]
    pub action: String,
    /// `all` (blank too): every hit of the search; `ticked`: only the hits ticked.
    #[serde(default)]
    pub scope: String,
    /// The ticked hits as sent (`hit`, repeated): `DOCUMENT:START:END` each.
    #[serde(skip)]
    pub hits: Vec<String>,
}

impl AutocodeFields {
    /// The form's fields from its pairs (`hit` may come several times).
    fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, FieldsError> {
        let (hits, rest): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| k == "hit");
        let mut fields = AutocodeFields::deserialize(MapDeserializer::new(rest.into_iter()))?;
        fields.hits = hits.into_iter().map(|(_, v)| v).collect();
        Ok(fields)
    }

    /// Whether only the ticked hits are to be coded.
    pub fn only_ticked(&self) -> AppResult<bool> {
        match self.scope.trim() {
            "" | "all" => Ok(false),
            "ticked" => Ok(true),
            _ => Err(AppError::invalid(
                "scope",
                "Choose to code every hit of this search or only the ticked hits.",
            )),
        }
    }

    /// The ticked hits, each checked for form (not yet that the search has it).
    fn ticked(&self) -> AppResult<Vec<HitRef>> {
        self.hits.iter().map(|raw| parse_hit(raw)).collect()
    }
}

/// A ticked hit's value, `DOCUMENT:START:END`, as the hit it names.
fn parse_hit(raw: &str) -> AppResult<HitRef> {
    let parts: Vec<&str> = raw.trim().split(':').collect();
    let numbers: Option<Vec<usize>> = match parts.as_slice() {
        [_, _, _] => parts.iter().map(|p| p.parse().ok()).collect(),
        _ => None,
    };
    match numbers.as_deref() {
        Some(&[document, start, end]) if start < end && document <= i64::MAX as usize => {
            Ok(HitRef {
                document_id: document as i64,
                start,
                end,
            })
        }
        _ => Err(AppError::invalid(
            "hits",
            format!("'{raw}' is not a hit of this search; search again."),
        )),
    }
}

/// The value a hit's tick box sends.
pub(super) fn hit_value(document_id: i64, start: usize, end: usize) -> String {
    format!("{document_id}:{start}:{end}")
}

/// The auto-code run the form asks for: every hit of the search (with a code filter,
/// exactly the hits it shows) or only the ticked ones, the chosen code and extent.
async fn autocode_input(
    app: &AppState,
    access: &ProjectAccess,
    form: &AutocodeFields,
) -> AppResult<AutocodeInput> {
    let code_id = form
        .apply_code
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("apply_code", "Choose the code to apply."))?;
    let ticked = match form.only_ticked()? {
        true => Some(form.ticked()?),
        false => None,
    };
    let hits = match form.search.code_id.trim() {
        "" => ticked,
        _ => Some(filtered_hits(app, access, form, ticked).await?),
    };
    Ok(AutocodeInput {
        q: form.search.q.clone(),
        code_id,
        extent: Some(form.extent.clone()),
        dry_run: form.action != "apply",
        hits,
        role: form.search.role.clone(),
        attribute: form.search.attribute.clone(),
    })
}

/// With a code filter: the hits the page shows (the service searches without it), or the
/// ticked ones, each of which must be among them.
async fn filtered_hits(
    app: &AppState,
    access: &ProjectAccess,
    form: &AutocodeFields,
    ticked: Option<Vec<HitRef>>,
) -> AppResult<Vec<HitRef>> {
    let request = form.search.params().request()?;
    let all = search::all_hits(&app.db, access, &request, None).await?;
    let shown: BTreeSet<HitRef> = all
        .iter()
        .map(|hit| {
            let (start, end) = hit.span();
            HitRef {
                document_id: hit.turn.document_id,
                start,
                end,
            }
        })
        .collect();
    let Some(ticked) = ticked else {
        if shown.is_empty() {
            return Err(AppError::invalid("q", "This search has no hits to code."));
        }
        return Ok(shown.into_iter().collect());
    };
    if let Some(stray) = ticked.iter().find(|hit| !shown.contains(hit)) {
        return Err(AppError::invalid(
            "hits",
            format!(
                "[{}, {}) of document {} is not a hit of this search; search again.",
                stray.start, stray.end, stray.document_id
            ),
        ));
    }
    Ok(ticked)
}

pub(super) async fn autocode_form(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    access.require(Role::can_code, CANNOT_CODE)?;
    let mut form = AutocodeFields::from_pairs(pairs)
        .map_err(|e| AppError::invalid("form", format!("The form was garbled: {e}")))?;
    form.search.undo.clear();
    let outcome = match autocode_input(&app, &access, &form).await {
        Ok(input) => autocode::autocode(&app.db, &access, &input).await,
        Err(err) => Err(err),
    };
    let done = match (&outcome, form.action.as_str()) {
        (Ok(done), "apply") => done.clone(),
        _ => return show(&app, &mut page, &access, &form, outcome.map(Some)).await,
    };
    let message = format!(
        "Auto-coded {} hit{}: {} excerpt{} created, {} skipped (already coded).",
        done.hits,
        plural(done.hits),
        done.created,
        plural(done.created),
        done.skipped,
    );
    let mut back = form.search.page_url(access.project_id());
    if let Some(batch) = done.batch_id {
        back.push(if back.contains('?') { '&' } else { '?' });
        back.push_str(&format!("undo={batch}"));
    }
    redirect_with_flash(&app, &page.session, &message, &back).await
}

const CANNOT_CODE: &str = "Viewers cannot code documents.";

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct UndoFields {
    #[serde(flatten)]
    search: SearchFields,
    #[serde(default)]
    batch_id: String,
}

pub(super) async fn undo_form(
    State(app): State<AppState>,
    Page(page, access): Page<ProjectAccess>,
    Form(mut form): Form<UndoFields>,
) -> PageResult {
    access.require(Role::can_code, CANNOT_CODE)?;
    form.search.cursor.clear();
    form.search.undo.clear();
    let back = form.search.page_url(access.project_id());
    // Blank: your latest run not undone yet (as the API does).
    let batch = match form.batch_id.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                let message = format!("{}'{raw}' is not an auto-code run.", Flash::ERROR_PREFIX);
                return redirect_with_flash(&app, &page.session, &message, &back).await;
            }
        },
    };
    let result = autocode::undo(&app.db, &access, batch).await;
    let done = match &result {
        Ok(Some((_, removed))) => format!(
            "Undid the auto-code run: {removed} excerpt{} removed.",
            if *removed == 1 { "" } else { "s" }
        ),
        _ => "There was no auto-code run left to undo.".to_owned(),
    };
    after_form(&app, &page.session, result, &done, &back, &back).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn repeated_hits_are_collected_beside_the_other_fields() {
        let form = AutocodeFields::from_pairs(pairs(&[
            ("q", "job"),
            ("hit", "3:10:13"),
            ("scope", "ticked"),
            ("hit", "4:0:3"),
        ]))
        .unwrap();
        assert_eq!(form.search.q, "job");
        assert!(form.only_ticked().unwrap());
        let ticked = form.ticked().unwrap();
        assert_eq!(
            ticked,
            vec![
                HitRef {
                    document_id: 3,
                    start: 10,
                    end: 13
                },
                HitRef {
                    document_id: 4,
                    start: 0,
                    end: 3
                }
            ]
        );
        assert_eq!(hit_value(3, 10, 13), "3:10:13");
    }

    #[test]
    fn malformed_ticks_and_scopes_are_refused_with_a_message() {
        for raw in [
            "", "x", "1:2", "1:2:3:4", "a:1:2", "1:-1:2", "1:5:5", "1:6:5",
        ] {
            let err = parse_hit(raw).expect_err(raw);
            assert!(err.to_string().contains("is not a hit"), "{raw}: {err}");
        }
        let form = AutocodeFields {
            scope: "some".into(),
            ..AutocodeFields::default()
        };
        assert!(form.only_ticked().is_err());
        assert!(!AutocodeFields::default().only_ticked().unwrap());
    }
}
