//! Who sees and makes which coding: blind coding hides other coders everywhere (lists,
//! counts, the coding page, coverage), coder filters reveal no accounts, and viewers and
//! non-members cannot code.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::study;

#[tokio::test]
async fn blind_coding_hides_other_coders_everywhere_for_coders_only() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let alice_excerpt = s.excerpt(&s.alice, "I trust it", &[trust]).await;
    s.excerpt(&s.bob, "It helps me think", &[trust]).await;
    let (status, project) = s
        .owner
        .patch(
            &format!("/projects/{}", s.project),
            json!({ "blind_coding": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(project["blind_coding"], true);
    let (status, _) = s
        .alice
        .patch(
            &format!("/projects/{}", s.project),
            json!({ "blind_coding": false }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only owners switch blind mode"
    );

    let bob_sees = s.excerpts(&s.bob, "").await;
    assert_eq!(bob_sees.len(), 1);
    assert_eq!(bob_sees[0].coder, "bob");
    let (status, _) = s
        .bob
        .get(&format!("/documents/{}/excerpts?coder=alice", s.document))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s.bob.get(&format!("/excerpts/{}", alice_excerpt.id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.bob.codebook(s.project).await[0].excerpts_all,
        1,
        "counts reveal nothing either"
    );

    assert_eq!(
        s.excerpts(&s.owner, "").await.len(),
        2,
        "owners still see everyone"
    );
    let viewer = s.app.api_user("vera").await;
    s.owner.add_member(s.project, "vera", "viewer").await;
    assert_eq!(s.excerpts(&viewer, "").await.len(), 2, "viewers too");
    assert_eq!(s.owner.codebook(s.project).await[0].excerpts_all, 2);

    // The coding page embeds only what the coder may see.
    let browser = s.app.browser_signed_in("bob").await;
    let (_, html) = browser.page(&format!("/documents/{}", s.document)).await;
    assert!(html.contains("\"coder\":\"bob\""));
    assert!(
        !html.contains("\"coder\":\"alice\""),
        "alice's excerpt is not sent to bob"
    );
}

#[tokio::test]
async fn coding_is_closed_to_viewers_and_non_members() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let excerpt = s.excerpt(&s.alice, "I trust it", &[trust]).await.id;
    let viewer = s.app.api_user("vera").await;
    s.owner.add_member(s.project, "vera", "viewer").await;
    let stranger = s.app.api_user("eve").await;

    let (status, _) = viewer
        .post(
            &format!("/documents/{}/excerpts", s.document),
            json!({ "start": 0, "end": 3 }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = viewer
        .post(
            &format!("/projects/{}/codes", s.project),
            json!({ "name": "Mine" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    for (method, path) in [
        (Method::GET, format!("/projects/{}/codes", s.project)),
        (Method::POST, format!("/projects/{}/codes", s.project)),
        (Method::GET, format!("/codes/{trust}")),
        (Method::PATCH, format!("/codes/{trust}")),
        (Method::DELETE, format!("/codes/{trust}")),
        (Method::POST, format!("/codes/{trust}/merge")),
        (Method::GET, format!("/documents/{}/excerpts", s.document)),
        (Method::POST, format!("/documents/{}/excerpts", s.document)),
        (Method::GET, format!("/excerpts/{excerpt}")),
        (Method::PATCH, format!("/excerpts/{excerpt}")),
        (Method::DELETE, format!("/excerpts/{excerpt}")),
        (Method::GET, format!("/projects/{}/codebook.csv", s.project)),
    ] {
        let response = stranger
            .request(method.clone(), &path)
            .json(&json!({ "name": "x", "start": 0, "end": 3, "into": trust }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
}

#[tokio::test]
async fn document_lists_report_how_much_is_coded() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    s.excerpt(&s.alice, "I trust it for drafts", &[trust]).await;
    s.excerpt(&s.bob, "trust it for drafts, not", &[trust])
        .await;
    let listed = s.owner.documents(s.project, "").await.items;
    let overlap_union = "I trust it for drafts, not".chars().count();
    assert_eq!(listed[0].coded, overlap_union, "overlaps count once");
    s.code_blind().await;
    let listed = s.alice.documents(s.project, "").await.items;
    assert_eq!(
        listed[0].coded,
        "I trust it for drafts".chars().count(),
        "blind: only your own coding"
    );
}

#[tokio::test]
async fn coder_filters_do_not_reveal_which_accounts_exist() {
    let s = study().await;
    s.app.create_user("outsider", false).await;
    let filtered = |coder: &str| format!("/documents/{}/excerpts?coder={coder}", s.document);
    let (unknown_status, unknown) = s.alice.get(&filtered("ghost")).await;
    let (outsider_status, outsider) = s.alice.get(&filtered("outsider")).await;
    assert_eq!(unknown_status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        outsider_status, unknown_status,
        "an existing non-member looks like an unknown name"
    );
    assert_eq!(
        crate::helpers::error_of(&unknown)
            .message
            .replace("ghost", "X"),
        crate::helpers::error_of(&outsider)
            .message
            .replace("outsider", "X")
    );
    s.code_blind().await;
    let (a, _) = s.alice.get(&filtered("ghost")).await;
    let (b, _) = s.alice.get(&filtered("bob")).await;
    assert_eq!(
        (a, b),
        (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
        "blind coders cannot probe names at all"
    );
    let (status, _) = s.alice.get(&filtered("ALICE")).await;
    assert_eq!(status, StatusCode::OK, "your own name, in any case");
}
