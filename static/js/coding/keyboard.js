// The keyboard path. The transcript becomes a caret-browsable region (contenteditable,
// with every way of changing text refused) so arrows move a caret and Shift+arrows
// select, across turns too; single keys then code the selection. A mutation observer
// is the safety net for the few edits a browser does not let us cancel (IME composition,
// execCommand): the touched block is rebuilt from the stored text.

/**
 * The key map, shown by `?` (the help dialog in document.html lists the same keys). Find
 * also answers Ctrl/Cmd+F while focus is on the text or the page itself (elsewhere the
 * browser's own find stays).
 */
export const KEYS = {
  code: ["Enter", "c"],
  open: ["e"],
  next: ["]"],
  previous: ["["],
  help: ["?"],
  filter: ["/"],
  complete: ["M"],
  find: ["f"],
};

/** Makes `root` focusable and caret-navigable while keeping its text unchangeable. */
export function makeCaretNavigable(root) {
  const attributes = {
    contenteditable: "true",
    spellcheck: "false",
    autocorrect: "off",
    autocapitalize: "off",
    translate: "no",
    inputmode: "none",
    role: "textbox",
    "aria-multiline": "true",
    "aria-readonly": "true",
    "aria-label": "Transcript. Arrow keys move, Shift with arrows selects, Enter codes the selection.",
    "aria-describedby": "coding-keys-hint",
  };
  for (const [name, value] of Object.entries(attributes)) root.setAttribute(name, value);
  const refuse = (event) => event.preventDefault();
  for (const type of ["beforeinput", "paste", "drop", "cut", "dragstart", "dragover"]) {
    root.addEventListener(type, refuse);
  }
}

/**
 * Watches the transcript for changes that did not come from the page's own rendering and
 * undoes them. Call `ownChangesDone()` after every render so those are not mistaken for
 * edits.
 */
export class TextGuard {
  /**
   * @param {Element} root the transcript
   * @param {(blockElement: Element) => void} restoreBlock rebuilds one `.text` block
   */
  constructor(root, restoreBlock) {
    this.root = root;
    this.restoreBlock = restoreBlock;
    this.headers = new Map(Array.from(root.querySelectorAll(".speaker"), (el) => [el, el.innerHTML]));
    this.known = new Set(root.children);
    this.observer = new MutationObserver((records) => this.repair(records));
    this.observer.observe(root, { childList: true, characterData: true, subtree: true });
  }

  ownChangesDone() {
    this.observer.takeRecords();
  }

  repair(records) {
    const blocks = new Set();
    for (const record of records) {
      const target = record.target.nodeType === Node.TEXT_NODE ? record.target.parentElement : record.target;
      if (!target || target.closest(".stripes")) continue;
      const block = target.closest(".text[data-start]");
      if (block) {
        blocks.add(block);
        continue;
      }
      for (const node of record.addedNodes) if (!this.known.has(node)) node.remove?.();
      const header = target.closest(".speaker");
      if (header && this.headers.has(header)) header.innerHTML = this.headers.get(header);
    }
    for (const block of blocks) this.restoreBlock(block);
    this.observer.takeRecords();
  }
}

/** True for keys typed into a form field, where single-key shortcuts must not fire. */
function inFormField(target) {
  return target instanceof HTMLElement && (target.matches("input, textarea, select") || (target.isContentEditable && !target.closest("#transcript")));
}

/** Where Ctrl/Cmd+F opens the page's find bar: the text, the page itself, or the bar. */
function findsInPage(target, root) {
  if (target === document.body || target === document.documentElement || root.contains(target)) return true;
  return target instanceof Element && target.closest("[data-find-bar]") !== null;
}

/**
 * Installs the page's shortcuts. `handlers` receive the event; each returns true when it
 * handled the key (the browser's default is then prevented).
 * @param {Element} root the transcript
 * @param {object} handlers
 */
export function installShortcuts(root, handlers) {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    const command = event.ctrlKey || event.metaKey;
    if (command && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "z") {
      // Text fields keep their own undo; everywhere else Ctrl/Cmd+Z undoes coding.
      if (inFormField(event.target)) return;
      // Always prevented: the browser's own undo would try to edit the transcript.
      event.preventDefault();
      handlers.undo();
      return;
    }
    if (command && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "f") {
      if (findsInPage(event.target, root) && handlers.find()) event.preventDefault();
      return;
    }
    if (command || event.altKey || inFormField(event.target)) return;
    const inTranscript = root.contains(event.target);
    if (event.key === "?" && handlers.help()) return event.preventDefault();
    if (event.key === "/" && handlers.filterCodes()) return event.preventDefault();
    if (KEYS.complete.includes(event.key) && handlers.complete()) return event.preventDefault();
    if (KEYS.find.includes(event.key.toLowerCase()) && handlers.find()) return event.preventDefault();
    if (!inTranscript) return;
    if (transcriptKey(event, handlers)) event.preventDefault();
  });
}

function transcriptKey(event, handlers) {
  const key = event.key;
  if (KEYS.code.includes(key) || key === "C") return handlers.code();
  if (KEYS.open.includes(key) || key === "E") return handlers.open();
  if (KEYS.next.includes(key)) return handlers.step(1);
  if (KEYS.previous.includes(key)) return handlers.step(-1);
  if (/^[1-9]$/.test(key)) return handlers.recent(Number(key));
  if (key === "Escape") return handlers.escape();
  return false;
}
