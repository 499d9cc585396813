// The code picker: a combobox that opens at the selection. Typing filters the codebook,
// ↑/↓ move through the options, Enter applies the active one, a new name offers
// “Create “name””, and with an empty filter the number keys apply the recent codes.
// Focus stays in the text field; the active option is announced via aria-activedescendant.

import { codeLabel } from "./tooltip.js";

const MAX_OPTIONS = 60;

/** Lower is better: exact name, name prefix, word prefix, anywhere in the path. */
function matchRank(code, query) {
  const name = code.name.toLowerCase();
  if (name === query) return 0;
  if (name.startsWith(query)) return 1;
  if (name.split(/[\s\-_/]+/).some((word) => word.startsWith(query))) return 2;
  if (name.includes(query)) return 3;
  if (code.path.toLowerCase().includes(query)) return 4;
  return -1;
}

export class Picker {
  /**
   * @param {object} options
   * @param {import("./store.js").Store} options.store
   * @param {import("./recent-codes.js").RecentCodes} options.recent
   * @param {(codeId: number, target: object) => void} options.apply
   * @param {(name: string, target: object) => void} options.create
   * @param {(applied: boolean, target: object, returnFocus: boolean) => void} options.closed
   */
  constructor({ store, recent, apply, create, closed }) {
    this.store = store;
    this.recent = recent;
    this.callbacks = { apply, create, closed };
    this.options = [];
    this.active = 0;
    this.target = null;
    this.build();
  }

  build() {
    this.el = document.createElement("div");
    this.el.className = "picker";
    this.el.setAttribute("role", "dialog");
    this.el.setAttribute("aria-label", "Apply a code");
    this.el.hidden = true;
    this.input = document.createElement("input");
    Object.assign(this.input, {
      id: "picker-input",
      type: "text",
      autocomplete: "off",
      spellcheck: false,
      placeholder: "Find or create a code…",
    });
    this.input.setAttribute("role", "combobox");
    this.input.setAttribute("aria-autocomplete", "list");
    this.input.setAttribute("aria-expanded", "true");
    this.input.setAttribute("aria-controls", "picker-list");
    this.input.setAttribute("aria-label", "Code to apply");
    this.list = document.createElement("ul");
    this.list.id = "picker-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "Codes");
    const hint = document.createElement("p");
    hint.className = "picker-hint";
    hint.textContent = "↑↓ choose · Enter apply · 1–9 recent · Esc close";
    this.el.append(this.input, this.list, hint);
    document.body.append(this.el);

    this.input.addEventListener("input", () => this.refresh());
    this.input.addEventListener("keydown", (event) => this.key(event));
    // Keep focus in the field when an option is clicked.
    this.list.addEventListener("mousedown", (event) => event.preventDefault());
    this.list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.choose(Number(option.dataset.index));
    });
    // Clicking elsewhere closes the picker and leaves focus where the user put it.
    this.el.addEventListener("focusout", (event) => {
      if (!this.el.contains(event.relatedTarget)) this.close(false, { returnFocus: false });
    });
  }

  get isOpen() {
    return !this.el.hidden;
  }

  /**
   * Opens below (or above) `anchor`, a viewport rectangle, to code `target`: `{span}` for
   * a selection or `{excerpt}` for an open excerpt.
   */
  open(anchor, target) {
    this.target = target;
    this.input.value = "";
    this.el.hidden = false;
    this.refresh();
    this.place(anchor);
    this.input.focus({ preventScroll: true });
  }

  /** Closes; `returnFocus` (after a key or a choice) sends focus back where coding began. */
  close(applied, { returnFocus = true } = {}) {
    if (!this.isOpen) return;
    this.el.hidden = true;
    this.input.removeAttribute("aria-activedescendant");
    const target = this.target;
    this.target = null;
    this.callbacks.closed(applied, target, returnFocus);
  }

  place(anchor) {
    const width = this.el.offsetWidth;
    const height = this.el.offsetHeight;
    const below = anchor.bottom + 6;
    const top = below + height > window.innerHeight && anchor.top - height - 6 > 0 ? anchor.top - height - 6 : below;
    const left = Math.max(8, Math.min(anchor.left, window.innerWidth - width - 8));
    this.el.style.top = `${top + window.scrollY}px`;
    this.el.style.left = `${left + window.scrollX}px`;
  }

  appliedIds() {
    return new Set(this.target?.excerpt?.code_ids ?? []);
  }

  /** Rebuilds the options for the current filter text. */
  refresh() {
    const query = this.input.value.trim();
    this.options = query ? this.matching(query) : this.unfiltered();
    this.active = 0;
    this.render();
  }

  unfiltered() {
    const recent = this.recent.list();
    const options = recent.map((code, i) => ({ code, shortcut: i + 1 }));
    for (const code of this.store.codeList()) {
      if (!recent.includes(code)) options.push({ code });
    }
    return options.slice(0, MAX_OPTIONS);
  }

  matching(query) {
    const lower = query.toLowerCase();
    const ranked = this.store
      .codeList()
      .map((code) => ({ code, rank: matchRank(code, lower) }))
      .filter((option) => option.rank >= 0)
      .sort((a, b) => a.rank - b.rank)
      .slice(0, MAX_OPTIONS);
    const exists = this.store
      .codeList()
      .some((code) => code.parent_id === null && code.name.toLowerCase() === lower);
    if (exists || !this.store.canCode) return ranked;
    const create = { create: query };
    // A new name is the natural choice only when nothing matches.
    return ranked.length ? [...ranked, create] : [create];
  }

  render() {
    const applied = this.appliedIds();
    const items = this.options.map((option, index) => {
      const item = document.createElement("li");
      item.id = `picker-option-${index}`;
      item.dataset.index = String(index);
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(index === this.active));
      if (option.create !== undefined) {
        item.className = "create";
        item.textContent = `Create “${option.create}”`;
        return item;
      }
      if (option.shortcut) {
        const key = document.createElement("kbd");
        key.textContent = String(option.shortcut);
        item.append(key);
      }
      const label = codeLabel(option.code);
      label.style.paddingLeft = this.input.value ? "" : `${option.shortcut ? 0 : option.code.depth}em`;
      item.append(label);
      if (applied.has(option.code.id)) {
        item.classList.add("applied");
        const mark = document.createElement("span");
        mark.className = "applied-mark";
        mark.textContent = "✓ applied";
        item.append(mark);
      }
      return item;
    });
    if (items.length === 0) {
      const empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = "No codes yet: type a name to create one.";
      items.push(empty);
    }
    this.list.replaceChildren(...items);
    this.highlightActive();
  }

  highlightActive() {
    const current = this.list.querySelector(`#picker-option-${this.active}`);
    for (const option of this.list.querySelectorAll("[aria-selected=true]")) {
      option.setAttribute("aria-selected", "false");
    }
    if (!current) {
      this.input.removeAttribute("aria-activedescendant");
      return;
    }
    current.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", current.id);
    this.scrollListTo(current);
  }

  /** Scrolls only the list (never the page) so the active option is visible. */
  scrollListTo(option) {
    const top = option.offsetTop - this.list.offsetTop;
    const bottom = top + option.offsetHeight;
    if (top < this.list.scrollTop) this.list.scrollTop = top;
    else if (bottom > this.list.scrollTop + this.list.clientHeight) this.list.scrollTop = bottom - this.list.clientHeight;
  }

  move(delta) {
    if (this.options.length === 0) return;
    this.active = (this.active + delta + this.options.length) % this.options.length;
    this.highlightActive();
  }

  key(event) {
    switch (event.key) {
      case "ArrowDown":
        this.move(1);
        break;
      case "ArrowUp":
        this.move(-1);
        break;
      case "Home":
        if (this.input.value) return;
        this.active = 0;
        this.highlightActive();
        break;
      case "End":
        if (this.input.value) return;
        this.active = Math.max(0, this.options.length - 1);
        this.highlightActive();
        break;
      case "Enter":
        this.choose(this.active);
        break;
      case "Escape":
        this.close(false);
        break;
      case "Tab":
        this.close(false);
        break;
      default:
        if (this.applyShortcut(event)) break;
        return;
    }
    event.preventDefault();
  }

  /** With an empty filter, 1–9 apply the recent codes. */
  applyShortcut(event) {
    if (this.input.value !== "" || !/^[1-9]$/.test(event.key) || event.ctrlKey || event.metaKey || event.altKey) {
      return false;
    }
    const code = this.recent.forKey(Number(event.key));
    if (!code) return false;
    this.finish(() => this.callbacks.apply(code.id, this.target));
    return true;
  }

  choose(index) {
    const option = this.options[index];
    if (!option) return;
    if (option.create !== undefined) {
      this.finish(() => this.callbacks.create(option.create, this.target));
    } else {
      this.finish(() => this.callbacks.apply(option.code.id, this.target));
    }
  }

  /** Runs the chosen action with the target, then closes as "applied". */
  finish(action) {
    action();
    this.close(true);
  }
}
