//! Input types, validation, and the normalisation of spec §1: every
//! statistic starts from the same per-(code, document, coder) unit lists.

use std::fmt;

use serde::Serialize;

/// What one unit of analysis is (spec §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum UnitLevel {
    /// Every code point is a unit.
    Character,
    /// Every declared, non-empty speaker turn is a unit.
    Turn,
    /// Every non-empty document is a unit.
    Document,
}

impl UnitLevel {
    pub const ALL: [UnitLevel; 3] = [UnitLevel::Character, UnitLevel::Turn, UnitLevel::Document];
}

/// One document: its length and its speaker turns, in code points,
/// half-open `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocumentInput {
    pub len: u64,
    pub turns: Vec<(u64, u64)>,
}

/// One coded span: `coder` gave `code` to `[start, end)` of `document`.
/// All three indices are dense, chosen by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coding {
    pub coder: usize,
    pub code: usize,
    pub document: usize,
    pub start: u64,
    pub end: u64,
}

/// Everything the agreement statistics are computed from.
///
/// `coders` and `codes` are the declared counts; indices that appear in
/// `codings` extend them (spec §1). Declared coders without codings take part
/// with all-zero ratings; leave a coder out of the count to exclude them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgreementInput {
    pub documents: Vec<DocumentInput>,
    pub coders: usize,
    pub codes: usize,
    pub codings: Vec<Coding>,
}

/// Input the statistics refuse to interpret. Indices point into
/// [`AgreementInput::codings`], [`AgreementInput::documents`] and the
/// document's `turns`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    UnknownDocument {
        coding: usize,
        document: usize,
        documents: usize,
    },
    SpanReversed {
        coding: usize,
        start: u64,
        end: u64,
    },
    SpanOutOfRange {
        coding: usize,
        document: usize,
        end: u64,
        len: u64,
    },
    TurnReversed {
        document: usize,
        turn: usize,
        start: u64,
        end: u64,
    },
    TurnOutOfRange {
        document: usize,
        turn: usize,
        end: u64,
        len: u64,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            InputError::UnknownDocument {
                coding,
                document,
                documents,
            } => write!(
                f,
                "coding {coding} refers to document {document}, but there are only {documents} documents"
            ),
            InputError::SpanReversed { coding, start, end } => {
                write!(f, "coding {coding} starts at {start}, after its end {end}")
            }
            InputError::SpanOutOfRange {
                coding,
                document,
                end,
                len,
            } => write!(
                f,
                "coding {coding} ends at {end}, beyond the end of document {document} (length {len})"
            ),
            InputError::TurnReversed {
                document,
                turn,
                start,
                end,
            } => {
                write!(
                    f,
                    "turn {turn} of document {document} starts at {start}, after its end {end}"
                )
            }
            InputError::TurnOutOfRange {
                document,
                turn,
                end,
                len,
            } => write!(
                f,
                "turn {turn} of document {document} ends at {end}, beyond the document's length {len}"
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// Input that was accepted but ignored (spec §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// A coding with `start == end`: it covers nothing, so it is ignored everywhere.
    EmptySpanIgnored { coding: usize },
    /// A turn with `start == end`: it is not a unit.
    EmptyTurnIgnored { document: usize, turn: usize },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Warning::EmptySpanIgnored { coding } => {
                write!(f, "coding {coding} is empty (start = end) and was ignored")
            }
            Warning::EmptyTurnIgnored { document, turn } => {
                write!(
                    f,
                    "turn {turn} of document {document} is empty and was ignored"
                )
            }
        }
    }
}

/// A non-empty half-open stretch of one document, in code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Span {
    pub start: u64,
    pub end: u64,
}

impl Span {
    pub fn len(self) -> u64 {
        self.end - self.start
    }

    pub fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The validated, normalised input every statistic is computed from.
pub(super) struct Prepared {
    pub coders: usize,
    pub codes: usize,
    pub doc_lens: Vec<u64>,
    /// The non-empty turns of each document, in declared order.
    pub turns: Vec<Vec<Span>>,
    pub units: UnitTable,
    pub warnings: Vec<Warning>,
}

impl Prepared {
    pub fn new(input: &AgreementInput) -> Result<Prepared, InputError> {
        let mut warnings = Vec::new();
        let doc_lens: Vec<u64> = input.documents.iter().map(|d| d.len).collect();
        let turns = validate_turns(&input.documents, &mut warnings)?;

        // The coder and code lists are the declared ones plus any index that
        // occurs in a coding, even an empty one (spec §1, "coder list").
        let coders = input
            .codings
            .iter()
            .map(|c| c.coder + 1)
            .fold(input.coders, usize::max);
        let codes = input
            .codings
            .iter()
            .map(|c| c.code + 1)
            .fold(input.codes, usize::max);

        let mut keyed = Vec::with_capacity(input.codings.len());
        for (index, coding) in input.codings.iter().enumerate() {
            let len = *doc_lens
                .get(coding.document)
                .ok_or(InputError::UnknownDocument {
                    coding: index,
                    document: coding.document,
                    documents: doc_lens.len(),
                })?;
            if coding.start > coding.end {
                return Err(InputError::SpanReversed {
                    coding: index,
                    start: coding.start,
                    end: coding.end,
                });
            }
            if coding.end > len {
                return Err(InputError::SpanOutOfRange {
                    coding: index,
                    document: coding.document,
                    end: coding.end,
                    len,
                });
            }
            if coding.start == coding.end {
                warnings.push(Warning::EmptySpanIgnored { coding: index });
                continue;
            }
            let span = Span {
                start: coding.start,
                end: coding.end,
            };
            keyed.push((coding.code, coding.document, coding.coder, span));
        }

        Ok(Prepared {
            coders,
            codes,
            doc_lens,
            turns,
            units: UnitTable::build(keyed, coders),
            warnings,
        })
    }

    /// `L` of spec §7.1, and `N` at the character level.
    pub fn total_len(&self) -> u64 {
        self.doc_lens.iter().sum()
    }
}

fn validate_turns(
    documents: &[DocumentInput],
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Vec<Span>>, InputError> {
    documents
        .iter()
        .enumerate()
        .map(|(document, doc)| {
            let mut kept = Vec::with_capacity(doc.turns.len());
            for (turn, &(start, end)) in doc.turns.iter().enumerate() {
                if start > end {
                    return Err(InputError::TurnReversed {
                        document,
                        turn,
                        start,
                        end,
                    });
                }
                if end > doc.len {
                    return Err(InputError::TurnOutOfRange {
                        document,
                        turn,
                        end,
                        len: doc.len,
                    });
                }
                if start == end {
                    warnings.push(Warning::EmptyTurnIgnored { document, turn });
                } else {
                    kept.push(Span { start, end });
                }
            }
            Ok(kept)
        })
        .collect()
}

/// Each coder's units per (code, document), stored compactly: only
/// (code, document) groups that somebody coded are present, sorted by
/// (code, document); within a group each coder's units are sorted.
///
/// A coder's units are their spans with overlapping spans merged into their
/// union and touching spans kept apart (spec §7.1). The coverage-based levels
/// only need the union, which touching units describe just as well.
pub(super) struct UnitTable {
    coders: usize,
    spans: Vec<Span>,
    keys: Vec<(usize, usize)>,
    /// Coder `i`'s units in group `g` are
    /// `spans[offsets[g * (coders + 1) + i]..offsets[g * (coders + 1) + i + 1]]`.
    offsets: Vec<usize>,
}

impl UnitTable {
    fn build(mut keyed: Vec<(usize, usize, usize, Span)>, coders: usize) -> UnitTable {
        keyed.sort_unstable();
        let mut table = UnitTable {
            coders,
            spans: Vec::with_capacity(keyed.len()),
            keys: Vec::new(),
            offsets: Vec::new(),
        };
        let mut rest = &keyed[..];
        while let Some(&(code, document, _, _)) = rest.first() {
            let in_group = rest.partition_point(|k| (k.0, k.1) <= (code, document));
            let (group, tail) = rest.split_at(in_group);
            table.keys.push((code, document));
            let mut group = group;
            for coder in 0..coders {
                table.offsets.push(table.spans.len());
                let mine = group.partition_point(|k| k.2 <= coder);
                let first_of_coder = table.spans.len();
                for &(_, _, _, span) in &group[..mine] {
                    table.push_merged(first_of_coder, span);
                }
                group = &group[mine..];
            }
            table.offsets.push(table.spans.len());
            rest = tail;
        }
        table
    }

    /// Appends `span` (sorted input) to the current coder's list, merging it
    /// into the previous unit when they overlap. Touching spans stay apart.
    fn push_merged(&mut self, first_of_coder: usize, span: Span) {
        if self.spans.len() > first_of_coder {
            let last = self.spans.last_mut().expect("non-empty");
            if span.start < last.end {
                last.end = last.end.max(span.end);
                return;
            }
        }
        self.spans.push(span);
    }

    pub fn groups(&self) -> impl Iterator<Item = Group<'_>> + '_ {
        (0..self.keys.len()).map(move |index| self.group(index))
    }

    /// The groups of one code, in document order.
    pub fn groups_of_code(&self, code: usize) -> impl Iterator<Item = Group<'_>> + '_ {
        let first = self.keys.partition_point(|k| k.0 < code);
        let end = self.keys.partition_point(|k| k.0 <= code);
        (first..end).map(move |index| self.group(index))
    }

    fn group(&self, index: usize) -> Group<'_> {
        let (code, document) = self.keys[index];
        Group {
            code,
            document,
            table: self,
            index,
        }
    }
}

/// The units of one (code, document) pair, per coder.
#[derive(Clone, Copy)]
pub(super) struct Group<'a> {
    pub code: usize,
    pub document: usize,
    table: &'a UnitTable,
    index: usize,
}

impl<'a> Group<'a> {
    pub fn coder(self, coder: usize) -> &'a [Span] {
        let base = self.index * (self.table.coders + 1) + coder;
        &self.table.spans[self.table.offsets[base]..self.table.offsets[base + 1]]
    }

    pub fn by_coder(self) -> impl Iterator<Item = &'a [Span]> + 'a {
        (0..self.table.coders).map(move |coder| self.coder(coder))
    }
}
