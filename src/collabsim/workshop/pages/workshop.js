// The workshop's pages: the participants' page and the facilitator's console.
// Everything comes from this server: views arrive as JSON on a websocket, actions are posts.
"use strict";
const Workshop = (() => {
  const $ = (id) => document.getElementById(id);
  const say = (text) => { $("message").textContent = text || ""; };
  const params = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.slice(1));

  // A fresh id for each request (crypto.randomUUID needs https; this does not).
  function requestId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // A post the server has not answered in this many seconds fails, so that a phone's lost
  // request does not hold up the choices made after it.
  const PATIENCE = 15;

  async function post(path, body) {
    const response = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"},
                                        body: JSON.stringify(body), signal: AbortSignal.timeout(PATIENCE * 1000)})
      .catch((error) => {
        throw error.name === "TimeoutError" ? new Error(`the server did not answer in ${PATIENCE} s: try again`) : error;
      });
    const data = await response.json().catch(() => ({error: "the server did not answer"}));
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  // Follow the room's view; reconnect if the connection drops.
  function follow(query, render, refused = say) {
    let socket, timer = null, view = null;
    const open = () => {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(`${scheme}://${location.host}/ws?${query}`);
      socket.onmessage = (event) => {
        const data = JSON.parse(event.data);
        if (data.error) { refused(data.error); return; }
        view = data;
        view.received = performance.now();
        render(view);
      };
      socket.onclose = (event) => { if (event.code !== 4403) setTimeout(open, 1000); };
    };
    open();
    // the timer counts down between views
    timer = setInterval(() => {
      if (!view) return;
      showTimer(view);
      const left = view.seconds_left - (performance.now() - view.received) / 1000;
      if (!view.time_up && !view.paused && view.seconds_left !== null && left <= 0) {
        view.time_up = true;  // the server refuses choices from now on: say so at once
        render(view);
      }
    }, 250);
    return () => { clearInterval(timer); socket.close(); };
  }

  function showTimer(view) {
    const el = $("timer");
    $("meeting").textContent = view.ended ? "Session over" : `Meeting ${view.meeting} (week ${view.week})`;
    el.dataset.meeting = view.meeting;
    if (view.seconds_left === null || view.ended) { el.textContent = ""; el.dataset.left = ""; return; }
    const elapsed = view.paused ? 0 : (performance.now() - view.received) / 1000;
    // whole seconds rounded up: the page says time is up only once the server says so
    const left = Math.max(0, Math.ceil(view.seconds_left - elapsed));
    el.textContent = left === 0 ? "time is up" : `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` + (view.paused ? " (paused)" : "");
    el.dataset.left = left;
  }

  // Choices are drawn from a list of blocks, each {id, title, one, buttons: [{key, label,
  // pressed, onClick}]}. A block or button already on the page (the same id, the same key) is
  // kept and updated in place, and only what is new is added: a button replaced or moved
  // between a finger's press and its release never receives the tap.
  function drawChoices(container, blocks, note) {
    const drawn = new Map([...container.querySelectorAll(":scope > .choice")].map((div) => [div.dataset.choice, div]));
    const wanted = blocks.map((block) => fillBlock(drawn.get(block.id) || makeBlock(block.id), block));
    if (note) {
      const line = container.querySelector(":scope > p.note") || Object.assign(document.createElement("p"), {className: "note"});
      line.textContent = note;
      wanted.push(line);
    }
    keepOnly(container, wanted);
  }

  // A block's frame: its heading and a row for its buttons.
  function makeBlock(id) {
    const div = document.createElement("div");
    div.className = "choice";
    div.dataset.choice = id;
    div.append(document.createElement("h3"), document.createElement("div"));
    return div;
  }

  function fillBlock(div, {title, one, buttons}) {
    const [heading, row] = div.children;
    if (heading.textContent !== title) heading.textContent = title;
    row.className = "buttons" + (one ? " one" : "");
    const drawn = new Map([...row.children].map((b) => [b.dataset.key, b]));
    keepOnly(row, buttons.map(({key, label, pressed, onClick}) => {
      const b = drawn.get(String(key)) || document.createElement("button");
      b.dataset.key = key;
      if (b.textContent !== label) b.textContent = label;
      b.className = "big" + (pressed ? " chosen" : "");
      b.setAttribute("aria-pressed", pressed ? "true" : "false");
      b.onclick = onClick;
      return b;
    }));
    return div;
  }

  // Makes ``nodes`` the children of ``parent``, in order: removes the others, adds the new and
  // moves a node only when one before it has to come after it (a node moved is taken out of
  // the page for an instant, and a press on it is lost). Within a meeting blocks and buttons
  // are only added or removed, never reordered, so none that stays is moved.
  function keepOnly(parent, nodes) {
    const wanted = new Set(nodes);
    [...parent.childNodes].forEach((node) => wanted.has(node) || node.remove());
    let at = parent.firstChild;
    for (const node of nodes) {
      if (node === at) at = at.nextSibling;
      else parent.insertBefore(node, at);
    }
  }

  // --- the participants' page -------------------------------------------------------------
  function participant() {
    const room = (params.get("room") || hash.get("room") || "").toUpperCase();
    const key = (code) => `collabsim-workshop-${code}`;
    let token = hash.get("t") || (room && localStorage.getItem(key(room)));
    let roomCode = room;
    let current = null;

    const start = (data) => {
      token = data.token; roomCode = data.room;
      localStorage.setItem(key(roomCode), token);
      history.replaceState(null, "", `/?room=${roomCode}#t=${token}`);
      $("join").hidden = true; $("play").hidden = false;
      follow(`room=${roomCode}&token=${encodeURIComponent(token)}`, render, (error) => {
        localStorage.removeItem(key(roomCode));  // a token this room does not know
        history.replaceState(null, "", `/?room=${roomCode}`);
        showJoin();
        say(error);
      });
    };
    // Choices are sent one after another, so that the server takes them in the order made.
    let sending = Promise.resolve();
    const choose = (field, value, target) => {
      const meeting = current.meeting;
      const sent = sending.then(() => post("/api/decide", {room: roomCode, token, request_id: requestId(),
                                                          meeting, field, value, target}))
        .then(() => { say(""); return true; }, (error) => { say(error.message); return false; });
      sending = sent;
      return sent;
    };
    // Whom this person talks to: the server's choice, or while this page's taps are on their
    // way, the set they make, so that a second tap before the first is answered adds to it.
    let talk = new Set(), talking = 0;
    const toggleTalk = (person) => {
      talk.has(person) ? talk.delete(person) : talk.add(person);
      talking += 1;
      choose("talk", [...talk].join(",")).then((taken) => {
        talking -= 1;
        if (!talking && !taken) talk = new Set((current.chosen || {}).talk_to || []);  // what the server holds stands
      });
    };

    function render(view) {
      current = view;
      $("who").textContent = `${view.you.name}: ${view.you.who}`;
      $("rejoin").textContent = view.you.rejoin_code;
      $("situation").replaceChildren(...view.situation.map((t) => Object.assign(document.createElement("p"), {textContent: t})));
      $("feedback").replaceChildren(...view.feedback.map((t) => Object.assign(document.createElement("p"), {textContent: t})));
      showTimer(view);
      const c = view.chosen || {};
      if (!talking) talk = new Set(c.talk_to || []);
      const blocks = [];
      const ask = (id, title, buttons, one = false) => blocks.push({id, title, one, buttons: buttons.map(
        ([key, label, pressed, onClick]) => ({key, label, pressed, onClick}))});
      const closed = view.ended || view.time_up;
      if (!closed && view.asks.attend) {
        ask("attend", "Come to the next meeting?", [
          ["yes", "Come", c.attend === true, () => choose("attend", "yes")],
          ["no", "Stay away", c.attend === false, () => choose("attend", "no")]]);
      }
      if (!closed && view.asks.propose) {
        ask("propose", "Propose a change?", [
          ["small", "A small test", c.propose === "small", () => choose("propose", "small")],
          ["big", "A big redesign", c.propose === "big", () => choose("propose", "big")],
          ["none", "Not now", c.propose === "none", () => choose("propose", "none")]]);
      }
      if (!closed && view.asks.leader) {
        view.requests.forEach((r) => {
          const v = (c.verdicts || {})[String(r.proposer)];
          ask(`verdict-${r.proposer}`, r.label, [
            ["grant", "Grant", v === true, () => choose("verdict", "grant", r.proposer)],
            ["block", "Block", v === false, () => choose("verdict", "block", r.proposer)]]);
        });
        ask("cede", "Your territory", [
          ["cede", "Cede some to the network", c.cede === true, () => choose("cede", "cede")],
          ["keep", "Keep it", c.cede === false, () => choose("cede", "keep")]]);
      }
      if (!closed && view.asks.self_interest) {
        ask("self_interest", "A chance to do well for yourself (everyone will hear of it)", [
          ["act", "Take it", c.self_interest === true, () => choose("self_interest", "act")],
          ["refrain", "Refrain", c.self_interest === false, () => choose("self_interest", "refrain")]]);
      }
      if (!closed && view.talk_options.length) {
        const told = new Set(c.talk_to || []);
        ask("talk", "Whom will you talk to before the next meeting?", view.talk_options.map((o) =>
          [o.person, `${o.label} (trust ${o.trust.toFixed(2)})`, told.has(o.person), () => toggleTalk(o.person)]), true);
      }
      drawChoices($("choices"), blocks, view.time_up && !view.ended ? "Time is up: the model decides what you left open." : "");
      $("decided").hidden = !view.decided || closed;
      document.body.dataset.meeting = view.meeting;
      document.body.dataset.decided = view.decided;
      document.body.dataset.person = view.you.person;
    }

    const showJoin = () => {
      $("join").hidden = false; $("play").hidden = true;
      $("join-room").value = room; $("rejoin-room").value = room;
    };
    $("join-form").onsubmit = async (e) => {
      e.preventDefault();
      try { start(await post("/api/join", {room: $("join-room").value, name: $("join-name").value})); }
      catch (error) { say(error.message); }
    };
    $("rejoin-form").onsubmit = async (e) => {
      e.preventDefault();
      try { start(await post("/api/join", {room: $("rejoin-room").value, rejoin_code: $("rejoin-code").value})); }
      catch (error) { say(error.message); }
    };
    if (token && room) start({token, room}); else showJoin();
  }

  // --- the facilitator's console -------------------------------------------------------------
  function console_() {
    const room = (params.get("room") || "").toUpperCase();
    const token = hash.get("f") || "";
    let shown = null;  // the latest view
    // ``done`` is what the message line says once the server has taken the action
    const act = async (action, value, done = "") => {
      try {
        await post("/api/facilitate", {room, token, request_id: requestId(), action, value});
        say(done);
        if (action === "end") debrief();
      } catch (error) { say(error.message); }
    };
    $("qr").src = `/qr.svg?room=${room}`;
    $("start-timer").onclick = () => {
      const typed = $("timer-seconds").value.trim();
      if (typed === "") { say("Seconds to decide is empty: type seconds from 1 to 3600"); return; }
      act("timer", Number(typed));
    };
    $("pause").onclick = () => act("pause");
    $("resume").onclick = () => act("resume");
    $("advance").onclick = () => act("advance");
    $("end").onclick = () => act("end");
    $("save").onclick = async () => {
      try { say(`Saved in ${(await post("/api/save", {room, token})).folder}`); } catch (e) { say(e.message); }
    };
    $("network-toggle").onchange = (e) => act("network", e.target.checked);
    $("self-interest-toggle").onchange = (e) => act("self_interest", e.target.checked);
    $("others").onchange = () => debrief();
    const dealt = (how) => document.querySelector(`input[name="deal"][value="${how}"]`);
    $("deal-posts").oninput = () => { dealt("fixed").checked = true; };
    $("deal-apply").onclick = () => {
      // posts as numbers; anything else goes as typed, for the server to name in its refusal
      const posts = $("deal-posts").value.split(/[\s,]+/).filter(Boolean)
        .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      act("deal", dealt("fixed").checked ? {deal: "fixed", posts} : {deal: "mix"});
    };
    // A new room in this server: the session under way ends (the server saves it first)
    $("new-room").onclick = async () => {
      if (shown && !shown.ended && !confirm("Open a new room? This session ends now; its record is saved.")) return;
      try {
        const fresh = await post("/api/rooms", {room, token});
        location.replace(`/console?room=${fresh.room}#f=${encodeURIComponent(fresh.token)}`);
      } catch (error) { say(error.message); }
    };
    let eventsDrawn = false, dealDrawn = "", timerShown = null;

    function render(view) {
      shown = view;
      $("code").textContent = view.room;
      $("join-url").textContent = view.join_url;
      showTimer(view);
      // the room's time to decide when it changes, not over what the facilitator is typing
      if (view.decision_seconds !== timerShown) {
        $("timer-seconds").value = timerShown = view.decision_seconds;
      }
      if (!eventsDrawn) {
        $("events").append(...view.events.map((e) => {
          const b = document.createElement("button");
          b.textContent = e.label; b.dataset.event = e.kind;
          b.onclick = () => act("event", e.kind, `Set off: ${e.label}.`);
          return b;
        }));
        eventsDrawn = true;
      }
      // a what-if that would change nothing now is off, saying why (a once-only one, say)
      view.events.forEach((e) => {
        const b = $("events").querySelector(`button[data-event="${e.kind}"]`);
        b.disabled = e.why_not !== null;
        b.title = e.why_not || "";
      });
      $("fired").textContent = view.fired.length ?
        `What ifs so far: ${view.fired.map((f) => `${f.label} (week ${f.week})`).join("; ")}` : "";
      $("network-toggle").checked = view.network_visible;
      $("self-interest-toggle").checked = view.self_interest_enabled;
      showDeal(view);
      const m = view.monitors;
      $("monitors").innerHTML = "";
      [["Network", m.alive ? "alive" : "dissolved"], ["taking part", m.taking_part],
       ["last attendance", m.attendance === null ? "-" : `${Math.round(m.attendance * 100)}%`],
       ["commitment", m.commitment]].forEach(([k, v]) => {
        $("monitors").appendChild(Object.assign(document.createElement("span"), {textContent: `${k}: ${v}`}));
      });
      const deciding = view.seats.filter((s) => !s.decided);
      const decided = view.seats.length - deciding.length;
      $("counts").textContent = `(${view.seats.length} joined, ${decided} decided)`;
      $("counts").dataset.joined = view.seats.length;
      $("counts").dataset.decided = decided;
      // the names the room waits for, whatever the list below shows
      $("deciding").textContent = view.ended || !view.seats.length ? "" :
        deciding.length ? `Still deciding: ${deciding.map((s) => s.name).join(", ")}` : "Everyone has decided.";
      $("seats").tBodies[0].replaceChildren(...view.seats.map((s) => {
        const tr = document.createElement("tr");
        tr.dataset.participant = s.participant;
        tr.dataset.decided = s.decided;
        [`${s.participant} ${s.name}`, `${s.who} (post ${s.person})`,
         [view.ended ? "" : s.decided ? "decided" : "deciding", s.connected ? "" : "away"].filter(Boolean).join(", ")].forEach((t) => {
          tr.appendChild(Object.assign(document.createElement("td"), {textContent: t}));
        });
        return tr;
      }));
      $("network").hidden = !view.network;
      if (view.network) NetworkView.draw($("network-view"), view.network);
      document.body.dataset.meeting = view.meeting;
      document.body.dataset.ended = view.ended;
      if (view.ended && $("debrief").hidden) debrief();
    }

    // How roles are dealt: the choice is redrawn only when it changes, not while typing
    function showDeal(view) {
      const now = `${view.deal} ${view.posts.join(",")}`;
      if (now !== dealDrawn) {
        dealt(view.deal).checked = true;
        $("deal-posts").value = view.posts.join(", ");
        dealDrawn = now;
      }
      const how = view.deal === "mix" ? "a mix of roles across organisations" : `posts ${view.posts.join(", ")}, in order`;
      const joined = view.seats.length > 0;
      $("deal").disabled = joined || view.ended;
      $("deal-now").textContent = `Dealing ${how}.` + (joined ? " People have joined: open a new room to deal another way." : "");
    }

    async function debrief() {
      try {
        const data = await post("/api/debrief", {room, token, others: $("others").checked});
        const first = $("debrief").hidden;
        drawDebrief(data);
        if (first) $("debrief").scrollIntoView();
      } catch (error) { say(error.message); }
    }
    follow(`room=${room}&token=${encodeURIComponent(token)}&as=facilitator`, render);
  }

  // --- drawing ----------------------------------------------------------------------------------
  const NS = "http://www.w3.org/2000/svg";
  const el = (name, attrs, text) => {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const COLOURS = {room: "#1f5fbf", model: "#666", all_cede: "#1b7a3a", all_block: "#a4161a",
                   commitment: "#1f5fbf", trust: "#e08a00"};
  const DASHES = {model: "7 4", all_cede: "2 3", all_block: "2 3"};
  const MOMENT = "#a0a";

  // A step of 1, 2 or 5 times a power of ten giving about ``count`` intervals over ``span``.
  function niceStep(span, count) {
    const raw = span / count, power = 10 ** Math.floor(Math.log10(raw));
    return [1, 2, 5, 10].map((k) => k * power).find((step) => step >= raw);
  }
  const number = (v) => String(+v.toFixed(2));

  // A chart of runs over the weeks, drawn with its axes: weeks along (ticks on meeting
  // weeks), the unit up (0 to 1 for trust, commitment and shares), key moments dashed.
  function chart(title, weeks, series, moments, axis, interval, w = 410, h = 250) {
    const m = {left: 62, right: 14, top: 46, bottom: 54};
    const svg = el("svg", {width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: "img",
                           "aria-label": `${title} (${axis.unit}) by week`, "data-chart": title});
    svg.appendChild(el("text", {x: 6, y: 20, class: "chart-title"}, title));
    const values = Object.values(series).flat().filter((v) => v !== null);
    const most = Math.max(0, ...values);
    const yStep = axis.high === null ? Math.max(1, niceStep(most || 1, 4)) : niceStep(axis.high - axis.low, 2);
    const lo = axis.low, hi = axis.high === null ? Math.max(yStep, Math.ceil(most / yStep) * yStep) : axis.high;
    const first = weeks.length ? weeks[0] : 0, last = Math.max(first + 1, weeks.length ? weeks[weeks.length - 1] : 1);
    const x = (week) => m.left + (w - m.left - m.right) * (week - first) / (last - first);
    const y = (v) => h - m.bottom - (h - m.top - m.bottom) * (v - lo) / (hi - lo);
    const yAxis = el("g", {"data-axis": "y"});
    for (let v = lo; v <= hi + 1e-9; v += yStep) {
      yAxis.appendChild(el("line", {x1: m.left, x2: w - m.right, y1: y(v), y2: y(v), stroke: "#e3e6ea"}));
      yAxis.appendChild(el("text", {x: m.left - 6, y: y(v) + 5, "text-anchor": "end"}, number(v)));
    }
    yAxis.appendChild(el("text", {transform: `translate(16 ${(m.top + h - m.bottom) / 2}) rotate(-90)`,
                                  "text-anchor": "middle", class: "axis-label"}, axis.unit));
    const xAxis = el("g", {"data-axis": "x"});
    xAxis.appendChild(el("line", {x1: m.left, x2: w - m.right, y1: y(lo), y2: y(lo), stroke: "#5a6b85"}));
    const xStep = interval * Math.max(1, Math.ceil((last - first) / interval / 8));
    for (let week = Math.ceil(first / xStep) * xStep; week <= last; week += xStep) {
      xAxis.appendChild(el("line", {x1: x(week), x2: x(week), y1: y(lo), y2: y(lo) + 5, stroke: "#5a6b85"}));
      xAxis.appendChild(el("text", {x: x(week), y: y(lo) + 22, "text-anchor": "middle"}, week));
    }
    xAxis.appendChild(el("text", {x: m.left + (w - m.left - m.right) / 2, y: h - 8, "text-anchor": "middle", class: "axis-label"},
                         `week (a meeting every ${interval} weeks)`));
    svg.append(yAxis, xAxis);
    (moments || []).forEach((moment) => {
      const line = el("line", {x1: x(moment.week), x2: x(moment.week), y1: m.top - 16, y2: y(lo), stroke: MOMENT,
                               "stroke-width": 2, "stroke-dasharray": "4 3", "data-moment": moment.kind});
      line.appendChild(el("title", {}, `week ${moment.week}: ${moment.text}`));
      svg.append(line, el("text", {x: x(moment.week) + 4, y: m.top - 6, class: "moment", fill: MOMENT}, moment.mark));
    });
    // the room's run last, so that it is drawn over the others where they agree
    Object.entries(series).reverse().forEach(([name, values]) => {
      const pts = values.map((v, i) => v === null ? null : `${x(weeks[i])},${y(v)}`).filter(Boolean).join(" ");
      svg.appendChild(el("polyline", {points: pts, fill: "none", stroke: COLOURS[name] || "#000", "stroke-width": 3,
                                      "stroke-dasharray": DASHES[name] || "none", "data-run": name}));
    });
    return svg;
  }

  // What the lines of a set of charts are: a line of each run's colour and dashes, and its name
  function legend(names) {
    return names.map((name) => {
      const svg = el("svg", {width: 34, height: 12, "aria-hidden": "true"});
      svg.appendChild(el("line", {x1: 2, x2: 32, y1: 6, y2: 6, stroke: COLOURS[name], "stroke-width": 3,
                                  "stroke-dasharray": DASHES[name] || "none"}));
      const item = document.createElement("span");
      item.append(svg, name.replace("_", " "));
      return item;
    });
  }

  function drawDebrief(data) {
    $("debrief").hidden = false;
    const plots = Object.entries(data.labels).map(([column, label]) => {
      const series = {};
      for (const [run, columns] of Object.entries(data.series)) series[run] = columns[column];
      return chart(label, data.weeks, series, data.moments.room, data.axes[column], data.meeting_interval);
    });
    $("debrief-plots").replaceChildren(...plots);
    $("runs-legend").replaceChildren(...legend(Object.keys(data.series)));
    $("story-legend").replaceChildren(...legend(["commitment", "trust"]));
    $("debrief-plots").dataset.runs = Object.keys(data.series).join(" ");
    $("moments").replaceChildren(...data.moments.room.map((m) =>
      Object.assign(document.createElement("li"), {textContent: `week ${m.week}: ${m.text}`})));
    $("stories").replaceChildren(...data.stories.map((s) => {
      const div = document.createElement("div");
      div.className = "story";
      div.dataset.participant = s.participant;
      div.appendChild(Object.assign(document.createElement("div"), {textContent: `${s.participant} ${s.name}: ${s.who}`}));
      div.appendChild(chart("trust and commitment", s.story.map((r) => r.week),
        {commitment: s.story.map((r) => r.commitment), trust: s.story.map((r) => r.trust)}, [],
        data.story_axis, data.meeting_interval, 390, 210));
      return div;
    }));
  }

  return {participant, console: console_, el};
})();
