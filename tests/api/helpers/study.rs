//! The coding fixture most API tests share: a project with one document whose text is
//! known (emoji, a combining accent, two speakers), an owner and two coders.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Api, Excerpt, Page, TestApp, span_of, spawn_app};

/// A project with one document whose text is known, an owner, and two coders.
pub struct Study {
    pub app: TestApp,
    /// olga, the project's owner.
    pub owner: Api,
    pub alice: Api,
    pub bob: Api,
    pub project: i64,
    pub document: i64,
    /// The document's text as stored (NFC: the combining accent composed).
    pub text: String,
}

pub const TRANSCRIPT: &str = "Interviewer: How do you feel about AI at work?\n\nUser: Honestly 💛 I trust it for drafts, not for decisions.\nIt helps me think.\n\nInterviewer: Why not decisions?\n\nUser: Because the cafe\u{301} owner 😂 decides, and so do I.";

pub async fn study() -> Study {
    let app = spawn_app().await;
    let owner = app.api_user("olga").await;
    let alice = app.api_user("alice").await;
    let bob = app.api_user("bob").await;
    let project = owner.create_project("Study").await;
    owner.add_member(project, "alice", "coder").await;
    owner.add_member(project, "bob", "coder").await;
    let document = owner.create_document(project, "P1", TRANSCRIPT).await;
    let text = owner.document(document).await.text;
    Study {
        app,
        owner,
        alice,
        bob,
        project,
        document,
        text,
    }
}

impl Study {
    /// A top-level code created by `api`; returns its id.
    pub async fn code(&self, api: &Api, name: &str) -> i64 {
        api.create_code(self.project, json!({ "name": name }))
            .await
            .id
    }

    /// A code under `parent`, created by the owner.
    pub async fn sub_code(&self, parent: i64, name: &str) -> i64 {
        let body = json!({ "name": name, "parent_id": parent });
        self.owner.create_code(self.project, body).await.id
    }

    /// Code-point span of the first occurrence of `needle` in the document text.
    pub fn find(&self, needle: &str) -> (usize, usize) {
        span_of(&self.text, needle)
    }

    /// An excerpt over the first occurrence of `needle`, by `api`'s user.
    pub async fn excerpt(&self, api: &Api, needle: &str, codes: &[i64]) -> Excerpt {
        let (start, end) = self.find(needle);
        api.create_excerpt(self.document, start, end, codes).await
    }

    /// An excerpt of the consensus set over `[start, end)`, drawn by the owner.
    pub async fn consensus_excerpt(&self, start: usize, end: usize, codes: &[i64]) {
        let (status, body) = self
            .owner
            .post(
                &format!("/documents/{}/excerpts", self.document),
                json!({ "start": start, "end": end, "code_ids": codes, "consensus": true }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    /// Switches blind coding on (as the owner).
    pub async fn code_blind(&self) {
        let (status, body) = self
            .owner
            .patch(
                &format!("/projects/{}", self.project),
                json!({ "blind_coding": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// Another document of the project with the same transcript.
    pub async fn another_document(&self) -> i64 {
        self.owner
            .create_document(self.project, "P2", TRANSCRIPT)
            .await
    }

    /// The document's excerpts as `api`'s user sees them (one page, `query` included).
    pub async fn excerpts(&self, api: &Api, query: &str) -> Vec<Excerpt> {
        api.excerpts(self.document, query).await.items
    }

    /// [`Study::excerpts`] as the raw JSON objects, for comparing whole answers.
    pub async fn excerpts_json(&self, api: &Api, query: &str) -> Vec<Value> {
        let page: Page<Value> = api
            .get_ok(&format!("/documents/{}/excerpts{query}", self.document))
            .await;
        page.items
    }

    /// The codebook's counts (kept by triggers) against a recount of the excerpts
    /// themselves, for the owner (who sees every coder) and for alice (whose "mine"
    /// differs). Deleted documents among `documents` are passed over.
    pub async fn assert_counts_are_exact(&self, documents: &[i64], step: &str) {
        let mut all_excerpts = Vec::new();
        for document in documents {
            let (status, body) = self
                .owner
                .get(&format!("/documents/{document}/excerpts?limit=1000"))
                .await;
            if status == StatusCode::NOT_FOUND {
                continue; // deleted in this scenario
            }
            let page: Page<Excerpt> = super::parse(&body);
            all_excerpts.extend(page.items);
        }
        let recount = |code: i64, coder: Option<&str>| {
            all_excerpts
                .iter()
                .filter(|e| !e.consensus)
                .filter(|e| coder.is_none_or(|c| e.coder == c))
                .filter(|e| e.code_ids.contains(&code))
                .count() as i64
        };
        for (api, name) in [(&self.owner, "olga"), (&self.alice, "alice")] {
            for code in api.codebook(self.project).await {
                let id = code.id;
                assert_eq!(
                    code.excerpts_all,
                    recount(id, None),
                    "{step}: all, code {id}"
                );
                assert_eq!(
                    code.excerpts_mine,
                    recount(id, Some(name)),
                    "{step}: {name}'s, code {id}"
                );
            }
        }
        super::kept_counts::assert_tables_match(
            &self.owner,
            self.project,
            "alice",
            &all_excerpts,
            step,
        )
        .await;
    }
}
