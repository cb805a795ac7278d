// The hall display board: live from the hub's event stream, resumes after a restart, announces calls.
// window.haobanBoard exposes what the board did (for tests): the last event it saw, the calls it played.
"use strict";
const KINDS = ["ticket_issued", "ticket_called", "ticket_recalled", "ticket_skipped", "ticket_transferred",
  "service_started", "service_finished", "ticket_rated", "window_paused", "window_resumed", "numbers_leased"];
const board = window.haobanBoard = { lastSeq: null, announced: null, played: [], connected: false, loads: 0 };
const $ = (id) => document.getElementById(id);
const T = JSON.parse($("texts").textContent);  // the board's texts in zh_CN and en, from i18n/web.json
const fill = (s, fields) => s.replace(/\{(\w+)\}/g, (_, k) => fields[k]);

function text(tag, content, cls) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (cls) el.className = cls;
  return el;
}

function render(s) {
  $("site-name").textContent = s.site_name;
  const notice = $("notice");
  if (notice.textContent !== s.notice) {
    notice.textContent = s.notice;
    notice.classList.toggle("scroll", notice.scrollWidth > notice.parentElement.clientWidth);
  }
  const now = s.calls[0];
  $("now-number").textContent = now ? now.number : "—";
  const where = $("now-window");
  where.replaceChildren();
  if (now) {
    const w = { w: now.window_number };
    where.append(fill(T.zh_CN.display_go_to, w), text("span", fill(T.en.display_go_to, w), "en"));
  }
  $("recent").replaceChildren(...s.calls.slice(1).map((c) => {
    const li = document.createElement("li");
    li.append(text("b", c.number), text("span", fill(T.zh_CN.display_window, { w: c.window_number })));
    return li;
  }));
  $("queues").classList.toggle("many", s.queues.length > 5);
  $("queues").replaceChildren(...s.queues.map((q) => {
    const el = document.createElement("div");
    el.className = "queue card";
    const name = text("div", "", "name");
    name.append(text("b", q.letter), q.name);
    const count = text("div", "", "count");
    const [before, after] = T.zh_CN.display_waiting.split("{n}");
    count.append(before, text("b", String(q.waiting)), after);
    el.append(name, count);
    return el;
  }));
}

// ---------------------------------------------------------------- voice: chime + "请 A012 号到 3 号窗口"
let audio = null;
const toPlay = [];
let playing = false;

async function playNext() {
  if (playing || !toPlay.length) return;
  playing = true;
  const call = toPlay.shift();
  try {
    audio = audio || new AudioContext();
    if (audio.state === "suspended") await audio.resume();
    const r = await fetch(`/display/calls/${call.seq}.wav`, { cache: "no-store" });
    if (!r.ok) throw new Error(`audio ${r.status}`);
    const buffer = await audio.decodeAudioData(await r.arrayBuffer());
    const source = audio.createBufferSource();
    source.buffer = buffer;
    source.connect(audio.destination);
    const ended = new Promise((done) => { source.onended = done; setTimeout(done, buffer.duration * 1000 + 500); });
    source.start();
    board.played.push({ seq: call.seq, number: call.number, window: call.window_number, seconds: buffer.duration,
      audio: audio.state });
    await ended;
  } catch (err) {
    board.played.push({ seq: call.seq, number: call.number, window: call.window_number, error: String(err) });
  }
  playing = false;
  playNext();
}

function announce(s) {
  const newest = s.calls.length ? s.calls[0].seq : 0;
  if (board.announced === null) { board.announced = newest; return; }  // history is shown, not spoken
  const fresh = s.calls.filter((c) => c.seq > board.announced).reverse();
  if (!fresh.length) return;
  board.announced = newest;
  toPlay.push(...fresh);
  $("now").classList.remove("flash");
  void $("now").offsetWidth;
  $("now").classList.add("flash");
  playNext();
}

// ---------------------------------------------------------------- state and the event stream
let loading = null, again = false, retry = null;

async function load() {
  if (loading) { again = true; return loading; }
  loading = (async () => {
    try {
      const r = await fetch("/display/state", { cache: "no-store" });
      if (r.status === 401 || r.status === 403) { location.reload(); return; }
      if (!r.ok) throw new Error(`state ${r.status}`);
      const s = await r.json();
      board.loads += 1;
      if (board.lastSeq === null) board.lastSeq = s.last_seq;
      render(s);
      announce(s);
    } catch (err) {
      clearTimeout(retry);  // one retry pending at a time, however many callers failed
      retry = setTimeout(load, 2000);
    } finally {
      loading = null;
      if (again) { again = false; load(); }
    }
  })();
  return loading;
}

let stream = null;
function connect() {
  if (board.lastSeq === null) { setTimeout(connect, 2000); return; }  // hub not reached yet: load() retries by itself
  stream = new EventSource(`/display/events?after=${board.lastSeq}`);
  stream.onopen = () => { board.connected = true; $("link").hidden = true; load(); };
  stream.onerror = () => {
    board.connected = false;
    $("link").hidden = false;
    if (stream.readyState === EventSource.CLOSED) setTimeout(connect, 2000);  // the browser gave up: start again
  };
  const seen = (e) => { board.lastSeq = Number(e.lastEventId); load(); };
  KINDS.forEach((k) => stream.addEventListener(k, seen));
}

const CLOCK = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", month: "numeric", day: "numeric",
  hour: "2-digit", minute: "2-digit", hour12: false });
function tick() {  // the hall's time (Shanghai), whatever the TV's own time zone
  const parts = Object.fromEntries(CLOCK.formatToParts(new Date()).map((p) => [p.type, p.value]));
  $("clock").textContent = fill(T.zh_CN.display_clock, parts);
}

tick();
setInterval(tick, 1000);
setInterval(load, 30000);  // waiting times and counts stay fresh even in a quiet hour
load().then(connect);
