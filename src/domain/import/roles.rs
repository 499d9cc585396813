//! Which side of the interview a speaker label most likely belongs to.
//!
//! Only a default: researchers can reassign roles after import. The guess
//! just saves them a click for the common layouts (AI interviewer corpora,
//! `Interviewer:`/`Q:` transcripts).

use serde::{Deserialize, Serialize};

use crate::domain::Invalid;

/// The part a speaker plays in an interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerRole {
    /// Asks the questions: interviewer, moderator, the AI interviewer.
    Interviewer,
    /// Everyone else: the person being interviewed, board members, …
    Participant,
}

impl SpeakerRole {
    pub const ALL: [SpeakerRole; 2] = [SpeakerRole::Interviewer, SpeakerRole::Participant];

    /// Reads a role as a person types it (`interviewer`, ` Participant `).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "interviewer" => Ok(SpeakerRole::Interviewer),
            "participant" => Ok(SpeakerRole::Participant),
            other => Err(Invalid::new(
                "role",
                format!("Unknown speaker role '{other}': use interviewer or participant."),
            )),
        }
    }

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            SpeakerRole::Interviewer => "interviewer",
            SpeakerRole::Participant => "participant",
        }
    }
}

impl std::fmt::Display for SpeakerRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
