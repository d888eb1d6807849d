// Drives the Workers dashboard in Debian's Chromium with playwright-core (never a downloaded browser).
// Usage: node dashboard.mjs <scenario> <dashboard url> <screenshot folder>. Prints PASS and exits 0, or exits 1 with why.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [scenario, url, screenshots] = process.argv.slice(2);
const timeout = 60_000;

async function startJob(page, plugin, parameters, stream) {
  const before = await page.$$eval('#jobs tbody tr', (rows) => rows.map((row) => row.dataset.jobId));
  await page.selectOption('#plugin', plugin);
  await page.fill('#parameters', JSON.stringify(parameters));
  await page.setChecked('#stream', stream);
  await page.click('#start');
  const row = await page.waitForFunction(
    (known) => [...document.querySelectorAll('#jobs tbody tr')].map((r) => r.dataset.jobId).find((id) => !known.includes(id)),
    before, { timeout });
  const id = await row.jsonValue();
  console.log(`started ${plugin} job ${id}`);
  return id;
}

const status = (page, id, wanted) =>
  page.waitForSelector(`#jobs tbody tr[data-job-id="${id}"][data-status="${wanted}"]`, { timeout });

const scenarios = {
  // Start a job from the form and see it complete.
  async complete(page) {
    const id = await startJob(page, 'echo', { text: 'hello from the browser' }, false);
    await status(page, id, 'completed');
    await page.waitForFunction(() => document.querySelector('#detail-result').textContent.includes('hello from the browser'), null, { timeout });
    const pid = await page.textContent(`#jobs tbody tr[data-job-id="${id}"] td:nth-child(5)`);
    if (!/^\d+$/.test(pid.trim())) throw new Error(`no worker pid in the job row: "${pid}"`);
  },

  // Watch streamed tokens appear while the job runs, then the whole text.
  async stream(page) {
    const id = await startJob(page, 'tokens', { count: 40, delayMs: 50, prefix: 'tok' }, true);
    await page.waitForFunction(
      (jobId) => document.querySelector('#stream-text').textContent.includes('tok0 ')
        && document.querySelector(`#jobs tbody tr[data-job-id="${jobId}"]`)?.dataset.status === 'running',
      id, { timeout });
    console.log('saw tokens while the job was running');
    await status(page, id, 'completed');
    await page.waitForFunction(() => document.querySelector('#stream-text').textContent.includes('tok39 '), null, { timeout });
    const value = await page.$eval('#progress', (p) => p.value);
    if (value !== 1) throw new Error(`progress bar at ${value} after completion`);
  },

  // Cancel a busy job (it never checks cancellation: its process is killed) and see it cancelled.
  async cancel(page) {
    const id = await startJob(page, 'busy', { ms: 120000 }, false);
    await status(page, id, 'running');
    await page.click(`#jobs tbody tr[data-job-id="${id}"] button.cancel`);
    await status(page, id, 'cancelled');
    await page.waitForSelector(`#jobs tbody tr[data-job-id="${id}"] button.cancel`, { state: 'detached', timeout });
  },

  // A worker crashes in the middle of a job: the job fails and the slot comes back with a new process.
  async crash(page) {
    const id = await startJob(page, 'crash', { exitCode: 134 }, false);
    await status(page, id, 'failed');
    const job = await page.evaluate((jobId) => fetch(`/api/jobs/${jobId}`).then((r) => r.json()), id);
    console.log(`job failed on ${job.workerId} (pid ${job.workerPid}): ${job.error}`);
    await page.waitForFunction(
      ({ workerId, workerPid }) => {
        const row = document.querySelector(`#workers tbody tr[data-worker-id="${workerId}"]`);
        return row && row.dataset.state === 'idle' && row.dataset.pid !== '' && row.dataset.pid !== String(workerPid)
          && Number(row.dataset.restarts) >= 1;
      },
      job, { timeout });
    console.log('the worker came back with a new process');
  },
};

if (!scenarios[scenario]) {
  console.error(`unknown scenario "${scenario}"; known: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
mkdirSync(screenshots, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('console', (message) => console.log(`[page] ${message.text()}`));
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  await page.goto(url);
  await page.waitForSelector('#connection.on', { timeout });
  try {
    await scenarios[scenario](page);
    await page.screenshot({ path: join(screenshots, `${scenario}.png`), fullPage: true });
    console.log('PASS');
  } catch (error) {
    await page.screenshot({ path: join(screenshots, `${scenario}-failed.png`), fullPage: true }).catch(() => {});
    console.error(`FAIL: ${error.message}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
}
