// The sidebar list of this document's excerpts in the current view, by position, filtered
// by code and coder: each entry jumps to its passage (selects it, scrolls to it and opens
// the excerpt panel), so going back to one's coding needs no scrolling through the text.

export class ExcerptList {
  /**
   * @param {Element} panel the server-rendered `#excerpt-list`
   * @param {object} parts
   * @param {import("./store.js").Store} parts.store
   * @param {(start: number, end: number) => string} parts.textOf
   * @param {(excerpt: object) => void} parts.jump
   */
  constructor(panel, { store, textOf, jump }) {
    this.panel = panel;
    this.store = store;
    this.textOf = textOf;
    this.jump = jump;
    this.list = panel.querySelector("[data-excerpt-items]");
    this.codeFilter = panel.querySelector("[data-excerpt-code]");
    this.coderFilter = panel.querySelector("[data-excerpt-coder]");
    this.count = panel.querySelector("[data-excerpt-count]");
    for (const select of [this.codeFilter, this.coderFilter]) select.addEventListener("change", () => this.render());
    this.list.addEventListener("click", (event) => {
      const item = event.target.closest("[data-excerpt-key]");
      const excerpt = item && this.store.byKey(Number(item.dataset.excerptKey));
      if (excerpt) this.jump(excerpt);
    });
    this.pending = 0;
    panel.hidden = false;
    // The text comes from the laid-out transcript: list once the page is built.
    this.scheduleRender();
  }

  scheduleRender() {
    if (this.pending) return;
    const later = window.requestIdleCallback ?? ((callback) => setTimeout(callback, 50));
    this.pending = later(() => {
      this.pending = 0;
      this.render();
    });
  }

  /** Keeps a select's options to `choices` ([value, label]), keeping the chosen one. */
  refill(select, choices, everything) {
    const chosen = select.value;
    const options = [new Option(everything, ""), ...choices.map(([value, label]) => new Option(label, value))];
    select.replaceChildren(...options);
    select.value = choices.some(([value]) => value === chosen) ? chosen : "";
  }

  render() {
    const excerpts = this.store.visibleExcerpts();
    const codeIds = new Set(excerpts.flatMap((e) => e.code_ids));
    const codes = this.store.codeList().filter((c) => codeIds.has(c.id));
    this.refill(this.codeFilter, codes.map((c) => [String(c.id), c.path]), "every code");
    const coders = [...new Set(excerpts.map((e) => (e.consensus ? "consensus" : e.coder)))].sort();
    this.refill(this.coderFilter, coders.map((c) => [c, c]), "every coder");
    const code = Number(this.codeFilter.value) || null;
    const coder = this.coderFilter.value;
    const shown = excerpts.filter(
      (e) => (!code || e.code_ids.includes(code)) && (!coder || (e.consensus ? "consensus" : e.coder) === coder),
    );
    this.count.textContent = `${shown.length} of ${excerpts.length}`;
    this.list.replaceChildren(...shown.map((e) => this.item(e)));
  }

  item(excerpt) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link excerpt-jump";
    button.dataset.excerptKey = String(excerpt.key);
    const names = excerpt.code_ids.map((id) => this.store.code(id)?.name ?? "?").join(", ") || "(no code)";
    const who = excerpt.consensus ? "consensus" : excerpt.coder;
    const text = this.textOf(excerpt.start, excerpt.end).replace(/\s+/g, " ");
    const snippet = text.length > 60 ? `${text.slice(0, 59)}…` : text;
    button.textContent = `${names} · ${who}: “${snippet}”`;
    button.title = `Characters ${excerpt.start}–${excerpt.end}`;
    li.append(button);
    return li;
  }
}
