import { Tokenizer, TokenType, type ParsedTokenInfo } from '@streamparser/json';

/**
 * A JSON object whose members are streamed: the root must be an object; each member's value is built
 * and handed to onMember, except the array under `streamKey`, whose items are built one at a time
 * and handed to onItem (so a list of millions of records is never held whole).
 *
 * The bytes are tokenized by @streamparser/json (a maintained streaming tokenizer that decodes string
 * escapes such as "\u0076alue" and refuses invalid UTF-8); this class only checks the grammar and
 * builds values, so it can do what a plain parser cannot tell its caller: refuse duplicate keys,
 * refuse a second root or anything after the root closes, and say where each item starts.
 */
export interface StreamedObjectHandlers {
  streamKey: string;
  onMember(key: string, value: unknown): void;
  /** `startOffset` is the item's first byte in the stream; `duplicateKey` names a key an item repeats. */
  onItem(value: unknown, startOffset: number, duplicateKey: string | null): void;
  /** The streamed array has closed. */
  onStreamEnd(): void;
}

/** A fault in the JSON text itself: nothing after it can be trusted. `offset` is a byte offset, or -1. */
export class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

type Frame =
  | { kind: 'object'; obj: Record<string, unknown>; keys: Set<string>; key: string; state: ObjectState; role: 'root' | 'value' }
  | { kind: 'array'; arr: unknown[]; state: ArrayState; role: 'stream' | 'value' };
type ObjectState = 'key-or-end' | 'key' | 'colon' | 'value' | 'comma-or-end';
type ArrayState = 'value-or-end' | 'value' | 'comma-or-end';

const NAMES: Record<number, string> = {
  [TokenType.LEFT_BRACE]: '"{"', [TokenType.RIGHT_BRACE]: '"}"', [TokenType.LEFT_BRACKET]: '"["',
  [TokenType.RIGHT_BRACKET]: '"]"', [TokenType.COLON]: '":"', [TokenType.COMMA]: '","', [TokenType.TRUE]: 'true',
  [TokenType.FALSE]: 'false', [TokenType.NULL]: 'null', [TokenType.STRING]: 'a string', [TokenType.NUMBER]: 'a number',
};

export class StreamedObjectParser {
  private readonly tokenizer = new Tokenizer({ stringBufferSize: 64 * 1024 });
  private readonly stack: Frame[] = [];
  private rootClosed = false;
  private itemStart = -1;
  private itemDuplicate: string | null = null;

  constructor(private readonly h: StreamedObjectHandlers) {
    this.tokenizer.onToken = (t) => this.token(t);
    this.tokenizer.onError = (err) => { throw err; };
    this.tokenizer.onEnd = () => { /* the end is checked by end() */ };
  }

  get closed(): boolean {
    return this.rootClosed;
  }

  write(bytes: Uint8Array): void {
    try {
      this.tokenizer.write(bytes);
    } catch (err) {
      if (err instanceof JsonSyntaxError) throw err;
      const at = /absolute position "(\d+)"/.exec(err instanceof Error ? err.message : '');
      const offset = at ? Number(at[1]) : -1;
      if (this.rootClosed) throw new JsonSyntaxError('text after the root object has closed (a second JSON document?)', offset);
      if (err instanceof TypeError && /utf-?8|encoded data/i.test(err.message)) throw new JsonSyntaxError('a string is not valid UTF-8', offset);
      throw new JsonSyntaxError(`invalid JSON: ${err instanceof Error ? err.message.replace(/ at chunk position "\d+"/, '') : String(err)}`, offset);
    }
  }

  /** Call at the end of the input: refuses a document that has not closed its root. */
  end(): void {
    if (!this.rootClosed) throw new JsonSyntaxError(this.stack.length === 0 ? 'no JSON object in the file' : 'the JSON ends before its root object closes (truncated file?)', -1);
  }

  private token(t: ParsedTokenInfo): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      if (t.token !== TokenType.LEFT_BRACE) throw new JsonSyntaxError(`the file is not a JSON object (it starts with ${NAMES[t.token]})`, t.offset);
      this.stack.push({ kind: 'object', obj: Object.create(null) as Record<string, unknown>, keys: new Set(), key: '', state: 'key-or-end', role: 'root' });
      return;
    }
    if (top.kind === 'object') {
      switch (top.state) {
        case 'key-or-end':
          if (t.token === TokenType.RIGHT_BRACE) return this.close();
          return this.key(top, t);
        case 'key': return this.key(top, t);
        case 'colon':
          if (t.token !== TokenType.COLON) this.unexpected(t, '":"');
          top.state = 'value';
          return;
        case 'value': return this.startValue(t);
        case 'comma-or-end':
          if (t.token === TokenType.COMMA) { top.state = 'key'; return; }
          if (t.token === TokenType.RIGHT_BRACE) return this.close();
          return this.unexpected(t, '"," or "}"');
      }
    }
    switch (top.state) {
      case 'value-or-end':
        if (t.token === TokenType.RIGHT_BRACKET) return this.close();
        return this.startValue(t);
      case 'value': return this.startValue(t);
      case 'comma-or-end':
        if (t.token === TokenType.COMMA) { top.state = 'value'; return; }
        if (t.token === TokenType.RIGHT_BRACKET) return this.close();
        return this.unexpected(t, '"," or "]"');
    }
  }

  private key(top: Frame & { kind: 'object' }, t: ParsedTokenInfo): void {
    if (t.token !== TokenType.STRING) return this.unexpected(t, 'a key');
    const key = t.value as string;
    if (top.keys.has(key)) {
      if (top.role === 'root') throw new JsonSyntaxError(`the root object has the key ${JSON.stringify(key)} twice`, t.offset);
      this.itemDuplicate ??= key;
    }
    top.keys.add(key);
    top.key = key;
    top.state = 'colon';
  }

  private startValue(t: ParsedTokenInfo): void {
    const parent = this.stack[this.stack.length - 1]!;
    if (parent.kind === 'array' && parent.role === 'stream') {
      this.itemStart = t.offset;
      this.itemDuplicate = null;
    }
    switch (t.token) {
      case TokenType.LEFT_BRACE:
        this.stack.push({ kind: 'object', obj: Object.create(null) as Record<string, unknown>, keys: new Set(), key: '', state: 'key-or-end', role: 'value' });
        return;
      case TokenType.LEFT_BRACKET: {
        const stream = parent.kind === 'object' && parent.role === 'root' && parent.key === this.h.streamKey;
        this.stack.push({ kind: 'array', arr: [], state: 'value-or-end', role: stream ? 'stream' : 'value' });
        return;
      }
      case TokenType.STRING: case TokenType.NUMBER: case TokenType.TRUE: case TokenType.FALSE: case TokenType.NULL:
        return this.deliver(t.value);
      default:
        return this.unexpected(t, 'a value');
    }
  }

  private close(): void {
    const done = this.stack.pop()!;
    if (done.kind === 'object' && done.role === 'root') {
      this.rootClosed = true;
      // Ending the tokenizer makes any further non-blank byte an error: JSON has one root.
      this.tokenizer.end();
      return;
    }
    if (done.kind === 'array' && done.role === 'stream') {
      this.h.onStreamEnd();
      this.stack[this.stack.length - 1]!.state = 'comma-or-end';
      return;
    }
    this.deliver(done.kind === 'object' ? done.obj : done.arr);
  }

  private deliver(value: unknown): void {
    const parent = this.stack[this.stack.length - 1]!;
    if (parent.kind === 'object') {
      if (parent.role === 'root') this.h.onMember(parent.key, value);
      else Object.defineProperty(parent.obj, parent.key, { value, enumerable: true, writable: true, configurable: true });
    } else if (parent.role === 'stream') {
      this.h.onItem(value, this.itemStart, this.itemDuplicate);
    } else {
      parent.arr.push(value);
    }
    parent.state = 'comma-or-end';
  }

  private unexpected(t: ParsedTokenInfo, wanted: string): never {
    throw new JsonSyntaxError(`${NAMES[t.token] ?? 'a token'} where ${wanted} was expected`, t.offset);
  }
}
