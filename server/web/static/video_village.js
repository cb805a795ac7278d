// The village end of 视频帮办 (docs/remote.md): choose the matter, wait, the call, hang up, then the 微笑 rating.
// The request and its token are kept in this window's sessionStorage, so a reload rejoins the call.
import { api, Call, texts } from "/web/static/video_call.js";

const T = texts();
const ice = JSON.parse(document.getElementById("ice").textContent);
const $ = (id) => document.getElementById(id);
const KEY = "haoban.video";
let mine = JSON.parse(sessionStorage.getItem(KEY) || "null"), call = null;

function screen(name) {
  for (const s of document.querySelectorAll("[data-screen]")) s.hidden = s.dataset.screen !== name;
  document.body.dataset.state = name;
  if (!["choose", "call_back_left"].includes(name)) $("call-backs").hidden = true; else callBacks();
}

// The village's call-backs and where each stands (the desk that takes them may be the district's, at another hub).
async function callBacks() {
  const list = await api("/video/village/call-backs").catch(() => null);
  if (!list) return;
  $("call-back-list").replaceChildren(...list.map((v) => {
    const li = document.createElement("li");
    li.className = "vh-row";
    const what = document.createElement("span");
    what.className = "vh-what";
    what.textContent = `${v.requested_hm} · ${T.lang === "en" ? v.item_en : v.item}`;
    const status = document.createElement("span");
    status.className = "vh-tag";
    status.textContent = T["call_back_" + v.status] || v.status;
    li.append(what, status);
    return li;
  }));
  $("call-backs").hidden = list.length === 0 || !["choose", "call_back_left"].includes(document.body.dataset.state);
}

function forget() { sessionStorage.removeItem(KEY); mine = null; }

async function ask(callBack) {
  const item = $("matter").value;
  try {
    mine = await api("/video/village/request", { method: "POST", body: { item_id: item, call_back: callBack } });
    sessionStorage.setItem(KEY, JSON.stringify(mine));
    if (callBack) { forget(); screen("call_back_left"); } else follow();
  } catch (err) {
    if (err.body && err.body.error === "conflict") { screen("unavailable"); return; }
    $("error").textContent = err.body ? `${err.body.message_zh} ${err.body.message_en}` : String(err);
  }
}

async function follow() {
  let wait = 0;
  while (mine) {
    let v;
    try { v = await api(`/video/v/${mine.request_id}/state?wait=${wait}`, { token: mine.token }); wait = 1; }
    catch (err) { if (err.status === 404) { forget(); screen("choose"); return; } await new Promise((r) => setTimeout(r, 2000)); continue; }
    if (v.status === "requested" || v.status === "call_back") screen("waiting");
    else if (v.status === "taken" || v.status === "in_call") { screen("call"); if (!call) join(); }
    else if ((v.status === "call_over" || v.status === "finished") && !v.rated && v.service_s !== null) { screen("rate"); return; }
    else { forget(); screen(v.status === "cancelled" ? "choose" : "thanks"); return; }
  }
}

async function join() {
  call = window.haobanCall = new Call({ requestId: mine.request_id, side: "village", token: mine.token, ice,
                                        local: $("local"), remote: $("remote"), onStatus: () => { call = null; } });
  await call.start();
}

async function check() {
  const a = await api("/video/village/availability").catch(() => ({ available: false }));
  $("ask").disabled = !a.available;
  $("unavailable-note").hidden = a.available;
}

$("ask").onclick = () => ask(false);
for (const b of document.querySelectorAll(".vh-leave-call-back")) b.onclick = () => ask(true);
$("cancel").onclick = async () => { await api(`/video/v/${mine.request_id}/cancel`, { method: "POST", body: {}, token: mine.token }).catch(() => {}); };
$("hang-up").onclick = async () => { await api(`/video/v/${mine.request_id}/hang-up`, { method: "POST", body: {}, token: mine.token }).catch(() => {}); };
for (const face of document.querySelectorAll(".vh-face")) {
  face.onclick = async () => {
    await api(`/video/v/${mine.request_id}/rate`, { method: "POST", body: { score: Number(face.dataset.score) }, token: mine.token }).catch(() => {});
    forget(); screen("thanks");
  };
}
for (const b of document.querySelectorAll(".vh-again")) b.onclick = () => { screen("choose"); check(); };

if (mine) follow(); else { screen("choose"); check(); setInterval(() => document.body.dataset.state === "choose" && check(), 5000); }
