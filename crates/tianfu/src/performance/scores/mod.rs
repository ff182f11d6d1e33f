//! Scores and rankings of the cities and counties against the year's indicator system.

pub mod api;
pub mod cache;
pub mod period;
pub mod rules;
pub mod service;
pub mod targets;
pub mod visible;

#[cfg(test)]
mod tests;
