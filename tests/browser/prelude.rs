//! How every browser test starts. [`Prelude`] starts the server and headless Chromium (see
//! `harness.rs`), then sets up what a user would have: an owner with a project holding one
//! document (by default the workforce interview with emoji), the project's other members,
//! and one of them signed in through the real login form. Tests of the pages' pure modules,
//! which need a page and nothing else, start with [`bare`].
//!
//! Every start returns `None` when Chromium is missing outside CI (the test then returns);
//! see `harness.rs`.

use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Api, BrowserTest};

/// The passage after 💛 in work_0848 ("I've got you. 💛 Let's make this easier …").
pub const AFTER_HEART: &str = "Let's make this easier on your ADHD brain";
/// The passage after 🥹💛 in work_0848 ("You're so welcome. 🥹💛 Sometimes …").
pub const AFTER_TEARS: &str = "Sometimes the most important step";

/// The server and the browser only, on the sign-in page (no user, no data).
pub async fn bare() -> Option<BrowserTest> {
    let b = BrowserTest::start().await?;
    b.goto("/login").await;
    Some(b)
}

/// What a browser test starts with; see the module comment. Built with the methods below,
/// then [`Prelude::start`] (with the document) or [`Prelude::start_empty`] (without).
pub struct Prelude {
    owner: &'static str,
    project: &'static str,
    transcript: Option<(&'static str, &'static str)>,
    members: Vec<(&'static str, &'static str)>,
    signed_in: Option<&'static str>,
}

impl Default for Prelude {
    /// ada owns "Workforce", which holds the four workforce interviews (the document is
    /// work_0848, the one with 💛 and 🥹), and is signed in.
    fn default() -> Self {
        Prelude {
            owner: "ada",
            project: "Workforce",
            transcript: None,
            members: Vec::new(),
            signed_in: None,
        }
    }
}

impl Prelude {
    pub fn new() -> Self {
        Self::default()
    }

    /// The project's owner (and, unless [`Prelude::signed_in_as`] says otherwise, the
    /// user signed in).
    pub fn owner(mut self, name: &'static str) -> Self {
        self.owner = name;
        self
    }

    pub fn project(mut self, name: &'static str) -> Self {
        self.project = name;
        self
    }

    /// The document is `text`, imported like a pasted `.txt` transcript, instead of the
    /// workforce interviews.
    pub fn transcript(mut self, title: &'static str, text: &'static str) -> Self {
        self.transcript = Some((title, text));
        self
    }

    /// Another member of the project, with `role` (`coder`, `viewer` or `owner`).
    pub fn member(mut self, name: &'static str, role: &'static str) -> Self {
        self.members.push((name, role));
        self
    }

    /// Who is signed in: a member instead of the owner.
    pub fn signed_in_as(mut self, name: &'static str) -> Self {
        self.signed_in = Some(name);
        self
    }

    /// Starts everything; the study's document is the one set up.
    pub async fn start(self) -> Option<(BrowserTest, Study)> {
        let b = BrowserTest::start().await?;
        let (api, project, members) = self.project_with_members(&b).await;
        let (document, text) = match self.transcript {
            Some((title, text)) => {
                let id = api.import_text(project, title, text).await;
                (id, text_of(&api, id).await)
            }
            None => workforce_interview_with_emoji(&api, project).await,
        };
        self.sign_in(&b).await;
        let study = Study {
            api,
            project,
            document,
            text,
            members,
        };
        Some((b, study))
    }

    /// Starts everything but imports no document.
    pub async fn start_empty(self) -> Option<(BrowserTest, Project)> {
        let b = BrowserTest::start().await?;
        let (api, id, _) = self.project_with_members(&b).await;
        self.sign_in(&b).await;
        Some((b, Project { api, id }))
    }

    /// The owner's API client, the project's id, and the members' API clients.
    async fn project_with_members(&self, b: &BrowserTest) -> (Api, i64, Vec<(&'static str, Api)>) {
        b.create_user(self.owner).await;
        let api = b.api_for(self.owner).await;
        let id = api.create_project(self.project).await;
        let mut members = Vec::new();
        for &(name, role) in &self.members {
            b.create_user(name).await;
            let body = Some(json!({ "username": name, "role": role }));
            let path = format!("/projects/{id}/members");
            let (status, added) = api.call(Method::POST, &path, body).await;
            assert!(status.is_success(), "add {name} as {role}: {added}");
            let member = b.api_for(name).await;
            if status == StatusCode::ACCEPTED {
                // Invited (the owner is no administrator): the invitee accepts.
                let accept = format!("/invitations/{}/accept", added["id"]);
                let (status, joined) = member.call(Method::POST, &accept, None).await;
                assert!(status.is_success(), "{name} accepts: {joined}");
            }
            members.push((name, member));
        }
        (api, id, members)
    }

    async fn sign_in(&self, b: &BrowserTest) {
        b.sign_in(self.signed_in.unwrap_or(self.owner)).await;
    }
}

/// Imports the workforce fixture; returns work_0848 (the interview with 💛) and its text.
async fn workforce_interview_with_emoji(api: &Api, project: i64) -> (i64, String) {
    let csv = std::fs::read(fixture("anthropic_workforce_excerpt.csv")).expect("CSV fixture");
    let summary = api
        .import_file(project, "anthropic_workforce_excerpt.csv", csv)
        .await;
    for document in summary["documents"].as_array().expect("documents") {
        let id = document["id"].as_i64().expect("document id");
        let text = text_of(api, id).await;
        if text.contains('💛') {
            return (id, text);
        }
    }
    panic!("no interview with 💛 in the fixture (work_0848)");
}

/// The stored text of a document.
async fn text_of(api: &Api, document: i64) -> String {
    api.document(document).await["text"]
        .as_str()
        .expect("document text")
        .to_owned()
}

/// A project without documents, and its owner's API client ([`Prelude::start_empty`]).
pub struct Project {
    pub api: Api,
    pub id: i64,
}

/// The project, its document (whose stored text is known) and the API clients of its
/// owner and of the members the prelude set up.
pub struct Study {
    /// The owner's.
    pub api: Api,
    pub project: i64,
    pub document: i64,
    pub text: String,
    members: Vec<(&'static str, Api)>,
}

impl Study {
    /// The API client of a member the prelude set up.
    pub fn api_of(&self, name: &str) -> &Api {
        self.members
            .iter()
            .find(|(member, _)| *member == name)
            .map(|(_, api)| api)
            .unwrap_or_else(|| panic!("{name} is not a member the prelude set up"))
    }

    /// Creates a code with a fixed colour; returns its id.
    pub async fn code(&self, name: &str, color: &str) -> i64 {
        let path = format!("/projects/{}/codes", self.project);
        let code = self
            .api
            .create(&path, json!({ "name": name, "color": color }))
            .await;
        code["id"].as_i64().expect("code id")
    }

    /// The id of the code named `name`.
    pub async fn code_named(&self, name: &str) -> i64 {
        let codes = self
            .api
            .get(&format!("/projects/{}/codes", self.project))
            .await;
        codes["codes"]
            .as_array()
            .expect("codes")
            .iter()
            .find(|code| code["name"] == name)
            .unwrap_or_else(|| panic!("no code named {name}: {codes}"))["id"]
            .as_i64()
            .expect("code id")
    }

    /// Switches blind coding on or off (as the owner).
    pub async fn set_blind(&self, blind: bool) {
        let path = format!("/projects/{}", self.project);
        let (status, body) = self
            .api
            .call(Method::PATCH, &path, Some(json!({ "blind_coding": blind })))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// The code-point span of `needle`, which must occur once in the document.
    pub fn span(&self, needle: &str) -> (usize, usize) {
        let start = code_point_offset_of(&self.text, needle);
        (start, start + needle.chars().count())
    }

    /// Creates an excerpt over `needle` as `coder` (an API client).
    pub async fn excerpt(&self, coder: &Api, needle: &str, codes: &[i64]) -> Value {
        let (start, end) = self.span(needle);
        let path = format!("/documents/{}/excerpts", self.document);
        coder
            .create(
                &path,
                json!({ "start": start, "end": end, "code_ids": codes }),
            )
            .await
    }

    /// The document's excerpts as `reader` sees them through the API.
    pub async fn excerpts(&self, reader: &Api) -> Vec<Value> {
        reader
            .get(&format!("/documents/{}/excerpts", self.document))
            .await["excerpts"]
            .as_array()
            .expect("excerpts")
            .clone()
    }
}

/// The path of a file in `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The code-point offset of the only occurrence of `needle` in `text`.
pub fn code_point_offset_of(text: &str, needle: &str) -> usize {
    let mut found = text.match_indices(needle);
    let (byte, _) = found
        .next()
        .unwrap_or_else(|| panic!("{needle:?} is not in the document"));
    assert!(found.next().is_none(), "{needle:?} occurs more than once");
    text[..byte].chars().count()
}

/// The document text [start, end) in code points, sliced on the Rust side.
pub fn slice_code_points(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}
