/**
 * JSON.parse with `file:line:col` errors. V8's messages only sometimes carry a position, so on failure a small
 * scanner walks the text to find where it breaks; the happy path stays native JSON.parse.
 */
import { ConfigError } from "../errors.js";

/** Parse `text`, or throw a ConfigError reading `<label>:<line>:<col>: <what is wrong>`. */
export function parseJsonFile(text: string, label: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (err) {
    const { offset, message } = locateJsonError(body) ?? { offset: body.length, message: (err as Error).message };
    const { line, column } = lineAndColumn(body, offset);
    throw new ConfigError(`${label}:${line}:${column}: ${message}`);
  }
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - (before.lastIndexOf("\n") + 1) + 1 };
}

class JsonSyntax extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where strict JSON parsing of `text` fails, or undefined if it does not. */
export function locateJsonError(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const fail = (message?: string): never => {
    if (i >= text.length) throw new JsonSyntax(i, message ?? "Unexpected end of JSON input");
    throw new JsonSyntax(i, message ?? `Unexpected token ${JSON.stringify(text[i])}`);
  };
  const expect = (ch: string, what: string) => {
    ws();
    if (text[i] !== ch) fail(i >= text.length ? undefined : `Expected ${what} but found ${JSON.stringify(text[i])}`);
    i++;
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail("Bad control character in string literal");
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail("Bad Unicode escape in string literal");
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "")) fail("Bad escaped character in string literal");
      }
      i++;
    }
    if (i >= text.length) fail("Unterminated string");
    i++;
  };
  /** The members of an object or array, from its opening bracket to its closing one. */
  const members = (close: "}" | "]", what: string, member: () => void): void => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      member();
      ws();
      if (text[i] !== ",") return expect(close, `',' or '${close}' after ${what}`);
      i++;
      ws();
      if (text[i] === close) fail(`Trailing comma before '${close}'`);
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      return members("}", "a property value", () => {
        ws();
        if (text[i] !== '"') fail(i >= text.length ? undefined : `Expected a double-quoted property name but found ${JSON.stringify(text[i])}`);
        string();
        expect(":", "':' after the property name");
        value();
      });
    }
    if (c === "[") return members("]", "an array element", value);
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (literal) return void (i += literal[0].length);
    fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (err) {
    if (err instanceof JsonSyntax) return { offset: err.offset, message: err.message };
    throw err;
  }
}
