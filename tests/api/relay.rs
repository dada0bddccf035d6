//! A fake SMTP relay for the mail tests: accepts, refuses once, says
//! nothing at all, or hangs in the middle of a mail, as a test asks.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub struct FakeRelay {
    pub port: u16,
    /// Each mail accepted, as received.
    pub received: Arc<Mutex<Vec<String>>>,
    /// While set, new connections get no greeting, ever.
    pub silent: Arc<AtomicBool>,
    /// Connections held without a greeting so far.
    pub held: Arc<AtomicUsize>,
    /// Once this many mails are accepted, the next one's data is taken
    /// and never answered (a relay that hangs mid-mail).
    pub freeze_after: Arc<AtomicUsize>,
    /// Mails taken and never answered so far.
    pub frozen: Arc<AtomicUsize>,
}

/// A relay on a free port; `refuse_first` answers the first `MAIL` with a
/// temporary refusal.
pub async fn fake_relay(refuse_first: bool) -> FakeRelay {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let silent = Arc::new(AtomicBool::new(false));
    let quiet = silent.clone();
    let held = Arc::new(AtomicUsize::new(0));
    let holding = held.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let attempts = Arc::new(AtomicUsize::new(usize::from(!refuse_first)));
    let store = received.clone();
    let freeze_after = Arc::new(AtomicUsize::new(usize::MAX));
    let frozen = Arc::new(AtomicUsize::new(0));
    let (freeze_at, freezing) = (freeze_after.clone(), frozen.clone());
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            let attempts = attempts.clone();
            let (freeze_at, freezing) = (freeze_at.clone(), freezing.clone());
            if quiet.load(Ordering::SeqCst) {
                // Holds the connection open and says nothing, ever.
                holding.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                    drop(socket);
                });
                continue;
            }
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake ESMTP\r\n").await.ok();
                let mut data = None::<String>;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "."
                            && store.lock().unwrap().len() >= freeze_at.load(Ordering::SeqCst)
                        {
                            freezing.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                            break;
                        }
                        if line == "." {
                            store.lock().unwrap().push(std::mem::take(body));
                            data = None;
                            write.write_all(b"250 queued\r\n").await.ok();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake\r\n",
                        "MAIL" => {
                            if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
                                b"451 4.3.0 try again later\r\n"
                            } else {
                                b"250 ok\r\n"
                            }
                        }
                        "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"500 what\r\n",
                    };
                    write.write_all(reply).await.ok();
                }
            });
        }
    });
    FakeRelay {
        port,
        received,
        silent,
        held,
        freeze_after,
        frozen,
    }
}
