//! The command line: a thin front over the same services the web server uses.

mod export;
mod import;
mod passwords;

use std::io::Write;

use anyhow::Context;

use std::path::Path;

use crate::config::{Cli, Command, ExportFormat, Settings, TokenCommand, UserCommand};
use crate::error::AppError;
use crate::service::export::ExportFilter;
use crate::service::{Db, User, accounts, demo, params, refi, storage, tokens};
use crate::startup::{App, shutdown_signal};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(command) = &cli.command else {
        return serve(Settings::from_cli(&cli)).await;
    };
    let path = cli.db.as_path();
    match command {
        Command::Serve => serve(Settings::from_cli(&cli)).await,
        Command::User(UserCommand::Add { name, admin }) => add_user(path, name, *admin).await,
        Command::User(UserCommand::Passwd { name }) => change_password(path, name).await,
        Command::Token(TokenCommand::Create {
            name,
            label,
            expires_in_days,
            read_only,
        }) => {
            let scope = tokens::TokenScope {
                expires_in_days: *expires_in_days,
                read_only: *read_only,
            };
            create_token(path, name, label, scope).await
        }
        Command::Token(TokenCommand::List { name }) => list_tokens(path, name).await,
        Command::Token(TokenCommand::Revoke { name, id }) => revoke_token(path, name, *id).await,
        Command::Import {
            project,
            files,
            no_repair,
            skip_duplicates,
            text_column,
            id_column,
        } => {
            let args = import::ImportArgs {
                project: project.clone(),
                files: files.clone(),
                no_repair: *no_repair,
                skip_duplicates: *skip_duplicates,
                text_column: text_column.clone(),
                id_column: id_column.clone(),
            };
            import::run(&storage::open(path).await?, args).await
        }
        Command::Export {
            project,
            out,
            codes,
            subcodes,
            coders,
            documents,
            attribute,
            role,
            excel,
            matrix,
            format,
        } => {
            let filter = ExportFilter {
                codes: params::ids("codes", codes).map_err(explain)?,
                include_subcodes: *subcodes,
                coders: params::list(coders),
                documents: params::ids("documents", documents).map_err(explain)?,
                attribute: params::attribute(attribute).map_err(explain)?,
                role: params::speaker_role(role).map_err(explain)?,
                excel: *excel,
            };
            let db = storage::open(path).await?;
            let kind = match (format, matrix) {
                (ExportFormat::Csv, false) => export::Kind::Rows,
                (ExportFormat::Csv, true) => export::Kind::Matrix,
                (ExportFormat::Qdpx, false) => export::Kind::Qdpx,
                (ExportFormat::Qdc, false) => export::Kind::Qdc,
                (_, true) => anyhow::bail!(
                    "--matrix is a CSV export; leave out --format or use --format csv"
                ),
            };
            export::run(&db, project, out, filter, kind).await
        }
        Command::ImportQdpx {
            owner,
            match_users,
            file,
        } => import_qdpx(path, owner, *match_users, file).await,
        Command::Backup { path: copy } => backup(path, copy).await,
        Command::Demo { owner } => create_demo(path, owner).await,
    }
}

async fn add_user(path: &Path, name: &str, admin: bool) -> anyhow::Result<()> {
    let db = storage::open(path).await?;
    let password = passwords::read_new(&format!("Password for {name}: "))?;
    let user = accounts::create_user(&db, name, &password, admin)
        .await
        .map_err(explain)?;
    let kind = if user.is_admin {
        "administrator"
    } else {
        "user"
    };
    println!("Created {kind} '{}'.", user.username);
    Ok(())
}

async fn change_password(path: &Path, name: &str) -> anyhow::Result<()> {
    let db = storage::open(path).await?;
    let password = passwords::read_new(&format!("New password for {name}: "))?;
    let user = accounts::set_password(&db, name, &password)
        .await
        .map_err(explain)?;
    println!(
        "Password changed for '{}'; their sessions were ended.",
        user.username
    );
    Ok(())
}

async fn create_token(
    path: &Path,
    name: &str,
    label: &str,
    scope: tokens::TokenScope,
) -> anyhow::Result<()> {
    let db = storage::open(path).await?;
    let user = named_user(&db, name).await?;
    let token = tokens::create(&db, &user, label, scope)
        .await
        .map_err(explain)?;
    let access = if token.read_only {
        "read-only"
    } else {
        "full-access"
    };
    let until = token
        .expires_at
        .map_or_else(|| "until revoked".to_owned(), |at| format!("until {at}"));
    eprintln!(
        "Created {access} API token #{} for '{}', valid {until}. It is shown only once:",
        token.id, user.username
    );
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", token.secret)?;
    Ok(())
}

async fn list_tokens(path: &Path, name: &str) -> anyhow::Result<()> {
    let db = storage::open(path).await?;
    let user = named_user(&db, name).await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "id\tlabel\taccess\tcreated\texpires\tlast used\trevoked"
    )?;
    for token in tokens::list(&db, &user).await.map_err(explain)? {
        let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            token.id,
            token.name,
            if token.read_only { "read" } else { "full" },
            token.created_at,
            or_dash(token.expires_at),
            or_dash(token.last_used_at),
            or_dash(token.revoked_at)
        )?;
    }
    Ok(())
}

async fn revoke_token(path: &Path, name: &str, id: i64) -> anyhow::Result<()> {
    let db = storage::open(path).await?;
    let user = named_user(&db, name).await?;
    tokens::revoke(&db, &user, id).await.map_err(explain)?;
    println!("Revoked API token #{id} of '{}'.", user.username);
    Ok(())
}

async fn import_qdpx(
    path: &Path,
    owner: &str,
    match_users: bool,
    file: &Path,
) -> anyhow::Result<()> {
    let db = storage::open(path).await?;
    let user = named_user(&db, owner).await?;
    let archive =
        std::fs::File::open(file).with_context(|| format!("reading {}", file.display()))?;
    let options = refi::QdpxOptions {
        match_users_by_name: match_users,
    };
    let (access, summary) = refi::import_qdpx(&db, &user, archive, options)
        .await
        .map_err(explain)?;
    eprintln!(
        "Imported “{}” as project {} ({} documents, {} codes, {} excerpts).",
        access.project.name,
        access.project_id(),
        summary.documents,
        summary.codes,
        summary.excerpts
    );
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}

async fn create_demo(path: &Path, owner: &str) -> anyhow::Result<()> {
    let db = storage::open(path).await?;
    let user = named_user(&db, owner).await?;
    let access = demo::create(&db, &user).await.map_err(explain)?;
    let id = access.project_id();
    eprintln!(
        "Created the demo project “{}” (project {id}) for '{}': open /projects/{id} on the \
         Gloss server.",
        access.project.name, user.username
    );
    println!("{id}");
    Ok(())
}

async fn backup(path: &Path, copy: &Path) -> anyhow::Result<()> {
    let db = storage::open(path).await?;
    storage::backup(&db, copy).await?;
    println!(
        "Wrote a consistent copy of {} to {}.",
        path.display(),
        copy.display()
    );
    Ok(())
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = App::build(settings).await?;
    // Before the address is printed: from then on a SIGTERM means "stop cleanly".
    let stop = shutdown_signal();
    let addr = app.local_addr();
    println!("Gloss is running at http://{addr}/ (press Ctrl-C to stop)");
    tracing::info!(%addr, "listening");
    app.run_until(stop).await?;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Service errors carry user-facing messages; show those rather than a debug chain.
pub(crate) fn explain(err: AppError) -> anyhow::Error {
    match err {
        AppError::Internal(cause) => cause,
        other => anyhow::anyhow!("{other}"),
    }
}

async fn named_user(db: &Db, name: &str) -> anyhow::Result<User> {
    accounts::by_name(db, name)
        .await
        .map_err(explain)?
        .with_context(|| format!("there is no user named '{name}'"))
}
