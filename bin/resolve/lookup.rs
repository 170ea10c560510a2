//! The original's `getIPandName`, with the library's [`Resolver`] doing
//! the lookups and this program the printing. The tour includes this
//! file, to print what `resolve` prints.

use std::io::{self, Write};

use inet::dns::resolver::{Family, Resolver};

/// The most addresses of one host whose names are looked up: each lookup
/// may wait the whole timeout, and a server may list thousands.
pub const MAX_NAMED: usize = 32;

/// The original's `getIPandName`: prints `ip[HOST]=ADDR`, then
/// `name[ADDR]=NAME`, each with the error text in place of the answer
/// when the lookup fails (a failed forward lookup ends the host). Only
/// the first address of `family`, as `gethostbyname` gives; with
/// [`Family::Any`] (`--all`), one `ip` line per address, then one `name`
/// line each, up to [`MAX_NAMED`] (the rest are listed, not looked up).
/// Each line is written as soon as its lookup ends.
/// Returns true when every lookup succeeded.
///
/// # Errors
/// Only when `out` fails.
pub fn get_ip_and_name(
    resolver: &dyn Resolver,
    host: &str,
    family: Family,
    out: &mut impl Write,
) -> io::Result<bool> {
    let mut addrs = match resolver.addresses(host, family) {
        Ok(addrs) => addrs,
        Err(e) => {
            writeln!(out, "ip[{host}]={e}")?;
            return Ok(false);
        }
    };
    if family != Family::Any {
        addrs.truncate(1);
    }
    for addr in &addrs {
        writeln!(out, "ip[{host}]={addr}")?;
    }
    let mut all_named = true;
    for (i, &addr) in addrs.iter().enumerate() {
        if i >= MAX_NAMED {
            let why = format!("not looked up: at most {MAX_NAMED} a host");
            writeln!(out, "name[{addr}]={why}")?;
            all_named = false;
            continue;
        }
        match resolver.name_of(addr) {
            Ok(name) => writeln!(out, "name[{addr}]={name}")?,
            Err(e) => {
                writeln!(out, "name[{addr}]={e}")?;
                all_named = false;
            }
        }
    }
    Ok(all_named)
}
