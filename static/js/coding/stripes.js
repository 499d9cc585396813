// Coding stripes in the margin, as in MAXQDA: one vertical stripe per code per excerpt, in
// the code's colour, beside the lines the excerpt covers. Overlapping stripes get lanes so
// they sit side by side. Updating is three phases so layout is computed once: read the
// positions of changed excerpts, assign lanes (pure arithmetic), then write only the
// stripes whose place, colour or title changed.

import { UNCODED_COLOR } from "./palette.js";

/** Horizontal room per lane, at most; lanes are narrowed when many overlap. */
const MAX_LANE_STEP = 6;
/** Vertical gap that must separate two stripes sharing a lane. */
const LANE_GAP = 2;
/** Space between the innermost lane and the text. */
const TEXT_CLEARANCE = 14;

/**
 * Greedy interval colouring in one pass: stripes sorted by top take the lane they had
 * before if it is free (so adding an excerpt does not make its neighbours' stripes jump),
 * else the first lane that is free again by the time they start. Returns the number of
 * lanes used.
 * @param {Array<{top: number, bottom: number, lane: number, previous: number}>} stripes
 *   sorted by top; `previous` is the stripe's lane before (-1 for a new stripe)
 */
export function assignLanes(stripes) {
  const laneBottoms = [];
  const free = (lane, top) => lane >= laneBottoms.length || laneBottoms[lane] + LANE_GAP <= top;
  for (const stripe of stripes) {
    let lane = stripe.previous;
    if (lane < 0 || !free(lane, stripe.top)) {
      lane = 0;
      while (!free(lane, stripe.top)) lane++;
    }
    while (laneBottoms.length < lane) laneBottoms.push(-Infinity);
    laneBottoms[lane] = stripe.bottom;
    stripe.lane = lane;
  }
  return laneBottoms.length;
}

/** Whether a stripe element already shows `next` (compared field by field: this runs for
 * every stripe on every repaint). */
function sameAppearance(shown, next) {
  return (
    shown !== null &&
    shown.top === next.top &&
    shown.height === next.height &&
    shown.left === next.left &&
    shown.width === next.width &&
    shown.color === next.color &&
    shown.path === next.path &&
    shown.memo === next.memo &&
    shown.id === next.id &&
    shown.className === next.className
  );
}

export class Stripes {
  /**
   * @param {Element} root the transcript (positioned: stripes are placed inside it)
   * @param {import("./store.js").Store} store
   */
  constructor(root, store) {
    this.root = root;
    this.store = store;
    this.layer = document.createElement("div");
    this.layer.className = "stripes";
    // Decoration, not document text: offsets.js skips it and no caret can enter it.
    this.layer.setAttribute("data-offset-ignore", "");
    this.layer.setAttribute("contenteditable", "false");
    this.layer.setAttribute("aria-hidden", "true");
    root.prepend(this.layer);
    /** Where each excerpt starts and ends on screen (highlight elements). */
    this.endpoints = new Map();
    /** Measured vertical extent per excerpt, kept until its endpoints change. */
    this.extent = new Map();
    /** Excerpts whose endpoints changed since the last update. */
    this.dirty = new Set();
    /** @type {Map<string, {el: HTMLElement, shown: object|null, lane: number}>} */
    this.elements = new Map();
  }

  /** Called by the highlighter for every excerpt edge it renders. */
  noteEndpoint(excerpt, edge, element) {
    let ends = this.endpoints.get(excerpt);
    if (!ends) this.endpoints.set(excerpt, (ends = {}));
    ends[edge] = element;
    this.dirty.add(excerpt);
  }

  /** Forgets every measurement (after a resize, when lines re-wrap). */
  remeasureAll() {
    for (const excerpt of this.endpoints.keys()) this.dirty.add(excerpt);
  }

  update() {
    const started = performance.now();
    this.measure();
    const measured = performance.now();
    const stripes = this.layout();
    const laidOut = performance.now();
    this.write(stripes);
    performance.measure("gloss:stripes:read", { start: started, end: measured });
    performance.measure("gloss:stripes:lanes", { start: measured, end: laidOut });
    performance.measure("gloss:stripes:write", { start: laidOut });
  }

  /** Read phase: only layout reads, no writes in between. */
  measure() {
    for (const excerpt of this.dirty) {
      const ends = this.endpoints.get(excerpt);
      if (!ends?.start?.isConnected || !ends.end?.isConnected) {
        this.extent.delete(excerpt);
        continue;
      }
      const top = ends.start.offsetTop;
      const bottom = ends.end.offsetTop + ends.end.offsetHeight;
      this.extent.set(excerpt, { top, bottom: Math.max(bottom, top + 4) });
    }
    this.dirty.clear();
  }

  /** Pure phase: one stripe per code per visible excerpt, with lanes. */
  layout() {
    const stripes = [];
    const stripeOf = (excerpt, code, extent) => {
      const key = `${excerpt.key}:${code ? code.id : "none"}`;
      const previous = this.elements.get(key)?.lane ?? -1;
      return { key, excerpt, code, top: extent.top, bottom: extent.bottom, previous, lane: 0, left: 0, width: 0 };
    };
    for (const excerpt of this.store.visibleExcerpts()) {
      const extent = this.extent.get(excerpt);
      if (!extent) continue;
      const ids = excerpt.code_ids.length > 1 ? this.store.sortCodeIds(excerpt.code_ids) : excerpt.code_ids;
      if (ids.length === 0) stripes.push(stripeOf(excerpt, null, extent));
      for (const id of ids) stripes.push(stripeOf(excerpt, this.store.code(id) ?? null, extent));
    }
    stripes.sort((a, b) => a.top - b.top || b.bottom - a.bottom);
    const lanes = assignLanes(stripes);
    const room = this.root.clientLeft + parseFloat(getComputedStyle(this.root).paddingLeft);
    const available = Math.max(8, room - TEXT_CLEARANCE - 4);
    const step = Math.min(MAX_LANE_STEP, available / Math.max(1, lanes));
    const width = Math.max(1, Math.round(step * 0.6 * 10) / 10);
    const innerEdge = room - TEXT_CLEARANCE;
    for (const stripe of stripes) {
      stripe.left = Math.round((innerEdge - (stripe.lane + 1) * step) * 10) / 10;
      stripe.width = width;
    }
    return stripes;
  }

  /** Write phase: add, move or remove stripe elements, touching only what changed. */
  write(stripes) {
    const seen = new Set();
    const fresh = document.createDocumentFragment();
    for (const stripe of stripes) {
      seen.add(stripe.key);
      let entry = this.elements.get(stripe.key);
      if (!entry) {
        const el = document.createElement("div");
        el.dataset.excerptKey = String(stripe.excerpt.key);
        if (stripe.code) el.dataset.codeId = String(stripe.code.id);
        entry = { el, shown: null, lane: -1 };
        this.elements.set(stripe.key, entry);
        fresh.append(el);
      }
      entry.lane = stripe.lane;
      const shown = this.appearance(stripe);
      if (!sameAppearance(entry.shown, shown)) {
        this.paint(entry.el, stripe, shown);
        entry.shown = shown;
      }
    }
    for (const [key, entry] of this.elements) {
      if (!seen.has(key)) {
        entry.el.remove();
        this.elements.delete(key);
      }
    }
    this.layer.append(fresh);
  }

  /** Everything a stripe element shows, compared cheaply to skip unchanged stripes. */
  appearance(stripe) {
    const { excerpt, code } = stripe;
    return {
      top: stripe.top,
      height: stripe.bottom - stripe.top,
      left: stripe.left,
      width: stripe.width,
      color: code?.color ?? UNCODED_COLOR,
      path: code?.path,
      memo: excerpt.memo,
      id: excerpt.id,
      className: this.classOf(stripe),
    };
  }

  paint(el, stripe, shown) {
    el.style.cssText =
      `top:${shown.top}px;height:${shown.height}px;left:${shown.left}px;` +
      `width:${shown.width}px;background-color:${shown.color}`;
    el.title = this.titleOf(stripe);
    el.className = shown.className;
    if (shown.id !== null) el.dataset.excerptId = String(shown.id);
  }

  classOf(stripe) {
    let name = "stripe";
    if (!this.store.isMine(stripe.excerpt)) name += " others";
    if (stripe.excerpt.unsaved) name += " unsaved";
    return name;
  }

  /** Colour is never the only cue: each stripe names its code, coder and memo. */
  titleOf(stripe) {
    const { excerpt, code } = stripe;
    const who = excerpt.consensus ? "consensus" : excerpt.coder;
    const memo = excerpt.memo ? ` — ${excerpt.memo.slice(0, 120)}` : "";
    return `${code ? code.path : "(no code)"} · ${who}${memo}`;
  }

  /** Drops the "unsaved" look of an excerpt's stripes without a full update. */
  markSaved(excerpt) {
    for (const entry of this.elements.values()) {
      if (entry.el.dataset.excerptKey !== String(excerpt.key)) continue;
      entry.el.classList.remove("unsaved");
      if (excerpt.id !== null) entry.el.dataset.excerptId = String(excerpt.id);
      entry.shown = null; // compare afresh next time
    }
  }

  /** Stripe elements of one excerpt (e.g. to flash them). */
  elementsOf(excerpt) {
    return Array.from(this.elements.values())
      .map((entry) => entry.el)
      .filter((el) => el.dataset.excerptKey === String(excerpt.key));
  }

  /** The excerpt a stripe element belongs to. */
  excerptOf(element) {
    const key = Number(element.closest?.(".stripe")?.dataset.excerptKey);
    return key ? this.store.byKey(key) : null;
  }

  /** Forgets every excerpt (their records were replaced by a reload from the server). */
  forgetAll() {
    this.endpoints.clear();
    this.extent.clear();
    this.dirty.clear();
  }
}
