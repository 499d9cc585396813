//! Which documents an agreement report covers, and why each other document is left out.
//!
//! The default ([`Coverage::Shared`]) is the documents every chosen coder marked complete,
//! falling back (while there are none) to the documents every chosen coder coded at least
//! once. A document one coder never opened would otherwise count as "that coder applied no
//! code anywhere in it" and drag reliability down. The other rules stay available, each
//! named for what it does to the figures.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::super::coders::Coder;
use crate::error::{AppError, AppResult};

/// Which of the candidate documents count, by how far the chosen coders got with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Complete for every coder; while no document is, coded by every coder.
    #[default]
    Shared,
    /// Marked complete by every chosen coder.
    Complete,
    /// Coded at least once by every chosen coder.
    CodedByAll,
    /// Coded by at least one chosen coder (the others' uncoded text counts as agreement).
    CodedByAny,
    /// Every candidate document, coded or not.
    All,
}

impl Coverage {
    pub const CHOICES: [Coverage; 5] = [
        Coverage::Shared,
        Coverage::Complete,
        Coverage::CodedByAll,
        Coverage::CodedByAny,
        Coverage::All,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Coverage::Shared => "shared",
            Coverage::Complete => "complete",
            Coverage::CodedByAll => "coded_by_all",
            Coverage::CodedByAny => "coded_by_any",
            Coverage::All => "all",
        }
    }

    /// What the rule does, in the words the page and the report use.
    pub fn label(self) -> &'static str {
        match self {
            Coverage::Shared => {
                "documents every chosen coder marked complete (while there are none: documents every chosen coder coded)"
            }
            Coverage::Complete => "only documents every chosen coder marked complete",
            Coverage::CodedByAll => "documents every chosen coder coded at least once",
            Coverage::CodedByAny => {
                "include documents not coded by everyone: their uncoded text counts as agreement to leave it uncoded"
            }
            Coverage::All => {
                "all documents, even ones nobody coded: all their text counts as agreement to leave it uncoded"
            }
        }
    }

    pub fn parse(raw: &str) -> AppResult<Coverage> {
        let raw = raw.trim().to_ascii_lowercase();
        if raw.is_empty() {
            return Ok(Coverage::Shared);
        }
        Coverage::CHOICES
            .into_iter()
            .find(|c| c.name() == raw)
            .ok_or_else(|| {
                AppError::invalid(
                    "scope",
                    format!(
                        "Unknown scope '{raw}': use shared, complete, coded_by_all, coded_by_any or all."
                    ),
                )
            })
    }
}

/// The documents to choose from before coverage is applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Within {
    #[default]
    Project,
    /// Documents picked one by one: used exactly as picked, whoever coded them.
    Picked(Vec<i64>),
    /// Documents with this attribute value.
    Attribute(String, String),
}

/// Which documents the units come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocumentScope {
    pub coverage: Coverage,
    pub within: Within,
}

/// A project document as the scope sees it.
pub struct Candidate {
    pub id: i64,
    pub title: String,
    pub len: i64,
}

/// How far each chosen coder got with each document.
pub struct Coverages<'a> {
    pub coders: &'a [Coder],
    pub names: &'a [String],
    /// The indices (into `coders`) of the coders who coded each document, with any code.
    pub coded_by: &'a HashMap<i64, BTreeSet<usize>>,
    /// `(document_id, user_id)` of each completion.
    pub completed: &'a BTreeSet<(i64, i64)>,
    /// Documents with the attribute value, when the scope names one.
    pub with_attribute: &'a BTreeSet<i64>,
}

impl Coverages<'_> {
    fn coded(&self, document: i64, coder: usize) -> bool {
        self.coded_by
            .get(&document)
            .is_some_and(|coders| coders.contains(&coder))
    }

    /// The consensus set cannot be marked complete: it counts as complete where it has coding.
    fn complete(&self, document: i64, coder: usize) -> bool {
        match self.coders[coder] {
            Coder::User(id) => self.completed.contains(&(document, id)),
            Coder::Consensus => self.coded(document, coder),
        }
    }

    /// The chosen coders (by name) for whom `test` fails on the document.
    fn missing(&self, document: i64, test: impl Fn(i64, usize) -> bool) -> Vec<&str> {
        (0..self.coders.len())
            .filter(|&c| !test(document, c))
            .map(|c| self.names[c].as_str())
            .collect()
    }
}

/// A document the report leaves out, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeftOut {
    pub id: i64,
    pub title: String,
    pub reason: String,
}

/// The documents a report covers, those it leaves out, and the rule that decided.
pub struct Scoped {
    pub used: Vec<Candidate>,
    pub left_out: Vec<LeftOut>,
    /// The rule applied: for [`Coverage::Shared`], `Complete` or (falling back) `CodedByAll`.
    pub applied: Coverage,
    /// Documents used that not every chosen coder coded (only when picked one by one).
    pub not_coded_by_all: usize,
}

/// Applies the scope to the project's documents (in id order).
pub fn apply(
    scope: &DocumentScope,
    documents: Vec<Candidate>,
    coverages: &Coverages,
) -> AppResult<Scoped> {
    if let Within::Picked(ids) = &scope.within {
        return pick(ids, documents, coverages);
    }
    let mut left_out = Vec::new();
    let mut candidates = Vec::new();
    for doc in documents {
        match &scope.within {
            Within::Attribute(name, value) if !coverages.with_attribute.contains(&doc.id) => {
                left_out.push(leave_out(&doc, format!("its {name} is not {value}")));
            }
            _ => candidates.push(doc),
        }
    }
    let all_complete = |id: i64| {
        coverages
            .missing(id, |d, c| coverages.complete(d, c))
            .is_empty()
    };
    let applied = match scope.coverage {
        Coverage::Shared if candidates.iter().any(|d| all_complete(d.id)) => Coverage::Complete,
        Coverage::Shared => Coverage::CodedByAll,
        other => other,
    };
    let mut used = Vec::new();
    for doc in candidates {
        match reason_to_leave_out(applied, doc.id, coverages) {
            Some(reason) => left_out.push(leave_out(&doc, reason)),
            None => used.push(doc),
        }
    }
    if used.is_empty() && applied != Coverage::All {
        return Err(nothing_shared(applied, coverages.names));
    }
    left_out.sort_by_key(|l| l.id);
    Ok(Scoped {
        used,
        left_out,
        applied,
        not_coded_by_all: 0,
    })
}

fn leave_out(doc: &Candidate, reason: String) -> LeftOut {
    LeftOut {
        id: doc.id,
        title: doc.title.clone(),
        reason,
    }
}

fn reason_to_leave_out(rule: Coverage, document: i64, coverages: &Coverages) -> Option<String> {
    let missing = match rule {
        Coverage::All => return None,
        Coverage::CodedByAny => {
            let coded = !coverages
                .missing(document, |d, c| !coverages.coded(d, c))
                .is_empty();
            return (!coded).then(|| "no chosen coder has coded it".to_owned());
        }
        Coverage::CodedByAll => coverages.missing(document, |d, c| coverages.coded(d, c)),
        Coverage::Complete | Coverage::Shared => {
            let missing = coverages.missing(document, |d, c| coverages.complete(d, c));
            if missing.is_empty() {
                return None;
            }
            let uncoded = coverages.missing(document, |d, c| coverages.coded(d, c));
            if !uncoded.is_empty() {
                return Some(format!("not coded by {}", uncoded.join(", ")));
            }
            return Some(format!("not marked complete by {}", missing.join(", ")));
        }
    };
    (!missing.is_empty()).then(|| format!("not coded by {}", missing.join(", ")))
}

fn nothing_shared(rule: Coverage, names: &[String]) -> AppError {
    let what = match rule {
        Coverage::Complete => "marked complete by",
        Coverage::CodedByAny => "coded by any of",
        _ => "coded by",
    };
    AppError::invalid(
        "documents",
        format!(
            "No document in scope has been {what} every chosen coder ({}). Pick documents, \
             choose other coders, or include documents not coded by everyone (scope=coded_by_any).",
            names.join(", ")
        ),
    )
}

/// Documents picked one by one: exactly those, in id order.
fn pick(ids: &[i64], documents: Vec<Candidate>, coverages: &Coverages) -> AppResult<Scoped> {
    let known: BTreeSet<i64> = documents.iter().map(|d| d.id).collect();
    if let Some(unknown) = ids.iter().find(|id| !known.contains(id)) {
        return Err(AppError::invalid(
            "documents",
            format!("There is no document {unknown} in this project."),
        ));
    }
    let wanted: BTreeSet<i64> = ids.iter().copied().collect();
    let (used, others): (Vec<Candidate>, Vec<Candidate>) =
        documents.into_iter().partition(|d| wanted.contains(&d.id));
    let not_coded_by_all = used
        .iter()
        .filter(|d| {
            !coverages
                .missing(d.id, |d, c| coverages.coded(d, c))
                .is_empty()
        })
        .count();
    Ok(Scoped {
        used,
        left_out: others
            .iter()
            .map(|d| leave_out(d, "not picked".to_owned()))
            .collect(),
        applied: Coverage::All,
        not_coded_by_all,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<Candidate> {
        (1..=3)
            .map(|id| Candidate {
                id,
                title: format!("D{id}"),
                len: 10,
            })
            .collect()
    }

    struct Fixture {
        coders: Vec<Coder>,
        names: Vec<String>,
        coded_by: HashMap<i64, BTreeSet<usize>>,
        completed: BTreeSet<(i64, i64)>,
        with_attribute: BTreeSet<i64>,
    }

    impl Fixture {
        /// Coders 10 and 20: 10 coded D1–D3, 20 coded only D1.
        fn new() -> Self {
            Fixture {
                coders: vec![Coder::User(10), Coder::User(20)],
                names: vec!["olga".into(), "bob".into()],
                coded_by: HashMap::from([
                    (1, BTreeSet::from([0, 1])),
                    (2, BTreeSet::from([0])),
                    (3, BTreeSet::from([0])),
                ]),
                completed: BTreeSet::new(),
                with_attribute: BTreeSet::from([1, 2]),
            }
        }

        fn apply(&self, coverage: Coverage, within: Within) -> AppResult<Scoped> {
            let coverages = Coverages {
                coders: &self.coders,
                names: &self.names,
                coded_by: &self.coded_by,
                completed: &self.completed,
                with_attribute: &self.with_attribute,
            };
            apply(&DocumentScope { coverage, within }, docs(), &coverages)
        }
    }

    fn ids(scoped: &Scoped) -> Vec<i64> {
        scoped.used.iter().map(|d| d.id).collect()
    }

    #[test]
    fn the_default_falls_back_to_documents_everyone_coded() {
        let scoped = Fixture::new()
            .apply(Coverage::Shared, Within::Project)
            .unwrap();
        assert_eq!(ids(&scoped), [1]);
        assert_eq!(scoped.applied, Coverage::CodedByAll);
        let reasons: Vec<&str> = scoped.left_out.iter().map(|l| l.reason.as_str()).collect();
        assert_eq!(reasons, ["not coded by bob", "not coded by bob"]);
    }

    #[test]
    fn the_default_prefers_documents_everyone_marked_complete() {
        let mut fixture = Fixture::new();
        fixture.coded_by.insert(2, BTreeSet::from([0, 1]));
        fixture.completed.extend([(2, 10), (2, 20), (1, 10)]);
        let scoped = fixture.apply(Coverage::Shared, Within::Project).unwrap();
        assert_eq!(ids(&scoped), [2]);
        assert_eq!(scoped.applied, Coverage::Complete);
        assert_eq!(scoped.left_out[0].reason, "not marked complete by bob");
        assert_eq!(scoped.left_out[1].reason, "not coded by bob");
    }

    #[test]
    fn the_other_rules_do_what_they_are_named_for() {
        let fixture = Fixture::new();
        let any = fixture
            .apply(Coverage::CodedByAny, Within::Project)
            .unwrap();
        assert_eq!(ids(&any), [1, 2, 3]);
        let all = fixture.apply(Coverage::All, Within::Project).unwrap();
        assert_eq!(ids(&all), [1, 2, 3]);
        let err = fixture
            .apply(Coverage::Complete, Within::Project)
            .err()
            .unwrap();
        assert!(matches!(err, AppError::Invalid(i) if i.field == "documents"));
        let attribute = Within::Attribute("site".into(), "North".into());
        let north = fixture.apply(Coverage::CodedByAny, attribute).unwrap();
        assert_eq!(ids(&north), [1, 2]);
        assert_eq!(north.left_out[0].reason, "its site is not North");
    }

    #[test]
    fn picked_documents_are_used_as_picked() {
        let fixture = Fixture::new();
        let picked = fixture
            .apply(Coverage::Shared, Within::Picked(vec![3, 1]))
            .unwrap();
        assert_eq!(ids(&picked), [1, 3]);
        assert_eq!(picked.not_coded_by_all, 1);
        assert_eq!(picked.left_out[0].reason, "not picked");
        let unknown = fixture.apply(Coverage::Shared, Within::Picked(vec![9]));
        assert!(matches!(unknown, Err(AppError::Invalid(i)) if i.field == "documents"));
    }
}
