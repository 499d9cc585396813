// Whose coding the page shows: my coding, all coders, one coder, or the consensus set.
// The coders are those with excerpts on this page (in blind projects the server sends only
// one's own). The choice lasts for the browser session, per project.

import { CODER_VIEW_PREFIX, VIEW_ALL, VIEW_CONSENSUS, VIEW_MINE } from "./store.js";

export class ViewFilter {
  /**
   * @param {HTMLSelectElement} select
   * @param {import("./store.js").Store} store
   * @param {() => void} changed repaints everything
   */
  constructor(select, store, changed) {
    this.select = select;
    this.store = store;
    this.changed = changed;
    this.storageKey = `gloss:view:${store.document.project_id}`;
    this.populate();
    const saved = sessionStorage.getItem(this.storageKey);
    this.set(saved && this.has(saved) ? saved : VIEW_ALL, { quiet: true });
    select.addEventListener("change", () => this.set(select.value));
  }

  /** Rebuilds the choices (after a reload from the server, new coders may appear). */
  populate() {
    const { names, consensus } = this.store.coders();
    const options = [];
    if (this.store.canCode) options.push(new Option("My coding", VIEW_MINE));
    options.push(new Option(this.store.me.sees_all_coders ? "All coders" : "All I can see", VIEW_ALL));
    if (this.store.me.sees_all_coders && names.length > 0) {
      const group = document.createElement("optgroup");
      group.label = "One coder";
      for (const name of names) {
        const label = name === this.store.me.username ? `${name} (you)` : name;
        group.append(new Option(label, CODER_VIEW_PREFIX + name));
      }
      options.push(group);
    }
    if (consensus) options.push(new Option("Consensus", VIEW_CONSENSUS));
    const current = this.select.value;
    this.select.replaceChildren(...options);
    if (current && this.has(current)) this.select.value = current;
  }

  has(value) {
    return Array.from(this.select.options).some((option) => option.value === value);
  }

  /** Shows `value`'s coding (if it is one of the choices). */
  set(value, { quiet = false } = {}) {
    if (!this.has(value)) return;
    this.select.value = value;
    this.store.view = value;
    sessionStorage.setItem(this.storageKey, value);
    if (!quiet) this.changed();
  }
}
