//! Studios (科创工作室): a scientist's or team's shop, showing its capabilities, achievements,
//! completed deals and rating level.

pub mod api;
pub mod document;
pub mod store;
