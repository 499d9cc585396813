//! The project's sections as tabs: links (each section is a page of its own), the current
//! one marked `aria-current="page"`, each shown only to the roles that may open it.

use crate::service::access::ProjectAccess;
use crate::web::urls;

/// A section of a project, one page each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Documents,
    Codebook,
    Analysis,
    Search,
    Agreement,
    Progress,
    Export,
    Members,
    Activity,
    Settings,
}

pub struct Tab {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// The tabs `access` may open, in order, with `current` marked.
pub fn project(access: &ProjectAccess, current: Section) -> Vec<Tab> {
    let id = access.project_id();
    let role = access.role;
    let all = [
        (Section::Documents, "Documents", urls::project(id), true),
        (Section::Codebook, "Codebook", urls::project_codes(id), true),
        (Section::Analysis, "Analysis", urls::analysis(id), true),
        (
            Section::Search,
            "Search",
            urls::project_search(id, ""),
            true,
        ),
        (
            Section::Agreement,
            "Agreement",
            urls::agreement(id, ""),
            role.can_run_reports(),
        ),
        (
            Section::Progress,
            "Progress",
            urls::project_progress(id),
            role.can_plan_work(),
        ),
        (Section::Export, "Export", urls::project_export(id), true),
        (Section::Members, "Members", urls::project_members(id), true),
        (
            Section::Activity,
            "Activity",
            urls::project_activity(id),
            role.can_run_reports(),
        ),
        (
            Section::Settings,
            "Settings",
            urls::project_settings(id),
            role.can_manage_project(),
        ),
    ];
    all.into_iter()
        .filter(|(_, _, _, shown)| *shown)
        .map(|(section, label, href, _)| Tab {
            label,
            href,
            current: section == current,
        })
        .collect()
}
