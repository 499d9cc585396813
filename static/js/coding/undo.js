// Undo for this user's last actions on this page. Each entry knows how to reverse itself
// with the same actions the user has (create ↔ delete, add ↔ remove a code, the previous
// memo or boundaries), so an undo is saved through the API like any other change.

const LIMIT = 100;

export class UndoStack {
  constructor(changed = () => {}) {
    /** @type {Array<{label: string, revert: () => void, excerpt?: object, kind?: string}>} */
    this.entries = [];
    this.changed = changed;
  }

  push(entry) {
    this.entries.push(entry);
    if (this.entries.length > LIMIT) this.entries.shift();
    this.changed();
  }

  /** The most recent entry, e.g. to merge consecutive memo edits into one. */
  peek() {
    return this.entries.at(-1);
  }

  get label() {
    return this.peek()?.label ?? null;
  }

  /** Reverts the most recent action; returns its label, or null when there is none. */
  undo() {
    const entry = this.entries.pop();
    if (!entry) return null;
    entry.revert();
    this.changed();
    return entry.label;
  }

  clear() {
    this.entries = [];
    this.changed();
  }
}
