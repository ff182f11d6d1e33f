//! What every feature stands on: configuration, the database, errors, sessions and who is asking,
//! the one place that decides scope, the audit log, the typed transaction, pages and telemetry.

pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod badges;
pub mod clock;
pub mod config;
pub mod cookies;
pub mod csrf;
pub mod db;
pub mod done;
pub mod error;
pub mod headers;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod page;
pub mod period;
pub mod qr;
pub mod rejections;
pub mod scope;
pub mod scratch;
pub mod session_policy;
pub mod sms;
pub mod telemetry;
pub mod tx;
