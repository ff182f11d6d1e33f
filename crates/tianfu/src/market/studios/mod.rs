//! Studios (科创工作室): a scientist's or team's shop, showing its capabilities, achievements,
//! completed deals and rating level. A new or edited studio is public once staff approve it
//! (`review` the statements, `decision` who may decide what, `review_api` the staff API).

pub mod api;
pub mod decision;
pub mod document;
pub mod review;
pub mod review_api;
pub mod store;
