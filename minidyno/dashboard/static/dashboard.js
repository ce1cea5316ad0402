// The dashboard's client: it reads the same API and log stream as the CLI, with the
// session cookie for credentials. Plain DOM, no framework, nothing from a CDN.
"use strict";

const minidyno = (() => {
  const $ = (selector) => document.querySelector(selector);

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child instanceof Node ? child : String(child));
    return node;
  }

  // The session's CSRF token, sent with every request: the cookie alone is not enough.
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  async function api(path, options = {}) {
    const response = await fetch(path, { credentials: "same-origin", ...options,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf,
                 ...(options.headers || {}) } });
    if (response.status === 401) { location.href = "/login"; throw new Error("login"); }
    const text = await response.text();
    if (!response.ok) throw new Error(JSON.parse(text).error || text);
    if ((response.headers.get("content-type") || "").includes("ndjson")) {
      const events = text.trim().split("\n").map((line) => JSON.parse(line));
      const failed = events.find((event) => event.error);
      if (failed) throw new Error(failed.error);
      return events;
    }
    return (response.headers.get("content-type") || "").includes("json") ? JSON.parse(text) : text;
  }

  function state(name) {
    return el("span", { class: `state state-${name}` }, name);
  }

  function age(seconds) {
    if (seconds == null) return "-";
    if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h`;
    if (seconds >= 60) return `${Math.floor(seconds / 60)}m`;
    return `${Math.floor(seconds)}s`;
  }

  function appState(dynos) {
    const web = dynos.filter((d) => d.type === "web");
    const states = new Set((web.length ? web : dynos).map((d) => d.state));
    if (!dynos.length) return "no dynos";
    for (const s of ["up", "starting", "idle", "crashed"]) if (states.has(s)) return s;
    return [...states][0];
  }

  async function appsPage() {
    const body = $("#apps tbody");
    async function refresh() {
      const apps = await api("/apps");
      const rows = await Promise.all(apps.map(async (app) => {
        const [dynos, addons] = await Promise.all([api(`/apps/${app.name}/dynos`),
          api(`/apps/${app.name}/addons`)]);
        return el("tr", {},
          el("td", {}, el("a", { href: `/dashboard/apps/${app.name}` }, app.name)),
          el("td", {}, state(appState(dynos))),
          el("td", {}, app.release ? `v${app.release}` : "none"),
          el("td", {}, addons.map((a) => `${a.name} (${a.plan})`).join(", ") || "none"),
          el("td", {}, el("a", { href: app.web_url }, app.web_url)));
      }));
      body.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 5 },
        "No apps yet: minidyno apps:create NAME"))]));
    }
    await refresh();
    setInterval(refresh, 3000);
  }

  // Metrics charts: every series differs by its dash as well as its colour, and every
  // event marker carries its name in words, so nothing is told by colour alone.
  const COLORS = ["#0057b8", "#157a3a", "#c03000", "#7b2fa8", "#8a5a00", "#333"];
  const DASHES = [[], [3, 4], [10, 6], [22, 6], [12, 4, 3, 4], [2, 8]];
  const STATUS = ["2xx", "3xx", "4xx", "5xx"];  // solid, dotted, dashed, long-dash
  const MARKS = { deploy: [[10, 5], "#0057b8"], wake: [[3, 5], "#157a3a"], crash: [[14, 4, 3, 4], "#b00"],
                  restart: [[6, 6], "#555"], r14: [[4, 3], "#8a5a00"], r15: [[2, 2], "#b00"],
                  scale: [[8, 3, 2, 3], "#7b2fa8"], sleep: [[1, 6], "#555"] };
  const WINDOWS = { 600: "in the last 10 minutes", 3600: "in the last hour", 86400: "in the last 24 hours" };
  const num = (v) => String(+Number(v).toFixed(2));
  const ms = (v) => (v == null ? "–" : `${Math.round(v)} ms`);
  const clock = (t) => { const d = new Date(t * 1000);
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":"); };

  function eventLabel(event) {
    if (event.kind === "deploy") return event.text.includes("Deploy") ? "Deploy" : "Release";
    if (event.kind === "wake") return "Wake";
    if (event.kind === "restart") return "Restart";
    if (event.kind === "scale") return "Scale";
    if (event.kind === "sleep") return "Sleep";
    const word = { crash: "Crash", r14: "R14", r15: "R15" }[event.kind] || event.kind;
    return `${word} ${event.dyno || ""}`.trim();
  }

  function appPage(app) {
    const lanes = new Map();
    let logAbort = null;
    let dynosPending = null;

    async function refreshDynos() {
      const [dynos, formation] = await Promise.all([api(`/apps/${app}/dynos`),
        api(`/apps/${app}/formation`)]);
      $("#dynos tbody").replaceChildren(...dynos.map((d) => el("tr", { "data-dyno": d.name },
        el("td", {}, d.name), el("td", {}, state(d.state)), el("td", {}, age(d.age_seconds)),
        el("td", {}, `v${d.release}`), el("td", {}, el("code", {}, d.command)))));
      $("#formation").replaceChildren(...Object.entries(formation).map(([type, count]) =>
        el("p", {}, `${type}: ${count} `,
          el("button", { type: "button", "aria-label": `Scale ${type} down`,
            onclick: () => scale(type, count - 1) }, "−"), " ",
          el("button", { type: "button", "aria-label": `Scale ${type} up`,
            onclick: () => scale(type, count + 1) }, "+"))));
    }

    function hours(seconds, quota) {
      const share = quota ? Math.floor(seconds / quota * 100) : 0;
      return `${Math.floor(seconds / 3600)}h ${Math.floor(seconds % 3600 / 60)}m (${share}%)`;
    }

    async function refreshEcoHours() {
      const pool = await api(`/apps/${app}/eco-hours`);
      $("#eco-hours").hidden = !pool.eco;
      $("#eco-meter").value = pool.quota ? pool.remaining / pool.quota : 0;
      $("#eco-text").textContent = `${hours(pool.remaining, pool.quota)}; this app used ` +
        `${hours(pool.app_used, pool.quota)}` + (pool.remaining > 0 ? "" : " — used up: eco apps sleep (H82)");
    }

    function soon() {
      clearTimeout(dynosPending);
      dynosPending = setTimeout(refreshDynos, 200);
    }

    async function scale(type, count) {
      if (count < 0) return;
      await api(`/apps/${app}/formation`, { method: "PATCH", body: JSON.stringify([`${type}=${count}`]) });
      refreshDynos();
    }

    function noteState(line) {
      const match = line.match(/^(\S+) minidyno\[([\w-]+\.\d+)\]: State changed from (\w+) to (\w+)/);
      if (!match) return false;
      const [, when, dyno, , to] = match;
      if (!lanes.has(dyno)) lanes.set(dyno, []);
      const lane = lanes.get(dyno);
      if (lane.some((s) => s.stamp === when)) return false;
      lane.push({ state: to, when: when.slice(11, 19), stamp: when });
      return true;
    }

    function drawTimeline() {
      $("#timeline").replaceChildren(...[...lanes.entries()].sort().map(([dyno, states]) =>
        el("div", { class: "lane", "data-lane": dyno }, el("span", { class: "lane-name" }, dyno),
          ...states.slice(-12).map((s) => el("span", { class: `segment ${s.state}`,
            title: `${s.state} since ${s.when}` }, `${s.state} ${s.when}`)))));
    }

    async function followLogs() {
      if (logAbort) logAbort.abort();
      logAbort = new AbortController();
      const params = new URLSearchParams({ tail: "true", num: "200" });
      if ($("#log-dyno").value) params.set("dyno", $("#log-dyno").value);
      if ($("#log-source").value) params.set("source", $("#log-source").value);
      const pane = $("#logs");
      pane.textContent = "";
      try {
        const response = await fetch(`/apps/${app}/logs?${params}`, { signal: logAbort.signal,
          credentials: "same-origin", headers: { "X-CSRF-Token": csrf } });
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const text = decoder.decode(value, { stream: true });
          if (!text) continue;
          const atEnd = pane.scrollTop + pane.clientHeight >= pane.scrollHeight - 20;
          pane.append(text);
          if (atEnd) pane.scrollTop = pane.scrollHeight;
          let changed = false;
          for (const line of text.split("\n")) changed = noteState(line) || changed;
          if (changed) drawTimeline();
          if (/State changed|Starting process|Scaled to|Idling|Unidling|Release v/.test(text)) soon();
          if (/State changed|Release v|Idling|Unidling|Restarting|Scaled to|Error R1[45]/.test(text)) metricsSoon();
        }
      } catch (error) {
        if (error.name === "AbortError") return;
        // Chromium closes its HTTP/2 connections whenever the host's addresses change,
        // which on a Docker host is every time a container starts: pick the stream up again.
        pane.append(`\n[log stream interrupted (${error.message}); reconnecting]\n`);
        setTimeout(followLogs, 1000);
      }
    }

    async function refreshConfig() {
      const config = await api(`/apps/${app}/config`);
      $("#config tbody").replaceChildren(...Object.entries(config).map(([key, value]) => {
        const shown = el("code", {}, "••••••••");
        return el("tr", {}, el("td", {}, key), el("td", {}, shown), el("td", {},
          el("button", { type: "button", onclick: (event) => {
            const hidden = shown.textContent === "••••••••";
            shown.textContent = hidden ? value : "••••••••";
            event.target.textContent = hidden ? "Hide" : "Reveal";
          } }, "Reveal"), " ",
          el("button", { type: "button", onclick: async () => {
            await api(`/apps/${app}/config`, { method: "PATCH", body: JSON.stringify({ [key]: null }) });
            refreshConfig(); refreshReleases();
          } }, "Unset")));
      }));
    }

    async function refreshReleases() {
      const releases = await api(`/apps/${app}/releases`);
      const current = releases.find((r) => r.status === "succeeded");
      $("#releases tbody").replaceChildren(...releases.map((r) => el("tr", {},
        el("td", {}, `v${r.version}`), el("td", {}, r.description), el("td", {}, r.status),
        el("td", {}, r.created_at), el("td", {},
          el("button", { type: "button", onclick: async () => {
            const log = $("#build-log");
            try { log.textContent = await api(`/apps/${app}/releases/${r.version}/build`); }
            catch (error) { log.textContent = error.message; }
            log.hidden = false;
          } }, "Build log"), " ",
          current && r.version !== current.version && r.status === "succeeded"
            ? el("button", { type: "button", onclick: async () => {
              await api(`/apps/${app}/releases`, { method: "POST", body: JSON.stringify({ rollback: r.version }) });
              refreshReleases(); refreshConfig();
            } }, `Roll back to v${r.version}`) : ""))));
    }

    function schedule(job) {
      if (job.every === "10m") return "Every 10 minutes";
      if (job.every === "1h") return `Every hour at ${job.at || ":00"}`;
      return `Every day at ${job.at || "00:00"} UTC`;
    }

    function lastRun(job) {
      if (job.running) return `running now as ${job.running}`;
      if (!job.last_run) return "never";
      return `${job.last_run} (${job.last_status == null ? "exit status unknown" : `exit ${job.last_status}`})`;
    }

    async function refreshScheduler() {
      const addons = await api(`/apps/${app}/addons`);
      const present = addons.some((a) => a.service === "scheduler");
      $("#scheduler").hidden = !present;
      $("#scheduler-none").hidden = present;
      if (!present) return;
      const jobs = await api(`/apps/${app}/scheduler/jobs`);
      const action = (label, job, run) => el("button", { type: "button",
        "aria-label": `${label} job ${job.id}`, onclick: async () => {
          try { await run(); $("#job-error").textContent = ""; }
          catch (error) { $("#job-error").textContent = error.message; }
          refreshScheduler();
        } }, label);
      $("#jobs tbody").replaceChildren(...jobs.map((job) => el("tr", { "data-job": job.id },
        el("td", {}, job.id), el("td", {}, schedule(job)), el("td", {}, el("code", {}, job.command)),
        el("td", {}, job.next_run), el("td", {}, lastRun(job)), el("td", {},
          action("Run now", job, () => api(`/apps/${app}/scheduler/jobs/${job.id}/run`, { method: "POST" })), " ",
          action("Remove", job, () => api(`/apps/${app}/scheduler/jobs/${job.id}`, { method: "DELETE" }))))));
    }

    async function refreshPostgres() {
      const addons = (await api(`/apps/${app}/addons`)).filter((a) => a.service === "postgres");
      const blocks = await Promise.all(addons.map(async (addon) => {
        const info = await api(`/apps/${app}/addons/${addon.name}/info`);
        const limit = info.row_limit ? info.row_limit.toLocaleString() : "no limit";
        return el("p", {}, `${addon.name} (${info.plan}, PostgreSQL ${info.version}) as ${info.attached_as}: `,
          `${info.rows.toLocaleString()} of ${limit} rows, ${info.size}, ${info.connections} connections`,
          info.inserts_allowed ? "" : " — over the row limit: INSERT revoked");
      }));
      $("#postgres").replaceChildren(...(blocks.length ? blocks : ["No database."]));
    }

    // The last `minidyno doctor -a APP`: each check's result named in words (a class
    // reads it off a projector), what Heroku would do, the fix and its article.
    async function refreshDoctor() {
      const report = await api(`/apps/${app}/doctor`).catch(() => null);
      $("#doctor-none").hidden = Boolean(report);
      $("#doctor").hidden = !report;
      if (!report) return;
      const failed = report.checks.filter((c) => c.status === "fail").map((c) => c.title);
      $("#doctor-summary").textContent = `Last run ${report.created_at}: ` +
        (failed.length ? `fails ${failed.join(", ")}.` : "passes every check it ran.");
      $("#doctor-checks tbody").replaceChildren(...report.checks.map((c) => el("tr",
        { class: `check check-${c.status}`, "data-check": c.check },
        el("td", {}, el("span", { class: `result result-${c.status}` }, c.status)),
        el("td", {}, c.title), el("td", {}, c.seen),
        el("td", {}, ...(c.heroku ? [`${c.heroku}. Fix: ${c.fix}. `, el("a", { href: c.link }, "Dev Center")] : [])))));
    }

    // Metrics, like Heroku's Metrics tab. Charts are made once and fed with setData; a
    // chart whose series change (a dyno or an H-code comes or goes) is made anew.
    const charts = {};
    let metrics = null, metricsSeq = 0, metricsPending = null, metricsAt = 0;
    const px = (dash) => dash.map((v) => v * uPlot.pxRatio);
    const figureWidth = (id) => $(`#${id}`).parentElement.clientWidth;
    const axis = { font: "16px system-ui", stroke: "#111", size: 64, grid: { stroke: "#ddd" },
      ticks: { stroke: "#999" } };

    const markers = { hooks: { draw: (u) => {
      const { ctx } = u, { left, top, width, height } = u.bbox, r = uPlot.pxRatio;
      ctx.save();
      ctx.font = `bold ${16 * r}px system-ui`;
      ctx.textAlign = "left";  // uPlot leaves the axes' alignment behind
      ctx.textBaseline = "top";
      ctx.lineWidth = 2 * r;
      const ends = [];  // per row of labels, where its last label ends
      metrics.events.forEach((event) => {
        const x = Math.round(u.valToPos(event.t, "x", true));
        if (x < left || x > left + width) return;
        const [dash, color] = MARKS[event.kind] || [[2, 2], "#333"];
        ctx.setLineDash(px(dash));
        ctx.strokeStyle = color;
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
        // A label goes in the first row it fits in, so labels of close events do not overlap.
        const label = eventLabel(event), w = ctx.measureText(label).width;
        const tx = x + w + 8 * r > left + width ? x - w - 4 * r : x + 4 * r;
        let row = ends.findIndex((end) => end < tx);
        if (row < 0) row = ends.length < 3 ? ends.length : ends.indexOf(Math.min(...ends));
        ends[row] = tx + w + 8 * r;
        const y = top + row * 20 * r;
        ctx.fillStyle = "rgba(255, 255, 255, .85)";
        ctx.fillRect(tx - 2 * r, y, w + 4 * r, 20 * r);
        ctx.fillStyle = "#111";
        ctx.fillText(label, tx, y + 2 * r);
      });
      ctx.restore();
    } } };

    const quotaLabel = { hooks: { draw: (u) => {
      const { ctx } = u, r = uPlot.pxRatio, y = u.valToPos(metrics.quota_mb, "y", true);
      ctx.save();
      ctx.font = `bold ${16 * r}px system-ui`;
      ctx.fillStyle = "#b00";
      ctx.textAlign = "right";
      ctx.textBaseline = "top";
      ctx.fillText(`Quota ${metrics.quota_mb} MB`, u.bbox.left + u.bbox.width - 4 * r, y + 4 * r);
      ctx.restore();
    } } };

    function plot(id, series, data, unit = "", plugins = []) {
      const key = series.map((s) => s.label).join("|");
      if (charts[id] && charts[id].key !== key) { charts[id].destroy(); delete charts[id]; }
      if (charts[id]) { charts[id].setData(data); return; }
      charts[id] = new uPlot({
        width: figureWidth(id), height: 220, plugins: [markers, ...plugins],
        scales: { x: { time: true, range: () => [metrics.from, metrics.end] },
                  y: { range: (u, min, max) => [0, max > 0 ? max * 1.3 : 1] } },
        axes: [{ ...axis, space: 90 }, { ...axis }],  // 16px times need room
        series: [{}, ...series.map((s, i) => ({ stroke: COLORS[i % COLORS.length], width: 2.5,
          dash: px(DASHES[i % DASHES.length]), value: (u, v) => (v == null ? "–" : `${num(v)}${unit}`), ...s }))],
      }, data, $(`#${id}`));
      charts[id].key = key;
    }

    async function refreshMetrics() {
      const since = Number($("#metrics-since").value);
      const step = since > 3600 ? 300 : (metrics ? metrics.interval : 10);
      const seq = ++metricsSeq;
      metricsAt = Date.now();
      let m;
      try { m = await api(`/apps/${app}/metrics?since=${since}&step=${step}`); }
      catch (error) { $("#metrics-error").textContent = `Metrics: ${error.message}`; return; }
      if (seq !== metricsSeq) return;  // a newer request (another window) is under way
      $("#metrics-error").textContent = "";
      // The charts begin where the app's figures do, so a class watching a new app sees
      // its first minutes across the whole width rather than squeezed at the right edge.
      const firsts = [m.router.find((r) => r.requests > 0)?.t, m.events[0]?.t,
        ...Object.values(m.dynos).map((rows) => rows[0]?.t)].filter((t) => t != null);
      m.from = firsts.length ? Math.max(m.start, Math.min(...firsts) - 2 * m.step) : m.start;
      metrics = m;
      const rows = m.router, x = rows.map((r) => r.t), at = new Map(x.map((t, i) => [t, i]));
      const names = Object.keys(m.dynos).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
      // Samples go on the router's grid, so every chart shares one time axis.
      const perDyno = (field) => names.map((name) => {
        const ys = x.map(() => null);
        for (const row of m.dynos[name]) {
          const i = at.get(m.start + Math.floor((row.t - m.start) / m.step) * m.step);
          if (i != null) ys[i] = row[field];
        }
        return ys;
      });
      const codes = [...new Set(rows.flatMap((r) => Object.keys(r.codes || {})))].sort();
      const dynoSeries = names.map((name) => ({ label: name }));

      plot("metrics-response", ["p50", "p95", "p99"].map((label) => ({ label })),
        [x, ...["p50_ms", "p95_ms", "p99_ms"].map((k) => rows.map((r) => r[k]))], " ms");
      plot("metrics-throughput", STATUS.map((label) => ({ label })),
        [x, ...STATUS.map((c) => rows.map((r) => (r.status[c] || 0) / m.step))], "/s");
      plot("metrics-errors", codes.length ? codes.map((label) => ({ label, paths: uPlot.paths.stepped({ align: 1 }) }))
        : [{ label: "No router errors" }],
      [x, ...(codes.length ? codes : [""]).map((c) => rows.map((r) => (r.codes || {})[c] || 0))]);
      plot("metrics-memory", [...dynoSeries, { label: `Quota ${m.quota_mb} MB`, stroke: "#b00", width: 2,
        dash: px([16, 4, 4, 4]) }], [x, ...perDyno("memory_mb"), x.map(() => m.quota_mb)], " MB", [quotaLabel]);
      plot("metrics-load", dynoSeries, [x, ...perDyno("load")]);

      const served = rows.filter((r) => r.requests > 0), lastServed = served[served.length - 1];
      const last = rows[rows.length - 1];
      $("#metrics-response-now").textContent = lastServed
        ? `p50 ${ms(lastServed.p50_ms)} · p95 ${ms(lastServed.p95_ms)} · p99 ${ms(lastServed.p99_ms)}` : "No requests yet";
      $("#metrics-response").dataset.p95 = [...rows].reverse().find((r) => r.p95_ms != null)?.p95_ms ?? "";
      $("#metrics-throughput-now").textContent = last ? `${num(last.rps)} requests/s: ` +
        STATUS.map((c) => `${c} ${num((last.status[c] || 0) / m.step)}`).join(", ") : "No requests yet";
      $("#metrics-throughput").dataset.lastRps = lastServed ? lastServed.rps : 0;
      $("#metrics-throughput").dataset.maxRps = Math.max(0, ...rows.map((r) => r.rps));
      $("#metrics-throughput").dataset.requests = m.summary.requests;
      const errors = Object.entries(m.summary.codes || {}).sort((a, b) => b[1] - a[1]);
      $("#metrics-errors-now").textContent = errors.length ? errors.map(([code, n]) => `${code} × ${n}`).join(", ") +
        ` ${WINDOWS[since] || `in the last ${since} s`}` : "No router errors";
      const latest = (name) => m.dynos[name][m.dynos[name].length - 1];
      $("#metrics-memory-now").textContent = names.map((name) => {
        const mb = latest(name).memory_mb;
        return `${name} ${Math.round(mb)} MB of ${m.quota_mb} MB (${Math.round(mb / m.quota_mb * 100)} %)` +
          (mb > m.quota_mb ? ", over quota (R14)" : "");
      }).join(" · ") || "No dyno samples yet";
      $("#metrics-load-now").textContent = names.map((name) => `${name} ${num(latest(name).load)}`).join(" · ")
        || "No dyno samples yet";
      $("#metrics-memory").dataset.events = [...new Set(m.events.map((e) => e.kind))].join(",");
      $("#metrics-events").replaceChildren(...m.events.slice(-20).reverse().map((e) =>
        el("li", { "data-kind": e.kind }, `${clock(e.t)} `, el("strong", {}, eventLabel(e)), ` — ${e.text}`)));
    }

    // Log lines announce what the charts mark; the samples behind them lag a moment.
    function metricsSoon() {
      if (!metricsPending) metricsPending = setTimeout(() => { metricsPending = null; refreshMetrics(); }, 2000);
    }

    async function initTimeline() {
      const history = await api(`/apps/${app}/logs?num=1500&source=minidyno`);
      history.split("\n").forEach(noteState);
      drawTimeline();
    }

    $("#restart").addEventListener("click", async () => {
      await api(`/apps/${app}/dynos/restart`, { method: "POST" });
      refreshDynos();
    });
    $("#config-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      await api(`/apps/${app}/config`, { method: "PATCH",
        body: JSON.stringify({ [$("#config-key").value]: $("#config-value").value }) });
      event.target.reset();
      refreshConfig(); refreshReleases();
    });
    $("#idle-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      await api("/platform", { method: "PATCH", body: JSON.stringify({ idle_timeout: Number($("#idle").value) }) });
    });
    $("#job-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api(`/apps/${app}/scheduler/jobs`, { method: "POST", body: JSON.stringify({
          command: $("#job-command").value, every: $("#job-every").value, at: $("#job-at").value || null }) });
        event.target.reset();
        $("#job-error").textContent = "";
      } catch (error) { $("#job-error").textContent = error.message; }
      refreshScheduler();
    });
    $("#eco-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      await api("/platform", { method: "PATCH", body: JSON.stringify({ eco_hours: Number($("#eco-pool").value) }) });
      refreshEcoHours();
    });
    $("#log-dyno").addEventListener("change", followLogs);
    $("#log-source").addEventListener("change", followLogs);
    $("#metrics-since").addEventListener("change", refreshMetrics);
    addEventListener("resize", () => Object.entries(charts).forEach(([id, chart]) =>
      chart.setSize({ width: figureWidth(id), height: 220 })));
    api("/platform").then((p) => { $("#idle").value = p.idle_timeout; $("#eco-pool").value = p.eco_hours; });

    refreshDynos();
    initTimeline().then(followLogs);
    refreshConfig();
    refreshReleases();
    refreshPostgres();
    refreshScheduler();
    refreshEcoHours();
    refreshDoctor();
    refreshMetrics();
    setInterval(refreshDynos, 5000);
    // A day's chart moves by a 5-minute row: looked at again every minute, not every 5 s.
    setInterval(() => { if (Number($("#metrics-since").value) <= 3600 || Date.now() - metricsAt > 60000) refreshMetrics(); }, 5000);
    setInterval(refreshEcoHours, 5000);
    setInterval(refreshScheduler, 5000);
    setInterval(refreshPostgres, 15000);
    setInterval(refreshDoctor, 15000);
  }

  return { appsPage, appPage };
})();
