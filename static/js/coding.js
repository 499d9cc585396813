// The coding page: a transcript to select and code, the codebook beside it, and the
// excerpt panel. Everything starts from the JSON embedded in the page (no request at
// start); the modules under coding/ each do one job, and this file wires them together
// and owns the render pipeline (highlights → selection → stripes).
//
// Performance marks for the benchmark (benches/coding_page.rs): `gloss:start` and
// `gloss:interactive`, and measures `gloss:repaint` (every repaint, with its parts
// `gloss:highlights` and `gloss:stripes`) and `gloss:apply-code` (applying a code).

import { codePointToUtf16 } from "./offsets.js";
import { Actions } from "./coding/actions.js";
import { endpoints, send } from "./coding/api.js";
import { CodebookPanel } from "./coding/codebook-panel.js";
import { Drawer } from "./coding/drawer.js";
import { Commands } from "./coding/commands.js";
import { ExcerptList } from "./coding/excerpt-list.js";
import { ExcerptPanel } from "./coding/excerpt-panel.js";
import { FindBar } from "./coding/find.js";
import { Highlights } from "./coding/highlights.js";
import { TextGuard } from "./coding/keyboard.js";
import { Marks } from "./coding/marks.js";
import { Palette } from "./coding/palette.js";
import { Picker } from "./coding/picker.js";
import { RecentCodes } from "./coding/recent-codes.js";
import { SaveQueue } from "./coding/save-queue.js";
import { SaveStatus } from "./coding/save-status.js";
import { renewSession } from "./coding/session.js";
import { TranscriptSelection } from "./coding/selection.js";
import { Store, VIEW_ALL } from "./coding/store.js";
import { Stripes } from "./coding/stripes.js";
import { Tooltip } from "./coding/tooltip.js";
import { UndoStack } from "./coding/undo.js";
import { ViewFilter } from "./coding/view-filter.js";
import { Words } from "./coding/words.js";

performance.mark("gloss:start");

class CodingPage {
  constructor(data, root) {
    this.root = root;
    this.store = new Store(data);
    this.api = endpoints(data.urls);
    this.toolbar = document.querySelector("[data-coding-toolbar]");
    this.announcer = document.querySelector("[data-announce]");
    this.highlights = new Highlights(root, this.store, new Palette());
    this.stripes = new Stripes(root, this.store);
    this.guard = new TextGuard(root, (el) => this.restoreBlock(el));
    this.selection = new TranscriptSelection(root, this.store.canCode);
    this.marks = new Marks(root, this.store);
    this.words = new Words(this.highlights.blocks);
    this.recent = new RecentCodes(this.store);
    this.undo = new UndoStack(() => this.renderUndoButton());
    this.queue = new SaveQueue({
      send,
      refresh: (excerpt) => this.refreshVersion(excerpt),
      saved: (excerpt, changed) => (changed ? this.repaint([excerpt]) : this.showSaved(excerpt)),
      reload: () => this.reloadFromServer(),
      renew: renewSession,
      changed: () => this.saveStatus?.render(),
    });
    this.saveStatus = new SaveStatus(this.toolbar, this.queue);
    this.actions = new Actions({
      store: this.store,
      queue: this.queue,
      undo: this.undo,
      endpoints: this.api,
      recent: this.recent,
      repaint: (spans, options) => this.repaint(spans, options),
      textOf: (start, end) => this.textOf(start, end),
      announce: (message) => this.announce(message),
    });
    this.commands = new Commands(this);
  }

  start() {
    // Everything that changes the page's layout (the chosen view, panels, toolbar, the
    // editable transcript, which may wrap lines differently) comes before the first
    // render, whose stripes then measure a page laid out once, completely.
    this.viewFilter = new ViewFilter(this.toolbar.querySelector("[data-view-filter]"), this.store, () => this.viewChanged());
    this.buildPanels();
    this.wireToolbar();
    this.commands.install();
    this.selection.track(() => this.panel.updateSelectionButton());
    this.renderBlocks(this.highlights.blocks);
    this.watchResize();
    window.addEventListener("hashchange", () => this.showExcerptFromHash());
    performance.mark("gloss:interactive");
    this.showExcerptFromHash();
  }

  // ------------------------------------------------------------------------------------
  // Rendering

  /**
   * Highlights, then stripes; each phase is measured for the benchmark. The selection is
   * put back between the two, before the stripes' layout reads: setting a selection lays
   * the page out, and doing it after the stripes' writes would lay it out a second time.
   */
  renderBlocks(blocks, selection = null) {
    const started = performance.now();
    this.store.changed();
    this.highlights.render((excerpt, edge, el) => this.stripes.noteEndpoint(excerpt, edge, el), blocks);
    this.selection.restore(selection);
    const highlighted = performance.now();
    performance.measure("gloss:highlights", { start: started, end: highlighted });
    this.stripes.update();
    performance.measure("gloss:stripes", { start: highlighted });
    this.guard.ownChangesDone();
    this.marks.unsaved();
    this.find?.refresh(blocks);
  }

  /**
   * Repaints the blocks showing any of `spans` (excerpts or `{start, end}`), then the
   * stripes, keeping the user's selection where it was.
   */
  repaint(spans, { codebookChanged = false } = {}) {
    const started = performance.now();
    const blocks = new Set();
    for (const span of spans) for (const block of this.highlights.blocksIn(span.start, span.end)) blocks.add(block);
    const ordered = Array.from(blocks).sort((a, b) => a.index - b.index);
    const selection = this.selection.save(new Set(ordered.map((block) => block.el)));
    this.renderBlocks(ordered, selection);
    this.afterChange(codebookChanged);
    performance.measure("gloss:repaint", { start: started });
  }

  /** Repaints everything (view filter changes, reloads). */
  repaintAll() {
    const started = performance.now();
    const selection = this.selection.save(new Set(this.highlights.blocks.map((block) => block.el)));
    this.renderBlocks(this.highlights.blocks, selection);
    this.afterChange(true);
    performance.measure("gloss:repaint", { start: started });
  }

  afterChange(codebookChanged) {
    this.panel.refresh();
    this.marks.open(this.panel.excerpt);
    this.codebook.scheduleRender();
    this.excerptList?.scheduleRender();
    if (codebookChanged) this.codebook.refreshParents();
  }

  /** An excerpt's changes are saved and its look did not change: only the marks go. */
  showSaved(excerpt) {
    this.marks.unsaved();
    this.stripes.markSaved(excerpt);
    this.panel.refresh();
  }

  /** The text guard found a block changed by something other than Gloss: rebuild it. */
  restoreBlock(el) {
    const block = this.highlights.blocks.find((b) => b.el === el);
    if (block) this.repaint([block]);
  }

  /** The document text of [start, end), blocks joined by blank lines (a local preview). */
  textOf(start, end) {
    return this.highlights
      .blocksIn(start, end)
      .map((block) => {
        const from = codePointToUtf16(block.text, Math.max(start, block.start) - block.start);
        const to = codePointToUtf16(block.text, Math.min(end, block.end) - block.start);
        return block.text.slice(from, to);
      })
      .join("\n\n");
  }

  // ------------------------------------------------------------------------------------
  // Panels, picker, tooltip

  buildPanels() {
    this.picker = new Picker({
      store: this.store,
      recent: this.recent,
      apply: (codeId, target) => this.applyCode(codeId, target),
      create: (name, target) => this.applyCode(this.actions.createCode(name).id, target),
      closed: (applied, target, returnFocus) => this.pickerClosed(target, returnFocus),
    });
    this.panel = new ExcerptPanel(document.getElementById("excerpt-panel"), {
      store: this.store,
      actions: this.actions,
      words: this.words,
      selectionSpan: () => this.selection.last,
      textOf: (start, end) => this.textOf(start, end),
      pickCode: (excerpt, anchor) => this.picker.open(anchor, { excerpt }),
      closed: (excerpt) => this.panelClosed(excerpt),
      showing: (excerpt) => this.marks.open(excerpt),
    });
    this.codebook = new CodebookPanel(document.getElementById("codebook-panel"), {
      store: this.store,
      createCode: (name, parentId) => {
        this.actions.createCode(name, parentId);
        this.codebook.refreshParents();
      },
    });
    this.codebook.refreshParents();
    this.excerptList = new ExcerptList(document.getElementById("excerpt-list"), {
      store: this.store,
      textOf: (start, end) => this.textOf(start, end),
      jump: (excerpt) => this.jumpTo(excerpt),
    });
    this.drawer = new Drawer(
      document.getElementById("coding-sidebar"),
      this.toolbar.querySelector("[data-drawer-toggle]"),
      document.getElementById("excerpt-panel"),
    );
    this.tooltip = new Tooltip(this.store, (el) => this.excerptsUnder(el));
    this.tooltip.attach(this.root);
  }

  /** From the excerpt list: select the passage, bring it into view, open its panel. */
  jumpTo(excerpt) {
    this.selection.select(excerpt);
    this.highlights.elementsIn(excerpt.start, excerpt.end)[0]?.scrollIntoView({ block: "center" });
    this.commands.openExcerpts([excerpt], { focus: false });
  }

  excerptsUnder(el) {
    if (el.classList.contains("stripe")) {
      const excerpt = this.stripes.excerptOf(el);
      return excerpt ? [excerpt] : [];
    }
    return this.highlights.excerptsAt(el);
  }

  /** The picker's choice: onto the open excerpt, or onto the selected passage. */
  applyCode(codeId, target) {
    if (target.excerpt) {
      this.actions.applyToExcerpt(codeId, target.excerpt);
    } else {
      target.excerpt = this.actions.applyToSpan(codeId, target.span);
    }
  }

  /** Back to the text with the same passage selected, so another code adds to it. */
  pickerClosed(target, returnFocus) {
    this.marks.pending(null);
    if (!target || !returnFocus) return;
    if (target.span) {
      this.selection.select(target.excerpt ?? target.span);
    } else if (target.excerpt && this.panel.isOpenFor(target.excerpt)) {
      this.panel.refresh();
      this.panel.panel.querySelector("[data-add-code]")?.focus();
    }
  }

  /** Focus returns to the text, on the excerpt that was open (if it still exists). */
  panelClosed(excerpt) {
    const exists = excerpt !== null && this.store.excerpts.has(excerpt);
    if (exists) this.selection.select(excerpt);
    if (!exists || !this.store.canCode) this.root.focus({ preventScroll: true });
  }

  // ------------------------------------------------------------------------------------
  // Toolbar, help, announcements

  viewChanged() {
    this.repaintAll();
    this.announce(`Showing ${this.viewFilter.select.selectedOptions[0].text}.`);
  }

  wireToolbar() {
    this.undoButton = this.toolbar.querySelector("[data-undo]");
    this.undoButton.hidden = !this.store.canCode;
    this.undoButton.addEventListener("click", () => this.actions.undoLast());
    this.toolbar.querySelector("[data-help]").addEventListener("click", () => this.showHelp());
    this.find = new FindBar(this.toolbar, { root: this.root, blocks: this.highlights.blocks, selection: this.selection });
    const note = document.querySelector("[data-read-only-note]");
    if (note && !this.store.canCode) {
      note.textContent = this.store.archived
        ? "This project is archived: its coding is read-only."
        : "You can read this document and its coding; coding needs the coder role.";
      note.hidden = false;
    }
    this.saveStatus.render();
    this.renderUndoButton();
    this.toolbar.hidden = false;
  }

  renderUndoButton() {
    if (!this.undoButton) return;
    const label = this.undo.label;
    this.undoButton.disabled = label === null;
    this.undoButton.title = label ? `Undo: ${label} (Ctrl+Z)` : "Nothing to undo";
  }

  showHelp() {
    const dialog = document.getElementById("coding-help");
    if (!dialog || dialog.open) return false;
    this.picker.close(false);
    dialog.showModal();
    return true;
  }

  announce(message) {
    if (!this.announcer) return;
    // Re-set the text even when it repeats, so screen readers say it again.
    this.announcer.textContent = "";
    requestAnimationFrame(() => {
      this.announcer.textContent = message;
    });
  }

  // ------------------------------------------------------------------------------------
  // Server round trips outside the queue

  /** After a conflict: takes the excerpt's current version so the change can be re-sent. */
  async refreshVersion(excerpt) {
    const json = await send(this.api.getExcerpt(excerpt.id));
    excerpt.version = json.version;
  }

  /** Discard: the server's coding replaces the page's. */
  async reloadFromServer() {
    try {
      const [excerpts, codes] = await Promise.all([send(this.api.listExcerpts()), send(this.api.listCodes())]);
      this.panel.close();
      this.store.replaceCodes(codes.codes);
      this.store.replaceExcerpts(excerpts.excerpts);
      this.stripes.forgetAll();
      this.undo.clear();
      this.viewFilter.populate();
      this.repaintAll();
      this.announce("Unsaved changes discarded; showing the saved coding.");
    } catch (error) {
      this.announce(`Could not reload the coding: ${error.message} Reload the page.`);
    }
  }

  // ------------------------------------------------------------------------------------
  // Links to an excerpt and window size

  /**
   * `#excerpt-ID` scrolls to that excerpt and flashes it briefly; `#hit-START-END` (a
   * search hit, code points) scrolls to that text and selects it, ready to code.
   */
  showExcerptFromHash() {
    const hit = /^#hit-(\d+)-(\d+)$/.exec(window.location.hash);
    if (hit) {
      this.showHit(Number(hit[1]), Number(hit[2]));
      return;
    }
    const match = /^#excerpt-(\d+)$/.exec(window.location.hash);
    if (!match) return;
    const excerpt = this.store.byId(Number(match[1]));
    if (!excerpt) {
      this.announce("That excerpt is not on this page, or is not visible to you.");
      return;
    }
    if (!this.store.isVisible(excerpt)) this.viewFilter.set(VIEW_ALL);
    const marks = this.highlights.elementsIn(excerpt.start, excerpt.end);
    marks[0]?.scrollIntoView({ block: "center" });
    this.marks.flash([...marks, ...this.stripes.elementsOf(excerpt)]);
    this.selection.select(excerpt, { focus: false });
  }

  showHit(start, end) {
    if (!(start < end)) return;
    this.selection.select({ start, end }, { focus: false });
    const selected = document.getSelection();
    if (!this.selection.inTranscript()) return;
    selected.getRangeAt(0).startContainer.parentElement?.scrollIntoView({ block: "center" });
    this.announce("The search hit is selected: code it, or read on.");
  }

  /** Lines re-wrap when the width changes: measure every stripe again. */
  watchResize() {
    // The observer reports the first width itself, so nothing is read (no layout) here.
    let width = null;
    let pending = 0;
    new ResizeObserver(([entry]) => {
      const now = entry.contentRect.width;
      const changed = width !== null && now !== width;
      width = now;
      if (!changed) return;
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => {
        this.stripes.remeasureAll();
        this.stripes.update();
        this.guard.ownChangesDone();
        this.marks.open(this.panel.excerpt);
        this.marks.unsaved();
      });
    }).observe(this.root);
  }
}

function readData() {
  const script = document.getElementById("coding-data");
  return script ? JSON.parse(script.textContent) : null;
}

const data = readData();
const root = document.getElementById("transcript");
if (data && root) new CodingPage(data, root).start();
