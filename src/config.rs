//! Command-line configuration. Every setting is a flag with an environment fallback, and
//! the settings that locate the database are accepted by every subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "gloss",
    version,
    about = "Gloss: a self-hosted workbench for coding qualitative interviews.",
    long_about = "Gloss: a self-hosted workbench for coding qualitative interviews.\n\n\
                  Without a subcommand, `gloss` starts the web server (same as `gloss serve`)."
)]
pub struct Cli {
    /// SQLite database file; created with its schema on first use.
    #[arg(
        long,
        env = "GLOSS_DB",
        default_value = "gloss.db",
        global = true,
        value_name = "PATH"
    )]
    pub db: PathBuf,

    #[command(flatten)]
    pub server: ServerArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Address and port the web server listens on.
    #[arg(
        long,
        env = "GLOSS_BIND",
        default_value = "127.0.0.1:3000",
        global = true,
        value_name = "ADDR"
    )]
    pub bind: String,

    /// Mark session cookies `Secure` (serve Gloss over HTTPS, e.g. behind a proxy).
    #[arg(long, env = "GLOSS_SECURE_COOKIES", global = true)]
    pub secure_cookies: bool,

    /// Largest accepted upload, in megabytes.
    #[arg(
        long,
        env = "GLOSS_MAX_UPLOAD_MB",
        default_value_t = 50,
        global = true,
        value_name = "MB"
    )]
    pub max_upload_mb: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server (the default).
    Serve,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import transcripts into a project (.txt, .md, .csv, .vtt, .srt, .docx). One run is
    /// one transaction: if any file cannot be imported, nothing is.
    Import {
        /// The project's id, or its exact name.
        #[arg(long, value_name = "NAME_OR_ID")]
        project: String,
        /// Files to import.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Keep garbled characters (mojibake such as â€™) as they are.
        #[arg(long)]
        no_repair: bool,
        /// Skip documents whose id is already in the project instead of failing.
        #[arg(long)]
        skip_duplicates: bool,
        /// CSV: the column holding the transcript text (guessed if omitted).
        #[arg(long, value_name = "COLUMN")]
        text_column: Option<String>,
        /// CSV: the column holding each interview's id or title (guessed if omitted).
        #[arg(long, value_name = "COLUMN")]
        id_column: Option<String>,
    },
    /// Export coded excerpts as CSV (one row per excerpt and code), or the code × document
    /// matrix with --matrix.
    Export {
        /// The project's id, or its exact name.
        #[arg(long, value_name = "NAME_OR_ID")]
        project: String,
        /// Where to write the CSV file ("-" for standard output).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Only these codes (ids, comma-separated).
        #[arg(long, value_name = "IDS", default_value = "")]
        codes: String,
        /// Include the sub-codes of --codes.
        #[arg(long)]
        subcodes: bool,
        /// Only these coders (user names, comma-separated; "consensus" for the consensus set).
        #[arg(long, value_name = "NAMES", default_value = "")]
        coders: String,
        /// Only these documents (ids, comma-separated).
        #[arg(long, value_name = "IDS", default_value = "")]
        documents: String,
        /// Only documents with this attribute value, as name:value.
        #[arg(long, value_name = "NAME:VALUE", default_value = "")]
        attribute: String,
        /// Only excerpts in turns of this speaker role (interviewer or participant).
        #[arg(long, value_name = "ROLE", default_value = "")]
        role: String,
        /// Start the file with a byte-order mark so Excel reads it as UTF-8.
        #[arg(long)]
        excel: bool,
        /// Write the code × document matrix (excerpt and character counts) instead.
        #[arg(long)]
        matrix: bool,
    },
    /// Write a consistent copy of the database to PATH (safe while the server runs).
    Backup {
        /// Where to write the copy; must not exist yet.
        path: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is prompted for on a terminal, or read from the first
    /// line of standard input (so scripts can pipe it).
    Add {
        /// The new user's name (letters, digits, `.`, `_`, `-`).
        name: String,
        /// Make the user an administrator (manages users).
        #[arg(long)]
        admin: bool,
    },
    /// Set a user's password (prompted, or the first line of standard input).
    Passwd {
        /// The user whose password to set.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal API token for a user. The token is printed once, alone on the
    /// last line of standard output; only its digest is stored.
    Create {
        /// The user the token acts as.
        name: String,
        /// A label to recognise the token by later.
        #[arg(long, default_value = "command line")]
        label: String,
    },
    /// List a user's API tokens: id, label, created, last used, revoked.
    List {
        /// The user whose tokens to list.
        name: String,
    },
    /// Revoke one of a user's API tokens (by the id `token list` shows); requests with it
    /// are refused from then on.
    Revoke {
        /// The user the token belongs to.
        name: String,
        /// The token's id.
        id: i64,
    },
}

/// Settings of a running server, as resolved from the command line and environment.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: String,
    pub db_path: PathBuf,
    pub secure_cookies: bool,
    pub max_upload_bytes: usize,
}

impl Settings {
    pub fn from_cli(cli: &Cli) -> Self {
        Self {
            bind: cli.server.bind.clone(),
            db_path: cli.db.clone(),
            secure_cookies: cli.server.secure_cookies,
            max_upload_bytes: usize::try_from(cli.server.max_upload_mb.saturating_mul(1024 * 1024))
                .unwrap_or(usize::MAX),
        }
    }

    /// Settings for tests and embedding: a database path and an ephemeral port.
    pub fn for_tests(db_path: PathBuf) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            db_path,
            secure_cookies: false,
            max_upload_bytes: 50 * 1024 * 1024,
        }
    }
}
