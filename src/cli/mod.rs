//! The command line: a thin front over the same services the web server uses.

mod export;
mod import;
mod passwords;

use std::io::Write;

use anyhow::Context;

use crate::config::{Cli, Command, Settings, TokenCommand, UserCommand};
use crate::db;
use crate::error::AppError;
use crate::service::{accounts, tokens};
use crate::startup::{App, shutdown_signal};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None | Some(Command::Serve) => serve(Settings::from_cli(&cli)).await,
        Some(Command::User(UserCommand::Add { ref name, admin })) => {
            let db = db::open(&cli.db).await?;
            let password = passwords::read_new(&format!("Password for {name}: "))?;
            let user = accounts::create_user(&db, name, &password, admin)
                .await
                .map_err(explain)?;
            println!(
                "Created {} '{}'.",
                if user.is_admin {
                    "administrator"
                } else {
                    "user"
                },
                user.username
            );
            Ok(())
        }
        Some(Command::User(UserCommand::Passwd { ref name })) => {
            let db = db::open(&cli.db).await?;
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
        Some(Command::Token(TokenCommand::Create {
            ref name,
            ref label,
        })) => {
            let db = db::open(&cli.db).await?;
            let user = named_user(&db, name).await?;
            let token = tokens::create(&db, &user, label).await.map_err(explain)?;
            eprintln!(
                "Created API token #{} for '{}'. It is shown only once:",
                token.id, user.username
            );
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}", token.secret)?;
            Ok(())
        }
        Some(Command::Token(TokenCommand::List { ref name })) => {
            let db = db::open(&cli.db).await?;
            let user = named_user(&db, name).await?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "id\tlabel\tcreated\tlast used\trevoked")?;
            for token in tokens::list(&db, &user).await.map_err(explain)? {
                let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    token.id,
                    token.name,
                    token.created_at,
                    or_dash(token.last_used_at),
                    or_dash(token.revoked_at)
                )?;
            }
            Ok(())
        }
        Some(Command::Token(TokenCommand::Revoke { ref name, id })) => {
            let db = db::open(&cli.db).await?;
            let user = named_user(&db, name).await?;
            tokens::revoke(&db, &user, id).await.map_err(explain)?;
            println!("Revoked API token #{id} of '{}'.", user.username);
            Ok(())
        }
        Some(Command::Import {
            ref project,
            ref files,
            no_repair,
            skip_duplicates,
            ref text_column,
            ref id_column,
        }) => {
            let db = db::open(&cli.db).await?;
            let args = import::ImportArgs {
                project: project.clone(),
                files: files.clone(),
                no_repair,
                skip_duplicates,
                text_column: text_column.clone(),
                id_column: id_column.clone(),
            };
            import::run(&db, args).await
        }
        Some(Command::Export {
            ref project,
            ref out,
            ref codes,
            subcodes,
            ref coders,
            ref documents,
            ref attribute,
            ref role,
            excel,
            matrix,
        }) => {
            let db = db::open(&cli.db).await?;
            let params = crate::service::export::ExportParams {
                codes: codes.clone(),
                subcodes: subcodes.to_string(),
                coders: coders.clone(),
                documents: documents.clone(),
                attribute: attribute.clone(),
                role: role.clone(),
                excel: excel.to_string(),
            };
            let filter = params.filter().map_err(explain)?;
            export::run(&db, project, out, filter, matrix).await
        }
        Some(Command::Backup { ref path }) => {
            let db = db::open(&cli.db).await?;
            db::backup(&db, path).await?;
            println!(
                "Wrote a consistent copy of {} to {}.",
                cli.db.display(),
                path.display()
            );
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = App::build(settings).await?;
    let addr = app.local_addr();
    println!("Gloss is running at http://{addr}/ (press Ctrl-C to stop)");
    tracing::info!(%addr, "listening");
    app.run_until(shutdown_signal()).await?;
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

async fn named_user(db: &db::Db, name: &str) -> anyhow::Result<crate::service::User> {
    crate::db::users::by_username(db, name)
        .await?
        .with_context(|| format!("there is no user named '{name}'"))
}
