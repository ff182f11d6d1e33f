//! A deal's stages (意向 → 洽谈 → 签约 → 履约 → 完成, or 终止 from any open stage) as data, with
//! one function that decides every move. Signing needs both parties: the first to sign records
//! their confirmation, the second one's confirmation signs the deal.

crate::labelled_enum!(
    DealStage, "交易阶段" {
        Intent => "intent", "意向";
        Negotiating => "negotiating", "洽谈";
        Signed => "signed", "签约";
        Performing => "performing", "履约";
        Completed => "completed", "完成";
        Terminated => "terminated", "终止";
    }
);

impl DealStage {
    pub fn is_final(self) -> bool {
        matches!(self, DealStage::Completed | DealStage::Terminated)
    }
}

/// The two sides of a deal: the one who needs (buyer) and the one who provides (seller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Buyer,
    Seller,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DealState {
    pub stage: DealStage,
    pub buyer_signed: bool,
    pub seller_signed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DealError {
    #[error("交易已{0}，不能再变更")]
    Final(&'static str),
    #[error("交易不能从“{from}”变更为“{to}”")]
    NotAllowed {
        from: &'static str,
        to: &'static str,
    },
    #[error("您已确认签约，请等待对方确认")]
    AlreadySigned,
}

impl DealState {
    pub fn new() -> Self {
        DealState {
            stage: DealStage::Intent,
            buyer_signed: false,
            seller_signed: false,
        }
    }

    /// The state after `party` asks to move the deal to `to`, or why it may not.
    pub fn transition(self, party: Party, to: DealStage) -> Result<DealState, DealError> {
        use DealStage::*;
        if self.stage.is_final() {
            return Err(DealError::Final(self.stage.label()));
        }
        let not_allowed = || DealError::NotAllowed {
            from: self.stage.label(),
            to: to.label(),
        };
        match (self.stage, to) {
            (_, Terminated) => Ok(DealState {
                stage: Terminated,
                ..self
            }),
            (Intent, Negotiating) => Ok(DealState {
                stage: Negotiating,
                ..self
            }),
            (Negotiating, Signed) => {
                let mut next = self;
                let already = match party {
                    Party::Buyer => std::mem::replace(&mut next.buyer_signed, true),
                    Party::Seller => std::mem::replace(&mut next.seller_signed, true),
                };
                if already {
                    return Err(DealError::AlreadySigned);
                }
                if next.buyer_signed && next.seller_signed {
                    next.stage = Signed;
                }
                Ok(next)
            }
            (Signed, Performing) => Ok(DealState {
                stage: Performing,
                ..self
            }),
            (Performing, Completed) => Ok(DealState {
                stage: Completed,
                ..self
            }),
            _ => Err(not_allowed()),
        }
    }
}

impl Default for DealState {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DealStage::*;

    #[test]
    fn the_happy_path_needs_both_signatures() {
        let state = DealState::new()
            .transition(Party::Buyer, Negotiating)
            .unwrap();
        let state = state.transition(Party::Buyer, Signed).unwrap();
        assert_eq!(state.stage, Negotiating, "one signature is not a contract");
        assert_eq!(
            state.transition(Party::Buyer, Signed),
            Err(DealError::AlreadySigned)
        );
        let state = state.transition(Party::Seller, Signed).unwrap();
        assert_eq!(state.stage, Signed);
        let state = state.transition(Party::Seller, Performing).unwrap();
        let state = state.transition(Party::Buyer, Completed).unwrap();
        assert_eq!(state.stage, Completed);
        assert_eq!(
            state.transition(Party::Buyer, Terminated),
            Err(DealError::Final("完成"))
        );
    }

    #[test]
    fn stages_cannot_be_skipped_or_reversed() {
        let intent = DealState::new();
        assert!(intent.transition(Party::Buyer, Signed).is_err());
        assert!(intent.transition(Party::Buyer, Completed).is_err());
        let negotiating = intent.transition(Party::Seller, Negotiating).unwrap();
        assert_eq!(
            negotiating
                .transition(Party::Buyer, Intent)
                .unwrap_err()
                .to_string(),
            "交易不能从“洽谈”变更为“意向”"
        );
        assert!(negotiating.transition(Party::Buyer, Performing).is_err());
    }

    #[test]
    fn any_open_deal_can_be_terminated_but_not_reopened() {
        for stage in [Intent, Negotiating, Signed, Performing] {
            let state = DealState {
                stage,
                buyer_signed: false,
                seller_signed: false,
            };
            assert_eq!(
                state.transition(Party::Seller, Terminated).unwrap().stage,
                Terminated
            );
        }
        let ended = DealState {
            stage: Terminated,
            buyer_signed: false,
            seller_signed: false,
        };
        assert_eq!(
            ended.transition(Party::Buyer, Negotiating),
            Err(DealError::Final("终止"))
        );
    }
}
