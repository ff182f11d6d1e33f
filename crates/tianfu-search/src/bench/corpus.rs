//! A believable synthetic market: listings built from real domain words and real Sichuan
//! county codes, reproducible from a seed.

use crate::{ListingDoc, ListingKind};

/// xorshift64*: deterministic, no dependency, and plenty random for picking words.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub struct Sector {
    pub name: &'static str,
    /// GB/T 4754 section the sector's listings are filed under.
    pub industry: &'static str,
    pub words: &'static [&'static str],
}

pub const SECTORS: &[Sector] = &[
    Sector {
        name: "电子信息",
        industry: "I",
        words: &[
            "集成电路",
            "功率半导体",
            "传感器",
            "工业互联网",
            "人工智能",
            "大数据",
            "边缘计算",
            "北斗导航",
            "机器视觉",
            "工业软件",
            "数字孪生",
            "网络安全",
            "光通信",
            "新型显示",
            "射频芯片",
            "嵌入式系统",
        ],
    },
    Sector {
        name: "装备制造",
        industry: "C",
        words: &[
            "智能制造",
            "无人机",
            "工业机器人",
            "数控机床",
            "航空发动机",
            "燃气轮机",
            "轨道交通",
            "新能源汽车",
            "锂电池",
            "增材制造",
            "激光加工",
            "精密铸造",
            "伺服电机",
            "农机装备",
            "水电机组",
            "焊接机器人",
        ],
    },
    Sector {
        name: "食品轻纺",
        industry: "C",
        words: &[
            "白酒",
            "浓香型",
            "窖池",
            "川茶",
            "藏茶",
            "调味品",
            "火锅底料",
            "郫县豆瓣",
            "泡菜",
            "预制菜",
            "冷链物流",
            "食品安全",
            "蜀锦",
            "竹浆纸",
            "纺织面料",
        ],
    },
    Sector {
        name: "能源化工",
        industry: "D",
        words: &[
            "页岩气",
            "天然气",
            "光伏",
            "多晶硅",
            "氢能",
            "电解水制氢",
            "储能",
            "磷化工",
            "碳酸锂",
            "精细化工",
            "碳捕集",
            "余热回收",
            "污水处理",
            "固废处理",
        ],
    },
    Sector {
        name: "先进材料",
        industry: "C",
        words: &[
            "新材料",
            "钒钛",
            "钒电池",
            "钛合金",
            "稀土永磁",
            "石墨烯",
            "碳纤维",
            "复合材料",
            "玄武岩纤维",
            "正极材料",
            "负极材料",
            "磷酸铁锂",
            "高温合金",
            "可降解塑料",
        ],
    },
    Sector {
        name: "医药健康",
        industry: "Q",
        words: &[
            "中药材",
            "川芎",
            "川贝母",
            "天麻",
            "道地药材",
            "中药饮片",
            "创新药",
            "生物医药",
            "疫苗",
            "医疗器械",
            "体外诊断",
            "基因检测",
            "细胞治疗",
            "康复器械",
            "原料药",
        ],
    },
    Sector {
        name: "现代农业",
        industry: "A",
        words: &[
            "蛋鸡",
            "产蛋率",
            "料蛋比",
            "生猪",
            "能繁母猪",
            "饲料配方",
            "柑橘",
            "裂果",
            "晚熟柑橘",
            "猕猴桃",
            "溃疡病",
            "再生稻",
            "油菜",
            "马铃薯",
            "植保无人机",
            "水肥一体化",
            "绿色防控",
            "食用菌",
            "水产养殖",
            "茶园",
        ],
    },
];

const TITLE_TAILS: &[&str] = &[
    "关键技术研发",
    "中试熟化",
    "产业化项目",
    "技术难题求解",
    "成果转让",
    "工艺优化",
    "检测服务",
    "联合攻关",
    "技术咨询",
    "示范推广",
];

const SENTENCES: &[&str] = &[
    "本项目围绕{a}开展{b}研究，已完成小试和中试，具备产业化条件。",
    "团队长期从事{a}领域研究，拥有发明专利多项，可提供{b}技术服务。",
    "企业在{a}生产中遇到{b}方面的难题，希望与高校、科研院所合作攻关。",
    "成果已在省内多家企业应用，{a}效率提升约两成，{b}成本明显下降。",
    "可采用技术转让、技术许可或作价入股等方式合作，推动{a}成果转化。",
    "拟引进{a}核心技术，建设{b}示范线，预计年产值过亿元。",
    "依托重点实验室和中试基地，提供{a}检验检测与{b}工艺包。",
    "需求方位于县域产业园区，重点关注{a}与{b}的集成应用。",
];

/// Real county-level codes (GB/T 2260) across Sichuan's cities and prefectures.
pub const COUNTIES: &[&str] = &[
    "510104", "510105", "510106", "510107", "510108", "510112", "510116", "510117", "510302",
    "510402", "510411", "510502", "510603", "510681", "510703", "510722", "510802", "510903",
    "511002", "511011", "511024", "511102", "511302", "511402", "511502", "511602", "511623",
    "511702", "511802", "511902", "512002", "513201", "513301", "513401",
];

const SERVICE_TYPES: &[&str] = &["development", "transfer", "consulting", "service"];
const NEED_KINDS: &[&str] = &["technology", "talent", "equipment", "finance"];

/// 2023-11-14 onwards, two years of listings.
const EPOCH: i64 = 1_700_000_000;
const SPAN_SECS: u64 = 2 * 365 * 86_400;

pub fn listing(rng: &mut Rng, id: i64) -> ListingDoc {
    let sector = rng.pick(SECTORS);
    let a = *rng.pick(sector.words);
    let b = *rng.pick(sector.words);
    // One listing in five borrows a word from another sector, as real cross-sector ones do.
    let c_sector = if rng.below(5) == 0 {
        rng.pick(SECTORS)
    } else {
        sector
    };
    let c = *rng.pick(c_sector.words);
    let kind = *rng.pick(&ListingKind::ALL);
    let title = format!("{a}{b}{}", rng.pick(TITLE_TAILS));
    let mut body = String::new();
    for _ in 0..3 + rng.below(4) {
        let (x, y) = if rng.below(2) == 0 { (a, c) } else { (b, a) };
        body.push_str(&rng.pick(SENTENCES).replace("{a}", x).replace("{b}", y));
    }
    let service_type = match kind {
        ListingKind::Offer => Some(rng.pick(SERVICE_TYPES).to_string()),
        ListingKind::Need => Some(rng.pick(NEED_KINDS).to_string()),
        _ => None,
    };
    let price_fen = (rng.below(10) >= 3).then(|| (10_000 + rng.below(5_000_000) as i64) * 100);
    ListingDoc {
        kind,
        id,
        title,
        body,
        keywords: vec![a.to_string(), c.to_string(), sector.name.to_string()],
        region_code: rng.pick(COUNTIES).to_string(),
        industry: if rng.below(8) == 0 {
            "M"
        } else {
            sector.industry
        }
        .to_string(),
        service_type,
        price_fen,
        published_at: EPOCH + (rng.next_u64() % SPAN_SECS) as i64,
    }
}

/// Every sector word, for drawing query words.
pub fn all_words() -> Vec<&'static str> {
    SECTORS
        .iter()
        .flat_map(|s| s.words.iter().copied())
        .collect()
}
