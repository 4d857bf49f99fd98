//! Spreadsheets: the one .xlsx export every list goes through (`export`), background export jobs
//! with progress and the downloads list (`jobs`), and reading uploaded .xlsx/.csv files for
//! batch imports, with their templates (`import`).
//!
//! Money crosses this layer as INTEGER fen: exports turn fen into Excel numbers only at the
//! writer, and imports turn a cell back into fen exactly or refuse it.

pub mod export;
pub mod import;
pub mod jobs;

pub use export::{
    suggest_path, write_xlsx, write_xlsx_rows, CellValue, ColKind, Column, ExportError, RowSink,
    SheetSpec,
};
pub use import::{
    cell_id, cell_money, cell_opt_text, cell_text, find_columns, read_table, write_template, Cell,
    Expected, ImportError, Reason, RowError, SheetRow, Table, TemplateColumn,
};
pub use jobs::{ExportJob, ExportRequest, JobControl, JobProgress, JobState, OnFinish};
pub mod acquirer_file;
pub mod book;
