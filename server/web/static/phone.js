// The phone page: renders the ticket's public status in 中文 or English and follows it live.
"use strict";
const T = {
  zh: {
    number: "您的号码", ahead: (n) => n === 0 ? "下一位就是您" : `前面还有 ${n} 人`,
    wait: (m) => m > 0 ? `预计等候约 ${m} 分钟` : "请留意叫号", waiting: "等候中",
    target: (w) => `已转至 ${w} 号窗口，请留意该窗口叫号`,
    called: (w) => `请到 ${w} 号窗口`, calledDetail: "正在叫您的号，请前往窗口办理",
    serving: "正在办理", servingDetail: (w) => `${w} 号窗口`,
    finished: "办理完毕", finishedDetail: "感谢您的耐心，欢迎为本次服务评价",
    no_show: "已过号", no_showDetail: "请到咨询台重新取号或咨询工作人员",
    expired: "号票已失效", expiredDetail: "号票仅限取号当天使用，请重新取号",
    issued: (t) => `取号时间 ${t}`, privacy: "本页面不含任何个人信息，状态自动更新",
    offline: "网络中断，正在重新连接…", title: "好办",
  },
  en: {
    number: "Your number", ahead: (n) => n === 0 ? "You are next" : `${n} ${n === 1 ? "person" : "people"} ahead of you`,
    wait: (m) => m > 0 ? `About ${m} min to wait` : "Please watch the board", waiting: "Waiting",
    target: (w) => `Sent to window ${w}: please watch for its call`,
    called: (w) => `Please go to window ${w}`, calledDetail: "Your number is being called",
    serving: "Being served", servingDetail: (w) => `Window ${w}`,
    finished: "Done", finishedDetail: "Thank you; please rate the service",
    no_show: "Number missed", no_showDetail: "Please ask at the information desk",
    expired: "Ticket expired", expiredDetail: "A ticket is valid on the day it was taken only; please take a new one",
    issued: (t) => `Taken at ${t}`, privacy: "This page holds no personal data and updates by itself",
    offline: "Connection lost, reconnecting…", title: "Haoban",
  },
};
const lang = document.getElementById("lang").dataset.lang === "en" ? "en" : "zh";
const t = T[lang];
const $ = (id) => document.getElementById(id);
const HHMM = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });
window.haobanPhone = { status: null, updates: 0 };

function render(s) {
  window.haobanPhone.status = s;
  window.haobanPhone.updates += 1;
  $("site").textContent = s.site_name || "";
  $("label-number").textContent = t.number;
  $("number").textContent = s.number;
  $("queue").textContent = s.queue_name || "";
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
const stream = new EventSource(`/api/v1/public/tickets/${encodeURIComponent(token)}/events`);
stream.onmessage = (e) => {
  const s = JSON.parse(e.data);
  render(s);
  if (s.status === "finished" || s.status === "no_show" || s.status === "expired") stream.close();
};
stream.onerror = () => { $("privacy").textContent = t.offline; };
stream.onopen = () => { $("privacy").textContent = t.privacy; };
