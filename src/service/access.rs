//! Who may see what inside a project. Every read and write inside a project starts from a
//! [`ProjectAccess`], which only [`open`] makes: it joins the membership, so a non-member
//! gets "not found", never data. Blind coding is decided here, by
//! [`ProjectAccess::visible`] and [`ProjectAccess::may_see`], and nowhere else.

use std::future::Future;

use super::User;
use crate::db::codes::Code;
use crate::db::documents::Document;
use crate::db::excerpts::{CoderFilter, Excerpt};
use crate::db::projects::Project;
use crate::db::{self, Db};
use crate::domain::Role;
use crate::error::{AppError, AppResult};

/// What a signed-in user may do in one project: the project, their role, and themselves.
#[derive(Debug, Clone)]
pub struct ProjectAccess {
    pub project: Project,
    pub role: Role,
    pub user: User,
}

impl ProjectAccess {
    /// Fails with 403 and `why` unless `allowed` (a `Role` permission) holds.
    pub fn require(&self, allowed: fn(Role) -> bool, why: &str) -> AppResult<()> {
        if allowed(self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden(why))
        }
    }

    /// Archived projects are read-only until an owner restores them.
    pub fn require_active(&self) -> AppResult<()> {
        if self.project.archived {
            Err(AppError::conflict(
                "This project is archived and read-only. An owner can restore it in its settings.",
            ))
        } else {
            Ok(())
        }
    }

    /// Importing, editing and deleting documents: owners, in an active project.
    pub fn require_document_editor(&self) -> AppResult<()> {
        self.require(
            Role::can_edit_documents,
            "Only project owners can import and edit documents.",
        )?;
        self.require_active()
    }

    pub fn project_id(&self) -> i64 {
        self.project.id
    }

    /// Whether this member sees every coder's excerpts (blind coding hides other coders'
    /// work from coders; owners and viewers always see it).
    pub fn sees_all_coders(&self) -> bool {
        self.role.sees_all_coders(self.project.blind_coding)
    }

    /// Narrows whatever filter a caller built to what this member may see: in a blind
    /// project, a coder's own excerpts.
    pub fn visible(&self, filter: CoderFilter) -> CoderFilter {
        if self.sees_all_coders() {
            filter
        } else {
            CoderFilter::Coder(self.user.id)
        }
    }

    /// Whether this member may see one excerpt (the same rule as [`Self::visible`]).
    pub fn may_see(&self, excerpt: &Excerpt) -> bool {
        match self.visible(CoderFilter::Everyone) {
            CoderFilter::Coder(me) => excerpt.coder_id == me && !excerpt.consensus,
            _ => true,
        }
    }

    /// A document of this project, or "not found".
    pub async fn document(&self, db: &Db, document_id: i64) -> AppResult<Document> {
        db::documents::by_id(db, document_id)
            .await?
            .filter(|d| d.summary.project_id == self.project_id())
            .ok_or(AppError::NotFound("Document"))
    }

    /// A code of this project, or "not found".
    pub async fn code(&self, db: &Db, code_id: i64) -> AppResult<Code> {
        db::codes::by_id(db, code_id)
            .await?
            .filter(|c| c.project_id == self.project_id())
            .ok_or(AppError::NotFound("Code"))
    }
}

/// A project for one of its members; "not found" for everyone else.
pub async fn project(db: &Db, user: &User, project_id: i64) -> AppResult<ProjectAccess> {
    let row = db::projects::for_member(db, project_id, user.id)
        .await?
        .ok_or(AppError::NotFound("Project"))?;
    Ok(ProjectAccess {
        role: row.role,
        project: row.project,
        user: user.clone(),
    })
}

/// Something a URL names by id (a project, or a document, code or excerpt inside one)
/// together with the caller's access to its project.
pub trait Scoped: Sized {
    /// What the id names, for "not found".
    const NAME: &'static str;

    /// Looks the resource up for `user`, failing unless they may see it.
    fn lookup(db: &Db, user: &User, id: i64) -> impl Future<Output = AppResult<Self>> + Send;
}

/// Opens what `id` names for `user`. Whatever was not found on the way (the project of a
/// document, say) is reported as the thing asked for, so a non-member learns nothing.
pub async fn open<R: Scoped>(db: &Db, user: &User, id: i64) -> AppResult<R> {
    R::lookup(db, user, id).await.map_err(|e| match e {
        AppError::NotFound(_) => AppError::NotFound(R::NAME),
        other => other,
    })
}

impl Scoped for ProjectAccess {
    const NAME: &'static str = "Project";

    async fn lookup(db: &Db, user: &User, id: i64) -> AppResult<Self> {
        project(db, user, id).await
    }
}

/// A document and the caller's access to its project.
pub struct InDocument {
    pub access: ProjectAccess,
    pub document: Document,
}

impl Scoped for InDocument {
    const NAME: &'static str = "Document";

    async fn lookup(db: &Db, user: &User, id: i64) -> AppResult<Self> {
        let document = db::documents::by_id(db, id)
            .await?
            .ok_or(AppError::NotFound(Self::NAME))?;
        let access = project(db, user, document.summary.project_id).await?;
        Ok(InDocument { access, document })
    }
}

/// A code and the caller's access to its project.
pub struct InCode {
    pub access: ProjectAccess,
    pub code: Code,
}

impl Scoped for InCode {
    const NAME: &'static str = "Code";

    async fn lookup(db: &Db, user: &User, id: i64) -> AppResult<Self> {
        let code = db::codes::by_id(db, id)
            .await?
            .ok_or(AppError::NotFound(Self::NAME))?;
        let access = project(db, user, code.project_id).await?;
        Ok(InCode { access, code })
    }
}
