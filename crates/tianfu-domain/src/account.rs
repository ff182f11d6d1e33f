//! Who a user is: their role, a staff member's department, an organisation's kind, and the rules
//! for names and passwords.

crate::labelled_enum!(
    /// What kind of account this is. The first four register themselves; staff and
    /// administrators are created by someone above them.
    Role, "用户类型" {
        Worker => "worker", "科技工作者";
        Org => "org", "企事业单位";
        Public => "public", "群众";
        Volunteer => "volunteer", "科技志愿者";
        Staff => "staff", "服务中心工作人员";
        Admin => "admin", "管理员";
    }
);

impl Role {
    pub const SELF_REGISTERED: &'static [Role] =
        &[Role::Worker, Role::Org, Role::Public, Role::Volunteer];

    pub fn is_staff(self) -> bool {
        matches!(self, Role::Staff | Role::Admin)
    }

    /// Parses a role a person may choose when registering themselves.
    pub fn parse_self_registered(input: &str) -> Result<Self, String> {
        match Self::parse(input) {
            Ok(role) if Self::SELF_REGISTERED.contains(&role) => Ok(role),
            Ok(_) | Err(_) if input.trim().is_empty() => Err("请选择用户类型".into()),
            _ => Err("用户类型只能是：worker（科技工作者）、org（企事业单位）、public（群众）、volunteer（科技志愿者）".into()),
        }
    }
}

crate::labelled_enum!(
    /// The service-centre department a staff member works in.
    Department, "所属部门" {
        Worker => "worker", "科技工作者服务部";
        Org => "org", "企事业单位服务部";
        Kepu => "kepu", "全民科普服务部";
    }
);

crate::labelled_enum!(
    /// The kind of organisation registering as 企事业单位.
    OrgType, "单位类型" {
        Enterprise => "enterprise", "企业";
        Institution => "institution", "事业单位";
        University => "university", "高校";
        Research => "research", "科研院所";
        Social => "social", "社会组织";
        Cooperative => "cooperative", "合作社";
        FamilyFarm => "family_farm", "家庭农场";
    }
);

/// A person's or organisation's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str, what: &str, max_chars: usize) -> Result<Self, String> {
        let name = input.trim();
        if name.is_empty() {
            return Err(format!("请填写{what}"));
        }
        if name.chars().count() > max_chars {
            return Err(format!("{what}不能超过{max_chars}个字"));
        }
        if name.chars().any(char::is_control) {
            return Err(format!("{what}不能包含控制字符"));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A new password: 8 to 64 characters with at least one letter and one digit. Only its hash is
/// ever stored.
pub struct Password(String);

impl Password {
    pub fn parse(input: &str) -> Result<Self, String> {
        let length = input.chars().count();
        if length == 0 {
            return Err("请设置密码".into());
        }
        if !(8..=64).contains(&length) {
            return Err("密码长度应为8至64位".into());
        }
        if !input.chars().any(|c| c.is_ascii_alphabetic())
            || !input.chars().any(|c| c.is_ascii_digit())
        {
            return Err("密码须同时包含字母和数字".into());
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_by_wire_name_and_explain_the_choices() {
        assert_eq!(Role::parse("worker"), Ok(Role::Worker));
        assert_eq!(Role::Org.label(), "企事业单位");
        let error = Role::parse_self_registered("staff").unwrap_err();
        assert!(error.contains("worker（科技工作者）"), "{error}");
        assert_eq!(
            Role::parse_self_registered(""),
            Err("请选择用户类型".into())
        );
        assert_eq!(Role::parse_self_registered("org"), Ok(Role::Org));
    }

    #[test]
    fn org_types_cover_the_seven_kinds() {
        let labels: Vec<_> = OrgType::ALL.iter().map(|t| t.label()).collect();
        assert_eq!(
            labels,
            [
                "企业",
                "事业单位",
                "高校",
                "科研院所",
                "社会组织",
                "合作社",
                "家庭农场"
            ]
        );
        assert_eq!(OrgType::parse("family_farm"), Ok(OrgType::FamilyFarm));
        assert!(
            OrgType::parse("company")
                .unwrap_err()
                .starts_with("单位类型只能是")
        );
    }

    #[test]
    fn password_rules() {
        assert!(Password::parse("abcd1234").is_ok());
        assert_eq!(
            Password::parse("abc123").unwrap_err(),
            "密码长度应为8至64位"
        );
        assert_eq!(
            Password::parse("abcdefgh").unwrap_err(),
            "密码须同时包含字母和数字"
        );
        assert_eq!(Password::parse("").unwrap_err(), "请设置密码");
        assert_eq!(
            format!("{:?}", Password::parse("abcd1234").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            PersonName::parse("  张三 ", "姓名", 50).unwrap().as_str(),
            "张三"
        );
        assert_eq!(
            PersonName::parse(" ", "姓名", 50).unwrap_err(),
            "请填写姓名"
        );
        assert_eq!(
            PersonName::parse(&"长".repeat(51), "姓名", 50).unwrap_err(),
            "姓名不能超过50个字"
        );
    }
}
