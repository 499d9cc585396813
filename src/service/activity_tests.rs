use super::*;
use crate::domain::Role;
use crate::domain::import::SpeakerRole;

fn names() -> Names {
    Names {
        documents: [
            (3, "Dialog 00355".to_owned()),
            (4, "Dialog 00356".to_owned()),
        ]
        .into(),
        codes: [
            (1, "Trust".to_owned()),
            (2, "Hope".to_owned()),
            (5, "Fear".to_owned()),
        ]
        .into(),
    }
}

fn event(id: i64, who: Option<&str>, change: Change) -> LoggedEvent {
    LoggedEvent {
        id,
        username: who.map(str::to_owned),
        kind: "test".into(),
        payload: "{}".into(),
        change: Some(change),
        created_at: format!("2026-12-06T10:00:{id:02}Z"),
    }
}

fn coded(id: i64, who: &str, document_id: i64, code_ids: &[i64]) -> LoggedEvent {
    let change = Change::ExcerptCreated {
        excerpt_id: id,
        document_id,
        start: 0,
        end: 5,
        code_ids: code_ids.to_vec(),
        consensus: false,
    };
    event(id, Some(who), change)
}

fn sentences(entries: &[ActivityEntry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| format!("{} {}", e.who.as_deref().unwrap_or("-"), e.sentence))
        .collect()
}

#[test]
fn a_run_of_coding_in_one_document_is_one_sentence_with_every_code_named() {
    let log = vec![
        coded(9, "ada", 3, &[1]),
        coded(8, "ada", 3, &[2, 1]),
        coded(7, "ada", 3, &[1]),
    ];
    let entries = group(log, &names());
    assert_eq!(
        sentences(&entries),
        ["ada coded 3 passages in “Dialog 00355” with Trust and Hope"]
    );
    assert_eq!(entries[0].events.len(), 3);
    assert_eq!(
        entries[0].at, "2026-12-06T10:00:09Z",
        "the newest event's time"
    );
}

#[test]
fn a_run_ends_at_another_person_another_document_or_another_kind() {
    let log = vec![
        coded(9, "ada", 3, &[1]),
        coded(8, "bo", 3, &[1]),
        coded(7, "bo", 4, &[5]),
        event(
            6,
            Some("bo"),
            Change::DocumentCompletion {
                document_id: 4,
                complete: true,
            },
        ),
        coded(5, "bo", 4, &[5]),
    ];
    assert_eq!(
        sentences(&group(log, &names())),
        [
            "ada coded a passage in “Dialog 00355” with Trust",
            "bo coded a passage in “Dialog 00355” with Trust",
            "bo coded a passage in “Dialog 00356” with Fear",
            "bo marked “Dialog 00356” complete",
            "bo coded a passage in “Dialog 00356” with Fear",
        ]
    );
}

#[test]
fn ids_of_deleted_documents_and_codes_still_read() {
    let entries = group(vec![coded(1, "ada", 99, &[42])], &names());
    assert_eq!(
        entries[0].sentence,
        "coded a passage in document #99 (since deleted) with code #42 (since deleted)"
    );
}

#[test]
fn long_code_lists_are_cut_short() {
    let names = Names {
        codes: (1..=6).map(|i| (i, format!("C{i}"))).collect(),
        ..Names::default()
    };
    assert_eq!(names.codes(&[1, 2, 3, 4]), "C1, C2, C3 and C4");
    assert_eq!(names.codes(&[1, 2, 3, 4, 5, 6]), "C1, C2, C3 and 3 more");
}

#[test]
fn single_changes_read_as_sentences() {
    let names = names();
    let say = |change: Change| predicate(&change, &names);
    assert_eq!(
        say(Change::MemberSet {
            username: "bo".into(),
            role: Role::Owner
        }),
        "made bo an owner"
    );
    assert_eq!(
        say(Change::SpeakerRoleChanged {
            label: "AI".into(),
            role: SpeakerRole::Participant,
        }),
        "made the speaker “AI” a participant"
    );
    assert_eq!(
        say(Change::ProjectUpdated {
            name: None,
            description_changed: false,
            archived: None,
            blind_coding: Some(true),
        }),
        "turned blind coding on"
    );
    assert_eq!(
        say(Change::CodeUpdated {
            code_id: 2,
            name: None,
            color: Some("#ff0000".into()),
            description_changed: false,
            parent_id: Some(Some(1)),
        }),
        "edited the code Hope: changed its colour and moved it under Trust"
    );
    assert_eq!(
        say(Change::AssignmentsChanged {
            document_ids: vec![3],
            coders: vec!["ada".into(), "bo".into()],
            assigned: true,
        }),
        "assigned “Dialog 00355” to ada, bo"
    );
}

#[test]
fn an_event_this_version_does_not_know_is_still_listed() {
    let mut unknown = coded(1, "ada", 3, &[1]);
    unknown.change = None;
    unknown.kind = "something.new".into();
    assert_eq!(
        group(vec![unknown], &names())[0].sentence,
        "made a change of a kind this version does not know (something.new)"
    );
}
