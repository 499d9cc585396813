//! The agreement report's per-document breakdown in the browser: its table sorts by a
//! column, both ways.

use serde_json::json;

use crate::harness::BrowserTest;
use crate::page::wait_until;
use crate::prelude::{AFTER_HEART, AFTER_TEARS, Prelude};

/// The breakdown's α column as shown, top to bottom.
async fn alphas(b: &BrowserTest) -> Vec<String> {
    let shown = b
        .execute(
            r#"return Array.from(document.querySelectorAll("table[data-sortable] tbody tr"), (row) => row.cells[4].textContent.trim());"#,
            vec![],
        )
        .await;
    serde_json::from_value::<Vec<String>>(shown).expect("the α column")
}

#[tokio::test]
async fn the_breakdown_table_sorts_by_alpha_both_ways() {
    let Some((b, study)) = Prelude::new()
        .member("ann", "coder")
        .member("cal", "coder")
        .start()
        .await
    else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    // Three documents with different agreement: partial on two, none on the third.
    let listed = study
        .api
        .get(&format!("/projects/{}/documents", study.project))
        .await;
    let documents: Vec<i64> = listed["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    let (ann, cal) = (study.api_of("ann"), study.api_of("cal"));
    study.excerpt(ann, AFTER_HEART, &[trust]).await;
    study.excerpt(cal, AFTER_HEART, &[trust]).await;
    study.excerpt(ann, AFTER_TEARS, &[trust]).await;
    let others: Vec<i64> = documents
        .into_iter()
        .filter(|d| *d != study.document)
        .collect();
    for (api, document, start, end) in [
        (ann, others[0], 0, 40),
        (cal, others[0], 20, 60),
        (ann, others[1], 0, 30),
    ] {
        let path = format!("/documents/{document}/excerpts");
        api.create(
            &path,
            json!({ "start": start, "end": end, "code_ids": [trust] }),
        )
        .await;
    }
    b.goto(&format!(
        "/projects/{}/agreement?coders=ann,cal&scope=coded_by_any",
        study.project
    ))
    .await;
    b.wait_for("table[data-sortable]").await;
    let unsorted = alphas(&b).await;
    assert_eq!(unsorted.len(), 3, "{unsorted:?}");
    let value = |shown: &String| shown.parse::<f64>().unwrap_or(f64::INFINITY);

    let button =
        r#"document.querySelector("table[data-sortable] button[data-sort-key='4']").click();"#;
    b.execute(button, vec![]).await;
    wait_until(
        &b,
        r#"document.querySelector("table[data-sortable] th:nth-child(5)").getAttribute("aria-sort") === "ascending""#,
        "ascending by α",
    )
    .await;
    let ascending = alphas(&b).await;
    let mut expected = unsorted.clone();
    expected.sort_by(|x, y| value(x).total_cmp(&value(y)));
    assert_eq!(ascending, expected, "ascending");

    b.execute(button, vec![]).await;
    let descending = alphas(&b).await;
    let defined: Vec<&String> = descending
        .iter()
        .filter(|a| a.parse::<f64>().is_ok())
        .collect();
    assert!(
        defined.windows(2).all(|w| value(w[0]) >= value(w[1])),
        "descending: {descending:?}"
    );
    assert_ne!(ascending, descending, "{ascending:?}");
}
