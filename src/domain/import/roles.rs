//! Which side of the interview a speaker label most likely belongs to.
//!
//! Only a default: researchers can reassign roles after import. The guess
//! just saves them a click for the common layouts (AI interviewer corpora,
//! `Interviewer:`/`Q:` transcripts).

use serde::Serialize;

/// The part a speaker plays in an interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerRole {
    /// Asks the questions: interviewer, moderator, the AI interviewer.
    Interviewer,
    /// Everyone else: the person being interviewed, board members, …
    Participant,
}

/// Label stems that name the asking side; a stem may carry a number
/// (`Interviewer 2`, `Moderator1`).
const INTERVIEWER_STEMS: [&str; 6] = [
    "interviewer",
    "moderator",
    "facilitator",
    "researcher",
    "assistant",
    "ai",
];

/// Single-letter conventions for the asking side: `Q:`/`A:` and `I:`/`R:`.
const INTERVIEWER_LETTERS: [&str; 2] = ["q", "i"];

/// Guesses the role for a speaker label: the interviewer for `AI`,
/// `Assistant`, `Interviewer`, `Interviewer N`, `Moderator`, `Facilitator`,
/// `Researcher`, `Q` and `I` (case-insensitive, surrounding whitespace
/// ignored); a participant for everything else.
pub fn default_role(label: &str) -> SpeakerRole {
    let label = label.trim().to_lowercase();
    if INTERVIEWER_LETTERS.contains(&label.as_str()) {
        return SpeakerRole::Interviewer;
    }
    let stem = label
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end();
    if INTERVIEWER_STEMS.contains(&stem) {
        SpeakerRole::Interviewer
    } else {
        SpeakerRole::Participant
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asking_side_labels_are_interviewers() {
        for label in [
            "AI",
            "ai",
            " Assistant ",
            "Interviewer",
            "Interviewer 2",
            "interviewer2",
            "Q",
            "q",
            "I",
            "Moderator",
            "MODERATOR",
            "Facilitator 1",
            "Researcher",
        ] {
            assert_eq!(default_role(label), SpeakerRole::Interviewer, "{label:?}");
        }
    }

    #[test]
    fn everyone_else_is_a_participant() {
        for label in [
            "User",
            "A",
            "R",
            "Speaker 1",
            "Max Bigman",
            "admin-1",
            "P3",
            "Interviewee",
            "AIDA",
            "Interviewer X",
            "",
        ] {
            assert_eq!(default_role(label), SpeakerRole::Participant, "{label:?}");
        }
    }
}
