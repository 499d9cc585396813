//! Many excerpts at once: a batch is created whole, in order and logged, or not at all;
//! creates that arrive together share transactions (group commit) yet each is stored once
//! or refused alone.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Excerpt, Study, error_of, parse, study};

/// A batch body with one excerpt per `(needle, code ids)`.
fn batch(s: &Study, spans: &[(&str, Value)]) -> Value {
    json!({ "excerpts": spans.iter().map(|(needle, codes)| {
        let (start, end) = s.find(needle);
        json!({ "start": start, "end": end, "code_ids": codes })
    }).collect::<Vec<_>>() })
}

#[tokio::test]
async fn a_batch_of_excerpts_is_created_whole_or_not_at_all() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let doubt = s.code(&s.owner, "Doubt").await;
    let url = format!("/documents/{}/excerpts/batch", s.document);

    let (status, body) = s
        .alice
        .post(
            &url,
            batch(
                &s,
                &[
                    ("I trust it", json!([trust])),
                    ("😂 decides", json!([trust, doubt])),
                    ("caf\u{e9} owner", json!([])),
                ],
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created: Vec<Value> = body["excerpts"].as_array().expect("excerpts").clone();
    let typed: Vec<Excerpt> = created.iter().map(parse).collect();
    let texts: Vec<&str> = typed.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts,
        ["I trust it", "😂 decides", "caf\u{e9} owner"],
        "in the order sent"
    );
    assert_eq!(typed[1].code_ids, [trust, doubt]);
    assert!(typed.iter().all(|e| e.coder == "alice"));
    let stored = s.excerpts(&s.alice, "").await;
    assert_eq!(stored.len(), 3);
    for excerpt in &created {
        let (_, again) = s.alice.get(&format!("/excerpts/{}", excerpt["id"])).await;
        assert_eq!(&again, excerpt, "the response is what was stored");
    }
    s.assert_counts_are_exact(&[s.document], "batch").await;
    assert_one_event_per_excerpt(&s, &typed).await;

    refuse_batches_with_a_bad_excerpt(&s, &url, trust).await;
    refuse_batches_of_the_wrong_size_or_caller(&s, &url).await;
}

/// The activity log has one `excerpt.created` event per excerpt of the batch, in order.
async fn assert_one_event_per_excerpt(s: &Study, created: &[Excerpt]) {
    let (_, log) = s
        .owner
        .get(&format!("/projects/{}/events", s.project))
        .await;
    let mut logged: Vec<Value> = log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "excerpt.created")
        .map(|e| serde_json::from_str(e["payload"].as_str().expect("payload")).unwrap())
        .collect();
    logged.reverse(); // newest first
    assert_eq!(logged.len(), 3, "one event per excerpt");
    for (event, excerpt) in logged.iter().zip(created) {
        assert_eq!(event["excerpt_id"], excerpt.id);
        assert_eq!(event["code_ids"], json!(excerpt.code_ids));
        assert_eq!(event["start"], excerpt.start);
    }
}

/// A batch with one bad excerpt (out of range, a code of another project) names it and
/// stores nothing: the three excerpts of the first batch stay the only ones.
async fn refuse_batches_with_a_bad_excerpt(s: &Study, url: &str, trust: i64) {
    let other_project = s.owner.create_project("Elsewhere").await;
    let foreign = s
        .owner
        .create_code(other_project, json!({ "name": "Foreign" }))
        .await
        .id;
    let (start, _) = s.find("I trust it");
    let out_of_range = json!({ "excerpts": [
        { "start": start, "end": start + 5, "code_ids": [trust] },
        { "start": 0, "end": 100_000, "code_ids": [trust] },
    ] });
    let (status, body) = s.alice.post(url, out_of_range).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = error_of(&body).message;
    assert!(message.starts_with("Excerpt 2 of 2:"), "{message}");

    let mixed = batch(
        s,
        &[("It helps", json!([trust])), ("Why not", json!([foreign]))],
    );
    let (status, body) = s.alice.post(url, mixed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = error_of(&body).message;
    assert!(
        message.starts_with("Excerpt 2 of 2:") && message.contains(&foreign.to_string()),
        "{message}"
    );
    assert_eq!(
        s.excerpts(&s.alice, "").await.len(),
        3,
        "nothing of a failed batch is kept"
    );
    s.assert_counts_are_exact(&[s.document], "failed batches")
        .await;
}

/// Too many or no excerpts, a viewer, a stranger, and a coder adding to the consensus set.
async fn refuse_batches_of_the_wrong_size_or_caller(s: &Study, url: &str) {
    let (start, _) = s.find("I trust it");
    let too_many = json!({ "excerpts": vec![json!({ "start": start, "end": start + 5 }); 1001] });
    let (status, _) = s.alice.post(url, too_many).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = s.alice.post(url, json!({ "excerpts": [] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let viewer = s.app.api_user("vera").await;
    s.owner.add_member(s.project, "vera", "viewer").await;
    let (status, _) = viewer.post(url, batch(s, &[("It helps", json!([]))])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let stranger = s.app.api_user("stan").await;
    let (status, _) = stranger
        .post(url, batch(s, &[("It helps", json!([]))]))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .alice
        .post(
            url,
            json!({ "excerpts": [{ "start": start, "end": start + 5, "consensus": true }] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only owners add to the consensus set"
    );
}

/// The `i`-th of the concurrent creates: alternating coders and passages, an unknown code
/// in every eighth (refused alone), some on the document deleted meanwhile.
struct Planned<'a> {
    i: usize,
    coder: &'a crate::helpers::Api,
    document: i64,
    needle: &'static str,
    codes: Value,
}

fn plan(s: &Study, i: usize, trust: i64, doubt: i64, doomed: i64) -> Planned<'_> {
    const NEEDLES: [&str; 4] = [
        "I trust it",
        "It helps me think.",
        "Why not decisions?",
        "😂 decides",
    ];
    let codes = match i % 8 {
        5 => json!([trust, 999_999]), // unknown code: refused alone
        3 => json!([trust, doubt]),
        _ => json!([doubt]),
    };
    Planned {
        i,
        coder: if i.is_multiple_of(2) {
            &s.alice
        } else {
            &s.bob
        },
        document: if i % 6 == 1 && i % 8 != 5 {
            doomed
        } else {
            s.document
        },
        needle: NEEDLES[i % NEEDLES.len()],
        codes,
    }
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
    let requests = (0..48).map(|i| {
        let planned = plan(&s, i, trust, doubt, doomed);
        let (start, end) = s.find(planned.needle);
        async move {
            let (status, body) = planned
                .coder
                .post(
                    &format!("/documents/{}/excerpts", planned.document),
                    json!({ "start": start, "end": end, "code_ids": planned.codes, "memo": format!("request {i}") }),
                )
                .await;
            (planned, status, body)
        }
    });
    let delete = async {
        tokio::task::yield_now().await;
        s.owner.delete(&format!("/documents/{doomed}")).await.0
    };
    let (results, deleted) = tokio::join!(futures_util::future::join_all(requests), delete);
    assert_eq!(deleted, StatusCode::NO_CONTENT);

    let mut stored_here = 0;
    for (planned, status, body) in &results {
        let i = planned.i;
        if i % 8 == 5 {
            assert_eq!(
                *status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "request {i}: {body}"
            );
            assert!(error_of(body).message.contains("999999"), "{body}");
        } else if planned.document == doomed {
            assert!(
                *status == StatusCode::CREATED || *status == StatusCode::NOT_FOUND,
                "request {i} on the deleted document: {status} {body}"
            );
        } else {
            assert_eq!(*status, StatusCode::CREATED, "request {i}: {body}");
            let excerpt: Excerpt = parse(body);
            assert_eq!(excerpt.text, planned.needle);
            assert_eq!(json!(excerpt.code_ids), planned.codes);
            assert_eq!(excerpt.memo, format!("request {i}"));
            stored_here += 1;
        }
    }
    let stored = s.excerpts_json(&s.owner, "?limit=1000").await;
    assert_eq!(
        stored.len(),
        stored_here,
        "every accepted create stored once, nothing else"
    );
    for excerpt in &stored {
        let (planned, _, body) = results
            .iter()
            .find(|(_, _, body)| body["id"] == excerpt["id"])
            .expect("a stored excerpt answers one request");
        assert_eq!(excerpt["memo"], format!("request {}", planned.i));
        assert_eq!(excerpt, body, "stored as answered");
    }
    s.assert_counts_are_exact(&[s.document], "concurrent creates")
        .await;
}
