//! The demo project: real interviews bundled into the binary (see `demo/ATTRIBUTION.md`),
//! a small codebook with definitions, and two demo coders' independent coding generated
//! from keyword rules with a fixed seed, so every run builds the same project: coders
//! who overlap often, disagree sometimes, with part of it adjudicated.

mod coding;

use crate::domain::import::{self, ImportOptions, ParsedDocument};

pub use coding::{Decided, Decision, Excerpt};

/// The seed interview, exactly as shipped in `../shared/seed/`.
const SEED: &[u8] = include_bytes!("../../../demo/work_0759.txt");
/// Twenty interviews from the same data set, one CSV row each.
const INTERVIEWS: &[u8] = include_bytes!("../../../demo/interviews.csv");

pub const NAME: &str = "Demo: AI at work";

/// The attribution the data set's licence asks for, shown in the project description and
/// in every document's `Source` attribute.
pub const ATTRIBUTION: &str = "Interviews from the Anthropic Interviewer data set \
    (CC-BY; Handa et al. 2025, “Introducing Anthropic Interviewer”, \
    https://www.anthropic.com/research/anthropic-interviewer).";

pub const SOURCE: &str = "Anthropic Interviewer (CC-BY), Handa et al. 2025";

/// The two demo coders' preferred user names (a suffix is added when one is taken).
pub const CODERS: [&str; 2] = ["demo-amira", "demo-ben"];

pub fn description() -> String {
    format!(
        "A demo project to explore Gloss: 21 interviews about how people use AI at work, \
         coded independently by two demo coders ({} and {}), partly adjudicated. \
         The coding was generated from keyword rules, as an illustration. Delete the \
         project in its settings when you are done. {ATTRIBUTION}",
        CODERS[0], CODERS[1]
    )
}

/// One code of the demo codebook; `parent` indexes into [`CODEBOOK`].
pub struct Code {
    pub name: &'static str,
    pub parent: Option<usize>,
    pub color: &'static str,
    pub description: &'static str,
    /// Word beginnings that make a participant's sentence a candidate for the code.
    keywords: &'static [&'static str],
}

const fn code(
    name: &'static str,
    parent: Option<usize>,
    color: &'static str,
    description: &'static str,
    keywords: &'static [&'static str],
) -> Code {
    Code {
        name,
        parent,
        color,
        description,
        keywords,
    }
}

/// Three themes with their codes. Parents carry no keywords: coders code the leaves.
pub const CODEBOOK: [Code; 13] = [
    code(
        "Uses of AI",
        None,
        "#1f77b4",
        "What the participant uses AI tools for in their work.",
        &[],
    ),
    code(
        "Writing and editing",
        Some(0),
        "#4e79a7",
        "Drafting, rewording, proofreading or summarising text: emails, reports, posts.",
        &[
            "writ",
            "email",
            "edit",
            "draft",
            "grammar",
            "spelling",
            "proofread",
            "summar",
        ],
    ),
    code(
        "Research and information",
        Some(0),
        "#76b7b2",
        "Looking things up, learning a topic, using AI in place of a search engine.",
        &[
            "research",
            "search",
            "google",
            "information",
            "look up",
            "learn",
        ],
    ),
    code(
        "Brainstorming",
        Some(0),
        "#59a14f",
        "Generating ideas, options or a starting point the participant then develops.",
        &["idea", "brainstorm", "inspir", "suggestion", "creative"],
    ),
    code(
        "Routine tasks",
        Some(0),
        "#8cd17d",
        "Repetitive or administrative work handed to AI: data, spreadsheets, scheduling.",
        &[
            "routine",
            "repetitive",
            "automat",
            "spreadsheet",
            "excel",
            "schedul",
            "data",
        ],
    ),
    code(
        "Trust and verification",
        None,
        "#e15759",
        "How far the participant relies on AI output, and what they do to check it.",
        &[],
    ),
    code(
        "Checking output",
        Some(5),
        "#ff9d9a",
        "Verifying, correcting or double-checking what the AI produced.",
        &[
            "check", "verif", "double", "accura", "mistake", "wrong", "error", "correct",
        ],
    ),
    code(
        "Relying on AI",
        Some(5),
        "#b07aa1",
        "Statements of trust, confidence or dependence on the tool.",
        &["trust", "rely", "reliab", "confiden", "depend"],
    ),
    code(
        "Experience of working with AI",
        None,
        "#f28e2b",
        "How working with AI feels: gains, irritations, worries.",
        &[],
    ),
    code(
        "Saving time",
        Some(8),
        "#ffbe7d",
        "Speed, efficiency or time freed for other work.",
        &["time", "faster", "quick", "efficien", "save", "productiv"],
    ),
    code(
        "Frustration",
        Some(8),
        "#d37295",
        "Annoyance with the tool: generic answers, misunderstandings, limits.",
        &[
            "frustrat",
            "annoy",
            "limit",
            "generic",
            "hallucinat",
            "struggle",
        ],
    ),
    code(
        "Concerns about the future",
        Some(8),
        "#9d7660",
        "Worries about jobs, skills or dependence in the longer run.",
        &["job", "replace", "future", "worr", "concern", "skill"],
    ),
    code(
        "Keeping the human touch",
        None,
        "#bab0ac",
        "Keeping one's own voice, judgement or personal contact in the work.",
        &["voice", "personal", "human", "authentic", "my own", "tone"],
    ),
];

/// One demo document: the parsed interview, each coder's excerpts, whether each coder
/// marked it complete, and the consensus decisions taken on it.
pub struct Document {
    pub document: ParsedDocument,
    pub file_name: &'static str,
    pub coding: [Vec<Excerpt>; 2],
    pub complete: [bool; 2],
    pub decisions: Vec<Decision>,
}

/// How many documents (from the first) have consensus decisions.
const ADJUDICATED: usize = 6;
/// Documents from this index on are not complete for the second coder, and the last one
/// for neither: the progress page has something in progress to show.
const BOTH_COMPLETE: usize = 17;

/// Builds the demo documents with their coding. Pure and deterministic.
pub fn documents() -> Vec<Document> {
    let options = ImportOptions::default();
    let seed = import::parse_file("work_0759.txt", SEED, &options).expect("the demo seed parses");
    let rows =
        import::parse_file("interviews.csv", INTERVIEWS, &options).expect("the demo CSV parses");
    let parsed = seed
        .documents
        .into_iter()
        .map(|d| (d, "work_0759.txt"))
        .chain(rows.documents.into_iter().map(|d| (d, "interviews.csv")));
    let mut rng = crate::domain::sample::SplitMix64(0x61_7761_7264);
    let mut documents: Vec<Document> = parsed
        .map(|(mut document, file_name)| {
            document
                .attributes
                .push(("Source".to_owned(), SOURCE.to_owned()));
            let coding = coding::code_document(&document, &mut rng);
            Document {
                document,
                file_name,
                coding,
                complete: [true, true],
                decisions: Vec::new(),
            }
        })
        .collect();
    let last = documents.len() - 1;
    for (index, item) in documents.iter_mut().enumerate() {
        item.complete = [index < last, index < BOTH_COMPLETE];
        if index < ADJUDICATED {
            item.decisions = coding::adjudicate(&item.coding, &mut rng);
        }
    }
    documents
}

#[cfg(test)]
mod tests;
