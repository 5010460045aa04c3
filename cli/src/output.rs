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
