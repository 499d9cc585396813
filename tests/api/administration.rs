//! Administrators manage accounts, on the users page and through the API; nobody else can.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Page, error_of, spawn_app};

#[tokio::test]
async fn admins_manage_users_and_others_cannot() {
    let app = spawn_app().await;
    app.create_user("root", true).await;
    app.create_user("alice", false).await;
    let admin = app.browser_signed_in("root").await;
    let response = admin
        .submit(
            "/admin/users",
            "/admin/users",
            &[("username", "bob"), ("password", "bob's password")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        gloss::db::users::by_username(&app.db, "bob")
            .await
            .unwrap()
            .is_some()
    );
    let response = admin
        .submit(
            "/admin/users",
            "/admin/users",
            &[("username", "bob"), ("password", "another one")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.page("/admin/users").await;
    assert!(html.contains("already taken"));

    let alice = app.browser_signed_in("alice").await;
    let (status, _) = alice.page("/admin/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let response = alice
        .submit(
            "/",
            "/admin/users",
            &[("username", "carol"), ("password", "carol's password")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        gloss::db::users::by_username(&app.db, "carol")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn administrators_manage_accounts_through_the_api() {
    let app = spawn_app().await;
    app.create_user("root", true).await;
    let admin = app.api_for("root").await;
    let alice = app.api_user("alice").await;
    let (status, created) = admin
        .post(
            "/users",
            json!({ "username": "bob", "password": "bob's password" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["is_admin"], false);
    let (status, _) = admin
        .post(
            "/users",
            json!({ "username": "bob", "password": "another one!" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = admin
        .post(
            "/users",
            json!({ "username": "carol", "password": "short" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body).field.as_deref(), Some("password"));
    let (status, promoted) = admin.patch("/users/bob", json!({ "is_admin": true })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(promoted["is_admin"], true);
    let users: Page<Value> = admin.get_ok("/users").await;
    assert_eq!(users.items.len(), 3);
    let (status, _) = admin
        .patch("/users/root", json!({ "is_admin": false }))
        .await;
    assert_eq!(status, StatusCode::OK, "bob is an administrator too now");
    let (status, _) = alice.get("/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = alice
        .post(
            "/users",
            json!({ "username": "mallory", "password": "long enough pw" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin
        .patch("/users/nobody", json!({ "password": "long enough pw" }))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "root is no longer an administrator"
    );
}
