//! Believable names, phones and organisations for demo data, from a fixed seed.

use tianfu_domain::{
    CreditCode, Department, OrgType, Password, PersonName, Phone, RegionCode, Role,
};

use super::DEMO_PASSWORD;
use crate::accounts::register::{NewAccount, NewOrg};
use crate::regions::RegionTree;

/// A small deterministic generator (xorshift64*), so demo data is the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "胡", "朱", "郭",
    "何", "罗", "高", "林", "郑", "梁", "谢", "唐", "许", "冯", "宋", "韩", "邓", "彭", "曾", "肖",
    "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎",
];
const GIVEN: &[&str] = &[
    "建国", "志强", "秀英", "丽华", "文军", "海燕", "晓东", "春梅", "明", "静", "磊", "勇", "婷",
    "涛", "敏", "伟", "芳", "军", "洋", "艳", "杰", "娟", "强", "霞", "平", "刚", "桂英", "子涵",
    "宇航", "欣怡", "浩然", "思远", "雨萱", "俊杰", "嘉怡", "天佑", "梓萱", "博文", "晨曦", "一鸣",
];
const ENTERPRISE_WORDS: &[&str] = &[
    "天晟", "蜀信", "川能", "锦程", "巴山", "岷江", "华西", "天府", "嘉禾", "蓉创", "沱江", "峨眉",
    "青城", "金沙", "玉垒", "凉山", "攀钢", "宜宾", "德阳", "绵州",
];
const ENTERPRISE_TRADES: &[&str] = &[
    "电子科技",
    "智能装备",
    "食品",
    "新材料",
    "生物医药",
    "能源化工",
    "农业科技",
    "信息技术",
    "机械制造",
    "茶业",
];

/// How many demo people of each role: mostly scientists, as on the real platform.
pub fn demo_roles() -> Vec<(u32, Role)> {
    let counts = [
        (Role::Worker, 360),
        (Role::Org, 120),
        (Role::Public, 150),
        (Role::Volunteer, 60),
    ];
    counts
        .into_iter()
        .flat_map(|(role, n)| (1..=n).map(move |i| (i, role)))
        .collect()
}

fn phone_for(role: Role, number: u32) -> String {
    let prefix = match role {
        Role::Worker => "150",
        Role::Org => "151",
        Role::Public => "152",
        _ => "153",
    };
    format!("{prefix}{number:08}")
}

pub fn city_staff_phone(city_number: u32, department: Department) -> String {
    format!("1391{city_number:02}{}0000", department_digit(department))
}

pub fn county_staff_phone(city_number: u32, county_index: u32, department: Department) -> String {
    format!(
        "1392{city_number:02}{county_index:02}{}00",
        department_digit(department)
    )
}

fn department_digit(department: Department) -> u8 {
    match department {
        Department::Worker => 1,
        Department::Org => 2,
        Department::Kepu => 3,
    }
}

pub fn person_name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

/// A credit code registered in the organisation's county, with both check characters right.
fn credit_code(
    rng: &mut Rng,
    county: &RegionCode,
    org_type: OrgType,
) -> anyhow::Result<CreditCode> {
    const BODY: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    // Registration authority and category: 91 enterprise, 12 public institution, 52 social body,
    // 93 farmers' cooperative, 92 individual business (a family farm).
    let head = match org_type {
        OrgType::Enterprise => "91",
        OrgType::Social => "52",
        OrgType::Cooperative => "93",
        OrgType::FamilyFarm => "92",
        _ => "12",
    };
    let mut body = String::from("MA");
    for _ in 0..6 {
        body.push(*rng.pick(BODY) as char);
    }
    let check = CreditCode::org_code_check_for(&body).ok_or_else(|| anyhow::anyhow!("bad body"))?;
    if check == 'X' {
        // 'X' is valid in GB 11714 but not in the GB 32100 alphabet: draw again.
        return credit_code(rng, county, org_type);
    }
    CreditCode::complete(&format!("{head}{county}{body}{check}"))
        .ok_or_else(|| anyhow::anyhow!("credit code"))
}

fn organisation(rng: &mut Rng, county: &RegionCode, tree: &RegionTree) -> anyhow::Result<NewOrg> {
    let place = tree
        .get(county)
        .map(|r| r.name.trim_end_matches(['县', '区', '市']).to_owned())
        .unwrap_or_default();
    // Eight choices as before (the draws of the rest of the demo stay the same); a cooperative
    // and a family farm take two of the enterprises' places.
    let org_type = *rng.pick(&[
        OrgType::Enterprise,
        OrgType::Enterprise,
        OrgType::Cooperative,
        OrgType::FamilyFarm,
        OrgType::Research,
        OrgType::University,
        OrgType::Institution,
        OrgType::Social,
    ]);
    let name = match org_type {
        OrgType::Enterprise => format!(
            "四川{}{}有限公司",
            rng.pick(ENTERPRISE_WORDS),
            rng.pick(ENTERPRISE_TRADES)
        ),
        OrgType::Research => format!(
            "{place}{}研究所",
            rng.pick(&["农业科学", "畜牧科学", "林业科学", "水产"])
        ),
        OrgType::University => format!("{place}{}", rng.pick(&["职业技术学院", "理工学院"])),
        OrgType::Institution => format!(
            "{place}{}",
            rng.pick(&["农业技术推广中心", "人民医院", "气象局科技服务中心"])
        ),
        OrgType::Social => format!(
            "{place}{}",
            rng.pick(&["科技工作者协会", "农村专业技术协会", "科普志愿者协会"])
        ),
        OrgType::Cooperative => format!(
            "{place}{}{}",
            rng.pick(&["绿源", "丰收", "金穗", "惠农"]),
            rng.pick(&[
                "柑橘种植专业合作社",
                "茶叶专业合作社",
                "生猪养殖专业合作社",
                "蔬菜种植专业合作社"
            ])
        ),
        OrgType::FamilyFarm => format!(
            "{place}{}{}",
            rng.pick(&["张氏", "李氏", "王家", "刘家"]),
            rng.pick(&["生态家庭农场", "果蔬家庭农场", "种养家庭农场"])
        ),
    };
    Ok(NewOrg {
        name: PersonName::parse(&name, "单位名称", 100).map_err(anyhow::Error::msg)?,
        credit_code: credit_code(rng, county, org_type)?,
        org_type,
    })
}

pub fn account(
    rng: &mut Rng,
    role: Role,
    number: u32,
    region: RegionCode,
    tree: &RegionTree,
) -> anyhow::Result<NewAccount> {
    let org = if role == Role::Org {
        Some(organisation(rng, &region, tree)?)
    } else {
        None
    };
    Ok(NewAccount {
        role,
        phone: Phone::parse(&phone_for(role, number))?,
        password: Password::parse(DEMO_PASSWORD).map_err(anyhow::Error::msg)?,
        name: PersonName::parse(&person_name(rng), "姓名", 50).map_err(anyhow::Error::msg)?,
        region,
        org,
        kepu: None,
        accepted_terms: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_phones_are_valid_and_distinct() {
        let mut phones: Vec<String> = demo_roles()
            .into_iter()
            .map(|(n, role)| phone_for(role, n))
            .collect();
        phones.push(city_staff_phone(34, Department::Kepu));
        phones.push(county_staff_phone(34, 2, Department::Org));
        for phone in &phones {
            assert!(Phone::parse(phone).is_ok(), "{phone}");
        }
        let count = phones.len();
        phones.sort();
        phones.dedup();
        assert_eq!(phones.len(), count);
    }

    #[test]
    fn demo_credit_codes_validate() {
        let mut rng = Rng::new(7);
        let county = RegionCode::parse("511011").unwrap();
        for org_type in OrgType::ALL.iter().cycle().take(200) {
            let code = credit_code(&mut rng, &county, *org_type).unwrap();
            assert!(CreditCode::parse(code.as_str()).is_ok());
            assert_eq!(&code.as_str()[2..8], "511011");
        }
    }
}
