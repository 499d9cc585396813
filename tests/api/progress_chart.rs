//! The progress page's chart per coder: one bar per coder with their documents coded, the
//! same figures in the table's last row, an SVG download; coders (blind or not) see
//! neither the page nor the chart, so nobody's bar reaches them.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::study;

/// The `<title>`s of the chart's bars (every `<g>` of the first `<svg>` in `html`).
fn bar_titles(html: &str) -> Vec<String> {
    let start = html.find("<svg").expect("a chart");
    let svg = &html[start..start + html[start..].find("</svg>").expect("the chart's end")];
    svg.split("<g><title>")
        .skip(1)
        .map(|rest| rest.split("</title>").next().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn the_chart_has_a_bar_per_coder_with_the_tables_figures_and_downloads_as_svg() {
    let s = study().await;
    let second = s.another_document().await;
    s.another_document().await;
    s.code_blind().await;
    let trust = s.code(&s.owner, "Trust").await;
    s.excerpt(&s.bob, "I trust it", &[trust]).await;
    let (start, end) = s.find("I trust it");
    s.bob.create_excerpt(second, start, end, &[trust]).await;
    let response = s
        .bob
        .request(
            Method::PUT,
            &format!("/documents/{}/completion", s.document),
        )
        .json(&json!({ "complete": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let owner = s.app.browser_signed_in("olga").await;
    let page = format!("/projects/{}/progress", s.project);
    let (status, html) = owner.page(&page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let expected = [
        "alice: 0 of 3 · 0 complete",
        "bob: 2 of 3 · 1 complete",
        "olga: 0 of 3 · 0 complete",
    ];
    assert_eq!(bar_titles(&html), expected, "{html}");
    assert!(html.contains("<title>Progress per coder</title>"), "{html}");
    let row: Vec<&str> = html
        .split("class=\"progress-total\">")
        .skip(1)
        .map(|rest| rest.split("</td>").next().unwrap())
        .collect();
    assert_eq!(row, ["0 (0 complete)", "2 (1 complete)", "0 (0 complete)"]);
    let download = format!("/projects/{}/progress.svg", s.project);
    assert!(
        html.contains(&format!("href=\"{download}\" download")),
        "{html}"
    );

    let svg = owner.get(&download).await;
    assert_eq!(svg.status(), StatusCode::OK);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let disposition = svg.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("progress") && disposition.contains(".svg"));
    let body = svg.text().await.unwrap();
    assert!(body.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(bar_titles(&body), expected);

    // A blind coder sees no one's progress, their own included (as the page today).
    let alice = s.app.browser_signed_in("alice").await;
    for path in [&page, &download] {
        let (status, body) = alice.page(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            !body.contains(" complete</title>") && !body.contains("bob"),
            "{body}"
        );
    }
    s.app.api_user("mallory").await;
    let outsider = s.app.browser_signed_in("mallory").await;
    assert_eq!(outsider.page(&download).await.0, StatusCode::NOT_FOUND);
}
