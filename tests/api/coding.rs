//! The codebook and excerpts through the API: validation, merge, delete, blind coding,
//! ownership, concurrency and access control.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Api, TestApp, error_code, spawn_app};

/// A project with one document whose text is known, an owner, and two coders.
pub struct Study {
    pub app: TestApp,
    pub owner: Api,
    pub alice: Api,
    pub bob: Api,
    pub project: i64,
    pub document: i64,
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
    let (status, created) = owner
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "title": "P1", "text": TRANSCRIPT }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let document = created["id"].as_i64().unwrap();
    let (_, doc) = owner.get(&format!("/documents/{document}")).await;
    let text = doc["text"].as_str().unwrap().to_owned();
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
    pub async fn code(&self, api: &Api, name: &str) -> i64 {
        let (status, code) = api
            .post(
                &format!("/projects/{}/codes", self.project),
                json!({ "name": name }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{code}");
        code["id"].as_i64().unwrap()
    }

    /// A code under `parent`, created by the owner.
    pub async fn sub_code(&self, parent: i64, name: &str) -> i64 {
        let (status, code) = self
            .owner
            .post(
                &format!("/projects/{}/codes", self.project),
                json!({ "name": name, "parent_id": parent }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{code}");
        code["id"].as_i64().unwrap()
    }

    /// Code-point span of the first occurrence of `needle` in the document text.
    pub fn find(&self, needle: &str) -> (usize, usize) {
        let byte = self
            .text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} in text"));
        let start = self.text[..byte].chars().count();
        (start, start + needle.chars().count())
    }

    pub async fn excerpt(&self, api: &Api, needle: &str, codes: &[i64]) -> Value {
        let (start, end) = self.find(needle);
        let (status, excerpt) = api
            .post(
                &format!("/documents/{}/excerpts", self.document),
                json!({ "start": start, "end": end, "code_ids": codes }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{excerpt}");
        excerpt
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
        let (status, created) = self
            .owner
            .post(
                &format!("/projects/{}/documents", self.project),
                json!({ "title": "P2", "text": TRANSCRIPT }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created["id"].as_i64().unwrap()
    }

    pub async fn excerpts(&self, api: &Api, query: &str) -> Vec<Value> {
        let (status, body) = api
            .get(&format!("/documents/{}/excerpts{query}", self.document))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["excerpts"].as_array().unwrap().clone()
    }
}

#[tokio::test]
async fn codes_form_a_tree_with_default_colours_and_clear_errors() {
    let s = study().await;
    let concerns = s.code(&s.owner, "Concerns").await;
    let (status, child) = s
        .alice
        .post(&format!("/projects/{}/codes", s.project), json!({ "name": "Job displacement", "parent_id": concerns, "color": "#ABC", "description": "Fear of losing work" }))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "coders grow the codebook: {child}"
    );
    assert_eq!(child["path"], "Concerns > Job displacement");
    assert_eq!(child["color"], "#aabbcc");
    assert_eq!(child["depth"], 1);
    let (_, list) = s.owner.get(&format!("/projects/{}/codes", s.project)).await;
    let codes = list["codes"].as_array().unwrap();
    assert_eq!(codes.len(), 2);
    assert!(
        codes[0]["color"].as_str().unwrap().starts_with('#'),
        "default colour"
    );

    let project = s.project;
    for (body, status, field) in [
        (
            json!({ "name": "" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (
            json!({ "name": "a > b" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (
            json!({ "name": "Ok", "color": "blue" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "color",
        ),
        (
            json!({ "name": "Ok", "parent_id": 999_999 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "parent_id",
        ),
    ] {
        let (got, error) = s
            .owner
            .post(&format!("/projects/{project}/codes"), body.clone())
            .await;
        assert_eq!(got, status, "{body}: {error}");
        assert_eq!(error["error"]["field"], field, "{error}");
    }
    let (status, body) = s
        .owner
        .post(
            &format!("/projects/{project}/codes"),
            json!({ "name": "concerns" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "sibling names are unique case-insensitively: {body}"
    );
    let (status, _) = s
        .owner
        .post(
            &format!("/projects/{project}/codes"),
            json!({ "name": "Concerns", "parent_id": concerns }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the same name may recur at another level"
    );

    let (status, body) = s
        .owner
        .patch(
            &format!("/codes/{concerns}"),
            json!({ "parent_id": child["id"] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no cycles: {body}"
    );
    let (status, moved) = s
        .owner
        .patch(
            &format!("/codes/{}", child["id"]),
            json!({ "parent_id": null, "name": "Displacement" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["path"], "Displacement");
    let (status, _) = s
        .owner
        .patch(&format!("/codes/{concerns}"), json!({ "colour": "#fff" }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown fields are refused"
    );
}

#[tokio::test]
async fn excerpts_are_validated_trimmed_and_return_their_exact_text() {
    let s = study().await;
    let trust = s.code(&s.alice, "Trust").await;
    let (start, end) = s.find("I trust it for drafts");
    let (status, excerpt) = s
        .alice
        .post(
            &format!("/documents/{}/excerpts", s.document),
            json!({ "start": start - 2, "end": end + 1, "code_ids": [trust], "memo": "key quote" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{excerpt}");
    assert_eq!(
        excerpt["text"], "💛 I trust it for drafts,",
        "whitespace trimmed, emoji counted as one"
    );
    assert_eq!(excerpt["start"].as_u64().unwrap() as usize, start - 2);
    assert_eq!(excerpt["code_ids"], json!([trust]));
    assert_eq!(excerpt["coder"], "alice");
    assert_eq!(excerpt["memo"], "key quote");

    let (c_start, c_end) = s.find("café owner 😂");
    let combining = s.excerpt(&s.alice, "café owner 😂", &[trust]).await;
    assert_eq!(combining["text"], "café owner 😂");
    assert_eq!(
        (
            combining["start"].as_u64().unwrap() as usize,
            combining["end"].as_u64().unwrap() as usize
        ),
        (c_start, c_end)
    );

    let length = s.text.chars().count() as i64;
    let doc = s.document;
    let other_project = s.owner.create_project("Other").await;
    let (_, foreign) = s
        .owner
        .post(
            &format!("/projects/{other_project}/codes"),
            json!({ "name": "Foreign" }),
        )
        .await;
    for (body, status) in [
        (
            json!({ "start": 5, "end": 5 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "start": 9, "end": 4 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "start": -1, "end": 4 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "start": 0, "end": length + 1 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "start": 0, "end": 4, "code_ids": [999_999] }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "start": 0, "end": 4, "code_ids": [foreign["id"]] }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "start": "zero", "end": 4 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({ "end": 4 }), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (got, error) = s
            .alice
            .post(&format!("/documents/{doc}/excerpts"), body.clone())
            .await;
        assert_eq!(got, status, "{body}: {error}");
        error_code(&error);
    }
    let blank = s.find("\n\n");
    let (status, error) = s
        .alice
        .post(
            &format!("/documents/{doc}/excerpts"),
            json!({ "start": blank.0, "end": blank.1 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only whitespace")
    );
    assert_eq!(
        s.excerpts(&s.alice, "").await.len(),
        2,
        "nothing partial was stored"
    );
}

#[tokio::test]
async fn excerpts_belong_to_their_coder_and_edits_never_overwrite() {
    let s = study().await;
    let trust = s.code(&s.alice, "Trust").await;
    let doubt = s.code(&s.alice, "Doubt").await;
    let excerpt = s.excerpt(&s.alice, "not for decisions", &[trust]).await;
    let id = excerpt["id"].as_i64().unwrap();

    let (status, _) = s
        .bob
        .patch(&format!("/excerpts/{id}"), json!({ "memo": "mine now" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s.bob.delete(&format!("/excerpts/{id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, updated) = s
        .alice
        .patch(
            &format!("/excerpts/{id}"),
            json!({ "add_code_ids": [doubt], "memo": "hedged", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["code_ids"], json!([trust, doubt]));
    assert_eq!(updated["version"], 2);
    let (status, conflict) = s
        .alice
        .patch(
            &format!("/excerpts/{id}"),
            json!({ "memo": "stale tab", "version": 1 }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a stale version is refused: {conflict}"
    );
    let (_, current) = s.alice.get(&format!("/excerpts/{id}")).await;
    assert_eq!(current["memo"], "hedged");

    let (a, b) = s.find("I trust it");
    let (status, resized) = s
        .alice
        .patch(
            &format!("/excerpts/{id}"),
            json!({ "start": a, "end": b, "remove_code_ids": [trust] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(resized["text"], "I trust it");
    assert_eq!(resized["code_ids"], json!([doubt]));
    let (status, _) = s
        .alice
        .patch(&format!("/excerpts/{id}"), json!({ "end": 100_000 }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Two coders coding the same passage at the same time each keep their own excerpt.
    let path = format!("/documents/{}/excerpts", s.document);
    let (r1, r2) = tokio::join!(
        s.alice
            .post(&path, json!({ "start": a, "end": b, "code_ids": [trust] })),
        s.bob
            .post(&path, json!({ "start": a, "end": b, "code_ids": [doubt] })),
    );
    assert_eq!((r1.0, r2.0), (StatusCode::CREATED, StatusCode::CREATED));
    let all = s.excerpts(&s.owner, "").await;
    assert_eq!(all.len(), 3);
    assert_eq!(s.excerpts(&s.owner, "?coder=bob").await.len(), 1);

    let (status, _) = s.alice.delete(&format!("/excerpts/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s.alice.get(&format!("/excerpts/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn merging_moves_excerpts_without_duplicates_in_one_step() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let reliance = s.code(&s.owner, "Reliance").await;
    let (_, child) = s
        .owner
        .post(
            &format!("/projects/{}/codes", s.project),
            json!({ "name": "Blind trust", "parent_id": reliance }),
        )
        .await;
    let both = s
        .excerpt(&s.alice, "I trust it for drafts", &[trust, reliance])
        .await;
    let only = s.excerpt(&s.bob, "It helps me think", &[reliance]).await;

    let (status, body) = s
        .alice
        .post(
            &format!("/codes/{reliance}/merge"),
            json!({ "into": trust }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only owners merge: {body}");
    let (status, body) = s
        .owner
        .post(
            &format!("/codes/{reliance}/merge"),
            json!({ "into": child["id"] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not into its own sub-code: {body}"
    );
    let (status, body) = s
        .owner
        .post(
            &format!("/codes/{reliance}/merge"),
            json!({ "into": reliance }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (status, merged) = s
        .owner
        .post(
            &format!("/codes/{reliance}/merge"),
            json!({ "into": trust }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["excerpts_all"], 2);
    let (_, both) = s.owner.get(&format!("/excerpts/{}", both["id"])).await;
    assert_eq!(both["code_ids"], json!([trust]), "one application, not two");
    let (_, only) = s.owner.get(&format!("/excerpts/{}", only["id"])).await;
    assert_eq!(only["code_ids"], json!([trust]));
    let (status, _) = s.owner.get(&format!("/codes/{reliance}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, moved_child) = s.owner.get(&format!("/codes/{}", child["id"])).await;
    assert_eq!(
        moved_child["path"], "Trust > Blind trust",
        "sub-codes follow the merge"
    );
}

#[tokio::test]
async fn deleting_a_code_reports_affected_excerpts_and_keeps_the_rest() {
    let s = study().await;
    let parent = s.code(&s.owner, "Feelings").await;
    let (_, child) = s
        .owner
        .post(
            &format!("/projects/{}/codes", s.project),
            json!({ "name": "Warmth", "parent_id": parent }),
        )
        .await;
    let other = s.code(&s.owner, "Work").await;
    let excerpt = s
        .excerpt(&s.alice, "It helps me think", &[parent, other])
        .await;
    s.excerpt(&s.bob, "It helps me think", &[parent]).await;

    let (status, _) = s.alice.delete(&format!("/codes/{parent}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, deleted) = s.owner.delete(&format!("/codes/{parent}")).await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["excerpts_affected"], 2);
    let (_, kept) = s.owner.get(&format!("/excerpts/{}", excerpt["id"])).await;
    assert_eq!(
        kept["code_ids"],
        json!([other]),
        "other codes and the excerpt stay"
    );
    let (_, child) = s.owner.get(&format!("/codes/{}", child["id"])).await;
    assert_eq!(child["path"], "Warmth", "sub-codes move up");
}

#[tokio::test]
async fn blind_coding_hides_other_coders_everywhere_for_coders_only() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let alice_excerpt = s.excerpt(&s.alice, "I trust it", &[trust]).await;
    s.excerpt(&s.bob, "It helps me think", &[trust]).await;
    let (status, project) = s
        .owner
        .patch(
            &format!("/projects/{}", s.project),
            json!({ "blind_coding": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(project["blind_coding"], true);
    let (status, _) = s
        .alice
        .patch(
            &format!("/projects/{}", s.project),
            json!({ "blind_coding": false }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only owners switch blind mode"
    );

    let bob_sees = s.excerpts(&s.bob, "").await;
    assert_eq!(bob_sees.len(), 1);
    assert_eq!(bob_sees[0]["coder"], "bob");
    let (status, _) = s
        .bob
        .get(&format!("/documents/{}/excerpts?coder=alice", s.document))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s
        .bob
        .get(&format!("/excerpts/{}", alice_excerpt["id"]))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, codes) = s.bob.get(&format!("/projects/{}/codes", s.project)).await;
    assert_eq!(
        codes["codes"][0]["excerpts_all"], 1,
        "counts reveal nothing either"
    );

    assert_eq!(
        s.excerpts(&s.owner, "").await.len(),
        2,
        "owners still see everyone"
    );
    let viewer = s.app.api_user("vera").await;
    s.owner.add_member(s.project, "vera", "viewer").await;
    assert_eq!(s.excerpts(&viewer, "").await.len(), 2, "viewers too");
    let (_, codes) = s.owner.get(&format!("/projects/{}/codes", s.project)).await;
    assert_eq!(codes["codes"][0]["excerpts_all"], 2);

    // The coding page embeds only what the coder may see.
    let browser = s.app.browser_signed_in("bob").await;
    let (_, html) = browser.page(&format!("/documents/{}", s.document)).await;
    assert!(html.contains("\"coder\":\"bob\""));
    assert!(
        !html.contains("\"coder\":\"alice\""),
        "alice's excerpt is not sent to bob"
    );
}

#[tokio::test]
async fn coding_is_closed_to_viewers_and_non_members() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let excerpt = s.excerpt(&s.alice, "I trust it", &[trust]).await;
    let viewer = s.app.api_user("vera").await;
    s.owner.add_member(s.project, "vera", "viewer").await;
    let stranger = s.app.api_user("eve").await;

    let (status, _) = viewer
        .post(
            &format!("/documents/{}/excerpts", s.document),
            json!({ "start": 0, "end": 3 }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = viewer
        .post(
            &format!("/projects/{}/codes", s.project),
            json!({ "name": "Mine" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    for (method, path) in [
        (Method::GET, format!("/projects/{}/codes", s.project)),
        (Method::POST, format!("/projects/{}/codes", s.project)),
        (Method::GET, format!("/codes/{trust}")),
        (Method::PATCH, format!("/codes/{trust}")),
        (Method::DELETE, format!("/codes/{trust}")),
        (Method::POST, format!("/codes/{trust}/merge")),
        (Method::GET, format!("/documents/{}/excerpts", s.document)),
        (Method::POST, format!("/documents/{}/excerpts", s.document)),
        (Method::GET, format!("/excerpts/{}", excerpt["id"])),
        (Method::PATCH, format!("/excerpts/{}", excerpt["id"])),
        (Method::DELETE, format!("/excerpts/{}", excerpt["id"])),
        (Method::GET, format!("/projects/{}/codebook.csv", s.project)),
    ] {
        let response = stranger
            .request(method.clone(), &path)
            .json(&json!({ "name": "x", "start": 0, "end": 3, "into": trust }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
}

#[tokio::test]
async fn the_codebook_round_trips_through_csv() {
    let s = study().await;
    let concerns = s.code(&s.owner, "Concerns").await;
    s.owner
        .post(&format!("/projects/{}/codes", s.project), json!({ "name": "Job loss", "parent_id": concerns, "description": "=cmd|' /C calc'!A0, \"quoted\"" }))
        .await;
    let response = s
        .owner
        .request(
            Method::GET,
            &format!("/projects/{}/codebook.csv", s.project),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    assert!(
        csv.starts_with("name,parent_path,color,description\n"),
        "{csv}"
    );
    assert!(csv.contains("Job loss,Concerns,"), "{csv}");
    assert!(csv.contains("\"'=cmd|"), "formula neutralised: {csv}");

    let other = s.owner.create_project("Copy").await;
    let response = s
        .owner
        .request(Method::POST, &format!("/projects/{other}/codebook.csv"))
        .header("content-type", "text/csv")
        .body(csv.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let (_, codes) = s.owner.get(&format!("/projects/{other}/codes")).await;
    let codes = codes["codes"].as_array().unwrap();
    assert_eq!(codes.len(), 2);
    assert_eq!(codes[1]["path"], "Concerns > Job loss");
    assert_eq!(codes[1]["description"], "=cmd|' /C calc'!A0, \"quoted\"");

    let response = s
        .owner
        .request(Method::POST, &format!("/projects/{other}/codebook.csv"))
        .body("name,color\nGood,#123456\nBad,not-a-colour\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, codes) = s.owner.get(&format!("/projects/{other}/codes")).await;
    assert_eq!(
        codes["codes"].as_array().unwrap().len(),
        2,
        "a bad row imports nothing"
    );
}

#[tokio::test]
async fn document_lists_report_how_much_is_coded() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    s.excerpt(&s.alice, "I trust it for drafts", &[trust]).await;
    s.excerpt(&s.bob, "trust it for drafts, not", &[trust])
        .await;
    let (_, list) = s
        .owner
        .get(&format!("/projects/{}/documents", s.project))
        .await;
    let overlap_union = "I trust it for drafts, not".chars().count() as i64;
    assert_eq!(
        list["documents"][0]["coded"], overlap_union,
        "overlaps count once"
    );
    s.code_blind().await;
    let (_, list) = s
        .alice
        .get(&format!("/projects/{}/documents", s.project))
        .await;
    assert_eq!(
        list["documents"][0]["coded"],
        "I trust it for drafts".chars().count() as i64,
        "blind: only your own coding"
    );
}

#[tokio::test]
async fn coder_filters_do_not_reveal_which_accounts_exist() {
    let s = study().await;
    s.app.create_user("outsider", false).await;
    let (unknown_status, unknown) = s
        .alice
        .get(&format!("/documents/{}/excerpts?coder=ghost", s.document))
        .await;
    let (outsider_status, outsider) = s
        .alice
        .get(&format!(
            "/documents/{}/excerpts?coder=outsider",
            s.document
        ))
        .await;
    assert_eq!(unknown_status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        outsider_status, unknown_status,
        "an existing non-member looks like an unknown name"
    );
    assert_eq!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .replace("ghost", "X"),
        outsider["error"]["message"]
            .as_str()
            .unwrap()
            .replace("outsider", "X")
    );
    s.code_blind().await;
    let (a, _) = s
        .alice
        .get(&format!("/documents/{}/excerpts?coder=ghost", s.document))
        .await;
    let (b, _) = s
        .alice
        .get(&format!("/documents/{}/excerpts?coder=bob", s.document))
        .await;
    assert_eq!(
        (a, b),
        (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
        "blind coders cannot probe names at all"
    );
    let (status, _) = s
        .alice
        .get(&format!("/documents/{}/excerpts?coder=ALICE", s.document))
        .await;
    assert_eq!(status, StatusCode::OK, "your own name, in any case");
}

/// The codebook's counts (kept by triggers) against a recount of the excerpts themselves,
/// for the owner (who sees every coder) and for alice (whose "mine" differs).
async fn assert_counts_are_exact(s: &Study, documents: &[i64], step: &str) {
    let mut all_excerpts = Vec::new();
    for document in documents {
        let (status, body) = s
            .owner
            .get(&format!("/documents/{document}/excerpts?limit=1000"))
            .await;
        if status == StatusCode::NOT_FOUND {
            continue; // deleted in this scenario
        }
        all_excerpts.extend(body["excerpts"].as_array().unwrap().clone());
    }
    let recount = |code: i64, coder: Option<&str>| {
        all_excerpts
            .iter()
            .filter(|e| e["consensus"] == false)
            .filter(|e| coder.is_none_or(|c| e["coder"] == c))
            .filter(|e| e["code_ids"].as_array().unwrap().contains(&json!(code)))
            .count() as i64
    };
    for (api, name) in [(&s.owner, "olga"), (&s.alice, "alice")] {
        let (_, body) = api.get(&format!("/projects/{}/codes", s.project)).await;
        for code in body["codes"].as_array().unwrap() {
            let id = code["id"].as_i64().unwrap();
            assert_eq!(
                code["excerpts_all"],
                recount(id, None),
                "{step}: all, code {id}"
            );
            assert_eq!(
                code["excerpts_mine"],
                recount(id, Some(name)),
                "{step}: {name}'s, code {id}"
            );
        }
    }
}

#[tokio::test]
async fn codebook_counts_stay_exact_through_every_change() {
    let s = study().await;
    let second = s.another_document().await;
    let documents = [s.document, second];
    let trust = s.code(&s.owner, "Trust").await;
    let doubt = s.code(&s.owner, "Doubt").await;
    let spare = s.code(&s.owner, "Spare").await;

    let a1 = s.excerpt(&s.alice, "I trust it", &[trust, doubt]).await;
    let a2 = s.excerpt(&s.alice, "It helps me think.", &[trust]).await;
    s.excerpt(&s.bob, "I trust it", &[trust, doubt, spare])
        .await;
    s.consensus_excerpt(0, 11, &[trust]).await;
    let (status, _) = s
        .bob
        .post(
            &format!("/documents/{second}/excerpts"),
            json!({ "start": 0, "end": 11, "code_ids": [doubt, spare] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_counts_are_exact(&s, &documents, "created").await;

    let (status, _) = s
        .alice
        .patch(
            &format!("/excerpts/{}", a1["id"]),
            json!({ "add_code_ids": [spare], "remove_code_ids": [trust], "version": a1["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s
        .alice
        .patch(
            &format!("/excerpts/{}", a2["id"]),
            json!({ "code_ids": [doubt, spare] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_counts_are_exact(&s, &documents, "codes changed").await;

    let (status, _) = s
        .owner
        .post(&format!("/codes/{doubt}/merge"), json!({ "into": spare }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_counts_are_exact(&s, &documents, "merged").await;

    let (status, _) = s.alice.delete(&format!("/excerpts/{}", a2["id"])).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_counts_are_exact(&s, &documents, "excerpt deleted").await;

    let (status, _) = s.owner.delete(&format!("/documents/{second}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_counts_are_exact(&s, &documents, "document deleted").await;

    let (status, _) = s.owner.delete(&format!("/codes/{trust}")).await;
    assert!(status.is_success(), "{status}");
    assert_counts_are_exact(&s, &documents, "code deleted").await;
    let (_, body) = s.owner.get(&format!("/projects/{}/codes", s.project)).await;
    assert_eq!(
        body["codes"][0]["excerpts_all"], 2,
        "alice's and bob's remaining excerpts keep Spare"
    );
}

#[tokio::test]
async fn a_batch_of_excerpts_is_created_whole_or_not_at_all() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let doubt = s.code(&s.owner, "Doubt").await;
    let other_project = s.owner.create_project("Elsewhere").await;
    let (_, foreign) = s
        .owner
        .post(
            &format!("/projects/{other_project}/codes"),
            json!({ "name": "Foreign" }),
        )
        .await;
    let batch = |spans: &[(&str, Value)]| {
        json!({ "excerpts": spans.iter().map(|(needle, codes)| {
            let (start, end) = s.find(needle);
            json!({ "start": start, "end": end, "code_ids": codes })
        }).collect::<Vec<_>>() })
    };
    let url = format!("/documents/{}/excerpts/batch", s.document);

    let (status, body) = s
        .alice
        .post(
            &url,
            batch(&[
                ("I trust it", json!([trust])),
                ("😂 decides", json!([trust, doubt])),
                ("caf\u{e9} owner", json!([])),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created = body["excerpts"].as_array().unwrap();
    let texts: Vec<&str> = created
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["I trust it", "😂 decides", "caf\u{e9} owner"],
        "in the order sent"
    );
    assert_eq!(created[1]["code_ids"], json!([trust, doubt]));
    assert!(created.iter().all(|e| e["coder"] == "alice"));
    let stored = s.excerpts(&s.alice, "").await;
    assert_eq!(stored.len(), 3);
    for excerpt in created {
        let (_, again) = s.alice.get(&format!("/excerpts/{}", excerpt["id"])).await;
        assert_eq!(&again, excerpt, "the response is what was stored");
    }
    assert_counts_are_exact(&s, &[s.document], "batch").await;
    let (_, log) = s
        .owner
        .get(&format!("/projects/{}/events", s.project))
        .await;
    let mut logged: Vec<Value> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "excerpt.created")
        .map(|e| serde_json::from_str(e["payload"].as_str().unwrap()).unwrap())
        .collect();
    logged.reverse(); // newest first
    assert_eq!(logged.len(), 3, "one event per excerpt");
    for (event, excerpt) in logged.iter().zip(created) {
        assert_eq!(event["excerpt_id"], excerpt["id"]);
        assert_eq!(event["code_ids"], excerpt["code_ids"]);
        assert_eq!(event["start"], excerpt["start"]);
    }

    let (start, _) = s.find("I trust it");
    let out_of_range = json!({ "excerpts": [
        { "start": start, "end": start + 5, "code_ids": [trust] },
        { "start": 0, "end": 100_000, "code_ids": [trust] },
    ] });
    let (status, body) = s.alice.post(&url, out_of_range).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("Excerpt 2 of 2:"), "{message}");

    let (status, body) = s
        .alice
        .post(
            &url,
            batch(&[
                ("It helps", json!([trust])),
                ("Why not", json!([foreign["id"]])),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Excerpt 2 of 2:") && message.contains(&foreign["id"].to_string()),
        "{message}"
    );
    assert_eq!(
        s.excerpts(&s.alice, "").await.len(),
        3,
        "nothing of a failed batch is kept"
    );
    assert_counts_are_exact(&s, &[s.document], "failed batches").await;

    let too_many = json!({ "excerpts": vec![json!({ "start": start, "end": start + 5 }); 1001] });
    let (status, _) = s.alice.post(&url, too_many).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = s.alice.post(&url, json!({ "excerpts": [] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let viewer = s.app.api_user("vera").await;
    s.owner.add_member(s.project, "vera", "viewer").await;
    let (status, _) = viewer.post(&url, batch(&[("It helps", json!([]))])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let stranger = s.app.api_user("stan").await;
    let (status, _) = stranger.post(&url, batch(&[("It helps", json!([]))])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .alice
        .post(
            &url,
            json!({ "excerpts": [{ "start": start, "end": start + 5, "consensus": true }] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only owners add to the consensus set"
    );
}

/// Creates arrive together and are written in shared transactions (group commit): each
/// valid one is stored exactly once with its own text and codes, an invalid one is refused
/// without touching the others, and a document deleted meanwhile refuses cleanly.
#[tokio::test]
async fn concurrent_creates_are_each_written_once_or_refused_alone() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let doubt = s.code(&s.owner, "Doubt").await;
    let doomed = s.another_document().await;
    let needles = [
        "I trust it",
        "It helps me think.",
        "Why not decisions?",
        "😂 decides",
    ];
    let requests = (0..48).map(|i| {
        let coder = if i % 2 == 0 { &s.alice } else { &s.bob };
        let needle = needles[i % needles.len()];
        let (start, end) = s.find(needle);
        let codes = match i % 8 {
            5 => json!([trust, 999_999]), // unknown code: refused alone
            3 => json!([trust, doubt]),
            _ => json!([doubt]),
        };
        let document = if i % 6 == 1 && i % 8 != 5 {
            doomed
        } else {
            s.document
        };
        async move {
            let (status, body) = coder
                .post(
                    &format!("/documents/{document}/excerpts"),
                    json!({ "start": start, "end": end, "code_ids": codes, "memo": format!("request {i}") }),
                )
                .await;
            (i, document, needle, codes, status, body)
        }
    });
    let delete = async {
        tokio::task::yield_now().await;
        s.owner.delete(&format!("/documents/{doomed}")).await.0
    };
    let (results, deleted) = tokio::join!(futures_util::future::join_all(requests), delete);
    assert_eq!(deleted, StatusCode::NO_CONTENT);

    let mut stored_here = 0;
    for (i, document, needle, codes, status, body) in &results {
        if i % 8 == 5 {
            assert_eq!(
                *status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "request {i}: {body}"
            );
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("999999")
            );
        } else if *document == doomed {
            assert!(
                *status == StatusCode::CREATED || *status == StatusCode::NOT_FOUND,
                "request {i} on the deleted document: {status} {body}"
            );
        } else {
            assert_eq!(*status, StatusCode::CREATED, "request {i}: {body}");
            assert_eq!(body["text"], *needle);
            assert_eq!(body["code_ids"], *codes);
            assert_eq!(body["memo"], format!("request {i}"));
            stored_here += 1;
        }
    }
    let stored = s.excerpts(&s.owner, "?limit=1000").await;
    assert_eq!(
        stored.len(),
        stored_here,
        "every accepted create stored once, nothing else"
    );
    for excerpt in &stored {
        let (_, i, _, _, _, body) = results
            .iter()
            .map(|(i, d, n, c, st, b)| (d, i, n, c, st, b))
            .find(|r| r.5["id"] == excerpt["id"])
            .expect("a stored excerpt answers one request");
        assert_eq!(excerpt["memo"], format!("request {i}"));
        assert_eq!(excerpt, body, "stored as answered");
    }
    assert_counts_are_exact(&s, &[s.document], "concurrent creates").await;
}

/// A database from before the codebook counters (migrations 0005 and 0006) gets them,
/// filled from the excerpts it already holds.
#[tokio::test]
async fn upgrading_a_database_fills_the_codebook_counters() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let doubt = s.code(&s.owner, "Doubt").await;
    s.excerpt(&s.alice, "I trust it", &[trust, doubt]).await;
    s.excerpt(&s.alice, "It helps me think.", &[trust]).await;
    s.excerpt(&s.bob, "I trust it", &[doubt]).await;
    s.consensus_excerpt(0, 11, &[trust]).await;

    sqlx::raw_sql(
        "DROP TRIGGER code_usage_on_apply; DROP TRIGGER code_usage_on_remove;
         DROP TRIGGER code_usage_on_excerpt_delete; DROP TRIGGER excerpts_owner_is_fixed;
         DROP TABLE code_usage;
         DROP INDEX excerpts_by_project_document; DROP INDEX documents_by_project;
         CREATE INDEX documents_by_project ON documents(project_id, id);
         DELETE FROM _sqlx_migrations WHERE version IN (5, 6);",
    )
    .execute(&s.app.db)
    .await
    .unwrap();
    sqlx::migrate!("./migrations").run(&s.app.db).await.unwrap();

    assert_counts_are_exact(&s, &[s.document], "after the upgrade").await;
    let (_, body) = s.owner.get(&format!("/projects/{}/codes", s.project)).await;
    let all: Vec<i64> = body["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["excerpts_all"].as_i64().unwrap())
        .collect();
    assert_eq!(all, [2, 2], "Trust: alice twice; Doubt: alice and bob");
    s.excerpt(&s.bob, "Why not decisions?", &[trust]).await;
    assert_counts_are_exact(&s, &[s.document], "the triggers run after the upgrade").await;
}
