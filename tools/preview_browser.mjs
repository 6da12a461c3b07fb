// Drives headless Chromium (puppeteer-core, pinned by its caller) for the preview's end-to-end test.
// Reads one JSON step a line on stdin and answers one JSON line on stdout for each:
//   {"open": url}                                        opens the page (the only navigation asked for)
//   {"wait": selector, "contains": text, "timeout": ms}  until the element's text contains `text`
//   {"wait": selector, "absent": true, "timeout": ms}    until no element matches
// Every answer carries "loads": how many times the page has been (re)loaded, so the caller sees that a change
// arrived by the page reloading itself. Chromium: $CHROMIUM, else /usr/bin/chromium. Only the preview's
// own origin and data: URLs may load; any other request (the network) is refused.
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);
const puppeteer = require("puppeteer-core");

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
const page = await browser.newPage();
let origin = "";
let loads = 0;
page.on("framenavigated", (frame) => {
  if (frame === page.mainFrame()) loads += 1; // counted as the page is replaced, before its text can be read
});
await page.setRequestInterception(true);
page.on("request", (request) =>
  (origin && request.url().startsWith(origin)) || request.url().startsWith("data:") ? request.continue() : request.abort(),
);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function textOf(selector) {
  try {
    return await page.evaluate((s) => {
      const found = document.querySelector(s);
      return found ? found.innerText : null;
    }, selector);
  } catch {
    return undefined; // the page is reloading
  }
}

async function waitFor(step) {
  const end = Date.now() + (step.timeout || 60000);
  let text;
  while (Date.now() < end) {
    text = await textOf(step.wait);
    if (step.absent ? text === null : typeof text === "string" && text.includes(step.contains)) return text;
    await sleep(100);
  }
  const wanted = step.absent ? "to be gone" : `to contain ${JSON.stringify(step.contains)}`;
  throw new Error(`timed out waiting for ${step.wait} ${wanted}; it reads ${JSON.stringify(text)}`.slice(0, 2000));
}

for await (const line of createInterface({ input: process.stdin })) {
  const step = JSON.parse(line);
  try {
    let text = null;
    if (step.open) {
      origin = new URL(step.open).origin;
      await page.goto(step.open, { waitUntil: "load" });
    } else {
      text = await waitFor(step);
    }
    console.log(JSON.stringify({ ok: true, loads, text }));
  } catch (error) {
    console.log(JSON.stringify({ ok: false, loads, error: String(error) }));
  }
}
await browser.close();
