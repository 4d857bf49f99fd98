//! Verifying the audit chain, and the audit log screen's query (the writer is `audit_chain`).

use crate::store::Db;
use crate::store::SqlResult;

use crate::domain::audit::{row_hash, AuditContent, GENESIS};
use crate::store::audit::{self as store_audit, AuditRow};

pub use super::audit_chain::{record, Actor, AUDIT_HEAD};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    Intact {
        rows: i64,
    },
    /// The first row whose hash or link does not hold, and why.
    Broken {
        id: i64,
        reason: String,
    },
}

/// Walks the chain from the start and names the first row that was changed, removed or inserted.
pub fn verify(store: &crate::store::Store) -> Result<ChainCheck, crate::store::StoreError> {
    let tx = store.begin_read()?;
    let c = verify_in(&tx.db())?;
    tx.commit()?;
    Ok(c)
}

/// `verify` inside the caller's read transaction.
pub(crate) fn verify_in(conn: &Db) -> SqlResult<ChainCheck> {
    let mut prev = GENESIS.to_vec();
    let mut expected_id = 1;
    let mut result = None;
    let mut rows = 0;
    store_audit::for_each(conn, |row| {
        if row.id != expected_id {
            result = Some(ChainCheck::Broken {
                id: row.id,
                reason: format!("row {expected_id} is missing"),
            });
            return false;
        }
        if row.prev_hash != prev {
            result = Some(ChainCheck::Broken {
                id: row.id,
                reason: "its link to the previous row does not match".into(),
            });
            return false;
        }
        let content = AuditContent {
            id: row.id,
            at_ms: row.at_ms,
            operator_id: row.operator_id,
            operator: &row.operator,
            workstation: &row.workstation,
            action: &row.action,
            target: &row.target,
            before: &row.before,
            after: &row.after,
        };
        if row_hash(&prev, &content).as_slice() != row.hash.as_slice() {
            result = Some(ChainCheck::Broken {
                id: row.id,
                reason: "its content was changed".into(),
            });
            return false;
        }
        prev = row.hash;
        expected_id += 1;
        rows += 1;
        true
    })?;
    if let Some(broken) = result {
        return Ok(broken);
    }
    let head = crate::store::merchants::setting(conn, AUDIT_HEAD)?;
    let expected = (rows > 0).then(|| format!("{rows}:{}", hex::encode(&prev)));
    if head != expected {
        return Ok(ChainCheck::Broken {
            id: rows + 1,
            reason: format!(
                "the chain ends at row {rows}, but its recorded head is {}",
                head.unwrap_or_else(|| "missing".into())
            ),
        });
    }
    Ok(ChainCheck::Intact { rows })
}

/// The audit screen's query (newest first), for operators with the audit function.
pub fn query(
    env: &super::Env,
    session: &super::Session,
    filter: &crate::store::audit::AuditFilter,
    limit: usize,
) -> super::ServiceResult<Vec<AuditRow>> {
    use super::kernel::{Needs, Who};
    env.query(
        Who::Operator(session),
        Needs::function(&crate::domain::function::Function::AuditView),
        "audit.query",
        |uc| Ok(store_audit::query(&uc.db(), filter, limit)?),
    )
}
