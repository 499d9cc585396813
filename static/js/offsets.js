// Positions at the browser edge: the ONE place where browser positions become Gloss offsets.
//
// Gloss stores every position as a Unicode code-point offset into the document's NFC text,
// half-open [start, end). Browsers count UTF-16 code units: in JavaScript strings, DOM text
// nodes, Range and Selection, an emoji such as 💛 is two units but one code point. Any other
// script that needs an offset calls these functions instead of doing its own arithmetic, so
// a selection made after an emoji can never be saved one character off.
//
// The document page renders each block of the transcript as
//   <div class="text" data-start="S" data-end="E">…</div>
// whose text content is exactly the document text [S, E). Highlights may later split that
// text into several nodes, so positions are always found by walking every text node in the
// block; elements marked `data-offset-ignore` (margin notes, markers) are not document text
// and are skipped with everything inside them.

/** The blocks of document text inside a transcript. */
const BLOCK_SELECTOR = ".text[data-start]";

/** Rust's `char::is_whitespace` is Unicode White_Space; JavaScript's `\s` differs slightly
 * (it includes U+FEFF, omits U+0085), so trimming uses the property itself to agree with
 * the server. */
const WHITESPACE = /^\p{White_Space}$/u;

// ---------------------------------------------------------------------------------------
// Strings: UTF-16 units ↔ code points

/** True for the first half of a surrogate pair at `i` (a high surrogate followed by a low). */
function isPairAt(str, i) {
  const high = str.charCodeAt(i);
  if (high < 0xd800 || high > 0xdbff || i + 1 >= str.length) return false;
  const low = str.charCodeAt(i + 1);
  return low >= 0xdc00 && low <= 0xdfff;
}

/**
 * The number of code points in `str`. A surrogate pair is one code point; a lone surrogate
 * (which can only come from a browser, never from stored text) also counts as one, so every
 * UTF-16 unit belongs to exactly one counted position.
 * @param {string} str
 * @returns {number}
 */
export function codePointLength(str) {
  let count = 0;
  for (let i = 0; i < str.length; i += isPairAt(str, i) ? 2 : 1) count++;
  return count;
}

/**
 * Converts a UTF-16 index in `str` (as DOM text nodes and Ranges use) to a code-point index.
 * An index between the two halves of a surrogate pair names no code-point position; it is
 * rounded down to the start of the pair, so a character is never cut in half.
 * @param {string} str
 * @param {number} utf16Index 0 ≤ utf16Index ≤ str.length
 * @returns {number}
 * @throws {RangeError} when the index is outside the string
 */
export function utf16ToCodePoint(str, utf16Index) {
  checkIndex(utf16Index, str.length, "UTF-16 index");
  let count = 0;
  let i = 0;
  while (i < utf16Index) {
    const width = isPairAt(str, i) ? 2 : 1;
    if (i + width > utf16Index) break; // inside a pair: round down
    i += width;
    count++;
  }
  return count;
}

/**
 * Converts a code-point index in `str` to the UTF-16 index where that code point starts
 * (`str.length` for the end), as `Range.setStart`/`setEnd` expect.
 * @param {string} str
 * @param {number} cpIndex 0 ≤ cpIndex ≤ codePointLength(str)
 * @returns {number}
 * @throws {RangeError} when the index is outside the string
 */
export function codePointToUtf16(str, cpIndex) {
  if (!Number.isInteger(cpIndex) || cpIndex < 0) {
    throw new RangeError(`code-point index ${cpIndex} is not a position in the string`);
  }
  let i = 0;
  for (let seen = 0; seen < cpIndex; seen++) {
    if (i >= str.length) {
      throw new RangeError(`code-point index ${cpIndex} is past the end of the string`);
    }
    i += isPairAt(str, i) ? 2 : 1;
  }
  return i;
}

function checkIndex(index, length, what) {
  if (!Number.isInteger(index) || index < 0 || index > length) {
    throw new RangeError(`${what} ${index} is outside 0..${length}`);
  }
}

// ---------------------------------------------------------------------------------------
// One block: DOM points ↔ document offsets

/** The text nodes of a block that hold document text, in document order. */
function textNodes(container) {
  const walker = container.ownerDocument.createTreeWalker(
    container,
    NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT,
    {
      // Rejecting an element skips its whole subtree: decorations never count as text.
      acceptNode: (node) =>
        node.nodeType === Node.ELEMENT_NODE && node.hasAttribute("data-offset-ignore")
          ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_ACCEPT,
    },
  );
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) nodes.push(node);
  }
  return nodes;
}

/** The document offsets [start, end) a block element stands for. */
function blockBounds(container) {
  const start = Number(container.dataset.start);
  const end = Number(container.dataset.end);
  if (!Number.isInteger(start) || !Number.isInteger(end)) {
    throw new TypeError("a text block needs integer data-start and data-end attributes");
  }
  return { start, end };
}

/** The document text a block shows (its counted text nodes joined). */
function blockText(container) {
  return textNodes(container)
    .map((node) => node.data)
    .join("");
}

/**
 * Converts a DOM point inside a text block to a document code-point offset.
 *
 * `node`/`offsetInNode` is a boundary point as Range and Selection report it: a text node
 * and a UTF-16 index into it, or an element and a child index. Points inside an ignored
 * element count as where that element sits; points before or after the block clamp to its
 * start or end, so a selection that begins in a speaker header starts at the turn's text.
 * @param {Element} container the `.text` element (its `data-start` anchors the offsets)
 * @param {Node} node
 * @param {number} offsetInNode
 * @returns {number} a code-point offset into the document
 */
export function domPointToOffset(container, node, offsetInNode) {
  const point = container.ownerDocument.createRange();
  point.setStart(node, offsetInNode); // collapsed: a single boundary point
  let count = 0;
  for (const text of textNodes(container)) {
    if (text === node) {
      count += utf16ToCodePoint(text.data, offsetInNode);
      break;
    }
    // Counted only when the whole node lies before the point; otherwise it lies after
    // (a node can only straddle the point when the point is inside it, handled above).
    if (point.comparePoint(text, text.length) > 0) break;
    count += codePointLength(text.data);
  }
  return blockBounds(container).start + count;
}

/**
 * Converts a document code-point offset inside a block to a DOM point for
 * `Range.setStart`/`setEnd`.
 *
 * Where highlights have split the text, an offset on the seam between two text nodes can be
 * named two ways; `affinity` picks the start of the following node ("forward", good for a
 * range's start) or the end of the preceding one ("backward", good for its end), so ranges
 * hug their text and do not reach into neighbouring highlight elements.
 * @param {Element} container the `.text` element
 * @param {number} cpOffset data-start ≤ cpOffset ≤ data-end
 * @param {"forward"|"backward"} [affinity]
 * @returns {{node: Node, offset: number}}
 * @throws {RangeError} when the offset is outside the block
 */
export function offsetToDomPoint(container, cpOffset, affinity = "forward") {
  return offsetsToDomPoints(container, [{ offset: cpOffset, affinity }])[0];
}

/**
 * `offsetToDomPoint` for many offsets of one block at once, in one pass over its text
 * (e.g. every hit of a search): the points in the order of `requests`.
 * @param {Element} container the `.text` element
 * @param {{offset: number, affinity?: "forward"|"backward"}[]} requests
 * @returns {{node: Node, offset: number}[]}
 * @throws {RangeError} when an offset is outside the block
 */
export function offsetsToDomPoints(container, requests) {
  const { start, end } = blockBounds(container);
  for (const { offset } of requests) {
    if (!Number.isInteger(offset) || offset < start || offset > end) {
      throw new RangeError(`offset ${offset} is outside this block (${start}..${end})`);
    }
  }
  const backward = (request) => (request.affinity === "backward" ? 0 : 1);
  // By offset, "backward" first at the same offset: the walk below then only moves on.
  const order = requests
    .map((_, index) => index)
    .sort((a, b) => requests[a].offset - requests[b].offset || backward(requests[a]) - backward(requests[b]));
  const nodes = textNodes(container);
  const points = new Array(requests.length);
  let i = 0;
  let nodeStart = 0; // code points before nodes[i]
  let length = nodes.length ? codePointLength(nodes[0].data) : 0;
  let walked = { codePoints: 0, utf16: 0 }; // a position inside nodes[i], to go on from
  for (const index of order) {
    const request = requests[index];
    const wanted = request.offset - start;
    // The rule: a node holds the offset when it lies inside it, or at its end for a
    // "backward" point or the last node.
    while (i < nodes.length && !(wanted - nodeStart < length || (wanted - nodeStart === length && (request.affinity === "backward" || i === nodes.length - 1)))) {
      nodeStart += length;
      i++;
      length = i < nodes.length ? codePointLength(nodes[i].data) : 0;
      walked = { codePoints: 0, utf16: 0 };
    }
    if (i === nodes.length) {
      // No text at all (an empty block): the only position is the element's start.
      points[index] = { node: container, offset: 0 };
      continue;
    }
    const text = nodes[i].data;
    const remaining = wanted - nodeStart;
    let utf16 = walked.utf16;
    for (let k = walked.codePoints; k < remaining; k++) utf16 += isPairAt(text, utf16) ? 2 : 1;
    walked = { codePoints: remaining, utf16 };
    points[index] = { node: nodes[i], offset: utf16 };
  }
  return points;
}

// ---------------------------------------------------------------------------------------
// Whole transcript: selections ↔ spans

/**
 * The code-point span `[start, end)` of a browser selection within a transcript, trimmed of
 * whitespace at both ends (the product never stores an excerpt that begins or ends with a
 * space or line break), or `null` when the selection holds no document text in `root`.
 * The selection may start and end in different blocks (different speaker turns); speaker
 * names and other text outside `.text` blocks are not document text and are skipped.
 * @param {Selection} selection e.g. `document.getSelection()`
 * @param {Element} root the transcript element (`#transcript`)
 * @returns {{start: number, end: number} | null}
 */
export function selectionToSpan(selection, root) {
  if (!selection || selection.rangeCount === 0) return null;
  const first = selection.getRangeAt(0);
  const last = selection.getRangeAt(selection.rangeCount - 1);
  const range = root.ownerDocument.createRange();
  range.setStart(first.startContainer, first.startOffset);
  range.setEnd(last.endContainer, last.endOffset);
  return rangeToSpan(range, root);
}

/**
 * As `selectionToSpan`, for a single DOM Range.
 * @param {Range} range
 * @param {Element} root the transcript element
 * @returns {{start: number, end: number} | null}
 */
export function rangeToSpan(range, root) {
  if (range.collapsed) return null;
  const blocks = Array.from(root.querySelectorAll(BLOCK_SELECTOR)).filter((block) =>
    range.intersectsNode(block),
  );
  if (blocks.length === 0) return null;
  const firstBlock = blocks[0];
  const lastBlock = blocks[blocks.length - 1];
  const start = domPointToOffset(firstBlock, range.startContainer, range.startOffset);
  const end = domPointToOffset(lastBlock, range.endContainer, range.endOffset);
  return trimSpan(blocks, start, end);
}

/**
 * Narrows [start, end) past whitespace at both ends. Text between blocks is never shown
 * and is always whitespace (the page renders every non-blank run as a block), so trimming
 * only needs to look at the blocks' own text.
 */
function trimSpan(blocks, start, end) {
  const pieces = blocks.map((block) => ({ ...blockBounds(block), text: [...blockText(block)] }));
  let trimmedStart = null;
  for (const piece of pieces) {
    const from = Math.max(start, piece.start);
    const to = Math.min(end, piece.end);
    for (let offset = from; offset < to; offset++) {
      if (!WHITESPACE.test(piece.text[offset - piece.start])) {
        trimmedStart = offset;
        break;
      }
    }
    if (trimmedStart !== null) break;
  }
  if (trimmedStart === null) return null; // nothing but whitespace selected
  for (const piece of pieces.reverse()) {
    const from = Math.max(start, piece.start);
    const to = Math.min(end, piece.end);
    for (let offset = to - 1; offset >= from; offset--) {
      if (!WHITESPACE.test(piece.text[offset - piece.start])) {
        return { start: trimmedStart, end: offset + 1 };
      }
    }
  }
  return null; // unreachable: a non-blank start implies a non-blank end
}

/**
 * A DOM Range covering the document span [start, end) in a transcript, possibly across
 * blocks, e.g. to show a stored excerpt or to restore a selection. Parts of the span that
 * fall between blocks (the blank lines between turns) have nothing to cover and are
 * skipped; `null` when no block shows any of the span.
 * @param {Element} root the transcript element
 * @param {number} start code-point offset
 * @param {number} end code-point offset, ≥ start
 * @returns {Range | null}
 */
export function spanToRange(root, start, end) {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
    throw new RangeError(`[${start}, ${end}) is not a span`);
  }
  const blocks = Array.from(root.querySelectorAll(BLOCK_SELECTOR));
  const bounds = blocks.map(blockBounds);
  const range = root.ownerDocument.createRange();
  if (start === end) {
    // An empty span is a caret position, shown only if a block contains it.
    const at = bounds.findIndex((b) => b.start <= start && start <= b.end);
    if (at < 0) return null;
    const point = offsetToDomPoint(blocks[at], start);
    range.setStart(point.node, point.offset);
    return range;
  }
  const overlaps = (b) => b.start < end && b.end > start;
  const firstIndex = bounds.findIndex(overlaps);
  if (firstIndex < 0) return null;
  const lastIndex = bounds.findLastIndex(overlaps);
  const startPoint = offsetToDomPoint(
    blocks[firstIndex],
    Math.max(start, bounds[firstIndex].start),
    "forward",
  );
  const endPoint = offsetToDomPoint(
    blocks[lastIndex],
    Math.min(end, bounds[lastIndex].end),
    "backward",
  );
  range.setStart(startPoint.node, startPoint.offset);
  range.setEnd(endPoint.node, endPoint.offset);
  return range;
}
