//! The line `webget` prints for each site. The tour includes this file,
//! to print what `webget` prints.

use inet::http::client::FetchError;
use inet::http::save::{SaveError, Saved};
use inet::http::site::Site;

// ANCHOR: result_line
/// The line `webget` prints for a site, shaped like inet_02's three:
/// success, connection failure, file error; and a fourth for a reply
/// that went wrong, which inet_02 can't tell.
pub fn result_line(site: &Site, result: &Result<Saved, SaveError>) -> String {
    let host = &site.host;
    match result {
        Ok(saved) => {
            let path = saved.path.display();
            let status = saved.received.head.status_line();
            let bytes = saved.received.total_len();
            format!(
                "Transfer of the index page of site {host} succeeded: \
                 {path} ({status}, {bytes} bytes)"
            )
        }
        Err(SaveError::Fetch(
            e @ (FetchError::Refused | FetchError::Connect(_)),
        )) => {
            let port = site.port;
            format!("Connection to site ({host},{port}) failed: {e}")
        }
        Err(SaveError::File(e)) => {
            let name = site.file_name();
            format!("Error ({e}) creating the file {name}")
        }
        Err(e) => {
            format!("Transfer of the index page of site {host} failed: {e}")
        }
    }
}
// ANCHOR_END: result_line
