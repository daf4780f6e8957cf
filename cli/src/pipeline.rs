//! Parallel chunk pipeline: one thread cuts the file into record-aligned chunks, worker
//! threads parse (and format) chunks, and the caller consumes the results in file order.
//! Order-dependent work (grouping, writing) stays on one thread; the parsing, which is
//! most of the cost, uses every core.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};

use cmr_record::FileError;
use cmr_record::chunks::{Chunk, Splitter};
use cmr_record::doj::go_os_message;

/// Bytes per chunk: large enough to amortise hand-offs, small enough to keep memory flat.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Parser threads to use: one more than the cores, so that a core is not left idle while
/// a thread waits on a read or a write (measured: 2.06 s against 2.22 s on 2 cores).
pub fn worker_count() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        + 1
}

/// Calls `work` on every chunk (on `workers` threads) and `consume` on the results in
/// chunk order. Stops at the first error `consume` returns.
pub fn for_each_chunk<R, T, W, C>(
    mut splitter: Splitter<R>,
    workers: usize,
    work: W,
    mut consume: C,
) -> Result<(), FileError>
where
    R: Read + Send,
    T: Send,
    W: Fn(&Chunk) -> T + Sync,
    C: FnMut(&Chunk, T) -> Result<(), FileError>,
{
    let workers = workers.max(1);
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(workers);
    let (result_tx, result_rx) = sync_channel::<(Chunk, T)>(workers);
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    let read_error: Mutex<Option<std::io::Error>> = Mutex::new(None);

    std::thread::scope(|scope| {
        let read_error = &read_error;
        scope.spawn(move || {
            loop {
                match splitter.next_chunk() {
                    Ok(Some(chunk)) => {
                        if chunk_tx.send(chunk).is_err() {
                            return; // the consumer stopped
                        }
                    }
                    Ok(None) => return,
                    Err(e) => {
                        *read_error.lock().expect("not poisoned") = Some(e);
                        return;
                    }
                }
            }
        });
        for _ in 0..workers {
            let rx = Arc::clone(&chunk_rx);
            let tx = result_tx.clone();
            let work = &work;
            scope.spawn(move || {
                while let Some(chunk) = next(&rx) {
                    let result = work(&chunk);
                    if tx.send((chunk, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(result_tx);
        drop(chunk_rx);

        // Results arrive in any order; hand them on in file order. The receiver is moved
        // in here so that returning early drops it, which stops the workers.
        let result_rx = result_rx;
        let mut pending: BTreeMap<u64, (Chunk, T)> = BTreeMap::new();
        let mut expected = 0u64;
        for (chunk, result) in result_rx.iter() {
            pending.insert(chunk.seq, (chunk, result));
            while let Some((chunk, result)) = pending.remove(&expected) {
                consume(&chunk, result)?;
                expected += 1;
            }
        }
        if let Some(e) = read_error.lock().expect("not poisoned").take() {
            return Err(FileError::other(go_os_message(&e)));
        }
        Ok(())
    })
}

fn next(rx: &Mutex<Receiver<Chunk>>) -> Option<Chunk> {
    rx.lock().expect("not poisoned").recv().ok()
}
