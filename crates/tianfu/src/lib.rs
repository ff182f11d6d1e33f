//! 天府科技云: the web pages, the JSON API and the background jobs in one library, so that the
//! binary and the tests start the very same application.

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod demo;
pub mod fair;
pub mod kepu;
pub mod ledger;
pub mod market;
pub mod matching;
pub mod nanny;
pub mod notifications;
pub mod performance;
pub mod platform;
pub mod ratings;
pub mod regions;
pub mod staff;
pub mod stats;

mod startup;

pub use startup::{App, AppState, FOLLOWERS, IndexPlace, Server, router, with_layers};
