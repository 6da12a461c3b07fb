// Runs axe-core (from the npm registry, pinned by its caller) in headless Chromium over the HTML files
// named on the command line, checking the WCAG 2.1 A and AA rules only. Prints one JSON document:
// {"axe": version, "pages": [{"page", "violations": [{"id", "impact", "help", "nodes": [{"target", "html",
// "summary"}]}], "passes": n}]}. Exits 0 whatever it finds (the caller judges), 2 if a page cannot be checked.
// Chromium: $CHROMIUM, else /usr/bin/chromium. Pages are opened from file: URLs; any other request
// (the network) is refused, so a page that needs one is seen as the reader offline would see it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const puppeteer = require("puppeteer-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
const pages = [];
let version = "";
try {
  for (const file of process.argv.slice(2)) {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    await page.setRequestInterception(true);
    page.on("request", (request) =>
      request.url().startsWith("file:") || request.url().startsWith("data:") ? request.continue() : request.abort(),
    );
    await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: "load" });
    await page.evaluate(axeSource);
    const result = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
      TAGS,
    );
    version = result.testEngine.version;
    pages.push({
      page: file,
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 300), summary: n.failureSummary })),
      })),
      passes: result.passes.length,
    });
    await page.close();
  }
} catch (error) {
  console.error(`axe: ${error}`);
  await browser.close();
  process.exit(2);
}
await browser.close();
console.log(JSON.stringify({ axe: version, pages }, null, 1));
