//! Reading ahead on a thread of its own: the records of the sources come
//! through a bounded channel, so a slow or blocked input (a FIFO with no writer
//! yet, a pipe) never keeps the run from noticing a stop signal, and reading
//! overlaps the rest of the work.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use super::{read_all_counted, ArchiveProgress, Record, Source};

/// Records read ahead: how many wait in the channel at most.
const AHEAD: usize = 16;

/// How often a wait for input checks the stop flag.
const POLL: Duration = Duration::from_millis(50);

/// The records of some sources, read on another thread; ends early when the
/// stop flag is raised.
pub struct ReadAhead {
    records: Receiver<Record>,
    stop: Arc<AtomicBool>,
    ended: bool,
}

impl ReadAhead {
    /// Starts reading `sources` in order on a new thread, counting what WARC
    /// archives hold into `archives`.
    pub fn spawn(sources: Vec<Source>, archives: Arc<ArchiveProgress>, stop: Arc<AtomicBool>) -> ReadAhead {
        let (sender, records) = sync_channel(AHEAD);
        std::thread::Builder::new()
            .name("cyberie-read".into())
            .spawn(move || {
                for record in read_all_counted(sources, archives) {
                    if sender.send(record).is_err() {
                        break;
                    }
                }
            })
            .expect("the reading thread starts");
        ReadAhead { records, stop, ended: false }
    }

    /// True once every record of the sources was handed out (the input was
    /// read to its end, rather than cut short by the stop flag).
    pub fn ended(&self) -> bool {
        self.ended
    }
}

impl Iterator for ReadAhead {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        while !self.ended && !self.stop.load(Ordering::SeqCst) {
            match self.records.recv_timeout(POLL) {
                Ok(record) => return Some(record),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => self.ended = true,
            }
        }
        None
    }
}
