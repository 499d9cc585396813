//! Full-text search and auto-coding over HTTP: query syntax, hit positions in code
//! points, filters, blind coding, roles, and undo of a whole auto-code run.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Api, Study, error_of, study};

fn slice_code_points(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

const TRANSCRIPT: &str = "Interviewer: Do robots scare you?\n\nUser: Honestly 🤖🤖 the cafe\u{301} is automated now. Automation took my job! Dr. Smith said so.\n\nInterviewer: Tell me about my job\n\nUser: was good. I love my job";

/// The study plus a second document with the search transcript; returns its id and text.
async fn searchable() -> (Study, i64, String) {
    let s = study().await;
    let document = s.owner.create_document(s.project, "S1", TRANSCRIPT).await;
    let text = s.owner.document(document).await.text;
    (s, document, text)
}

async fn search(api: &Api, project: i64, query: &str) -> Value {
    let (status, body) = api
        .get(&format!("/projects/{project}/search?{query}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

/// The text of every hit (from the document's stored text at `start..end`).
fn hit_texts(body: &Value, text: &str) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            let (start, end) = (hit["start"].as_u64().unwrap(), hit["end"].as_u64().unwrap());
            slice_code_points(text, start as usize, end as usize)
        })
        .collect()
}

fn q(query: &str) -> String {
    format!("q={}", urlencode(query))
}

fn urlencode(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}

#[tokio::test]
async fn phrases_prefixes_diacritics_and_emoji_are_found_at_code_point_offsets() {
    let (s, document, text) = searchable().await;
    let body = search(&s.alice, s.project, &q("\"my job\"")).await;
    assert_eq!(body["total"], 3, "{body}");
    assert_eq!(hit_texts(&body, &text), ["my job"; 3]);
    let first = &body["items"][0];
    assert_eq!(first["document_id"], document);
    assert_eq!(first["speaker"], "User");
    assert_eq!(first["role"], "participant");
    assert_eq!(first["snippet"], "Automation took my job!");
    let offset = first["start"].as_u64().unwrap() - first["snippet_start"].as_u64().unwrap();
    assert_eq!(offset, "Automation took ".chars().count() as u64);

    let body = search(&s.alice, s.project, &q("automat*")).await;
    assert_eq!(hit_texts(&body, &text), ["automated", "Automation"]);

    // Diacritics and case are folded; the stored NFC "café" is what the span covers,
    // in both documents (the study's first: hits come in document order).
    let body = search(&s.alice, s.project, "q=CAFE").await;
    assert_eq!(body["total"], 2, "{body}");
    assert_eq!(body["items"][0]["document_id"], s.document);
    let study_hit = json!({ "items": [body["items"][0].clone()] });
    let this_hit = json!({ "items": [body["items"][1].clone()] });
    assert_eq!(hit_texts(&study_hit, &s.text), ["caf\u{e9}"]);
    assert_eq!(hit_texts(&this_hit, &text), ["caf\u{e9}"]);

    // Emoji separate words; a phrase around them covers them, counted as code points.
    let body = search(&s.alice, s.project, &q("\"honestly the\"")).await;
    assert_eq!(hit_texts(&body, &text), ["Honestly 🤖🤖 the"]);
    // The study's own document has emoji and a combining accent before its hits too.
    let body = search(&s.alice, s.project, &q("\"so do I\"")).await;
    assert_eq!(hit_texts(&body, &s.text), ["so do I"]);
}

#[tokio::test]
async fn a_phrase_never_matches_across_a_turn_boundary() {
    let (s, _, text) = searchable().await;
    // "…about my job" ends one turn and "was good" starts the next.
    let body = search(&s.alice, s.project, &q("\"job was\"")).await;
    assert_eq!(body["total"], 0, "{body}");
    let body = search(&s.alice, s.project, &q("about AND good")).await;
    assert_eq!(body["total"], 0, "both words in one turn: {body}");
    let body = search(&s.alice, s.project, &q("\"was good\"")).await;
    assert_eq!(hit_texts(&body, &text), ["was good"]);
}

#[tokio::test]
async fn operators_and_near() {
    let (s, _, text) = searchable().await;
    let body = search(&s.alice, s.project, &q("robots NOT job")).await;
    assert_eq!(hit_texts(&body, &text), ["robots"]);
    let body = search(&s.alice, s.project, &q("robots OR smith")).await;
    assert_eq!(hit_texts(&body, &text), ["robots", "Smith"]);
    let body = search(&s.alice, s.project, &q("NEAR(job smith, 3)")).await;
    assert_eq!(hit_texts(&body, &text), ["job", "Smith"]);
    let body = search(&s.alice, s.project, &q("NEAR(love smith, 3)")).await;
    assert_eq!(body["total"], 0);
}

#[tokio::test]
async fn malformed_queries_and_parameters_are_422s_that_say_what_to_fix() {
    let (s, _, _) = searchable().await;
    for (query, field, words) in [
        (q("\"open"), "q", "not closed"),
        (q("robots OR"), "q", "OR needs a word after it"),
        (q("NOT robots"), "q", "NOT needs a word before it"),
        (q("(a"), "q", "not closed"),
        ("q=".to_owned(), "q", "Type a word"),
        (q("a*b"), "q", "only end a word"),
        (q("robots") + "&role=narrator", "role", "narrator"),
        (q("robots") + "&limit=0", "limit", "1 to 500"),
        (q("robots") + "&cursor=nonsense", "cursor", "next_cursor"),
        (q("robots") + "&code_id=999999", "code_id", "no code"),
        (q("robots") + "&coder=alice", "coder", "code"),
        (
            q("robots") + "&attribute=nocolon",
            "attribute",
            "name:value",
        ),
    ] {
        let (status, body) = s
            .alice
            .get(&format!("/projects/{}/search?{query}", s.project))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        let error = error_of(&body);
        assert_eq!(error.field.as_deref(), Some(field), "{query}");
        assert!(error.message.contains(words), "{query}: {}", error.message);
    }
}

#[tokio::test]
async fn pages_follow_the_cursor_through_every_hit() {
    let (s, _, _) = searchable().await;
    let all = search(&s.alice, s.project, &q("job OR robots OR so")).await;
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 5, "{all}");
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = search(
            &s.alice,
            s.project,
            &format!("{}&limit=2&cursor={cursor}", q("job OR robots OR so")),
        )
        .await;
        assert_eq!(page["total"], total);
        seen.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, *all["items"].as_array().unwrap());
}

#[tokio::test]
async fn role_attribute_and_coding_filters() {
    let (s, document, text) = searchable().await;
    let body = search(
        &s.alice,
        s.project,
        &(q("\"my job\"") + "&role=participant"),
    )
    .await;
    assert_eq!(body["total"], 2);
    let body = search(
        &s.alice,
        s.project,
        &(q("\"my job\"") + "&role=interviewer"),
    )
    .await;
    assert_eq!(body["total"], 1);

    let (status, body) = s
        .owner
        .patch(
            &format!("/documents/{document}"),
            json!({ "attributes": { "Site": "Leeds" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let body = search(&s.alice, s.project, &(q("so") + "&attribute=Site:Leeds")).await;
    assert_eq!(body["total"], 1, "only the Leeds document: {body}");
    let body = search(&s.alice, s.project, &(q("so") + "&attribute=Site:York")).await;
    assert_eq!(body["total"], 0);

    let trust = s.code(&s.owner, "Trust").await;
    let (start, end) = crate::helpers::span_of(&text, "is automated now");
    s.alice.create_excerpt(document, start, end, &[trust]).await;
    let coded = format!("{}&code_id={trust}", q("automat*"));
    let body = search(&s.owner, s.project, &coded).await;
    assert_eq!(hit_texts(&body, &text), ["automated"]);
    let body = search(&s.owner, s.project, &format!("{coded}&coded=false")).await;
    assert_eq!(hit_texts(&body, &text), ["Automation"]);
    let body = search(&s.owner, s.project, &format!("{coded}&coder=bob")).await;
    assert_eq!(body["total"], 0, "bob coded nothing");

    // Blind coding: bob's "coded with Trust" sees only his own excerpts.
    s.code_blind().await;
    let body = search(&s.bob, s.project, &coded).await;
    assert_eq!(body["total"], 0, "alice's excerpt is not bob's: {body}");
    let body = search(&s.bob, s.project, &format!("{coded}&coded=false")).await;
    assert_eq!(body["total"], 2);
    let (status, _) = s
        .bob
        .get(&format!(
            "/projects/{}/search?{coded}&coder=alice",
            s.project
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body = search(&s.alice, s.project, &coded).await;
    assert_eq!(body["total"], 1, "alice sees her own");
}

#[tokio::test]
async fn the_index_follows_deletions() {
    let (s, document, _) = searchable().await;
    assert_eq!(search(&s.alice, s.project, "q=robots").await["total"], 1);
    let (status, body) = s.owner.delete(&format!("/documents/{document}")).await;
    assert!(status.is_success(), "{body}");
    assert_eq!(search(&s.alice, s.project, "q=robots").await["total"], 0);
    // Other projects never see this project's text.
    let other = s.alice.create_project("Elsewhere").await;
    s.alice.create_document(other, "E", TRANSCRIPT).await;
    assert_eq!(search(&s.owner, s.project, "q=robots").await["total"], 0);
    assert_eq!(search(&s.alice, other, "q=robots").await["total"], 1);
    let (status, _) = s
        .bob
        .get(&format!("/projects/{other}/search?q=robots"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "non-members get 404");
}

async fn autocode(api: &Api, project: i64, body: Value) -> (StatusCode, Value) {
    api.post(&format!("/projects/{project}/autocode"), body)
        .await
}

#[tokio::test]
async fn autocode_previews_codes_at_an_extent_skips_what_is_coded_and_undoes_as_one() {
    let (s, document, _) = searchable().await;
    let trust = s.code(&s.owner, "Trust").await;
    let request =
        json!({ "q": "job OR automat*", "code_id": trust, "extent": "sentence", "dry_run": true });
    let (status, preview) = autocode(&s.alice, s.project, request.clone()).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    // Hits: automated, Automation, job (same sentence as Automation), job, job.
    assert_eq!(preview["hits"], 5, "{preview}");
    assert_eq!(
        preview["created"], 4,
        "two hits share a sentence: {preview}"
    );
    assert_eq!(preview["skipped"], 1);
    assert_eq!(preview["excerpt_ids"], json!([]));
    assert!(
        s.excerpts(&s.alice, "").await.is_empty(),
        "a dry run writes nothing"
    );

    let mut run = request.clone();
    run["dry_run"] = json!(false);
    let (status, done) = autocode(&s.alice, s.project, run.clone()).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["created"], 4);
    let page = s.alice.excerpts(document, "").await;
    let mut texts: Vec<String> = page.items.iter().map(|e| e.text.clone()).collect();
    texts.sort();
    assert_eq!(
        texts,
        [
            "Automation took my job!",
            "Honestly 🤖🤖 the caf\u{e9} is automated now.",
            "I love my job",
            "Tell me about my job"
        ]
    );
    assert!(
        page.items
            .iter()
            .all(|e| e.code_ids == [trust] && e.coder == "alice")
    );

    // Again: everything is already coded, so nothing new.
    let (_, again) = autocode(&s.alice, s.project, run.clone()).await;
    assert_eq!(
        (again["created"].clone(), again["skipped"].clone()),
        (json!(0), json!(5))
    );
    assert_eq!(again["batch_id"], Value::Null);

    // One undo removes the whole run, once.
    let batch = done["batch_id"].as_i64().unwrap();
    let undo = format!("/projects/{}/autocode/undo", s.project);
    let this_run = json!({ "batch_id": batch });
    let error = s
        .bob
        .refused(Method::POST, &undo, this_run.clone(), StatusCode::NOT_FOUND)
        .await;
    assert!(error.message.contains("Auto-code run"));
    let (_, nothing) = s.bob.post(&undo, json!({})).await;
    assert_eq!(
        nothing,
        json!({ "batch_id": null, "removed": 0 }),
        "bob has no run"
    );
    let (status, undone) = s.alice.post(&undo, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{undone}");
    assert_eq!(
        undone,
        json!({ "batch_id": batch, "removed": 4 }),
        "the latest run"
    );
    assert!(s.alice.excerpts(document, "").await.items.is_empty());
    s.alice
        .refused(Method::POST, &undo, this_run, StatusCode::CONFLICT)
        .await;
    s.assert_counts_are_exact(&[s.document, document], "after undo")
        .await;
}

#[tokio::test]
async fn autocode_of_ticked_hits_at_each_extent() {
    let (s, document, text) = searchable().await;
    let code = s.code(&s.owner, "Work").await;
    let body = search(&s.alice, s.project, "q=job").await;
    let ticked = &body["items"][0];
    let hit = json!({ "document_id": ticked["document_id"], "start": ticked["start"], "end": ticked["end"] });
    for (extent, expected) in [
        ("match", "job"),
        ("sentence", "Automation took my job!"),
        (
            "paragraph",
            "Honestly 🤖🤖 the caf\u{e9} is automated now. Automation took my job! Dr. Smith said so.",
        ),
    ] {
        let (status, done) = autocode(
            &s.alice,
            s.project,
            json!({ "q": "job", "code_id": code, "extent": extent, "hits": [hit] }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(
            (done["hits"].clone(), done["created"].clone()),
            (json!(1), json!(1))
        );
        let excerpt = s
            .alice
            .excerpt(done["excerpt_ids"][0].as_i64().unwrap())
            .await;
        assert_eq!(excerpt.text, expected, "{extent}");
        assert_eq!(excerpt.document_id, document);
    }
    // "Dr." does not end a sentence; a turn without a final full stop ends its sentence.
    // (A fresh code: the paragraph above already covers Dr. Smith with Work.)
    let code = s.code(&s.owner, "Sentences").await;
    for (word, expected) in [("smith", "Dr. Smith said so."), ("love", "I love my job")] {
        let (status, done) = autocode(
            &s.alice,
            s.project,
            json!({ "q": word, "code_id": code, "extent": "sentence" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{done}");
        let excerpt = s
            .alice
            .excerpt(done["excerpt_ids"][0].as_i64().unwrap())
            .await;
        assert_eq!(excerpt.text, expected, "{word}");
        let (start, end) = crate::helpers::span_of(&text, expected);
        assert_eq!((excerpt.start, excerpt.end), (start, end), "{word}");
    }
    let stale = json!({ "document_id": document, "start": 0, "end": 3 });
    let (status, body) = autocode(
        &s.alice,
        s.project,
        json!({ "q": "job", "code_id": code, "hits": [stale] }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_of(&body).field.as_deref(), Some("hits"));
    let (status, body) = autocode(
        &s.alice,
        s.project,
        json!({ "q": "job", "code_id": code, "extent": "page" }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_of(&body).field.as_deref(), Some("extent"));
    let (status, body) = autocode(
        &s.alice,
        s.project,
        json!({ "q": "job OR", "code_id": code }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn viewers_cannot_autocode_and_blind_coders_skip_only_their_own() {
    let (s, document, text) = searchable().await;
    let code = s.code(&s.owner, "Work").await;
    s.app.create_user("vera", false).await;
    s.owner.add_member(s.project, "vera", "viewer").await;
    let vera = s.app.api_for("vera").await;
    let body = json!({ "q": "robots", "code_id": code });
    let (status, refused) = autocode(&vera, s.project, body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(
        search(&vera, s.project, "q=robots").await["total"],
        1,
        "viewers may search"
    );

    s.code_blind().await;
    let (start, end) = crate::helpers::span_of(&text, "robots");
    s.alice.create_excerpt(document, start, end, &[code]).await;
    let (_, done) = autocode(&s.bob, s.project, body).await;
    assert_eq!(
        done["created"], 1,
        "alice's excerpt does not count as bob's: {done}"
    );
    let mine = s.excerpts(&s.bob, "").await;
    assert!(mine.is_empty(), "the study document was not touched");
    let theirs = s.bob.excerpts(document, "").await.items;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].coder, "bob");
}
