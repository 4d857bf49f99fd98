//! Reprinting the sales slip 签购单 (T4) of a transaction from before today: the facts the slip
//! prints, and saving the slip as a text file in the download folder.

use std::path::PathBuf;

use crate::clock::{date_of_ms, ymd};
use crate::store::merchants;
use crate::store::transactions::TxnRow;

use super::kernel::{Needs, Who};
use super::txn_query::detail;
use super::{Env, ServiceError, Session};
use crate::domain::function::Function;

/// Where files for the operator go: the `download_dir` setting, else the user's download folder,
/// else the home folder.
pub fn download_dir(env: &Env) -> PathBuf {
    if let Ok(Some(d)) = merchants::setting(&env.store.read(), "download_dir") {
        if !d.trim().is_empty() {
            return PathBuf::from(d.trim());
        }
    }
    directories::UserDirs::new()
        .and_then(|u| {
            u.download_dir()
                .map(|p| p.to_path_buf())
                .or_else(|| Some(u.home_dir().to_path_buf()))
        })
        .unwrap_or_else(|| PathBuf::from("."))
}

/// What a reprinted slip shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SlipFacts {
    pub txn: TxnRow,
    /// The acquiring institution (setting `acquirer_name`).
    pub acquirer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlipError {
    /// Today's transactions are reprinted at the POS, not here (V §3.3).
    #[error("today's transactions are reprinted at the POS")]
    Today,
    /// A declined transaction printed no slip.
    #[error("a declined transaction printed no slip")]
    NotCaptured,
    #[error("{0}")]
    Service(#[from] ServiceError),
}

/// The slip of a transaction the operator may see, when it is from before today.
pub fn reprint(env: &Env, session: &Session, txn_id: i64) -> Result<SlipFacts, SlipError> {
    let txn = detail(env, session, txn_id)?;
    if txn.trade_date >= ymd(date_of_ms(env.now_ms())) {
        return Err(SlipError::Today);
    }
    if txn.status == crate::domain::txn::TxnStatus::Failed {
        return Err(SlipError::NotCaptured);
    }
    let acquirer = merchants::setting(&env.store.read(), "acquirer_name")
        .map_err(ServiceError::from)?
        .unwrap_or_default();
    Ok(SlipFacts { txn, acquirer })
}

/// Saves the slip's text (both copies) as `签购单_<RRN>.txt` in the download folder and records the
/// reprint in the audit log. The file is written under a temporary name and renamed, so a
/// failure never leaves half a slip under the final name.
pub fn save(
    env: &mut Env,
    session: &Session,
    txn_id: i64,
    text: &str,
) -> Result<PathBuf, SlipError> {
    let facts = reprint(env, session, txn_id)?;
    let dir = download_dir(env);
    let file_err = |e: std::io::Error| SlipError::Service(ServiceError::File(e.to_string()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| SlipError::Service(ServiceError::File(format!("{}: {e}", dir.display()))))?;
    let path = dir.join(format!("签购单_{}.txt", facts.txn.rrn));
    let part = dir.join(format!(".签购单_{}.txt.part", facts.txn.rrn));
    let mut written = Ok(());
    env.act(
        Who::Operator(session),
        Needs::function(&Function::TxnQuery),
        "txn.reprint_slip",
        |uc| {
            uc.audit(
                "txn.reprint_slip",
                &facts.txn.rrn,
                "",
                &path.display().to_string(),
            )?;
            // The file is in place before the audit row commits; if it cannot be written the
            // reprint is not recorded.
            written = std::fs::write(&part, text).and_then(|_| std::fs::rename(&part, &path));
            match &written {
                Ok(()) => Ok(()),
                Err(e) => Err(ServiceError::File(e.to_string())),
            }
        },
    )
    .map_err(|e| {
        let _ = std::fs::remove_file(&part);
        match written {
            Err(io) => file_err(io),
            Ok(()) => SlipError::Service(e),
        }
    })?;
    Ok(path)
}
