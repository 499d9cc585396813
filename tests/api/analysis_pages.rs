//! The analysis pages through HTTP: linked from the project page, every count a link to
//! its passages, the charts inline and as SVG downloads, blind coding kept.

use reqwest::StatusCode;

use crate::helpers::{Browser, study};

async fn page(b: &Browser, path: &str) -> String {
    let (status, html) = b.page(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {html}");
    html
}

#[tokio::test]
async fn the_pages_show_the_tables_charts_and_passages() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let drafts = s.code(&s.owner, "Drafts & <d").await;
    s.excerpt(&s.alice, "I trust it for drafts", &[trust]).await;
    s.excerpt(&s.alice, "drafts, not for decisions", &[drafts])
        .await;
    s.excerpt(&s.bob, "It helps me think", &[trust]).await;
    let olga = s.app.browser_signed_in("olga").await;
    let p = s.project;
    assert!(
        page(&olga, &format!("/projects/{p}"))
            .await
            .contains(&format!("/projects/{p}/analysis\""))
    );

    let overview = page(&olga, &format!("/projects/{p}/analysis")).await;
    assert!(overview.contains("<svg") && overview.contains("Code frequencies per coder"));
    assert!(overview.contains("Drafts &amp; &lt;d"), "labels escaped");

    let table = page(
        &olga,
        &format!("/projects/{p}/analysis/cooccurrence?coders=alice"),
    )
    .await;
    let cell = format!(
        "/projects/{p}/analysis/cooccurrence/cell?coders=alice&#38;a={trust}&#38;b={drafts}"
    );
    assert!(
        table.contains(&cell),
        "the count links its passages: {table}"
    );
    assert!(table.contains("<title>Code co-occurrence (overlap)</title>"));
    let passages = page(&olga, &cell.replace("&#38;", "&")).await;
    assert!(
        passages.contains("1 pair of excerpts sharing text"),
        "{passages}"
    );
    assert!(passages.contains("drafts, not for decisions"));

    let svg = olga
        .get(&format!(
            "/projects/{p}/analysis/cooccurrence.svg?coders=alice"
        ))
        .await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(
        svg.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".svg")
    );
    let body = svg.text().await.unwrap();
    assert!(body.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(
        body.contains("<title>Trust × Drafts &amp; &lt;d: 1 (c = 1.00)</title>"),
        "{body}"
    );

    let crosstab = page(&olga, &format!("/projects/{p}/analysis/crosstab")).await;
    let cell = format!(
        "/projects/{p}/analysis/crosstab/cell?code={trust}&#38;document={}",
        s.document
    );
    assert!(crosstab.contains(&cell), "{crosstab}");
    let excerpts = page(&olga, &cell.replace("&#38;", "&")).await;
    assert!(excerpts.contains("2 excerpts") && excerpts.contains("It helps me think"));
}

#[tokio::test]
async fn a_blind_coder_sees_only_their_own_coding_on_the_pages() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    s.excerpt(&s.alice, "I trust it for drafts", &[trust]).await;
    s.excerpt(&s.bob, "It helps me think", &[trust]).await;
    s.code_blind().await;
    let bob = s.app.browser_signed_in("bob").await;
    let p = s.project;
    let overview = page(&bob, &format!("/projects/{p}/analysis")).await;
    assert!(!overview.contains("alice"), "{overview}");
    let cell = format!(
        "/projects/{p}/analysis/crosstab/cell?code={trust}&document={}",
        s.document
    );
    let excerpts = page(&bob, &cell).await;
    assert!(excerpts.contains("1 excerpt") && !excerpts.contains("I trust it"));
    let (status, _) = bob
        .page(&format!("/projects/{p}/analysis/cooccurrence?coders=alice"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = bob
        .page(&format!("/projects/{p}/analysis/cooccurrence?scope=x"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The bar group of `value` in the code page's first attribute chart.
fn attribute_bar(html: &str, value: &str) -> String {
    let at = html
        .find("data-attribute-charts")
        .expect("the attribute charts");
    let section = &html[at..];
    let svg = &section[..section.find("</svg>").expect("a chart")];
    svg.split("<g>")
        .find(|g| g.contains(&format!("<title>{value}: ")))
        .unwrap_or_else(|| panic!("a bar for {value}: {svg}"))
        .to_owned()
}

#[tokio::test]
async fn the_code_page_charts_the_code_per_attribute_value_and_blind_coders_see_their_own() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let york = s.another_document().await;
    for (document, site) in [(s.document, "Leeds"), (york, "York")] {
        let (status, body) = s
            .owner
            .patch(
                &format!("/documents/{document}"),
                serde_json::json!({ "attributes": { "site": site } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    s.excerpt(&s.alice, "drafts", &[trust]).await;
    s.excerpt(&s.bob, "think", &[trust]).await;
    let (start, end) = s.find("drafts");
    s.alice.create_excerpt(york, start, end, &[trust]).await;

    let owner = s.app.browser_signed_in("olga").await;
    let html = page(&owner, &format!("/codes/{trust}")).await;
    assert!(html.contains("<h3>site</h3>"), "{html}");
    assert!(attribute_bar(&html, "Leeds").contains(">2 excerpts in 1 of 1 document</text>"));
    assert!(attribute_bar(&html, "York").contains(">1 excerpt in 1 of 1 document</text>"));
    assert!(html.contains("<tr><th scope=\"row\">Leeds</th><td class=\"num\">2</td>"));

    s.code_blind().await;
    let bob = s.app.browser_signed_in("bob").await;
    let html = page(&bob, &format!("/codes/{trust}")).await;
    assert!(html.contains("your own coding only"));
    assert!(attribute_bar(&html, "Leeds").contains(">1 excerpt in 1 of 1 document</text>"));
    assert!(attribute_bar(&html, "York").contains(">0 excerpts in 0 of 1 document</text>"));
    assert!(html.contains("<tr><th scope=\"row\">York</th><td class=\"num\">0</td>"));
}

#[tokio::test]
async fn the_code_page_has_no_attribute_chart_without_attributes() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    s.excerpt(&s.alice, "drafts", &[trust]).await;
    let owner = s.app.browser_signed_in("olga").await;
    let html = page(&owner, &format!("/codes/{trust}")).await;
    assert!(!html.contains("data-attribute-charts"), "{html}");
}
