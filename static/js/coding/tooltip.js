// Hovering coded text or a stripe shows what covers it: the codes (names and swatches),
// the coder and the memo of each excerpt.

import { UNCODED_COLOR } from "./palette.js";

/** How many excerpts one tooltip lists before summarising the rest. */
const MAX_LISTED = 6;
const SHOW_DELAY_MS = 120;

/** `<span class="swatch">` in a code's colour, followed by its name. */
export function codeLabel(code) {
  const label = document.createElement("span");
  label.className = "code-label";
  const swatch = document.createElement("span");
  swatch.className = "swatch";
  swatch.style.backgroundColor = code?.color ?? UNCODED_COLOR;
  label.append(swatch, code ? code.path : "(no code)");
  return label;
}

export class Tooltip {
  /**
   * @param {import("./store.js").Store} store
   * @param {(target: Element) => object[]} excerptsAt the excerpts under a hovered element
   */
  constructor(store, excerptsAt) {
    this.store = store;
    this.excerptsAt = excerptsAt;
    this.el = document.createElement("div");
    this.el.className = "coding-tooltip";
    this.el.id = "coding-tooltip";
    this.el.setAttribute("role", "tooltip");
    this.el.hidden = true;
    // Inside <main>, so that all content sits in a landmark (main is not positioned, so
    // the tooltip's page coordinates are unchanged).
    (document.querySelector("main") ?? document.body).append(this.el);
    this.timer = 0;
    this.current = null;
  }

  /** Shows the tooltip for whatever coded element the pointer is over, within `area`. */
  attach(area) {
    area.addEventListener("mouseover", (event) => this.hover(event));
    area.addEventListener("mouseleave", () => this.hide());
    area.addEventListener("mousemove", (event) => this.follow(event));
  }

  hover(event) {
    const target = event.target.closest?.(".hl, .stripe");
    if (target === this.current) return;
    this.current = target;
    clearTimeout(this.timer);
    if (!target) {
      this.hide();
      return;
    }
    const excerpts = this.excerptsAt(target);
    if (excerpts.length === 0) {
      this.hide();
      return;
    }
    this.timer = setTimeout(() => this.show(excerpts, event), SHOW_DELAY_MS);
  }

  show(excerpts, event) {
    const list = document.createElement("ul");
    for (const excerpt of excerpts.slice(0, MAX_LISTED)) list.append(this.describe(excerpt));
    if (excerpts.length > MAX_LISTED) {
      const more = document.createElement("li");
      more.className = "muted";
      more.textContent = `and ${excerpts.length - MAX_LISTED} more — click to see all`;
      list.append(more);
    }
    this.el.replaceChildren(list);
    this.el.hidden = false;
    this.place(event.clientX, event.clientY);
  }

  describe(excerpt) {
    const item = document.createElement("li");
    const codes = document.createElement("div");
    codes.className = "codes";
    const ids = this.store.sortCodeIds(excerpt.code_ids);
    if (ids.length === 0) codes.append(codeLabel(null));
    for (const id of ids) codes.append(codeLabel(this.store.code(id)));
    const who = document.createElement("div");
    who.className = "who";
    who.textContent = excerpt.consensus
      ? "Consensus"
      : `by ${excerpt.coder}${this.store.isMine(excerpt) ? " (you)" : ""}`;
    item.append(codes, who);
    if (excerpt.memo) {
      const memo = document.createElement("div");
      memo.className = "memo-line";
      memo.textContent = excerpt.memo.length > 200 ? `${excerpt.memo.slice(0, 200)}…` : excerpt.memo;
      item.append(memo);
    }
    return item;
  }

  follow(event) {
    if (!this.el.hidden) this.place(event.clientX, event.clientY);
  }

  place(x, y) {
    const width = this.el.offsetWidth;
    const left = Math.min(x + 14, window.innerWidth - width - 8);
    this.el.style.left = `${Math.max(8, left) + window.scrollX}px`;
    this.el.style.top = `${y + 18 + window.scrollY}px`;
  }

  hide() {
    clearTimeout(this.timer);
    this.current = null;
    this.el.hidden = true;
  }
}
