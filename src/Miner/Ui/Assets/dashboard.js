// kiln-miner's dashboard: polls /ui/api/snapshot (and the selected deadline's timeline) and renders it;
// a deadline's proving check runs only when asked (it reads every sector's vanilla proof).
// Every value reaches the page through textContent, never as markup.
'use strict';

(() => {
  const POLL_MS = 1500;
  const TOKEN_KEY = 'kiln-miner-ui-token';
  const SEALING = new Set([
    'Packing', 'PreCommit1', 'PreCommit2', 'SubmitPreCommitBatch', 'PreCommitBatchWait', 'WaitSeed',
    'Committing', 'SubmitCommitAggregate', 'CommitAggregateWait', 'FinalizeSector',
  ]);
  const FAILED = new Set(['PreCommitFailed', 'CommitFailed', 'Failed']);
  const STATE_ORDER = [
    'Packing', 'PreCommit1', 'PreCommit2', 'SubmitPreCommitBatch', 'PreCommitBatchWait', 'WaitSeed', 'Committing',
    'SubmitCommitAggregate', 'CommitAggregateWait', 'FinalizeSector', 'Proving', 'PreCommitFailed', 'CommitFailed', 'Failed', 'Removed',
  ];
  const DEADLINES = 48;

  const state = { selected: null, timer: null, polling: false };
  const $ = (id) => document.getElementById(id);

  class AuthError extends Error {}

  // ---- the token ----------------------------------------------------------------------------------

  // ?token= is read once, kept in this tab's session storage, and removed from the address bar and history.
  function takeTokenFromUrl() {
    const url = new URL(window.location.href);
    if (!url.searchParams.has('token')) {
      return;
    }
    const token = url.searchParams.get('token').trim();
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
    }
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }

  function showAuth(reason) {
    stopPolling();
    $('dashboard').hidden = true;
    $('forget').hidden = true;
    $('auth').hidden = false;
    $('auth-reason').textContent = reason;
    setStatus('no token', 'idle');
  }

  function showDashboard() {
    $('auth').hidden = true;
    $('dashboard').hidden = false;
    $('forget').hidden = false;
  }

  // ---- fetching -----------------------------------------------------------------------------------

  async function getJson(path) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) {
      throw new AuthError('No token given yet.');
    }
    const response = await fetch(path, { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
    if (response.status === 401 || response.status === 403) {
      let message = response.status === 401 ? 'The miner refused the token.' : 'The token lacks the read permission.';
      try {
        message = (await response.json()).Error || message;
      } catch {
        // keep the generic message
      }
      throw new AuthError(message);
    }
    if (!response.ok) {
      throw new Error(path + ': HTTP ' + response.status);
    }
    return response.json();
  }

  function stopPolling() {
    clearTimeout(state.timer);
    state.timer = null;
  }

  async function poll() {
    stopPolling();
    if (state.polling) {
      return;
    }
    state.polling = true;
    try {
      const snapshot = await getJson('/ui/api/snapshot');
      showDashboard();
      render(snapshot);
      if (state.selected !== null) {
        renderDeadline(await getJson('/ui/api/deadlines/' + state.selected));
      }
      setStatus('live', 'ok');
      $('updated').textContent = 'updated ' + clock(new Date());
    } catch (e) {
      if (e instanceof AuthError) {
        // A refused token is dropped, so a reload asks for a new one instead of failing again.
        sessionStorage.removeItem(TOKEN_KEY);
        state.polling = false;
        showAuth(e.message);
        return;
      }
      setStatus('miner unreachable', 'bad');
      $('status').title = String(e.message || e);
    }
    state.polling = false;
    state.timer = setTimeout(poll, POLL_MS);
  }

  // ---- small DOM helpers --------------------------------------------------------------------------

  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    for (const child of children) {
      node.append(child instanceof Node ? child : String(child ?? ''));
    }
    return node;
  }

  function td(content, className) {
    return el('td', className, content);
  }

  function fill(table, rows, emptyText) {
    const body = $(table).tBodies[0];
    if (rows.length === 0) {
      const cell = td(emptyText, 'empty');
      cell.colSpan = $(table).tHead.rows[0].cells.length;
      body.replaceChildren(el('tr', null, cell));
      return;
    }
    body.replaceChildren(...rows.map((cells) => el('tr', null, ...cells)));
  }

  function badge(text, tone) {
    return el('span', 'badge badge-' + tone, text);
  }

  function setStatus(text, tone) {
    const status = $('status');
    status.textContent = text;
    status.className = 'badge badge-' + tone;
    status.title = '';
  }

  // ---- formatting ---------------------------------------------------------------------------------

  const pad = (n, width = 2) => String(n).padStart(width, '0');

  function clock(date) {
    return pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' + pad(date.getSeconds());
  }

  function when(iso) {
    if (!iso) {
      return '-';
    }
    const date = new Date(iso);
    const today = new Date();
    const day = date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate());
    return date.toDateString() === today.toDateString() ? clock(date) : day + ' ' + clock(date);
  }

  // Go-style durations: 850ms, 12.4s, 3m7s, 2h5m0s.
  function duration(ns) {
    if (ns === null || ns === undefined) {
      return '-';
    }
    const ms = ns / 1e6;
    if (ns === 0) {
      return '0s';
    }
    if (ms < 1) {
      return Math.round(ns / 1e3) + 'µs';
    }
    if (ms < 1000) {
      return (ms < 10 ? ms.toFixed(1) : Math.round(ms)) + 'ms';
    }
    const s = ms / 1000;
    if (s < 60) {
      return s.toFixed(s < 10 ? 2 : 1) + 's';
    }
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = Math.floor(s % 60);
    return (h ? h + 'h' : '') + m + 'm' + rest + 's';
  }

  function bytes(n) {
    if (!n) {
      return '0 B';
    }
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return (n < 10 && i > 0 ? n.toFixed(1) : Math.round(n)) + ' ' + units[i];
  }

  const short = (id) => String(id).replaceAll('-', '').slice(0, 8);
  // Message CIDs share their first characters (bafy2bzace…): keep the head and the distinct tail.
  const shortCid = (cid) => (cid.length > 20 ? cid.slice(0, 8) + '…' + cid.slice(-8) : cid);

  function outcomeTone(outcome) {
    switch (outcome) {
      case 'Succeeded': return 'ok';
      case 'Running': return 'run';
      case 'Failed': return 'bad';
      case 'Aborted':
      case 'Skipped': return 'warn';
      default: return 'idle';
    }
  }

  function sectorTone(s) {
    return s === 'Proving' ? 'ok' : FAILED.has(s) ? 'bad' : SEALING.has(s) ? 'run' : 'idle';
  }

  function postTask(task) {
    return task.includes('window') ? 'WDP' : task.includes('winning') ? 'WNP' : task;
  }

  // ---- rendering ----------------------------------------------------------------------------------

  function render(snap) {
    const now = Date.parse(snap.Now);
    const running = snap.Jobs.filter((j) => j.Outcome === 'Running');
    const sealing = snap.Sectors.filter((s) => SEALING.has(s.State)).length;

    $('actor').textContent = snap.Actor;
    $('clock').textContent = 'epoch ' + snap.Proving.CurrentEpoch + ' · deadline ' + snap.Proving.DeadlineIndex;
    $('count-workers').textContent = snap.Workers.length;
    $('count-running').textContent = running.length;
    $('count-sealing').textContent = sealing;
    $('count-proving').textContent = snap.Sectors.filter((s) => s.State === 'Proving').length;
    $('count-failed').textContent = snap.Sectors.filter((s) => FAILED.has(s.State)).length;
    $('count-storage').textContent = snap.Storage.length;

    renderWorkers(snap.Workers, running, now);
    renderJobs(snap.Jobs, now);
    renderSectors(snap.Sectors);
    renderStorage(snap.Storage);
    renderProving(snap.Proving, snap.PoStWorkers);
    renderDeadlines(snap.Deadlines, snap.Proving.DeadlineIndex);
  }

  function renderWorkers(workers, running, now) {
    fill('workers', workers.map((w) => {
      const jobs = running.filter((j) => j.Worker === w.Id).map((j) => j.Task + ' ' + j.Sector);
      const seen = Math.max(0, now - Date.parse(w.LastSeen)) * 1e6;
      return [
        td(short(w.Id), 'mono'),
        td(w.Hostname),
        td(w.Kind),
        td(w.Tasks.join(' '), 'wrap'),
        td(w.Cpus + ' core' + (w.Cpus === 1 ? '' : 's')),
        td(bytes(w.MemPhysical)),
        td(w.Gpus.length ? w.Gpus.join(', ') : '-'),
        td(jobs.length ? jobs.join(', ') : '-', 'wrap'),
        td(duration(seen) + ' ago'),
        td(w.Enabled ? badge('enabled', 'ok') : badge('disabled', 'bad')),
      ];
    }), 'No workers connected: start one with kiln-worker run.');
  }

  function renderJobs(jobs, now) {
    const ordered = [...jobs.filter((j) => j.Outcome === 'Running'), ...jobs.filter((j) => j.Outcome !== 'Running')].slice(0, 100);
    fill('jobs', ordered.map((j) => [
      td(short(j.CallID), 'mono'),
      td(j.Sector),
      td(j.Task),
      td(short(j.Worker), 'mono'),
      td(j.Hostname),
      td(when(j.Start)),
      td(j.DurationNs !== null ? duration(j.DurationNs) : duration(Math.max(0, now - Date.parse(j.Start)) * 1e6)),
      td(badge(j.Outcome, outcomeTone(j.Outcome))),
      td(j.Error || '', 'wrap error-text'),
    ]), 'No jobs yet.');
  }

  function renderSectors(sectors) {
    const counts = new Map();
    for (const s of sectors) {
      counts.set(s.State, (counts.get(s.State) || 0) + 1);
    }
    const states = [...counts.keys()].sort((a, b) => STATE_ORDER.indexOf(a) - STATE_ORDER.indexOf(b));
    $('sector-states').replaceChildren(...states.map((s) => badge(s + ': ' + counts.get(s), sectorTone(s))));
    fill('sectors', [...sectors].reverse().map((s) => [
      td(s.Number),
      td(badge(s.State, sectorTone(s.State))),
      message(s.PreCommitMessage, s.PreCommitExitCode),
      message(s.CommitMessage, s.CommitExitCode),
      td(s.ActivationEpoch ?? '-'),
      td(s.Deadline !== null && s.Deadline !== undefined ? s.Deadline + ' / ' + (s.Partition ?? '-') : '-'),
      td(when(s.Created)),
      td(when(s.Updated)),
      td(failure(s), 'wrap error-text'),
    ]), 'No sectors: pledge one with kiln-miner sectors pledge.');
  }

  // A message cell: the CID shortened (whole in the title) and its receipt's exit code once it landed.
  function message(cid, exitCode) {
    if (!cid) {
      return td('-');
    }
    const landed = exitCode === null || exitCode === undefined
      ? badge('pending', 'run')
      : badge('exit ' + exitCode, exitCode === 0 ? 'ok' : 'bad');
    const cell = td(el('span', 'mono', shortCid(cid)), 'message');
    cell.append(' ', landed);
    cell.title = cid;
    return cell;
  }

  // The error with, for a failed sector, the step it failed in and the attempts so far.
  function failure(s) {
    if (!s.Error) {
      return '';
    }
    const where = [s.FailedIn ? 'in ' + s.FailedIn : null, s.Retries ? s.Retries + ' retries' : null].filter(Boolean).join(', ');
    return where ? s.Error + ' (' + where + ')' : s.Error;
  }

  function renderStorage(paths) {
    fill('storage', paths.map((p) => {
      const use = [p.CanSeal ? 'Seal' : null, p.CanStore ? 'Store' : null].filter(Boolean).join(' ') || 'ReadOnly';
      let space = '-';
      if (p.Stat) {
        const used = p.Stat.Capacity - p.Stat.FSAvailable;
        const meter = el('span', 'bar-meter', el('span'));
        meter.firstChild.style.width = (p.Stat.Capacity ? Math.min(100, (100 * used) / p.Stat.Capacity) : 0) + '%';
        space = el('span', null, meter, bytes(p.Stat.Available) + ' free of ' + bytes(p.Stat.Capacity));
      }
      return [
        td(short(p.Id), 'mono'),
        td(use),
        td(p.Weight),
        td(p.Unsealed),
        td(p.Sealed),
        td(p.Cache),
        td(space),
        td([p.Local, ...p.Urls].filter(Boolean).join(' '), 'wrap mono small'),
      ];
    }), 'No storage paths: attach one with kiln-miner storage attach.');
  }

  function renderProving(info, workers) {
    const facts = [
      ['Proving loop', info.Enabled ? 'running' : 'off (kiln-miner run --proving)'],
      ['Current epoch', info.CurrentEpoch],
      ['Period start', info.PeriodStart],
      ['Deadline', info.DeadlineIndex + ' (open ' + info.DeadlineOpen + ', close ' + info.DeadlineClose + ')'],
      ['Proving sectors', info.ProvingSectors],
      ['Last Winning PoSt', info.LastWinningEpoch !== null ? 'epoch ' + info.LastWinningEpoch + ': ' + info.LastWinningOutcome : 'none yet'],
    ];
    $('proving-info').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', null, k), el('dd', null, v)]));
    fill('post-workers', workers.map((w) => [
      td(short(w.Id), 'mono'),
      td(w.Hostname),
      td(postTask(w.Task)),
      td(w.InFlight + '/' + w.MaxInFlight),
      td(w.Completed),
      td(w.Failed),
      td(w.Enabled ? badge('enabled', 'ok') : badge('disabled', 'bad')),
    ]), 'No PoSt workers: the miner proves by itself' + (info.BuiltinWindowPoSt ? '.' : ' only if built-in proving is on.'));
  }

  function deadlineClass(d) {
    if (!d.Outcome) {
      return 'dl-none';
    }
    if (d.Outcome === 'Failed') {
      return 'dl-failed';
    }
    return d.Skipped > 0 ? 'dl-partial' : 'dl-ok';
  }

  function renderDeadlines(deadlines, current) {
    const grid = $('deadlines');
    if (grid.children.length !== DEADLINES) {
      grid.replaceChildren(...Array.from({ length: DEADLINES }, (_, i) => {
        const cell = el('div', 'deadline-cell', el('span', 'dl-index', i), el('span', 'dl-sectors'));
        cell.dataset.index = i;
        cell.setAttribute('role', 'listitem');
        cell.tabIndex = 0;
        cell.addEventListener('click', () => select(i));
        cell.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            select(i);
          }
        });
        return cell;
      }));
    }
    for (const d of deadlines) {
      const cell = grid.children[d.Index];
      cell.className = 'deadline-cell ' + deadlineClass(d) + (d.Index === current ? ' dl-current' : '') + (d.Index === state.selected ? ' selected' : '');
      cell.dataset.outcome = d.Outcome || 'none';
      cell.lastChild.textContent = d.Sectors ? d.Sectors + 's' : '';
      cell.title = 'Deadline ' + d.Index + ': ' + d.Sectors + ' sector(s)'
        + (d.Outcome ? '; last ' + d.Outcome + ' at open epoch ' + d.LastOpenEpoch + (d.TookNs !== null ? ' in ' + duration(d.TookNs) : '') : '; not proven yet')
        + (d.Skipped ? '; ' + d.Skipped + ' skipped' : '')
        + (d.Error ? '; ' + d.Error : '');
    }
  }

  function select(index) {
    state.selected = index;
    for (const cell of $('deadlines').children) {
      cell.classList.toggle('selected', Number(cell.dataset.index) === index);
    }
    $('deadline-detail').hidden = false;
    $('deadline-title').textContent = 'Deadline ' + index;
    $('deadline-summary').textContent = 'loading…';
    $('check-summary').textContent = '';
    $('check').hidden = true;
    poll();
  }

  // proving check of the selected deadline: not polled, and a refusal (a token without admin) is shown here
  // instead of forgetting the token the rest of the page works with.
  async function runCheck() {
    const index = state.selected;
    if (index === null) {
      return;
    }
    const button = $('check-button');
    button.disabled = true;
    $('check').hidden = true;
    $('check-summary').textContent = 'checking deadline ' + index + '…';
    try {
      const token = sessionStorage.getItem(TOKEN_KEY) || '';
      const response = await fetch('/ui/api/deadlines/' + index + '/check', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
      let body = null;
      try {
        body = await response.json();
      } catch {
        // no JSON body: the status says it
      }
      if (index !== state.selected) {
        return;
      }
      if (!response.ok) {
        $('check-summary').textContent = 'proving check refused: ' + ((body && body.Error) || 'HTTP ' + response.status);
        return;
      }
      renderCheck(index, body);
    } catch (e) {
      if (index === state.selected) {
        $('check-summary').textContent = 'proving check failed: ' + (e.message || e);
      }
    } finally {
      button.disabled = false;
    }
  }

  function renderCheck(index, rows) {
    const bad = rows.filter((r) => r.Bad);
    $('check-summary').textContent = 'Deadline ' + index + ' checked at ' + clock(new Date()) + ': '
      + rows.length + ' sector(s), ' + bad.length + ' bad';
    $('check').hidden = false;
    fill('check', rows.map((r) => [
      td(r.Partition),
      td(r.Sector),
      td(r.Bad ? badge('bad', 'bad') : badge('good', 'ok')),
      td(r.Bad || '', 'wrap'),
    ]), 'No live sectors in this deadline.');
    const body = $('check').tBodies[0];
    rows.forEach((r, i) => body.rows[i].classList.toggle('check-bad', Boolean(r.Bad)));
  }

  function renderDeadline(timeline) {
    if (timeline.Index !== state.selected) {
      return;
    }
    const steps = timeline.Steps;
    $('deadline-title').textContent = 'Deadline ' + timeline.Index + ' · ' + timeline.Sectors + ' proving sector(s)';
    if (steps.length === 0) {
      $('deadline-summary').textContent = 'No Window PoSt recorded for this deadline yet.';
      $('timeline').replaceChildren();
      fill('steps', [], 'No steps.');
      return;
    }
    const start = Math.min(...steps.map((s) => Date.parse(s.Start)));
    const end = Math.max(...steps.map((s) => Date.parse(s.End)));
    const span = Math.max(1, end - start);
    const whole = steps.filter((s) => s.Phase === 'deadline').pop();
    $('deadline-summary').textContent = whole
      ? 'Open epoch ' + whole.Epoch + ': ' + whole.Outcome + ' in ' + duration(whole.Duration) + (whole.Detail ? ' — ' + whole.Detail : '')
      : 'Open epoch ' + steps[0].Epoch + ': unfinished';

    $('timeline').replaceChildren(...steps.map((s) => {
      const from = Date.parse(s.Start) - start;
      const bar = el('div', 'timeline-bar phase-' + s.Phase + ' outcome-' + s.Outcome.toLowerCase());
      bar.style.left = (100 * from) / span + '%';
      bar.style.width = Math.max(0.3, (100 * (Date.parse(s.End) - Date.parse(s.Start))) / span) + '%';
      bar.title = s.Phase + ' ' + s.Outcome + ' on ' + s.Host + ': +' + duration(from * 1e6) + ', took ' + duration(s.Duration) + (s.Detail ? ' — ' + s.Detail : '');
      const label = s.Phase + (s.Partition !== null ? ' #' + s.Partition : '') + ' · ' + s.Host;
      return el('div', 'timeline-row',
        el('div', 'timeline-label', label),
        el('div', 'timeline-track', bar),
        el('div', 'timeline-took', duration(s.Duration)));
    }));

    fill('steps', steps.map((s) => [
      td(s.Phase),
      td(s.Partition !== null ? s.Partition : '-'),
      td(s.Host),
      td(s.Worker === '00000000-0000-0000-0000-000000000000' ? 'miner' : short(s.Worker), 'mono'),
      td('+' + duration((Date.parse(s.Start) - start) * 1e6)),
      td(duration(s.Duration)),
      td(s.Sectors),
      td(badge(s.Outcome, outcomeTone(s.Outcome))),
      td(s.Detail || '', 'wrap'),
    ]), 'No steps.');
  }

  // ---- start --------------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    takeTokenFromUrl();
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const token = $('token-input').value.trim();
      if (token) {
        sessionStorage.setItem(TOKEN_KEY, token);
        $('token-input').value = '';
        poll();
      }
    });
    $('check-button').addEventListener('click', runCheck);
    $('forget').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      showAuth('Token forgotten.');
    });
    if (sessionStorage.getItem(TOKEN_KEY)) {
      poll();
    } else {
      showAuth('No token given.');
    }
  });
})();
