//! Pure types and rules of 天府科技云. Nothing here does I/O: parse at the edge into these types,
//! then trust them. Every rejection names the field and explains itself in Chinese.

mod labels;

pub mod account;
pub mod credit_code;
pub mod deal;
pub mod fair;
pub mod fair_halls;
pub mod fair_review;
pub mod fields;
pub mod ids;
pub mod market;
pub mod phone;
pub mod region;
pub mod ticket;

pub use account::{Department, OrgType, Password, PersonName, Role};
pub use credit_code::CreditCode;
pub use deal::{DealError, DealStage, DealState, Party};
pub use fields::FieldErrors;
pub use ids::UserId;
pub use market::{
    AchievementKind, Fen, Industry, ListingKind, ListingStatus, Maturity, NeedKind, ServiceType,
    TransferMode,
};
pub use phone::Phone;
pub use region::{RegionCode, RegionLevel};
pub use ticket::{Channel, TicketKind, TicketStatus};
