use super::super::test_support::{assert_document_invariants, corpus_file_or_skip, turn_text};
use super::*;

const EXCERPT: &[u8] = include_bytes!("../../../../tests/fixtures/anthropic_workforce_excerpt.csv");

fn parse(bytes: &[u8]) -> ParsedFile {
    parse_csv("set.csv", bytes, b',', &ImportOptions::default()).expect("parses")
}

#[test]
fn imports_the_corpus_excerpt() {
    let file = parse(EXCERPT);
    assert_eq!(file.format, SourceFormat::Csv);
    let ids: Vec<&str> = file.documents.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(ids, ["work_0000", "work_0645", "work_0848", "work_0981"]);
    for (row, document) in file.documents.iter().enumerate() {
        assert_eq!(document.external_id.as_deref(), Some(ids[row]));
        assert_eq!(document.source_row, Some(row + 1));
        assert!(document.attributes.is_empty());
        assert_eq!(document.turns[0].speaker, "Assistant");
        assert!(
            document
                .turns
                .iter()
                .skip(1)
                .all(|t| t.speaker == "AI" || t.speaker == "User")
        );
        assert_document_invariants(document);
    }
    assert_eq!(file.repairs, 0);
    assert!(file.notes.is_empty(), "{:?}", file.notes);
}

#[test]
fn emoji_rows_keep_code_point_offsets() {
    let file = parse(EXCERPT);
    let row = &file.documents[2];
    let index = (0..row.turns.len())
        .find(|&index| turn_text(row, index).contains('💛'))
        .expect("a turn with 💛");
    let body = turn_text(row, index);
    assert!(body.contains('🥹'));
    // The span in code points must match the same text found by bytes.
    let start_byte = row
        .text
        .char_indices()
        .nth(row.turns[index].start)
        .unwrap()
        .0;
    assert!(row.text[start_byte..].starts_with(&body));
    assert_eq!(
        row.text[..start_byte].chars().count(),
        row.turns[index].start
    );
}

#[test]
fn other_columns_become_attributes_and_ids_titles() {
    let csv = "Interview,Site,Transcript,Coder\n\
               int-1,Leeds,\"Interviewer: Hi\n\nMaria: Hello, there\n\nInterviewer: Bye\n\nMaria: Bye\",\n\
               int-2,,\"# Walk\n\nInterviewer: Bye\n\nMaria: Bye!\",Ann\n";
    let file = parse(csv.as_bytes());
    let [first, second] = file.documents.as_slice() else {
        panic!("two documents")
    };
    assert_eq!(
        (first.title.as_str(), first.external_id.as_deref()),
        ("int-1", Some("int-1"))
    );
    assert_eq!(first.attributes, [("Site".to_owned(), "Leeds".to_owned())]);
    assert_eq!(first.text, "Hi\n\nHello, there\n\nBye\n\nBye");
    assert_eq!(
        second.attributes,
        [
            ("Coder".to_owned(), "Ann".to_owned()),
            ("Title".to_owned(), "Walk".to_owned())
        ]
    );
}

#[test]
fn caller_chosen_columns_win_and_unknown_ones_are_errors() {
    let csv = "a,b,notes\nx,long long long text,User: q\n\nAI: r\n";
    let csv = csv.replace("User: q\n\nAI: r", "\"User: q\n\nAI: r\"");
    let options = ImportOptions {
        csv: CsvColumns {
            text_column: Some("Notes".to_owned()),
            id_column: Some("a".to_owned()),
        },
        ..ImportOptions::default()
    };
    let file = parse_csv("s.csv", csv.as_bytes(), b',', &options).unwrap();
    assert_eq!(file.documents[0].title, "x");
    assert_eq!(file.documents[0].turns.len(), 2);
    assert_eq!(
        file.documents[0].attributes,
        [("b".to_owned(), "long long long text".to_owned())]
    );
    let missing = ImportOptions {
        csv: CsvColumns {
            text_column: Some("body".to_owned()),
            id_column: None,
        },
        ..ImportOptions::default()
    };
    let error = parse_csv("s.csv", csv.as_bytes(), b',', &missing).unwrap_err();
    assert_eq!(
        error.to_string(),
        "“s.csv” has no column named “body”. Pick one of: a, b, notes."
    );
}

#[test]
fn without_an_id_column_titles_are_row_numbers() {
    let file = parse(b"speaker_notes,text\nsame,User: a\nsame,\"User: b\nAI: c\"\n");
    let titles: Vec<&str> = file.documents.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, ["Row 1", "Row 2"]);
    assert_eq!(file.documents[0].external_id, None);
}

#[test]
fn empty_text_cells_are_skipped_with_a_note() {
    let file = parse(b"id,text\na,User: x\nb,   \nc,\"\"\nd,AI: y\n");
    let ids: Vec<&str> = file.documents.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(ids, ["a", "d"]);
    assert_eq!(
        file.notes,
        [
            "Row 2 (b) was skipped: its text cell is empty.",
            "Row 3 (c) was skipped: its text cell is empty."
        ]
    );
    let text_column = ImportOptions {
        csv: CsvColumns {
            text_column: Some("text".to_owned()),
            id_column: None,
        },
        ..ImportOptions::default()
    };
    let error = parse_csv("e.csv", b"id,text\na,\n", b',', &text_column);
    assert!(matches!(error, Err(ImportError::NoText { .. })));
}

#[test]
fn a_quote_never_closed_is_named_instead_of_swallowing_rows() {
    let error = parse_csv(
        "open.csv",
        b"id,text\na9,User: one\nb,\"User: two\nc,User: three\nd,User: four\n",
        b',',
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "“open.csv”, row 2 (line 3): a quoted field that starts in this row is never \
         closed, so every line after it would become part of it (add the closing \
         quote). Fix the file in a spreadsheet or text editor and import it again."
    );
    assert!(
        parse_csv(
            "x.csv",
            b"id,text\nx,\"unterminated",
            b',',
            &ImportOptions::default()
        )
        .is_err()
    );
    for fine in [
        &b"id,text\na,\"User: \"\"quoted\"\" and, comma\nnext line\"\n"[..],
        b"id,text\na,User: 5'11\" tall\n",
        b"id,text\na,\"User: ends with a quote\"\"\"",
    ] {
        assert!(
            parse_csv("ok.csv", fine, b',', &ImportOptions::default()).is_ok(),
            "{}",
            String::from_utf8_lossy(fine)
        );
    }
}

#[test]
fn a_stray_quote_that_closes_an_unclosed_one_is_refused() {
    // Row 1's quote is never closed; row 2's quote "closes" it, and the csv reader
    // alone would give one row whose text swallowed row 2.
    let error = parse_csv(
        "cut.csv",
        b"transcript_id,text\n1,\"User: hello\n2,\"unterminated quote",
        b',',
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "“cut.csv”, row 1 (line 2): the quoted field that starts in this row ends at a \
         quote on line 3 that is followed by more text (“unterminated quote”); a quote \
         is missing here or the field contains a quote that is not doubled (\"\"), so \
         rows would run into each other. Fix the file in a spreadsheet or text editor \
         and import it again."
    );
    let inner = parse_csv(
        "inner.csv",
        b"id,text\na,User: fine\nb,\"User: she said \"no\" twice\"\n",
        b',',
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(inner.to_string().contains("row 2 (line 3)"), "{inner}");
    assert!(inner.to_string().contains("(“no"), "{inner}");
    // Spaces after a closing quote, CRLF files and quotes in unquoted fields are fine.
    for fine in [
        &b"id,text\na,\"User: hi\" \nb,User: 5'11\" tall\n"[..],
        b"id,text\r\na,\"User: hi\"\r\nb,\"User: there\"\r\n",
        b"id,text\na,\"\"\"quoted\"\" User: hi\"\n",
    ] {
        assert!(
            parse_csv("ok.csv", fine, b',', &ImportOptions::default()).is_ok(),
            "{}",
            String::from_utf8_lossy(fine)
        );
    }
}

#[test]
fn quote_problems_are_found_in_any_row_and_with_any_delimiter() {
    assert_eq!(quote_problem("a\tb\n\"x\"\ty\n", b'\t'), None);
    assert_eq!(
        quote_problem("a\tb\n\"x\"z\ty\n", b'\t'),
        Some(QuoteProblem::TextAfterClose { open: 4, close: 6 })
    );
    assert_eq!(
        quote_problem("a,b\n1,\"open", b','),
        Some(QuoteProblem::Unclosed { open: 6 })
    );
    assert_eq!(quote_problem("a,b\n1,\"\"\"\"", b','), None);
}

#[test]
fn repeated_column_names_are_refused_rather_than_merged() {
    let error = parse_csv(
        "notes.csv",
        b"id,note,note,text\nd1,a,b,User: hi\n",
        b',',
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("columns 2 and 3 are both called “note”"),
        "{error}"
    );
}

#[test]
fn an_id_column_with_repeated_values_is_explained() {
    let file = parse_csv(
        "waves.csv",
        b"participant_id,wave,text\np1,1,User: a\np1,2,User: b\n",
        b',',
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(file.documents[0].title, "Row 1");
    assert!(
        file.notes
            .iter()
            .any(|n| n.contains("“participant_id” has repeated or empty values")),
        "{:?}",
        file.notes
    );
    let unique = parse_csv(
        "ok.csv",
        b"participant_id,text\np1,User: a\np2,User: b\n",
        b',',
        &ImportOptions::default(),
    )
    .unwrap();
    assert!(
        unique.notes.iter().all(|n| !n.contains("repeated")),
        "{:?}",
        unique.notes
    );
}

#[test]
fn a_row_with_the_wrong_field_count_is_named() {
    let error = parse_csv(
        "bad.csv",
        b"id,text\na,\"User: x\nmore\"\nb,y,extra\n",
        b',',
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "“bad.csv”, row 2 (line 4): this row has 3 field(s) but the header has 2 (check \
         for a missing or extra delimiter, or an unclosed quote). Fix the file in a \
         spreadsheet or text editor and import it again."
    );
}

#[test]
fn invalid_utf8_in_one_row_of_a_utf8_file_is_named() {
    let bytes =
        b"id,text\na,\"caf\xc3\xa9 \xe2\x80\x93 na\xc3\xafve\"\nb,\"bad \xff byte\"\nc,ok\n";
    let error = parse_csv("u.csv", bytes, b',', &ImportOptions::default()).unwrap_err();
    let ImportError::Csv { row, line, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!((*row, *line), (Some(2), Some(3)));
    assert!(error.to_string().contains("not valid UTF-8"), "{error}");
}

#[test]
fn windows_1252_files_are_decoded() {
    let file = parse(b"id,text\nr1,\"User: caf\xe9\nAI: \x93ok\x94\"\n");
    assert_eq!(file.encoding, "windows-1252");
    assert_eq!(file.documents[0].text, "café\n\n“ok”");
}

#[test]
fn tab_separated_files_work_too() {
    let file = parse_csv(
        "t.tsv",
        b"id\ttext\nr1\tUser: a\n",
        b'\t',
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(file.documents[0].title, "r1");
}

#[test]
fn preview_guesses_columns() {
    let preview = inspect_csv("set.csv", EXCERPT, b',').unwrap();
    assert_eq!(
        preview,
        CsvPreview {
            columns: vec!["transcript_id".to_owned(), "text".to_owned()],
            guessed_text_column: Some("text".to_owned()),
            guessed_id_column: Some("transcript_id".to_owned()),
            row_count: 4,
        }
    );
    let no_id = inspect_csv("s.csv", b"name,text\nsame,aaaa\nsame,bbbb\n", b',').unwrap();
    assert_eq!(no_id.guessed_id_column, None);
}

#[test]
fn the_whole_workforce_corpus_imports_when_present() {
    let Some(bytes) = corpus_file_or_skip(
        "anthropic_interviewer/workforce_transcripts.csv",
        "the excerpt fixture covers the format",
    ) else {
        return;
    };
    let started = std::time::Instant::now();
    let file = parse(&bytes);
    eprintln!(
        "parsed {} bytes into {} documents in {:?}",
        bytes.len(),
        file.documents.len(),
        started.elapsed()
    );
    assert_eq!(file.documents.len(), 1000);
    assert_eq!(file.documents[0].title, "work_0000");
    assert_eq!(file.documents[999].title, "work_0999");
    // Twelve `AI:` labels in the corpus have no text (the interviewer
    // did not answer and the participant asks "Hello?").
    assert_eq!(
        file.notes,
        ["Skipped 12 speaker label(s) with no text after them."]
    );
    let turns: usize = file.documents.iter().map(|d| d.turns.len()).sum();
    assert!(turns > 24_000, "{turns}");
    for document in &file.documents {
        assert_eq!(document.turns[0].speaker, "Assistant", "{}", document.title);
        assert_document_invariants(document);
    }
    let work_0331 = &file.documents[331];
    assert!(
        work_0331
            .turns
            .iter()
            .all(|t| ["Assistant", "AI", "User"].contains(&t.speaker.as_str()))
    );
}
