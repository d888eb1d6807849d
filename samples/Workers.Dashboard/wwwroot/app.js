// The Workers dashboard page: the state comes from the HTTP API once, then from the server-sent events at /api/events.
'use strict';

const examples = {
  echo: { text: 'hello from a worker process' },
  tokens: { count: 50, delayMs: 50, prefix: 'tok' },
  markov: { words: 60, seed: 7, delayMs: 40 },
  mandelbrot: { width: 480, height: 320, maxIterations: 300 },
  busy: { ms: 30000 },
  sleep: { ms: 3000 },
  fail: { message: 'this plugin fails on purpose' },
  crash: { exitCode: 134 },
  alloc: { mb: 64 },
};
const streaming = new Set(['tokens', 'markov']);
const rank = { pending: 0, running: 1, completed: 2, failed: 2, cancelled: 2 };

const jobs = new Map();      // id -> snapshot (camelCase, as the API returns it)
const texts = new Map();     // id -> streamed text so far
const progress = new Map();  // id -> { fraction, message }
let selected = null;
let renderPending = false;

const $ = (selector) => document.querySelector(selector);
const api = async (path, init) => {
  const response = await fetch(path, init);
  const body = response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text();
  return { ok: response.ok, status: response.status, body };
};

function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => { renderPending = false; renderJobs(); renderDetail(); });
}

function duration(job) {
  if (!job.startedAt) return '';
  const end = job.completedAt ? Date.parse(job.completedAt) : Date.now();
  const ms = Math.max(0, end - Date.parse(job.startedAt));
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function renderJobs() {
  const body = $('#jobs tbody');
  const rows = [...jobs.values()].reverse();
  $('#no-jobs').hidden = rows.length > 0;
  body.replaceChildren(...rows.map((job) => {
    const tr = document.createElement('tr');
    tr.dataset.jobId = job.id;
    tr.dataset.status = job.status;
    if (job.id === selected) tr.classList.add('selected');
    const cells = [job.id.slice(0, 8), job.pluginId, '', duration(job), job.workerPid ?? ''];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    const badge = document.createElement('span');
    badge.className = `badge status-${job.status}`;
    badge.textContent = job.status;
    tr.children[2].append(badge);
    const actions = document.createElement('td');
    if (job.status === 'pending' || job.status === 'running') {
      const cancel = document.createElement('button');
      cancel.type = 'button';
      cancel.className = 'cancel';
      cancel.textContent = 'Cancel';
      cancel.addEventListener('click', (e) => { e.stopPropagation(); cancelJob(job.id, cancel); });
      actions.append(cancel);
    }
    tr.append(actions);
    tr.addEventListener('click', () => { selected = job.id; scheduleRender(); });
    return tr;
  }));
}

function renderDetail() {
  const panel = $('#detail-panel');
  const job = selected && jobs.get(selected);
  panel.hidden = !job;
  if (!job) return;
  panel.dataset.jobId = job.id;
  $('#detail-id').textContent = job.id.slice(0, 8);
  const status = $('#detail-status');
  status.className = `badge status-${job.status}`;
  status.textContent = job.status;
  const p = progress.get(job.id);
  $('#progress').value = job.status === 'completed' ? 1 : p?.fraction ?? 0;
  $('#progress-message').textContent = p?.message ?? '';
  const text = texts.get(job.id) ?? '';
  const pre = $('#stream-text');
  if (pre.textContent !== text) { pre.textContent = text; pre.scrollTop = pre.scrollHeight; }
  $('#detail-result').textContent = job.error ? `error: ${job.error}` : job.result && !texts.has(job.id) ? JSON.stringify(job.result, null, 2) : '';
}

function renderWorkers(workers) {
  $('#workers tbody').replaceChildren(...workers.map((w) => {
    const tr = document.createElement('tr');
    tr.dataset.workerId = w.workerId;
    tr.dataset.state = w.state;
    tr.dataset.pid = w.pid ?? '';
    tr.dataset.restarts = w.restarts;
    const memory = w.memoryBytes ? `${(w.memoryBytes / 1048576).toFixed(0)} MB` : '';
    for (const [text, cls] of [[w.workerId], [w.pid ?? ''], [w.state, `state-${w.state}`], [w.loadedPlugin ?? ''], [w.jobsCompleted], [w.restarts], [memory]]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    return tr;
  }));
}

let workersTimer = null;
function refreshWorkers() {
  // Worker events come in bursts (exit, restart, start): one request after the burst.
  clearTimeout(workersTimer);
  workersTimer = setTimeout(async () => {
    const { ok, body } = await api('/api/workers');
    if (ok) renderWorkers(body);
  }, 100);
}

async function refreshJob(id) {
  const { ok, body } = await api(`/api/jobs/${encodeURIComponent(id)}`);
  // Answers can arrive out of order: never let an older snapshot take a job back from a later status.
  if (ok && rank[body.status] >= rank[jobs.get(id)?.status ?? 'pending']) { jobs.set(id, body); scheduleRender(); }
}

async function cancelJob(id, button) {
  button.disabled = true;
  const { ok, body } = await api(`/api/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
  if (!ok) showMessage(body.error ?? `cancel failed`, true);
}

function showMessage(text, error) {
  const message = $('#form-message');
  message.textContent = text;
  message.className = error ? 'error' : '';
}

function onJobEvent(name, data) {
  const id = data.jobId;
  const job = jobs.get(id);
  switch (name) {
    case 'job.queued':
      if (!job) jobs.set(id, { id, pluginId: data.pluginId, status: 'pending', metadata: {} });
      refreshJob(id);
      break;
    case 'job.started':
      if (job) Object.assign(job, { status: 'running', workerId: data.workerId, workerPid: data.workerPid, startedAt: new Date().toISOString() });
      refreshJob(id);
      refreshWorkers();
      break;
    case 'job.chunk':
      if (!data.isFinal) texts.set(id, (texts.get(id) ?? '') + data.text);
      break;
    case 'job.progress':
      progress.set(id, { fraction: data.fraction, message: data.message });
      break;
    case 'job.completed':
    case 'job.failed':
    case 'job.cancelled':
      if (job) job.status = name.slice(4);
      refreshJob(id);
      refreshWorkers();
      break;
  }
  scheduleRender();
}

function connect() {
  const source = new EventSource('/api/events');  // reconnects by itself, resuming with Last-Event-ID
  const connection = $('#connection');
  source.onopen = () => { connection.textContent = 'live'; connection.className = 'pill on'; };
  source.onerror = () => { connection.textContent = 'reconnecting…'; connection.className = 'pill off'; };
  for (const name of ['job.queued', 'job.started', 'job.chunk', 'job.progress', 'job.completed', 'job.failed', 'job.cancelled']) {
    source.addEventListener(name, (e) => onJobEvent(name, JSON.parse(e.data)));
  }
  for (const name of ['worker.started', 'worker.exited', 'worker.restarting', 'worker.failed']) {
    source.addEventListener(name, refreshWorkers);
  }
}

async function checkHealth() {
  const health = $('#health');
  try {
    const { ok } = await api('/healthz');
    health.textContent = ok ? 'healthy' : 'unhealthy';
    health.className = `pill ${ok ? 'on' : 'off'}`;
  } catch {
    health.textContent = 'unreachable';
    health.className = 'pill off';
  }
}

async function start() {
  const plugins = await api('/api/plugins');
  const select = $('#plugin');
  for (const name of plugins.body) select.append(new Option(name, name));
  select.addEventListener('change', () => {
    $('#parameters').value = JSON.stringify(examples[select.value] ?? {});
    $('#stream').checked = streaming.has(select.value);
  });
  select.value = plugins.body.includes('markov') ? 'markov' : plugins.body[0];
  select.dispatchEvent(new Event('change'));

  $('#start-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    let parameters;
    try {
      parameters = JSON.parse($('#parameters').value || '{}');
    } catch (error) {
      showMessage(`Parameters are not valid JSON: ${error.message}`, true);
      return;
    }
    const { ok, body } = await api('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pluginId: select.value, parameters, stream: $('#stream').checked }),
    });
    if (!ok) { showMessage(body.error ?? 'rejected', true); return; }
    if (!jobs.has(body.id) || jobs.get(body.id).status === 'pending') jobs.set(body.id, { ...jobs.get(body.id), ...body });
    selected = body.id;
    showMessage(`Started ${body.pluginId} job ${body.id.slice(0, 8)}.`, false);
    scheduleRender();
  });
  $('#clear').addEventListener('click', async () => {
    await api('/api/jobs/completed', { method: 'DELETE' });
    for (const [id, job] of jobs) if (['completed', 'failed', 'cancelled'].includes(job.status)) { jobs.delete(id); texts.delete(id); progress.delete(id); }
    if (selected && !jobs.has(selected)) selected = null;
    scheduleRender();
  });

  connect();
  const all = await api('/api/jobs');
  for (const job of all.body) if (!jobs.has(job.id)) jobs.set(job.id, job);
  refreshWorkers();
  checkHealth();
  setInterval(checkHealth, 5000);
  setInterval(() => { if ([...jobs.values()].some((j) => j.status === 'running')) scheduleRender(); }, 500);
  scheduleRender();
}

start();
