//! Reading and changing imported documents: lists (pages, attribute filters), edits and
//! deletes by owners, speaker roles, access for members and strangers, and the document
//! page of a long transcript.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Document, Page, SEED, Speaker, WORKFORCE_EXCERPT, spawn_app};

#[tokio::test]
async fn document_lists_paginate_in_stable_order() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Pages").await;
    api.import(project, &[("excerpt.csv", WORKFORCE_EXCERPT)], &[])
        .await;
    let page1 = api.documents(project, "?limit=3").await;
    assert_eq!(page1.items.len(), 3);
    let cursor = page1
        .next_cursor
        .as_deref()
        .expect("more pages, with an opaque cursor");
    let page2 = api
        .documents(project, &format!("?limit=3&cursor={cursor}"))
        .await;
    assert_eq!(page2.items.len(), 1);
    assert_eq!(page2.next_cursor, None);
    let titles: Vec<&str> = page1
        .items
        .iter()
        .chain(&page2.items)
        .map(|d| d.title.as_str())
        .collect();
    assert_eq!(titles, ["work_0000", "work_0645", "work_0848", "work_0981"]);
}

#[tokio::test]
async fn owners_edit_title_and_attributes_and_delete() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Edit").await;
    let id = api
        .import(project, &[("work_0759.txt", SEED)], &[])
        .await
        .id
        .expect("one document");

    let doc: Document = api
        .patched(&format!("/documents/{id}"), json!({ "title": "Customer service rep", "attributes": { "Sector": "Retail", "Transcript ID": null } }))
        .await;
    assert_eq!(doc.title, "Customer service rep");
    assert_eq!(json!(doc.attributes), json!({ "Sector": "Retail" }));
    let (status, body) = api
        .patch(&format!("/documents/{id}"), json!({ "title": "  " }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = api
        .patch(&format!("/documents/{id}"), json!({ "text": "rewritten" }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the text never changes after import"
    );

    let (status, _) = api.delete(&format!("/documents/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api.get(&format!("/documents/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let turns: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM turns")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(turns, 0, "turns go with their document");
}

#[tokio::test]
async fn documents_are_invisible_to_non_members_and_read_only_for_others() {
    let app = spawn_app().await;
    let owner = app.api_user("olga").await;
    let coder = app.api_user("cody").await;
    let viewer = app.api_user("vera").await;
    let stranger = app.api_user("eve").await;
    let project = owner.create_project("Private").await;
    owner.add_member(project, "cody", "coder").await;
    owner.add_member(project, "vera", "viewer").await;
    let id = owner
        .import(project, &[("work_0759.txt", SEED)], &[])
        .await
        .id
        .expect("one document");

    for (method, path) in [
        (Method::GET, format!("/documents/{id}")),
        (Method::PATCH, format!("/documents/{id}")),
        (Method::DELETE, format!("/documents/{id}")),
        (Method::GET, format!("/projects/{project}/documents")),
        (Method::POST, format!("/projects/{project}/documents")),
        (Method::GET, format!("/projects/{project}/speakers")),
    ] {
        let response = stranger
            .request(method.clone(), &path)
            .json(&json!({ "text": "User: hi\nAI: hello" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
    let browser = app.browser_signed_in("eve").await;
    let (status, html) = browser.page(&format!("/documents/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("Dialog 00355"));

    assert_eq!(
        viewer.get(&format!("/documents/{id}")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        coder.get(&format!("/documents/{id}")).await.0,
        StatusCode::OK
    );
    let (status, _) = coder
        .patch(&format!("/documents/{id}"), json!({ "title": "x" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = viewer.delete(&format!("/documents/{id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = coder
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "text": "User: hi\nAI: hello" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    owner
        .patch(&format!("/projects/{project}"), json!({ "archived": true }))
        .await;
    let (status, body) = owner
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "text": "User: hi\nAI: hello" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "archived projects are read-only: {body}"
    );
}

#[tokio::test]
async fn speaker_roles_can_be_changed_per_project() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Roles").await;
    let document = api
        .import(project, &[("work_0759.txt", SEED)], &[])
        .await
        .id
        .expect("one document");
    let speakers: Page<Speaker> = api.get_ok(&format!("/projects/{project}/speakers")).await;
    let roles: Vec<(String, String)> = speakers
        .items
        .into_iter()
        .map(|s| (s.label, s.role))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("AI".into(), "interviewer".into()),
            ("Assistant".into(), "interviewer".into()),
            ("User".into(), "participant".into())
        ]
    );
    let (status, _) = api
        .patch(
            &format!("/projects/{project}/speakers/AI"),
            json!({ "role": "participant" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let doc = api.document(document).await;
    assert_eq!(doc.turns[2].speaker, "AI");
    assert_eq!(doc.turns[2].role, "participant");
    let (status, _) = api
        .patch(
            &format!("/projects/{project}/speakers/AI"),
            json!({ "role": "narrator" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = api
        .patch(
            &format!("/projects/{project}/speakers/Nobody"),
            json!({ "role": "participant" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_document_page_renders_a_long_transcript() {
    let app = spawn_app().await;
    app.create_user("olga", false).await;
    let api = app.api_for("olga").await;
    let project = api.create_project("Long").await;
    let turn = "User: ".to_string()
        + &"A long answer with many words. ".repeat(100)
        + "\nAI: Thank you.\n";
    let text = turn.repeat(100); // about 320,000 characters
    let (status, created) = api
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "title": "Long", "text": text }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let browser = app.browser_signed_in("olga").await;
    let (status, html) = browser.page(&format!("/documents/{}", created["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("class=\"turn role-participant\"").count(), 100);
    assert_eq!(html.matches("class=\"turn role-interviewer\"").count(), 100);
    // The facts above the text are in the user's words, not layout jargon ("200 blocks").
    assert!(
        html.contains("200 speaker turns by 2 speakers"),
        "{}",
        &html[html.find("data-document-facts").unwrap()..][..120]
    );
    assert!(!html.contains(" blocks<"));
}

/// Survey exports name columns like `Q1: age`; a `name:value` filter still finds them, in
/// the document list, the export and the agreement report alike.
#[tokio::test]
async fn attribute_filters_work_when_names_contain_colons() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Survey").await;
    let csv = "id,Q1: age,text\nr1,30-39,User: hello\nr2,40-49,User: hi\n";
    api.import(project, &[("survey.csv", csv.as_bytes())], &[])
        .await;
    let filter = "attribute=Q1%3A%20age%3A30-39";
    let listed = api.documents(project, &format!("?{filter}")).await;
    let titles: Vec<&str> = listed.items.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, ["r1"]);

    let code = api
        .create_code(project, json!({ "name": "Greeting" }))
        .await
        .id;
    for document in api.documents(project, "").await.items {
        api.create_excerpt(document.id, 0, 5, &[code]).await;
    }
    let response = api
        .request(
            Method::GET,
            &format!("/projects/{project}/excerpts.csv?{filter}"),
        )
        .send()
        .await
        .unwrap();
    let csv = response.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "header and r1's excerpt: {csv}");
    // The consensus set has coded nothing, so the default rule (documents every chosen
    // coder coded) would leave nothing: ask for every document with the attribute.
    let (status, report) = api
        .get(&format!(
            "/projects/{project}/agreement?coders=olga,consensus&scope=all&{filter}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["documents"], 1);
}

/// The list's coded characters are the union of the excerpts the reader may see:
/// overlapping, nested and adjacent excerpts count each character once (checked against a
/// plain set of the covered positions).
#[tokio::test]
async fn coded_characters_count_each_character_once_and_only_what_the_reader_sees() {
    let s = crate::helpers::study().await;
    let code = s.code(&s.owner, "Trust").await;
    let covered = |spans: &[(usize, usize)]| -> usize {
        let set: std::collections::BTreeSet<usize> =
            spans.iter().flat_map(|&(a, b)| a..b).collect();
        set.len()
    };
    let mut alice = Vec::new();
    // Overlapping, nested inside the first, adjacent to it, and far away.
    for needle in [
        "trust it for drafts",
        "for drafts, not for",
        "drafts",
        "It helps me",
        "Why not",
    ] {
        let e = s.excerpt(&s.alice, needle, &[code]).await;
        alice.push((e.start, e.end));
    }
    let bob = s
        .excerpt(&s.bob, "not for decisions.\nIt helps me think", &[code])
        .await;
    let everyone: Vec<(usize, usize)> = alice
        .iter()
        .copied()
        .chain([(bob.start, bob.end)])
        .collect();
    assert_eq!(listed(&s.owner, s.project).await, covered(&everyone));
    assert!(covered(&everyone) < everyone.iter().map(|(a, b)| b - a).sum::<usize>());

    // The counts are kept by the database: moving, deleting and adding excerpts (the
    // consensus set included) must each leave them equal to a fresh count.
    let (start, end) = s.find("Why not");
    let moved = s.excerpts(&s.alice, "").await;
    let far = moved
        .iter()
        .find(|e| e.start == start)
        .expect("the far excerpt");
    let (status, body) = s
        .alice
        .patch(
            &format!("/excerpts/{}", far.id),
            json!({ "start": start - 3, "end": end + 2, "version": far.version }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The stored span (the server may snap it to the turn), not the one asked for.
    let now = (
        body["start"].as_u64().unwrap() as usize,
        body["end"].as_u64().unwrap() as usize,
    );
    assert_ne!(now, (start, end), "the excerpt moved");
    let alice: Vec<(usize, usize)> = alice
        .iter()
        .map(|&span| if span == (start, end) { now } else { span })
        .collect();
    let (status, _) = s.bob.delete(&format!("/excerpts/{}", bob.id)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    s.consensus_excerpt(0, 4, &[code]).await;
    // As stored (a drawn span snaps to whole words): the owner sees every excerpt.
    let everyone: Vec<(usize, usize)> = s
        .excerpts(&s.owner, "")
        .await
        .iter()
        .map(|e| (e.start, e.end))
        .collect();
    assert_eq!(
        everyone.len(),
        alice.len() + 1,
        "alice's and the consensus excerpt"
    );
    assert_eq!(listed(&s.owner, s.project).await, covered(&everyone));

    s.code_blind().await;
    assert_eq!(
        listed(&s.alice, s.project).await,
        covered(&alice),
        "blind: alice's own only"
    );
    assert_eq!(listed(&s.bob, s.project).await, 0, "blind: bob's own only");
    assert_eq!(listed(&s.owner, s.project).await, covered(&everyone));
}

/// The coded characters the documents list gives `api`'s user for the first document.
async fn listed(api: &crate::helpers::Api, project: i64) -> usize {
    api.documents(project, "").await.items[0].coded
}

/// A write outside a write transaction (here, SQL straight to the file) leaves the
/// document marked stale: the list still counts it correctly, and the next write
/// transaction's commit recounts it and clears the mark.
#[tokio::test]
async fn a_count_left_stale_is_counted_by_the_reader_and_recounted_by_the_next_write() {
    let s = crate::helpers::study().await;
    let code = s.code(&s.owner, "Trust").await;
    let first = s.excerpt(&s.alice, "trust it for drafts", &[code]).await;
    let stale = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM document_coverage_stale")
            .fetch_one(&s.app.db)
            .await
            .unwrap()
    };
    assert_eq!(stale().await, 0, "the excerpt's commit counted it");
    assert_eq!(listed(&s.owner, s.project).await, first.end - first.start);

    sqlx::query("UPDATE excerpts SET end = end + 7 WHERE id = ?")
        .bind(first.id)
        .execute(&s.app.db)
        .await
        .unwrap();
    assert_eq!(stale().await, 1, "marked by the trigger");
    assert_eq!(
        listed(&s.owner, s.project).await,
        first.end + 7 - first.start
    );
    assert_eq!(
        listed(&s.alice, s.project).await,
        first.end + 7 - first.start
    );

    let (start, end) = s.find("Why not");
    s.excerpt(&s.bob, "Why not", &[code]).await;
    assert_eq!(stale().await, 0, "the next commit recounted it");
    let expected = first.end + 7 - first.start + (end - start);
    assert_eq!(listed(&s.owner, s.project).await, expected);

    // A blind coder's view of a marked document is counted from their own excerpts only.
    s.code_blind().await;
    sqlx::query("UPDATE excerpts SET end = end + 1 WHERE id = ?")
        .bind(first.id)
        .execute(&s.app.db)
        .await
        .unwrap();
    assert_eq!(stale().await, 1);
    assert_eq!(
        listed(&s.alice, s.project).await,
        first.end + 8 - first.start
    );
    assert_eq!(listed(&s.bob, s.project).await, end - start);
    assert_eq!(listed(&s.owner, s.project).await, expected + 1);
}
