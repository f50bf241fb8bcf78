/**
 * The console's live alarm page. Plain HTML and a small script, no build step. The token is asked
 * for once and kept in sessionStorage; the live stream is read with fetch so the token travels
 * in a header, never in a URL where proxies and logs would keep it.
 */
export const consolePage = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>守望 Shouwang · Alarms</title>
<style>
  :root { font-family: system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif; color: #1d232a; background: #f4f5f7; }
  body { margin: 0; }
  header { background: #b3261e; color: #fff; padding: 12px 20px; display: flex; align-items: baseline; gap: 16px; }
  header h1 { font-size: 20px; margin: 0; }
  #status { font-size: 14px; opacity: .9; }
  main { padding: 16px 20px; max-width: 1100px; }
  form { display: flex; gap: 8px; margin-bottom: 16px; }
  [hidden] { display: none !important; }
  input { flex: 1; padding: 8px; font: inherit; }
  button { padding: 8px 14px; font: inherit; }
  table { width: 100%; border-collapse: collapse; background: #fff; }
  th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid #e3e5e8; font-size: 14px; }
  th { background: #eceef1; }
  tr.raised td.state { color: #b3261e; font-weight: 600; }
  tr.cleared td.state { color: #2e7d32; }
  tr.fresh { animation: flash 2s ease-out; }
  @keyframes flash { from { background: #ffe08a; } to { background: #fff; } }
  .error { color: #b3261e; }
  h2 { font-size: 16px; margin: 18px 0 8px; }
  #incidents tr.open td.status { color: #b3261e; font-weight: 600; }
  #incidents tr.acknowledged td.status, #incidents tr.dispatched td.status { color: #a15c00; font-weight: 600; }
  #incidents tr.resolved td.status, #incidents tr.rechecked td.status { color: #2e7d32; }
  #notice { background: #ffe08a; padding: 8px 12px; margin-bottom: 12px; }
</style>
</head>
<body>
<header><h1>守望 Shouwang</h1><span id="status">not connected</span></header>
<main>
  <form id="login" hidden>
    <input id="token" type="password" placeholder="API token (printed at first start)" autocomplete="off" aria-label="API token">
    <button type="submit">Connect</button>
  </form>
  <p id="message" class="error" role="alert"></p>
  <p id="notice" role="status" hidden></p>
  <h2>Incidents</h2>
  <table aria-label="Incidents">
    <thead><tr><th>#</th><th>Opened</th><th>Hazard</th><th>Where</th><th>Status</th><th>Triggers</th><th>Step</th><th></th></tr></thead>
    <tbody id="incidents"></tbody>
  </table>
  <h2 id="alarms-title">Alarms</h2>
  <table aria-label="Alarms" id="alarms-table">
    <thead><tr><th>Received</th><th>Node</th><th>Kind</th><th>State</th><th>Value</th><th>Threshold</th><th>Severity</th></tr></thead>
    <tbody id="alarms"></tbody>
  </table>
</main>
<script>
const tbody = document.getElementById("alarms");
const statusEl = document.getElementById("status");
const messageEl = document.getElementById("message");
const login = document.getElementById("login");
const seen = new Set();

function row(alarm, fresh) {
  if (seen.has(alarm.id)) return null;
  seen.add(alarm.id);
  const tr = document.createElement("tr");
  tr.className = alarm.state + (fresh ? " fresh" : "");
  tr.dataset.alarmId = alarm.id;
  const cells = [new Date(alarm.receivedAt).toLocaleString(), alarm.nodeId, alarm.kind, alarm.state,
    alarm.value + " " + alarm.unit, alarm.threshold, alarm.severity];
  cells.forEach((text, i) => {
    const td = document.createElement("td");
    td.textContent = String(text);
    if (i === 3) td.className = "state";
    tr.appendChild(td);
  });
  return tr;
}

async function api(path, token, init) {
  const response = await fetch(path, { ...init, headers: { authorization: "Bearer " + token } });
  if (response.status === 401) { sessionStorage.removeItem("sw-token"); throw new Error("That token was refused. Enter a valid API token."); }
  if (!response.ok) throw new Error("The server answered " + response.status);
  return response;
}

const incidentBody = document.getElementById("incidents");
const noticeEl = document.getElementById("notice");

function incidentRow(incident) {
  let tr = incidentBody.querySelector('tr[data-incident-id="' + incident.id + '"]');
  const fresh = !tr;
  if (!tr) { tr = document.createElement("tr"); tr.dataset.incidentId = incident.id; }
  tr.className = incident.status + (fresh ? " fresh" : "");
  tr.replaceChildren();
  const cells = ["#" + incident.id, new Date(incident.openedAt).toLocaleString(), incident.hazard, incident.summary,
    incident.status, incident.triggerCount, incident.escalationStep];
  cells.forEach((text, i) => {
    const td = document.createElement("td");
    td.textContent = String(text);
    if (i === 4) td.className = "status";
    tr.appendChild(td);
  });
  const action = document.createElement("td");
  if (incident.status === "open") {
    const button = document.createElement("button");
    button.textContent = "Acknowledge";
    button.addEventListener("click", () => acknowledge(incident.id, button));
    action.appendChild(button);
  }
  tr.appendChild(action);
  return { tr, fresh };
}

async function acknowledge(id, button) {
  button.disabled = true;
  const token = sessionStorage.getItem("sw-token");
  const response = await fetch("/api/incidents/" + id + "/ack", { method: "POST", headers: { authorization: "Bearer " + token } });
  const body = await response.json();
  if (!response.ok) { messageEl.textContent = body.message; button.disabled = false; return; }
  incidentRow(body.incident);
}

async function followIncidents(token) {
  const { incidents } = await (await api("/api/incidents?limit=50", token)).json();
  for (const incident of incidents) incidentBody.appendChild(incidentRow(incident).tr);
  await readEvents("/api/incidents/stream", token, (event, data) => {
    if (event !== "incident" && event !== "notification") return;
    const { incident, purpose } = JSON.parse(data);
    const { tr, fresh } = incidentRow(incident);
    if (fresh) incidentBody.prepend(tr);
    if (event === "notification") { noticeEl.hidden = false; noticeEl.textContent = "For you (" + purpose + "): #" + incident.id + " " + incident.summary; }
  });
}

/** Reads a server-sent-events stream with the token in a header; resolves when the stream ends. */
async function readEvents(path, token, onEvent) {
  const response = await api(path, token);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\\n\\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = block.split("\\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\\n");
      if (event) onEvent(event, data);
    }
  }
}

async function connect(token) {
  messageEl.textContent = "";
  login.hidden = true;
  statusEl.textContent = "loading…";
  followIncidents(token).catch((error) => { messageEl.textContent = "Incidents: " + error.message; });
  const first = await fetch("/api/alarms?limit=100", { headers: { authorization: "Bearer " + token } });
  if (first.status === 403) {
    // A staff token: incidents in their scope only, no fleet-wide alarm list.
    document.getElementById("alarms-table").hidden = true;
    document.getElementById("alarms-title").hidden = true;
    statusEl.textContent = "live";
    return new Promise(() => {});
  }
  if (first.status === 401) { sessionStorage.removeItem("sw-token"); throw new Error("That token was refused. Enter a valid API token."); }
  if (!first.ok) throw new Error("The server answered " + first.status);
  const { alarms } = await first.json();
  for (const alarm of alarms) { const tr = row(alarm, false); if (tr) tbody.appendChild(tr); }
  statusEl.textContent = "live";
  await readEvents("/api/alarms/stream", token, (event, data) => {
    if (event === "alarm") { const tr = row(JSON.parse(data), true); if (tr) tbody.prepend(tr); }
  });
  throw new Error("The live stream ended.");
}

function start() {
  const token = sessionStorage.getItem("sw-token");
  if (!token) { login.hidden = false; statusEl.textContent = "sign in"; return; }
  connect(token).catch((error) => {
    messageEl.textContent = error.message;
    statusEl.textContent = "disconnected";
    if (!sessionStorage.getItem("sw-token")) { login.hidden = false; return; }
    setTimeout(start, 3000);
  });
}

login.addEventListener("submit", (event) => {
  event.preventDefault();
  const token = document.getElementById("token").value.trim();
  if (token) { sessionStorage.setItem("sw-token", token); start(); }
});
start();
</script>
</body>
</html>`;
