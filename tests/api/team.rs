//! The team lead's workflow (issue 14): a coder marks documents complete (and reopens
//! them), completion decides the agreement report's default documents, owners assign
//! documents (by id, attribute or a random share), and progress shows who stands where —
//! without blind coding leaking anyone's work.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Api, Study, json_of, study};

async fn set_complete(api: &Api, document: i64, complete: bool) -> (StatusCode, Value) {
    json_of(
        api.request(Method::PUT, &format!("/documents/{document}/completion"))
            .json(&json!({ "complete": complete }))
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// The newest audit entry of the project, as `(kind, payload)`.
async fn last_event(s: &Study) -> (String, Value) {
    let (_, body) = s
        .owner
        .get(&format!("/projects/{}/events?limit=1", s.project))
        .await;
    let event = &body["events"][0];
    let payload = serde_json::from_str(event["payload"].as_str().unwrap()).unwrap();
    (event["kind"].as_str().unwrap().to_owned(), payload)
}

#[tokio::test]
async fn a_coder_marks_a_document_complete_and_reopens_it_in_the_audit_log() {
    let s = study().await;
    let path = format!("/documents/{}/completion", s.document);
    let (status, body) = s.alice.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "not_started");
    let trust = s.code(&s.owner, "Trust").await;
    s.excerpt(&s.alice, "I trust it for drafts", &[trust]).await;
    assert_eq!(s.alice.get(&path).await.1["status"], "in_progress");

    let (status, body) = set_complete(&s.alice, s.document, true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "complete");
    assert_eq!(body["coder"], "alice");
    assert!(body["completed_at"].is_string());
    assert_eq!(
        last_event(&s).await,
        (
            "document.completion".to_owned(),
            json!({ "document_id": s.document, "complete": true })
        )
    );
    assert_eq!(
        s.bob.get(&path).await.1["status"],
        "not_started",
        "completion is per coder"
    );
    // Marking it again changes nothing and logs nothing.
    let (_, before) = s
        .owner
        .get(&format!("/projects/{}/events", s.project))
        .await;
    set_complete(&s.alice, s.document, true).await;
    let (_, after) = s
        .owner
        .get(&format!("/projects/{}/events", s.project))
        .await;
    assert_eq!(before["events"], after["events"]);

    let (status, body) = set_complete(&s.alice, s.document, false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "in_progress");
    assert_eq!(body["completed_at"], Value::Null);
    assert_eq!(last_event(&s).await.1["complete"], false);
}

#[tokio::test]
async fn only_members_who_code_mark_documents_complete() {
    let s = study().await;
    let viewer = s.app.api_user("vera").await;
    s.owner.add_member(s.project, "vera", "viewer").await;
    let (status, _) = set_complete(&viewer, s.document, true).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let stranger = s.app.api_user("eve").await;
    for (status, _) in [
        set_complete(&stranger, s.document, true).await,
        stranger
            .get(&format!("/documents/{}/completion", s.document))
            .await,
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, body) = json_of(
        s.alice
            .request(
                Method::PUT,
                &format!("/documents/{}/completion", s.document),
            )
            .json(&json!({ "complete": "yes" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    s.owner
        .patch(
            &format!("/projects/{}", s.project),
            json!({ "archived": true }),
        )
        .await;
    let (status, _) = set_complete(&s.alice, s.document, true).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "archived projects are read-only"
    );
}

#[tokio::test]
async fn documents_everyone_marked_complete_are_the_default_agreement_scope() {
    let s = study().await;
    let second = s.another_document().await;
    let trust = s.code(&s.owner, "Trust").await;
    for document in [s.document, second] {
        for (api, needle) in [(&s.alice, "I trust it"), (&s.bob, "I trust it for drafts")] {
            let (start, end) = s.find(needle);
            api.create_excerpt(document, start, end, &[trust]).await;
        }
    }
    let report = |query: &'static str| {
        let s = &s;
        async move {
            let (status, body) = s
                .owner
                .get(&format!("/projects/{}/agreement?{query}", s.project))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    let before = report("coders=alice,bob").await;
    assert_eq!(before["documents"], 2, "both coded both: the fallback");
    set_complete(&s.alice, second, true).await;
    assert_eq!(
        report("coders=alice,bob").await["documents"],
        2,
        "complete for one coder only: still the fallback"
    );
    set_complete(&s.bob, second, true).await;
    let after = report("coders=alice,bob").await;
    let scope = &after["document_scope"];
    assert_eq!(after["documents"], 1);
    assert_eq!(scope["applied"], "complete");
    assert_eq!(scope["used"][0]["id"], second);
    assert_eq!(
        scope["left_out"][0]["reason"], "not marked complete by alice, bob",
        "{scope}"
    );
    let coded = report("coders=alice,bob&scope=coded_by_all").await;
    assert_eq!(coded["documents"], 2, "the other rule, by name");
}

async fn assign(s: &Study, api: &Api, body: Value) -> (StatusCode, Value) {
    api.post(&format!("/projects/{}/assignments", s.project), body)
        .await
}

/// The documents of `api`'s user, as `GET /projects/{id}/progress/mine` lists them.
async fn mine(s: &Study, api: &Api) -> Value {
    let (status, body) = api
        .get(&format!("/projects/{}/progress/mine", s.project))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["documents"].clone()
}

#[tokio::test]
async fn owners_assign_documents_and_coders_see_theirs_with_a_status() {
    let s = study().await;
    let mut documents = vec![s.document];
    for _ in 0..9 {
        documents.push(s.another_document().await);
    }
    let (status, body) = assign(
        &s,
        &s.owner,
        json!({ "coders": ["alice", "bob"], "percent": 20, "seed": 7 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let picked: Vec<i64> = serde_json::from_value(body["documents"].clone()).unwrap();
    assert_eq!(picked.len(), 2, "20 % of 10 documents");
    assert!(picked.iter().all(|id| documents.contains(id)));
    assert_eq!(body["changed"], 4, "two documents for each of two coders");
    let (_, again) = assign(
        &s,
        &s.owner,
        json!({ "coders": ["alice", "bob"], "percent": 20, "seed": 7 }),
    )
    .await;
    assert_eq!(
        again["documents"], body["documents"],
        "the seed repeats the pick"
    );
    assert_eq!(again["changed"], 0, "assigning twice changes nothing");
    assert_eq!(last_event(&s).await.0, "assignments.changed");

    let alice = mine(&s, &s.alice).await;
    let ids: Vec<i64> = alice
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["document_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, picked);
    assert_eq!(alice[0]["coders"][0]["status"], "not_started");
    assert_eq!(alice[0]["coders"][0]["assigned"], true);

    let trust = s.code(&s.owner, "Trust").await;
    let (start, end) = s.find("I trust it");
    s.alice
        .create_excerpt(picked[0], start, end, &[trust])
        .await;
    set_complete(&s.alice, picked[1], true).await;
    let alice = mine(&s, &s.alice).await;
    assert_eq!(alice[0]["coders"][0]["status"], "in_progress");
    assert_eq!(alice[0]["coders"][0]["excerpts"], 1);
    assert_eq!(alice[1]["coders"][0]["status"], "complete");

    let (status, body) = s
        .owner
        .post(
            &format!("/projects/{}/assignments/remove", s.project),
            json!({ "coders": ["alice"], "documents": [picked[0]] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["changed"], 1);
    let alice = mine(&s, &s.alice).await;
    assert_eq!(
        alice[0]["coders"][0]["assigned"], false,
        "still listed: she has coded in it"
    );
}

#[tokio::test]
async fn assignments_by_attribute_and_their_refusals() {
    let s = study().await;
    let second = s.another_document().await;
    let (status, _) = s
        .owner
        .patch(
            &format!("/documents/{second}"),
            json!({ "attributes": { "site": "North" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = assign(
        &s,
        &s.owner,
        json!({ "coders": ["bob"], "attribute": "site:North" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["documents"], json!([second]));

    let viewer = s.app.api_user("vera").await;
    s.owner.add_member(s.project, "vera", "viewer").await;
    for (body, field) in [
        (
            json!({ "coders": ["vera"], "documents": [second] }),
            "coders",
        ),
        (
            json!({ "coders": ["nobody"], "documents": [second] }),
            "coders",
        ),
        (json!({ "coders": [], "documents": [second] }), "coders"),
        (
            json!({ "coders": ["bob"], "documents": [999999] }),
            "documents",
        ),
        (json!({ "coders": ["bob"], "percent": 0 }), "percent"),
        (
            json!({ "coders": ["bob"], "percent": 20, "documents": [second] }),
            "documents",
        ),
        (
            json!({ "coders": ["bob"], "attribute": "site:South" }),
            "documents",
        ),
    ] {
        let (status, answer) = assign(&s, &s.owner, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{body}");
    }
    let body = json!({ "coders": ["bob"], "documents": [second] });
    assert_eq!(
        assign(&s, &s.alice, body.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(assign(&s, &viewer, body).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn progress_is_for_owners_and_blind_coding_still_hides_others_work() {
    let s = study().await;
    let second = s.another_document().await;
    let third = s.another_document().await;
    s.code_blind().await;
    let trust = s.code(&s.owner, "Trust").await;
    assign(
        &s,
        &s.owner,
        json!({ "coders": ["alice", "bob"], "documents": [s.document, second] }),
    )
    .await;
    s.excerpt(&s.bob, "I trust it", &[trust]).await;
    set_complete(&s.bob, s.document, true).await;

    let (status, progress) = s
        .owner
        .get(&format!("/projects/{}/progress", s.project))
        .await;
    assert_eq!(status, StatusCode::OK, "{progress}");
    assert_eq!(progress["coders"], json!(["alice", "bob", "olga"]));
    let first = &progress["documents"][0];
    assert_eq!(first["document_id"], s.document);
    assert_eq!(first["coders"][1]["status"], "complete");
    assert_eq!(first["coders"][1]["excerpts"], 1);
    assert_eq!(
        first["coders"][1]["coded_characters"],
        "I trust it".chars().count()
    );
    assert_eq!(first["coders"][0]["status"], "not_started");
    assert_eq!(first["coders"][0]["assigned"], true);
    assert_eq!(progress["uncoded"], json!([second, third]));

    for api in [&s.alice, &s.bob] {
        let (status, _) = api.get(&format!("/projects/{}/progress", s.project)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // alice's own view names only her, and her excerpts stay the only ones she sees.
    let (_, mine) = s
        .alice
        .get(&format!("/projects/{}/progress/mine", s.project))
        .await;
    let text = mine.to_string();
    assert!(!text.contains("bob") && text.contains("alice"), "{text}");
    assert_eq!(mine["documents"][0]["coders"][0]["status"], "not_started");
    assert!(s.excerpts(&s.alice, "").await.is_empty());
}

#[tokio::test]
async fn the_pages_show_completion_my_documents_and_progress() {
    let s = study().await;
    let browser = s.app.browser_signed_in("alice").await;
    let document_page = format!("/documents/{}", s.document);
    let (_, html) = browser.page(&document_page).await;
    assert!(html.contains("Your coding: not started") && html.contains("Mark complete"));
    assert!(html.contains("aria-keyshortcuts=\"Shift+M\""));
    let response = browser
        .submit(
            &document_page,
            &format!("/documents/{}/completion", s.document),
            &[("complete", "true")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.page(&document_page).await;
    assert!(
        html.contains("Your coding: complete") && html.contains("Reopen"),
        "{html}"
    );

    let (_, html) = browser.page(&format!("/projects/{}", s.project)).await;
    assert!(
        html.contains("My documents") && html.contains(">complete</td>"),
        "{html}"
    );
    assert!(!html.contains("Progress and assignments"), "owners only");
    let (_, html) = browser.page("/").await;
    assert!(
        html.contains("My documents:") && html.contains("1 complete"),
        "{html}"
    );
    let (status, _) = browser
        .page(&format!("/projects/{}/progress", s.project))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let owner = s.app.browser_signed_in("olga").await;
    let progress = format!("/projects/{}/progress", s.project);
    let response = owner
        .submit(
            &progress,
            &format!("/projects/{}/assignments", s.project),
            &[
                ("coder", "bob"),
                ("how", "documents"),
                ("document", &s.document.to_string()),
                ("action", "assign"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, html) = owner.page(&progress).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Assigned 1 document to bob"), "{html}");
    assert!(html.contains("not started · <em>assigned</em>"), "{html}");
    assert!(html.contains("complete"));
}
