//! Co-occurrence through HTTP: known answers on the shared study, every scope, several
//! coders, blind isolation, the passages behind a cell, CSV formula safety, bad input.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Api, Study, error_code, study};

struct Codes {
    trust: i64,
    drafts: i64,
    doubt: i64,
}

/// Alice: "Honestly 💛 " (doubt) right before "I trust it for drafts" (trust), adjacent;
/// "drafts, not for decisions" (drafts) overlapping it on "drafts"; "It helps me think"
/// (trust); "Because the café owner" with trust and drafts both. Bob: "I trust it for
/// drafts" with trust and doubt.
async fn coded_study() -> (Study, Codes) {
    let s = study().await;
    let codes = Codes {
        trust: s.code(&s.owner, "Trust").await,
        drafts: s.code(&s.owner, "Drafts").await,
        doubt: s.code(&s.owner, "Doubt").await,
    };
    s.excerpt(&s.alice, "Honestly 💛 ", &[codes.doubt]).await;
    s.excerpt(&s.alice, "I trust it for drafts", &[codes.trust])
        .await;
    s.excerpt(&s.alice, "drafts, not for decisions", &[codes.drafts])
        .await;
    s.excerpt(&s.alice, "It helps me think", &[codes.trust])
        .await;
    s.excerpt(
        &s.alice,
        "Because the caf\u{e9} owner",
        &[codes.trust, codes.drafts],
    )
    .await;
    s.excerpt(&s.bob, "I trust it for drafts", &[codes.trust, codes.doubt])
        .await;
    (s, codes)
}

async fn table(api: &Api, s: &Study, query: &str) -> Value {
    let (status, body) = api
        .get(&format!("/projects/{}/cooccurrence?{query}", s.project))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// `(count, c)` of a cell, `(0, 0)` when absent; and `n` of a code.
fn cell(table: &Value, a: i64, b: i64) -> (u64, f64) {
    let (a, b) = (a.min(b), a.max(b));
    table["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["a"] == a && c["b"] == b)
        .map_or((0, 0.0), |c| {
            (c["count"].as_u64().unwrap(), c["c"].as_f64().unwrap())
        })
}

fn n(table: &Value, code: i64) -> u64 {
    table["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == code)
        .map(|c| c["n"].as_u64().unwrap())
        .unwrap()
}

#[tokio::test]
async fn overlap_counts_pairs_and_adjacent_excerpts_do_not_meet() {
    let (s, k) = coded_study().await;
    let t = table(&s.owner, &s, "coders=alice").await;
    // The "drafts" overlap and the excerpt carrying both: 2 pairs; trust on 3 excerpts.
    assert_eq!((n(&t, k.trust), n(&t, k.drafts)), (3, 2));
    assert_eq!(cell(&t, k.trust, k.drafts), (2, 2.0 / 3.0));
    // "Honestly 💛 " ends where "I trust" starts: adjacent, no shared code point.
    assert_eq!(cell(&t, k.doubt, k.trust), (0, 0.0));
    assert_eq!(t["scope"], "overlap");
    assert_eq!(t["coders"], serde_json::json!(["alice"]));
    // Adding bob (his own excerpt carries trust and doubt) adds his pair only.
    let both = table(&s.owner, &s, "coders=alice,bob").await;
    assert_eq!(cell(&both, k.doubt, k.trust), (1, 1.0 / (4.0 + 2.0 - 1.0)));
    assert_eq!(cell(&both, k.trust, k.drafts).0, 2);
    let everyone = table(&s.owner, &s, "").await;
    assert_eq!(everyone["cells"], both["cells"]);
}

async fn digested_documents(s: &Study) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM coding_digests")
        .fetch_one(&s.app.db)
        .await
        .unwrap()
}

/// Waits for the digests a table stores in the background after it.
async fn wait_for_digests(s: &Study) {
    for _ in 0..200 {
        if digested_documents(s).await > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no coding digest was stored after a co-occurrence table");
}

/// The first table stores the document's coding as a digest for the next; a change to
/// the coding afterwards is in the next table all the same.
#[tokio::test]
async fn tables_follow_the_coding_after_its_digest_is_kept() {
    let (s, k) = coded_study().await;
    let first = table(&s.owner, &s, "coders=alice").await;
    wait_for_digests(&s).await;
    assert_eq!(table(&s.owner, &s, "coders=alice").await, first);
    assert_eq!(cell(&first, k.doubt, k.trust), (0, 0.0));
    // Doubt on "It helps me think" meets alice's trust there; the digest must not hide it.
    s.excerpt(&s.alice, "It helps me think", &[k.doubt]).await;
    assert_eq!(
        digested_documents(&s).await,
        0,
        "the change drops the digest"
    );
    let after = table(&s.owner, &s, "coders=alice").await;
    assert_eq!(
        (n(&after, k.doubt), cell(&after, k.doubt, k.trust).0),
        (2, 1)
    );
    wait_for_digests(&s).await;
    assert_eq!(table(&s.owner, &s, "coders=alice").await, after);
}

#[tokio::test]
async fn turn_and_document_scopes_count_units() {
    let (s, k) = coded_study().await;
    let t = table(&s.owner, &s, "coders=alice&scope=turn").await;
    // Doubt and trust share the first answer; trust and drafts meet in both answers.
    assert_eq!(cell(&t, k.doubt, k.trust), (1, 1.0 / 2.0));
    assert_eq!(cell(&t, k.trust, k.drafts), (2, 1.0));
    let d = table(&s.owner, &s, "coders=alice&scope=document").await;
    assert_eq!(cell(&d, k.doubt, k.drafts), (1, 1.0));
    assert_eq!(n(&d, k.trust), 1);
    // Two coders in one document are two units.
    let d = table(&s.owner, &s, "coders=alice,bob&scope=document").await;
    assert_eq!((n(&d, k.trust), cell(&d, k.doubt, k.trust).0), (2, 2));
}

#[tokio::test]
async fn a_blind_coder_sees_only_their_own_coding() {
    let (s, k) = coded_study().await;
    s.code_blind().await;
    let mine = table(&s.bob, &s, "").await;
    assert_eq!(mine["coders"], serde_json::json!(["bob"]));
    assert_eq!(cell(&mine, k.trust, k.doubt), (1, 1.0));
    assert_eq!(cell(&mine, k.trust, k.drafts), (0, 0.0));
    assert_eq!(n(&mine, k.trust), 1, "alice's excerpts are not counted");
    let base = format!("/projects/{}/cooccurrence", s.project);
    for path in [
        format!("{base}?coders=alice"),
        format!("{base}?coders=consensus"),
        format!("{base}.csv?coders=alice"),
        format!("{base}/passages?coders=alice&a={}&b={}", k.trust, k.drafts),
    ] {
        let (status, body) = s.bob.get(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    let (_, passages) = s
        .bob
        .get(&format!("{base}/passages?a={}&b={}", k.trust, k.drafts))
        .await;
    assert_eq!(passages["count"], 0, "{passages}");
    // The owner still sees everyone.
    assert_eq!(cell(&table(&s.owner, &s, "").await, k.trust, k.drafts).0, 2);
}

#[tokio::test]
async fn a_cell_opens_the_passages_where_the_codes_meet() {
    let (s, k) = coded_study().await;
    let (status, p) = s
        .owner
        .get(&format!(
            "/projects/{}/cooccurrence/passages?coders=alice&a={}&b={}",
            s.project, k.trust, k.drafts
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["count"], 2);
    let texts: Vec<&str> = p["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["drafts", "Because the caf\u{e9} owner"]);
    let first = &p["passages"][0];
    assert_eq!(first["document_id"], s.document);
    assert_eq!(first["coder"], "alice");
    assert_eq!(first["with_a"][0]["text"], "I trust it for drafts");
    assert_eq!(first["with_b"][0]["text"], "drafts, not for decisions");
    let (start, end) = s.find("drafts");
    assert_eq!(
        (first["start"].as_u64(), first["end"].as_u64()),
        (Some(start as u64), Some(end as u64))
    );
}

#[tokio::test]
async fn the_csv_is_formula_safe_and_matches_the_table() {
    let s = study().await;
    let formula = s.code(&s.owner, "=HYPERLINK(\"http://evil\")").await;
    let plain = s.code(&s.owner, "Plain").await;
    s.excerpt(&s.alice, "I trust it", &[formula, plain]).await;
    let response = s
        .owner
        .request(
            Method::GET,
            &format!("/projects/{}/cooccurrence.csv", s.project),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("cooccurrence")
    );
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{body}");
    let row = &rows[0];
    let names = [&row[1], &row[3]];
    assert!(names.contains(&"'=HYPERLINK(\"http://evil\")"), "{body}");
    assert!(names.contains(&"Plain"));
    assert_eq!((&row[6], &row[7]), ("1", "1.0000"));
}

#[tokio::test]
async fn bad_parameters_are_422_naming_the_field() {
    let (s, k) = coded_study().await;
    let base = format!("/projects/{}/cooccurrence", s.project);
    for (path, field) in [
        (format!("{base}?scope=sentence"), "scope"),
        (format!("{base}.csv?scope=paragraph"), "scope"),
        (format!("{base}?coders=nobody"), "coders"),
        (format!("{base}/passages?a=x&b={}", k.trust), "a"),
        (format!("{base}/passages?a={}", k.trust), "b"),
        (format!("{base}/passages?a={}&b=999999", k.trust), "b"),
        (format!("{base}/passages?a={0}&b={0}", k.trust), "b"),
    ] {
        let (status, body) = s.owner.get(&path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(error_code(&body), "invalid", "{path}");
        assert_eq!(body["error"]["field"], field, "{path}: {body}");
    }
}
