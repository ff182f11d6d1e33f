//! The user agreement (用户协议) and the privacy policy (隐私政策) a person agrees to when
//! registering: two plain pages, linked from the registration form and the footer.

use askama::Template;
use askama_web::WebTemplate;

use crate::platform::auth::{Actor, MaybeUser};

#[derive(Template, WebTemplate)]
#[template(path = "accounts/agreement.html")]
pub struct AgreementPage {
    me: Option<Actor>,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/privacy.html")]
pub struct PrivacyPage {
    me: Option<Actor>,
}

pub async fn agreement(MaybeUser(me): MaybeUser) -> AgreementPage {
    AgreementPage { me }
}

pub async fn privacy(MaybeUser(me): MaybeUser) -> PrivacyPage {
    PrivacyPage { me }
}
