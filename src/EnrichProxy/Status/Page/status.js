// The status page: reads /admin/stats with the visitor's key and /health/ready, every few seconds while the page is
// visible, and says how old what it shows is. Every figure is written as text (textContent), never as markup.
"use strict";

(() => {
  const refreshEvery = 5000;
  const $ = (id) => document.getElementById(id);

  // In this page's memory only, never in the browser's storage: other content served from this address (upstream
  // answers on the proxied routes) shares its origin, and could read storage, not this page's variables.
  let key = "";
  let lastGoodAt = null; // when the figures shown were received
  let lastTakenAt = null; // when the proxy took them
  let lastError = null;
  let timer = null;

  // Text helpers -----------------------------------------------------------------------------------------------------

  const numberFormat = new Intl.NumberFormat();
  const count = (n) => (n === null || n === undefined ? "–" : numberFormat.format(n));
  const percent = (ratio) => (ratio === null || ratio === undefined ? "–" : (ratio * 100).toFixed(1) + " %");
  const bytes = (n) => {
    if (n === null || n === undefined) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = n;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return (unit === 0 ? value : value.toFixed(1)) + " " + units[unit];
  };
  const ago = (date) => {
    if (!date) return "never";
    const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
    if (seconds < 60) return seconds + " s ago";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min ago";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h ago";
    return Math.floor(seconds / 86400) + " d ago";
  };
  const when = (text) => (text ? new Date(text) : null);
  const stamp = (text) => {
    const date = when(text);
    return date ? date.toLocaleString() + " (" + ago(date) + ")" : "–";
  };

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function row(cells, attributes) {
    const tr = document.createElement("tr");
    for (const [name, value] of Object.entries(attributes || {})) tr.setAttribute(name, value);
    for (const cell of cells) {
      const td = element("td", cell.text, cell.className);
      if (cell.field) td.dataset.field = cell.field;
      tr.append(td);
    }
    return tr;
  }

  function facts(list, pairs) {
    const nodes = [];
    for (const [term, value, field] of pairs) {
      const dd = element("dd", value);
      if (field) dd.dataset.field = field;
      nodes.push(element("dt", term), dd);
    }
    list.replaceChildren(...nodes);
  }

  function emptyRow(columns, text) {
    const td = element("td", text, "empty");
    td.colSpan = columns;
    const tr = document.createElement("tr");
    tr.append(td);
    return tr;
  }

  // Rendering --------------------------------------------------------------------------------------------------------

  function render(stats) {
    const totals = stats.totals;
    $("total-hit-ratio").textContent = percent(totals.hitRatio);
    $("total-requests").textContent = count(totals.requests);
    $("total-stale").textContent = count(totals.stale);
    $("total-coalesced").textContent = count(totals.coalesced);
    const upstreamStates = totals.upstreams;
    $("total-upstreams").textContent = upstreamStates.open + upstreamStates.paused > 0
      ? upstreamStates.open + " open, " + upstreamStates.paused + " paused"
      : upstreamStates.total + " closed";
    $("total-upstreams").className = "figure " + (upstreamStates.open > 0 ? "state-open" : upstreamStates.paused > 0 || upstreamStates.halfOpen > 0 ? "state-paused" : "state-closed");

    const routes = Object.entries(stats.routes);
    $("routes").tBodies[0].replaceChildren(...(routes.length === 0
      ? [emptyRow(7, "No answers of cached routes yet.")]
      : routes.map(([id, r]) => row([
        { text: id },
        { text: percent(r.hitRatio), field: "hitRatio", className: "number" },
        { text: count(r.hits), field: "hits", className: "number" },
        { text: count(r.misses), field: "misses", className: "number" },
        { text: count(r.stale), field: "stale", className: "number" },
        { text: count(r.bypass), field: "bypass", className: "number" },
        { text: count(r.coalesced), field: "coalesced", className: "number" },
      ], { "data-route": id }))));

    const upstreams = Object.entries(stats.upstreams);
    $("upstreams").tBodies[0].replaceChildren(...(upstreams.length === 0
      ? [emptyRow(5, "No upstream has been used yet.")]
      : upstreams.map(([id, u]) => {
        const destinations = u.destinations.length > 1
          ? " (" + u.destinations.map((d) => d.name + " " + d.circuit).join(", ") + ")"
          : "";
        const pause = u.pausedForSeconds === null ? "–" : u.pausedForSeconds + " s left: " + (u.pauseReason || "asked by the upstream");
        const failure = u.lastFailure ? u.lastFailure.what + ", " + ago(when(u.lastFailure.at)) : "none";
        return row([
          { text: id },
          { text: u.circuit + destinations, field: "circuit", className: "state-" + u.circuit },
          { text: pause, field: "pause", className: u.pausedForSeconds === null ? "" : "state-paused" },
          { text: count(u.rateLimitWaits), field: "rateLimitWaits", className: "number" },
          { text: failure, field: "lastFailure" },
        ], { "data-cluster": id });
      })));

    const cache = stats.cache;
    facts($("cache"), [
      ["Memory (L1)", count(cache.l1.entries) + " entries, " + bytes(cache.l1.bytes) + " of " + bytes(cache.l1.limitBytes), "l1"],
      ["Second level (L2)", cache.l2.kind + (cache.l2.entries === null || cache.l2.entries === undefined
        ? ""
        : ": " + count(cache.l2.entries) + " entries, " + bytes(cache.l2.bytes) + ", counted " + ago(when(cache.l2.sampledAt))), "l2"],
      ["Backplane", cache.purges.reachOtherInstances === null
        ? "none (one instance, disk L2)"
        : cache.purges.reachOtherInstances ? "connected: purges and changes reach the other instances" : "not connected: other instances' purges and changes do not reach this one now", "backplane"],
      ["Purge markers", count(cache.purges.markers), "purges"],
      ["Fast path", count(cache.fastPath.targets) + " targets, " + bytes(cache.fastPath.bytes), "fastPath"],
    ]);

    const queue = stats.queue;
    const lanes = Object.entries(queue.waiting).map(([lane, n]) => lane + " " + count(n)).join(", ");
    const warmup = queue.warmup;
    const warmupText = !warmup.enabled
      ? "off"
      : warmup.running
        ? "running: " + count(warmup.done) + " of " + count(warmup.items) + " items"
        : warmup.finishedAt
          ? "last round finished " + ago(when(warmup.finishedAt)) + ": " + count(warmup.items) + " items ("
            + Object.entries(warmup.results).map(([result, n]) => result.replace("_", " ") + " " + count(n)).join(", ") + ")"
          : "not run yet";
    facts($("queue"), [
      ["Waiting", count(queue.depth) + " jobs (" + lanes + ")", "waiting"],
      ["Running", count(queue.running) + " of " + count(queue.workers) + " workers; capacity " + count(queue.capacity), "running"],
      ["Dropped", Object.values(queue.dropped).reduce((a, b) => a + b, 0) === 0 ? "none" : Object.entries(queue.dropped).map(([k, n]) => k + " " + count(n)).join(", "), "dropped"],
      ["Warm-up", warmupText, "warmup"],
      ["Warm-up's last failure", warmup.lastFailure ? warmup.lastFailure.what + ", " + ago(when(warmup.lastFailure.at)) : "none", "warmupFailure"],
    ]);

    const purges = cache.purges.recent;
    $("purges").replaceChildren(...(purges.length === 0
      ? [element("li", "No purges kept (they are kept for the longest time an entry can live).", "empty")]
      : purges.map((p) => element("li", p.scope + " " + p.value + " — " + ago(when(p.at))))));

    const check = stats.configuration.lastCheck;
    const refused = check !== null && !check.accepted;
    $("config-refused").hidden = !refused;
    $("config-errors").replaceChildren(...(refused ? check.errors.map((error) => element("li", error)) : []));
    const waiting = check === null ? [] : check.needsRestart;
    $("config-restart").hidden = waiting.length === 0;
    $("config-restart-keys").replaceChildren(...waiting.map((name) => element("li", name)));

    const instance = stats.instance;
    facts($("instance"), [
      ["Version", instance.version, "version"],
      ["Started", stamp(instance.startedAt), "startedAt"],
      ["Environment", instance.environment, "environment"],
      ["Configuration", instance.configDirectory || "(shipped defaults not found)", "configDirectory"],
      ["Configuration applied", stamp(stats.configuration.acceptedAt), "configurationAppliedAt"],
      ["Data", instance.dataDirectory, "dataDirectory"],
    ]);

    $("actions").hidden = stats.access !== "admin";
  }

  function renderHealth(health) {
    const node = $("health");
    if (!health) {
      node.textContent = "unknown";
      node.className = "figure";
      return;
    }
    const failing = Object.entries(health.checks).filter(([, c]) => c.status !== "Healthy").map(([name]) => name);
    node.textContent = failing.length === 0 ? health.status : health.status + ": " + failing.join(", ");
    node.className = "figure state-" + health.status;
  }

  function renderFreshness() {
    const node = $("freshness");
    if (!lastGoodAt) {
      node.textContent = lastError || "Loading…";
      node.className = "freshness" + (lastError ? " stale" : "");
      return;
    }
    const age = (Date.now() - lastGoodAt.getTime()) / 1000;
    const stale = lastError !== null || age > (refreshEvery / 1000) * 3;
    node.textContent = (stale ? "Not current: " + (lastError || "no answer") + ". " : "")
      + "Figures from " + ago(lastTakenAt || lastGoodAt) + (stale ? "" : ", refreshed every " + refreshEvery / 1000 + " s") + ".";
    node.className = "freshness" + (stale ? " stale" : "");
    node.title = lastTakenAt ? "Taken by the proxy at " + lastTakenAt.toLocaleString() : "";
  }

  // Loading ----------------------------------------------------------------------------------------------------------

  async function load() {
    if (!key) {
      showLogin("");
      return;
    }
    let response;
    try {
      response = await fetch("/admin/stats", { headers: { "X-Admin-Key": key }, cache: "no-store" });
    } catch {
      lastError = "the proxy did not answer";
      renderFreshness();
      return;
    }
    if (response.status === 401) {
      forgetKey();
      showLogin("That key was not accepted.");
      return;
    }
    if (response.status === 404) {
      forgetKey();
      showLogin("The admin API is off: set EnrichProxy:Admin:ApiKey or ReadOnlyApiKey, then reload.");
      return;
    }
    if (!response.ok) {
      lastError = "the proxy answered " + response.status;
      renderFreshness();
      return;
    }
    const stats = await response.json();
    let health = null;
    try {
      const ready = await fetch("/health/ready", { cache: "no-store" });
      health = await ready.json();
    } catch {
      health = null;
    }
    lastGoodAt = new Date();
    lastTakenAt = when(stats.takenAt);
    lastError = null;
    render(stats);
    renderHealth(health);
    $("login").hidden = true;
    $("dashboard").hidden = false;
    renderFreshness();
  }

  function schedule() {
    clearInterval(timer);
    timer = null;
    if (key && !document.hidden) {
      timer = setInterval(load, refreshEvery);
    }
  }

  function showLogin(message) {
    $("dashboard").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message;
    $("freshness").textContent = "";
    schedule();
  }

  function forgetKey() {
    key = "";
  }

  // Actions ----------------------------------------------------------------------------------------------------------

  async function act(path, body, describe) {
    const result = $("action-result");
    result.className = "result";
    result.textContent = "Working…";
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "X-Admin-Key": key, "Content-Type": "application/json" },
        body: body === null ? null : JSON.stringify(body),
      });
    } catch {
      result.className = "result failed";
      result.textContent = "The proxy did not answer.";
      return;
    }
    const answer = await response.json().catch(() => null);
    if (response.ok) {
      result.textContent = describe(answer);
    } else {
      result.className = "result failed";
      result.textContent = (answer && (answer.detail || answer.title)) || "The proxy answered " + response.status + ".";
    }
    load();
  }

  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    key = $("key").value.trim();
    $("key").value = "";
    load().then(schedule);
  });

  $("sign-out").addEventListener("click", () => {
    forgetKey();
    showLogin("");
  });

  $("refresh-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const kind = $("refresh-kind").value;
    const id = $("refresh-id").value.trim();
    act("/admin/refresh", { kind, id }, (a) => "Refreshed " + a.item + ": " + a.result.replace("_", " ") + " (" + a.purged.length + " purges).");
  });

  $("purge-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const scope = $("purge-scope").value;
    act("/admin/purge", { [scope]: $("purge-value").value.trim() }, (a) => "Purged " + a.scope + " " + a.value + ".");
  });

  $("warmup-now").addEventListener("click", () =>
    act("/admin/warmup", null, () => "A warm-up round is starting."));

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) load();
    schedule();
  });
  setInterval(renderFreshness, 1000);

  load().then(schedule);
})();
