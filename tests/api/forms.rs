//! A refused form comes back as the user sent it: what they typed is still in the fields,
//! and the error stands next to the field it is about (not only in a flash at the top).

use reqwest::StatusCode;

use crate::helpers::{location, spawn_app};

/// The value of the first `<input name="NAME" …>` on a page.
fn input_value(html: &str, name: &str) -> String {
    let tag_start = html
        .find(&format!("<input name=\"{name}\""))
        .unwrap_or_else(|| panic!("an input named {name}"));
    let tag = &html[tag_start..html[tag_start..].find('>').unwrap() + tag_start];
    let value_at = tag.find("value=\"").expect("the input has a value") + 7;
    tag[value_at..].split('"').next().unwrap().to_owned()
}

/// The text of the first `<textarea name="NAME" …>`.
fn textarea_text(html: &str, name: &str) -> String {
    let start = html.find(&format!("<textarea name=\"{name}\"")).unwrap();
    let open_end = html[start..].find('>').unwrap() + start + 1;
    let close = html[open_end..].find("</textarea>").unwrap() + open_end;
    html[open_end..close].to_owned()
}

#[tokio::test]
async fn a_refused_new_code_keeps_what_was_typed_and_says_what_to_fix_beside_the_name() {
    let app = spawn_app().await;
    app.create_user("ada", true).await;
    let ada = app.api_for("ada").await;
    let project = ada.create_project("Pilot").await;
    let browser = app.browser_signed_in("ada").await;
    let codebook = format!("/projects/{project}/codes");
    let description = "When the participant <b>doubts</b> the tool & says so";
    let refused = browser
        .submit(
            &codebook,
            &codebook,
            &[
                ("name", "   "),
                ("color", "#e15759"),
                ("description", description),
                ("parent_id", ""),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&refused), codebook);

    let (_, html) = browser.page(&codebook).await;
    assert_eq!(input_value(&html, "color"), "#e15759");
    assert_eq!(
        textarea_text(&html, "description"),
        "When the participant &#60;b&#62;doubts&#60;/b&#62; the tool &#38; says so",
        "kept input is escaped like everything else"
    );
    let beside = html
        .find("id=\"new-code-name-error\"")
        .expect("the error stands beside the name field");
    let name_field = html.find("<input name=\"name\"").unwrap();
    assert!(beside > name_field);
    assert!(html.contains("aria-describedby=\"new-code-name-error\""));
    assert!(html.contains("aria-invalid=\"true\""));

    // Shown once: the next visit starts from an empty form.
    let (_, again) = browser.page(&codebook).await;
    assert_eq!(input_value(&again, "color"), "#4e79a7");
    assert!(!again.contains("new-code-name-error\">"));
}

#[tokio::test]
async fn a_refused_member_keeps_the_name_and_role_and_the_error_is_about_the_name() {
    let app = spawn_app().await;
    app.create_user("ada", true).await;
    let ada = app.api_for("ada").await;
    let project = ada.create_project("Pilot").await;
    let browser = app.browser_signed_in("ada").await;
    let page = format!("/projects/{project}/members");
    let refused = browser
        .submit(
            &page,
            &format!("/projects/{project}/members"),
            &[("username", "nobody-here"), ("role", "viewer")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.page(&page).await;
    assert_eq!(input_value(&html, "username"), "nobody-here");
    assert!(html.contains("<option value=\"viewer\" selected>"));
    assert!(html.contains("id=\"member-username-error\""));
}

#[tokio::test]
async fn a_refused_account_keeps_the_user_name_but_never_the_password() {
    let app = spawn_app().await;
    app.create_user("ada", true).await;
    let browser = app.browser_signed_in("ada").await;
    let refused = browser
        .submit(
            "/admin/users",
            "/admin/users",
            &[("username", "new.coder"), ("password", "short")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.page("/admin/users").await;
    assert_eq!(input_value(&html, "username"), "new.coder");
    assert!(!html.contains("short\""), "a password is never sent back");
    assert!(html.contains("id=\"new-user-password-error\""), "{html}");
}
