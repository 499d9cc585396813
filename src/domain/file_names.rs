//! Names for downloaded files that say what they hold: the project, the kind of export,
//! the filters that shaped it, and the day it was made, e.g.
//! `pilot-study_excerpts_coders-ann-cal_participants_2026-12-06.csv`. A folder of
//! downloads then reads like a list of what was exported, instead of
//! `excerpts-project-1.csv` ten times over.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The longest slug taken from a project name (the rest of the name is cut).
const MAX_SLUG: usize = 48;

/// `project`'s name as a file-name part: lower-case ASCII letters and digits (accents
/// dropped: "Éducation" → "education"), anything else a single `-`; `project` when
/// nothing is left (a name in another script).
pub fn slug(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= MAX_SLUG {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "project".to_owned()
    } else {
        slug.to_owned()
    }
}

/// `project_kind_qualifier…_date.ext`; each qualifier is slugged too.
pub fn download_name(
    project: &str,
    kind: &str,
    qualifiers: &[String],
    date: &str,
    extension: &str,
) -> String {
    let mut parts = vec![slug(project), kind.to_owned()];
    parts.extend(
        qualifiers
            .iter()
            .map(|q| slug(q))
            .filter(|q| q != "project"),
    );
    parts.push(date.to_owned());
    format!("{}.{extension}", parts.join("_"))
}

/// The UTC calendar date (`YYYY-MM-DD`) of a Unix time in seconds (days-to-civil, after
/// Howard Hinnant's `civil_from_days`).
pub fn utc_date(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_ascii_words_and_fold_the_rest() {
        assert_eq!(slug("Pilot study: wave 2!"), "pilot-study-wave-2");
        assert_eq!(slug("  Éducation & travail "), "education-travail");
        assert_eq!(slug("訪談"), "project");
        assert_eq!(slug("a/../../etc\"x"), "a-etc-x");
        assert!(slug(&"long ".repeat(40)).len() <= MAX_SLUG);
    }

    #[test]
    fn names_say_project_kind_filters_and_date() {
        let name = download_name(
            "Pilot study",
            "excerpts",
            &["coders ann cal".into(), "participants".into()],
            "2026-12-06",
            "csv",
        );
        assert_eq!(
            name,
            "pilot-study_excerpts_coders-ann-cal_participants_2026-12-06.csv"
        );
        assert_eq!(
            download_name("Study", "codebook", &[], "2026-01-31", "csv"),
            "study_codebook_2026-01-31.csv"
        );
    }

    #[test]
    fn dates_match_known_days() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_796_515_200), "2026-12-06");
        assert_eq!(utc_date(1_796_601_599), "2026-12-06");
        assert_eq!(utc_date(-86_400), "1969-12-31");
    }
}
