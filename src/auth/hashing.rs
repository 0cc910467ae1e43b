//! A small fixed pool of threads for password verification. argon2id takes ~19 MiB per hash;
//! on tokio's blocking pool a login flood spreads those over hundreds of threads, each keeping
//! its own allocator arena, and memory balloons (measured: +490 MiB for 200 logins). Here the
//! threads are few and the queue is bounded: a full queue is refused at once.

use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use super::passwords;

type Job = (String, String, tokio::sync::oneshot::Sender<bool>);

/// The pool; cheap to clone.
#[derive(Clone)]
pub struct HashingPool {
    queue: SyncSender<Job>,
}

/// The queue is full: answer "busy" rather than wait.
#[derive(Debug)]
pub struct PoolBusy;

impl HashingPool {
    /// Starts `threads` workers behind a queue of `queue` waiting jobs.
    pub fn new(threads: usize, queue: usize) -> Self {
        let (sender, receiver) = sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads.max(1) {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || {
                    loop {
                        let job = receiver.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok((password, hash, reply)) = job else {
                            return;
                        };
                        let _ = reply.send(passwords::verify_password(&password, &hash));
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password thread");
            }
        }
        Self { queue: sender }
    }

    /// Verifies a password against a PHC hash on the pool.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, PoolBusy> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        match self.queue.try_send((password, hash, reply)) {
            Ok(()) => answer.await.map_err(|_| PoolBusy),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(PoolBusy),
        }
    }
}
