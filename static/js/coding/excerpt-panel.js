// The excerpt panel: opened by clicking coded text or a stripe (or Enter/E at the caret).
// It lists the excerpt's codes by name, and for one's own excerpt offers removing and
// adding codes, the memo, boundary steps and deletion. Others' excerpts are read-only.

import { codeLabel } from "./tooltip.js";

const MEMO_SAVE_DELAY_MS = 900;
const QUOTE_LIMIT = 400;

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function button(text, dataset, label) {
  const el = element("button", "", text);
  el.type = "button";
  Object.assign(el.dataset, dataset);
  if (label) el.setAttribute("aria-label", label);
  return el;
}

export class ExcerptPanel {
  /**
   * @param {Element} panel the server-rendered `#excerpt-panel`
   * @param {object} parts
   * @param {import("./store.js").Store} parts.store
   * @param {import("./actions.js").Actions} parts.actions
   * @param {import("./words.js").Words} parts.words
   * @param {() => ({start: number, end: number} | null)} parts.selectionSpan
   * @param {(start: number, end: number) => string} parts.textOf the document's text
   * @param {(excerpt: object, anchor: DOMRect) => void} parts.pickCode opens the picker
   * @param {(excerpt: object|null) => void} parts.closed focus goes back to the text
   * @param {(excerpt: object|null) => void} parts.showing marks the open excerpt in the text
   */
  constructor(panel, parts) {
    this.panel = panel;
    Object.assign(this, parts);
    this.excerpt = null;
    this.choices = [];
    this.memoTimer = 0;
    this.memoEditing = false;
    panel.addEventListener("click", (event) => this.click(event));
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  /**
   * Shows `excerpt`; `choices` are all excerpts at the clicked place (to switch between).
   * Focus moves to the panel's heading unless `focus` is false.
   */
  open(excerpt, choices = [excerpt], { focus = true } = {}) {
    this.flushMemo();
    this.excerpt = excerpt;
    this.choices = choices.length > 1 ? choices : [];
    this.panel.hidden = false;
    this.build();
    this.showing(excerpt);
    if (focus) this.panel.querySelector("h2").focus({ preventScroll: false });
  }

  close() {
    if (!this.isOpen) return;
    this.flushMemo();
    const excerpt = this.excerpt;
    this.panel.hidden = true;
    this.excerpt = null;
    this.showing(null);
    this.closed(excerpt);
  }

  /** Builds the panel for the current excerpt (the memo field is kept while typing). */
  build() {
    const excerpt = this.excerpt;
    const editable = this.store.canEdit(excerpt);
    const head = element("div", "panel-head");
    const heading = element("h2", "", "Excerpt");
    heading.id = "excerpt-panel-heading";
    heading.tabIndex = -1;
    head.append(heading, button("Close", { close: "" }, "Close excerpt panel"));
    const parts = [head];
    if (this.choices.length > 0) parts.push(this.renderChoices());
    parts.push(element("p", "excerpt-meta"), element("blockquote", "excerpt-quote"));
    const codesHeading = element("h3", "", "Codes");
    const codes = element("ul", "excerpt-codes");
    parts.push(codesHeading, codes);
    if (editable) parts.push(button("Add code…", { addCode: "" }));
    parts.push(this.renderMemo(editable));
    if (editable) {
      const remove = button("Delete excerpt", { delete: "" });
      remove.className = "danger";
      parts.push(this.renderBoundaries(), remove);
    }
    this.panel.replaceChildren(...parts);
    this.panel.dataset.excerptKey = String(excerpt.key);
    this.refresh();
  }

  renderChoices() {
    const box = element("div", "here");
    box.append(element("p", "muted", `${this.choices.length} excerpts cover this place:`));
    const list = element("ul");
    for (const choice of this.choices) {
      const names = this.store.sortCodeIds(choice.code_ids).map((id) => this.store.code(id)?.name ?? "?");
      const who = choice.consensus ? "consensus" : choice.coder;
      const item = element("li");
      const choose = button(`${names.join(", ") || "(no code)"} · ${who}`, { choose: String(choice.key) });
      choose.setAttribute("aria-pressed", String(choice === this.excerpt));
      item.append(choose);
      list.append(item);
    }
    box.append(list);
    return box;
  }

  renderMemo(editable) {
    if (!editable) {
      const memo = element("div", "memo-view");
      memo.append(element("h3", "", "Memo"), element("p", "memo", ""));
      return memo;
    }
    const label = element("label", "memo-field", "Memo");
    const field = element("textarea");
    field.rows = 3;
    field.dataset.memo = "";
    field.value = this.excerpt.memo;
    field.addEventListener("focus", () => {
      this.memoEditing = false;
    });
    field.addEventListener("input", () => {
      clearTimeout(this.memoTimer);
      this.memoTimer = setTimeout(() => this.flushMemo(), MEMO_SAVE_DELAY_MS);
    });
    field.addEventListener("change", () => this.flushMemo());
    label.append(field);
    return label;
  }

  renderBoundaries() {
    const box = element("fieldset", "boundaries");
    box.append(element("legend", "", "Boundaries"));
    const startRow = element("div", "bound-row");
    startRow.append(
      element("span", "bound-label", "Start"),
      button("← Extend", { bound: "extend-start" }, "Extend start by a word"),
      button("Shrink →", { bound: "shrink-start" }, "Shrink start by a word"),
    );
    const endRow = element("div", "bound-row");
    endRow.append(
      element("span", "bound-label", "End"),
      button("← Shrink", { bound: "shrink-end" }, "Shrink end by a word"),
      button("Extend →", { bound: "extend-end" }, "Extend end by a word"),
    );
    const fromSelection = button("Set to current selection", { bound: "selection" });
    box.append(startRow, endRow, fromSelection);
    return box;
  }

  /** Updates what may have changed (codes, text, saving state) without rebuilding. */
  refresh() {
    if (!this.isOpenFor(this.excerpt)) return;
    const excerpt = this.excerpt;
    if (!this.store.excerpts.has(excerpt)) {
      // Deleted (e.g. its creation was undone): nothing left to show.
      this.close();
      return;
    }
    const editable = this.store.canEdit(excerpt);
    const who = excerpt.consensus ? "Consensus" : `By ${excerpt.coder}${this.store.isMine(excerpt) ? " (you)" : ""}`;
    const state = excerpt.unsaved ? " · saving…" : "";
    this.panel.querySelector(".excerpt-meta").textContent = `${who}${editable ? "" : " · read-only"}${state}`;
    // The page's data leaves excerpts' text out (the transcript shows it): take it from there.
    const full = excerpt.text || this.textOf(excerpt.start, excerpt.end);
    const text = full.length > QUOTE_LIMIT ? `${full.slice(0, QUOTE_LIMIT)}…` : full;
    this.panel.querySelector(".excerpt-quote").textContent = text;
    this.panel.querySelector(".excerpt-codes").replaceChildren(...this.renderCodes(excerpt, editable));
    const memoField = this.panel.querySelector("[data-memo]");
    if (memoField && document.activeElement !== memoField && memoField.value !== excerpt.memo) {
      memoField.value = excerpt.memo;
    }
    const memoView = this.panel.querySelector(".memo-view .memo");
    if (memoView) memoView.textContent = excerpt.memo || "No memo.";
    this.updateSelectionButton();
  }

  renderCodes(excerpt, editable) {
    const ids = this.store.sortCodeIds(excerpt.code_ids);
    if (ids.length === 0) return [element("li", "empty", "No codes.")];
    return ids.map((id) => {
      const code = this.store.code(id);
      const item = element("li");
      item.dataset.codeId = String(id);
      item.append(codeLabel(code));
      if (editable) {
        const remove = button("Remove", { remove: String(id) }, `Remove code ${code?.name ?? ""}`);
        remove.className = "link";
        item.append(remove);
      }
      return item;
    });
  }

  isOpenFor(excerpt) {
    return this.isOpen && excerpt !== null && this.excerpt === excerpt;
  }

  /** Enables "Set to current selection" only when the text has a selection. */
  updateSelectionButton() {
    const set = this.panel.querySelector('[data-bound="selection"]');
    if (set) set.disabled = this.selectionSpan() === null;
  }

  click(event) {
    const target = event.target.closest("button");
    if (!target || !this.excerpt) return;
    const excerpt = this.excerpt;
    const data = target.dataset;
    if ("close" in data) this.close();
    else if ("choose" in data) this.open(this.store.byKey(Number(data.choose)), this.choices);
    else if ("addCode" in data) this.pickCode(excerpt, target.getBoundingClientRect());
    else if ("remove" in data) this.removeCode(excerpt, Number(data.remove));
    else if ("bound" in data) this.moveBoundary(excerpt, data.bound);
    else if ("delete" in data) {
      this.actions.deleteExcerpt(excerpt);
      this.close();
    }
  }

  removeCode(excerpt, id) {
    this.actions.removeCodes(excerpt, [id]);
    this.refresh();
    const next = this.panel.querySelector("[data-remove]") ?? this.panel.querySelector("[data-add-code]");
    next?.focus();
  }

  moveBoundary(excerpt, which) {
    let { start, end } = excerpt;
    if (which === "extend-start") start = this.words.extendStart(start);
    else if (which === "shrink-start") start = this.words.shrinkStart(start, end);
    else if (which === "shrink-end") end = this.words.shrinkEnd(start, end);
    else if (which === "extend-end") end = this.words.extendEnd(end);
    else if (which === "selection") ({ start, end } = this.selectionSpan() ?? excerpt);
    if (start < end) this.actions.setSpan(excerpt, start, end);
    this.refresh();
  }

  /** Saves a changed memo now (on blur, after a pause in typing, or before closing). */
  flushMemo() {
    clearTimeout(this.memoTimer);
    const field = this.panel.querySelector("[data-memo]");
    if (!field || !this.excerpt || field.value === this.excerpt.memo) return;
    this.actions.setMemo(this.excerpt, field.value, { sameEdit: this.memoEditing });
    this.memoEditing = true;
  }
}
