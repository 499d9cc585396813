// The codes this user applied most recently in this project, for the number keys 1–9.
// Remembered in localStorage per project; on a first visit, seeded from the user's own
// excerpts on the page, most recently changed first.

const SHORTCUTS = 9;

export class RecentCodes {
  /** @param {import("./store.js").Store} store */
  constructor(store) {
    this.store = store;
    this.storageKey = `gloss:recent-codes:${store.document.project_id}`;
    this.ids = this.load();
  }

  load() {
    try {
      const saved = JSON.parse(localStorage.getItem(this.storageKey) ?? "[]");
      if (Array.isArray(saved) && saved.length > 0) return saved.filter(Number.isInteger);
    } catch {
      // Unreadable storage: start from the page's excerpts.
    }
    const mine = Array.from(this.store.excerpts)
      .filter((excerpt) => this.store.isMine(excerpt))
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at));
    const ids = [];
    for (const excerpt of mine) {
      for (const id of excerpt.code_ids) if (!ids.includes(id)) ids.push(id);
    }
    return ids.slice(0, SHORTCUTS);
  }

  /** Up to nine existing codes, most recent first; index i has shortcut key i + 1. */
  list() {
    return this.ids
      .map((id) => this.store.code(id))
      .filter(Boolean)
      .slice(0, SHORTCUTS);
  }

  /** The code for number key `digit` (1–9), if any. */
  forKey(digit) {
    return this.list()[digit - 1] ?? null;
  }

  use(id) {
    this.ids = [id, ...this.ids.filter((other) => other !== id)].slice(0, SHORTCUTS * 2);
    this.save();
  }

  rename(oldId, newId) {
    this.ids = this.ids.map((id) => (id === oldId ? newId : id));
    this.save();
  }

  save() {
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(this.ids.filter((id) => id > 0)));
    } catch {
      // Storage full or disabled: recent codes then last for this visit only.
    }
  }
}
