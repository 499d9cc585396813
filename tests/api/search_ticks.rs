//! The search page's tick boxes: coding only the ticked hits (preview, ticks kept, apply),
//! and refusals for ticking none or sending values that are not hits of the search.

use reqwest::StatusCode;

use crate::helpers::{Browser, Study, location, study};

/// "decisions" in "Why not decisions?": the search's second hit.
fn second_hit(s: &Study) -> (usize, usize) {
    let (start, end) = s.find("Why not decisions");
    (start + "Why not ".len(), end)
}

fn tick(s: &Study, (start, end): (usize, usize)) -> String {
    format!("{}:{start}:{end}", s.document)
}

/// Posts the auto-code form for "decisions" (match extent) with `extra` fields.
async fn autocode(
    browser: &Browser,
    s: &Study,
    code: i64,
    extra: &[(&str, &str)],
) -> (StatusCode, String) {
    let page = format!("/projects/{}/search?q=decisions", s.project);
    let code = code.to_string();
    let mut fields = vec![
        ("q", "decisions"),
        ("apply_code", code.as_str()),
        ("extent", "match"),
    ];
    fields.extend_from_slice(extra);
    let response = browser
        .submit(
            &page,
            &format!("/projects/{}/search/autocode", s.project),
            &fields,
        )
        .await;
    let status = response.status();
    if status == StatusCode::SEE_OTHER {
        // Applied: the page the run redirects to, with its flash.
        let (status, html) = browser.page(&location(&response)).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        return (StatusCode::SEE_OTHER, html);
    }
    (status, response.text().await.unwrap())
}

/// The `checked` state of the tick box sending `value`, if the page has one.
fn ticked_box(html: &str, value: &str) -> Option<bool> {
    let marker = format!("name=\"hit\" value=\"{value}\"");
    let rest = &html[html.find(&marker)? + marker.len()..];
    let tag = rest.split('>').next()?;
    Some(tag.contains("checked"))
}

#[tokio::test]
async fn ticking_one_hit_previews_and_codes_only_that_hit() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let browser = s.app.browser_signed_in("alice").await;
    let (_, page) = browser
        .page(&format!("/projects/{}/search?q=decisions", s.project))
        .await;
    let first = tick(&s, s.find("decisions"));
    let second = tick(&s, second_hit(&s));
    assert_eq!(ticked_box(&page, &first), Some(false), "{page}");
    assert_eq!(ticked_box(&page, &second), Some(false), "{page}");
    assert!(
        page.contains("form=\"autocode-form\"") && page.contains("Select hit 2 in P1"),
        "{page}"
    );

    let ticked = [("scope", "ticked"), ("hit", second.as_str())];
    let mut preview = ticked.to_vec();
    preview.push(("action", "preview"));
    let (status, html) = autocode(&browser, &s, trust, &preview).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("<strong>1</strong> ticked hit, <strong>1</strong> excerpts to create"),
        "{html}"
    );
    assert_eq!(
        ticked_box(&html, &second),
        Some(true),
        "kept ticked: {html}"
    );
    assert_eq!(ticked_box(&html, &first), Some(false), "{html}");
    assert!(html.contains("value=\"ticked\" checked"), "{html}");
    assert!(
        s.excerpts(&s.alice, "").await.is_empty(),
        "a preview writes nothing"
    );

    let mut apply = ticked.to_vec();
    apply.push(("action", "apply"));
    let (status, html) = autocode(&browser, &s, trust, &apply).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    assert!(html.contains("1 excerpt created"), "{html}");
    let excerpts = s.excerpts(&s.alice, "").await;
    let spans: Vec<_> = excerpts.iter().map(|e| (e.start, e.end)).collect();
    assert_eq!(spans, vec![second_hit(&s)]);
    assert_eq!(excerpts[0].code_ids, vec![trust]);
    assert_eq!(excerpts[0].text, "decisions");
}

#[tokio::test]
async fn ticking_none_or_sending_foreign_values_is_refused_in_the_form() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let browser = s.app.browser_signed_in("alice").await;
    let other = s.another_document().await;
    let (start, end) = second_hit(&s);
    let shifted = format!("{}:{}:{}", s.document, start + 1, end + 1);
    let beyond = format!("{}:100000:100009", s.document);
    let foreign = format!("{other}0:{start}:{end}");
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], "Tick at least one hit to code."),
        (vec![("hit", "garbage")], "'garbage' is not a hit"),
        (vec![("hit", "1:2:3:4")], "is not a hit"),
        (vec![("hit", "-1:2:3")], "is not a hit"),
        (
            vec![("hit", shifted.as_str())],
            "is not a hit of this search",
        ),
        (
            vec![("hit", beyond.as_str())],
            "is not a hit of this search",
        ),
        (
            vec![("hit", foreign.as_str())],
            "is not a hit of this search",
        ),
    ];
    for (hits, message) in cases {
        let mut fields = vec![("scope", "ticked"), ("action", "apply")];
        fields.extend(hits.iter().copied());
        let (status, html) = autocode(&browser, &s, trust, &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{hits:?}: {html}");
        let alert = html
            .split("role=\"alert\">")
            .nth(1)
            .expect("an alert in the form");
        let alert = alert.replace("&#39;", "'");
        assert!(alert.contains(message), "{hits:?}: {alert}");
        assert!(html.contains("<mark>decisions</mark>"), "hits still listed");
    }
    let (status, html) = autocode(
        &browser,
        &s,
        trust,
        &[("scope", "some"), ("action", "apply")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("only the ticked hits."), "{html}");
    // A field sent twice is a garbled form: refused, not a 500.
    let (status, html) = autocode(
        &browser,
        &s,
        trust,
        &[("extent", "turn"), ("action", "apply")],
    )
    .await;
    assert!(status.is_client_error(), "{status}: {html}");
    assert!(html.contains("The form was garbled"), "{html}");
    assert!(s.excerpts(&s.alice, "").await.is_empty(), "nothing created");
}

#[tokio::test]
async fn with_a_code_filter_only_ticks_among_the_shown_hits_are_coded() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let later = s.code(&s.owner, "Later").await;
    s.excerpt(&s.alice, "not for decisions", &[trust]).await;
    let browser = s.app.browser_signed_in("alice").await;
    let code = trust.to_string();
    let shown = tick(&s, s.find("decisions"));
    let hidden = tick(&s, second_hit(&s));

    let (status, html) = autocode(&browser, &s, later, &filtered(&code, &hidden)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("is not a hit of this search"), "{html}");

    let (status, html) = autocode(&browser, &s, later, &filtered(&code, &shown)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    assert!(html.contains("1 excerpt created"), "{html}");
    let coded_later: Vec<_> = s
        .excerpts(&s.alice, "")
        .await
        .into_iter()
        .filter(|e| e.code_ids.contains(&later))
        .map(|e| (e.start, e.end))
        .collect();
    assert_eq!(coded_later, vec![s.find("decisions")]);
}

/// Only the ticked `hit` of the search filtered to hits coded with `code`, applied.
fn filtered<'a>(code: &'a str, hit: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("code_id", code),
        ("scope", "ticked"),
        ("action", "apply"),
        ("hit", hit),
    ]
}
