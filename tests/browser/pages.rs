//! Page-wide touches: the favicon, and timestamps shown in the reader's local time.

use serde_json::json;

use crate::prelude::Prelude;

#[tokio::test]
async fn times_read_as_local_dates_with_the_exact_time_on_hover() {
    let Some((b, _)) = Prelude::new().start_empty().await else {
        return;
    };
    b.goto("/settings").await;
    b.wait_for("main").await;
    let times = b
        .execute(
            r#"return Array.from(document.querySelectorAll("time"), (t) =>
                 ({ text: t.textContent, datetime: t.getAttribute("datetime"), title: t.title }));"#,
            vec![],
        )
        .await;
    let times = times.as_array().expect("a list");
    assert!(!times.is_empty(), "the test token's row has times");
    for time in times {
        let datetime = time["datetime"].as_str().expect("datetime kept");
        let text = time["text"].as_str().unwrap();
        assert!(datetime.contains('T') && datetime.ends_with('Z'), "{time}");
        assert!(
            !text.contains('T') && !text.ends_with('Z'),
            "no raw ISO: {time}"
        );
        assert!(text.chars().any(|c| c.is_ascii_digit()), "{time}");
        assert!(time["title"].as_str().unwrap().ends_with(" UTC"), "{time}");
    }
    let local = b
        .execute(
            r#"const t = document.querySelector("time");
               return new Date(t.getAttribute("datetime")).getFullYear();"#,
            vec![],
        )
        .await;
    assert_eq!(local, json!(chrono_free_year()), "the date is the real one");
}

/// This year, from the machine's clock through `date` (independent of the page).
fn chrono_free_year() -> i64 {
    let out = std::process::Command::new("date")
        .arg("+%Y")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[tokio::test]
async fn every_page_has_an_icon_and_favicon_ico_answers() {
    let Some((b, _)) = Prelude::new().start_empty().await else {
        return;
    };
    b.goto("/").await;
    b.wait_for("main").await;
    let statuses = b
        .execute(
            r#"const icon = document.querySelector("link[rel=icon]").href;
               return Promise.all([icon, "/favicon.ico"].map((u) =>
                 fetch(u).then(async (r) => [r.status, r.headers.get("content-type"), (await r.text()).includes("<svg")])));"#,
            vec![],
        )
        .await;
    assert_eq!(
        statuses,
        json!([[200, "image/svg+xml", true], [200, "image/svg+xml", true]])
    );
}

#[tokio::test]
async fn colour_inputs_show_a_swatch_not_a_dash() {
    let Some((b, project)) = Prelude::new().start_empty().await else {
        return;
    };
    b.goto(&format!("/projects/{}/codes", project.id)).await;
    b.wait_for("input[type=color]").await;
    let size = b
        .execute(
            r#"const r = document.querySelector("input[type=color]").getBoundingClientRect();
               return [Math.round(r.width), Math.round(r.height)];"#,
            vec![],
        )
        .await;
    let (width, height) = (size[0].as_i64().unwrap(), size[1].as_i64().unwrap());
    assert!(
        width >= 40 && height >= 30,
        "a usable swatch: {width}×{height} px"
    );
}

/// A code's page marks each passage in the code's own colour, and a coder under blind
/// coding is offered one coder choice ("me"), not "me" and their own name.
#[tokio::test]
async fn the_code_page_marks_in_the_codes_colour_and_offers_me_once() {
    let Some((b, study)) = Prelude::new()
        .member("cal", "coder")
        .signed_in_as("cal")
        .start()
        .await
    else {
        return;
    };
    study.set_blind(true).await;
    let trust = study.code("Trust", "#4e79a7").await;
    study
        .excerpt(study.api_of("cal"), crate::prelude::AFTER_TEARS, &[trust])
        .await;
    b.goto(&format!("/codes/{trust}")).await;
    b.wait_for("ol.retrieval mark").await;
    let look = b
        .execute(
            r#"const s = getComputedStyle(document.querySelector("ol.retrieval mark"));
               return [s.borderBottomColor, s.backgroundColor];"#,
            vec![],
        )
        .await;
    assert_eq!(
        look[0],
        json!(format!("rgb({})", crate::page::rgb_of("#4e79a7"))),
        "{look}"
    );
    assert_ne!(
        look[1],
        json!("rgb(251, 240, 201)"),
        "not the old yellow: {look}"
    );
    let coders = b
        .execute(
            r#"return Array.from(document.querySelectorAll("select[name=coder] option"), (o) => o.textContent.trim());"#,
            vec![],
        )
        .await;
    assert_eq!(coders, json!(["me (cal)"]));
}
