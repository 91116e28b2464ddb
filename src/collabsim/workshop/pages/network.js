// The facilitator's console: its picture of the network, drawn with the SVG elements of
// workshop.js (loaded first).
"use strict";
const NetworkView = (() => {
  const {el} = Workshop;

  // The network on the projector: each organisation a disc of its people (senior leaders
  // at its centre) on a ring, labelled outside it. Bands between organisations are their
  // mean trust on a diverging scale centred on the trust people first assume of another
  // organisation: orange below it, grey at it, blue above it; the scale reaches the furthest
  // band of the moment, so the strongest colours are the pairs furthest from it. People
  // are coloured by commitment (pale 0 to dark 1) and sized by role; ringed if someone in the
  // room plays them; grey once they have left.
  const NET = {w: 600, ring: 150, font: 14, line: 16};  // font: as `svg text` sets it
  const BELOW = [213, 94, 0], AT = [175, 175, 175], ABOVE = [31, 95, 191];
  const UNCOMMITTED = [253, 230, 138], COMMITTED = [6, 95, 70];
  const LEFT = "#bbb", MARK = {0: 7, 1: 5, 2: 3.5};  // a mark's radius by role
  const mix = (a, b, t) => `rgb(${a.map((v, i) => Math.round(v + (b[i] - v) * Math.min(1, Math.max(0, t)))).join(",")})`;

  function draw(target, net) {
    const svg = el("svg", {class: "network", role: "img",
                          "aria-label": "The network: organisations, their people and the trust between them"});
    const start = net.trust_start, n = net.organisations.length;
    const moved = net.trust.flat().filter((t) => t !== null).map((t) => Math.abs(t - start));
    const reach = Math.max(0.02, ...moved);  // the scale's end: the furthest band, or 0.02
    const band = (t) => (t < start ? mix(AT, BELOW, (start - t) / reach) : mix(AT, ABOVE, (t - start) / reach));
    svg.dataset.trustStart = start;
    svg.dataset.trustReach = reach;
    const cx = NET.w / 2, cy = NET.ring + 90;
    const angle = (k) => -Math.PI / 2 + 2 * Math.PI * k / n;
    const centre = (k) => [cx + NET.ring * Math.cos(angle(k)), cy + NET.ring * Math.sin(angle(k))];
    const disc = (org) => 5 + 2.6 * Math.sqrt(org.people.length);
    const bands = el("g", {class: "bands", "stroke-width": 5, "stroke-linecap": "round"});
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) {
      const t = net.trust[a][b];
      if (t === null) continue;
      const [x1, y1] = centre(a), [x2, y2] = centre(b);
      bands.appendChild(el("line", {x1, y1, x2, y2, stroke: band(t), opacity: 0.75, "data-trust": t}));
    }
    svg.appendChild(bands);
    const labels = el("g", {class: "org-labels", "font-size": NET.font});
    net.organisations.forEach((org, k) => {
      const [x, y] = centre(k), r = disc(org);
      // tops first, then managers, then the frontline, outwards on a sunflower spiral
      [...org.people].sort((p, q) => p.role - q.role).forEach((p, i, all) => {
        const d = r * Math.sqrt((i + 0.5) / all.length), a = i * Math.PI * (3 - Math.sqrt(5));
        svg.appendChild(el("circle", {cx: x + d * Math.cos(a), cy: y + d * Math.sin(a), r: MARK[p.role],
          fill: p.active ? mix(UNCOMMITTED, COMMITTED, p.commitment) : LEFT,
          stroke: p.played ? "#000" : "#fff", "stroke-width": p.played ? 2 : 0.6}));
      });
      // outside the disc, anchored away from the ring's centre
      const c = Math.cos(angle(k)), s = Math.sin(angle(k));
      const lx = x + (r + 8) * c, ly = y + (r + 8) * s;
      const anchor = Math.abs(c) < 0.1 ? "middle" : c > 0 ? "start" : "end";
      const lines = splitLabel(org.name);
      const top = s < -0.1 ? ly - NET.line * (lines.length - 1) : s > 0.1 ? ly + NET.font : ly + 4 - NET.line * (lines.length - 1) / 2;
      const text = el("text", {class: "org-label", x: lx, y: top, "text-anchor": anchor});
      lines.forEach((line, i) => text.appendChild(el("tspan", {x: lx, dy: i ? NET.line : 0}, line)));
      labels.appendChild(text);
    });
    svg.appendChild(labels);
    target.replaceChildren(svg);
    separate([...labels.children]);
    networkLegend(svg, start, reach, band, svg.getBBox().y + svg.getBBox().height + 22);
    const box = svg.getBBox(), pad = 4;  // the drawing's own extent: nothing clipped
    svg.setAttribute("viewBox", `${box.x - pad} ${box.y - pad} ${box.width + 2 * pad} ${box.height + 2 * pad}`);
  }

  // A long name in two lines, split at the space nearest its middle.
  function splitLabel(name) {
    if (name.length <= 14 || !name.includes(" ")) return [name];
    const spaces = [...name].flatMap((c, i) => (c === " " ? [i] : []));
    const cut = spaces.reduce((best, i) => (Math.abs(i - name.length / 2) < Math.abs(best - name.length / 2) ? i : best));
    return [name.slice(0, cut), name.slice(cut + 1)];
  }

  // Moves labels that overlap apart vertically, a little at a time, until none do.
  function separate(texts) {
    const shift = new Map(texts.map((t) => [t, 0]));
    const box = (t) => { const b = t.getBBox(); return {x: b.x, y: b.y + shift.get(t), w: b.width, h: b.height}; };
    for (let round = 0; round < 200; round++) {
      let moved = false;
      for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
        const a = box(texts[i]), b = box(texts[j]);
        const across = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
        const down = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
        if (across <= 0 || down <= 0) continue;
        const [upper, lower] = a.y <= b.y ? [texts[i], texts[j]] : [texts[j], texts[i]];
        shift.set(upper, shift.get(upper) - down / 2 - 1);
        shift.set(lower, shift.get(lower) + down / 2 + 1);
        moved = true;
      }
      if (!moved) break;
    }
    texts.forEach((t) => t.setAttribute("transform", `translate(0 ${shift.get(t)})`));
  }

  // What colour and size mean, under the drawing: rows of marks and words laid left to
  // right, each word measured once it is drawn.
  function networkLegend(svg, start, reach, band, y) {
    const g = el("g", {class: "network-legend"});
    svg.appendChild(g);
    const left = svg.getBBox().x;
    let x = left;
    const word = (text) => { x += g.appendChild(el("text", {x, y}, text)).getComputedTextLength() + 8; };
    const mark = (attrs) => { g.appendChild(el("circle", {cx: x + 6, cy: y - 5, ...attrs})); x += 15; };
    const ramp = (colour) => {
      for (let i = 0; i < 9; i++) g.appendChild(el("rect", {x: x + 14 * i, y: y - 11, width: 14, height: 12, fill: colour(i / 8)}));
      x += 9 * 14 + 8;
    };
    const row = () => { x = left; y += NET.line + 4; };
    word("Bands, trust between organisations:");
    word(`${(start - reach).toFixed(2)} lower`);
    ramp((t) => band(start - reach + 2 * reach * t));
    word(`higher ${(start + reach).toFixed(2)}`);
    row();
    word(`(grey: ${start.toFixed(2)}, what people first assume of another organisation)`);
    row();
    word("People, colour is commitment:  0");
    ramp((t) => mix(UNCOMMITTED, COMMITTED, t));
    word("1");
    row();
    word("size is role:");
    [["senior leader", 0], ["manager", 1], ["frontline", 2]].forEach(([label, role]) => {
      mark({r: MARK[role], fill: "#777"});
      word(label);
    });
    mark({r: 5, fill: "#fff", stroke: "#000", "stroke-width": 2});
    word("played here");
    mark({r: 5, fill: LEFT});
    word("left");
    return g;
  }

  return {draw};
})();
