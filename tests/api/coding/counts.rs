//! The codebook's usage counts (`code_usage`, kept by SQLite triggers) stay exact through
//! every kind of change, and a database from before the counters gets them filled in.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::study;

#[tokio::test]
async fn codebook_counts_stay_exact_through_every_change() {
    let s = study().await;
    let second = s.another_document().await;
    let documents = [s.document, second];
    let trust = s.code(&s.owner, "Trust").await;
    let doubt = s.code(&s.owner, "Doubt").await;
    let spare = s.code(&s.owner, "Spare").await;

    let a1 = s.excerpt(&s.alice, "I trust it", &[trust, doubt]).await;
    let a2 = s.excerpt(&s.alice, "It helps me think.", &[trust]).await;
    s.excerpt(&s.bob, "I trust it", &[trust, doubt, spare])
        .await;
    s.consensus_excerpt(0, 11, &[trust]).await;
    s.bob.create_excerpt(second, 0, 11, &[doubt, spare]).await;
    s.assert_counts_are_exact(&documents, "created").await;

    let (status, _) = s
        .alice
        .patch(
            &format!("/excerpts/{}", a1.id),
            json!({ "add_code_ids": [spare], "remove_code_ids": [trust], "version": a1.version }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s
        .alice
        .patch(
            &format!("/excerpts/{}", a2.id),
            json!({ "code_ids": [doubt, spare] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    s.assert_counts_are_exact(&documents, "codes changed").await;

    // Moving an excerpt changes its characters but not the codebook's counts.
    let moved = s.alice.excerpt(a2.id).await;
    let (status, body) = s
        .alice
        .patch(
            &format!("/excerpts/{}", a2.id),
            json!({ "start": moved.start - 4, "end": moved.end, "version": moved.version }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.assert_counts_are_exact(&documents, "moved").await;

    // A code removed, nothing added: only the code's row says the document changed.
    let current = s.alice.excerpt(a1.id).await;
    let (status, body) = s
        .alice
        .patch(
            &format!("/excerpts/{}", a1.id),
            json!({ "remove_code_ids": [doubt], "version": current.version }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.assert_counts_are_exact(&documents, "code removed").await;

    let (status, _) = s
        .owner
        .post(&format!("/codes/{doubt}/merge"), json!({ "into": spare }))
        .await;
    assert_eq!(status, StatusCode::OK);
    s.assert_counts_are_exact(&documents, "merged").await;

    let (status, _) = s.alice.delete(&format!("/excerpts/{}", a2.id)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    s.assert_counts_are_exact(&documents, "excerpt deleted")
        .await;

    let (status, _) = s.owner.delete(&format!("/documents/{second}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    s.assert_counts_are_exact(&documents, "document deleted")
        .await;

    let (status, _) = s.owner.delete(&format!("/codes/{trust}")).await;
    assert!(status.is_success(), "{status}");
    s.assert_counts_are_exact(&documents, "code deleted").await;
    assert_eq!(
        s.owner.codebook(s.project).await[0].excerpts_all,
        2,
        "alice's and bob's remaining excerpts keep Spare"
    );
}

/// A database from before the codebook counters (migrations 0005 and 0006) gets them,
/// filled from the excerpts it already holds.
#[tokio::test]
async fn upgrading_a_database_fills_the_codebook_counters() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let doubt = s.code(&s.owner, "Doubt").await;
    s.excerpt(&s.alice, "I trust it", &[trust, doubt]).await;
    s.excerpt(&s.alice, "It helps me think.", &[trust]).await;
    s.excerpt(&s.bob, "I trust it", &[doubt]).await;
    s.consensus_excerpt(0, 11, &[trust]).await;

    sqlx::raw_sql(
        "DROP TRIGGER code_usage_on_apply; DROP TRIGGER code_usage_on_remove;
         DROP TRIGGER code_usage_on_excerpt_delete; DROP TRIGGER excerpts_owner_is_fixed;
         DROP TABLE code_usage;
         DROP INDEX excerpts_by_project_document; DROP INDEX documents_by_project;
         CREATE INDEX documents_by_project ON documents(project_id, id);
         DELETE FROM _sqlx_migrations WHERE version IN (5, 6);",
    )
    .execute(&s.app.db)
    .await
    .unwrap();
    sqlx::migrate!("./migrations").run(&s.app.db).await.unwrap();

    s.assert_counts_are_exact(&[s.document], "after the upgrade")
        .await;
    let all: Vec<i64> = s
        .owner
        .codebook(s.project)
        .await
        .iter()
        .map(|c| c.excerpts_all)
        .collect();
    assert_eq!(all, [2, 2], "Trust: alice twice; Doubt: alice and bob");
    s.excerpt(&s.bob, "Why not decisions?", &[trust]).await;
    s.assert_counts_are_exact(&[s.document], "the triggers run after the upgrade")
        .await;
}
