// PartialValue: the JavaScript mirror of a streaming tool input's best-effort value.
// It replays the change log of src/partial_json.h (PartialJsonOp) instead of
// re-parsing the text, so growing the value costs O(change). value() returns a
// frozen value that shares every closed subtree with the previous one: only the
// containers still open (the path being written) are copied.

const BEGIN_OBJECT = 1;
const BEGIN_ARRAY = 2;
const KEY = 3;
const STRING = 4;
const STRING_APPEND = 5;
const NUMBER = 6;
const NUMBER_UPDATE = 7;
const TRUE = 8;
const FALSE = 9;
const NULL = 10;
const END = 11;

export class PartialValue {
  #root = undefined;
  // Open containers and strings, outermost first: { kind, draft | text, key }.
  #stack = [];
  #cached = undefined;
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
      if (op === KEY || op === STRING || op === STRING_APPEND || op === NUMBER || op === NUMBER_UPDATE) {
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
    if (!top) this.#root = value;
    else if (top.kind === 'array') top.draft.push(value);
    else top.draft[top.key] = value;
  }

  #replaceLast(value) {
    const top = this.#top();
    if (!top) this.#root = value;
    else if (top.kind === 'array') top.draft[top.draft.length - 1] = value;
    else top.draft[top.key] = value;
  }

  #op(op, text) {
    switch (op) {
      case BEGIN_OBJECT:
      case BEGIN_ARRAY: {
        const draft = op === BEGIN_OBJECT ? {} : [];
        this.#place(draft);
        this.#stack.push({ kind: op === BEGIN_OBJECT ? 'object' : 'array', draft, key: null });
        break;
      }
      case KEY:
        this.#top().key = text;
        break;
      case STRING:
        this.#place(text);
        this.#stack.push({ kind: 'string', text });
        break;
      case STRING_APPEND:
        this.#top().text += text;
        break;
      case NUMBER:
        this.#place(Number(text));
        break;
      case NUMBER_UPDATE:
        this.#replaceLast(Number(text));
        break;
      case TRUE:
        this.#place(true);
        break;
      case FALSE:
        this.#place(false);
        break;
      case NULL:
        this.#place(null);
        break;
      case END: {
        const frame = this.#stack.pop();
        if (frame.kind === 'string') this.#replaceLast(frame.text);
        else Object.freeze(frame.draft); // closed: its children are final and frozen
        break;
      }
      default:
        throw new Error(`sse-wasm: unknown partial JSON op ${op}`);
    }
  }

  /** The best-effort value (undefined while there is none), frozen. */
  value() {
    if (!this.#changed) return this.#cached;
    this.#changed = false;
    const stack = this.#stack;
    let child;
    for (let d = stack.length - 1; d >= 0; d--) {
      const frame = stack[d];
      if (frame.kind === 'string') {
        child = frame.text;
        continue;
      }
      const copy = frame.kind === 'array' ? frame.draft.slice() : { ...frame.draft };
      if (d < stack.length - 1) {
        if (frame.kind === 'array') copy[copy.length - 1] = child;
        else copy[frame.key] = child;
      }
      child = Object.freeze(copy);
    }
    this.#cached = stack.length > 0 ? child : this.#root;
    return this.#cached;
  }
}
