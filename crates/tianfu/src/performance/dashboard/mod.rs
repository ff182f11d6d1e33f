//! The dashboards: the staff's map, trend and ranking, one region's score card, and the public
//! page of the province's headline figures for the press.

pub mod data;
pub mod measure;
pub mod pages;
pub mod press;
