//! Demo 向科学要答案 and 精准推送: residents' questions over the past months — most answered by
//! scientists and accepted, some answered and waiting, a few still open — and a finished
//! campaign that elders opened.

use chrono::{DateTime, Duration, Utc};

use super::market::user;
use crate::App;
use crate::kepu::pushes::{api::PushRequest, fanout, service as pushes};
use crate::kepu::questions::service::{self as questions, AskInput};
use crate::kepu::views::{self, Hit};
use crate::on_db;

/// (title, body, channel, answer or none, accepted).
const QUESTIONS: &[(&str, &str, &str, Option<&str>, bool)] = &[
    (
        "柑橘叶片发黄是什么原因",
        "新叶黄、叶脉绿，老叶正常，去年施过一次复合肥。",
        "agriculture",
        Some(
            "新叶黄化而叶脉保持绿色，多是缺铁或缺锌，常见于偏碱或板结的土壤。建议先测土，叶面喷施螯合铁或硫酸锌，连喷两三次，同时增施有机肥改良土壤。",
        ),
        true,
    ),
    (
        "鸡下蛋越来越少怎么办",
        "养了两百只蛋鸡，一年多了，最近产蛋率掉到五成。",
        "agriculture",
        Some(
            "先看三点：光照是否每天稳定16小时，饲料钙和蛋白是否够，鸡群是否到了换羽期。超过72周龄的鸡产蛋自然下降，可考虑分批淘汰更新；若有拉稀、鸡冠发白，要请兽医排查疾病。",
        ),
        true,
    ),
    (
        "猕猴桃树干流红色的水是什么病",
        "苍溪这边，春天发现几棵树干上有红褐色黏液。",
        "agriculture",
        Some(
            "这是猕猴桃溃疡病的典型症状，由细菌引起，早春伤流期最易扩散。要及时刮除病斑并涂药，剪下的病枝集中烧毁，修剪工具用酒精消毒，采果后和落叶后各喷一次铜制剂预防。",
        ),
        true,
    ),
    (
        "老人接到自称公安的电话说涉嫌洗钱，怎么办",
        "我妈昨天接到这种电话，对方让她把钱转到安全账户。",
        "safety",
        Some(
            "这是典型的冒充公检法诈骗。公安机关不会通过电话办案，更没有所谓安全账户。请马上挂断，不转账、不透露验证码，可拨打110或96110核实，并帮老人开通银行转账提醒。",
        ),
        true,
    ),
    (
        "地震时在高楼里应该往楼下跑吗",
        "孩子问我的，我也说不清楚。",
        "emergency",
        Some(
            "震时不要乘电梯，也不要急着往楼下跑或跳楼。应就近躲在坚固的桌子下或内墙墙角，护住头颈，等震动停止后再有序撤离到空旷地带。平时家里可以演练一次。",
        ),
        true,
    ),
    (
        "高血压的人能不能吃鸡蛋",
        "听说鸡蛋胆固醇高，我父亲血压高不敢吃。",
        "health",
        Some(
            "一般高血压患者每天吃一个鸡蛋是可以的，关键是控制盐、限酒、适量运动和按时服药。若同时有高胆固醇，可请医生根据化验结果具体指导。",
        ),
        true,
    ),
    (
        "茶园冬季要做哪些管理",
        "名山区的老茶园，想明年春茶产量高一点。",
        "agriculture",
        Some(
            "冬季主要做好三件事：深耕施基肥（以有机肥为主），轻修剪整理树冠，清园并喷一次石硫合剂减少越冬病虫。寒潮前可以覆草保温。",
        ),
        true,
    ),
    (
        "手机上总弹出中奖信息，点了会不会中病毒",
        "",
        "safety",
        Some(
            "不明链接不要点，更不要下载陌生应用或填写银行卡信息。可以在手机设置里关闭陌生号码短信，装正规的安全软件；已经点了也别慌，及时修改支付密码。",
        ),
        false,
    ),
    (
        "夏天小孩去河里游泳怎么管",
        "村里有条河，每年暑假都担心。",
        "safety",
        Some(
            "记住防溺水“六不”：不私自下水游泳，不擅自与他人结伴游泳，不在无家长带领的情况下游泳，不到无安全设施、无救援人员的水域游泳，不到不熟悉的水域游泳，不熟悉水性的不擅自下水施救。",
        ),
        false,
    ),
    (
        "花椒叶子上有红色小虫",
        "汉源这边的花椒树，叶子有点卷。",
        "agriculture",
        None,
        false,
    ),
    (
        "人工智能会不会取代很多工作",
        "我在工厂上班，有点担心。",
        "frontier",
        None,
        false,
    ),
    ("家里电动车能不能在楼道充电", "", "safety", None, false),
];

fn set_clock(app: &App, at: DateTime<Utc>) {
    app.clock.advance(at - app.clock.now());
}

/// Loads the questions; answers (asked, answered).
pub async fn load_questions(app: &App, now: DateTime<Utc>) -> anyhow::Result<(usize, usize)> {
    let mut answered = 0;
    for (n, (title, body, channel, answer, accepted)) in QUESTIONS.iter().enumerate() {
        let asked_at = now - Duration::days(150 - (n as i64) * 12);
        set_clock(app, asked_at);
        let asker = user(app, &format!("152{:08}", n * 7 + 2)).await?;
        let id = questions::ask(
            app,
            &asker,
            &AskInput {
                title: (*title).into(),
                body: (*body).into(),
                channel: Some((*channel).into()),
                private: false,
                photo_id: None,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo question {title}: {e} {:?}", e.fields()))?;
        let Some(answer) = answer else {
            continue;
        };
        set_clock(app, asked_at + Duration::hours(5 + n as i64));
        let scientist = user(app, &format!("150{:08}", n * 11 + 1)).await?;
        questions::answer(app, &scientist, id, answer, None, None)
            .await
            .map_err(|e| anyhow::anyhow!("demo answer: {e} {:?}", e.fields()))?;
        answered += 1;
        if *accepted {
            set_clock(app, asked_at + Duration::hours(30));
            let answer_id: i64 = on_db!(&app.db, pool => sqlx::query_scalar(
                "SELECT id FROM kepu_answers WHERE question_id = $1 ORDER BY id LIMIT 1").bind(id).fetch_one(pool).await)?;
            questions::accept(app, &asker, id, answer_id, Some(5), None)
                .await
                .map_err(|e| anyhow::anyhow!("demo accept: {e}"))?;
        }
    }
    set_clock(app, now);
    Ok((QUESTIONS.len(), answered))
}

/// A finished campaign: the province's 全民科普服务部 pushed an anti-fraud article to the elders
/// a month ago, and most of them opened it within two days. Answers (recipients, opened).
pub async fn load_campaign(app: &App, now: DateTime<Utc>) -> anyhow::Result<(i64, usize)> {
    let sent_at = now - Duration::days(30);
    let resource: Option<i64> = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT id FROM kepu_resources WHERE status = 'published' AND tags LIKE '%防诈骗%' AND published_at < $1 ORDER BY id LIMIT 1")
        .bind(sent_at).fetch_optional(pool).await)?;
    let Some(resource) = resource else {
        return Ok((0, 0));
    };
    set_clock(app, sent_at);
    let province = user(app, "13900000003").await?;
    let request = PushRequest {
        resource_id: resource,
        region_code: "51".into(),
        audiences: vec!["elder".into()],
        interests: Vec::new(),
    };
    let (_, recipients) = pushes::send(app, &province, &request, None)
        .await
        .map_err(|e| anyhow::anyhow!("demo push: {e} {:?}", e.fields()))?;
    fanout::pass(app, false)
        .await
        .map_err(|e| anyhow::anyhow!("demo fan-out: {e}"))?;
    let delivered: Vec<(i64, String)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT d.user_id, u.region_code FROM kepu_push_deliveries d JOIN users u ON u.id = d.user_id \
         WHERE d.status = 'delivered' ORDER BY d.user_id").fetch_all(pool).await)?;
    let mut opened = 0;
    for (n, (user_id, region)) in delivered.iter().enumerate() {
        if n % 4 == 3 {
            continue;
        }
        views::record(
            app,
            Hit {
                resource_id: resource,
                reader: format!("u:{user_id}"),
                user_id: Some(*user_id),
                region_code: region.clone(),
                ip: None,
                device: None,
                sharer_code: None,
                at: sent_at + Duration::hours(2 + n as i64 % 40),
            },
        )
        .await;
        opened += 1;
    }
    set_clock(app, now);
    views::flush(app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    views::book::run(app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((recipients, opened))
}
