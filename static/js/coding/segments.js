// Splitting a block of text at every excerpt boundary, so each piece ("segment") is
// covered by one fixed set of excerpts and can show all of their codes. Pure functions.

import { codePointToUtf16 } from "../offsets.js";

/**
 * The segments of the block [blockStart, blockEnd) given the excerpts that overlap it:
 * consecutive `{start, end, excerpts, tag}` pieces covering the whole block, where
 * `excerpts` are those covering every character of the piece (empty for uncoded text).
 * One sweep over the sorted boundaries; ends sort before starts at the same offset, so
 * touching excerpts never share a segment.
 *
 * An optional `tracker` follows the sweep (`open(excerpt)`, `close(excerpt)`) and tags
 * each segment (`tag()`), so what the covering excerpts have in common (their codes'
 * colours) is kept up to date incrementally instead of recomputed per segment.
 * @param {number} blockStart code-point offset
 * @param {number} blockEnd code-point offset
 * @param {Array<{start: number, end: number}>} excerpts overlapping the block
 * @param {{open: Function, close: Function, tag: Function}} [tracker]
 */
export function segmentsOf(blockStart, blockEnd, excerpts, tracker = NO_TRACKER) {
  const events = [];
  for (const excerpt of excerpts) {
    const from = Math.max(excerpt.start, blockStart);
    const to = Math.min(excerpt.end, blockEnd);
    if (from >= to) continue;
    events.push({ at: from, opens: true, excerpt }, { at: to, opens: false, excerpt });
  }
  events.sort((a, b) => a.at - b.at || Number(a.opens) - Number(b.opens));
  const segments = [];
  const active = new Set();
  let position = blockStart;
  for (const event of events) {
    if (event.at > position) {
      const covering = Array.from(active);
      segments.push({ start: position, end: event.at, excerpts: covering, tag: covering.length ? tracker.tag() : null });
      position = event.at;
    }
    if (event.opens) {
      active.add(event.excerpt);
      tracker.open(event.excerpt);
    } else {
      active.delete(event.excerpt);
      tracker.close(event.excerpt);
    }
  }
  if (position < blockEnd) segments.push({ start: position, end: blockEnd, excerpts: [], tag: null });
  return segments;
}

const NO_TRACKER = { open() {}, close() {}, tag: () => null };

/**
 * The UTF-16 index in `text` of each segment's start, plus `text.length` at the end, for
 * slicing the block's string. Converts with offsets.js, walking forward from the previous
 * cut so the whole block costs one pass.
 * @param {string} text the block's text (UTF-16, as the DOM holds it)
 * @param {number} blockStart the block's code-point offset
 * @param {Array<{start: number}>} segments in order
 * @returns {number[]}
 */
export function utf16Cuts(text, blockStart, segments) {
  const cuts = [];
  let unit = 0;
  let codePoint = blockStart;
  for (const segment of segments) {
    unit += codePointToUtf16(text.slice(unit), segment.start - codePoint);
    codePoint = segment.start;
    cuts.push(unit);
  }
  cuts.push(text.length);
  return cuts;
}

/**
 * Distributes excerpts (sorted by start) to the blocks (sorted, non-overlapping) they
 * overlap, in one pass over both lists plus each excerpt's own extent.
 * @param {Array<{start: number, end: number}>} blocks
 * @param {Array<{start: number, end: number}>} excerpts sorted by start
 * @returns {Array<Array<object>>} one list per block
 */
export function excerptsPerBlock(blocks, excerpts) {
  const lists = blocks.map(() => []);
  let first = 0;
  for (const excerpt of excerpts) {
    while (first < blocks.length && blocks[first].end <= excerpt.start) first++;
    for (let i = first; i < blocks.length && blocks[i].start < excerpt.end; i++) {
      lists[i].push(excerpt);
    }
  }
  return lists;
}
