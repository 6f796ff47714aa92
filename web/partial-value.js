// PartialValue: the JavaScript mirror of a streaming tool input's best-effort value.
// It replays the change log of src/partial_json.h (PartialJsonOp; web/wire.js) instead of
// re-parsing the text, so growing the value costs O(change).
//
// Snapshots are lazy. snapshot() costs O(depth of the open path): it records a mark
// per open container or string (an array's length, an object's key count and
// current key, a string's text, the text of the number being typed) and returns a
// function that builds that moment's value on its first call, later fragments
// notwithstanding. That works because the drafts only change in ways a mark can
// undo: arrays only grow or have their last slot replaced, objects only gain keys
// or have their current member replaced, and closed containers are frozen for
// good. The one exception, a repeated object key replacing an earlier member
// (JSON.parse keeps the last), is undone by a log: once a mark refers to an object,
// each such replacement records the member's old value, and a mark records the
// log's length. Everything stays O(1) per op and O(depth) per snapshot (a copy of
// the object at each repeated key made 4,000 keys followed by 5,000 repeats of one
// key, with a snapshot per 8 characters, copy 17 million members). Built values
// are frozen and share every closed subtree.

import {
  JSON_BEGIN_ARRAY, JSON_BEGIN_OBJECT, JSON_END, JSON_FALSE, JSON_KEY, JSON_NULL, JSON_NUMBER, JSON_NUMBER_APPEND,
  JSON_STRING, JSON_STRING_APPEND, JSON_TEXT_FIRST, JSON_TEXT_LAST, JSON_TRUE,
} from './wire.js';

const OBJECT = 0;
const ARRAY = 1;
const TEXT = 2;

/**
 * For tests: how many array items and object members were copied, in total, to
 * build values (and to copy a draft before a repeated key). A snapshot that is
 * never read adds nothing.
 */
export const partialValueCounters = { copied: 0 };

// An own, enumerable data property, as JSON.parse creates: plain assignment would
// call Object.prototype's __proto__ setter instead.
function setOwn(object, key, value) {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

// Builds the value a mark describes. marks: per open frame, outermost first:
// [TEXT, text] | [ARRAY, draft, length] | [OBJECT, draft, keys, count, key, log, logLength].
function build(marks, number, root) {
  const m = marks.length;
  if (m === 0) return number !== null ? Number(number) : root;
  let child;
  for (let d = m - 1; d >= 0; d--) {
    const mark = marks[d];
    if (mark[0] === TEXT) {
      child = mark[1];
      continue;
    }
    // The current slot (the last item, the current key) may have changed since the
    // mark: it holds the open child, or the number then being typed.
    const override = d < m - 1 || number !== null;
    const value = d < m - 1 ? child : override ? Number(number) : undefined;
    if (mark[0] === ARRAY) {
      const length = mark[2];
      const copy = mark[1].slice(0, length);
      partialValueCounters.copied += length;
      if (override) copy[length - 1] = value;
      child = Object.freeze(copy);
    } else {
      const [, draft, keys, count, current, log, logLength] = mark;
      // Members replaced by a repeated key since the mark: the first replacement
      // after it holds the value of the mark's moment.
      let restored = null;
      if (log !== null && log.length > logLength) {
        restored = new Map();
        for (let i = logLength; i < log.length; i += 2) if (!restored.has(log[i])) restored.set(log[i], log[i + 1]);
        partialValueCounters.copied += (log.length - logLength) / 2;
      }
      const copy = {};
      for (let i = 0; i < count; i++) {
        const key = keys[i];
        let member;
        if (override && key === current) member = value;
        else if (restored !== null && restored.has(key)) member = restored.get(key);
        else member = draft[key];
        setOwn(copy, key, member);
      }
      partialValueCounters.copied += count;
      child = Object.freeze(copy);
    }
  }
  return child;
}

export class PartialValue {
  #root = undefined;
  // Open containers and strings, outermost first:
  //   { kind: ARRAY, draft } | { kind: OBJECT, draft, keys, key, log } |
  //   { kind: TEXT, text }
  // keys: the object's keys in first-seen order (its own key order puts integer-like
  // keys first, so a key count needs this list). log: null until a mark refers to
  // the object, then [key, old value, …] for each member a repeated key replaced.
  #stack = [];
  // The text of the number being typed (its slot holds a placeholder until the next
  // op), or null. Kept as text so that a long number costs O(fragment) per append.
  #number = null;
  #snapshot = undefined;
  #changed = false;

  /**
   * Applies encoded ops (op byte, then for text ops a u32 LE length and UTF-8).
   * @param {Uint8Array} bytes
   * @param {TextDecoder} decoder
   */
  apply(bytes, decoder) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let i = 0;
    while (i < bytes.length) {
      const op = bytes[i++];
      let text = '';
      if (op >= JSON_TEXT_FIRST && op <= JSON_TEXT_LAST) {
        const length = view.getUint32(i, true);
        i += 4;
        text = length === 0 ? '' : decoder.decode(bytes.subarray(i, i + length));
        i += length;
      }
      this.#op(op, text);
    }
    if (bytes.length > 0) this.#changed = true;
  }

  #top() {
    return this.#stack[this.#stack.length - 1];
  }

  #place(value) {
    const top = this.#top();
    if (!top) {
      this.#root = value;
    } else if (top.kind === ARRAY) {
      top.draft.push(value);
    } else if (Object.hasOwn(top.draft, top.key)) {
      // A repeated key replaces an earlier member: logged for the marks to undo.
      if (top.log !== null) top.log.push(top.key, top.draft[top.key]);
      top.draft[top.key] = value;
    } else {
      top.keys.push(top.key);
      setOwn(top.draft, top.key, value);
    }
  }

  // The current slot: the top-level value, an array's last item, the member named
  // by the current key. Marks record what it held.
  #replaceLast(value) {
    const top = this.#top();
    if (!top) this.#root = value;
    else if (top.kind === ARRAY) top.draft[top.draft.length - 1] = value;
    else top.draft[top.key] = value;
  }

  #op(op, text) {
    if (op === JSON_NUMBER_APPEND) {
      this.#number += text;
      return;
    }
    if (this.#number !== null) {
      this.#replaceLast(Number(this.#number));
      this.#number = null;
    }
    switch (op) {
      case JSON_BEGIN_OBJECT: {
        const draft = {};
        this.#place(draft);
        this.#stack.push({ kind: OBJECT, draft, keys: [], key: null, log: null });
        break;
      }
      case JSON_BEGIN_ARRAY: {
        const draft = [];
        this.#place(draft);
        this.#stack.push({ kind: ARRAY, draft });
        break;
      }
      case JSON_KEY:
        this.#top().key = text;
        break;
      case JSON_STRING:
        this.#place(text);
        this.#stack.push({ kind: TEXT, text });
        break;
      case JSON_STRING_APPEND:
        this.#top().text += text;
        break;
      case JSON_NUMBER:
        this.#place(0);
        this.#number = text;
        break;
      case JSON_TRUE:
        this.#place(true);
        break;
      case JSON_FALSE:
        this.#place(false);
        break;
      case JSON_NULL:
        this.#place(null);
        break;
      case JSON_END: {
        const frame = this.#stack.pop();
        if (frame.kind === TEXT) {
          this.#replaceLast(frame.text);
        } else {
          Object.freeze(frame.draft); // closed: its children are final and frozen
        }
        break;
      }
      default:
        throw new Error(`sse-wasm: unknown partial JSON op ${op}`);
    }
  }

  /**
   * The best-effort value as of now, built on first call (undefined while there is
   * none; frozen otherwise). Costs O(depth) now; the call costs O(size of the open
   * containers) once, whenever it comes. The same function while nothing changed.
   * @returns {() => unknown}
   */
  snapshot() {
    if (!this.#changed && this.#snapshot) return this.#snapshot;
    this.#changed = false;
    const stack = this.#stack;
    let marks = new Array(stack.length);
    for (let d = 0; d < stack.length; d++) {
      const frame = stack[d];
      if (frame.kind === TEXT) {
        marks[d] = [TEXT, frame.text];
      } else if (frame.kind === ARRAY) {
        marks[d] = [ARRAY, frame.draft, frame.draft.length];
      } else {
        frame.log ??= [];
        marks[d] = [OBJECT, frame.draft, frame.keys, frame.keys.length, frame.key, frame.log, frame.log.length];
      }
    }
    let number = this.#number;
    let root = this.#root;
    let built = false;
    let value;
    this.#snapshot = () => {
      if (!built) {
        value = build(marks, number, root);
        built = true;
        marks = number = root = null; // the drafts they hold may be large
      }
      return value;
    };
    return this.#snapshot;
  }

  /** The best-effort value now (undefined while there is none), frozen. */
  value() {
    return this.snapshot()();
  }
}
