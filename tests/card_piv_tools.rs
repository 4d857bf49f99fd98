//! The virtual card against what PIV implementations nobody on this project wrote expect, through
//! the real pcscd + vpcd stack in reader "Virtual PCD 00 01" (so it does not meet the tests
//! on "00 00"):
//!
//! - the same commands yubico-piv-tool and OpenSC send for status, reading certificates,
//!   verifying the PIN, signing, and a PIN blocked after three wrong tries (recorded from
//!   yubico-piv-tool 2.2 and OpenSC 0.23 against the card), sent here as raw APDUs;
//! - then the tools themselves, where they are installed (`apt-get install yubico-piv-tool
//!   opensc`): `yubico-piv-tool -a status`, `read-certificate`, `verify-pin`,
//!   `test-signature`, OpenSC's `pkcs15-tool --list-certificates` and `pkcs11-tool --sign`.
//!
//! Without pcscd these skip like `card_e2e` (and fail under MERCHANT_DESK_REQUIRE_PCSCD=1);
//! without the tools the last test skips with a notice (and fails under
//! MERCHANT_DESK_REQUIRE_PIV_TOOLS=1).

use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use merchant_desk::card::apdu::{Apdu, Response, StatusWord};
use merchant_desk::card::piv::{self, PIV_AID, PIV_AID_TRUNCATED};
use merchant_desk::card::transport::exchange;
use merchant_desk::card::vpcd::{reader_name_for_port, VpcdCard, VPCD_PORT_1};
use merchant_desk::card::{der, keys, list_readers, PcscTransport, Slot, Transport, VirtualCard};

static STACK: Mutex<()> = Mutex::new(());

const PORT: u16 = VPCD_PORT_1;

fn reader() -> String {
    reader_name_for_port(PORT)
}

fn stack(test: &str) -> Option<MutexGuard<'static, ()>> {
    let guard = STACK.lock().unwrap_or_else(|p| p.into_inner());
    let why = match list_readers() {
        Ok(r) if r.contains(&reader()) => return Some(guard),
        Ok(r) => format!("pcscd has no reader \"{}\" (readers: {r:?})", reader()),
        Err(e) => e.to_string(),
    };
    if std::env::var("MERCHANT_DESK_REQUIRE_PCSCD").as_deref() == Ok("1") {
        panic!("{test}: MERCHANT_DESK_REQUIRE_PCSCD=1 but the PC/SC stack is not usable: {why}");
    }
    eprintln!("skipped {test}: the PC/SC stack is not usable ({why})");
    None
}

fn wait_present(t: &mut PcscTransport, want: bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while t.card_present().unwrap() != want {
        assert!(
            Instant::now() < deadline,
            "the reader did not see the card change"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A set-up card in reader 00 01, and a transport to it.
fn inserted(card: &VirtualCard) -> (VpcdCard, PcscTransport) {
    let mut t = PcscTransport::open(&reader()).unwrap();
    wait_present(&mut t, false);
    let c = VpcdCard::insert(PORT, card.clone());
    wait_present(&mut t, true);
    (c, t)
}

fn pull(c: VpcdCard, t: &mut PcscTransport) {
    c.pull();
    wait_present(t, false);
}

fn send(t: &mut dyn Transport, hex_apdu: &str) -> Response {
    let bytes = hex::decode(hex_apdu.replace(' ', "")).unwrap();
    let apdu = Apdu::parse(&bytes).expect("a short APDU");
    exchange(t, &apdu).unwrap()
}

fn sw(t: &mut dyn Transport, hex_apdu: &str) -> u16 {
    send(t, hex_apdu).sw.code()
}

#[test]
fn tools_select_status_and_certificates() {
    let Some(_s) = stack("tools_select_status_and_certificates") else {
        return;
    };
    let card = VirtualCard::from_seed("tools-status");
    let (c, mut t) = inserted(&card);
    let t: &mut dyn Transport = &mut t;
    // The 5-byte AID is refused (SP 800-73-4 wants the full AID or its 9-byte form) ...
    assert_eq!(sw(t, "00A4040005A000000308"), 0x6A82);
    // ... OpenSC's 9-byte form with Le, and the full AID, select PIV.
    let apt = send(t, "00A4040009A0000003080000100000");
    assert_eq!(apt.sw, StatusWord::Success);
    let (tpl, _) = der::expect_tlv(&apt.data, 0x61).unwrap();
    assert_eq!(der::find_tlv(tpl, 0x4F).unwrap().unwrap(), &PIV_AID[5..]);
    assert_eq!(PIV_AID_TRUNCATED, &PIV_AID[..9]);
    assert_eq!(sw(t, "00A404000BA00000030800001000010000"), 0x9000);
    // yubico-piv-tool: VERIFY without data (tries left), GET VERSION, then a SELECT of the
    // YubiKey OTP application for the serial: refused, and PIV stays selected.
    assert_eq!(sw(t, "0020008000"), 0x63C3);
    assert_eq!(sw(t, "00FD000000"), 0x6D00);
    assert_eq!(sw(t, "00A4040008A000000527200101"), 0x6A82);
    assert_eq!(sw(t, "00A4040008A000000527471117"), 0x6A82);
    let chuid = send(t, "00CB3FFF055C035FC102");
    assert_eq!(chuid.sw, StatusWord::Success, "PIV still selected");
    let (body, _) = der::expect_tlv(&chuid.data, 0x53).unwrap();
    assert_eq!(
        hex::encode_upper(der::find_tlv(body, 0x34).unwrap().unwrap()),
        card.serial()
    );
    // CCC absent; the discovery object (OpenSC reads it) names the AID and the PIN policy.
    assert_eq!(sw(t, "00CB3FFF055C035FC107"), 0x6A82);
    let disc = send(t, "00CB3FFF035C017E00");
    assert_eq!(disc.sw, StatusWord::Success);
    let (d, _) = der::expect_tlv(&disc.data, 0x7E).unwrap();
    assert_eq!(der::find_tlv(d, 0x4F).unwrap().unwrap(), PIV_AID);
    // Certificates, longer than one answer: GET RESPONSE (61xx) as both tools follow it.
    for (obj, slot) in [
        ("5FC105", Slot::Authentication),
        ("5FC10A", Slot::Signature),
    ] {
        let raw = t
            .transmit(&hex::decode(format!("00CB3FFF055C03{obj}00")).unwrap())
            .unwrap();
        assert_eq!(raw[raw.len() - 2], 0x61, "the first part says more follows");
        let r = send(t, &format!("00CB3FFF055C03{obj}00"));
        let (o, _) = der::expect_tlv(&r.data, 0x53).unwrap();
        let cert = der::find_tlv(o, 0x70).unwrap().unwrap();
        assert_eq!(cert, card.certificate(slot).as_slice());
        assert_eq!(der::find_tlv(o, 0x71).unwrap().unwrap(), &[0u8]);
    }
    // An unknown instruction leaves PIV selected as well.
    assert_eq!(sw(t, "00F8000000"), 0x6D00);
    assert_eq!(sw(t, "0020008000"), 0x63C3);
    pull(c, &mut PcscTransport::open(&reader()).unwrap());
}

#[test]
fn tools_verify_sign_and_pin_blocked_after_three() {
    let Some(_s) = stack("tools_verify_sign_and_pin_blocked_after_three") else {
        return;
    };
    let card = VirtualCard::from_seed("tools-sign");
    let id = card.identity();
    let (c, mut t) = inserted(&card);
    let t: &mut dyn Transport = &mut t;
    assert_eq!(sw(t, "00A4040008A000000308000010"), 0x6A82);
    assert_eq!(sw(t, "00A4040009A00000030800001000"), 0x9000);
    let digest = keys::sha256(b"yubico-piv-tool test-signature");
    let ga = |slot: &str| {
        format!("0087119A267C2482008120{}00", hex::encode_upper(digest)).replacen("9A", slot, 1)
    };
    // Signing without the PIN: security status not satisfied.
    assert_eq!(sw(t, &ga("9A")), 0x6982);
    // yubico-piv-tool's verify-pin: the PIN padded with FF.
    assert_eq!(sw(t, "0020008008313233343536FFFF"), 0x9000);
    assert_eq!(sw(t, "0020008000"), 0x9000);
    for slot in [Slot::Authentication, Slot::Signature] {
        if slot == Slot::Signature {
            // 9C: PIN always, right before the signature.
            assert_eq!(sw(t, &ga("9C")), 0x6982);
            assert_eq!(sw(t, "0020008008313233343536FFFF"), 0x9000);
        }
        let r = send(t, &ga(&slot.to_string()));
        assert_eq!(r.sw, StatusWord::Success, "{slot}");
        let (tpl, _) = der::expect_tlv(&r.data, 0x7C).unwrap();
        let sig = der::find_tlv(tpl, 0x82).unwrap().unwrap();
        let key = if slot == Slot::Authentication {
            &id.auth_key
        } else {
            &id.sign_key
        };
        assert_eq!(keys::verify_digest(key, &digest, sig), Ok(()), "{slot}");
    }
    // A PIN the card does not take the form of: 6A80, no try counted.
    assert_eq!(sw(t, "00200080083132FFFFFFFFFFFF"), 0x6A80);
    // Three wrong PINs: 63C2, 63C1, then blocked; the right one is blocked too.
    assert_eq!(sw(t, "0020008008303030303030FFFF"), 0x63C2);
    assert_eq!(sw(t, "0020008008303030303030FFFF"), 0x63C1);
    assert_eq!(sw(t, "0020008008303030303030FFFF"), 0x63C0);
    assert_eq!(sw(t, "0020008008313233343536FFFF"), 0x6983);
    assert_eq!(sw(t, "0020008000"), 0x6983);
    assert_eq!(
        piv::verify_pin(t, "123456"),
        Err(piv::CardError::PinBlocked)
    );
    // The PUK unblocks it (yubico-piv-tool -a unblock-pin).
    assert_eq!(
        sw(t, "002C00801031323334353637383132FFFFFFFFFFFF"),
        0x6A80,
        "a malformed new PIN is refused"
    );
    assert_eq!(sw(t, "002C0080103132333435363738313233343536FFFF"), 0x9000);
    assert_eq!(sw(t, "0020008008313233343536FFFF"), 0x9000);
    pull(c, &mut PcscTransport::open(&reader()).unwrap());
}

fn tool(name: &str) -> bool {
    Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn run(cmd: &str, args: &[&str], stdin: Option<&[u8]>) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new(cmd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn pem(der: &[u8]) -> Vec<u8> {
    // Base64 by hand: no dependency for one test.
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in der.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    let lines: Vec<&str> = s
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
    .into_bytes()
}

#[test]
fn tools_yubico_piv_tool_and_opensc_use_the_virtual_card() {
    let Some(_s) = stack("tools_yubico_piv_tool_and_opensc_use_the_virtual_card") else {
        return;
    };
    let have = tool("yubico-piv-tool") && tool("pkcs15-tool");
    if !have {
        if std::env::var("MERCHANT_DESK_REQUIRE_PIV_TOOLS").as_deref() == Ok("1") {
            panic!("yubico-piv-tool or OpenSC is not installed");
        }
        eprintln!(
            "skipped tools_yubico_piv_tool_and_opensc_use_the_virtual_card: \
             apt-get install yubico-piv-tool opensc"
        );
        return;
    }
    let r = reader();
    let card = VirtualCard::from_seed("tools-real");
    // yubico-piv-tool 2.2 selects with the 5-byte AID, which YubiKeys take (partial
    // selection); the card takes it here as a YubiKey would.
    card.accept_partial_aid(true);
    let (c, mut t) = inserted(&card);
    let (ok, out) = run("yubico-piv-tool", &["-r", &r, "-a", "status"], None);
    assert!(ok, "{out}");
    assert!(
        out.contains("Slot 9a:") && out.contains("Slot 9c:"),
        "{out}"
    );
    assert!(out.contains("ECCP256"), "{out}");
    assert!(out.contains("PIN tries left:\t3"), "{out}");
    assert!(
        out.to_lowercase().contains(&card.serial().to_lowercase()),
        "the CHUID's GUID: {out}"
    );
    for (slot, s) in [(Slot::Authentication, "9a"), (Slot::Signature, "9c")] {
        let (ok, out) = run(
            "yubico-piv-tool",
            &["-r", &r, "-a", "read-certificate", "-s", s],
            None,
        );
        assert!(ok, "{out}");
        assert_eq!(out.as_bytes(), pem(&card.certificate(slot)).as_slice());
        let (ok, out) = run(
            "yubico-piv-tool",
            &[
                "-r",
                &r,
                "-a",
                "verify-pin",
                "-P",
                "123456",
                "-a",
                "test-signature",
                "-s",
                s,
            ],
            Some(&pem(&card.certificate(slot))),
        );
        assert!(ok, "{out}");
        assert!(out.contains("Successful ECDSA verification"), "{out}");
    }
    for left in ["2", "1"] {
        let (ok, out) = run(
            "yubico-piv-tool",
            &["-r", &r, "-a", "verify-pin", "-P", "000000"],
            None,
        );
        assert!(!ok);
        assert!(out.contains(&format!("{left} tries left")), "{out}");
    }
    let (ok, out) = run(
        "yubico-piv-tool",
        &["-r", &r, "-a", "verify-pin", "-P", "000000"],
        None,
    );
    assert!(!ok && out.to_lowercase().contains("blocked"), "{out}");
    assert_eq!(card.tries_left(), 0);
    let (ok, out) = run(
        "yubico-piv-tool",
        &[
            "-r",
            &r,
            "-a",
            "unblock-pin",
            "-P",
            "12345678",
            "-N",
            "123456",
        ],
        None,
    );
    assert!(ok, "{out}");
    assert_eq!(card.tries_left(), 3);
    pull(c, &mut t);

    // OpenSC selects with the 9-byte AID: the card as SP 800-73-4 says.
    let card = VirtualCard::from_seed("tools-opensc");
    let (c, mut t) = inserted(&card);
    let (ok, out) = run(
        "pkcs15-tool",
        &["--reader", &r, "--list-certificates"],
        None,
    );
    assert!(ok, "{out}");
    assert!(out.contains("Certificate for PIV Authentication"), "{out}");
    assert!(out.contains("Certificate for Digital Signature"), "{out}");
    let module = [
        "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/opensc-pkcs11.so",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists());
    if let Some(module) = module {
        let dir = tempfile::tempdir().unwrap();
        let digest = keys::sha256(b"opensc");
        let input = dir.path().join("digest");
        std::fs::write(&input, digest).unwrap();
        for (slot, id) in [(Slot::Authentication, "01"), (Slot::Signature, "02")] {
            let output = dir.path().join(format!("sig{id}"));
            let (ok, out) = run(
                "pkcs11-tool",
                &[
                    "--module",
                    module,
                    "--slot-index",
                    "1",
                    "--login",
                    "--pin",
                    "123456",
                    "--sign",
                    "--id",
                    id,
                    "-m",
                    "ECDSA",
                    "--signature-format",
                    "openssl",
                    "-i",
                    input.to_str().unwrap(),
                    "-o",
                    output.to_str().unwrap(),
                ],
                None,
            );
            assert!(ok, "{out}");
            let sig = std::fs::read(&output).unwrap();
            let key = card.identity().key(slot);
            assert_eq!(keys::verify_digest(&key, &digest, &sig), Ok(()), "{slot}");
        }
    }
    pull(c, &mut t);
}
