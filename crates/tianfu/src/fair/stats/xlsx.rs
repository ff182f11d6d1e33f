//! An edition's figures as an Excel workbook: the summary, the cities (halls) with their
//! outcomes, and the categories and sectors. Amounts in yuan as numbers, so they add up.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::service::{GroupStats, Stats};

fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

fn headers(
    sheet: &mut Worksheet,
    row: u32,
    names: &[&str],
    bold: &Format,
) -> Result<(), XlsxError> {
    for (col, name) in names.iter().enumerate() {
        sheet.write_with_format(row, col as u16, *name, bold)?;
        sheet.set_column_width(col as u16, if col == 0 { 22 } else { 14 })?;
    }
    Ok(())
}

fn groups(
    sheet: &mut Worksheet,
    start: u32,
    title: &str,
    rows: &[GroupStats],
    bold: &Format,
    money: &Format,
) -> Result<u32, XlsxError> {
    sheet.write_with_format(start, 0, title, bold)?;
    headers(
        sheet,
        start + 1,
        &[title, "征集项目", "入选项目", "签约项目", "签约金额（元）"],
        bold,
    )?;
    let mut row = start + 2;
    for g in rows {
        sheet.write(row, 0, g.name.as_str())?;
        sheet.write_number(row, 1, g.collected as f64)?;
        sheet.write_number(row, 2, g.selected as f64)?;
        sheet.write_number(row, 3, g.deals_signed as f64)?;
        sheet.write_number_with_format(row, 4, yuan(g.deals_amount_fen), money)?;
        row += 1;
    }
    Ok(row + 1)
}

pub fn to_xlsx(stats: &Stats) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");

    let summary = book.add_worksheet();
    summary.set_name("概况")?;
    summary.write_with_format(0, 0, format!("{} 数据统计", stats.fair_name), &bold)?;
    let figures: [(&str, f64); 12] = [
        ("征集项目", stats.collected as f64),
        ("入选项目", stats.selected as f64),
        (
            "入选：待推广的高新技术",
            stats.by_category.technology as f64,
        ),
        (
            "入选：待转化的科技成果",
            stats.by_category.achievement as f64,
        ),
        ("入选：待攻克的科技难题", stats.by_category.problem as f64),
        ("一对一洽谈（已接受）", stats.meetings.accepted as f64),
        (
            "一对一洽谈（全部申请）",
            (stats.meetings.requested
                + stats.meetings.accepted
                + stats.meetings.declined
                + stats.meetings.expired
                + stats.meetings.cancelled) as f64,
        ),
        ("意向关注", stats.interests as f64),
        ("活动报名", stats.registrations as f64),
        ("活动签到", stats.check_ins as f64),
        ("签约项目", stats.deals_signed as f64),
        ("签约金额（元）", yuan(stats.deals_amount_fen)),
    ];
    headers(summary, 2, &["指标", "数值"], &bold)?;
    for (i, (label, value)) in figures.iter().enumerate() {
        let row = 3 + i as u32;
        summary.write(row, 0, *label)?;
        if label.contains("金额") {
            summary.write_number_with_format(row, 1, *value, &money)?;
        } else {
            summary.write_number(row, 1, *value)?;
        }
    }
    let mut row = 4 + figures.len() as u32;
    summary.write_with_format(row, 0, "半年后对接成效", &bold)?;
    row += 1;
    for (label, n) in stats.outcomes.labelled() {
        summary.write(row, 0, label)?;
        summary.write_number(row, 1, n as f64)?;
        row += 1;
    }
    summary.write(row, 0, "尚未填写")?;
    summary.write_number(row, 1, stats.outcomes.pending as f64)?;

    let cities = book.add_worksheet();
    cities.set_name("按市州")?;
    let mut names = vec![
        "展厅（市州）",
        "征集项目",
        "入选项目",
        "洽谈（已接受）",
        "签约项目",
        "签约金额（元）",
    ];
    let outcome_names: Vec<&str> = stats.outcomes.labelled().iter().map(|(l, _)| *l).collect();
    names.extend(outcome_names.iter().copied());
    names.push("成效待填");
    headers(cities, 0, &names, &bold)?;
    for (i, h) in stats.by_region.iter().enumerate() {
        let row = 1 + i as u32;
        cities.write(row, 0, format!("{}（{}）", h.name, h.region_code))?;
        cities.write_number(row, 1, h.collected as f64)?;
        cities.write_number(row, 2, h.selected as f64)?;
        cities.write_number(row, 3, h.meetings_accepted as f64)?;
        cities.write_number(row, 4, h.deals_signed as f64)?;
        cities.write_number_with_format(row, 5, yuan(h.deals_amount_fen), &money)?;
        for (j, (_, n)) in h.outcomes.labelled().iter().enumerate() {
            cities.write_number(row, 6 + j as u16, *n as f64)?;
        }
        cities.write_number(row, 11, h.outcomes.pending as f64)?;
    }

    let kinds = book.add_worksheet();
    kinds.set_name("按类别与产业")?;
    let next = groups(kinds, 0, "项目类别", &stats.categories, &bold, &money)?;
    groups(kinds, next, "产业领域", &stats.by_sector, &bold, &money)?;
    book.save_to_buffer()
}
