use super::*;

fn row(id: i64, title: &str, length: i64, coded: i64) -> Row {
    Row {
        id,
        title: title.to_owned(),
        length,
        turns: length / 10,
        coded,
        created_at: format!("2026-01-{id:02}"),
        attributes: vec![(
            "Site".into(),
            if id % 2 == 0 { "Leeds" } else { "York" }.into(),
        )],
        first_line: None,
    }
}

fn rows(n: i64) -> Vec<Row> {
    (1..=n)
        .map(|i| {
            row(
                i,
                &format!("Interview {i}"),
                100 + (i * 37) % 500,
                (i % 3) * 10,
            )
        })
        .collect()
}

fn ids(listing: &Listing) -> Vec<i64> {
    listing.rows.iter().map(|r| r.id).collect()
}

#[test]
fn pages_count_and_clamp() {
    let query = Query {
        per_page: 25,
        page: 2,
        ..Query::default()
    };
    let listing = browse(rows(60), &query);
    assert_eq!((listing.matching, listing.pages, listing.page), (60, 3, 2));
    assert_eq!(ids(&listing), (26..=50).collect::<Vec<_>>());
    let last = browse(
        rows(60),
        &Query {
            page: 99,
            ..query.clone()
        },
    );
    assert_eq!((last.page, last.rows.len()), (3, 10));
    let odd = browse(
        rows(60),
        &Query {
            per_page: 7,
            ..Query::default()
        },
    );
    assert_eq!(
        odd.per_page, DEFAULT_PAGE_SIZE,
        "unknown page sizes fall back"
    );
    let none = browse(Vec::new(), &Query::default());
    assert_eq!((none.pages, none.page, none.matching), (1, 1, 0));
}

#[test]
fn search_matches_every_word_in_title_or_attribute_values() {
    let search = |s: &str| {
        let query = Query {
            search: s.into(),
            per_page: 200,
            ..Query::default()
        };
        ids(&browse(rows(30), &query))
    };
    assert_eq!(search("interview 7"), [7, 17, 27]);
    assert_eq!(
        search("LEEDS 1"),
        [10, 12, 14, 16, 18],
        "every word, any case"
    );
    assert!(search("york").iter().all(|id| id % 2 == 1));
    assert!(search("nothing-like-this").is_empty());
}

#[test]
fn filters_by_attribute_and_coded() {
    let query = Query {
        attribute: Some(("Site".into(), "Leeds".into())),
        coded: Some(Coded::No),
        per_page: 200,
        ..Query::default()
    };
    let listing = browse(rows(30), &query);
    assert!(!listing.rows.is_empty());
    assert!(listing.rows.iter().all(|r| r.id % 2 == 0 && r.coded == 0));
    let coded = browse(
        rows(30),
        &Query {
            coded: Some(Coded::Yes),
            per_page: 200,
            ..Query::default()
        },
    );
    assert_eq!(coded.matching, 20);
}

#[test]
fn sorts_by_each_column_both_ways() {
    let all = |sort, descending| {
        let query = Query {
            sort,
            descending,
            per_page: 200,
            ..Query::default()
        };
        browse(rows(40), &query).rows
    };
    let by_title = all(SortKey::Title, false);
    assert_eq!(by_title[0].title, "Interview 1");
    assert_eq!(by_title[8].title, "Interview 9", "numbers sort as numbers");
    assert_eq!(by_title[9].title, "Interview 10");
    let longest = all(SortKey::Length, true);
    assert!(longest.windows(2).all(|w| w[0].length >= w[1].length));
    let coded = all(SortKey::Coded, true);
    assert!(
        coded
            .windows(2)
            .all(|w| w[0].coded * w[1].length >= w[1].coded * w[0].length)
    );
    let turns = all(SortKey::Turns, false);
    assert!(turns.windows(2).all(|w| w[0].turns <= w[1].turns));
    let newest = all(SortKey::Added, true);
    assert_eq!(newest[0].id, 40);
}

#[test]
fn id_like_titles_and_snippets() {
    assert!(looks_like_id("work_0001") && looks_like_id("P17") && looks_like_id("12"));
    assert!(!looks_like_id("Dialog 00355") && !looks_like_id("Amira"));
    assert_eq!(
        snippet("  I   use it\nfor email ", 50),
        "I use it for email"
    );
    assert_eq!(snippet("abcdef", 3), "abc…");
    for key in SortKey::ALL {
        assert_eq!(SortKey::parse(key.as_str()), Some(key));
    }
}
