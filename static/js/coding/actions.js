// What a coder can do to excerpts and the codebook. Every action changes the page at once
// (optimistically), queues its API request (which marks the excerpt unsaved), repaints just
// the text it touches, and records how to undo it. Undo runs the opposite action with
// `record: false`.

import { ExcerptRecord } from "./store.js";

let nextTemporaryCodeId = -1;

/** Ids and versions are resolved when a request is sent, not when it is queued. */
const NO_RECORD = { record: false };

export class Actions {
  /**
   * @param {object} parts
   * @param {import("./store.js").Store} parts.store
   * @param {import("./save-queue.js").SaveQueue} parts.queue
   * @param {import("./undo.js").UndoStack} parts.undo
   * @param {ReturnType<import("./api.js").endpoints>} parts.endpoints
   * @param {(spans: Array<{start: number, end: number}>) => void} parts.repaint
   * @param {(start: number, end: number) => string} parts.textOf document text of a span
   * @param {(message: string) => void} parts.announce
   * @param {import("./recent-codes.js").RecentCodes} parts.recent
   */
  constructor(parts) {
    Object.assign(this, parts);
    /** Temporary code ids (negative, before the server answers) → the server's ids. */
    this.codeAliases = new Map();
  }

  resolveCode(id) {
    return this.codeAliases.get(id) ?? id;
  }

  codeName(id) {
    return this.store.code(this.resolveCode(id))?.name ?? "code";
  }

  /**
   * Applies a code to my excerpt with exactly this span (adding it there) or to a new
   * excerpt. Returns the excerpt.
   */
  applyToSpan(codeId, span) {
    const existing = this.store.myExcerptWithSpan(span.start, span.end);
    if (existing) return this.applyToExcerpt(codeId, existing);
    const started = performance.now();
    const excerpt = this.createExcerpt({ start: span.start, end: span.end, code_ids: [codeId], memo: "" });
    this.recent.use(this.resolveCode(codeId));
    performance.measure("gloss:apply-code", { start: started });
    return excerpt;
  }

  applyToExcerpt(codeId, excerpt) {
    const started = performance.now();
    const id = this.resolveCode(codeId);
    if (excerpt.code_ids.includes(id)) {
      this.announce(`“${this.codeName(id)}” is already on this excerpt.`);
    } else {
      this.addCodes(excerpt, [id]);
    }
    this.recent.use(id);
    performance.measure("gloss:apply-code", { start: started });
    return excerpt;
  }

  createExcerpt(fields, { record = true, reuse = null } = {}) {
    const codeIds = fields.code_ids.map((id) => this.resolveCode(id));
    const excerpt =
      reuse ??
      new ExcerptRecord({ coder: this.store.me.username, consensus: false, code_ids: [] });
    Object.assign(excerpt, {
      start: fields.start,
      end: fields.end,
      code_ids: [...codeIds],
      memo: fields.memo,
      text: this.textOf(fields.start, fields.end),
    });
    this.store.excerpts.add(excerpt);
    this.store.countCodeUse(excerpt, codeIds, +1);
    const label = codeIds.length
      ? `Code “${codeIds.map((id) => this.codeName(id)).join("”, “")}”`
      : "Create excerpt";
    this.queue.enqueue({
      label,
      excerpt,
      build: () =>
        this.endpoints.createExcerpt({
          start: fields.start,
          end: fields.end,
          code_ids: codeIds.map((id) => this.resolveCode(id)),
          memo: fields.memo,
        }),
      done: (json, more) => excerpt.adoptServer(json, { codesAndMemo: !more }),
    });
    this.repaint([excerpt]);
    if (record) {
      this.undo.push({ label, kind: "create", excerpt, revert: () => this.deleteExcerpt(excerpt, NO_RECORD) });
    }
    this.announce(`${label}: saved as a new excerpt.`);
    return excerpt;
  }

  deleteExcerpt(excerpt, { record = true } = {}) {
    const snapshot = { start: excerpt.start, end: excerpt.end, code_ids: [...excerpt.code_ids], memo: excerpt.memo };
    this.store.excerpts.delete(excerpt);
    this.store.countCodeUse(excerpt, excerpt.code_ids, -1);
    this.queue.enqueue({
      label: "Delete excerpt",
      excerpt,
      // The id is read when sent: a create still in the queue will have set it by then.
      build: () => this.endpoints.deleteExcerpt(excerpt.id),
      done: () => {},
    });
    this.repaint([snapshot]);
    if (record) {
      this.undo.push({
        label: "Delete excerpt",
        kind: "delete",
        excerpt,
        revert: () => this.createExcerpt(snapshot, { record: false, reuse: excerpt }),
      });
    }
    this.announce("Excerpt deleted. Press Ctrl+Z to undo.");
  }

  addCodes(excerpt, ids, { record = true } = {}) {
    const added = ids.map((id) => this.resolveCode(id)).filter((id) => !excerpt.code_ids.includes(id));
    if (added.length === 0) return;
    excerpt.code_ids.push(...added);
    this.store.countCodeUse(excerpt, added, +1);
    this.changeCodes(excerpt, { add_code_ids: added }, `Add “${added.map((id) => this.codeName(id)).join("”, “")}”`, record, () =>
      this.removeCodes(excerpt, added, NO_RECORD),
    );
  }

  removeCodes(excerpt, ids, { record = true } = {}) {
    const removed = ids.map((id) => this.resolveCode(id)).filter((id) => excerpt.code_ids.includes(id));
    if (removed.length === 0) return;
    excerpt.code_ids = excerpt.code_ids.filter((id) => !removed.includes(id));
    this.store.countCodeUse(excerpt, removed, -1);
    this.changeCodes(excerpt, { remove_code_ids: removed }, `Remove “${removed.map((id) => this.codeName(id)).join("”, “")}”`, record, () =>
      this.addCodes(excerpt, removed, NO_RECORD),
    );
  }

  changeCodes(excerpt, delta, label, record, revert) {
    this.queue.enqueue({
      label,
      excerpt,
      build: () => {
        const body = { version: excerpt.version };
        for (const [field, ids] of Object.entries(delta)) body[field] = ids.map((id) => this.resolveCode(id));
        return this.endpoints.updateExcerpt(excerpt.id, body);
      },
      done: (json, more) => excerpt.adoptServer(json, { codesAndMemo: !more }),
    });
    this.repaint([excerpt]);
    if (record) this.undo.push({ label, kind: "codes", excerpt, revert });
    this.announce(`${label}: done.`);
  }

  /**
   * Sets an excerpt's memo. Successive saves while the memo is being edited (`sameEdit`)
   * are one undo step back to the memo before the edit.
   */
  setMemo(excerpt, memo, { record = true, sameEdit = false } = {}) {
    const before = excerpt.memo;
    if (memo === before) return;
    excerpt.memo = memo;
    this.queue.enqueue({
      label: "Save memo",
      excerpt,
      build: () => this.endpoints.updateExcerpt(excerpt.id, { memo, version: excerpt.version }),
      done: (json, more) => excerpt.adoptServer(json, { codesAndMemo: !more }),
    });
    this.repaint([excerpt]);
    if (!record) return;
    const top = this.undo.peek();
    if (sameEdit && top?.kind === "memo" && top.excerpt === excerpt) return;
    this.undo.push({ label: "Edit memo", kind: "memo", excerpt, revert: () => this.setMemo(excerpt, before, NO_RECORD) });
  }

  /** Moves an excerpt's boundaries (the server trims whitespace, as for a new excerpt). */
  setSpan(excerpt, start, end, { record = true } = {}) {
    const before = { start: excerpt.start, end: excerpt.end };
    if (start === before.start && end === before.end) return;
    excerpt.start = start;
    excerpt.end = end;
    excerpt.text = this.textOf(start, end);
    this.queue.enqueue({
      label: "Change boundaries",
      excerpt,
      build: () => this.endpoints.updateExcerpt(excerpt.id, { start, end, version: excerpt.version }),
      // Should the server trim differently, the save queue repaints the excerpt.
      done: (json, more) => excerpt.adoptServer(json, { codesAndMemo: !more }),
    });
    this.repaint([before, excerpt]);
    if (record) {
      this.undo.push({
        label: "Change boundaries",
        kind: "span",
        excerpt,
        revert: () => this.setSpan(excerpt, before.start, before.end, NO_RECORD),
      });
    }
    this.announce("Boundaries changed.");
  }

  /**
   * Creates a code (top-level unless `parentId`). It can be applied at once: until the
   * server answers it has a temporary id, which requests queued after it resolve to the
   * real one.
   */
  createCode(name, parentId = null) {
    const temporaryId = nextTemporaryCodeId--;
    const parent = parentId === null ? null : this.store.code(parentId);
    const code = {
      id: temporaryId,
      parent_id: parent ? parent.id : null,
      name,
      path: parent ? `${parent.path} > ${name}` : name,
      depth: parent ? parent.depth + 1 : 0,
      color: "#9a9ca1",
      description: "",
      excerpts_mine: 0,
      excerpts_all: 0,
    };
    this.store.addCode(code);
    this.queue.enqueue({
      label: `Create code “${name}”`,
      build: () => this.endpoints.createCode({ name, parent_id: code.parent_id }),
      done: (json) => {
        this.codeAliases.set(temporaryId, json.id);
        const saved = { ...json, excerpts_mine: code.excerpts_mine, excerpts_all: code.excerpts_all };
        this.store.renameCodeId(temporaryId, saved);
        this.recent.rename(temporaryId, json.id);
        this.repaint(
          Array.from(this.store.excerpts).filter((excerpt) => excerpt.code_ids.includes(json.id)),
          { codebookChanged: true },
        );
      },
    });
    this.announce(`Created code “${name}”.`);
    return code;
  }

  /** Reverts the last action; returns false when there was nothing to undo. */
  undoLast() {
    const label = this.undo.undo();
    if (label === null) {
      this.announce("Nothing to undo.");
      return false;
    }
    this.announce(`Undone: ${label}.`);
    return true;
  }
}
