use super::*;

#[test]
fn the_demo_has_twenty_one_interviews_with_their_attribution() {
    let documents = documents();
    assert_eq!(documents.len(), 21);
    assert_eq!(documents[0].document.title, "Dialog 00355");
    assert!(
        !documents[0].document.text.contains("â€"),
        "mojibake repaired"
    );
    for item in &documents {
        assert!(item.document.turns.len() > 5, "{}", item.document.title);
        assert!(
            item.document
                .attributes
                .contains(&("Source".to_owned(), SOURCE.to_owned()))
        );
    }
    assert!(description().contains("CC-BY") && description().contains("Handa"));
}

#[test]
fn the_coding_is_repeatable() {
    let (a, b) = (documents(), documents());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.coding, y.coding);
        assert_eq!(x.decisions, y.decisions);
    }
}

#[test]
fn excerpts_are_trimmed_in_range_and_code_leaves() {
    for item in documents() {
        let chars: Vec<char> = item.document.text.chars().collect();
        for excerpt in item.coding.iter().flatten() {
            assert!(excerpt.start < excerpt.end && excerpt.end <= chars.len());
            assert!(!chars[excerpt.start].is_whitespace());
            assert!(!chars[excerpt.end - 1].is_whitespace());
            assert!(!excerpt.codes.is_empty());
            assert!(
                excerpt
                    .codes
                    .iter()
                    .all(|&c| CODEBOOK[c].parent.is_some() || c == 12)
            );
        }
    }
}

#[test]
fn the_coders_overlap_partly_and_disagree_sometimes() {
    let documents = documents();
    let (mut same, mut only_one) = (0, 0);
    for item in &documents {
        let [first, second] = &item.coding;
        assert!(
            !first.is_empty() && !second.is_empty(),
            "{}",
            item.document.title
        );
        for excerpt in first {
            match second.iter().any(|e| {
                e.start == excerpt.start && e.end == excerpt.end && e.codes == excerpt.codes
            }) {
                true => same += 1,
                false => only_one += 1,
            }
        }
    }
    assert!(same > 50, "agreeing excerpts: {same}");
    assert!(only_one > 50, "disagreeing excerpts: {only_one}");
}

#[test]
fn part_is_adjudicated_with_every_kind_of_decision() {
    let documents = documents();
    let decided: Vec<&Decision> = documents.iter().flat_map(|d| &d.decisions).collect();
    assert!(documents[0].decisions.len() > 3);
    assert!(
        documents[10].decisions.is_empty(),
        "only part is adjudicated"
    );
    for kind in [
        Decided::Accept(0),
        Decided::Accept(1),
        Decided::NotApplicable,
    ] {
        assert!(decided.iter().any(|d| d.decided == kind), "{kind:?}");
    }
    for decision in decided {
        assert!(
            decision
                .consensus
                .iter()
                .all(|&(s, e)| decision.start <= s && e <= decision.end)
        );
        assert_eq!(
            decision.consensus.is_empty(),
            decision.decided == Decided::NotApplicable
        );
    }
}

#[test]
fn most_documents_are_complete_for_both_coders() {
    let documents = documents();
    let both = documents
        .iter()
        .filter(|d| d.complete == [true, true])
        .count();
    assert_eq!(both, 17);
    assert_eq!(documents.last().unwrap().complete, [false, false]);
}
