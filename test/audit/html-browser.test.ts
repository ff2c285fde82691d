// Opens the HTML report in headless Chromium (Debian's chromium, installed by .ci/run when missing)
// through playwright-core, and checks that the matrix is drawn and the filters work, on the demo
// tenant and on a seeded tenant of 2,000 clusters. Waits for the page's own condition
// (<html data-state="rendered">, data-shown after a filter), never for a time.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { startTestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { generatedTenant } from "./generated-tenant.js";

const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const NOW = new Date("2026-06-01T12:00:00Z");
/** README "Audit": the page for 2,000 clusters stays under 2 MB. */
const maxBytesFor2000Clusters = 2 * 1024 * 1024;
const generous = { timeout: 180_000 };

let browser: Browser;
let dir: string;
beforeAll(async () => {
  if (!existsSync(executablePath)) throw new Error(`Chromium is not at ${executablePath}: run 'apt-get install -y chromium' (.ci/run does it) or set CHROMIUM_PATH.`);
  browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
  dir = mkdtempSync(join(tmpdir(), "akspol-html-"));
}, 120_000);
afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function writeReport(seed: NonNullable<Parameters<typeof startTestEmulator>[0]>["seed"], file: string, argv: string[]): Promise<void> {
  const emu = await startTestEmulator({ seed, now: NOW });
  try {
    const run = await runCli(["audit", ...argv, "--html", file, "--fail-on", "never", "-o", "json"], { emulatorDir: emu.stateDir, clock: { now: () => NOW } });
    expect(run.code, run.stderr).toBe(0);
  } finally {
    await emu.close();
  }
}

async function openReport(file: string) {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  // Nothing outside the file may load: the page is self-contained.
  const external: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith("file:")) external.push(request.url());
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector("html[data-state=rendered]", generous);
  return { page, errors, external };
}

describe("the HTML report in Chromium", () => {
  test("demo tenant: the matrix shows 4 clusters x 9 members and the filters narrow it", async () => {
    const file = join(dir, "demo.html");
    await writeReport("demo", file, ["--all-subscriptions"]);
    const { page, errors, external } = await openReport(file);
    try {
      expect(await page.locator("#matrix tbody tr").count()).toBe(4);
      expect(await page.locator("#matrix thead th.m").count()).toBe(9);
      expect(await page.locator("#matrix tbody tr").first().locator("td.c").count()).toBe(9);
      // The sandbox cluster has its add-on disabled: every cell says N.
      const sandbox = page.locator("#matrix tbody tr", { hasText: "aks-sandbox" });
      expect(await sandbox.locator("td.c.s-N").count()).toBe(9);
      await page.selectOption("#f-sub", { label: "contoso-prod" });
      await page.waitForSelector("html[data-shown='2']", generous);
      expect(await page.locator("#matrix tbody tr:not([hidden])").count()).toBe(2);
      await page.selectOption("#f-sub", "");
      await page.selectOption("#f-sev", "0");
      const shownHigh = Number(await page.getAttribute("html", "data-findings-shown"));
      const high = await page.locator("#findings tbody tr:not([hidden]) td.sev-high").count();
      expect(high).toBe(shownHigh);
      expect(await page.locator("#findings tbody tr:not([hidden]) td.sev-low").count()).toBe(0);
      expect(errors).toEqual([]);
      expect(external).toEqual([]);
    } finally {
      await page.close();
    }
  }, 240_000);

  test("2,000 clusters: the page stays under the size bound, renders every row and filters by subscription", async () => {
    const file = join(dir, "large.html");
    await writeReport(generatedTenant(20, 100, NOW), file, ["--management-group", "gen"]);
    const size = statSync(file).size;
    expect(size).toBeLessThan(maxBytesFor2000Clusters);
    expect(readFileSync(file, "utf8")).not.toMatch(/<script[^>]+src=|<link[^>]+href=/i);
    const { page, errors } = await openReport(file);
    try {
      expect(await page.locator("#matrix tbody tr").count()).toBe(2000);
      expect(await page.getAttribute("html", "data-shown")).toBe("2000");
      await page.selectOption("#f-sub", { label: "gen-sub-007" });
      await page.waitForSelector("html[data-shown='100']", generous);
      expect(await page.locator("#matrix tbody tr:not([hidden])").first().textContent()).toContain("aks-7-");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 600_000);
});
