//! One excerpt at a time through the API: validation, trimming, the exact text after emoji
//! and combining accents, ownership, optimistic versions, concurrent coders, delete.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Excerpt, parse, study};

#[tokio::test]
async fn excerpts_are_validated_trimmed_and_return_their_exact_text() {
    let s = study().await;
    let trust = s.code(&s.alice, "Trust").await;
    let (start, end) = s.find("I trust it for drafts");
    let excerpt: Excerpt = s
        .alice
        .created(
            &format!("/documents/{}/excerpts", s.document),
            json!({ "start": start - 2, "end": end + 1, "code_ids": [trust], "memo": "key quote" }),
        )
        .await;
    assert_eq!(
        excerpt.text, "💛 I trust it for drafts,",
        "whitespace trimmed, emoji counted as one"
    );
    assert_eq!(excerpt.start, start - 2);
    assert_eq!(excerpt.code_ids, [trust]);
    assert_eq!(excerpt.coder, "alice");
    assert_eq!(excerpt.memo, "key quote");

    let (c_start, c_end) = s.find("café owner 😂");
    let combining = s.excerpt(&s.alice, "café owner 😂", &[trust]).await;
    assert_eq!(combining.text, "café owner 😂");
    assert_eq!((combining.start, combining.end), (c_start, c_end));

    let length = s.text.chars().count() as i64;
    let path = format!("/documents/{}/excerpts", s.document);
    let other_project = s.owner.create_project("Other").await;
    let (_, foreign) = s
        .owner
        .post(
            &format!("/projects/{other_project}/codes"),
            json!({ "name": "Foreign" }),
        )
        .await;
    for body in [
        json!({ "start": 5, "end": 5 }),
        json!({ "start": 9, "end": 4 }),
        json!({ "start": -1, "end": 4 }),
        json!({ "start": 0, "end": length + 1 }),
        json!({ "start": 0, "end": 4, "code_ids": [999_999] }),
        json!({ "start": 0, "end": 4, "code_ids": [foreign["id"]] }),
        json!({ "start": "zero", "end": 4 }),
        json!({ "end": 4 }),
    ] {
        s.alice
            .refused(Method::POST, &path, body, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    }
    let blank = s.find("\n\n");
    let error = s
        .alice
        .refused(
            Method::POST,
            &path,
            json!({ "start": blank.0, "end": blank.1 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(error.message.contains("only whitespace"), "{error:?}");
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
    let id = s.excerpt(&s.alice, "not for decisions", &[trust]).await.id;
    let path = format!("/excerpts/{id}");

    let (status, _) = s.bob.patch(&path, json!({ "memo": "mine now" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s.bob.delete(&path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let updated: Excerpt = s
        .alice
        .patched(
            &path,
            json!({ "add_code_ids": [doubt], "memo": "hedged", "version": 1 }),
        )
        .await;
    assert_eq!(updated.code_ids, [trust, doubt]);
    assert_eq!(updated.version, 2);
    let (status, conflict) = s
        .alice
        .patch(&path, json!({ "memo": "stale tab", "version": 1 }))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a stale version is refused: {conflict}"
    );
    assert_eq!(s.alice.excerpt(id).await.memo, "hedged");

    let (a, b) = s.find("I trust it");
    let (status, resized) = s
        .alice
        .patch(
            &path,
            json!({ "start": a, "end": b, "remove_code_ids": [trust] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let resized: Excerpt = parse(&resized);
    assert_eq!(resized.text, "I trust it");
    assert_eq!(resized.code_ids, [doubt]);
    let (status, _) = s.alice.patch(&path, json!({ "end": 100_000 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Two coders coding the same passage at the same time each keep their own excerpt.
    let (alices, bobs) = ([trust], [doubt]);
    let (r1, r2) = tokio::join!(
        s.alice.create_excerpt(s.document, a, b, &alices),
        s.bob.create_excerpt(s.document, a, b, &bobs),
    );
    assert_eq!((r1.coder.as_str(), r2.coder.as_str()), ("alice", "bob"));
    let all = s.excerpts(&s.owner, "").await;
    assert_eq!(all.len(), 3);
    assert_eq!(s.excerpts(&s.owner, "?coder=bob").await.len(), 1);

    let (status, _) = s.alice.delete(&path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s.alice.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
