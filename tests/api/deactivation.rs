//! Administrators deactivate and reactivate accounts: sessions and tokens end at once,
//! the work stays attributed (issue 15).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Browser, PASSWORD, error_of, spawn_app};

#[tokio::test]
async fn a_deactivated_account_is_signed_out_everywhere_and_keeps_its_work() {
    let app = spawn_app().await;
    app.create_user("root", true).await;
    let owner = app.api_user("olga").await;
    let bob = app.api_user("bob").await;
    let project = owner.create_project("Study").await;
    owner.add_member(project, "bob", "coder").await;
    let document = owner
        .create_document(project, "Interview", "User: hello there\nAI: hi")
        .await;
    let code = owner
        .create_code(project, json!({ "name": "Greeting" }))
        .await
        .id;
    bob.create_excerpt(document, 6, 11, &[code]).await;
    let bobs_browser = app.browser_signed_in("bob").await;
    assert_eq!(bobs_browser.page("/").await.0, StatusCode::OK);

    let admin = app.browser_signed_in("root").await;
    let response = admin
        .submit("/admin/users", "/admin/users/bob/active", &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, listed) = admin.page("/admin/users").await;
    assert!(listed.contains("deactivated"), "the list says so");

    assert_eq!(
        bob.get("/me").await.0,
        StatusCode::UNAUTHORIZED,
        "token revoked"
    );
    let back = bobs_browser.get("/").await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER, "session ended");
    let again = Browser::new(&app.base);
    let refused = again.sign_in("bob", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("deactivated"));
    let wrong = Browser::new(&app.base)
        .sign_in("bob", "not the password")
        .await;
    assert_eq!(
        wrong.status(),
        StatusCode::UNAUTHORIZED,
        "without the password nothing tells that the account exists"
    );

    let excerpts = owner.excerpts(document, "").await;
    let coders: Vec<&str> = excerpts.items.iter().map(|e| e.coder.as_str()).collect();
    assert_eq!(coders, ["bob"], "the work stays attributed");

    let root = app.api_for("root").await;
    let (status, view) = root.patch("/users/bob", json!({ "active": true })).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["active"], true);
    assert_eq!(
        Browser::new(&app.base)
            .sign_in("bob", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        bob.get("/me").await.0,
        StatusCode::UNAUTHORIZED,
        "old tokens stay revoked"
    );

    let (_, log) = root.get("/users").await;
    let bob_listed = log["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "bob")
        .cloned()
        .unwrap();
    assert_eq!(bob_listed["active"], true);
}

#[tokio::test]
async fn administrators_cannot_lock_themselves_out_and_others_cannot_deactivate() {
    let app = spawn_app().await;
    app.create_user("root", true).await;
    let root = app.api_for("root").await;
    let olga = app.api_user("olga").await;
    let (status, body) = root.patch("/users/root", json!({ "active": false })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(error_of(&body).message.contains("your own account"));
    let (status, _) = olga.patch("/users/root", json!({ "active": false })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = root.patch("/users/ghost", json!({ "active": false })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(root.get("/me").await.0, StatusCode::OK);
}
