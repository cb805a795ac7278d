// The phone page: renders the ticket's public status in its language (中文, English, 繁體) and follows it live.
"use strict";
const $ = (id) => document.getElementById(id);
const T = JSON.parse($("texts").textContent);  // the page's texts in its language, from i18n/phone.json
const fill = (key, fields) => T[key].replace(/\{(\w+)\}/g, (_, k) => fields[k]);
const t = {
  number: T.number, ahead: (n) => n === 0 ? T.ahead_next : n === 1 ? T.ahead_one : fill("ahead", { n }),
  wait: (m) => m > 0 ? fill("wait", { m }) : T.wait_unknown, waiting: T.waiting,
  target: (w) => fill("target", { w }), called: (w) => fill("called", { w }), calledDetail: T.called_detail,
  serving: T.serving, servingDetail: (w) => fill("serving_detail", { w }),
  finished: T.finished, finishedDetail: T.finished_detail, no_show: T.no_show, no_showDetail: T.no_show_detail,
  expired: T.expired, expiredDetail: T.expired_detail,
  issued: (time) => fill("issued", { t: time }), privacy: T.privacy, offline: T.offline, title: T.title,
};
const HHMM = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });
window.haobanPhone = { status: null, updates: 0 };
const LANG = { "en": "en", "zh-Hant": "zh_Hant" }[document.documentElement.lang];  // the queue's name in it (i18n.name)

function render(s) {
  window.haobanPhone.status = s;
  window.haobanPhone.updates += 1;
  $("site").textContent = s.site_name || "";
  $("label-number").textContent = t.number;
  $("number").textContent = s.number;
  $("queue").textContent = (s.queue_names || {})[LANG] || s.queue_name || "";
  const box = $("state");
  box.className = "card state";
  let headline = "", detail = "";
  if (s.status === "waiting") {
    headline = s.people_ahead === null ? t.waiting : t.ahead(s.people_ahead);
    detail = s.target_window_number ? t.target(s.target_window_number) : t.wait(s.wait_minutes);
  } else if (s.status === "called") {
    headline = t.called(s.window_number); detail = t.calledDetail; box.classList.add("called");
    if (navigator.vibrate) navigator.vibrate([300, 150, 300]);
  } else if (s.status === "serving") {
    headline = t.serving; detail = t.servingDetail(s.window_number);
  } else {
    headline = t[s.status] || s.status; detail = t[`${s.status}Detail`] || ""; box.classList.add("done");
  }
  $("headline").textContent = headline;
  $("detail").textContent = detail;
  $("issued").textContent = t.issued(HHMM.format(new Date(s.issued_at)));
  $("privacy").textContent = t.privacy;
  document.title = `${t.title} · ${s.number}`;
}

render(JSON.parse($("initial").textContent));
const token = $("ticket").dataset.token;
const BUSY_RETRY_MS = 30000;  // the hub said its live connections are full (503 / 429, Retry-After 30 s)
function follow() {
  const stream = new EventSource(`/api/v1/public/tickets/${encodeURIComponent(token)}/events`);
  stream.onmessage = (e) => {
    const s = JSON.parse(e.data);
    render(s);
    if (s.status === "finished" || s.status === "no_show" || s.status === "expired") stream.close();
  };
  stream.onerror = () => {
    if (stream.readyState !== EventSource.CLOSED) { $("privacy").textContent = t.offline; return; }
    // Refused (not a dropped connection, which the browser retries itself): say so in both languages, try later.
    $("privacy").textContent = T.busy;
    window.haobanPhone.busy = (window.haobanPhone.busy || 0) + 1;
    setTimeout(follow, BUSY_RETRY_MS);
  };
  stream.onopen = () => { $("privacy").textContent = t.privacy; };
}
follow();
