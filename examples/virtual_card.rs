//! A virtual PIV card in a vpcd reader, for trying the app with the real PC/SC stack:
//!
//! ```text
//! pcscd --foreground --info &          # with vsmartcard-vpcd installed
//! cargo run --example virtual_card -- --seed checker --port 35963 --pin 123456
//! ```
//!
//! Port 35963 is reader "Virtual PCD 00 00", 35964 "Virtual PCD 00 01". The card stays in the
//! reader until Ctrl+C (which pulls it). Type `p` and Enter to pull it, `i` and Enter to insert
//! it again (the PIN counter survives), `q` to quit.

use std::io::BufRead;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use merchant_desk::card::virtual_card::{VirtualCard, DEFAULT_PIN};
use merchant_desk::card::vpcd::{reader_name_for_port, serve_vpcd, VpcdCard, VPCD_PORT_0};

fn usage() -> ! {
    eprintln!("usage: virtual_card [--seed S] [--port 35963] [--pin 123456]");
    std::process::exit(2);
}

fn main() {
    let mut seed = "merchant-desk".to_string();
    let mut port = VPCD_PORT_0;
    let mut pin = DEFAULT_PIN.to_string();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--seed" => seed = value(),
            "--port" => port = value().parse().unwrap_or_else(|_| usage()),
            "--pin" => pin = value(),
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    if !(6..=8).contains(&pin.len()) || !pin.is_ascii() {
        eprintln!("the PIN must be 6 to 8 ASCII characters");
        std::process::exit(2);
    }
    let card = VirtualCard::new(&seed, &pin);
    println!("virtual PIV card, seed \"{seed}\", PIN {pin}");
    println!("serial:             {}", card.serial());
    println!("9A auth key sha256: {}", card.auth_fpr());
    println!("9C sign key sha256: {}", card.sign_fpr());
    println!(
        "reader:             \"{}\" (vpcd on 127.0.0.1:{port})",
        reader_name_for_port(port)
    );
    if atty_stdin() {
        println!("keys: p Enter pulls the card, i Enter inserts it, q Enter or Ctrl+C quits");
        interactive(card, port);
    } else {
        // No terminal (run in the background): serve until killed.
        let stop = Arc::new(AtomicBool::new(false));
        match serve_vpcd(&format!("127.0.0.1:{port}"), card, stop.clone()) {
            Ok(_) => {}
            Err(e) => {
                eprintln!("vpcd at 127.0.0.1:{port}: {e}");
                std::process::exit(1);
            }
        }
        stop.store(true, Ordering::Relaxed);
    }
}

fn atty_stdin() -> bool {
    // SAFETY: isatty on fd 0 has no preconditions.
    unsafe { libc::isatty(0) == 1 }
}

fn interactive(card: VirtualCard, port: u16) {
    let mut inserted = Some(VpcdCard::insert(port, card.clone()));
    println!("card inserted");
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        match line.trim() {
            "p" => match inserted.take() {
                Some(c) => {
                    c.pull();
                    println!("card pulled");
                }
                None => println!("the card is not in the reader"),
            },
            "i" => {
                if inserted.as_ref().is_some_and(|c| c.is_inserted()) {
                    println!("the card is in the reader already");
                } else {
                    inserted = Some(VpcdCard::insert(port, card.clone()));
                    println!("card inserted");
                }
            }
            "q" => break,
            "" => {}
            other => println!("unknown command {other:?}: p, i or q"),
        }
    }
    if let Some(c) = inserted {
        c.pull();
    }
}
