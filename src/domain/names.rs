//! Validated names and secrets. Each type can only be built through `parse`, so code that
//! holds one never has to re-check it.

use super::Invalid;

/// The name reserved for the consensus coding set in agreement reports and exports.
pub const CONSENSUS: &str = "consensus";

/// A user's sign-in name: 1–40 characters of ASCII letters, digits, `.`, `_` or `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(Invalid::new("username", "Enter a user name."));
        }
        if name.chars().count() > 40 {
            return Err(Invalid::new(
                "username",
                "User names are at most 40 characters long.",
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if !name.chars().all(allowed) {
            return Err(Invalid::new(
                "username",
                "User names may contain only letters, digits, '.', '_' and '-'.",
            ));
        }
        if name.eq_ignore_ascii_case(CONSENSUS) {
            return Err(Invalid::new(
                "username",
                "'consensus' is reserved for the consensus coding set; choose another name.",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password as typed. Kept out of `Debug` output so it never reaches a log line.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 8;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.chars().count() < Self::MIN_LEN {
            return Err(Invalid::new(
                "password",
                format!("Passwords need at least {} characters.", Self::MIN_LEN),
            ));
        }
        if raw.len() > 1024 {
            return Err(Invalid::new(
                "password",
                "Passwords are at most 1024 bytes long.",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// A project's display name: 1–200 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectName(String);

impl ProjectName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Ok(Self(single_line("name", raw, 200, "a project name")?))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trims `raw` and checks it is a non-empty single line of at most `max` characters.
pub fn single_line(
    field: &'static str,
    raw: &str,
    max: usize,
    what: &str,
) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Invalid::new(field, format!("Enter {what}.")));
    }
    if value.chars().count() > max {
        return Err(Invalid::new(
            field,
            format!("Keep {what} to {max} characters or fewer."),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid::new(
            field,
            format!(
                "{} cannot contain line breaks or control characters.",
                capitalise(what)
            ),
        ));
    }
    Ok(value.to_owned())
}

/// Checks free text (descriptions, memos): at most `max` characters, and no control
/// characters other than tab and line breaks. Escape sequences (ESC, BEL …) would be
/// written raw into exports and terminals; `\r\n` and a lone `\r` become `\n`.
pub fn free_text(field: &'static str, raw: &str, max: usize) -> Result<String, Invalid> {
    if raw.chars().count() > max {
        return Err(Invalid::new(
            field,
            format!("Keep the {field} to {max} characters or fewer."),
        ));
    }
    if let Some(control) = raw
        .chars()
        .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(Invalid::new(
            field,
            format!(
                "The {field} contains a control character (U+{:04X}); only tabs and line \
                 breaks are allowed.",
                u32::from(control)
            ),
        ));
    }
    Ok(raw.replace("\r\n", "\n").replace('\r', "\n"))
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_accept_plain_names_and_trim() {
        assert_eq!(Username::parse(" alice ").unwrap().as_str(), "alice");
        assert_eq!(Username::parse("a.b_c-1").unwrap().as_str(), "a.b_c-1");
    }

    #[test]
    fn usernames_reject_empty_long_odd_and_reserved() {
        assert!(Username::parse("").is_err());
        assert!(Username::parse(&"x".repeat(41)).is_err());
        assert!(Username::parse("al ice").is_err());
        assert!(Username::parse("<script>").is_err());
        let reserved = Username::parse("Consensus").unwrap_err();
        assert!(reserved.message.contains("reserved"));
    }

    #[test]
    fn passwords_need_eight_characters_and_hide_in_debug() {
        assert!(Password::parse("short").is_err());
        let p = Password::parse("long enough").unwrap();
        assert_eq!(format!("{p:?}"), "Password(..)");
        assert_eq!(p.expose(), "long enough");
    }

    #[test]
    fn project_names_are_single_trimmed_lines() {
        assert_eq!(
            ProjectName::parse("  Pilot study ").unwrap().as_str(),
            "Pilot study"
        );
        assert!(ProjectName::parse("   ").is_err());
        assert!(ProjectName::parse("two\nlines").is_err());
        assert!(ProjectName::parse(&"é".repeat(201)).is_err());
        assert!(ProjectName::parse(&"é".repeat(200)).is_ok());
    }

    #[test]
    fn free_text_normalises_crlf_and_rejects_nul() {
        assert_eq!(free_text("memo", "a\r\nb", 10).unwrap(), "a\nb");
        assert!(free_text("memo", "a\0", 10).is_err());
        assert_eq!(free_text("memo", "a\rb\tc", 10).unwrap(), "a\nb\tc");
        for control in ['\u{1b}', '\u{7}', '\u{8}', '\u{7f}', '\u{9b}'] {
            let error = free_text("memo", &format!("red{control}[31m"), 20).unwrap_err();
            assert!(
                error.message.contains("control character (U+"),
                "{control:?}"
            );
        }
        assert!(free_text("memo", "abcdef", 5).is_err());
    }
}
