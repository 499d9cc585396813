//! Project roles and what each may do. Handlers never compare role names: they ask the
//! role (`can_code()`, `can_manage_members()` …), so a permission lives in one place.

use super::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Reads everything and runs reports.
    Viewer,
    /// Codes documents, in addition to what a viewer can do.
    Coder,
    /// Everything, including settings and membership.
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Coder, Role::Viewer];

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "owner" => Ok(Role::Owner),
            "coder" => Ok(Role::Coder),
            "viewer" => Ok(Role::Viewer),
            other => Err(Invalid::new(
                "role",
                format!("Unknown role '{other}': use owner, coder or viewer."),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Coder => "coder",
            Role::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Coder => "Coder",
            Role::Viewer => "Viewer",
        }
    }

    /// Whether `raw` names this role (as templates compare them).
    pub fn is(self, raw: &str) -> bool {
        self.as_str() == raw
    }

    /// Rename, describe, archive, change project settings such as blind coding.
    pub fn can_manage_project(self) -> bool {
        self == Role::Owner
    }

    pub fn can_manage_members(self) -> bool {
        self == Role::Owner
    }

    /// Import, edit and delete documents; maintain the codebook.
    pub fn can_edit_documents(self) -> bool {
        self == Role::Owner
    }

    /// Delete and merge codes, import a codebook, adjudicate into the consensus set.
    pub fn can_manage_codebook(self) -> bool {
        self == Role::Owner
    }

    /// Create and edit one's own excerpts, create and edit codes.
    pub fn can_code(self) -> bool {
        matches!(self, Role::Owner | Role::Coder)
    }

    /// Assign documents to coders and watch everyone's progress.
    pub fn can_plan_work(self) -> bool {
        self == Role::Owner
    }

    /// Agreement reports, adjudication views and exports of everyone's coding.
    pub fn can_run_reports(self) -> bool {
        matches!(self, Role::Owner | Role::Viewer)
    }

    /// In a blind project, coders see only their own excerpts; owners and viewers see all.
    pub fn sees_all_coders(self, blind_coding: bool) -> bool {
        !blind_coding || self != Role::Coder
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Role::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_roles_case_insensitively() {
        assert_eq!(Role::parse("Owner").unwrap(), Role::Owner);
        assert_eq!(Role::parse(" coder ").unwrap(), Role::Coder);
        assert_eq!(Role::parse("viewer").unwrap(), Role::Viewer);
        assert!(
            Role::parse("admin")
                .unwrap_err()
                .message
                .contains("owner, coder or viewer")
        );
    }

    #[test]
    fn permissions_follow_the_role_table() {
        assert!(Role::Owner.can_manage_members() && Role::Owner.can_code());
        assert!(Role::Coder.can_code() && !Role::Coder.can_manage_members());
        assert!(!Role::Coder.can_manage_project() && !Role::Coder.can_edit_documents());
        assert!(!Role::Viewer.can_code() && Role::Viewer.can_run_reports());
        assert!(!Role::Viewer.can_manage_project());
    }

    #[test]
    fn blind_coding_hides_other_coders_from_coders_only() {
        assert!(!Role::Coder.sees_all_coders(true));
        assert!(Role::Coder.sees_all_coders(false));
        assert!(Role::Owner.sees_all_coders(true));
        assert!(Role::Viewer.sees_all_coders(true));
    }
}
