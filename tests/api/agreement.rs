//! The agreement report through the API: the specification's worked example (§8) created
//! through the API and checked to 1e-9, scopes, the audit downloads, the report page, and
//! access.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Example, close, worked_example};

/// The per-code figures of a report (raw JSON: the figures are the contract).
fn codes(report: &Value) -> &[Value] {
    report["codes"].as_array().expect("the report's codes")
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

    assert_overall_matches_the_specification(&r);
    let pooled = &r["overall"]["pooled"];

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

/// §8's pooled and macro-mean figures at character level.
fn assert_overall_matches_the_specification(r: &Value) {
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
    assert_eq!(codes(&r).len(), 1);
    let r = e.report("coders=b,a").await;
    close(
        &r["codes"][0]["krippendorff_alpha"],
        648.0 / 884.0,
        "coder order does not matter",
    );
    let r = e.report("coders=a,lead&scope=coded_by_any").await;
    // a covers 14 of the 30 characters with X; "lead" coded nothing and rates all 0 (asked
    // for explicitly: by default no document counts that lead has not coded).
    close(
        &r["codes"][0]["percent_agreement"],
        16.0 / 30.0,
        "a coder without coding rates all 0",
    );

    // Y is only used in D1, X in both: reporting on Y alone still covers both documents
    // the coders coded, so a code's figures never depend on which other codes are chosen.
    let everything = e.report("coders=a,b").await;
    let y_alone = e.report(&format!("coders=a,b&codes={}", e.y)).await;
    let y_among_all = codes(&everything)
        .iter()
        .find(|c| c["code_id"] == e.y)
        .expect("Y among all codes");
    assert_eq!(y_alone["documents"], 2);
    assert_eq!(&y_alone["codes"][0], y_among_all);

    assert_scopes_by_attribute_all_documents_and_subtree(&e).await;
    assert_invalid_scopes_are_refused(&e).await;
}

/// Scopes: an attribute value, all documents (an uncoded one adds agreed units), and a
/// code's subtree.
async fn assert_scopes_by_attribute_all_documents_and_subtree(e: &Example) {
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
    let child = e
        .owner
        .create_code(e.project, json!({ "name": "X detail", "parent_id": e.x }))
        .await;
    let r = e.report(&format!("coders=a,b&subtree={}", e.x)).await;
    let ids: Vec<&Value> = codes(&r).iter().map(|c| &c["code_id"]).collect();
    assert_eq!(
        ids,
        [&json!(e.x), &json!(child.id)],
        "X and its sub-code, not Y"
    );
}

/// Each invalid scope is refused, naming its field.
async fn assert_invalid_scopes_are_refused(e: &Example) {
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
    let figures = rows
        .iter()
        .filter(|r| !r[0].starts_with("document_"))
        .count();
    assert_eq!(figures, 4, "two codes, pooled, macro mean");
    assert_eq!(rows.len(), 4 + 2, "then the two documents used");
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
    let warnings = r["warnings"].as_array().expect("the report's warnings");
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("1 of 2 documents have no speaker turns")),
        "{r}"
    );
}

/// Two coders who never mark the same passage still "agree" on almost every character,
/// because both leave most of the text uncoded: the page flags that figure and says why.
#[tokio::test]
async fn percent_agreement_flattered_by_uncoded_text_is_explained() {
    let s = crate::helpers::study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let hope = s.code(&s.owner, "Hope").await;
    s.excerpt(&s.alice, "drafts", &[trust]).await;
    s.excerpt(&s.bob, "think", &[trust]).await;
    for coder in [&s.alice, &s.bob] {
        s.excerpt(coder, "How do you feel about AI at work?", &[hope])
            .await;
    }
    let report: Value = s
        .owner
        .get_ok(&format!(
            "/projects/{}/agreement?coders=alice,bob&unit=character",
            s.project
        ))
        .await;
    let trust_row = &codes(&report)[0];
    assert!(
        trust_row["percent_agreement"].as_f64().unwrap() >= 0.9,
        "{trust_row}"
    );
    assert!(
        trust_row["krippendorff_alpha"].as_f64().unwrap() < 0.0,
        "{trust_row}"
    );

    let browser = s.app.browser_signed_in("olga").await;
    let (status, html) = browser
        .page(&format!(
            "/projects/{}/agreement?coders=alice,bob&unit=character",
            s.project
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let row_of = |name: &str| {
        let at = html.find(&format!("</span>{name}</td>")).expect(name);
        html[at..].split("</tr>").next().unwrap().to_owned()
    };
    assert!(row_of("Trust").contains("class=\"flattered\""), "{html}");
    assert!(
        !row_of("Hope").contains("class=\"flattered\""),
        "α agrees there"
    );
    assert!(html.contains("data-flattered-note"));
    assert!(html.contains("two coders who both leave a unit uncoded"));
}

/// The report page draws α per code beside the table: every bar labelled with its code
/// and units and printed with its value, the readings as labelled lines, and no bar for
/// a code whose α is undefined.
#[tokio::test]
async fn the_report_page_charts_alpha_per_code_with_units_and_no_bar_when_undefined() {
    let s = crate::helpers::study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let hope = s.code(&s.owner, "Hope").await;
    s.code(&s.owner, "Unused").await;
    s.excerpt(&s.alice, "drafts", &[trust]).await;
    s.excerpt(&s.bob, "think", &[trust]).await;
    for coder in [&s.alice, &s.bob] {
        s.excerpt(coder, "How do you feel about AI at work?", &[hope])
            .await;
    }
    let query = format!(
        "/projects/{}/agreement?coders=alice,bob&unit=character",
        s.project
    );
    let report: Value = s.owner.get_ok(&query).await;
    let browser = s.app.browser_signed_in("olga").await;
    let (status, html) = browser.page(&query).await;
    assert_eq!(status, StatusCode::OK);
    let at = html.find("data-code-chart").expect("the per-code chart");
    let chart = &html[at..at + html[at..].find("</svg>").expect("an SVG")];
    assert!(
        chart.contains("role=\"img\" aria-label=\"Krippendorff&#39;s α per code\""),
        "{chart}"
    );
    assert_eq!(chart.matches("class=\"threshold\"").count(), 2);
    assert!(chart.contains(">0.667 tentative</text>") && chart.contains(">0.800 reliable</text>"));
    let mut defined = 0;
    for row in codes(&report) {
        let label = format!("{} ({} units)", row["path"].as_str().unwrap(), row["units"]);
        let group = chart
            .split("<g>")
            .find(|g| g.contains(&format!(">{label}</text>")))
            .unwrap_or_else(|| panic!("a bar labelled {label}: {chart}"));
        match row["krippendorff_alpha"].as_f64() {
            Some(alpha) => {
                defined += 1;
                let value = format!("{alpha:.3}");
                assert!(
                    group.contains(&format!("class=\"bar-value\">{value}</text>")),
                    "{group}"
                );
                assert!(group.contains(&format!("<title>{label}: α = {value}</title>")));
                assert!(group.contains("<rect"), "a defined α has a bar: {group}");
            }
            None => {
                assert!(group.contains("class=\"bar-value\">—</text>"), "{group}");
                assert!(
                    !group.contains("<rect"),
                    "no bar for an undefined α: {group}"
                );
            }
        }
    }
    assert_eq!(
        defined, 2,
        "Trust and Hope are defined, Unused is not: {report}"
    );
    assert_eq!(chart.matches("<rect").count(), 2);
}
