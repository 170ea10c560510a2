//! The mail file of inet_03 and inet_04, whose originals read it the
//! same way (getInfos, cutNewLineChar, and the start of their main): the
//! line `server, sender, recipient`, then the message.

use std::env;
use std::error::Error;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};

/// The mail file's first line, and the message after it.
pub struct Infos {
    pub server: String,
    pub sender: String,
    pub recipient: String,
    pub message: String,
}

/// The start of main (lines 194-204 of inet_03): reads the mail file
/// the command line names (default `mail2.txt`, as in the original),
/// and says what is about to be sent.
pub fn infos_from_command_line() -> Result<Infos, Box<dyn Error>> {
    let mail = env::args().nth(1).unwrap_or("mail2.txt".to_string());
    match get_infos(&mail) {
        Ok(infos) => {
            let (server, sender) = (&infos.server, &infos.sender);
            println!(
                "Envoi du message [{server},{sender},{}]",
                infos.recipient
            );
            Ok(infos)
        }
        // Line 200 prints `erreur`, a name that does not exist there:
        // Python stops with a NameError, and the reason is lost.
        Err(_reason) => Err("NameError: name 'erreur' is not defined".into()),
    }
}

/// getInfos (lines 6-41 of inet_03): reads the mail file, or says what
/// is wrong with it. (It must be UTF-8 here; Python 2 takes any bytes.)
fn get_infos(file: &str) -> Result<Infos, String> {
    let infos = File::open(file).map_err(|error| {
        format!("Le fichier {file} n'a pu etre ouvert en lecture : {error}")
    })?;
    let mut infos = BufReader::new(infos);
    let mut line = String::new();
    infos.read_line(&mut line).map_err(|e| e.to_string())?;
    let line = cut_new_line_char(&line);
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    if fields.len() != 3 {
        return Err(format!(
            "La ligne 1 du fichier {file} (serveur smtp, expediteur, \
             destinataire) a un nombre de champs incorrect"
        ));
    }
    // The rest of the file, as it is: line ends and all.
    let mut message = String::new();
    infos
        .read_to_string(&mut message)
        .map_err(|e| e.to_string())?;
    Ok(Infos {
        server: fields[0].to_string(),
        sender: fields[1].to_string(),
        recipient: fields[2].to_string(),
        message,
    })
}

/// cutNewLineChar (lines 153-158 of inet_03): `line` without the CRs and
/// LFs at its end. Like the original, it walks off the start of a line
/// made of nothing else (an empty file, an empty first line): Python
/// raises an IndexError there, Rust panics.
fn cut_new_line_char(line: &str) -> &str {
    let mut l = line.len();
    while matches!(line.as_bytes()[l - 1], b'\n' | b'\r') {
        l -= 1;
    }
    &line[..l]
}
