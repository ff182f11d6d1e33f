//! Black-box tests over HTTP: each test starts the real application on a port of its own with a
//! database of its own, on SQLite and again on PostgreSQL.

mod common;

mod accounts;
mod actions;
mod audit_backup;
mod binary;
mod browser;
mod browser_deals;
mod csrf;
mod deal_flow;
mod deal_page;
mod deals;
mod fairs;
mod funding;
mod inputs;
mod integrity;
mod kepu;
mod kepu_activities;
mod kepu_checkins;
mod kepu_pushes;
mod kepu_questions;
mod kepu_sharers;
mod kepu_volunteers;
mod ledger;
mod market;
mod market_pages;
mod matching;
mod matching_unseen;
mod nanny;
mod pages;
mod performance;
mod phone_public;
mod platform;
mod ratings;
mod regions;
mod reports;
mod search;
mod search_forgives;
mod security_edges;
mod security_gate;
mod sessions;
mod staff;
mod studio_review;
mod townships;
mod workbench;
