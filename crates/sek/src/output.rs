//! Writing results: to stdout (coloured when it is a terminal, unless NO_COLOR) or to a file
//! (never coloured). A closed pipe (`sek scan ... | head`) ends output quietly.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::cli::ColorChoice;
use crate::error::CliError;

/// Run `render` against stdout or `path`.
pub fn write_to(
    path: Option<&Path>,
    color: ColorChoice,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), CliError> {
    let result = match path {
        None => {
            let colored = match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                // Terminal, NO_COLOR, CLICOLOR and CLICOLOR_FORCE decide.
                ColorChoice::Auto => {
                    anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
                }
            };
            // Buffered: stdout alone is line-buffered, a system call per line of a report that
            // can have hundreds of thousands.
            let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
            let rendered = if colored {
                render(&mut out)
            } else {
                let mut stream = anstream::StripStream::new(&mut out as &mut dyn Write);
                render(&mut stream).and_then(|()| stream.flush())
            };
            rendered.and_then(|()| out.flush())
        }
        Some(path) => {
            let file = File::create(path).map_err(|source| CliError::Write {
                path: path.display().to_string(),
                source,
            })?;
            let mut writer = BufWriter::new(file);
            let mut stream = anstream::StripStream::new(&mut writer as &mut dyn Write);
            render(&mut stream)
                .and_then(|()| stream.flush())
                .and_then(|()| writer.flush())
        }
    };
    match result {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(CliError::Write {
            path: path.map_or_else(|| "stdout".to_string(), |p| p.display().to_string()),
            source,
        }),
        Ok(()) => Ok(()),
    }
}

/// Print an error and its help line to stderr.
pub fn print_error(err: &CliError) {
    let red = anstyle::Style::new()
        .fg_color(Some(anstyle::AnsiColor::Red.into()))
        .bold();
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(stderr, "{}error:{} {err}", red.render(), red.render_reset());
    if let Some(help) = err.help() {
        let _ = writeln!(stderr, "  help: {help}");
    }
}
