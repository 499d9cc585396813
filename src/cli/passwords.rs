//! Reading a new password: prompted twice on a terminal, or the first line of standard
//! input when it is piped (so scripts can create users).

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};

pub fn read_new(prompt: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt).context("reading the password")?;
        let second = rpassword::prompt_password("Repeat it: ").context("reading the password")?;
        if first != second {
            bail!("the two passwords do not match");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let password = line.trim_end_matches(['\n', '\r']).to_owned();
        if password.is_empty() {
            bail!(
                "no password on standard input; pipe it in, e.g. `echo 'secret pass' | gloss user add NAME`"
            );
        }
        Ok(password)
    }
}
