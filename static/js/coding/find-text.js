// Finding a query in the transcript's turns, as the find bar (find.js) shows it. Pure: no
// DOM. Matching ignores case and diacritics the way the server's search does (FTS5's
// unicode61 with remove_diacritics: decompose, drop the combining marks), and works on the
// stored text of one turn at a time, so a hit never runs across a turn boundary. Hits are
// code-point spans of the stored text, half-open, like excerpts.

const MARK = /\p{M}/u;
const MARKS = /\p{M}/gu;

/**
 * A string folded for matching: lower case (final sigma as sigma), decomposed, combining
 * marks removed.
 * @param {string} str
 * @returns {string}
 */
export function fold(str) {
  // Code point by code point, as the text is folded (so a final sigma is a sigma).
  return Array.from(str, foldChar).join("");
}

function foldChar(char) {
  const lower = char.toLowerCase().normalize("NFD").replace(MARKS, "");
  return lower === "ς" ? "σ" : lower;
}

/**
 * A text folded code point by code point, with, for every code point of the folded text,
 * the index of the original code point it came from. A combining mark folds to nothing.
 * @param {string} text
 * @returns {{folded: string[], origin: number[], source: string[]}}
 */
export function foldWithOrigins(text) {
  const source = Array.from(text);
  const folded = [];
  const origin = [];
  source.forEach((char, index) => {
    for (const piece of foldChar(char)) {
      folded.push(piece);
      origin.push(index);
    }
  });
  return { folded, origin, source };
}

/**
 * The hits of `query` in `text` (one turn), as code-point spans `[start, end)` of `text`,
 * in order and not overlapping. A hit's end takes in the combining marks that follow its
 * last letter, so a hit never cuts a character from its accent. An empty query (after
 * folding) has no hits.
 * @param {string} text
 * @param {string} query
 * @returns {{start: number, end: number}[]}
 */
export function hitsInText(text, query) {
  return hitsInFolded(foldWithOrigins(text), Array.from(fold(query)));
}

/** As `hitsInText`, for a text already folded (`foldWithOrigins`) and a folded query. */
function hitsInFolded({ folded, origin, source }, needle) {
  if (needle.length === 0) return [];
  const hits = [];
  let from = 0;
  while (from + needle.length <= folded.length) {
    const at = indexOf(folded, needle, from);
    if (at < 0) break;
    const start = origin[at];
    let end = origin[at + needle.length - 1] + 1;
    while (end < source.length && MARK.test(source[end])) end++;
    hits.push({ start, end });
    from = at + needle.length;
  }
  return hits;
}

/** The first index ≥ `from` where `needle` occurs in `haystack` (arrays of code points). */
function indexOf(haystack, needle, from) {
  const last = haystack.length - needle.length;
  outer: for (let i = from; i <= last; i++) {
    for (let k = 0; k < needle.length; k++) {
      if (haystack[i + k] !== needle[k]) continue outer;
    }
    return i;
  }
  return -1;
}

/** Each block's folded text, computed once (a block's stored text never changes). */
const foldedBlocks = new WeakMap();

function foldedOf(block) {
  let folded = foldedBlocks.get(block);
  if (!folded) {
    folded = foldWithOrigins(block.text);
    foldedBlocks.set(block, folded);
  }
  return folded;
}

/**
 * The hits of `query` in every block (`{start, text}`: a turn's offset in the document and
 * its stored text), as document code-point spans, in document order; each hit names its
 * block.
 * @template {{start: number, text: string}} B
 * @param {B[]} blocks in document order
 * @param {string} query
 * @returns {{start: number, end: number, block: B}[]}
 */
export function findHits(blocks, query) {
  const needle = Array.from(fold(query));
  const hits = [];
  for (const block of blocks) {
    for (const hit of hitsInFolded(foldedOf(block), needle)) {
      hits.push({ start: block.start + hit.start, end: block.start + hit.end, block });
    }
  }
  return hits;
}

/**
 * The index of the first hit starting at or after `offset` (wrapping to 0), or 0 when
 * `offset` is null; -1 when there are no hits.
 * @param {{start: number}[]} hits
 * @param {number | null} offset
 */
export function firstHitFrom(hits, offset) {
  if (hits.length === 0) return -1;
  if (offset === null) return 0;
  const at = hits.findIndex((hit) => hit.start >= offset);
  return at < 0 ? 0 : at;
}
