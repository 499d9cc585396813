//! The agreement report through the API: the specification's worked example (§8) created
//! through the API and checked to 1e-9, the audit downloads, disagreements, and access.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Api, TestApp, spawn_app};

struct Example {
    app: TestApp,
    owner: Api,
    project: i64,
    d1: i64,
    x: i64,
    y: i64,
}

/// AGREEMENT.md §8: coders a and b, codes X and Y, D1 (20 characters, turns [0,8) [8,14)
/// [14,20)) and D2 (10 characters, turns [0,5) [5,10)).
async fn worked_example() -> Example {
    let app = spawn_app().await;
    let owner = app.api_user("lead").await;
    let a = app.api_user("a").await;
    let b = app.api_user("b").await;
    let project = owner.create_project("Worked example").await;
    owner.add_member(project, "a", "coder").await;
    owner.add_member(project, "b", "coder").await;
    let document = |title: &str, text: &str, turns: Value| {
        let owner = &owner;
        let body = json!({ "title": title, "text": text, "turns": turns });
        async move {
            let (status, created) = owner
                .post(&format!("/projects/{project}/documents"), body)
                .await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            created["id"].as_i64().unwrap()
        }
    };
    let d1 = document(
        "D1",
        "abcdefghijklmnopqrst",
        json!([{ "speaker": "P", "start": 0, "end": 8 }, { "speaker": "Interviewer", "start": 8, "end": 14 }, { "speaker": "P", "start": 14, "end": 20 }]),
    )
    .await;
    let d2 = document("D2", "ABCDEFGHIJ", json!([{ "speaker": "P", "start": 0, "end": 5 }, { "speaker": "P", "start": 5, "end": 10 }])).await;
    let code = |name: &str| {
        let owner = &owner;
        let name = name.to_owned();
        async move {
            let (_, code) = owner
                .post(
                    &format!("/projects/{project}/codes"),
                    json!({ "name": name }),
                )
                .await;
            code["id"].as_i64().unwrap()
        }
    };
    let (x, y) = (code("X").await, code("Y").await);
    for (coder, doc, code, start, end) in [
        (&a, d1, x, 2, 10),
        (&a, d1, x, 16, 19),
        (&a, d1, y, 0, 4),
        (&a, d2, x, 0, 3),
        (&b, d1, x, 4, 10),
        (&b, d1, x, 17, 20),
        (&b, d1, y, 12, 14),
        (&b, d2, x, 0, 2),
        (&b, d2, x, 1, 3),
    ] {
        let (status, body) = coder
            .post(
                &format!("/documents/{doc}/excerpts"),
                json!({ "start": start, "end": end, "code_ids": [code] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    Example {
        app,
        owner,
        project,
        d1,
        x,
        y,
    }
}

fn close(actual: &Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number, got {actual}"));
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: {actual} != {expected}"
    );
}

impl Example {
    async fn report(&self, query: &str) -> Value {
        let (status, body) = self
            .owner
            .get(&format!("/projects/{}/agreement?{query}", self.project))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

#[tokio::test]
async fn the_worked_example_at_character_level_matches_the_specification() {
    let e = worked_example().await;
    let r = e.report("coders=a,b&unit=character").await;
    assert_eq!(r["unit"], "character");
    assert_eq!(r["coders"], json!(["a", "b"]));
    assert_eq!(r["documents"], 2);
    let x = &r["codes"][0];
    assert_eq!(x["code_id"], e.x);
    assert_eq!(x["code"], "X");
    assert_eq!(x["units"], 30);
    close(&x["percent_agreement"], 26.0 / 30.0, "PA(X)");
    close(&x["cohen_kappa"], 324.0 / 444.0, "κ(X)");
    close(
        &x["cohen_kappa_pairs"][0]["value"],
        324.0 / 444.0,
        "κ pair (X)",
    );
    assert_eq!(x["cohen_kappa_pairs"][0]["coders"], json!(["a", "b"]));
    close(&x["fleiss_kappa"], 644.0 / 884.0, "Fleiss(X)");
    close(&x["krippendorff_alpha"], 648.0 / 884.0, "α(X)");
    close(&x["unitizing_alpha"], 2815.0 / 3158.0, "α_U(X)");
    assert_eq!(x["undefined"], json!({}));

    let y = &r["codes"][1];
    assert_eq!(y["code_id"], e.y);
    close(&y["percent_agreement"], 24.0 / 30.0, "PA(Y)");
    close(&y["cohen_kappa"], -16.0 / 164.0, "κ(Y)");
    close(&y["fleiss_kappa"], -36.0 / 324.0, "Fleiss(Y)");
    close(&y["krippendorff_alpha"], -30.0 / 324.0, "α(Y)");
    close(&y["unitizing_alpha"], -488.0 / 1275.0, "α_U(Y)");

    let pooled = &r["overall"]["pooled"];
    assert_eq!(pooled["units"], 60);
    close(&pooled["percent_agreement"], 50.0 / 60.0, "PA pooled");
    close(&pooled["cohen_kappa"], 816.0 / 1416.0, "κ pooled");
    close(&pooled["fleiss_kappa"], 1616.0 / 2816.0, "Fleiss pooled");
    close(&pooled["krippendorff_alpha"], 1626.0 / 2816.0, "α pooled");
    close(
        &pooled["unitizing_alpha"],
        1016515.0 / 1621224.0,
        "α_U overall",
    );

    let m = &r["overall"]["macro_mean"];
    close(
        &m["percent_agreement"],
        (26.0 / 30.0 + 24.0 / 30.0) / 2.0,
        "PA macro",
    );
    close(
        &m["cohen_kappa"],
        (324.0 / 444.0 - 16.0 / 164.0) / 2.0,
        "κ macro",
    );
    close(
        &m["fleiss_kappa"],
        (644.0 / 884.0 - 36.0 / 324.0) / 2.0,
        "Fleiss macro",
    );
    close(
        &m["krippendorff_alpha"],
        (648.0 / 884.0 - 30.0 / 324.0) / 2.0,
        "α macro",
    );
    close(
        &m["unitizing_alpha"],
        (2815.0 / 3158.0 - 488.0 / 1275.0) / 2.0,
        "α_U macro",
    );
    assert_eq!(m["codes_used"], 2);

    // The spec's printed (4-decimal) values, as a reader would compare them.
    assert_eq!(
        format!("{:.4}", x["krippendorff_alpha"].as_f64().unwrap()),
        "0.7330"
    );
    assert_eq!(
        format!("{:.4}", pooled["krippendorff_alpha"].as_f64().unwrap()),
        "0.5774"
    );
    assert_eq!(
        format!("{:.4}", pooled["unitizing_alpha"].as_f64().unwrap()),
        "0.6270"
    );
}

#[tokio::test]
async fn the_worked_example_at_turn_and_document_level() {
    let e = worked_example().await;
    let r = e.report("coders=a,b&unit=turn").await;
    assert_eq!(r["codes"][0]["units"], 5);
    close(&r["codes"][0]["krippendorff_alpha"], 1.0, "α(X) turn");
    close(&r["codes"][1]["percent_agreement"], 0.6, "PA(Y) turn");
    close(&r["codes"][1]["cohen_kappa"], -0.25, "κ(Y) turn");
    close(&r["codes"][1]["fleiss_kappa"], -0.25, "Fleiss(Y) turn");
    close(&r["codes"][1]["krippendorff_alpha"], -0.125, "α(Y) turn");
    close(
        &r["overall"]["pooled"]["krippendorff_alpha"],
        0.62,
        "α pooled turn",
    );
    close(
        &r["codes"][0]["unitizing_alpha"],
        2815.0 / 3158.0,
        "α_U does not depend on the unit",
    );

    // Participant turns only: D1's middle turn is the interviewer's.
    let r = e.report("coders=a,b&unit=turn&participant_only=true").await;
    assert_eq!(r["participant_turns_only"], true);
    assert_eq!(r["codes"][0]["units"], 4);

    let r = e.report("coders=a,b&unit=document").await;
    let x = &r["codes"][0];
    assert_eq!(x["units"], 2);
    close(&x["percent_agreement"], 1.0, "PA(X) document");
    for name in ["cohen_kappa", "fleiss_kappa", "krippendorff_alpha"] {
        assert_eq!(x[name], Value::Null, "{name} is undefined, not 0 or 1");
        assert!(
            !x["undefined"][name].as_str().unwrap_or_default().is_empty(),
            "{name} has a reason"
        );
    }
    assert_eq!(
        x["undefined"]["krippendorff_alpha"],
        "only one value occurs: expected disagreement is 0"
    );
    assert_eq!(
        x["undefined"]["cohen_kappa"],
        "no coder pair has a defined kappa"
    );
    assert_eq!(x["cohen_kappa_pairs"][0]["value"], Value::Null);
    assert!(
        x["cohen_kappa_pairs"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("expected agreement is 1")
    );
    close(&r["codes"][1]["krippendorff_alpha"], 1.0, "α(Y) document");
    close(
        &r["overall"]["macro_mean"]["krippendorff_alpha"],
        1.0,
        "macro skips nulls",
    );
    assert_eq!(r["overall"]["macro_mean"]["codes_used"], 1);
    assert_eq!(r["overall"]["pooled"]["undefined"], json!({}));
    assert_eq!(r["overall"]["macro_mean"]["undefined"], json!({}));

    // X alone at document level: no code has a defined alpha, so neither has the mean.
    let r = e
        .report(&format!("coders=a,b&unit=document&codes={}", e.x))
        .await;
    let m = &r["overall"]["macro_mean"];
    for name in ["cohen_kappa", "fleiss_kappa", "krippendorff_alpha"] {
        assert_eq!(m[name], Value::Null, "{name}");
        assert_eq!(
            m["undefined"][name], "no code has a defined value",
            "{name}"
        );
    }
    close(&m["percent_agreement"], 1.0, "the mean of PA(X)");
    assert_eq!(m["undefined"].get("percent_agreement"), None);
}

#[tokio::test]
async fn scopes_are_validated_and_respected() {
    let e = worked_example().await;
    let r = e.report(&format!("coders=a,b&documents={}", e.d1)).await;
    assert_eq!(r["documents"], 1);
    assert_eq!(r["codes"][0]["units"], 20);
    let r = e.report(&format!("coders=a,b&codes={}", e.y)).await;
    assert_eq!(r["codes"].as_array().unwrap().len(), 1);
    let r = e.report("coders=b,a").await;
    close(
        &r["codes"][0]["krippendorff_alpha"],
        648.0 / 884.0,
        "coder order does not matter",
    );
    let r = e.report("coders=a,lead").await;
    // a covers 14 of the 30 characters with X; "lead" coded nothing and rates all 0.
    close(
        &r["codes"][0]["percent_agreement"],
        16.0 / 30.0,
        "a coder without coding rates all 0",
    );

    // Y is only used in D1, X in both: reporting on Y alone still covers both documents
    // the coders coded, so a code's figures never depend on which other codes are chosen.
    let everything = e.report("coders=a,b").await;
    let y_alone = e.report(&format!("coders=a,b&codes={}", e.y)).await;
    let y_among_all = everything["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code_id"] == e.y)
        .unwrap();
    assert_eq!(y_alone["documents"], 2);
    assert_eq!(&y_alone["codes"][0], y_among_all);

    // Scopes: an attribute value, all documents (an uncoded one adds agreed units), and a
    // code's subtree.
    let (status, _) = e
        .owner
        .patch(
            &format!("/documents/{}", e.d1),
            json!({ "attributes": { "site": "North" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let r = e.report("coders=a,b&attribute=site:North").await;
    assert_eq!(r["documents"], 1);
    assert_eq!(r["codes"][0]["units"], 20);
    let (status, _) = e
        .owner
        .post(
            &format!("/projects/{}/documents", e.project),
            json!({ "title": "D3", "text": "uncoded text" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        e.report("coders=a,b").await["documents"],
        2,
        "coded ones by default"
    );
    let r = e.report("coders=a,b&documents=all").await;
    assert_eq!(r["documents"], 3);
    assert_eq!(r["codes"][0]["units"], 30 + 12);
    let (_, child) = e
        .owner
        .post(
            &format!("/projects/{}/codes", e.project),
            json!({ "name": "X detail", "parent_id": e.x }),
        )
        .await;
    let r = e.report(&format!("coders=a,b&subtree={}", e.x)).await;
    let ids: Vec<&Value> = r["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["code_id"])
        .collect();
    assert_eq!(
        ids,
        [&json!(e.x), &child["id"]],
        "X and its sub-code, not Y"
    );

    for (query, field) in [
        ("coders=a", "coders"),
        ("coders=a,nobody", "coders"),
        ("coders=a,a", "coders"),
        ("coders=a,b&unit=sentence", "unit"),
        ("coders=a,b&codes=999999", "codes"),
        ("coders=a,b&documents=999999", "documents"),
        ("coders=a,b&codes=x", "codes"),
    ] {
        let (status, body) = e
            .owner
            .get(&format!("/projects/{}/agreement?{query}", e.project))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
    }
}

#[tokio::test]
async fn the_figures_can_be_audited_from_the_downloads() {
    let e = worked_example().await;
    let response = e
        .owner
        .request(
            Method::GET,
            &format!("/projects/{}/agreement.csv?coders=a,b", e.project),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let csv = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4, "two codes, pooled, macro mean");
    assert_eq!(&rows[0][2], "X");
    assert!((rows[0][7].parse::<f64>().unwrap() - 648.0 / 884.0).abs() < 1e-12);
    assert_eq!(&rows[2][0], "pooled");

    // Reliability data: recompute α(X) at character level from the rows alone.
    let response = e
        .owner
        .request(
            Method::GET,
            &format!(
                "/projects/{}/agreement/reliability.csv?coders=a,b",
                e.project
            ),
        )
        .send()
        .await
        .unwrap();
    let csv = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[headers.len() - 2], "a");
    assert_eq!(&headers[headers.len() - 1], "b");
    let (mut units, mut n1, mut disagreements) = (0u64, 0u64, 0u64);
    for row in reader
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[1] == "X")
    {
        let weight: u64 = row[7].parse().unwrap();
        let (va, vb): (u64, u64) = (row[8].parse().unwrap(), row[9].parse().unwrap());
        units += weight;
        n1 += weight * (va + vb);
        disagreements += weight * u64::from(va != vb);
    }
    assert_eq!(units, 30);
    // Binary alpha with two coders: 1 − (n − 1)·Σ 2·k(m−k)/(m−1) / (2·n0·n1), n = 2N.
    let n = 2 * units;
    let alpha = 1.0 - ((n - 1) * 2 * disagreements) as f64 / (2 * (n - n1) * n1) as f64;
    assert!((alpha - 648.0 / 884.0).abs() < 1e-12, "{alpha}");
}

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
    let regions = body["regions"].as_array().unwrap();
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

#[tokio::test]
async fn reports_are_for_owners_and_viewers_of_the_project_only() {
    let e = worked_example().await;
    let coder = e.app.api_for("a").await;
    let (status, _) = coder
        .get(&format!("/projects/{}/agreement?coders=a,b", e.project))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let viewer = e.app.api_user("vera").await;
    e.owner.add_member(e.project, "vera", "viewer").await;
    let (status, _) = viewer
        .get(&format!("/projects/{}/agreement?coders=a,b", e.project))
        .await;
    assert_eq!(status, StatusCode::OK);
    let stranger = e.app.api_user("eve").await;
    for path in [
        "agreement?coders=a,b",
        "agreement.csv?coders=a,b",
        "agreement/reliability.csv?coders=a,b",
        "agreement/disagreements?coders=a,b&code=1",
    ] {
        let (status, _) = stranger
            .get(&format!("/projects/{}/{path}", e.project))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn the_report_page_shows_figures_undefined_values_and_downloads() {
    let e = worked_example().await;
    let browser = e.app.browser_signed_in("lead").await;
    let (status, html) = browser
        .page(&format!("/projects/{}/agreement", e.project))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("value=\"a\"") && html.contains("value=\"consensus\""),
        "coders to choose from"
    );

    let (status, html) = browser
        .page(&format!(
            "/projects/{}/agreement?coders=a,b&unit=character",
            e.project
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("0.733"), "α(X) to three decimals");
    assert!(html.contains("0.577"), "pooled α");
    assert!(
        html.contains("Not reliable"),
        "plain-language reading of pooled α 0.577"
    );
    assert!(
        html.contains("agreement.csv?coders=a%2Cb")
            && html.contains("reliability.csv?coders=a%2Cb")
    );

    let (_, html) = browser
        .page(&format!(
            "/projects/{}/agreement?coders=a,b&unit=document",
            e.project
        ))
        .await;
    assert!(
        html.contains("title=\"only one value occurs: expected disagreement is 0\" class=\"undefined\">—</strong>"),
        "undefined alpha shows — with its reason"
    );

    let (status, html) = browser
        .page(&format!("/projects/{}/agreement?coders=a", e.project))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Choose at least two coders"));

    let coder = e.app.browser_signed_in("a").await;
    let (status, _) = coder
        .page(&format!("/projects/{}/agreement?coders=a,b", e.project))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn adjudication_builds_a_consensus_set_that_reports_compare_against() {
    let e = worked_example().await;
    let browser = e.app.browser_signed_in("lead").await;
    let query = "coders=a%2Cb&unit=character";
    let (status, html) = browser
        .page(&format!(
            "/projects/{}/agreement/disagreements?{query}&code={}",
            e.project, e.x
        ))
        .await;
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
        "/projects/{}/agreement/compare?{query}&code={}&document={}&start=2&end=4",
        e.project, e.x, e.d1
    );
    let (status, html) = browser.page(&compare).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Disagreement 1 of 3"));
    assert!(
        html.contains("Accept a&#39;s version") || html.contains("Accept a's version"),
        "{html}"
    );

    // Accept a's version: a's X excerpt [2,10) joins the consensus set.
    let response = browser
        .submit(
            &compare,
            &format!("/projects/{}/agreement/decide", e.project),
            &[
                ("query", query),
                ("code", &e.x.to_string()),
                ("document", &e.d1.to_string()),
                ("start", "2"),
                ("end", "4"),
                ("decision", "accept:a"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let next = crate::helpers::location(&response);
    assert!(
        next.contains("/agreement/compare?") && next.contains("start=16&end=17"),
        "continues with the next open region: {next}"
    );
    let (_, consensus) = e
        .owner
        .get(&format!("/documents/{}/excerpts?coder=consensus", e.d1))
        .await;
    let consensus = consensus["excerpts"].as_array().unwrap();
    assert_eq!(consensus.len(), 1);
    assert_eq!(
        (consensus[0]["start"].as_i64(), consensus[0]["end"].as_i64()),
        (Some(2), Some(10))
    );
    assert_eq!(consensus[0]["consensus"], true);
    assert_eq!(consensus[0]["code_ids"], json!([e.x]));

    // "Does not apply" records a decision without coding; drawing adds a new excerpt.
    let decide = |start: &'static str,
                  end: &'static str,
                  decision: &'static str,
                  extra: Vec<(&'static str, &'static str)>| {
        let mut fields = vec![
            ("query", query),
            ("decision", decision),
            ("start", start),
            ("end", end),
        ];
        fields.extend(extra);
        fields
    };
    let x = e.x.to_string();
    let d1 = e.d1.to_string();
    let mut fields = decide("16", "17", "none", vec![]);
    fields.extend([("code", x.as_str()), ("document", d1.as_str())]);
    browser
        .submit(
            &compare,
            &format!("/projects/{}/agreement/decide", e.project),
            &fields,
        )
        .await;
    let mut fields = decide(
        "19",
        "20",
        "draw",
        vec![("draw_start", "17"), ("draw_end", "20")],
    );
    fields.extend([("code", x.as_str()), ("document", d1.as_str())]);
    let response = browser
        .submit(
            &compare,
            &format!("/projects/{}/agreement/decide", e.project),
            &fields,
        )
        .await;
    assert!(
        crate::helpers::location(&response).contains("/agreement/disagreements?"),
        "back to the list when all are decided"
    );
    let (_, html) = browser
        .page(&format!(
            "/projects/{}/agreement/disagreements?{query}&code={}",
            e.project, e.x
        ))
        .await;
    assert!(html.contains("0 still open"), "{html}");
    assert!(html.contains("accepted a&#39;s version") || html.contains("accepted a's version"));

    // The consensus set is compared like a coder.
    let r = e.report("coders=a,consensus").await;
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
    let response = coder
        .submit(
            "/",
            &format!("/projects/{}/agreement/decide", e.project),
            &[
                ("query", query),
                ("code", &x),
                ("document", &d1),
                ("start", "2"),
                ("end", "4"),
                ("decision", "none"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let adjudications: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM adjudications")
        .fetch_one(&e.app.db)
        .await
        .unwrap();
    assert_eq!(adjudications, 3, "a coder cannot adjudicate");
}

#[tokio::test]
async fn decisions_can_be_scripted_through_the_api() {
    let e = worked_example().await;
    let body = json!({ "code_id": e.x, "document_id": e.d1, "start": 2, "end": 4, "decision": "accept:a" });
    let (status, response) = e
        .owner
        .post(
            &format!("/projects/{}/agreement/decisions", e.project),
            body,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{response}");
    let (_, consensus) = e
        .owner
        .get(&format!("/documents/{}/excerpts?coder=consensus", e.d1))
        .await;
    assert_eq!(consensus["excerpts"].as_array().unwrap().len(), 1);
    let (status, body) = e
        .owner
        .post(&format!("/projects/{}/agreement/decisions", e.project), json!({ "code_id": e.x, "document_id": e.d1, "start": 16, "end": 17, "decision": "draw" }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "draw needs its span: {body}"
    );
    let (status, _) = e
        .owner
        .post(&format!("/projects/{}/agreement/decisions", e.project), json!({ "code_id": e.x, "document_id": e.d1, "start": 16, "end": 999, "decision": "none" }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "region outside the document"
    );
    let coder = e.app.api_for("a").await;
    let (status, _) = coder
        .post(&format!("/projects/{}/agreement/decisions", e.project), json!({ "code_id": e.x, "document_id": e.d1, "start": 16, "end": 17, "decision": "none" }))
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
        let (_, list) = e
            .owner
            .get(&format!("/documents/{}/excerpts?coder=consensus", e.d1))
            .await;
        list["excerpts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["code_ids"].as_array().unwrap().contains(&json!(e.x)))
            .map(|x| (x["start"].as_i64().unwrap(), x["end"].as_i64().unwrap()))
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
async fn turn_level_reports_say_which_documents_have_no_turns() {
    let e = worked_example().await;
    let (_, plain) = e
        .owner
        .post(
            &format!("/projects/{}/documents", e.project),
            json!({ "title": "Notes", "text": "abcdefghij", "turns": [] }),
        )
        .await;
    let r = e
        .report(&format!(
            "coders=a,b&unit=turn&documents={},{}",
            e.d1, plain["id"]
        ))
        .await;
    let warnings = r["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("1 of 2 documents have no speaker turns")),
        "{r}"
    );
}
