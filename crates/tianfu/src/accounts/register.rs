//! Turning a registration request into domain types, every bad field reported at once.

use serde::Deserialize;
use tianfu_domain::{
    CreditCode, FieldErrors, OrgType, Password, PersonName, Phone, RegionCode, Role,
};
use utoipa::ToSchema;

use crate::regions::RegionTree;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// worker（科技工作者）, org（企事业单位）, public（群众） or volunteer（科技志愿者）.
    #[serde(default)]
    #[schema(value_type = super::api::SelfRole, required = true)]
    pub role: String,
    /// Mainland mobile number; also the login name.
    #[serde(default)]
    #[schema(pattern = r"^(\+?86)?1[3-9][0-9]{9}$", required = true)]
    pub phone: String,
    /// 8–64 characters with letters and digits.
    #[serde(default)]
    pub password: String,
    /// The person's name (for an organisation, its contact person).
    #[serde(default)]
    pub name: String,
    /// Region code: province, city or county.
    #[serde(default)]
    #[schema(value_type = crate::platform::openapi::RegionCode, required = true)]
    pub region_code: String,
    /// Required when role is org.
    pub org: Option<OrgRequest>,
    /// 科普: the person's group (需求画像), optional.
    #[schema(value_type = Option<crate::kepu::audience::AudienceName>)]
    pub audience: Option<String>,
    /// 科普: what the person follows (channel codes or tags), optional.
    #[serde(default)]
    pub interests: Vec<String>,
    /// The code sent to `phone` (`POST /api/v1/auth/phone-codes`, purpose `register`); needed
    /// unless the site runs without phone verification.
    pub sms_code: Option<String>,
    /// The person agreed to the user agreement (`/agreement`) and the privacy policy
    /// (`/privacy`); the time is recorded. Optional for API clients; `false` is refused.
    pub accepted_terms: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgRequest {
    #[serde(default)]
    pub name: String,
    /// 18-character unified social credit code.
    #[serde(default)]
    pub credit_code: String,
    /// enterprise（企业）, institution（事业单位）, university（高校）, research（科研院所）, social（社会组织）,
    /// cooperative（合作社）, family_farm（家庭农场）.
    #[serde(default)]
    #[schema(value_type = super::api::OrgTypeName, required = true)]
    pub org_type: String,
}

pub struct NewAccount {
    pub role: Role,
    pub phone: Phone,
    pub password: Password,
    pub name: PersonName,
    pub region: RegionCode,
    pub org: Option<NewOrg>,
    /// The 科普 profile chosen at registration: (audience, interests).
    pub kepu: Option<(Option<String>, Vec<String>)>,
    /// Agreed to the user agreement and privacy policy (recorded with the time).
    pub accepted_terms: bool,
}

/// What a person who did not tick the consent box reads.
pub const TERMS_REQUIRED: &str = "请阅读并同意《用户协议》和《隐私政策》";

pub struct NewOrg {
    pub name: PersonName,
    pub credit_code: CreditCode,
    pub org_type: OrgType,
}

/// Checks the request against the rules and the region tree. A region may be given by code
/// (API) or already resolved by the picker (pages); either way it must exist.
pub fn validate(
    tree: &RegionTree,
    request: &RegisterRequest,
    mut errors: FieldErrors,
) -> Result<NewAccount, FieldErrors> {
    let role = errors.check("role", Role::parse_self_registered(&request.role));
    let phone = errors.check("phone", Phone::parse(&request.phone));
    let password = errors.check("password", Password::parse(&request.password));
    let name = errors.check("name", PersonName::parse(&request.name, "姓名", 50));
    let region = match RegionCode::parse(&request.region_code) {
        _ if errors.get("region_code").is_some() => None,
        // Empty, or not 2, 4, 6 or 9 digits: the shape's own message.
        Err(error) => {
            errors.add("region_code", error.to_string());
            None
        }
        Ok(code) => match tree.get(&code) {
            Some(region) => Some(region.code.clone()),
            None => {
                errors.add(
                    "region_code",
                    "地区代码不存在，请从四川省（或重庆市）的市州、区县或四川省的乡镇（街道）中选择",
                );
                None
            }
        },
    };
    let org = match (role, &request.org) {
        (Some(Role::Org), Some(org)) => {
            let name = errors.check("org.name", PersonName::parse(&org.name, "单位名称", 100));
            let credit_code = errors.check("org.credit_code", CreditCode::parse(&org.credit_code));
            let org_type = errors.check("org.org_type", OrgType::parse(&org.org_type));
            match (name, credit_code, org_type) {
                (Some(name), Some(credit_code), Some(org_type)) => Some(NewOrg {
                    name,
                    credit_code,
                    org_type,
                }),
                _ => None,
            }
        }
        (Some(Role::Org), None) => {
            errors.add("org.name", "企事业单位注册须填写单位名称");
            errors.add("org.credit_code", "企事业单位注册须填写统一社会信用代码");
            errors.add("org.org_type", "请选择单位类型");
            None
        }
        _ => None,
    };
    if request.accepted_terms == Some(false) {
        errors.add("accepted_terms", TERMS_REQUIRED);
    }
    let kepu = if request.audience.is_some() || !request.interests.is_empty() {
        let body = crate::kepu::profile::api::ProfileBody {
            audience: request.audience.clone(),
            interests: request.interests.clone(),
            forget: Vec::new(),
            region_code: None,
        };
        match crate::kepu::profile::api::parse(&body) {
            Ok(choice) => Some((choice.audience, choice.interests)),
            Err(error) => {
                for (field, message) in error.fields() {
                    errors.add(&field, message);
                }
                None
            }
        }
    } else {
        None
    };
    match (role, phone, password, name, region) {
        (Some(role), Some(phone), Some(password), Some(name), Some(region))
            if errors.is_empty() =>
        {
            Ok(NewAccount {
                role,
                phone,
                password,
                name,
                region,
                org,
                kepu,
                accepted_terms: request.accepted_terms == Some(true),
            })
        }
        _ => Err(errors),
    }
}
