//! `merchant-desk recon import` (spec §7.5): an acquirer's file imported and matched as an
//! operator, for scripted nightly runs. Exit 0 when every exception is resolved (or none), 1
//! while unresolved exceptions remain or when the file is refused (the message names why), 2
//! when the database could not be read or written.

use std::path::Path;
use std::process::ExitCode;

use merchant_desk::clock::SharedClock;
use merchant_desk::domain::money::format_fen;
use merchant_desk::service::auth::{self, LoginStep};
use merchant_desk::service::recon::{self, ImportRequest, ReconError};
use merchant_desk::service::{Env, ServiceError, Session};
use merchant_desk::store::Store;
use merchant_desk::ui::text::Lang;

fn status(e: &ServiceError) -> ExitCode {
    ExitCode::from(match e {
        ServiceError::Store(_) => 2,
        _ => 1,
    })
}

/// The same login as the app's: the password from MERCHANT_DESK_PASSWORD; a card-bound
/// operator also needs the card and MERCHANT_DESK_PIN.
fn login(env: &mut Env, operator: &str, lang: Lang) -> Result<Session, ExitCode> {
    let pw = std::env::var("MERCHANT_DESK_PASSWORD").unwrap_or_default();
    match auth::login(env, operator, &pw) {
        Ok(LoginStep::Done(s)) => Ok(s),
        Ok(LoginStep::NeedsCard(pending)) => {
            let Ok(pin) = std::env::var("MERCHANT_DESK_PIN") else {
                eprintln!(
                    "merchant-desk: {}",
                    match lang {
                        Lang::Zh => format!("操作员 {operator} 已绑定快捷盾：请插入快捷盾并在 MERCHANT_DESK_PIN 中给出 PIN"),
                        Lang::En => format!("operator {operator} has a USB key bound: insert it and give its PIN in MERCHANT_DESK_PIN"),
                    }
                );
                return Err(ExitCode::from(1));
            };
            auth::complete_with_card(env, &pending, &pin).map_err(|e| {
                eprintln!(
                    "merchant-desk: {}",
                    merchant_desk::ui::text::card_error(&e, lang)
                );
                ExitCode::from(1)
            })
        }
        Err(e) => {
            eprintln!(
                "merchant-desk: {}",
                merchant_desk::ui::text::error(&e, lang, |f| f.to_string())
            );
            Err(status(&e))
        }
    }
}

pub fn import_cmd(
    store: Store,
    clock: SharedClock,
    lang: Lang,
    operator: &str,
    file: &Path,
    format: Option<String>,
    date: Option<i32>,
) -> ExitCode {
    let mut env = Env::new(store, clock);
    let session = match login(&mut env, operator, lang) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let req = ImportRequest {
        path: file.to_path_buf(),
        format,
        date,
    };
    match recon::import(&mut env, &session, &req) {
        Err(ReconError::File(p)) => {
            eprintln!("merchant-desk: {}", p.message(lang));
            ExitCode::from(1)
        }
        Err(ReconError::Service(e)) => {
            eprintln!(
                "merchant-desk: {}",
                merchant_desk::ui::text::error(&e, lang, |f| f.to_string())
            );
            status(&e)
        }
        Ok(s) => {
            for r in &s.runs {
                let detail = match recon::run(&env, &session, r.run_id) {
                    Ok(d) => d,
                    Err(e) => return status(&e),
                };
                let run = &detail.run;
                match lang {
                    Lang::Zh => println!(
                        "对账批次 #{} 商户 {} 日期 {} 格式 {}：文件 {} 笔，本地 {} 笔，一致 {}，差异 {}，未处理 {}{}",
                        run.id, run.merchant_no, run.recon_date, s.profile, run.file_rows, run.local_rows,
                        run.matched_rows, run.exceptions, run.open,
                        r.supersedes.map(|o| format!("（替代批次 #{o}）")).unwrap_or_default()
                    ),
                    Lang::En => println!(
                        "run #{} merchant {} date {} format {}: file {} rows, local {}, matched {}, exceptions {}, open {}{}",
                        run.id, run.merchant_no, run.recon_date, s.profile, run.file_rows, run.local_rows,
                        run.matched_rows, run.exceptions, run.open,
                        r.supersedes.map(|o| format!(" (supersedes #{o})")).unwrap_or_default()
                    ),
                }
                for (c, n, open, file_fen, local_fen) in &detail.categories {
                    println!(
                        "  {:<18} {n:>6} {open:>6} {:>14} {:>14}",
                        c.code(),
                        format_fen(*file_fen),
                        format_fen(*local_fen)
                    );
                }
                if detail.settlement_differs {
                    println!(
                        "  {}",
                        match lang {
                            Lang::Zh => "与结算单不符",
                            Lang::En => "differs from the settlement",
                        }
                    );
                }
            }
            if s.open > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

/// `merchant-desk statement`: a store's day or month statement as .xlsx into a folder (exit 1
/// when refused, the statement's own check included).
#[allow(clippy::too_many_arguments)]
pub fn statement_cmd(
    store: Store,
    clock: SharedClock,
    lang: Lang,
    operator: &str,
    merchant: &str,
    period: merchant_desk::service::statements::Period,
    out: &Path,
) -> ExitCode {
    use merchant_desk::service::statements::{self, StatementError};
    let mut env = Env::new(store, clock);
    let session = match login(&mut env, operator, lang) {
        Ok(s) => s,
        Err(c) => return c,
    };
    match statements::produce(&env, &session, merchant, period, out, lang) {
        Ok(p) => {
            println!("{}", p.display());
            ExitCode::SUCCESS
        }
        Err(StatementError::Service(e)) => {
            eprintln!(
                "merchant-desk: {}",
                merchant_desk::ui::text::error(&e, lang, |f| f.to_string())
            );
            status(&e)
        }
        Err(e) => {
            eprintln!("merchant-desk: {e}");
            ExitCode::from(1)
        }
    }
}
