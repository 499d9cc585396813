//! Request parameters as the pages, the API and the command line send them: flat strings
//! (comma-separated lists, `name:value` filters, form-style flags), parsed here once into
//! the typed requests the services take. The command line builds those requests directly.

use serde::Deserialize;

use super::agreement::{AgreementRequest, CodeScope, Coverage, DocumentScope, Within, parse_unit};
use super::analysis::cooccurrence::CooccurrenceRequest;
use super::analysis::crosstab::{CellKey, CrosstabRequest};
use super::export::ExportFilter;
use crate::domain::analysis::cooccurrence::Scope;
use crate::domain::import::SpeakerRole;
use crate::error::AppError;

/// A form-style flag: `true`, `on`, `1` or `yes` (anything else is off).
pub fn flag(raw: &str) -> bool {
    matches!(raw.trim(), "true" | "on" | "1" | "yes")
}

/// A comma-separated list, blanks dropped.
pub fn list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A comma-separated list of ids.
pub fn ids(field: &'static str, raw: &str) -> Result<Vec<i64>, AppError> {
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

/// A `name:value` attribute filter (the first colon separates them), or none if blank.
pub fn attribute(raw: &str) -> Result<Option<(String, String)>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        raw => raw
            .split_once(':')
            .map(|(name, value)| Some((name.to_owned(), value.to_owned())))
            .ok_or_else(|| {
                AppError::invalid(
                    "attribute",
                    "Filter documents as name:value, e.g. attribute=Site:Leeds.",
                )
            }),
    }
}

/// A speaker role filter, or none if blank.
pub fn speaker_role(raw: &str) -> Result<Option<SpeakerRole>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        raw => Ok(Some(SpeakerRole::parse(raw)?)),
    }
}

/// Export filters; lists are comma-separated, and empty means "all".
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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

impl ExportParams {
    pub fn filter(&self) -> Result<ExportFilter, AppError> {
        Ok(ExportFilter {
            codes: ids("codes", &self.codes)?,
            include_subcodes: flag(&self.subcodes),
            coders: list(&self.coders),
            documents: ids("documents", &self.documents)?,
            attribute: attribute(&self.attribute)?,
            role: speaker_role(&self.role)?,
            excel: flag(&self.excel),
        })
    }
}

/// The query string shared by the report page and the API.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgreementParams {
    /// Comma-separated user names; `consensus` names the consensus set.
    #[serde(default)]
    pub coders: String,
    /// `character` (default), `turn` or `document`.
    #[serde(default)]
    pub unit: String,
    /// Comma-separated code ids (default: every code).
    #[serde(default)]
    pub codes: String,
    /// A code id: that code and its sub-codes.
    #[serde(default)]
    pub subtree: String,
    /// Comma-separated document ids (used exactly as picked), or `all` (the same as
    /// `scope=all`).
    #[serde(default)]
    pub documents: String,
    /// Which documents count: `shared` (default: marked complete by every chosen coder,
    /// falling back to coded by every chosen coder), `complete`, `coded_by_all`,
    /// `coded_by_any` (uncoded text of the others counts as agreement) or `all`.
    #[serde(default)]
    pub scope: String,
    /// `name:value`: documents with this attribute value.
    #[serde(default)]
    pub attribute: String,
    /// At turn level, only participant turns.
    #[serde(default)]
    pub participant_only: String,
    /// For disagreements: the code.
    #[serde(default)]
    pub code: String,
}

impl AgreementParams {
    /// Whether the document picker has this document ticked.
    pub fn picks_document(&self, id: &i64) -> bool {
        self.documents
            .split(',')
            .any(|d| d.trim().parse::<i64>().ok() == Some(*id))
    }

    /// Whether `name` is the chosen coverage rule (`shared` when none is given).
    pub fn wants_scope(&self, name: &str) -> bool {
        let chosen = match (self.scope.trim(), self.documents.trim()) {
            ("", "all") => "all",
            ("", _) => "shared",
            (scope, _) => scope,
        };
        chosen.eq_ignore_ascii_case(name)
    }

    pub fn has_coders(&self) -> bool {
        !list(&self.coders).is_empty()
    }

    pub fn wants_coder(&self, name: &str) -> bool {
        self.coders
            .split(',')
            .any(|c| c.trim().eq_ignore_ascii_case(name))
    }

    fn document_scope(&self) -> Result<DocumentScope, AppError> {
        let mut coverage = Coverage::parse(&self.scope)?;
        let within = match (self.documents.trim(), self.attribute.trim()) {
            ("", "") => Within::Project,
            ("all", "") => {
                coverage = Coverage::All;
                Within::Project
            }
            ("", raw) => match attribute(raw)? {
                Some((name, value)) => Within::Attribute(name, value),
                None => Within::Project,
            },
            (documents, "") => {
                // The default may be sent along (the page's form does): only another rule clashes.
                if coverage != Coverage::Shared {
                    return Err(AppError::invalid(
                        "scope",
                        "Picked documents are used as picked: give either documents or scope, not both.",
                    ));
                }
                Within::Picked(ids("documents", documents)?)
            }
            _ => {
                return Err(AppError::invalid(
                    "documents",
                    "Give either documents or attribute, not both.",
                ));
            }
        };
        Ok(DocumentScope { coverage, within })
    }

    pub fn request(&self) -> Result<AgreementRequest, AppError> {
        let coders = list(&self.coders);
        let codes = match (self.codes.trim(), self.subtree.trim()) {
            ("", "") => CodeScope::All,
            (codes, "") => CodeScope::Ids(ids("codes", codes)?),
            ("", root) => {
                CodeScope::Subtree(ids("subtree", root)?.first().copied().unwrap_or_default())
            }
            _ => {
                return Err(AppError::invalid(
                    "codes",
                    "Give either codes or subtree, not both.",
                ));
            }
        };
        let documents = self.document_scope()?;
        let participant_turns_only = flag(&self.participant_only);
        Ok(AgreementRequest {
            coders,
            unit: parse_unit(&self.unit)?,
            participant_turns_only,
            codes,
            documents,
        })
    }
}

/// The co-occurrence table's query string (page and API).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CooccurrenceParams {
    /// Comma-separated user names; `consensus` names the consensus set. Empty: everyone
    /// you may see (in a blind project, a coder sees only their own coding).
    #[serde(default)]
    pub coders: String,
    /// `overlap` (default: excerpts sharing a code point), `turn` or `document`.
    #[serde(default)]
    pub scope: String,
}

impl CooccurrenceParams {
    pub fn request(&self) -> Result<CooccurrenceRequest, AppError> {
        Ok(CooccurrenceRequest {
            coders: list(&self.coders),
            scope: Scope::parse(&self.scope)?,
        })
    }
}

/// The two codes of one co-occurrence cell, by id.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CellParams {
    /// A code id.
    #[serde(default)]
    pub a: String,
    /// Another code id.
    #[serde(default)]
    pub b: String,
}

/// A crosstab's query string: whose coding, and the attribute whose values are the
/// columns (none: one column per document).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CrosstabParams {
    /// Comma-separated user names or `consensus`; empty: everyone you may see.
    #[serde(default)]
    pub coders: String,
    /// A document attribute's name; empty: code × document.
    #[serde(default)]
    pub attribute: String,
}

impl CrosstabParams {
    pub fn request(&self) -> CrosstabRequest {
        CrosstabRequest {
            coders: list(&self.coders),
            attribute: Some(self.attribute.trim())
                .filter(|a| !a.is_empty())
                .map(str::to_owned),
        }
    }
}

/// One crosstab cell: a code and its column (a document, or an attribute value).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CrosstabCellParams {
    /// A code id.
    #[serde(default)]
    pub code: String,
    /// A document id (code × document).
    #[serde(default)]
    pub document: String,
    /// An attribute value (code × attribute).
    #[serde(default)]
    pub value: String,
}

impl CrosstabCellParams {
    pub fn key(&self) -> CellKey {
        CellKey {
            code: self.code.clone(),
            document: self.document.clone(),
            value: self.value.clone(),
        }
    }
}
