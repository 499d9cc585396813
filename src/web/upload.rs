//! Reading an import upload (multipart/form-data): the files and the import options, with
//! the CSRF check for browser forms and a clear 413 when the upload is too large. Files
//! are held in memory ([`Upload`]) or, for a REFI-QDA project, spooled to temporary files
//! as they arrive ([`SpooledUpload`]).

use anyhow::Context;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRef, FromRequest, Multipart, Request};
use axum::http::StatusCode;
use tokio::io::AsyncWriteExt;

use super::AppState;
use super::csrf::{CsrfPending, FORM_FIELD};
use super::error::ApiError;
use crate::domain::import::{CsvColumns, ImportOptions};
use crate::error::AppError;
use crate::security::constant_time_eq;
use crate::service::import::{ImportSettings, UploadedFile};

/// The files of an upload and the options chosen with them.
pub struct Upload {
    pub files: Vec<UploadedFile>,
    pub settings: ImportSettings,
    /// REFI-QDA imports: match the file's users to existing accounts of the same name.
    pub match_users: bool,
}

impl<S> FromRequest<S> for Upload
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    /// Pages take `Result<Upload, ApiError>` and show the message in the form instead.
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(read_upload(req, state, Keep::InMemory).await?.into_upload())
    }
}

/// The files of an upload spooled to temporary files as they arrive, so a large archive
/// is never held in memory, and the options chosen with them.
pub struct SpooledUpload {
    pub files: Vec<SpooledFile>,
    /// REFI-QDA imports: match the file's users to existing accounts of the same name.
    pub match_users: bool,
}

/// An uploaded file on disk: an anonymous temporary file, gone when it is dropped (or
/// the server stops).
pub struct SpooledFile {
    pub name: String,
    pub file: std::fs::File,
}

impl<S> FromRequest<S> for SpooledUpload
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    /// Pages take `Result<SpooledUpload, ApiError>` and show the message in the form.
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let fields = read_upload(req, state, Keep::Spooled).await?;
        Ok(Self {
            files: fields.spooled,
            match_users: fields.match_users,
        })
    }
}

/// Where an upload's files are kept while the request is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    InMemory,
    Spooled,
}

async fn read_upload<S>(req: Request, state: &S, keep: Keep) -> Result<Fields, AppError>
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    let limit = AppState::from_ref(state).settings.max_upload_bytes;
    let pending = req.extensions().get::<CsrfPending>().cloned();
    let mut multipart = Multipart::from_request(req, state).await.map_err(|e| {
        AppError::bad_request(format!(
            "Send the files as multipart/form-data: {}",
            e.body_text()
        ))
    })?;
    let upload = read_fields(&mut multipart, keep)
        .await
        .map_err(|e| too_large_says_limit(e, limit))?;
    // A browser form's token is a field of the body; check it before anything is stored.
    if let Some(CsrfPending(expected)) = pending
        && !upload
            .csrf
            .as_deref()
            .is_some_and(|t| constant_time_eq(t, &expected))
    {
        return Err(AppError::forbidden(
            "This request is missing its security token (CSRF). Reload the page and try again.",
        ));
    }
    Ok(upload)
}

#[derive(Default)]
struct Fields {
    files: Vec<UploadedFile>,
    spooled: Vec<SpooledFile>,
    repair_mojibake: Option<bool>,
    skip_duplicates: bool,
    text_column: Option<String>,
    id_column: Option<String>,
    match_users: bool,
    csrf: Option<String>,
}

impl Fields {
    fn into_upload(self) -> Upload {
        let options = ImportOptions {
            repair_mojibake: self.repair_mojibake.unwrap_or(true),
            csv: CsvColumns {
                text_column: self.text_column,
                id_column: self.id_column,
            },
        };
        Upload {
            files: self.files,
            settings: ImportSettings {
                options,
                skip_duplicates: self.skip_duplicates,
            },
            match_users: self.match_users,
        }
    }
}

async fn read_fields(multipart: &mut Multipart, keep: Keep) -> Result<Fields, AppError> {
    let mut fields = Fields::default();
    let mut seen_any = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            // A form with no parts at all arrives as an "incomplete" stream: that is simply
            // an upload without files, which the service explains.
            Err(_) if !seen_any => break,
            Err(err) => return Err(upload_error(err)),
        };
        seen_any = true;
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) if !file_name.is_empty() && keep == Keep::Spooled => {
                fields.spooled.push(SpooledFile {
                    name: base_name(&file_name),
                    file: spool(field).await?,
                });
            }
            Some(file_name) if !file_name.is_empty() => {
                let bytes = field.bytes().await.map_err(upload_error)?;
                fields.files.push(UploadedFile {
                    name: base_name(&file_name),
                    // Takes over the buffer where it can, instead of copying a large upload.
                    bytes: Vec::from(bytes),
                });
            }
            // An empty file input submits a nameless, empty part: ignore it.
            Some(_) => {}
            None => {
                let value = field.text().await.map_err(upload_error)?;
                apply_option(&mut fields, &name, value)?;
            }
        }
    }
    Ok(fields)
}

/// Writes a file field to an anonymous temporary file as it arrives, and rewinds it.
async fn spool(mut field: Field<'_>) -> Result<std::fs::File, AppError> {
    let spooled = tempfile::tempfile().context("creating a temporary file for the upload")?;
    let mut file = tokio::fs::File::from_std(spooled);
    while let Some(chunk) = field.chunk().await.map_err(upload_error)? {
        file.write_all(&chunk)
            .await
            .context("writing the upload to a temporary file")?;
    }
    file.flush()
        .await
        .context("writing the upload to a temporary file")?;
    let mut file = file.into_std().await;
    std::io::Seek::rewind(&mut file).context("rewinding the spooled upload")?;
    Ok(file)
}

fn apply_option(fields: &mut Fields, name: &str, value: String) -> Result<(), AppError> {
    let non_empty = |v: String| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    match name {
        "repair_mojibake" => fields.repair_mojibake = Some(parse_flag(name, &value)?),
        "skip_duplicates" => fields.skip_duplicates = parse_flag(name, &value)?,
        "match_users" => fields.match_users = parse_flag(name, &value)?,
        "text_column" => fields.text_column = non_empty(value),
        "id_column" => fields.id_column = non_empty(value),
        FORM_FIELD => fields.csrf = Some(value),
        _ => {}
    }
    Ok(())
}

fn parse_flag(name: &str, value: &str) -> Result<bool, AppError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "1" | "yes" => Ok(true),
        "false" | "off" | "0" | "no" | "" => Ok(false),
        other => Err(AppError::bad_request(format!(
            "{name} must be true or false, not '{other}'."
        ))),
    }
}

fn too_large_says_limit(error: AppError, limit: usize) -> AppError {
    match error {
        AppError::PayloadTooLarge(_) => too_large(limit),
        other => other,
    }
}

/// The answer to a request body over the upload limit of `limit` bytes.
pub fn too_large(limit: usize) -> AppError {
    AppError::PayloadTooLarge(format!(
        "The upload is larger than this server accepts ({} at most). Upload fewer files \
         at once, or ask the administrator to raise the limit (--max-upload-mb).",
        size(limit)
    ))
}

fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{} MB", b / (1024 * 1024)),
        b => format!("{} KB", b.div_ceil(1024)),
    }
}

/// Browsers may send a path with the name; only the final component is the file's name.
fn base_name(raw: &str) -> String {
    raw.rsplit(['/', '\\']).next().unwrap_or(raw).to_owned()
}

fn upload_error(err: MultipartError) -> AppError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge(String::new()) // the limit is filled in by the caller
    } else {
        AppError::bad_request(format!("The upload could not be read: {}", err.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_folders() {
        assert_eq!(base_name("C:\\Users\\me\\interview.txt"), "interview.txt");
        assert_eq!(base_name("folder/interview.txt"), "interview.txt");
        assert_eq!(base_name("interview.txt"), "interview.txt");
    }

    #[test]
    fn flags_accept_form_and_api_spellings() {
        assert!(parse_flag("x", "on").unwrap());
        assert!(parse_flag("x", "true").unwrap());
        assert!(!parse_flag("x", "false").unwrap());
        assert!(parse_flag("x", "maybe").is_err());
    }
}
