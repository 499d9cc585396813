//! The project's document list on 1,000 interviews: search, sort and paging work in the
//! browser as a user drives them (the form, the column headings, the pager).

use serde_json::json;

use crate::harness::BrowserTest;
use crate::page::{click, keys, page, wait_until};
use crate::prelude::Prelude;

/// 1,000 interviews as one CSV: `work_0000` … `work_0999`, an occupation attribute, and
/// lengths that grow strictly with the number (so the longest is the last).
fn thousand_interviews() -> Vec<u8> {
    let mut csv = String::from("transcript_id,occupation,text\n");
    for i in 0..1000 {
        let occupation = ["teacher", "nurse", "engineer", "chef"][i % 4];
        let answer = "Yes. ".repeat(i);
        csv.push_str(&format!(
            "work_{i:04},{occupation},\"AI: What do you do?\n\nUser: I am interviewee {i:04}. {answer}\"\n"
        ));
    }
    csv.into_bytes()
}

async fn status_line(b: &BrowserTest) -> String {
    b.text_of("[data-list-status]").await
}

async fn first_title(b: &BrowserTest) -> serde_json::Value {
    page(
        b,
        r#"return document.querySelector("table.documents tbody tr td a").textContent;"#,
        vec![],
    )
    .await
}

#[tokio::test]
async fn a_thousand_documents_are_searched_sorted_and_paged_in_the_browser() {
    let Some((b, project)) = Prelude::new().start_empty().await else {
        return;
    };
    let summary = project
        .api
        .import_file(project.id, "interviews.csv", thousand_interviews())
        .await;
    assert_eq!(
        summary["documents"].as_array().map(Vec::len),
        Some(1000),
        "{summary}"
    );
    b.goto(&format!("/projects/{}", project.id)).await;
    b.wait_for("[data-list-status]").await;
    assert!(
        status_line(&b).await.contains("1000 of 1000 documents"),
        "{}",
        status_line(&b).await
    );

    // Search by title, from the form.
    click(&b, "[data-document-search-box]").await;
    keys(&b, "work_0777\u{E007}").await;
    wait_until(
        &b,
        r#"location.search.includes("q=work_0777")"#,
        "the search to load",
    )
    .await;
    assert!(
        status_line(&b).await.starts_with("1 of 1000"),
        "{}",
        status_line(&b).await
    );
    assert_eq!(first_title(&b).await, json!("work_0777"));

    // Search by attribute value: a quarter of the interviews.
    b.goto(&format!("/projects/{}?q=nurse", project.id)).await;
    assert!(
        status_line(&b).await.starts_with("250 of 1000"),
        "{}",
        status_line(&b).await
    );

    // Sort by length, longest first, from the column heading (twice: ascending, then descending).
    b.goto(&format!("/projects/{}", project.id)).await;
    let heading = r#"document.querySelector("table.documents th a[href*='sort=length']")"#;
    page(&b, &format!("{heading}.click();"), vec![]).await;
    wait_until(
        &b,
        r#"location.search.includes("sort=length")"#,
        "sorted by length",
    )
    .await;
    assert_eq!(first_title(&b).await, json!("work_0000"), "shortest first");
    page(&b, &format!("{heading}.click();"), vec![]).await;
    wait_until(
        &b,
        r#"location.search.includes("dir=desc")"#,
        "sorted longest first",
    )
    .await;
    assert_eq!(first_title(&b).await, json!("work_0999"));

    // Paging: a bigger page, then the pager's Next.
    let url = page(&b, "return location.pathname + location.search;", vec![]).await;
    b.goto(&format!("{}&per_page=100", url.as_str().unwrap()))
        .await;
    assert!(
        status_line(&b).await.ends_with("page 1 of 10"),
        "{}",
        status_line(&b).await
    );
    click(&b, "nav.pager a[rel=next]").await;
    wait_until(
        &b,
        r#"location.search.includes("page=2")"#,
        "the second page",
    )
    .await;
    assert!(status_line(&b).await.ends_with("page 2 of 10"));
    let rows = page(
        &b,
        "return document.querySelectorAll('table.documents tbody tr').length;",
        vec![],
    )
    .await;
    assert_eq!(rows, json!(100));
    assert_eq!(
        first_title(&b).await,
        json!("work_0899"),
        "longest first, second page"
    );
}
