// 视频帮办: one end of a call (docs/remote.md). WebRTC between the two browsers; signalling through the hub:
// POST /video/signal/{id} to send, GET /video/signal/{id}?after=n to read (long-poll, with the request's status).
// The desk offers; the village end says "hello" when it (re)joins, and the desk then offers afresh (a new epoch),
// so a reload of either page starts the media over cleanly. SDPs carry their candidates (no trickle).
const LIVE = new Set(["taken", "in_call"]);

export function texts() {
  return JSON.parse(document.getElementById("texts").textContent);
}

export async function api(path, { method = "GET", body, token } = {}) {
  const headers = { "Content-Type": "application/json" };
  const csrf = document.querySelector('meta[name="csrf"]');
  if (csrf) headers["X-CSRF"] = csrf.content;
  if (token) headers["X-Video-Token"] = token;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                credentials: "same-origin", cache: "no-store" });
  const value = await r.json().catch(() => ({}));
  if (!r.ok) { const err = new Error(value.message_en || r.statusText); err.status = r.status; err.body = value; throw err; }
  return value;
}

export class Call {
  constructor({ requestId, side, token, ice, local, remote, onStatus, onConnected }) {
    Object.assign(this, { requestId, side, token, ice, local, remote, onStatus, onConnected });
    this.pc = null; this.epoch = 0; this.after = 0; this.running = false; this.camera = null; this.shared = null;
  }

  async start() {
    this.camera = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    this.local.srcObject = this.camera;
    this.running = true;
    this.loop();
    if (this.side === "village") await this.send({ type: "hello" });
    else await this.offer();
  }

  send(message) {
    return api(`/video/signal/${this.requestId}`, { method: "POST", body: message, token: this.token });
  }

  newPeer(epoch) {
    if (this.pc) this.pc.close();
    this.epoch = epoch;
    const pc = this.pc = new RTCPeerConnection({ iceServers: this.ice });
    for (const track of this.camera.getTracks()) pc.addTrack(track, this.camera);
    if (this.shared) this.useTrack(this.shared.getVideoTracks()[0]);
    pc.ontrack = (ev) => { this.remote.srcObject = ev.streams[0] || new MediaStream([ev.track]); };
    pc.onconnectionstatechange = () => {
      if (pc === this.pc && pc.connectionState === "connected" && this.onConnected) this.onConnected();
    };
    return pc;
  }

  async gathered(pc) {
    if (pc.iceGatheringState === "complete") return;
    await new Promise((resolve) => {
      const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
      pc.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, 3000);  // a TURN server that does not answer: go with what was gathered
    });
  }

  async offer() {
    const epoch = Date.now();
    const pc = this.newPeer(epoch);
    await pc.setLocalDescription(await pc.createOffer());
    await this.gathered(pc);
    if (pc === this.pc) await this.send({ type: "offer", epoch, sdp: pc.localDescription.sdp });
  }

  async handle(m) {
    if (m.type === "hello" && this.side === "desk") return this.offer();
    if (m.type === "offer" && this.side === "village") {
      const pc = this.newPeer(m.epoch);
      await pc.setRemoteDescription({ type: "offer", sdp: m.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await this.gathered(pc);
      if (pc === this.pc) await this.send({ type: "answer", epoch: m.epoch, sdp: pc.localDescription.sdp });
    }
    if (m.type === "answer" && this.side === "desk" && m.epoch === this.epoch && this.pc) {
      await this.pc.setRemoteDescription({ type: "answer", sdp: m.sdp });
    }
  }

  async loop() {
    while (this.running) {
      let answer;
      try {
        answer = await api(`/video/signal/${this.requestId}?after=${this.after}`, { token: this.token });
      } catch (err) {
        if (err.status === 404 || err.status === 403) { this.stop(); this.onStatus("gone"); return; }
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      this.after = answer.next;
      for (const m of answer.messages) await this.handle(m).catch((e) => console.warn("signal", e));
      if (!LIVE.has(answer.status)) { this.stop(); this.onStatus(answer.status); return; }
    }
  }

  useTrack(track) {
    const sender = this.pc && this.pc.getSenders().find((s) => s.track && s.track.kind === "video");
    if (sender) sender.replaceTrack(track);
  }

  async share() {  // the desk shows the 办事指南 or a form: its screen instead of its camera, until it stops
    this.shared = await navigator.mediaDevices.getDisplayMedia({ video: true });
    const track = this.shared.getVideoTracks()[0];
    this.useTrack(track);
    track.onended = () => this.unshare();
  }

  unshare() {
    if (!this.shared) return;
    for (const t of this.shared.getTracks()) t.stop();
    this.shared = null;
    this.useTrack(this.camera.getVideoTracks()[0]);
  }

  stop() {
    this.running = false;
    if (this.pc) this.pc.close();
    this.pc = null;
    for (const s of [this.camera, this.shared]) if (s) for (const t of s.getTracks()) t.stop();
    this.local.srcObject = null; this.remote.srcObject = null;
  }

  async stats() {  // what the browser itself counts: the video frames decoded from the other end
    if (!this.pc) return 0;
    let frames = 0;
    (await this.pc.getStats()).forEach((s) => { if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded || 0; });
    return frames;
  }
}
