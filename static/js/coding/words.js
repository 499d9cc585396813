// Word steps for adjusting an excerpt's boundaries ("extend/shrink by a word"), in
// code-point offsets. A word is a run of text between spaces, except that scripts written
// without spaces are split at the language's word boundaries (Intl.Segmenter).

import { codePointLength } from "../offsets.js";

const BLANK = /^\p{White_Space}+$/u;

/** The words of one block as code-point spans, in order. */
function blockWords(text, blockStart) {
  const segmenter = new Intl.Segmenter(undefined, { granularity: "word" });
  const words = [];
  let offset = blockStart;
  let current = null;
  for (const { segment, isWordLike } of segmenter.segment(text)) {
    const length = codePointLength(segment);
    if (BLANK.test(segment)) {
      current = null;
    } else if (current && !(isWordLike && current.wordLike)) {
      // Punctuation and emoji stay with the word they touch ("drafts.", "great!💛").
      current.end = offset + length;
      current.wordLike = isWordLike;
    } else {
      current = { start: offset, end: offset + length, wordLike: isWordLike };
      words.push(current);
    }
    offset += length;
  }
  return words;
}

export class Words {
  /** @param {Array<{start: number, text: string}>} blocks the transcript's blocks, in order */
  constructor(blocks) {
    this.blocks = blocks;
    this.words = null;
  }

  all() {
    this.words ??= this.blocks.flatMap((block) => blockWords(block.text, block.start));
    return this.words;
  }

  /** `[start, end)` widened to whole words: a boundary inside a word moves to its edge. */
  snap(start, end) {
    const words = this.all();
    const first = words.find((word) => word.start <= start && start < word.end);
    const last = words.find((word) => word.start < end && end <= word.end);
    return { start: first ? first.start : start, end: last ? last.end : end };
  }

  /** The end of the word after `end` (extends an excerpt's end), or `end`. */
  extendEnd(end) {
    return this.all().find((word) => word.end > end)?.end ?? end;
  }

  /** The end of the last word that ends before `end` but after `start`, or `end`. */
  shrinkEnd(start, end) {
    return this.all().findLast((word) => word.end < end && word.end > start)?.end ?? end;
  }

  /** The start of the word before `start` (extends an excerpt's start), or `start`. */
  extendStart(start) {
    return this.all().findLast((word) => word.start < start)?.start ?? start;
  }

  /** The start of the first word after `start` that begins before `end`, or `start`. */
  shrinkStart(start, end) {
    return this.all().find((word) => word.start > start && word.start < end)?.start ?? start;
  }
}
