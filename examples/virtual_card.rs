//! A virtual PIV card in a vpcd reader, for trying the app with the real PC/SC stack:
//!
//! ```text
//! pcscd --foreground --info &          # with vsmartcard-vpcd installed
//! cargo run --example virtual_card -- --seed checker --port 35963 --pin 123456
//! cargo run --example virtual_card -- --blank --port 35963     # a card as from the factory
//! ```
//!
//! Port 35963 is reader "Virtual PCD 00 00", 35964 "Virtual PCD 00 01". The card stays in the
//! reader until Ctrl+C (which pulls it). Type `p` and Enter to pull it, `i` and Enter to insert
//! it again (the PIN counter survives), `q` to quit.
//!
//! `--blank`: empty slots, no CHUID, PIN 123456, PUK 12345678, the default management key (set
//! it up from the app or with `merchant-desk card setup`). `--alg p256|p384|rsa2048`: the
//! algorithm of a set-up card's keys. `--compressed`: certificates stored gzip-compressed.
//! `--touch-ms N`: every signature takes N ms, as a key waiting for its touch.
//! `--partial-aid`: SELECT also takes the 5-byte AID A0 00 00 03 08, as YubiKeys do
//! (yubico-piv-tool 2.2 selects with it); without it only the full or 9-byte AID selects,
//! as SP 800-73-4 says.

use std::io::BufRead;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use merchant_desk::card::virtual_card::{VirtualCard, DEFAULT_PIN};
use merchant_desk::card::vpcd::{reader_name_for_port, serve_vpcd, VpcdCard, VPCD_PORT_0};
use merchant_desk::card::{Algorithm, Slot};

fn usage() -> ! {
    eprintln!(
        "usage: virtual_card [--seed S] [--port 35963] [--pin 123456] [--blank] \
         [--alg p256|p384|rsa2048] [--compressed] [--touch-ms N] [--partial-aid]"
    );
    std::process::exit(2);
}

fn main() {
    let mut seed = "merchant-desk".to_string();
    let mut port = VPCD_PORT_0;
    let mut pin = DEFAULT_PIN.to_string();
    let mut blank = false;
    let mut compressed = false;
    let mut alg = Algorithm::EccP256;
    let mut touch_ms = 0u64;
    let mut partial_aid = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--seed" => seed = value(),
            "--port" => port = value().parse().unwrap_or_else(|_| usage()),
            "--pin" => pin = value(),
            "--blank" => blank = true,
            "--compressed" => compressed = true,
            "--partial-aid" => partial_aid = true,
            "--alg" => {
                alg = match value().as_str() {
                    "p256" => Algorithm::EccP256,
                    "p384" => Algorithm::EccP384,
                    "rsa2048" => Algorithm::Rsa2048,
                    _ => usage(),
                }
            }
            "--touch-ms" => touch_ms = value().parse().unwrap_or_else(|_| usage()),
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    if !(6..=8).contains(&pin.len()) || !pin.is_ascii() {
        eprintln!("the PIN must be 6 to 8 ASCII characters");
        std::process::exit(2);
    }
    let card = if blank {
        VirtualCard::blank(&seed)
    } else if alg == Algorithm::EccP256 {
        VirtualCard::new(&seed, &pin)
    } else {
        VirtualCard::with_algorithm(&seed, alg)
    };
    if compressed {
        card.compress_certificates();
    }
    card.accept_partial_aid(partial_aid);
    card.set_touch_delay(std::time::Duration::from_millis(touch_ms));
    if blank {
        println!("blank virtual PIV card, PIN 123456, PUK 12345678, default management key");
    } else {
        println!("virtual PIV card, seed \"{seed}\", {alg}, PIN {pin}");
        println!("serial:             {}", card.serial());
        if card.has_certificate(Slot::Authentication) {
            println!("9A auth key sha256: {}", card.auth_fpr());
            println!("9C sign key sha256: {}", card.sign_fpr());
        }
    }
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
