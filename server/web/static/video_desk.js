// The 帮办 desk (docs/remote.md): the queue live, take the next, the call, share the screen, hang up, the outcome.
import { api, Call, texts } from "/web/static/video_call.js";

const T = texts();
const ice = JSON.parse(document.getElementById("ice").textContent);
const $ = (id) => document.getElementById(id);
let call = null, callId = null, finishing = null;
// The call this page took (kept over a reload): a second page of the same clerk shows the call but does not join
// it, for two desk ends on one channel would take each other's messages.
const CLAIM = "haoban.video.desk";

function minutes(s) { return Math.floor(s / 60); }

function row(q) {
  const li = document.createElement("li");
  li.className = "vh-row" + (q.wait_over ? " over" : "");
  const what = document.createElement("span");
  what.className = "vh-what";
  what.textContent = `${q.village} · ${T.lang === "en" ? q.item_en : q.item}`;
  const wait = document.createElement("span");
  wait.className = "vh-wait";
  wait.textContent = T.waited.replace("{m}", minutes(q.wait_s)).replace("{l}", q.wait_limit_min);
  li.append(what, wait);
  if (q.call_back) {
    const b = document.createElement("button");
    b.className = "vh-callback"; b.textContent = T.call_back_take;
    b.onclick = () => take(q.id);
    const tag = document.createElement("span"); tag.className = "vh-tag"; tag.textContent = T.call_back;
    li.append(tag, b);
  }
  return li;
}

function show(state) {
  const list = $("queue");
  list.replaceChildren(...state.queue.map(row));
  $("queue-empty").hidden = state.queue.length > 0;
  $("take-next").disabled = !state.queue.some((q) => !q.call_back) || !!state.mine;
  $("figures").textContent = T.figures.replace("{n}", state.figures.served).replace("{w}", state.figures.within_wait);
  const mine = state.mine;
  const over = mine && (mine.status === "call_over" || mine.by_phone);  // a call-back is returned by telephone
  $("call").hidden = !mine || over;
  $("finish").hidden = !over;
  $("by-phone").hidden = !(mine && mine.by_phone);
  $("outcome-heading").textContent = mine && mine.by_phone ? T.by_phone_heading : T.outcome_heading;
  if (mine && mine.by_phone) $("by-phone").textContent = `${T.by_phone}${mine.village} · ${T.lang === "en" ? mine.item_en : mine.item}`;
  if (mine) {
    $("call-what").textContent = `${mine.village} · ${T.lang === "en" ? mine.item_en : mine.item}`;
    const here = sessionStorage.getItem(CLAIM) === mine.id;
    $("elsewhere").hidden = here || over;
    if (["taken", "in_call"].includes(mine.status) && !mine.by_phone && here && callId !== mine.id) begin(mine.id);
    if (over) finishing = mine.id;
  }
  document.body.dataset.state = mine ? mine.status : "idle";
}

async function begin(id) {
  callId = id;
  call = window.haobanCall = new Call({
    requestId: id, side: "desk", ice, local: $("local"), remote: $("remote"),
    onStatus: () => { call = null; callId = null; },
    onConnected: () => api(`/video/desk/${id}/connected`, { method: "POST", body: {} }).catch(() => {}),
  });
  await call.start();
}

async function take(requestId) {
  try {
    const taken = await api("/video/desk/take", { method: "POST", body: requestId ? { request_id: requestId } : {} });
    sessionStorage.setItem(CLAIM, taken.request_id);
  }
  catch (err) { $("error").textContent = err.body ? `${err.body.message_zh} ${err.body.message_en}` : String(err); }
}

$("take-next").onclick = () => take(null);
$("hang-up").onclick = () => { if (callId) api(`/video/desk/${callId}/hang-up`, { method: "POST", body: {} }); };
$("share").onclick = () => call && (call.shared ? call.unshare() : call.share().catch(() => {}));
$("finish-form").onsubmit = async (ev) => {
  ev.preventDefault();
  const outcome = new FormData(ev.target).get("outcome"), reason = $("reason").value;
  try {
    await api(`/video/desk/${finishing}/finish`, { method: "POST", body: { outcome, reason: reason || null } });
    $("error").textContent = "";
  } catch (err) { $("error").textContent = err.body ? `${err.body.message_zh} ${err.body.message_en}` : String(err); }
};

async function follow() {
  let wait = 0;
  for (;;) {
    try { show(await api(`/video/desk/state?wait=${wait}`)); wait = 1; $("offline").hidden = true; }
    catch (err) {
      if (err.status === 401) { location.href = "/video/sign-in"; return; }
      $("offline").hidden = false; await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
follow();
