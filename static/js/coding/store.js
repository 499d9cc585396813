// What the page knows: the codebook, this document's excerpts, who is coding and which
// coders' excerpts are shown. Changes are made here first (optimistically) and saved by
// the save queue; renderers read from here.

/** Views of whose coding is shown: `mine`, `all`, `consensus` or `coder:NAME`. */
export const VIEW_MINE = "mine";
export const VIEW_ALL = "all";
export const VIEW_CONSENSUS = "consensus";
export const CODER_VIEW_PREFIX = "coder:";

let nextKey = 1;

/**
 * One excerpt as the page holds it. `key` is stable for the page's lifetime; `id` is the
 * server's (null until a create is saved, and new after an undone delete is re-created).
 */
export class ExcerptRecord {
  constructor(json) {
    this.key = nextKey++;
    this.id = json.id ?? null;
    this.start = json.start;
    this.end = json.end;
    this.code_ids = [...(json.code_ids ?? [])];
    this.memo = json.memo ?? "";
    this.coder = json.coder;
    this.consensus = Boolean(json.consensus);
    this.version = json.version ?? 0;
    this.text = json.text ?? "";
    this.created_at = json.created_at ?? "";
    this.updated_at = json.updated_at ?? "";
    /** Local changes not yet confirmed by the server. */
    this.unsaved = false;
  }

  /** Takes the server's fields after a save or a refresh. */
  adoptServer(json, { codesAndMemo = true } = {}) {
    this.id = json.id;
    this.version = json.version;
    this.text = json.text;
    this.start = json.start;
    this.end = json.end;
    this.created_at = json.created_at;
    this.updated_at = json.updated_at;
    if (codesAndMemo) {
      this.code_ids = [...json.code_ids];
      this.memo = json.memo;
    }
  }
}

export class Store {
  constructor(data) {
    this.document = data.document;
    this.me = data.me;
    this.blind = data.blind;
    this.archived = data.archived;
    this.urls = data.urls;
    this.replaceCodes(data.codes);
    this.replaceExcerpts(data.excerpts);
    this.view = VIEW_ALL;
    this.visibleCache = null;
  }

  /** Coders may create and change their own excerpts (never in archived projects). */
  get canCode() {
    return Boolean(this.me.can_code) && !this.archived;
  }

  replaceCodes(codes) {
    /** @type {Map<number, object>} */
    this.codes = new Map(codes.map((code) => [code.id, { ...code }]));
    this.reindexCodes();
  }

  replaceExcerpts(excerpts) {
    /** @type {Set<ExcerptRecord>} */
    this.excerpts = new Set(excerpts.map((json) => new ExcerptRecord(json)));
  }

  /** Codebook order (the server sends codes in tree order), used to order colours. */
  reindexCodes() {
    this.codeOrder = new Map();
    let i = 0;
    for (const id of this.codes.keys()) this.codeOrder.set(id, i++);
  }

  codeList() {
    return Array.from(this.codes.values());
  }

  code(id) {
    return this.codes.get(id);
  }

  /** Sorts code ids in codebook order (unknown ids last). */
  sortCodeIds(ids) {
    const rank = (id) => this.codeOrder.get(id) ?? Number.MAX_SAFE_INTEGER;
    return [...ids].sort((a, b) => rank(a) - rank(b));
  }

  /** Adds a code the user just created (possibly with a temporary id) at the end of its level. */
  addCode(code) {
    this.codes.set(code.id, code);
    this.reindexCodes();
  }

  /** Replaces a temporary code id by the server's once the code is saved. */
  renameCodeId(oldId, code) {
    const entries = Array.from(this.codes.entries()).map(([id, value]) =>
      id === oldId ? [code.id, code] : [id, value],
    );
    this.codes = new Map(entries);
    this.reindexCodes();
    for (const excerpt of this.excerpts) {
      excerpt.code_ids = excerpt.code_ids.map((id) => (id === oldId ? code.id : id));
    }
  }

  removeCode(id) {
    this.codes.delete(id);
    this.reindexCodes();
  }

  isMine(excerpt) {
    return !excerpt.consensus && excerpt.coder === this.me.username;
  }

  /** Only one's own excerpts are editable; others are shown read-only. */
  canEdit(excerpt) {
    return this.canCode && this.isMine(excerpt);
  }

  isVisible(excerpt) {
    switch (this.view) {
      case VIEW_ALL:
        return true;
      case VIEW_MINE:
        return this.isMine(excerpt);
      case VIEW_CONSENSUS:
        return excerpt.consensus;
      default:
        return !excerpt.consensus && this.view === CODER_VIEW_PREFIX + excerpt.coder;
    }
  }

  /**
   * The excerpts shown in the current view, in document order (longer first on ties).
   * Kept until `changed()`, which every repaint calls first: one sort per repaint.
   */
  visibleExcerpts() {
    if (this.visibleCache) return this.visibleCache;
    const shown = [];
    for (const excerpt of this.excerpts) if (this.isVisible(excerpt)) shown.push(excerpt);
    this.visibleCache = shown.sort((a, b) => a.start - b.start || b.end - a.end || a.key - b.key);
    return this.visibleCache;
  }

  /** Excerpts, spans or the view changed: forget what was derived from them. */
  changed() {
    this.visibleCache = null;
  }

  /** My excerpt with exactly this span, if any: coding it again adds to it. */
  myExcerptWithSpan(start, end) {
    for (const excerpt of this.excerpts) {
      if (excerpt.start === start && excerpt.end === end && this.canEdit(excerpt)) return excerpt;
    }
    return null;
  }

  byId(id) {
    for (const excerpt of this.excerpts) if (excerpt.id === id) return excerpt;
    return null;
  }

  byKey(key) {
    for (const excerpt of this.excerpts) if (excerpt.key === key) return excerpt;
    return null;
  }

  /** Coder names present on this page, for the view filter. */
  coders() {
    const names = new Set();
    if (this.canCode) names.add(this.me.username);
    let consensus = false;
    for (const excerpt of this.excerpts) {
      if (excerpt.consensus) consensus = true;
      else names.add(excerpt.coder);
    }
    return { names: Array.from(names).sort((a, b) => a.localeCompare(b)), consensus };
  }

  /** Keeps the codebook's usage counts in step with a local change to one excerpt. */
  countCodeUse(excerpt, codeIds, delta) {
    for (const id of codeIds) {
      const code = this.codes.get(id);
      if (!code) continue;
      code.excerpts_all = Math.max(0, code.excerpts_all + delta);
      if (this.isMine(excerpt)) code.excerpts_mine = Math.max(0, code.excerpts_mine + delta);
    }
  }
}
