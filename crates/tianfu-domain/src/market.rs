//! The words of the technology market: the four contract kinds (四技), need and achievement
//! kinds, maturity, transfer modes, listing status, industries (GB/T 4754), money in fen, and
//! the limits on what a listing may hold.

use std::fmt;

crate::labelled_enum!(
    /// The four kinds of technology contract (四技): what a capability offers and what a deal is.
    ServiceType, "服务类型" {
        Development => "development", "技术开发";
        Transfer => "transfer", "技术转让";
        Consulting => "consulting", "技术咨询";
        Service => "service", "技术服务";
    }
);

crate::labelled_enum!(
    /// What an enterprise is asking for.
    NeedKind, "需求类型" {
        Problem => "problem", "技术难题";
        Cooperation => "cooperation", "技术合作";
        Talent => "talent", "人才需求";
        Equipment => "equipment", "设备共享";
    }
);

crate::labelled_enum!(
    AchievementKind, "成果类型" {
        Patent => "patent", "专利";
        Software => "software", "软件著作权";
        Variety => "variety", "植物新品种";
        Process => "process", "新工艺";
        Product => "product", "新产品";
        Other => "other", "其他";
    }
);

crate::labelled_enum!(
    /// How far an achievement is from the market.
    Maturity, "成熟度" {
        Research => "research", "研发阶段";
        Pilot => "pilot", "小试";
        Intermediate => "intermediate", "中试";
        Industrial => "industrial", "产业化";
    }
);

crate::labelled_enum!(
    TransferMode, "转化方式" {
        Assignment => "assignment", "转让";
        License => "license", "许可";
        Equity => "equity", "作价入股";
        Cooperation => "cooperation", "合作开发";
    }
);

crate::labelled_enum!(
    /// Where a listing is in its life. Only `Published` is public and searchable.
    ListingStatus, "状态" {
        Pending => "pending", "待审核";
        Published => "published", "已发布";
        Rejected => "rejected", "未通过";
        Withdrawn => "withdrawn", "已撤回";
        Closed => "closed", "已关闭";
    }
);

crate::labelled_enum!(
    ListingKind, "类别" {
        Offer => "offer", "科技所能";
        Achievement => "achievement", "科技成果";
        Need => "need", "科技所需";
    }
);

/// GB/T 4754-2017 sections, and the divisions the platform's leading industries use.
const INDUSTRIES: &[(&str, &str)] = &[
    ("A", "农、林、牧、渔业"),
    ("A01", "农业"),
    ("A03", "畜牧业"),
    ("A04", "渔业"),
    ("B", "采矿业"),
    ("B07", "石油和天然气开采业"),
    ("C", "制造业"),
    ("C13", "农副食品加工业"),
    ("C15", "酒、饮料和精制茶制造业"),
    ("C17", "纺织业"),
    ("C26", "化学原料和化学制品制造业"),
    ("C27", "医药制造业"),
    ("C32", "有色金属冶炼和压延加工业"),
    ("C34", "通用设备制造业"),
    ("C35", "专用设备制造业"),
    ("C36", "汽车制造业"),
    ("C38", "电气机械和器材制造业"),
    ("C39", "计算机、通信和其他电子设备制造业"),
    ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"),
    ("F", "批发和零售业"),
    ("G", "交通运输、仓储和邮政业"),
    ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"),
    ("I65", "软件和信息技术服务业"),
    ("J", "金融业"),
    ("K", "房地产业"),
    ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"),
    ("N", "水利、环境和公共设施管理业"),
    ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"),
    ("Q", "卫生和社会工作"),
    ("R", "文化、体育和娱乐业"),
    ("S", "公共管理、社会保障和社会组织"),
];

/// An industry code: a GB/T 4754 section letter, optionally with its two-digit division.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Industry(&'static str, &'static str);

impl Industry {
    pub fn parse(input: &str) -> Result<Self, String> {
        let code = input.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err("请选择所属行业".into());
        }
        INDUSTRIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, n)| Industry(c, n))
            .ok_or_else(|| {
                "所属行业应为国民经济行业分类（GB/T 4754）的门类字母，如 C（制造业）、A03（畜牧业）"
                    .into()
            })
    }

    pub fn all() -> impl Iterator<Item = Industry> {
        INDUSTRIES.iter().map(|(c, n)| Industry(c, n))
    }

    pub fn code(&self) -> &'static str {
        self.0
    }

    pub fn name(&self) -> &'static str {
        self.1
    }

    /// The section letter, for filtering a division under its section.
    pub fn section(&self) -> &'static str {
        &self.0[..1]
    }

    /// The name for a stored code, or the code itself if it is no longer in the list.
    pub fn label_for(code: &str) -> String {
        Industry::parse(code)
            .map(|i| i.name().to_owned())
            .unwrap_or_else(|_| code.to_owned())
    }
}

/// Money in fen (分), the only unit money is stored and computed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fen(i64);

/// 1,000 亿元: far above any single technology contract, low enough that sums never overflow.
const MAX_FEN: i64 = 10_000_000_000_000;

impl Fen {
    pub fn new(fen: i64) -> Result<Self, String> {
        if fen < 0 {
            Err("金额不能为负数".into())
        } else if fen > MAX_FEN {
            Err("金额超出上限（1000亿元）".into())
        } else {
            Ok(Fen(fen))
        }
    }

    /// Parses yuan as people type it on a form: "12", "12.5", "1,200.00".
    pub fn parse_yuan(input: &str) -> Result<Self, String> {
        let text: String = input
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if text.starts_with('-') {
            return Err("金额不能为负数".into());
        }
        if !digits(whole) || !(fraction.is_empty() || (digits(fraction) && fraction.len() <= 2)) {
            return Err("金额应为数字，最多两位小数（单位：元）".into());
        }
        let yuan: i64 = whole
            .parse()
            .map_err(|_| "金额超出上限（1000亿元）".to_string())?;
        let cents: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
        yuan.checked_mul(100)
            .and_then(|f| f.checked_add(cents))
            .ok_or_else(|| "金额超出上限（1000亿元）".to_string())
            .and_then(Fen::new)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// "12.50万元" above ten thousand yuan, "350.00元" below: how amounts are read in China.
    pub fn display_yuan(self) -> String {
        if self.0 >= 1_000_000 {
            format!("{:.2}万元", self.0 as f64 / 1_000_000.0)
        } else {
            format!("{}.{:02}元", self.0 / 100, self.0 % 100)
        }
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_yuan())
    }
}

pub const TITLE_MAX_CHARS: usize = 60;
pub const DESCRIPTION_MAX_CHARS: usize = 5000;
pub const KEYWORDS_MAX: usize = 10;
pub const KEYWORD_MAX_CHARS: usize = 20;

/// A listing's title: 2 to 60 characters.
pub fn parse_title(input: &str) -> Result<String, String> {
    let title = input.trim();
    let count = title.chars().count();
    if count == 0 {
        return Err("请填写标题".into());
    }
    if count < 2 {
        return Err("标题至少2个字".into());
    }
    if count > TITLE_MAX_CHARS {
        return Err(format!("标题不能超过{TITLE_MAX_CHARS}个字"));
    }
    if title.chars().any(char::is_control) {
        return Err("标题不能包含控制字符".into());
    }
    Ok(title.to_owned())
}

/// Checks the length of a description's visible text (the caller strips markup first).
pub fn check_description_text(plain: &str) -> Result<(), String> {
    let count = plain.trim().chars().count();
    if count == 0 {
        return Err("请填写详细说明".into());
    }
    if count > DESCRIPTION_MAX_CHARS {
        return Err(format!(
            "详细说明不能超过{DESCRIPTION_MAX_CHARS}字（现为{count}字）"
        ));
    }
    Ok(())
}

/// Keywords: trimmed, de-duplicated, at most 10 of at most 20 characters each.
pub fn parse_keywords(items: &[String]) -> Result<Vec<String>, String> {
    let mut keywords: Vec<String> = Vec::new();
    for item in items
        .iter()
        .flat_map(|i| i.split([',', '，', '、', ';', '；']))
    {
        let keyword = item.trim();
        if keyword.is_empty() || keywords.iter().any(|k| k == keyword) {
            continue;
        }
        if keyword.chars().count() > KEYWORD_MAX_CHARS {
            return Err(format!("关键词“{keyword}”超过{KEYWORD_MAX_CHARS}个字"));
        }
        keywords.push(keyword.to_owned());
    }
    if keywords.len() > KEYWORDS_MAX {
        return Err(format!("关键词最多{KEYWORDS_MAX}个"));
    }
    Ok(keywords)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_contract_kinds() {
        let labels: Vec<_> = ServiceType::ALL.iter().map(|t| t.label()).collect();
        assert_eq!(labels, ["技术开发", "技术转让", "技术咨询", "技术服务"]);
        assert!(
            ServiceType::parse("sales")
                .unwrap_err()
                .starts_with("服务类型只能是")
        );
    }

    #[test]
    fn industries_are_sections_or_known_divisions() {
        assert_eq!(Industry::parse("c").unwrap().name(), "制造业");
        assert_eq!(Industry::parse("A03").unwrap().section(), "A");
        assert!(Industry::parse("Z").is_err());
        assert_eq!(Industry::parse("").unwrap_err(), "请选择所属行业");
    }

    #[test]
    fn money_is_fen_and_never_negative() {
        assert_eq!(Fen::parse_yuan("1,200.5").unwrap().get(), 120_050);
        assert_eq!(Fen::parse_yuan("12").unwrap().get(), 1200);
        assert_eq!(Fen::parse_yuan("-3").unwrap_err(), "金额不能为负数");
        assert!(Fen::parse_yuan("1.234").is_err());
        assert!(Fen::parse_yuan("abc").is_err());
        assert!(Fen::parse_yuan("99999999999999999999").is_err());
        assert_eq!(Fen::new(-1).unwrap_err(), "金额不能为负数");
        assert_eq!(
            Fen::new(65_792_000_000).unwrap().display_yuan(),
            "65792.00万元"
        );
        assert_eq!(Fen::new(35_000).unwrap().display_yuan(), "350.00元");
    }

    #[test]
    fn titles_keywords_and_descriptions_are_bounded() {
        assert_eq!(parse_title("  蛋鸡产蛋率提升 ").unwrap(), "蛋鸡产蛋率提升");
        assert_eq!(parse_title("").unwrap_err(), "请填写标题");
        assert!(parse_title(&"长".repeat(61)).unwrap_err().contains("60"));
        let keywords = parse_keywords(&["蛋鸡，产蛋率".into(), "蛋鸡".into(), " ".into()]).unwrap();
        assert_eq!(keywords, ["蛋鸡", "产蛋率"]);
        assert!(
            parse_keywords(&[(1..=11)
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")])
            .is_err()
        );
        assert!(
            check_description_text(&"字".repeat(5001))
                .unwrap_err()
                .contains("5001")
        );
        assert_eq!(check_description_text("  ").unwrap_err(), "请填写详细说明");
    }
}
