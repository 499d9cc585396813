//! Disagreements and adjudication on the worked example: the list of regions where coders
//! differ, the compare page's decisions (accept a version, rule the code out, draw a new
//! excerpt) building the consensus set, and the same decisions scripted through the API.

use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::helpers::{Browser, Example, close, location, worked_example};

#[tokio::test]
async fn disagreements_are_listed_largest_first() {
    let e = worked_example().await;
    let (status, body) = e
        .owner
        .get(&format!(
            "/projects/{}/agreement/disagreements?coders=a,b&code={}",
            e.project, e.x
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let regions = body["regions"].as_array().expect("regions");
    // X differs on D1 [2,4) (a only), [16,17) (a only), [19,20) (b only).
    assert_eq!(regions.len(), 3);
    assert_eq!(
        (regions[0]["start"].as_u64(), regions[0]["end"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!(regions[0]["coders_with"], json!(["a"]));
    assert_eq!(regions[0]["coders_without"], json!(["b"]));
    assert_eq!(regions[0]["document"], "D1");
    assert_eq!(regions[0]["document_id"], e.d1);
}

/// The report's query the adjudication pages carry along.
const QUERY: &str = "coders=a%2Cb&unit=character";

/// Submits a decision on X in D1 from the compare page `compare`, with `fields` besides
/// the query, code and document.
async fn decide(
    e: &Example,
    browser: &Browser,
    compare: &str,
    fields: &[(&str, &str)],
) -> Response {
    let (x, d1) = (e.x.to_string(), e.d1.to_string());
    let mut all = vec![
        ("query", QUERY),
        ("code", x.as_str()),
        ("document", d1.as_str()),
    ];
    all.extend_from_slice(fields);
    browser
        .submit(
            compare,
            &format!("/projects/{}/agreement/decide", e.project),
            &all,
        )
        .await
}

#[tokio::test]
async fn adjudication_builds_a_consensus_set_that_reports_compare_against() {
    let e = worked_example().await;
    let browser = e.app.browser_signed_in("lead").await;
    let disagreements = format!(
        "/projects/{}/agreement/disagreements?{QUERY}&code={}",
        e.project, e.x
    );
    let (status, html) = browser.page(&disagreements).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("3 regions") && html.contains("3 still open"),
        "{html}"
    );
    assert!(
        html.contains("<blockquote class=\"excerpt-text\">cd</blockquote>"),
        "D1 [2,4) is \"cd\""
    );

    let compare = format!(
        "/projects/{}/agreement/compare?{QUERY}&code={}&document={}&start=2&end=4",
        e.project, e.x, e.d1
    );
    let (status, html) = browser.page(&compare).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Disagreement 1 of 3"));
    assert!(
        html.contains("Accept a&#39;s version") || html.contains("Accept a's version"),
        "{html}"
    );

    accept_then_rule_out_then_draw(&e, &browser, &compare).await;
    let (_, html) = browser.page(&disagreements).await;
    assert!(html.contains("0 still open"), "{html}");
    assert!(html.contains("accepted a&#39;s version") || html.contains("accepted a's version"));

    // The consensus set is compared like a coder. It has coding only in D1 (every
    // decision was there), so by default only D1 counts; D2 is asked for by scope.
    let r = e.report("coders=a,consensus").await;
    assert_eq!(r["codes"][0]["units"], 20, "D1 only: {r}");
    let r = e.report("coders=a,consensus&scope=coded_by_any").await;
    assert_eq!(r["coders"], json!(["a", "consensus"]));
    // Consensus X = {[2,10), [17,20)} against a's {[2,10), [16,19), D2 [0,3)}: the
    // two agree on 25 of 30 characters (n11 = 10, n10 = 4, n01 = 1, n00 = 15).
    assert_eq!(r["codes"][0]["units"], 30);
    close(
        &r["codes"][0]["percent_agreement"],
        25.0 / 30.0,
        "PA(a, consensus)",
    );

    let coder = e.app.browser_signed_in("a").await;
    let response = decide(
        &e,
        &coder,
        "/",
        &[("start", "2"), ("end", "4"), ("decision", "none")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let adjudications: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM adjudications")
        .fetch_one(&e.app.db)
        .await
        .unwrap();
    assert_eq!(adjudications, 3, "a coder cannot adjudicate");
}

/// Decides X's three regions in D1 from the compare page: accepts a's version of [2,4),
/// rules the code out of [16,17) ("does not apply"), and draws [17,20) for [19,20).
async fn accept_then_rule_out_then_draw(e: &Example, browser: &Browser, compare: &str) {
    // Accept a's version: a's X excerpt [2,10) joins the consensus set.
    let response = decide(
        e,
        browser,
        compare,
        &[("start", "2"), ("end", "4"), ("decision", "accept:a")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let next = location(&response);
    assert!(
        next.contains("/agreement/compare?") && next.contains("start=16&end=17"),
        "continues with the next open region: {next}"
    );
    let consensus = e.consensus().await;
    assert_eq!(consensus.len(), 1);
    assert_eq!((consensus[0].start, consensus[0].end), (2, 10));
    assert!(consensus[0].consensus);
    assert_eq!(consensus[0].code_ids, [e.x]);

    // "Does not apply" records a decision without coding; drawing adds a new excerpt.
    decide(
        e,
        browser,
        compare,
        &[("decision", "none"), ("start", "16"), ("end", "17")],
    )
    .await;
    let response = decide(
        e,
        browser,
        compare,
        &[
            ("decision", "draw"),
            ("start", "19"),
            ("end", "20"),
            ("draw_start", "17"),
            ("draw_end", "20"),
        ],
    )
    .await;
    assert!(
        location(&response).contains("/agreement/disagreements?"),
        "back to the list when all are decided"
    );
}

#[tokio::test]
async fn decisions_can_be_scripted_through_the_api() {
    let e = worked_example().await;
    let decisions = format!("/projects/{}/agreement/decisions", e.project);
    let body = json!({ "code_id": e.x, "document_id": e.d1, "start": 2, "end": 4, "decision": "accept:a" });
    let (status, response) = e.owner.post(&decisions, body).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{response}");
    assert_eq!(e.consensus().await.len(), 1);
    let (status, body) = e
        .owner
        .post(&decisions, json!({ "code_id": e.x, "document_id": e.d1, "start": 16, "end": 17, "decision": "draw" }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "draw needs its span: {body}"
    );
    let (status, _) = e
        .owner
        .post(&decisions, json!({ "code_id": e.x, "document_id": e.d1, "start": 16, "end": 999, "decision": "none" }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "region outside the document"
    );
    let coder = e.app.api_for("a").await;
    let (status, _) = coder
        .post(&decisions, json!({ "code_id": e.x, "document_id": e.d1, "start": 16, "end": 17, "decision": "none" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_later_decision_replaces_an_earlier_one_on_the_same_region() {
    let e = worked_example().await;
    let decide = |decision: &'static str| {
        let owner = &e.owner;
        let body = json!({ "code_id": e.x, "document_id": e.d1, "start": 2, "end": 4, "decision": decision });
        let path = format!("/projects/{}/agreement/decisions", e.project);
        async move {
            let (status, body) = owner.post(&path, body).await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        }
    };
    let consensus = || async {
        e.consensus()
            .await
            .iter()
            .filter(|x| x.code_ids.contains(&e.x))
            .map(|x| (x.start, x.end))
            .collect::<Vec<_>>()
    };
    decide("accept:a").await;
    assert_eq!(consensus().await, [(2, 10)], "a's excerpt [2,10) accepted");
    decide("none").await;
    assert_eq!(
        consensus().await,
        [(4, 10)],
        "ruling the code out of [2,4) keeps the rest of the excerpt"
    );
    decide("accept:a").await;
    assert_eq!(
        consensus().await,
        [(2, 10), (4, 10)],
        "accepting again brings a's version back (overlaps count once)"
    );
}

#[tokio::test]
async fn the_compare_view_shows_every_code_and_memo_on_the_passage_and_the_whole_turn() {
    let e = worked_example().await;
    let a = e.app.api_for("a").await;
    let (status, body) = a
        .post(
            &format!("/documents/{}/excerpts", e.d1),
            json!({ "start": 2, "end": 5, "code_ids": [e.y], "memo": "hedging here" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let browser = e.app.browser_signed_in("lead").await;
    let (status, html) = browser
        .page(&format!(
            "/projects/{}/agreement/compare?{QUERY}&code={}&document={}&start=2&end=4",
            e.project, e.x, e.d1
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("2–5:</span> Y"),
        "a's other code on the passage: {html}"
    );
    assert!(html.contains("hedging here"), "and its memo");
    assert!(html.contains("2–10:</span> X"));
    // D1's first turn is [0, 8): the context is that whole turn, "abcdefgh".
    assert!(html.contains("data-start=\"0\" data-end=\"8\""), "{html}");
}

#[tokio::test]
async fn consensus_progress_counts_decisions_and_compares_each_coder_with_the_consensus() {
    let e = worked_example().await;
    let (status, body) = e
        .owner
        .post(
            &format!("/projects/{}/agreement/decisions", e.project),
            json!({ "code_id": e.x, "document_id": e.d1, "start": 2, "end": 4, "decision": "accept:a,b" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, progress) = e
        .owner
        .get(&format!(
            "/projects/{}/agreement/consensus?{QUERY}",
            e.project
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{progress}");
    let x = &progress["codes"][0];
    assert_eq!(
        (
            x["code_id"].clone(),
            x["regions"].clone(),
            x["decided"].clone()
        ),
        (json!(e.x), json!(3), json!(1))
    );
    assert_eq!(progress["codes"][1]["decided"], 0);
    // "Both" put a's and b's X excerpts over [2,4) into the consensus set, on D1 only.
    let coders = progress["coders"].as_array().unwrap();
    assert_eq!(coders.len(), 2);
    assert_eq!(coders[0]["coder"], "a");
    assert_eq!(coders[0]["documents"], 1, "only D1 has consensus coding");
    let a_alone = e
        .report(&format!("coders=a,consensus&documents={}", e.d1))
        .await;
    close(
        &coders[0]["krippendorff_alpha"],
        a_alone["overall"]["pooled"]["krippendorff_alpha"]
            .as_f64()
            .unwrap_or(f64::NAN),
        "a against the consensus, as the report says",
    );
    let browser = e.app.browser_signed_in("lead").await;
    let (status, html) = browser
        .page(&format!(
            "/projects/{}/agreement/consensus?{QUERY}",
            e.project
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Consensus progress")
            && html.contains("<td class=\"num\">3</td><td class=\"num\">1</td>"),
        "{html}"
    );
}
