//! "What just happened", after a form post: the handler redirects to the page with
//! `?done=<code>` and the page shows the one message of that code (已撤回，可在 10 分钟内撤销,
//! 已保存 …). No cookie and no session write carries it, so it works without JavaScript and a
//! reload shows the same page; an unknown code shows nothing.

use axum::response::Redirect;
use serde::Deserialize;

/// How long a 撤回, 关闭, 婉拒 or 结束洽谈 can be undone.
pub const UNDO_MINUTES: i64 = 10;

pub fn undo_window() -> chrono::Duration {
    chrono::Duration::minutes(UNDO_MINUTES)
}

macro_rules! done_codes {
    ($($variant:ident => $code:literal, $message:expr;)+) => {
        /// One kind of finished action, with the message a page shows for it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Done { $($variant),+ }

        impl Done {
            pub fn code(self) -> &'static str {
                match self { $(Done::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> Option<Done> {
                match code { $($code => Some(Done::$variant),)+ _ => None }
            }

            /// What the page says, in Chinese.
            pub fn message(self) -> String {
                match self { $(Done::$variant => $message),+ }
            }
        }
    };
}

done_codes! {
    Saved => "saved", "已保存".to_owned();
    Submitted => "submitted", "已提交，等待服务中心审核".to_owned();
    Withdrawn => "withdrawn", format!("已撤回，可在 {UNDO_MINUTES} 分钟内撤销");
    Closed => "closed", format!("已关闭，可在 {UNDO_MINUTES} 分钟内撤销");
    Undone => "undone", "已撤销，恢复为之前的状态".to_owned();
    Resubmitted => "resubmitted", "已重新提交审核".to_owned();
    Reopened => "reopened", "已重新开放，等待服务中心审核后公开".to_owned();
    Replied => "replied", "已发送".to_owned();
    Declined => "declined", format!("已婉拒，可在 {UNDO_MINUTES} 分钟内撤销");
    Ended => "ended", format!("洽谈已结束，可在 {UNDO_MINUTES} 分钟内撤销");
    InquiryReopened => "inquiry-reopened", "已撤销，洽谈恢复进行".to_owned();
    Approved => "approved", "已通过".to_owned();
    Rejected => "rejected", "已退回".to_owned();
    Read => "read", "已全部标为已读".to_owned();
    // 科普 on the ground (kepu/activities, kepu/volunteers, kepu/places, kepu/sharers).
    SignedUp => "signed-up", "报名成功！活动开始前1小时起可在现场扫码签到。".to_owned();
    Waitlisted => "waitlisted", "名额已满，您已进入候补名单；有人取消时将按顺序为您确认，并通知您。".to_owned();
    SignupCancelled => "signup-cancelled", "已取消报名。".to_owned();
    FeedbackGiven => "feedback", "感谢您的评价！".to_owned();
    CalledOff => "called-off", "活动已取消，已通知所有报名的人。".to_owned();
    TeamJoined => "team-joined", "已加入志愿服务队！以志愿者身份报名队伍的活动，签到后即计入志愿服务时长。".to_owned();
    TeamLeft => "team-left", "您已退出该志愿服务队。".to_owned();
    MemberAdded => "member-added", "已添加队员，对方会收到通知。".to_owned();
    MemberRemoved => "member-removed", "已移除该队员。".to_owned();
    PlaceCreated => "place-created", "已新增科普场所".to_owned();
    ManagerAdded => "manager-added", "已设为场所管理员，对方会收到通知。".to_owned();
    Reported => "reported", "已提交，等待全民科普服务部确认。".to_owned();
    // Deals (market/deals).
    DealProposed => "proposed", "已提出交易意向，已通知对方".to_owned();
    DealMoved => "moved", "已更新交易阶段，已通知对方".to_owned();
    DealSigned => "signed", "已确认签约，等待对方确认".to_owned();
    DealTerminated => "terminated", "交易已终止".to_owned();
    DealRestored => "deal-restored", "已撤销终止，交易已恢复".to_owned();
    ContractUploaded => "uploaded", "合同文件已上传".to_owned();
    // The fair (fair/review, fair/sessions, fair/halls). The review console says how many were
    // assigned or selected from its own query; these are the messages without the numbers.
    ReviewerInvited => "invited", "已邀请评审专家，对方会收到通知。".to_owned();
    ReviewsAssigned => "assigned", "已分配评审专家。".to_owned();
    SelectionPublished => "published", "遴选结果已发布，已通知所有项目方。".to_owned();
    MajorProjectsUpdated => "major", "重大项目已更新。".to_owned();
    ScoreSaved => "score-saved", "评分已保存，截止前可以修改。".to_owned();
    SessionRegistered => "registered", "报名成功！请按时到场，凭本人账号签到。".to_owned();
    SessionCancelled => "session-cancelled", "已取消报名，名额已释放。".to_owned();
    InterestSent => "interest", "已将您的意向转给项目方并通知了对接服务人员，可在“我的洽谈”中继续沟通。".to_owned();
    MeetingRequested => "meeting", "预约已发出，项目方将在3天内答复；可在“我的1对1洽谈”中查看。".to_owned();
    MeetingAccepted => "accepted", "已接受预约，已通知对方。".to_owned();
    MeetingDeclined => "meeting-declined", "已婉拒预约，已通知对方。".to_owned();
    MeetingCancelled => "meeting-cancelled", "已取消预约，已通知项目方。".to_owned();
}

/// `path` with `done=<code>` added to its query (before any `#fragment`).
pub fn href(path: &str, done: Done) -> String {
    let (path, fragment) = match path.find('#') {
        Some(at) => path.split_at(at),
        None => (path, ""),
    };
    let joiner = if path.contains('?') { '&' } else { '?' };
    format!("{path}{joiner}done={}{fragment}", done.code())
}

/// The redirect that ends a successful form post.
pub fn redirect(path: &str, done: Done) -> Redirect {
    Redirect::to(&href(path, done))
}

/// The `done` parameter of a page's query string.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

impl DoneQuery {
    /// The message to show, if the code is one we know.
    pub fn message(&self) -> Option<String> {
        self.done
            .as_deref()
            .and_then(Done::parse)
            .map(Done::message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_links_keep_their_query_and_fragment() {
        for done in [
            Done::Saved,
            Done::Withdrawn,
            Done::InquiryReopened,
            Done::Read,
            Done::DealRestored,
            Done::ContractUploaded,
            Done::ScoreSaved,
            Done::SessionCancelled,
            Done::MeetingDeclined,
            Done::MeetingCancelled,
        ] {
            assert_eq!(Done::parse(done.code()), Some(done));
        }
        assert_eq!(Done::parse("<script>"), None);
        assert_eq!(
            href("/me/listings", Done::Closed),
            "/me/listings?done=closed"
        );
        assert_eq!(
            href("/me/listings?page=2#listing-3", Done::Withdrawn),
            "/me/listings?page=2&done=withdrawn#listing-3"
        );
        assert!(
            Done::Withdrawn
                .message()
                .starts_with("已撤回，可在 10 分钟内撤销")
        );
    }
}
