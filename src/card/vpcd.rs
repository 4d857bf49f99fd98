//! The virtual card's side of vpcd (vsmartcard's virtual reader driver for pcscd). vpcd listens
//! on TCP (port 35963 for reader "Virtual PCD 00 00", 35964 for "... 00 01"); the card connects
//! as a client, which pcscd sees as a card inserted, and closing the connection is a card
//! pulled. Frames are a 2-byte big-endian length and a payload; a 1-byte payload is a control
//! (0 power off, 1 power on, 2 reset, 4 get ATR, answered with the ATR), anything longer is a
//! command APDU, answered with the response APDU.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::virtual_card::{PivApplet, VirtualCard};

/// vpcd's port for reader "Virtual PCD 00 00".
pub const VPCD_PORT_0: u16 = 35963;
/// vpcd's port for reader "Virtual PCD 00 01".
pub const VPCD_PORT_1: u16 = 35964;

/// The pcscd reader name of vpcd's port.
pub fn reader_name_for_port(port: u16) -> String {
    format!("Virtual PCD 00 {:02}", port.saturating_sub(VPCD_PORT_0))
}

/// How a vpcd session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The stop flag was set.
    Stopped,
    /// The card's armed pull fired (`VirtualCard::pull_on`).
    Pulled,
}

/// Without it, Linux delays the ACK of each small frame and every APDU takes 40 ms.
fn quickack(stream: &TcpStream) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let one: libc::c_int = 1;
        // SAFETY: a valid socket fd and a pointer to a c_int of the given size.
        unsafe {
            libc::setsockopt(
                stream.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_QUICKACK,
                &one as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = stream;
}

enum Frame {
    Data(Vec<u8>),
    Stop,
    Closed,
}

/// Reads one frame, looking at `stop` every 100 ms while waiting.
fn read_frame(stream: &mut TcpStream, stop: &AtomicBool) -> io::Result<Frame> {
    let mut buf = Vec::new();
    let mut need = 2;
    let mut header_done = false;
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(Frame::Stop);
        }
        quickack(stream);
        let mut chunk = [0u8; 4096];
        let want = (need - buf.len()).min(chunk.len());
        match stream.read(&mut chunk[..want]) {
            Ok(0) => return Ok(Frame::Closed),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        if buf.len() == need {
            if header_done {
                return Ok(Frame::Data(buf.split_off(2)));
            }
            header_done = true;
            need = 2 + u16::from_be_bytes([buf[0], buf[1]]) as usize;
            if need == 2 {
                return Ok(Frame::Data(Vec::new()));
            }
        }
    }
}

fn write_frame(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let mut out = Vec::with_capacity(payload.len() + 2);
    out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    out.extend_from_slice(payload);
    stream.write_all(&out)
}

/// Runs `card` in vpcd at `addr` until `stop` is set or the card's armed pull fires.
/// Connects (retrying every 200 ms while vpcd is not listening), serves, and reconnects when
/// vpcd drops the connection (pcscd restarted).
pub fn serve_vpcd(addr: &str, card: VirtualCard, stop: Arc<AtomicBool>) -> io::Result<Ended> {
    let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
    let Some(&sa) = addrs.first() else {
        return Err(io::Error::new(ErrorKind::InvalidInput, "no address"));
    };
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(Ended::Stopped);
        }
        let mut stream = match TcpStream::connect_timeout(&sa, Duration::from_millis(500)) {
            Ok(s) => s,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
        };
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_millis(100)))?;
        card.power_cycle();
        // MERCHANT_DESK_VPCD_TRACE=1 prints every command and answer (to see what other
        // programs send).
        let trace = std::env::var("MERCHANT_DESK_VPCD_TRACE").as_deref() == Ok("1");
        let ended = loop {
            match read_frame(&mut stream, &stop)? {
                Frame::Stop => break Some(Ended::Stopped),
                Frame::Closed => break None,
                Frame::Data(p) if p.len() == 1 => match p[0] {
                    0..=2 => card.power_cycle(),
                    4 => write_frame(&mut stream, &PivApplet::atr())?,
                    _ => {}
                },
                Frame::Data(p) if p.is_empty() => {}
                Frame::Data(apdu) => match card.process(&apdu) {
                    Some(resp) => {
                        if trace {
                            eprintln!(
                                "> {}\n< {}",
                                hex::encode_upper(&apdu),
                                hex::encode_upper(&resp)
                            );
                        }
                        write_frame(&mut stream, &resp)?
                    }
                    None => break Some(Ended::Pulled),
                },
            }
        };
        let _ = stream.shutdown(Shutdown::Both);
        if let Some(e) = ended {
            return Ok(e);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A virtual card inserted into a vpcd reader, served on a thread until pulled.
pub struct VpcdCard {
    pub card: VirtualCard,
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<io::Result<Ended>>>,
}

impl VpcdCard {
    /// Inserts `card` into the vpcd reader on 127.0.0.1:`port`.
    pub fn insert(port: u16, card: VirtualCard) -> VpcdCard {
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (card.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name(format!("vpcd-card-{port}"))
            .spawn(move || serve_vpcd(&format!("127.0.0.1:{port}"), c, s))
            .expect("spawn the virtual card's thread");
        VpcdCard {
            card,
            port,
            stop,
            thread: Some(thread),
        }
    }

    /// Whether the card is still being served (not pulled, not stopped).
    pub fn is_inserted(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Pulls the card out of the reader and waits (at most 2 s) for its thread to end.
    pub fn pull(mut self) -> VirtualCard {
        self.stop_thread();
        self.card.clone()
    }

    fn stop_thread(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let deadline = Instant::now() + Duration::from_secs(2);
            while !t.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if t.is_finished() {
                let _ = t.join();
            }
        }
    }
}

impl Drop for VpcdCard {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A fake vpcd: the frames the card side must speak.
    #[test]
    fn speaks_the_vpcd_framing() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let card = VirtualCard::from_seed("vpcd");
        let inserted = VpcdCard::insert(port, card.clone());
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let exchange = |s: &mut TcpStream, payload: &[u8]| -> Vec<u8> {
            write_frame(s, payload).unwrap();
            let mut len = [0u8; 2];
            s.read_exact(&mut len).unwrap();
            let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
            s.read_exact(&mut body).unwrap();
            body
        };
        assert_eq!(exchange(&mut s, &[4]), PivApplet::atr());
        let select = [0, 0xA4, 4, 0, 9, 0xA0, 0, 0, 3, 8, 0, 0, 0x10, 0, 0];
        assert!(exchange(&mut s, &select).ends_with(&[0x90, 0]));
        write_frame(&mut s, &[1]).unwrap(); // power on: no answer
        assert_eq!(exchange(&mut s, &[0, 0x20, 0, 0x80]), vec![0x6D, 0x00]); // deselected by reset
        assert!(inserted.is_inserted());
        card.pull_on(Some(0xA4));
        write_frame(&mut s, &select).unwrap();
        let mut b = [0u8; 1];
        assert_eq!(s.read(&mut b).unwrap(), 0, "the card hangs up when pulled");
        std::thread::sleep(Duration::from_millis(50));
        assert!(!inserted.is_inserted());
        assert_eq!(reader_name_for_port(VPCD_PORT_1), "Virtual PCD 00 01");
    }
}
