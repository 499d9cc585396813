//! Gloss → `.qdpx` → Gloss reproduces the project: documents (text, turns, speakers,
//! roles, attributes), the codebook (hierarchy, colours, definitions), every excerpt
//! (coder, codes, memo, exact offsets), and the agreement report's figures.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use super::export::coded_study;
use super::support::{download, import};
use crate::helpers::{Api, kept_counts};

/// Everything a project holds that the round trip must keep, without ids.
async fn contents(api: &Api, project: i64) -> Value {
    let (_, codes) = api.get(&format!("/projects/{project}/codes")).await;
    let codes: Vec<Value> = codes["codes"]
        .as_array()
        .or(codes["items"].as_array())
        .or(codes.as_array())
        .unwrap_or_else(|| panic!("{codes}"))
        .clone();
    let path_of = |id: &Value| {
        codes
            .iter()
            .find(|c| c["id"] == *id)
            .map(|c| c["path"].clone())
            .unwrap()
    };
    let codebook: Vec<Value> = codes
        .iter()
        .map(|c| serde_json::json!([c["path"], c["color"], c["description"], c["depth"]]))
        .collect();
    let mut documents = Vec::new();
    for listed in api.documents(project, "").await.items {
        let document = api.document(listed.id).await;
        let turns: Vec<Value> = document
            .turns
            .iter()
            .map(|t| serde_json::json!([t.speaker, t.start, t.end]))
            .collect();
        let mut excerpts: BTreeSet<String> = BTreeSet::new();
        for query in ["", "?coder=consensus"] {
            for e in api.excerpts(listed.id, query).await.items {
                let mut codes: Vec<Value> = e
                    .code_ids
                    .iter()
                    .map(|id| path_of(&Value::from(*id)))
                    .collect();
                codes.sort_by_key(|c| c.to_string());
                excerpts.insert(
                    serde_json::json!([
                        e.coder,
                        e.consensus,
                        e.start,
                        e.end,
                        e.text,
                        e.memo,
                        codes
                    ])
                    .to_string(),
                );
            }
        }
        documents.push(serde_json::json!({
            "title": document.title,
            "text": document.text,
            "turns": turns,
            "attributes": document.attributes,
            "coded": listed.coded,
            "excerpts": excerpts,
        }));
    }
    let (_, speakers) = api.get(&format!("/projects/{project}/speakers")).await;
    serde_json::json!({ "codebook": codebook, "documents": documents, "speakers": speakers })
}

/// A report with every id removed (ids differ between the two projects).
fn without_ids(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !(k.as_str() == "id" || k.ends_with("_id") || k.ends_with("_ids")))
                .map(|(k, v)| (k.clone(), without_ids(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_ids).collect()),
        other => other.clone(),
    }
}

/// Exports the study's project as `.qdpx` and imports it as the owner (matching users by
/// name): the copy's id and the import's answer.
async fn export_and_import(s: &crate::helpers::Study) -> (i64, Value) {
    let (status, bytes) =
        download(&s.owner, &format!("/projects/{}/project.qdpx", s.project)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = import(&s.owner, bytes, true).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (body["project"]["id"].as_i64().unwrap(), body)
}

#[tokio::test]
async fn gloss_to_qdpx_to_gloss_reproduces_the_project_and_its_agreement() {
    let (s, _) = coded_study().await;
    let (copy, body) = export_and_import(&s).await;
    let summary = &body["summary"];
    assert_eq!(
        summary["coders_matched"],
        serde_json::json!(["alice", "bob"]),
        "{summary}"
    );
    assert!(
        summary["not_imported"].as_object().unwrap().is_empty(),
        "{summary}"
    );
    for source in summary["sources"].as_array().unwrap() {
        assert!(
            source["offset_model"]
                .as_str()
                .unwrap()
                .contains("standard"),
            "{source}"
        );
        assert_eq!(source["aligned"], source["checked"], "{source}");
    }
    let original = contents(&s.owner, s.project).await;
    let copied = contents(&s.owner, copy).await;
    assert_eq!(original["codebook"], copied["codebook"]);
    assert_eq!(original["speakers"], copied["speakers"]);
    for (a, b) in original["documents"]
        .as_array()
        .unwrap()
        .iter()
        .zip(copied["documents"].as_array().unwrap())
    {
        for field in ["title", "text", "turns", "attributes", "coded", "excerpts"] {
            assert_eq!(a[field], b[field], "{field} of {}", a["title"]);
        }
    }
    assert_eq!(original["documents"].as_array().unwrap().len(), 3);
    assert_kept_counts_of_the_copy(&s, copy).await;
    for query in [
        "coders=alice,bob",
        "coders=alice,bob&unit=turn",
        "coders=alice,consensus",
    ] {
        let (_, before) = s
            .owner
            .get(&format!("/projects/{}/agreement?{query}", s.project))
            .await;
        let (_, after) = s
            .owner
            .get(&format!("/projects/{copy}/agreement?{query}"))
            .await;
        assert!(before.get("error").is_none(), "{before}");
        assert_eq!(without_ids(&before), without_ids(&after), "{query}");
    }
    // The imported project exports again with the GUIDs it was given where they were
    // free (the documents and excerpts here already exist, so they got new ones).
    let (status, _) = download(&s.owner, &format!("/projects/{copy}/project.qdpx")).await;
    assert_eq!(status, StatusCode::OK);
}

/// The import counts the kept analysis counts itself (no recount at commit): the copy's
/// tables equal a count of its own excerpts, per coder and for the consensus set, and a
/// blind coder's coded share of each document equals the original's.
async fn assert_kept_counts_of_the_copy(s: &crate::helpers::Study, copy: i64) {
    let mut excerpts = Vec::new();
    for listed in s.owner.documents(copy, "").await.items {
        for query in ["?limit=1000", "?coder=consensus&limit=1000"] {
            excerpts.extend(s.owner.excerpts(listed.id, query).await.items);
        }
    }
    excerpts.sort_by_key(|e| e.id);
    excerpts.dedup_by_key(|e| e.id);
    assert!(
        excerpts.iter().any(|e| e.consensus),
        "the study has a consensus set"
    );
    for set in ["alice", "consensus"] {
        kept_counts::assert_tables_match(&s.owner, copy, set, &excerpts, "imported").await;
    }
    let mut shares = Vec::new();
    for project in [s.project, copy] {
        let blind = serde_json::json!({ "blind_coding": true });
        let (status, body) = s.owner.patch(&format!("/projects/{project}"), blind).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let listed = s.alice.documents(project, "").await.items;
        shares.push(
            listed
                .iter()
                .map(|d| (d.title.clone(), d.coded))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(shares[0], shares[1], "alice's coded shares");
}

/// An import holds excerpts and their codes across documents and writes them 1,000 rows
/// a statement: a project with more than that, whose documents end mid-statement, comes
/// back whole, every kept count right.
#[tokio::test]
async fn a_project_larger_than_one_statement_of_rows_round_trips_exactly() {
    let (s, _) = coded_study().await;
    let codes = [
        s.code(&s.owner, "Bulk one").await,
        s.code(&s.owner, "Bulk two").await,
    ];
    let mut added = 0;
    for listed in s.owner.documents(s.project, "").await.items {
        let text = s.owner.document(listed.id).await.text;
        let length = text.chars().count();
        // Spans that start on a letter (a span of only whitespace is refused).
        let letters: Vec<usize> = text
            .chars()
            .enumerate()
            .filter(|(_, c)| !c.is_whitespace())
            .map(|(i, _)| i)
            .collect();
        for (k, coder) in [&s.alice, &s.bob].into_iter().enumerate() {
            let excerpts: Vec<Value> = (0..450)
                .map(|i| {
                    let start = letters[(i * 7 + k * 3) % letters.len()];
                    let end = (start + 1 + i % 9).min(length);
                    let applied = if i % 2 == 0 {
                        &codes[..]
                    } else {
                        &codes[k..=k]
                    };
                    serde_json::json!({ "start": start, "end": end, "code_ids": applied })
                })
                .collect();
            let (status, body) = coder
                .post(
                    &format!("/documents/{}/excerpts/batch", listed.id),
                    serde_json::json!({ "excerpts": excerpts }),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            added += 450;
        }
    }
    assert!(added > 2 * 1000, "more than two statements of excerpts");
    let (copy, _) = export_and_import(&s).await;
    let original = contents(&s.owner, s.project).await;
    let copied = contents(&s.owner, copy).await;
    assert_eq!(original["documents"], copied["documents"]);
    assert_kept_counts_of_the_copy(&s, copy).await;
}
