//! What `echo-client` shows for each event of the client: the original's
//! prompt, and each reply as `<-- reply`. The tour shows the same.

use std::io::{self, Write};

use inet::echo::client::Event;

/// The prompt, as the original's `raw_input` shows it (in English).
pub const PROMPT: &str = "Command (empty line to stop): ";

/// The client's screen: standard output, or the tour's copy of it.
pub struct Screen<W> {
    out: W,
    /// Show each keyboard line after the prompt: when standard input is
    /// a pipe, nobody typed it, and the screen would be hard to follow.
    echo_input: bool,
    /// The prompt is on the screen, waiting for a line.
    prompting: bool,
}

impl<W: Write> Screen<W> {
    /// A screen writing to `out`.
    pub fn new(out: W, echo_input: bool) -> Self {
        let prompting = false;
        Screen {
            out,
            echo_input,
            prompting,
        }
    }

    /// Shows `event`, at once.
    pub fn show(&mut self, event: Event<'_>) -> io::Result<()> {
        let prompting = std::mem::take(&mut self.prompting);
        match event {
            Event::Prompt => {
                self.prompting = true;
                write!(self.out, "{PROMPT}")?;
            }
            Event::Typed(line) if self.echo_input => {
                self.out.write_all(&[line, b"\n"].concat())?;
            }
            Event::Typed(_) => {} // the terminal showed it, and the Enter
            Event::InputEnded => writeln!(self.out)?,
            Event::Reply(reply) => {
                // A line the server sent while the prompt waited starts
                // a line of its own.
                let end_prompt: &[u8] = if prompting { b"\n" } else { b"" };
                let line = [end_prompt, b"<-- ", reply, b"\n"].concat();
                self.out.write_all(&line)?;
            }
        }
        self.out.flush()
    }
}
