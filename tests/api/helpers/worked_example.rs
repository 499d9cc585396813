//! The agreement specification's worked example (AGREEMENT.md §8), created through the API:
//! the fixture of the agreement and adjudication tests.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Api, Imported, TestApp, spawn_app};

pub struct Example {
    pub app: TestApp,
    /// "lead", the project's owner.
    pub owner: Api,
    pub project: i64,
    pub d1: i64,
    pub x: i64,
    pub y: i64,
}

/// AGREEMENT.md §8: coders a and b, codes X and Y, D1 (20 characters, turns [0,8) [8,14)
/// [14,20)) and D2 (10 characters, turns [0,5) [5,10)).
pub async fn worked_example() -> Example {
    let app = spawn_app().await;
    let owner = app.api_user("lead").await;
    let a = app.api_user("a").await;
    let b = app.api_user("b").await;
    let project = owner.create_project("Worked example").await;
    owner.add_member(project, "a", "coder").await;
    owner.add_member(project, "b", "coder").await;
    let document = |title: &str, text: &str, turns: Value| {
        let owner = &owner;
        let body = json!({ "title": title, "text": text, "turns": turns });
        async move {
            let created: Imported = owner
                .created(&format!("/projects/{project}/documents"), body)
                .await;
            created.id.expect("one document")
        }
    };
    let d1 = document(
        "D1",
        "abcdefghijklmnopqrst",
        json!([{ "speaker": "P", "start": 0, "end": 8 }, { "speaker": "Interviewer", "start": 8, "end": 14 }, { "speaker": "P", "start": 14, "end": 20 }]),
    )
    .await;
    let d2 = document("D2", "ABCDEFGHIJ", json!([{ "speaker": "P", "start": 0, "end": 5 }, { "speaker": "P", "start": 5, "end": 10 }])).await;
    let x = owner.create_code(project, json!({ "name": "X" })).await.id;
    let y = owner.create_code(project, json!({ "name": "Y" })).await.id;
    for (coder, doc, code, start, end) in [
        (&a, d1, x, 2, 10),
        (&a, d1, x, 16, 19),
        (&a, d1, y, 0, 4),
        (&a, d2, x, 0, 3),
        (&b, d1, x, 4, 10),
        (&b, d1, x, 17, 20),
        (&b, d1, y, 12, 14),
        (&b, d2, x, 0, 2),
        (&b, d2, x, 1, 3),
    ] {
        coder.create_excerpt(doc, start, end, &[code]).await;
    }
    Example {
        app,
        owner,
        project,
        d1,
        x,
        y,
    }
}

impl Example {
    /// `GET /projects/{id}/agreement?{query}` expecting `200 OK`: the report, as JSON (the
    /// figures are the contract, compared field by field).
    pub async fn report(&self, query: &str) -> Value {
        let (status, body) = self
            .owner
            .get(&format!("/projects/{}/agreement?{query}", self.project))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// The consensus set's excerpts on D1.
    pub async fn consensus(&self) -> Vec<super::Excerpt> {
        self.owner.excerpts(self.d1, "?coder=consensus").await.items
    }
}

/// Asserts that `actual` is a number within 1e-9 of `expected`.
pub fn close(actual: &Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number, got {actual}"));
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: {actual} != {expected}"
    );
}
