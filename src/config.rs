//! Command-line configuration. Every setting is a flag with an environment fallback, and
//! the settings that locate the database are accepted by every subcommand.

use std::path::PathBuf;
use std::time::Duration;

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

    /// Longest time a page or API request may take before it is answered with 503 (a
    /// streamed export counts until its first byte).
    #[arg(
        long,
        env = "GLOSS_REQUEST_TIMEOUT_SECS",
        default_value_t = 60,
        global = true,
        value_name = "SECONDS"
    )]
    pub request_timeout_secs: u64,

    /// Most connections served at once; further ones are closed at once.
    #[arg(
        long,
        env = "GLOSS_MAX_CONNECTIONS",
        default_value_t = 1024,
        global = true,
        value_name = "N"
    )]
    pub max_connections: usize,

    /// Behind a reverse proxy: the request header that carries the client's address
    /// (e.g. X-Forwarded-For; the last address in it is used). Sign-in throttling is per
    /// client address, and without this every client has the proxy's address. Set it
    /// only when the proxy always sets that header, or clients can choose their address.
    #[arg(
        long,
        env = "GLOSS_TRUST_PROXY_HEADER",
        global = true,
        value_name = "HEADER"
    )]
    pub trust_proxy_header: Option<String>,
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
    /// Create a demo project owned by --owner: 21 real interviews, a codebook, two demo
    /// coders' coding (partly adjudicated). Prints the project's id and address.
    Demo {
        /// The user who will own the demo project.
        #[arg(long, value_name = "USER")]
        owner: String,
    },
    /// Import a REFI-QDA project (.qdpx from ATLAS.ti, NVivo, MAXQDA, QualCoder or Gloss)
    /// into a new project owned by --owner; prints the import summary as JSON.
    ImportQdpx {
        /// The user who will own the new project.
        #[arg(long, value_name = "USER")]
        owner: String,
        /// Use existing accounts whose names match the file's users (default: create
        /// coders who cannot sign in until an administrator sets a password).
        #[arg(long)]
        match_users: bool,
        /// The .qdpx file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
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
    /// Export coded excerpts as CSV (one row per excerpt and code), the code × document
    /// matrix with --matrix, or REFI-QDA files with --format qdpx / qdc.
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
        /// What to write: `csv` (default), `qdpx` (the whole project as a REFI-QDA
        /// project for ATLAS.ti, NVivo, MAXQDA, QualCoder; the filters apply) or `qdc`
        /// (the codebook as a REFI-QDA codebook).
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
    },
    /// Write a consistent copy of the database to PATH (safe while the server runs).
    Backup {
        /// Where to write the copy; must not exist yet.
        path: PathBuf,
    },
}

/// The file kinds `gloss export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Qdpx,
    Qdc,
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
        /// Days until the token stops working (1 to 3650); without it, until revoked.
        #[arg(long)]
        expires_in_days: Option<u32>,
        /// The token may only read: requests that would change anything get 403.
        #[arg(long)]
        read_only: bool,
    },
    /// List a user's API tokens: id, label, access, created, expires, last used, revoked.
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
    /// Requests (until their response starts) are cut off after this long.
    pub request_timeout: Duration,
    /// A request body that sends nothing for this long is given up (408).
    pub body_stall_timeout: Duration,
    /// A connection that has not sent a complete request head this long after it opened
    /// (or after its previous response) is closed; this also ends idle keep-alives.
    pub header_timeout: Duration,
    pub max_connections: usize,
    /// After a shutdown signal, requests in flight may finish for this long.
    pub shutdown_grace: Duration,
    /// Lower-cased name of the header that carries the client's address, if trusted.
    pub trust_proxy_header: Option<String>,
}

impl Settings {
    pub fn from_cli(cli: &Cli) -> Self {
        Self {
            bind: cli.server.bind.clone(),
            db_path: cli.db.clone(),
            secure_cookies: cli.server.secure_cookies,
            max_upload_bytes: usize::try_from(cli.server.max_upload_mb.saturating_mul(1024 * 1024))
                .unwrap_or(usize::MAX),
            request_timeout: Duration::from_secs(cli.server.request_timeout_secs.max(1)),
            max_connections: cli.server.max_connections.max(1),
            trust_proxy_header: cli
                .server
                .trust_proxy_header
                .as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_ascii_lowercase),
            ..Self::defaults(cli.db.clone())
        }
    }

    /// Settings for tests and embedding: a database path and an ephemeral port.
    pub fn for_tests(db_path: PathBuf) -> Self {
        Self::defaults(db_path)
    }

    fn defaults(db_path: PathBuf) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            db_path,
            secure_cookies: false,
            max_upload_bytes: 50 * 1024 * 1024,
            request_timeout: Duration::from_secs(60),
            body_stall_timeout: Duration::from_secs(20),
            header_timeout: Duration::from_secs(10),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(30),
            trust_proxy_header: None,
        }
    }
}
