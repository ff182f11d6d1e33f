//! Studios (科创工作室): a scientist's or team's shop, showing its capabilities, achievements,
//! completed deals and rating level. A new or edited studio is public once staff approve it
//! (`review`).

pub mod api;
pub mod document;
pub mod review;
pub mod store;
