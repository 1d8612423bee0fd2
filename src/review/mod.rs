//! `dancu review DIR`: a local page where a clerk settles the uncertain
//! pairs of an output folder, one by one, and a JSON API under it. Every
//! decision is appended to `DIR/decisions.csv` at once; the next `dancu
//! clean` honours them (see [`crate::decisions`]).
//!
//! Private by construction: the server listens on 127.0.0.1 only, every
//! request must carry a random token that only the printed address holds,
//! the page may talk to nothing but its own server, and what the server
//! prints is counts, never a record's content or the token.

pub mod labels;
pub mod queue;
pub mod server;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::finding::Language;
use crate::message::shown_path;
use crate::output::lock::OutputLock;

pub struct ReviewOptions {
    pub folder: PathBuf,
    /// 0: a free port chosen by the system.
    pub port: u16,
    pub open_browser: bool,
    /// Who decides, unless the page says otherwise.
    pub reviewer: String,
    pub language: Language,
}

/// Opens the review of `options.folder` and serves it until the process is
/// stopped. `announce` is given the page's address (with its token) once
/// the server listens; `notice` what an operator should know (counts).
pub fn run(options: &ReviewOptions, announce: &dyn Fn(&str), notice: &dyn Fn(&str)) -> Result<()> {
    let folder = &options.folder;
    if !folder.join("records.csv").is_file() || !folder.join("duplicates.csv").is_file() {
        return Err(Error::Usage(format!(
            "{}: not an output folder of `dancu clean` (no records.csv or duplicates.csv)",
            shown_path(folder)
        )));
    }
    // No run replaces the folder (and its decisions.csv) while a clerk
    // decides in it.
    let (_lock, _) = OutputLock::acquire(folder)?;
    let queue = queue::load(folder)?;
    let token = random_token()
        .map_err(|e| Error::WriteOutput { path: folder.clone(), source: std::io::Error::other(e.to_string()) })?;
    let listener = std::net::TcpListener::bind(("127.0.0.1", options.port)).map_err(|e| {
        Error::Usage(format!("cannot listen on 127.0.0.1:{} ({e}); pass another --port, or none", options.port))
    })?;
    let address = listener.local_addr().map_err(|e| Error::WriteOutput { path: folder.clone(), source: e })?;
    let url = format!("http://{address}/?token={token}");
    notice(&format!(
        "{} pair(s) to review in {} commune(s), {} already decided; decisions go to {}. Ctrl+C stops the server",
        queue.pairs.len(),
        queue.communes.len(),
        queue.already_decided,
        shown_path(&folder.join(crate::decisions::FILE))
    ));
    let app = Arc::new(server::App {
        token,
        queue,
        decisions_path: folder.join(crate::decisions::FILE),
        reviewer: options.reviewer.clone(),
        page: labels::page(options.language, &options.reviewer),
        session: Mutex::new(server::Session::default()),
    });
    announce(&url);
    if options.open_browser {
        open_in_browser(&url);
    }
    server::serve(listener, Arc::clone(&app)).map_err(|e| Error::WriteOutput { path: folder.clone(), source: e })?;
    let written = app.session.lock().map_or(0, |s| s.appended);
    notice(&format!("stopped; {written} decision(s) written this session"));
    Ok(())
}

/// 128 random bits from the system, as hex.
fn random_token() -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Asks the desktop to open the page; the address is printed anyway.
fn open_in_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        std::process::Command::new("cmd").args(["/C", "start", "", url]).spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if let Ok(mut child) = command {
        std::thread::spawn(move || child.wait());
    }
}
