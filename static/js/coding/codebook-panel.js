// The codebook beside the document: the code tree with colours and usage counts (mine /
// all coders), collapsible, filtered by typing, and a small form to add a code.

import { codeLabel } from "./tooltip.js";

export class CodebookPanel {
  /**
   * @param {Element} panel the server-rendered `#codebook-panel`
   * @param {object} parts
   * @param {import("./store.js").Store} parts.store
   * @param {(name: string, parentId: number|null) => void} parts.createCode
   */
  constructor(panel, { store, createCode }) {
    this.panel = panel;
    this.store = store;
    this.createCode = createCode;
    this.tree = panel.querySelector("[data-code-tree]");
    this.filter = panel.querySelector("[data-code-filter]");
    this.form = panel.querySelector("[data-new-code]");
    this.collapsedKey = `gloss:collapsed-codes:${store.document.project_id}`;
    this.collapsed = new Set(this.loadCollapsed());
    this.pending = 0;
    this.filter.addEventListener("input", () => this.render());
    this.filter.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.filter.value) {
        this.filter.value = "";
        this.render();
        event.stopPropagation();
      }
    });
    this.tree.addEventListener("click", (event) => this.toggle(event));
    if (this.form) {
      this.form.hidden = !store.canCode;
      this.form.addEventListener("submit", (event) => this.submitNewCode(event));
    }
    panel.hidden = false;
    this.render();
  }

  loadCollapsed() {
    try {
      return JSON.parse(localStorage.getItem(this.collapsedKey) ?? "[]");
    } catch {
      return [];
    }
  }

  saveCollapsed() {
    try {
      localStorage.setItem(this.collapsedKey, JSON.stringify([...this.collapsed]));
    } catch {
      // Collapsing then lasts for this visit only.
    }
  }

  /** Re-renders when the browser is idle, so counting a change never delays its repaint. */
  scheduleRender() {
    if (this.pending) return;
    const later = window.requestIdleCallback ?? ((callback) => setTimeout(callback, 50));
    this.pending = later(
      () => {
        this.pending = 0;
        this.render();
      },
      { timeout: 300 },
    );
  }

  /**
   * This document's counts per code, mine and all (the excerpts the page holds are the
   * ones the user may see). A parent counts its sub-codes' excerpts too, each excerpt once.
   */
  documentCounts() {
    const counts = new Map();
    for (const excerpt of this.store.excerpts) {
      if (excerpt.consensus) continue;
      const rolledUp = new Set();
      for (const id of excerpt.code_ids) {
        for (let c = this.store.code(id); c && !rolledUp.has(c.id); c = this.store.code(c.parent_id)) rolledUp.add(c.id);
      }
      const mine = this.store.isMine(excerpt);
      for (const id of rolledUp) {
        const count = counts.get(id) ?? { mine: 0, all: 0 };
        count.all += 1;
        if (mine) count.mine += 1;
        counts.set(id, count);
      }
    }
    return counts;
  }

  render() {
    const query = this.filter.value.trim().toLowerCase();
    const codes = this.store.codeList();
    this.counts = this.documentCounts();
    const children = new Map();
    for (const code of codes) {
      const parent = this.store.code(code.parent_id) ? code.parent_id : null;
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(code);
    }
    const shown = query ? this.matchesWithAncestors(codes, query) : null;
    const list = this.renderLevel(children, null, shown, query);
    if (codes.length === 0) {
      list.append(this.note("No codes yet."));
    } else if (shown && shown.size === 0) {
      list.append(this.note("No code matches."));
    }
    this.tree.replaceChildren(...list.childNodes);
  }

  note(text) {
    const item = document.createElement("li");
    item.className = "empty";
    item.textContent = text;
    return item;
  }

  /** Codes whose name or path contains the query, plus their ancestors (for context). */
  matchesWithAncestors(codes, query) {
    const shown = new Set();
    for (const code of codes) {
      if (!code.path.toLowerCase().includes(query)) continue;
      for (let c = code; c && !shown.has(c.id); c = this.store.code(c.parent_id)) shown.add(c.id);
    }
    return shown;
  }

  renderLevel(children, parentId, shown, query) {
    const list = document.createElement("ul");
    for (const code of children.get(parentId) ?? []) {
      if (shown && !shown.has(code.id)) continue;
      list.append(this.renderCode(code, children, shown, query));
    }
    return list;
  }

  renderCode(code, children, shown, query) {
    const item = document.createElement("li");
    item.dataset.codeId = String(code.id);
    const row = document.createElement("div");
    row.className = "code-row";
    const kids = children.get(code.id) ?? [];
    const open = Boolean(query) || !this.collapsed.has(code.id);
    if (kids.length > 0) {
      const toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "toggle";
      toggle.dataset.toggle = String(code.id);
      toggle.setAttribute("aria-expanded", String(open));
      toggle.setAttribute("aria-label", `${open ? "Collapse" : "Expand"} ${code.name}`);
      toggle.textContent = open ? "▾" : "▸";
      toggle.disabled = Boolean(query);
      row.append(toggle);
    } else {
      const spacer = document.createElement("span");
      spacer.className = "toggle-spacer";
      row.append(spacer);
    }
    const label = codeLabel(code);
    label.lastChild.textContent = code.name;
    if (query && !code.path.toLowerCase().includes(query)) label.classList.add("context");
    const name = code.id > 0 && this.store.urls.code_page ? document.createElement("a") : document.createElement("span");
    if (name.tagName === "A") name.href = this.store.urls.code_page + code.id;
    name.className = "code-name";
    name.append(label);
    if (code.description) name.title = code.description;
    const counts = document.createElement("span");
    counts.className = "counts";
    const here = this.counts.get(code.id) ?? { mine: 0, all: 0 };
    counts.textContent = `${here.mine} / ${here.all}`;
    const rollUp = kids.length > 0 ? " (with its sub-codes)" : "";
    counts.title =
      `This document${rollUp}: ${here.mine} excerpts coded by you · ${here.all} by all coders you can see. ` +
      `Whole project (this code alone): ${code.excerpts_mine} by you · ${code.excerpts_all} by all.`;
    row.append(name, counts);
    item.append(row);
    if (kids.length > 0 && open) item.append(this.renderLevel(children, code.id, shown, query));
    return item;
  }

  toggle(event) {
    const button = event.target.closest("[data-toggle]");
    if (!button) return;
    const id = Number(button.dataset.toggle);
    if (this.collapsed.has(id)) this.collapsed.delete(id);
    else this.collapsed.add(id);
    this.saveCollapsed();
    this.render();
    this.tree.querySelector(`[data-toggle="${id}"]`)?.focus();
  }

  submitNewCode(event) {
    event.preventDefault();
    const input = this.form.elements.namedItem("name");
    const parent = this.form.elements.namedItem("parent_id");
    const name = input.value.trim();
    if (!name) return;
    this.createCode(name, parent?.value ? Number(parent.value) : null);
    input.value = "";
    this.render();
  }

  /** The "New code under…" choices follow the codebook. */
  refreshParents() {
    const parent = this.form?.elements.namedItem("parent_id");
    if (!parent) return;
    const chosen = parent.value;
    const options = [new Option("top level", "")];
    for (const code of this.store.codeList()) {
      if (code.id > 0) options.push(new Option(`${"\u2003".repeat(code.depth)}${code.name}`, String(code.id)));
    }
    parent.replaceChildren(...options);
    parent.value = chosen;
  }

  focusFilter() {
    this.filter.focus();
    this.filter.select();
  }
}
