//! Writing results to standard output without panicking when the reader goes away
//! (`blastgraph demo | head`): `print!` panics on a broken pipe, this does not.

use crate::error::CliError;
use std::io::{ErrorKind, Write};

/// Writes `text` to standard output. A closed pipe ends the output quietly (the reader
/// has what it wanted); any other error is a failure.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(CliError::Failure(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}

/// Writes `value` as pretty JSON and a newline to standard output, encoding as it
/// writes: the JSON of `blast-radius --all` on a large organization is hundreds of
/// megabytes, and a copy of it in memory raised the peak by as much. Same bytes as
/// `serde_json::to_string_pretty`. A closed pipe ends the output quietly.
pub fn print_json(value: &impl serde::Serialize) -> Result<(), CliError> {
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut stdout, value)
        .map_err(|e| match e.io_error_kind() {
            Some(kind) => std::io::Error::from(kind),
            None => std::io::Error::other(e),
        })
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    match written {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(CliError::Failure(format!(
            "cannot write the result to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}
